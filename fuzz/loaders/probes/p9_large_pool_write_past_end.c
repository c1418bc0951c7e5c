/* SPDX-License-Identifier: MIT */
/*
 * p9_large_pool_write_past_end.c - detection probe: one byte written just
 * past the end of a pool allocation large enough to start on a page of
 * its own in the fake firmware's arena (ASan builds, fuzz/fw/arena.c),
 * which ASan calls use-after-poison and the harness names.
 * expect: ebsfuzz: this use-after-poison is a heap-buffer-overflow: 0 bytes after the end of a 200000-byte block from AllocatePool (call 1), at
 */
#include "../../../core/efi.h"

EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	volatile UINT8 *buf;
	VOID *p;

	(void)image;
	if (systab->BootServices->AllocatePool(EfiLoaderData, 200000, &p) != EFI_SUCCESS)
		return EFI_OUT_OF_RESOURCES;
	buf = p;
	buf[200000] = 1; /* the bug */
	systab->BootServices->FreePool(p);
	return EFI_LOAD_ERROR;
}
