/* SPDX-License-Identifier: MIT */
/*
 * loader.c - an example loader that is right about the exit-boot rules but
 * reads descriptors through a struct pointer at whatever stride the
 * firmware reports, as the Linux stub does: on firmware whose
 * DescriptorSize is not a multiple of 8 (non-compliant, only a corrupt
 * answer gives one) the struct is misaligned.  x86 tolerates it; UBSan
 * reports it.  The findings campaign classes it loader-ub, which fails no
 * run by default and hides nothing else.
 */
#include "../../../../core/efi.h"

#define SLACK_DESCS 16

static UINT64 free_pages;

/* Count the free pages, at the firmware's stride. */
static void count_free(const UINT8 *map, UINTN size, UINTN desc_size)
{
	UINTN at;

	free_pages = 0;
	for (at = 0; desc_size != 0 && at + desc_size <= size; at += desc_size) {
		const EFI_MEMORY_DESCRIPTOR *d = (const void *)(map + at);

		if (d->Type == EfiConventionalMemory) /* misaligned at an odd stride */
			free_pages += d->NumberOfPages;
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
	if (status != EFI_BUFFER_TOO_SMALL || size > (1u << 24) ||
	    desc_size < sizeof(EFI_MEMORY_DESCRIPTOR) || desc_size > 1024)
		return EFI_LOAD_ERROR;
	capacity = size + SLACK_DESCS * desc_size;
	status = bs->AllocatePool(EfiLoaderData, capacity, (VOID **)&map);
	if (status != EFI_SUCCESS)
		return status;
	for (attempt = 0; attempt < 2; attempt++) {
		size = capacity;
		status = bs->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)(void *)map, &key,
					  &desc_size, &version);
		if (status != EFI_SUCCESS || size > capacity)
			break;
		count_free(map, size, desc_size);
		status = bs->ExitBootServices(image, key);
		if (status != EFI_INVALID_PARAMETER)
			return status;
	}
	if (attempt == 0)
		bs->FreePool(map); /* no exit attempted yet */
	return status == EFI_SUCCESS ? EFI_LOAD_ERROR : status;
}
