/* SPDX-License-Identifier: MIT */
/*
 * p3_pool_use_after_free.c - detection probe: a pool buffer written after
 * FreePool().
 * expect: ebsfuzz: this use-after-poison is a heap-use-after-free: 8 bytes inside a 64-byte block from AllocatePool (call 1), at
 */
#include "../../../core/efi.h"

EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	volatile UINT8 *buf;
	VOID *p;

	(void)image;
	if (systab->BootServices->AllocatePool(EfiLoaderData, 64, &p) != EFI_SUCCESS)
		return EFI_OUT_OF_RESOURCES;
	systab->BootServices->FreePool(p);
	buf = p;
	buf[8] = 1; /* the bug */
	return EFI_LOAD_ERROR;
}
