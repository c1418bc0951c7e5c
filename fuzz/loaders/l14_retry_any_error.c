/* SPDX-License-Identifier: MIT */
/*
 * l14_retry_any_error.c - known-bad model L14 (exit-boot.md 3.13): every
 * ExitBootServices() error is retried, persistent ones included.
 *
 * Stands for Limine v8.x's retry policy (c9c43797, 2022-02: "Do not fail on
 * first ExitBootServices() attempt"): any error, up to 128 retries
 * (exit-boot.md 3.8).  UEFI 2.10 section 7.4.6 names one recoverable
 * failure, EFI_INVALID_PARAMETER for a stale key; other errors will not go
 * away by asking again, and EDK2 fails persistently on misaligned runtime
 * regions (F20).  Limine's map handling has its own bugs (L2, L8,
 * l8_key_from_too_small.c); here the map is read right (full capacity,
 * status checked) so that only the retry policy is at fault.
 *
 * Caught by termination (corpus/models/l14_retry_any_error.scn):
 * ExitBootServices() fails with EFI_DEVICE_ERROR every time.
 * EBSFUZZ_FIXED: retry only after EFI_INVALID_PARAMETER.
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
	capacity = size + 4096;
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
#ifdef EBSFUZZ_FIXED
		if (status != EFI_INVALID_PARAMETER || retries > 0)
			return status;
#endif
		/* L14: whatever the error, ask again. */
	}
}
