/* SPDX-License-Identifier: MIT */
/*
 * loader.c - an example loader written the way real exit code is, with two
 * independent bugs, for the findings campaign's test and README: the
 * findings table must show both from one run, each with its class.
 *
 * - Its e820 conversion walks as many descriptors as the size a successful
 *   GetMemoryMap() reports, without checking that size against its buffer:
 *   firmware that reports more than it could have written (non-compliant,
 *   a corrupt answer) makes it read past the buffer.  Shallow: a shipped
 *   seed reaches it at once, and it also reads descriptors at whatever
 *   stride the firmware says, misaligned at an odd one (loader-ub).
 * - After a failed exit it prints "Trying to terminate EFI services again"
 *   before reading the map again, as GRUB does (L5): forbidden on any
 *   firmware, reached on compliant firmware that changes the map during the
 *   first exit.  After its last attempt the same print is on its way out
 *   (giving-up).
 * Everything else is right: slack counted in DescriptorSize, the retry into
 * the same buffer at full capacity, one retry only.
 */
#include "../../../../core/efi.h"

#define SLACK_DESCS 16

static CHAR16 again[] = u"Trying to terminate EFI services again\r\n";
static UINT64 e820_pages[16]; /* pages of each EFI memory type, as e820 needs them */

/* Sum the pages of each type, as an e820 conversion would. */
static EFI_STATUS convert_to_e820(const UINT8 *map, UINTN size, UINTN desc_size)
{
	UINTN n = size / desc_size, i; /* the reported size, unchecked */

	for (i = 0; i < 16; i++)
		e820_pages[i] = 0;
	for (i = 0; i < n; i++) {
		const EFI_MEMORY_DESCRIPTOR *d = (const void *)(map + i * desc_size);

		e820_pages[d->Type & 15] += d->NumberOfPages;
	}
	return EFI_SUCCESS;
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
		if (status == EFI_SUCCESS)
			status = convert_to_e820(map, size, desc_size);
		if (status != EFI_SUCCESS)
			break;
		status = bs->ExitBootServices(image, key);
		if (status != EFI_INVALID_PARAMETER)
			return status;
		systab->ConOut->OutputString(systab->ConOut, again); /* L5 */
	}
	if (attempt == 0)
		bs->FreePool(map); /* no exit attempted yet */
	return status;
}
