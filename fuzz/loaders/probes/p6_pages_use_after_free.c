/* SPDX-License-Identifier: MIT */
/*
 * p6_pages_use_after_free.c - detection probe: a page allocation read after
 * FreePages().
 * expect: ebsfuzz: this use-after-poison is a heap-use-after-free: 16 bytes inside a 4096-byte block from AllocatePages (call 1), at
 */
#include "../../../core/efi.h"

EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	EFI_PHYSICAL_ADDRESS addr = 0;
	volatile UINT8 *buf;
	UINT8 v;

	(void)image;
	if (systab->BootServices->AllocatePages(AllocateAnyPages, EfiLoaderData, 1, &addr) !=
	    EFI_SUCCESS)
		return EFI_OUT_OF_RESOURCES;
	systab->BootServices->FreePages(addr, 1);
	buf = (volatile UINT8 *)(UINTN)addr;
	v = buf[16]; /* the bug */
	return v ? EFI_LOAD_ERROR : EFI_ABORTED;
}
