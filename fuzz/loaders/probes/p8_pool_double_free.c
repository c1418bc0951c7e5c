/* SPDX-License-Identifier: MIT */
/*
 * p8_pool_double_free.c - detection probe: the same pool buffer freed twice.
 * expect: ebsfuzz: invariant forbidden-call violated
 */
#include "../../../core/efi.h"

EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	VOID *p;

	(void)image;
	if (systab->BootServices->AllocatePool(EfiLoaderData, 64, &p) != EFI_SUCCESS)
		return EFI_OUT_OF_RESOURCES;
	systab->BootServices->FreePool(p);
	systab->BootServices->FreePool(p); /* the bug */
	return EFI_LOAD_ERROR;
}
