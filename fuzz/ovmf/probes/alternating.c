/* SPDX-License-Identifier: MIT */
/*
 * alternating.c - probe: where single-page allocations land.  Allocates 8
 * pages one by one, LoaderData and LoaderCode in turn, and prints how the
 * descriptor count changed.  Placed next to each other, each page adds a
 * descriptor (+8); EDK2 serves each memory type from its own bin
 * (PcdMemoryTypeInformation, Page.c CoreFindFreePages), so pages of a type
 * land together and merge (+6 on 2022.11).
 */
#include "probe.h"

EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

#define PAGES 8u

EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	EFI_PHYSICAL_ADDRESS pages[PAGES];
	UINTN before, i;

	probe_read(bs);
	before = probe_desc_size ? probe_map_size / probe_desc_size : 0;
	for (i = 0; i < PAGES; i++)
		if (bs->AllocatePages(AllocateAnyPages, i % 2 ? EfiLoaderCode : EfiLoaderData, 1,
				      &pages[i]) != EFI_SUCCESS)
			return EFI_LOAD_ERROR;
	probe_read(bs);
	probe_say(st, "8 alternating pages: descriptors",
		  (long long)(probe_desc_size ? probe_map_size / probe_desc_size : 0) -
			  (long long)before, 1);
	for (i = PAGES; i-- > 0;)
		bs->FreePages(pages[i], 1);
	return probe_exit(image, st);
}
