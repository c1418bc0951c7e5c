/* SPDX-License-Identifier: MIT */
/*
 * l8_key_from_too_small.c - known-bad model L8 (exit-boot.md 3.13): the
 * retry ignores GetMemoryMap()'s status and exits with the key of a
 * BUFFER_TOO_SMALL answer.
 *
 * Stands for Limine v8.x, efi_exit_boot_services() in common/lib/misc.c
 * (v8.2.0, 2024-10): a size query into a one-descriptor stack buffer, 4096
 * bytes of room, one AllocatePool for the map and one for a copy; on a
 * retry GetMemoryMap() errors are ignored (d8180342, 2022-04: "Do not panic
 * if GetMemoryMap() fails after first ExitBootServices()") and any exit
 * error is retried up to 128 times (c9c43797, L7/L14).  The retry passes the
 * size the last call returned (L2), so once the map grows it gets
 * BUFFER_TOO_SMALL; EDK2 writes the current MapKey on that path too
 * (exit-boot.md 2.3), so the exit succeeds while the buffer holds the old
 * map, and Limine walks it with the new, larger size (exit-boot.md 3.8).
 *
 * Limine panics (console) when it gives up; the model returns the status.
 *
 * Caught by stale-key (corpus/models/l8_key_from_too_small.scn): an exit
 * handler adds one descriptor during the first exit.
 * EBSFUZZ_FIXED: a failed GetMemoryMap() on a retry sends the loop round
 * again instead of on to ExitBootServices(); the size the failure wrote
 * then fits the buffer.
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
	EFI_MEMORY_DESCRIPTOR tmp_mmap[1];
	UINTN efi_mmap_size = sizeof(tmp_mmap), key = 0, desc_size = 0, retries = 0;
	UINT32 version;
	VOID *efi_mmap, *efi_copy;
	EFI_STATUS status;

	bs->GetMemoryMap(&efi_mmap_size, tmp_mmap, &key, &desc_size, &version);
	efi_mmap_size += 4096;
	status = bs->AllocatePool(EfiLoaderData, efi_mmap_size, &efi_mmap);
	if (status != EFI_SUCCESS)
		return status;
	status = bs->AllocatePool(EfiLoaderData, efi_mmap_size * 2, &efi_copy);
	if (status != EFI_SUCCESS) {
		bs->FreePool(efi_mmap);
		return status;
	}
	for (;;) {
		status = bs->GetMemoryMap(&efi_mmap_size, efi_mmap, &key, &desc_size, &version);
		if (retries == 0 && status != EFI_SUCCESS) {
			bs->FreePool(efi_copy); /* Limine panics here */
			bs->FreePool(efi_mmap);
			return status;
		}
#ifdef EBSFUZZ_FIXED
		if (status != EFI_SUCCESS) {
			if (retries++ == LIMINE_MAX_RETRIES)
				return status;
			continue;
		}
#endif
		/* L8: on a retry the status is not looked at. */
		status = bs->ExitBootServices(image, key);
		if (status == EFI_SUCCESS)
			return EFI_SUCCESS;
		if (retries++ == LIMINE_MAX_RETRIES)
			return status; /* Limine panics here */
	}
}
