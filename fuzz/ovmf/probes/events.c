/* SPDX-License-Identifier: MIT */
/*
 * events.c - probe: does creating or closing an event change the map key?
 * Prints the key's change across CreateEvent, CloseEvent, CreateEventEx
 * and CloseEvent.  U-Boot 2023.01 allocates each event from its pool, and
 * every U-Boot pool allocation is a page allocation, so each call moves
 * the key (uboot.md); EDK2 takes events from a pool page it already has.
 */
#include "probe.h"

EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

static VOID EFIAPI nothing(EFI_EVENT event, VOID *context)
{
	(void)event;
	(void)context;
}

EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	static const EFI_GUID group = { 0x5b1e7c1a, 0x2b9d, 0x4e63,
					{ 0x9a, 0x41, 0x0c, 0x6d, 0x1e, 0x52, 0x77, 0x30 } };
	EFI_BOOT_SERVICES *bs = st->BootServices;
	UINTN k0, k1;
	UINT64 pages;
	EFI_EVENT a, b;

	k0 = probe_read(bs);
	pages = probe_pages_of(EfiBootServicesData);
	if (bs->CreateEvent(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, nothing, NULL, &a) != EFI_SUCCESS)
		return EFI_LOAD_ERROR;
	k1 = probe_read(bs);
	probe_say(st, "CreateEvent: key", (long long)(k1 - k0), 1);
	probe_say(st, "CreateEvent: BootServicesData pages",
		  (long long)(probe_pages_of(EfiBootServicesData) - pages), 1);
	bs->CloseEvent(a);
	k0 = probe_read(bs);
	probe_say(st, "CloseEvent: key", (long long)(k0 - k1), 1);
	if (bs->CreateEventEx(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, nothing, NULL, &group, &b) !=
	    EFI_SUCCESS)
		return EFI_LOAD_ERROR;
	k1 = probe_read(bs);
	probe_say(st, "CreateEventEx: key", (long long)(k1 - k0), 1);
	bs->CloseEvent(b);
	k0 = probe_read(bs);
	probe_say(st, "CloseEvent: key", (long long)(k0 - k1), 1);
	return probe_exit(image, st);
}
