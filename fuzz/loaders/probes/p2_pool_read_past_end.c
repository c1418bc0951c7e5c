/* SPDX-License-Identifier: MIT */
/*
 * p2_pool_read_past_end.c - detection probe: a map buffer read one
 * descriptor too far, as a walk that trusts a stale count would.
 * expect: ebsfuzz: this use-after-poison is a heap-buffer-overflow: 0 bytes after the end of a 1392-byte block from AllocatePool (call 2), at
 */
#include "../../../core/efi.h"

EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	EFI_BOOT_SERVICES *bs = systab->BootServices;
	UINTN size = 0, key, desc_size = 0;
	UINT32 version;
	EFI_STATUS status;
	volatile UINT8 *map;
	VOID *p;
	UINT8 sum;

	(void)image;
	bs->GetMemoryMap(&size, NULL, &key, &desc_size, &version);
	size += 4 * desc_size;
	status = bs->AllocatePool(EfiLoaderData, size, &p);
	if (status != EFI_SUCCESS)
		return status;
	map = p;
	sum = map[size]; /* the bug: one past the end */
	bs->FreePool(p);
	return sum ? EFI_LOAD_ERROR : EFI_ABORTED;
}
