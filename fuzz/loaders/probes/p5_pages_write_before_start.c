/* SPDX-License-Identifier: MIT */
/*
 * p5_pages_write_before_start.c - detection probe: one byte written just
 * before a page allocation, as a header placed in front of a buffer would.
 * expect: ebsfuzz: this use-after-poison is a heap-buffer-overflow: 1 bytes before the start of a 8192-byte block from AllocatePages (call 1), at
 */
#include "../../../core/efi.h"

EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	EFI_PHYSICAL_ADDRESS addr = 0;
	volatile UINT8 *buf;

	(void)image;
	if (systab->BootServices->AllocatePages(AllocateAnyPages, EfiLoaderData, 2, &addr) !=
	    EFI_SUCCESS)
		return EFI_OUT_OF_RESOURCES;
	buf = (volatile UINT8 *)(UINTN)addr;
	buf[-1] = 1; /* the bug */
	systab->BootServices->FreePages(addr, 2);
	return EFI_LOAD_ERROR;
}
