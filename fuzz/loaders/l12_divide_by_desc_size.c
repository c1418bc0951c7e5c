/* SPDX-License-Identifier: MIT */
/*
 * l12_divide_by_desc_size.c - known-bad model L12 (exit-boot.md 3.13): a
 * division by a DescriptorSize nobody checked.
 *
 * Stands for the Linux libstub efi_get_memory_map() of 2016 to ~2022
 * (dadb57abc374, as in v5.8): desc_size is zeroed before each
 * GetMemoryMap(), and the headroom test mmap_has_headroom(), which divides
 * the spare bytes by desc_size, runs before the status is looked at.  A
 * GetMemoryMap() that fails without writing DescriptorSize, or a firmware
 * that reports 0, is a divide error (rust-hypervisor-firmware PR #108: "a
 * recent Linux kernel (at least v5.8) ... causes divided-by-0 exception";
 * exit-boot.md 3.2, F12).  Exit: today's efi_exit_boot_services(), one retry
 * after EFI_INVALID_PARAMETER into the same buffer at full capacity.
 *
 * Caught by UndefinedBehaviorSanitizer, division by zero
 * (corpus/models/l12_divide_by_desc_size.scn): the first GetMemoryMap()
 * fails with EFI_DEVICE_ERROR and writes nothing.
 * EBSFUZZ_FIXED: test the status before the headroom.
 */
#include "../../core/efi.h"

#define EFI_MMAP_NR_SLACK_SLOTS 8

/* mmap_has_headroom(): at least EFI_MMAP_NR_SLACK_SLOTS spare descriptors. */
static int mmap_has_headroom(UINTN buff_size, UINTN map_size, UINTN desc_size)
{
	UINTN slack = buff_size - map_size;

	return slack / desc_size >= EFI_MMAP_NR_SLACK_SLOTS; /* L12: desc_size may be 0 */
}

/**
 * get_memory_map() - the 2016-2022 helper: grow until 8 slots are spare.
 * @bs: boot services.
 * @map: out, the pool buffer holding the map.
 * @map_size: out, bytes of descriptors.
 * @buff_size: out, capacity of @map.
 * @desc_size: out, DescriptorSize.
 * @key: out, the map key.
 *
 * Return: EFI_SUCCESS with @map allocated, or the failing status with
 * nothing allocated.
 */
static EFI_STATUS get_memory_map(EFI_BOOT_SERVICES *bs, VOID **map, UINTN *map_size,
				 UINTN *buff_size, UINTN *desc_size, UINTN *key)
{
	UINT32 version;
	EFI_STATUS status;

	*desc_size = sizeof(EFI_MEMORY_DESCRIPTOR);
	*map_size = *desc_size * 32;
	*buff_size = *map_size;
	for (;;) { /* "goto again": unbounded */
		status = bs->AllocatePool(EfiLoaderData, *map_size, map);
		if (status != EFI_SUCCESS)
			return status;
		*desc_size = 0;
		*key = 0;
		status = bs->GetMemoryMap(map_size, *map, key, desc_size, &version);
#ifdef EBSFUZZ_FIXED
		if (status != EFI_SUCCESS && status != EFI_BUFFER_TOO_SMALL) {
			bs->FreePool(*map);
			return status;
		}
#endif
		if (status == EFI_BUFFER_TOO_SMALL ||
		    !mmap_has_headroom(*buff_size, *map_size, *desc_size)) {
			bs->FreePool(*map);
			*map_size += *desc_size * EFI_MMAP_NR_SLACK_SLOTS;
			*buff_size = *map_size;
			continue;
		}
		if (status != EFI_SUCCESS)
			bs->FreePool(*map);
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
	UINTN map_size, buff_size, desc_size, key;
	UINT32 version;
	EFI_STATUS status;
	VOID *map;

	status = get_memory_map(bs, &map, &map_size, &buff_size, &desc_size, &key);
	if (status != EFI_SUCCESS)
		return status;
	status = bs->ExitBootServices(image, key);
	if (status != EFI_INVALID_PARAMETER)
		return status;
	map_size = buff_size;
	status = bs->GetMemoryMap(&map_size, map, &key, &desc_size, &version);
	if (status != EFI_SUCCESS)
		return status;
	return bs->ExitBootServices(image, key);
}
