/* SPDX-License-Identifier: MIT */
/*
 * conventional.c - probe: allocating EfiConventionalMemory, which UEFI
 * 2.10 section 7.2.1 does not forbid outright and EDK2 refuses.  U-Boot
 * 2023.01 accepts it (the range stays free, the key moves) and then
 * refuses to free it (EFI_NOT_FOUND).  Prints each status and key change.
 */
#include "probe.h"

EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	EFI_PHYSICAL_ADDRESS address = 0;
	EFI_STATUS status;
	UINTN k0, k1;

	k0 = probe_read(bs);
	status = bs->AllocatePages(AllocateAnyPages, EfiConventionalMemory, 1, &address);
	k1 = probe_read(bs);
	probe_say(st, "AllocatePages(Conventional): error", EFI_ERROR(status) ? 1 : 0, 0);
	probe_say(st, "AllocatePages(Conventional): key", (long long)(k1 - k0), 1);
	if (status != EFI_SUCCESS)
		return probe_exit(image, st);
	status = bs->FreePages(address, 1);
	k0 = probe_read(bs);
	probe_say(st, "FreePages(Conventional): not found", status == EFI_NOT_FOUND, 0);
	probe_say(st, "FreePages(Conventional): key", (long long)(k0 - k1), 1);
	return probe_exit(image, st);
}
