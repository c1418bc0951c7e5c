/* SPDX-License-Identifier: MIT */
/*
 * loader.c - an example loader that trusts the firmware to write
 * DescriptorSize on BUFFER_TOO_SMALL and never initialises its own copy,
 * as real loaders do: on firmware that withholds it there (U-Boot before
 * 2020, F12) the buffer is sized from whatever was on the stack.
 * AddressSanitizer sees nothing wrong; MemorySanitizer
 * (LOADER_SANITIZE=memory) reports the use of an uninitialised value.
 * Otherwise right: slack in DescriptorSize units, one retry into the same
 * buffer.
 */
#include "../../../../core/efi.h"

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
	UINTN size = 0, capacity, key = 0, desc_size, attempt; /* desc_size: the firmware's job */
	UINT32 version;
	EFI_STATUS status;
	VOID *map;

	status = bs->GetMemoryMap(&size, NULL, &key, &desc_size, &version);
	if (status != EFI_BUFFER_TOO_SMALL)
		return EFI_LOAD_ERROR;
	capacity = size + 16 * desc_size;
	if (capacity > (1u << 24))
		return EFI_LOAD_ERROR;
	status = bs->AllocatePool(EfiLoaderData, capacity, &map);
	if (status != EFI_SUCCESS)
		return status;
	for (attempt = 0; attempt < 2; attempt++) {
		size = capacity;
		status = bs->GetMemoryMap(&size, map, &key, &desc_size, &version);
		if (status != EFI_SUCCESS)
			break;
		status = bs->ExitBootServices(image, key);
		if (status != EFI_INVALID_PARAMETER)
			return status;
	}
	if (attempt == 0)
		bs->FreePool(map); /* no exit attempted yet */
	return status;
}
