/* SPDX-License-Identifier: MIT */
/*
 * l10_capacity_lie.c - known-bad model L10 (exit-boot.md 3.13): the loader
 * tells GetMemoryMap() its buffer is larger than what it allocated.
 *
 * Stands for U-Boot as an EFI application, lib/efi_client/efi.c since
 * 866e2ac5aa4 (2022-01): efi_store_memory_map() sets memmap_alloc = size +
 * 1024 and passes that as the capacity, but efi_malloc()s only size bytes;
 * efi_call_exit_boot_services() then calls ExitBootServices() once, no
 * retry (L1).  UEFI 2.10 section 7.2.3 lets the firmware fill every byte
 * the caller claims, so any growth between the size query and the read
 * overflows the allocation (exit-boot.md 3.10).  efi_malloc() carves from
 * memory U-Boot took from the firmware at start; the model asks the
 * firmware for exactly those bytes, so the firmware can see the claim.
 *
 * Caught by buffer-bounds (corpus/models/l10_capacity_lie.scn): plain
 * U-Boot firmware, nothing happening; the first read already claims 1 KiB
 * that is not there.
 * EBSFUZZ_FIXED: allocate what is claimed.
 */
#include "../../core/efi.h"

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
	UINTN size = 0, memmap_alloc, memmap_size, key = 0, desc_size = 0;
	UINT32 version;
	EFI_STATUS status;
	VOID *memmap;

	/* efi_store_memory_map() */
	status = bs->GetMemoryMap(&size, NULL, &key, &desc_size, &version);
	if (status != EFI_BUFFER_TOO_SMALL)
		return EFI_LOAD_ERROR; /* "Can't get memory map" */
	memmap_alloc = size + 1024;
	memmap_size = memmap_alloc;
#ifdef EBSFUZZ_FIXED
	size = memmap_alloc;
#endif
	status = bs->AllocatePool(EfiLoaderData, size, &memmap); /* L10: size, not memmap_alloc */
	if (status != EFI_SUCCESS)
		return status;
	status = bs->GetMemoryMap(&memmap_size, memmap, &key, &desc_size, &version);
	if (status != EFI_SUCCESS) {
		bs->FreePool(memmap);
		return status;
	}
	/* efi_call_exit_boot_services(): read again, exit once. */
	size = memmap_alloc;
	status = bs->GetMemoryMap(&size, memmap, &key, &desc_size, &version);
	if (status != EFI_SUCCESS) {
		bs->FreePool(memmap);
		return status;
	}
	return bs->ExitBootServices(image, key);
}
