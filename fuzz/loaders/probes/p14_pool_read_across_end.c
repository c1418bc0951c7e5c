/* SPDX-License-Identifier: MIT */
/*
 * p14_pool_read_across_end.c - detection probe: an 8-byte read that
 * starts inside a 13-byte pool allocation and runs past its end, as a walk
 * with a stride of 1 reading 4- and 8-byte fields does (Linux's
 * setup_e820() on a corrupt DescriptorSize).  ASan reports the address
 * where the read starts, inside the block (fuzz/fw/arena.c).
 * expect: ebsfuzz: this use-after-poison is a heap-buffer-overflow: 8 bytes inside a 13-byte block from AllocatePool (call 1), at
 */
#include "../../../core/efi.h"

EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	volatile UINT64 *field;
	UINT64 value;
	VOID *p;

	(void)image;
	if (systab->BootServices->AllocatePool(EfiLoaderData, 13, &p) != EFI_SUCCESS)
		return EFI_OUT_OF_RESOURCES;
	field = (volatile UINT64 *)((UINT8 *)p + 8);
	value = *field; /* the bug */
	systab->BootServices->FreePool(p);
	return value == 0 ? EFI_LOAD_ERROR : EFI_ABORTED;
}
