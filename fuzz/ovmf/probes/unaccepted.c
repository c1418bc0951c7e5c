/* SPDX-License-Identifier: MIT */
/*
 * unaccepted.c - probe: AllocatePool of EfiUnacceptedMemoryType (15, UEFI
 * 2.9), which a caller may not allocate.  Prints the status and the key's
 * change.
 */
#include "probe.h"

EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	EFI_STATUS status;
	UINTN k0, k1;
	VOID *p = NULL;

	k0 = probe_read(bs);
	status = bs->AllocatePool((EFI_MEMORY_TYPE)15, 256, &p);
	k1 = probe_read(bs);
	probe_say(st, "AllocatePool(Unaccepted): error", EFI_ERROR(status) ? 1 : 0, 0);
	probe_say(st, "AllocatePool(Unaccepted): key", (long long)(k1 - k0), 1);
	if (status == EFI_SUCCESS)
		bs->FreePool(p);
	return probe_exit(image, st);
}
