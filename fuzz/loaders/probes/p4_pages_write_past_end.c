/* SPDX-License-Identifier: MIT */
/*
 * p4_pages_write_past_end.c - detection probe: one byte written just past
 * a one-page AllocatePages() allocation.
 * expect: ebsfuzz: this use-after-poison is a heap-buffer-overflow: 0 bytes after the end of a 4096-byte block from AllocatePages (call 1), at
 */
#include "../../../core/efi.h"

EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	EFI_PHYSICAL_ADDRESS addr = 0;
	volatile UINT8 *buf;

	(void)image;
	if (systab->BootServices->AllocatePages(AllocateAnyPages, EfiLoaderData, 1, &addr) !=
	    EFI_SUCCESS)
		return EFI_OUT_OF_RESOURCES;
	buf = (volatile UINT8 *)(UINTN)addr;
	buf[EFI_PAGE_SIZE] = 1; /* the bug */
	systab->BootServices->FreePages(addr, 1);
	return EFI_LOAD_ERROR;
}
