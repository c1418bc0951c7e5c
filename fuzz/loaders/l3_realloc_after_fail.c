/* SPDX-License-Identifier: MIT */
/*
 * l3_realloc_after_fail.c - known-bad model L3 (exit-boot.md 3.13): after
 * a failed ExitBootServices() the loader frees its map and allocates a new
 * one.
 *
 * Stands for the Linux x86 EFI stub v3.13 to v4.8 (eboot.c exit_boot()):
 * on the first failure it FreePools the map and runs the allocating
 * efi_get_memory_map() helper again, at most two exits.  Up to UEFI 2.8
 * only GetMemoryMap() and ExitBootServices() may follow a failed exit
 * (UEFI 2.10 section 7.4.6 widened that to the memory allocation services
 * in 2.9).  Fixed by d64934019f6c (2016): "The eboot code attempts
 * allocations after calling ExitBootSerives which is not permitted per the
 * spec."  GRUB and FreeBSD reallocated too (exit-boot.md 3.1, 3.3, 3.6).
 *
 * Caught by forbidden-call (corpus/models/l3_realloc_after_fail.scn): one
 * map change during the first exit on firmware reporting UEFI 2.70.
 * EBSFUZZ_FIXED: re-read into the same buffer at full capacity
 * (d64934019f6c).
 */
#include "../../core/efi.h"

/**
 * get_memory_map() - the v3.13-era libstub helper: allocate, read, and on
 * BUFFER_TOO_SMALL free and try one descriptor bigger.
 * @bs: boot services.
 * @map: out, the pool buffer holding the map.
 * @capacity: out, its size.
 * @key: out, the map key.
 *
 * Return: EFI_SUCCESS with @map allocated, or the failing status with
 * nothing allocated.
 */
static EFI_STATUS get_memory_map(EFI_BOOT_SERVICES *bs, VOID **map, UINTN *capacity, UINTN *key)
{
	UINTN size = sizeof(EFI_MEMORY_DESCRIPTOR) * 32, desc_size;
	UINT32 version;
	EFI_STATUS status;

	for (;;) {
		size += sizeof(EFI_MEMORY_DESCRIPTOR);
		*capacity = size;
		status = bs->AllocatePool(EfiLoaderData, size, map);
		if (status != EFI_SUCCESS)
			return status;
		status = bs->GetMemoryMap(&size, *map, key, &desc_size, &version);
		if (status == EFI_SUCCESS)
			return EFI_SUCCESS;
		bs->FreePool(*map);
		if (status != EFI_BUFFER_TOO_SMALL)
			return status;
	}
}

/**
 * loader_exit_boot() - the loader contract (core/efi.h).
 * @image: the image handle.
 * @systab: the system table.
 *
 * Return: EFI_SUCCESS if boot services were exited, else the failing status.
 */
EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	EFI_BOOT_SERVICES *bs = systab->BootServices;
	UINTN capacity, key, attempt;
	EFI_STATUS status;
	VOID *map;

	status = get_memory_map(bs, &map, &capacity, &key);
	for (attempt = 0;; attempt++) {
		if (status != EFI_SUCCESS)
			return status;
		/* setup_e820() would convert the map here. */
		status = bs->ExitBootServices(image, key);
		if (status == EFI_SUCCESS || attempt > 0)
			return status; /* "guaranteed to exit on repeated failures" */
#ifdef EBSFUZZ_FIXED
		{
			UINTN size = capacity, desc_size;
			UINT32 version;

			status = bs->GetMemoryMap(&size, map, &key, &desc_size, &version);
		}
#else
		bs->FreePool(map); /* L3: a boot service after a failed exit */
		status = get_memory_map(bs, &map, &capacity, &key);
#endif
	}
}
