/* SPDX-License-Identifier: MIT */
/*
 * p7_map_into_freed_buffer.c - detection probe: GetMemoryMap() given a
 * buffer the loader already freed (GRUB's L4 without the retry around it).
 * expect: ebsfuzz: invariant buffer-bounds violated
 */
#include "../../../core/efi.h"

EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	EFI_BOOT_SERVICES *bs = systab->BootServices;
	UINTN size = 0, key, desc_size = 0;
	UINT32 version;
	VOID *p;

	(void)image;
	bs->GetMemoryMap(&size, NULL, &key, &desc_size, &version);
	size += 8 * desc_size;
	if (bs->AllocatePool(EfiLoaderData, size, &p) != EFI_SUCCESS)
		return EFI_OUT_OF_RESOURCES;
	bs->FreePool(p);
	bs->GetMemoryMap(&size, p, &key, &desc_size, &version); /* the bug */
	return EFI_LOAD_ERROR;
}
