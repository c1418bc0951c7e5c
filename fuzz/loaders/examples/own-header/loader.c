/* SPDX-License-Identifier: MIT */
/*
 * loader.c - a loader with its own UEFI header next to it (my_efi.h), the
 * test that scripts/fuzz-loader builds a file from outside the repository
 * with its relative includes resolved where the file is.
 *
 * Xen's design (good_xen.c) with a static buffer: a size query, 8 spare
 * descriptors, at most two rounds of read and exit, the second only after
 * EFI_INVALID_PARAMETER.
 */
#include "my_efi.h"

static _Alignas(16) unsigned char buffer[5u << 20];

/**
 * loader_exit_boot() - the loader contract of ebsfuzz.
 * @image: the image handle.
 * @systab: the system table.
 *
 * Return: EFI_SUCCESS if boot services were exited, else the failing status.
 */
EFI_STATUS loader_exit_boot(EFI_HANDLE image, struct efi_system_table *systab)
{
	struct efi_boot_services *bs = systab->boot_services;
	UINTN size = 0, key = 0, desc_size = 0, capacity, round;
	uint32_t version = 0;
	EFI_STATUS status;

	if (bs->get_memory_map(&size, 0, &key, &desc_size, &version) != EFI_BUFFER_TOO_SMALL)
		return EFI_LOAD_ERROR;
	if (desc_size == 0) /* U-Boot < 2020 leaves it unwritten */
		desc_size = size < 1024 ? size : 1024;
	capacity = size + 8 * desc_size;
	if (capacity > sizeof(buffer))
		return EFI_LOAD_ERROR;
	for (round = 0;; round++) {
		size = capacity;
		status = bs->get_memory_map(&size, buffer, &key, &desc_size, &version);
		if (status != EFI_SUCCESS)
			return status;
		status = bs->exit_boot_services(image, key);
		if (status != EFI_INVALID_PARAMETER || round > 0)
			return status;
	}
}
