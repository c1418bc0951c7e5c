/* SPDX-License-Identifier: MIT */
/*
 * timer_poll.c - probe: where a due timer fires.  Run with a timer due at
 * every call (timer at-call at=1 period=1 ...): EDK2 ticks between any two
 * calls, U-Boot 2023.01 only where it polls (RestoreTPL, a Stall that
 * waits; not GetMemoryMap, RaiseTPL or Stall(0)).  Prints how the key moved
 * across each call; the map reads themselves are calls too.
 */
#include "probe.h"

EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	UINTN k0, k1;

	k0 = probe_read(bs);
	k1 = probe_read(bs);
	probe_say(st, "GetMemoryMap: key", (long long)(k1 - k0), 1);
	bs->RaiseTPL(TPL_NOTIFY);
	k0 = probe_read(bs);
	probe_say(st, "RaiseTPL: key", (long long)(k0 - k1), 1);
	bs->RestoreTPL(TPL_APPLICATION);
	k1 = probe_read(bs);
	probe_say(st, "RestoreTPL: key", (long long)(k1 - k0), 1);
	bs->Stall(0);
	k0 = probe_read(bs);
	probe_say(st, "Stall(0): key", (long long)(k0 - k1), 1);
	bs->Stall(1000);
	k1 = probe_read(bs);
	probe_say(st, "Stall(1000): key", (long long)(k1 - k0), 1);
	return probe_exit(image, st);
}
