/* SPDX-License-Identifier: MIT */
/*
 * loader.c - an example loader that is right on every compliant firmware
 * but believes the MemoryMapSize a successful GetMemoryMap() reports: when
 * non-compliant firmware reports more than the buffer holds (a corrupt
 * answer), its walk reads past its buffer.  The findings campaign reports
 * it as noncompliant: exit status 1 by default, 0 with --fail-on=compliant.
 */
#include "../../../../core/efi.h"

#define SLACK_DESCS 16

static UINT64 highest;

static void note_highest(const UINT8 *map, UINTN size, UINTN desc_size)
{
	UINTN at;

	highest = 0;
	for (at = 0; at + desc_size <= size; at += desc_size) {
		const EFI_MEMORY_DESCRIPTOR *d = (const void *)(map + at);
		UINT64 end = d->PhysicalStart + d->NumberOfPages * EFI_PAGE_SIZE;

		if (end > highest)
			highest = end;
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
	UINTN size = 0, capacity, key = 0, desc_size = 0, attempt;
	UINT32 version;
	EFI_STATUS status;
	UINT8 *map;

	status = bs->GetMemoryMap(&size, NULL, &key, &desc_size, &version);
	if (status != EFI_BUFFER_TOO_SMALL || size > (1u << 24) || desc_size < 40 ||
	    desc_size > 1024 || desc_size % 8 != 0)
		return EFI_LOAD_ERROR;
	capacity = size + SLACK_DESCS * desc_size;
	status = bs->AllocatePool(EfiLoaderData, capacity, (VOID **)&map);
	if (status != EFI_SUCCESS)
		return status;
	for (attempt = 0; attempt < 2; attempt++) {
		size = capacity;
		status = bs->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)(void *)map, &key,
					  &desc_size, &version);
		if (status != EFI_SUCCESS)
			break;
		note_highest(map, size, desc_size); /* trusts size: no check against capacity */
		status = bs->ExitBootServices(image, key);
		if (status != EFI_INVALID_PARAMETER)
			return status;
	}
	if (attempt == 0)
		bs->FreePool(map); /* no exit attempted yet */
	return status;
}
