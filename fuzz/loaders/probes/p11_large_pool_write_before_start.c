/* SPDX-License-Identifier: MIT */
/*
 * p11_large_pool_write_before_start.c - detection probe: a byte written
 * just before a pool allocation from the fake firmware's arena (ASan
 * builds, fuzz/fw/arena.c), after a first large block: the gap between
 * blocks is poisoned.
 * expect: ebsfuzz: this use-after-poison is a heap-buffer-overflow: 1 bytes before the start of a 300000-byte block from AllocatePool (call 2), at
 */
#include "../../../core/efi.h"

EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	volatile UINT8 *buf;
	VOID *first, *p;

	(void)image;
	if (systab->BootServices->AllocatePool(EfiLoaderData, 200704, &first) != EFI_SUCCESS ||
	    systab->BootServices->AllocatePool(EfiLoaderData, 300000, &p) != EFI_SUCCESS)
		return EFI_OUT_OF_RESOURCES;
	buf = p;
	buf[-1] = 1; /* the bug */
	systab->BootServices->FreePool(p);
	systab->BootServices->FreePool(first);
	return EFI_LOAD_ERROR;
}
