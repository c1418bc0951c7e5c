/* SPDX-License-Identifier: MIT */
/*
 * pool_zero.c - probe: AllocatePool of 0 bytes.  U-Boot 2023.01 answers
 * EFI_SUCCESS with a NULL pointer and no map change (efi_allocate_pool);
 * EDK2 hands out a real block (its first LoaderData pool takes a page).
 * Prints the status, whether the pointer is NULL and the key's change.
 */
#include "probe.h"

EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	VOID *p = (VOID *)bs; /* anything but NULL, to see whether it is written */
	UINTN k0, k1;
	EFI_STATUS status;

	k0 = probe_read(bs);
	status = bs->AllocatePool(EfiLoaderData, 0, &p);
	k1 = probe_read(bs);
	probe_say(st, "AllocatePool(0): error", EFI_ERROR(status) ? 1 : 0, 0);
	probe_say(st, "AllocatePool(0): NULL", p == NULL, 0);
	probe_say(st, "AllocatePool(0): key", (long long)(k1 - k0), 1);
	if (status == EFI_SUCCESS && p != NULL)
		bs->FreePool(p);
	return probe_exit(image, st);
}
