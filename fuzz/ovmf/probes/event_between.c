/* SPDX-License-Identifier: MIT */
/*
 * event_between.c - a loader that creates its exit-boot-services event
 * between reading the map and exiting: correct on EDK2, where the event
 * leaves the key alone, and a failed first exit on U-Boot 2023.01, where
 * the event is a page allocation (probes/events.c).  It re-reads and
 * tries once more, as UEFI 2.10 section 7.4.6 allows.
 */
#include "probe.h"

EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

static VOID EFIAPI on_exit(EFI_EVENT event, VOID *context)
{
	(void)event;
	(void)context;
}

EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	EFI_EVENT event;
	EFI_STATUS status;
	UINTN key = probe_read(bs);

	if (probe_map_size == 0)
		return EFI_LOAD_ERROR;
	if (bs->CreateEvent(EVT_SIGNAL_EXIT_BOOT_SERVICES, TPL_CALLBACK, on_exit, NULL, &event) !=
	    EFI_SUCCESS)
		return EFI_LOAD_ERROR;
	status = bs->ExitBootServices(image, key);
	if (status != EFI_INVALID_PARAMETER)
		return status;
	key = probe_read(bs); /* after a failed exit: GetMemoryMap and ExitBootServices only */
	if (probe_map_size == 0)
		return EFI_LOAD_ERROR;
	return bs->ExitBootServices(image, key);
}
