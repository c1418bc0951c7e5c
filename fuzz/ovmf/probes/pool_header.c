/* SPDX-License-Identifier: MIT */
/*
 * pool_header.c - probe: how many pages 4040 bytes of pool take.  U-Boot
 * 2023.01 puts a 64-byte header before every pool block, each a page
 * allocation of its own, so 4040 bytes take two pages; EDK2 (40-byte
 * header and tail) takes one.  Prints the LoaderData pages gained.
 */
#include "probe.h"

EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

/* Fits a page with EDK2's 40 bytes of overhead, not with U-Boot's 64. */
#define ODD_POOL_BYTES 4040u

EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	UINT64 pages;
	VOID *p;

	probe_read(bs);
	pages = probe_pages_of(EfiLoaderData);
	if (bs->AllocatePool(EfiLoaderData, ODD_POOL_BYTES, &p) != EFI_SUCCESS)
		return EFI_LOAD_ERROR;
	probe_read(bs);
	probe_say(st, "AllocatePool(4040): LoaderData pages",
		  (long long)(probe_pages_of(EfiLoaderData) - pages), 1);
	bs->FreePool(p);
	return probe_exit(image, st);
}
