/* SPDX-License-Identifier: MIT */
/*
 * p1_pool_write_past_end.c - detection probe: one byte written just past
 * the end of a pool allocation.
 * expect: ERROR: AddressSanitizer: heap-buffer-overflow
 */
#include "../../../core/efi.h"

EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	volatile UINT8 *buf;
	VOID *p;

	(void)image;
	if (systab->BootServices->AllocatePool(EfiLoaderData, 100, &p) != EFI_SUCCESS)
		return EFI_OUT_OF_RESOURCES;
	buf = p;
	buf[100] = 1; /* the bug */
	systab->BootServices->FreePool(p);
	return EFI_LOAD_ERROR;
}
