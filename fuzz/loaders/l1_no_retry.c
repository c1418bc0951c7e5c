/* SPDX-License-Identifier: MIT */
/*
 * l1_no_retry.c - known-bad model L1 (exit-boot.md 3.13): one
 * ExitBootServices() call, and any failure is fatal.
 *
 * Stands for the Linux arm/arm64 FDT stub up to v4.8
 * (allocate_new_fdt_and_exit_boot() before ed9cc156c42f, 2016), which
 * called ExitBootServices() once and did not handle EFI_INVALID_PARAMETER;
 * the QDF2432 saw "intermittent boot failures" (exit-boot.md 3.1, F5).  The
 * sizing is that era's efi_get_memory_map() helper: 32 descriptors, one
 * more per round, AllocatePool, round again on BUFFER_TOO_SMALL.
 *
 * The real error path also printed and freed the map (L5, L3, modelled in
 * their own files); this one returns the status, so it shows L1 alone.
 *
 * Caught by liveness (corpus/models/l1_no_retry.scn): an exit-boot handler
 * changes the map once, as AMI's option ROMs did (F1); the first exit fails
 * and the loader gives up where one retry succeeds.
 * EBSFUZZ_FIXED: one retry after EFI_INVALID_PARAMETER into the same buffer
 * (ed9cc156c42f), to show that this scenario catches nothing else.
 */
#include "../../core/efi.h"

/**
 * get_memory_map() - the pre-2016 libstub helper: allocate, read, and on
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
		/* "an additional efi_memory_desc_t because we're doing an allocation" */
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
	UINTN capacity, key;
	EFI_STATUS status;
	VOID *map;

	status = get_memory_map(bs, &map, &capacity, &key);
	if (status != EFI_SUCCESS)
		return status;
	/* update_fdt_memmap() would copy the map into the device tree here. */
	status = bs->ExitBootServices(image, key);
#ifdef EBSFUZZ_FIXED
	if (status == EFI_INVALID_PARAMETER) {
		UINTN size = capacity, desc_size;
		UINT32 version;

		status = bs->GetMemoryMap(&size, map, &key, &desc_size, &version);
		if (status == EFI_SUCCESS)
			status = bs->ExitBootServices(image, key);
	}
#endif
	return status; /* L1: a failed exit is final; the map stays allocated */
}
