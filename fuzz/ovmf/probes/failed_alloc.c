/* SPDX-License-Identifier: MIT */
/*
 * failed_alloc.c - probe: AllocatePages and AllocatePool of more than any
 * free range holds.  Prints each status and the key's change: a failed
 * allocation leaves the map alone, and on U-Boot 2023.01 moves the key.
 */
#include "probe.h"

EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	EFI_PHYSICAL_ADDRESS address = 0;
	EFI_STATUS status;
	VOID *pool;
	UINTN k0, k1;

	k0 = probe_read(bs);
	status = bs->AllocatePages(AllocateAnyPages, EfiLoaderCode, 65535, &address);
	k1 = probe_read(bs);
	probe_say(st, "AllocatePages(65535): error", EFI_ERROR(status) ? 1 : 0, 0);
	probe_say(st, "AllocatePages(65535): key", (long long)(k1 - k0), 1);
	if (status == EFI_SUCCESS)
		bs->FreePages(address, 65535);
	k0 = probe_read(bs);
	status = bs->AllocatePool(EfiLoaderCode, 65535u * 4096u, &pool);
	k1 = probe_read(bs);
	probe_say(st, "AllocatePool(256 MiB): error", EFI_ERROR(status) ? 1 : 0, 0);
	probe_say(st, "AllocatePool(256 MiB): key", (long long)(k1 - k0), 1);
	if (status == EFI_SUCCESS)
		bs->FreePool(pool);
	k0 = probe_read(bs);
	status = bs->AllocatePages(AllocateAnyPages, EfiLoaderCode, 60000, &address);
	k1 = probe_read(bs);
	probe_say(st, "AllocatePages(60000): error", EFI_ERROR(status) ? 1 : 0, 0);
	probe_say(st, "AllocatePages(60000): key", (long long)(k1 - k0), 1);
	if (status == EFI_SUCCESS)
		bs->FreePages(address, 60000);
	return probe_exit(image, st);
}
