/* SPDX-License-Identifier: MIT */
/*
 * p12_pool_write_before_start.c - detection probe: a byte written just
 * before a small pool allocation that follows another, into the red zone
 * between them (fuzz/fw/arena.c): the nearer block is the one named.
 * expect: ebsfuzz: this use-after-poison is a heap-buffer-overflow: 1 bytes before the start of a 40-byte block from AllocatePool (call 2), at
 */
#include "../../../core/efi.h"

EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	volatile UINT8 *buf;
	VOID *first, *p;

	(void)image;
	if (systab->BootServices->AllocatePool(EfiLoaderData, 24, &first) != EFI_SUCCESS ||
	    systab->BootServices->AllocatePool(EfiLoaderData, 40, &p) != EFI_SUCCESS)
		return EFI_OUT_OF_RESOURCES;
	buf = p;
	buf[-1] = 1; /* the bug */
	systab->BootServices->FreePool(p);
	systab->BootServices->FreePool(first);
	return EFI_LOAD_ERROR;
}
