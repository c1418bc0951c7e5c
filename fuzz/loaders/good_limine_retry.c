/* SPDX-License-Identifier: MIT */
/*
 * good_limine_retry.c - good model: Limine v8.x's retry policy, L14 of the
 * catalogue (exit-boot.md 3.13), which the referee does not count a bug.
 *
 * Stands for Limine's efi_exit_boot_services() retry (c9c43797, 2022-02:
 * "Do not fail on first ExitBootServices() attempt"): any error, up to 128
 * retries (exit-boot.md 3.8); CSMWrap does the same, and one machine is
 * known to need several calls.  The UEFI text sets no retry limit and a
 * bounded loop ends, so retrying an error that will not go away wastes
 * time but breaks no rule: the termination invariant reports loops that
 * never end (FW_MAX_EXIT_ATTEMPTS is twice this bound).  Limine's map
 * handling has bugs of its own (L2, L8, l8_key_from_too_small.c); here the
 * map is read right (full capacity, status checked) so that this model
 * shows the retry policy alone, and pins that it stays clean on every
 * shipped input, EDK2 refusing every key (F20) and an ExitBootServices()
 * that fails with EFI_DEVICE_ERROR for ever among them.
 */
#include "../../core/efi.h"

#define LIMINE_MAX_RETRIES 128

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
	UINTN size = 0, capacity, key = 0, desc_size = 0, retries;
	UINT32 version;
	EFI_STATUS status;
	VOID *map;

	status = bs->GetMemoryMap(&size, NULL, &key, &desc_size, &version);
	if (status != EFI_BUFFER_TOO_SMALL)
		return status == EFI_SUCCESS ? EFI_LOAD_ERROR : status;
	/* Limine adds 4 KiB; above 512-byte descriptors that is fewer than the
	 * 8 descriptors of growth liveness asks for (L11), so the model takes
	 * 8 descriptors there: a deviation, to show the retry policy alone. */
	capacity = size + (desc_size > 512 ? 8 * desc_size : 4096);
	status = bs->AllocatePool(EfiLoaderData, capacity, &map);
	if (status != EFI_SUCCESS)
		return status;
	for (retries = 0;; retries++) {
		size = capacity;
		status = bs->GetMemoryMap(&size, map, &key, &desc_size, &version);
		if (status != EFI_SUCCESS) {
			if (retries == 0)
				bs->FreePool(map); /* no exit attempted yet */
			return status;
		}
		status = bs->ExitBootServices(image, key);
		if (status == EFI_SUCCESS || retries == LIMINE_MAX_RETRIES)
			return status;
		/* Whatever the error, ask again, 128 times at most. */
	}
}
