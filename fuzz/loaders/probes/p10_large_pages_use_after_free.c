/* SPDX-License-Identifier: MIT */
/*
 * p10_large_pages_use_after_free.c - detection probe: a 64-page allocation
 * (from the fake firmware's arena in ASan builds, fuzz/fw/arena.c) read
 * after FreePages(); the harness names the block and both calls.
 * expect: ebsfuzz: this use-after-poison is a heap-use-after-free: 4096 bytes inside a 262144-byte block from AllocatePages (call 1), at
 */
#include "../../../core/efi.h"

EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	EFI_PHYSICAL_ADDRESS addr = 0;
	volatile UINT8 *buf;
	UINT8 v;

	(void)image;
	if (systab->BootServices->AllocatePages(AllocateAnyPages, EfiLoaderData, 64, &addr) !=
	    EFI_SUCCESS)
		return EFI_OUT_OF_RESOURCES;
	systab->BootServices->FreePages(addr, 64);
	buf = (volatile UINT8 *)(UINTN)addr;
	v = buf[4096]; /* the bug */
	return v ? EFI_LOAD_ERROR : EFI_ABORTED;
}
