/* SPDX-License-Identifier: MIT */
/*
 * loader.c - an example loader whose frees go through a wrapper, as those
 * of every loader built on gnu-efi go through its FreePool() (Syslinux,
 * ELILO): the findings campaign's test that two bad frees through one
 * wrapper are two rows, each naming the line that called the wrapper.
 *
 * After a failed exit it may free its map buffer on two ways out, both
 * forbidden once the last exit has failed (UEFI 2.10 section 7.4.6): when
 * the re-read fails (through a helper of its own, inlined, around the
 * wrapper), and when the second exit fails too.  Firmware that keeps
 * refusing the exit, or a re-read that fails, reaches them.
 */
#include "../../../../core/efi.h"

#define SLACK_DESCS 16

static EFI_BOOT_SERVICES *boot_services;

/* gnu-efi's lib/misc.c FreePool(), compiled apart from the loader. */
__attribute__((noinline)) static void FreePool(VOID *buffer)
{
	boot_services->FreePool(buffer);
}

/* The loader's own helper around it, inlined where it is called. */
static inline void release_map(UINT8 *map)
{
	FreePool(map); /* in the helper: the first bad free's line */
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
	UINTN size = 0, capacity, key = 0, desc_size = 0;
	UINT32 version;
	EFI_STATUS status;
	UINT8 *map;

	boot_services = bs;
	status = bs->GetMemoryMap(&size, NULL, &key, &desc_size, &version);
	if (status != EFI_BUFFER_TOO_SMALL || size > (1u << 24) ||
	    desc_size < sizeof(EFI_MEMORY_DESCRIPTOR) || desc_size > 1024)
		return EFI_LOAD_ERROR;
	capacity = size + SLACK_DESCS * desc_size;
	status = bs->AllocatePool(EfiLoaderData, capacity, (VOID **)&map);
	if (status != EFI_SUCCESS)
		return status;
	size = capacity;
	status = bs->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)(void *)map, &key, &desc_size,
				  &version);
	if (status != EFI_SUCCESS) {
		FreePool(map); /* no exit attempted yet: allowed */
		return status;
	}
	status = bs->ExitBootServices(image, key);
	if (status != EFI_INVALID_PARAMETER)
		return status;
	size = capacity;
	status = bs->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)(void *)map, &key, &desc_size,
				  &version);
	if (status != EFI_SUCCESS) {
		release_map(map); /* the first bad free, through the helper */
		return status;
	}
	status = bs->ExitBootServices(image, key);
	if (status != EFI_SUCCESS)
		FreePool(map); /* the second */
	return status;
}
