/* SPDX-License-Identifier: MIT */
/*
 * p13_pages_overrun_past_next_pool.c - detection probe: a page allocation
 * overrun by 20 bytes when a small pool block was allocated after it.  A
 * page is left out after every page block in the arena (fuzz/fw/arena.c),
 * so the write lands in poison, not in the pool block.
 * expect: ebsfuzz: this use-after-poison is a heap-buffer-overflow: 20 bytes after the end of a 4096-byte block from AllocatePages (call 1), at
 */
#include "../../../core/efi.h"

EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	EFI_PHYSICAL_ADDRESS addr = 0;
	volatile UINT8 *buf;
	VOID *pool;

	(void)image;
	if (systab->BootServices->AllocatePages(AllocateAnyPages, EfiLoaderData, 1, &addr) !=
		    EFI_SUCCESS ||
	    systab->BootServices->AllocatePool(EfiLoaderData, 24, &pool) != EFI_SUCCESS)
		return EFI_OUT_OF_RESOURCES;
	buf = (volatile UINT8 *)(UINTN)addr;
	buf[EFI_PAGE_SIZE + 20] = 1; /* the bug */
	systab->BootServices->FreePool(pool);
	systab->BootServices->FreePages(addr, 1);
	return EFI_LOAD_ERROR;
}
