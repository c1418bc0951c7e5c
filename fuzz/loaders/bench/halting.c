/* SPDX-License-Identifier: MIT */
/*
 * halting.c - the loader behind make bench's exec_per_cpu_s_halting: the
 * good Linux model, halting in a loop of its own wherever it gives up, as
 * Haiku's panic() does on every error of its exit sequence
 * (docs/real-loaders.md).  Not a bad model: wherever a boot is owed it
 * boots, and it gives up in most runs the fuzzer makes, so its figure is
 * what halts cost a campaign (fuzz/halts.c): each one spins until the halt
 * timer has seen it four times.
 */
#define loader_exit_boot good_linux_exit_boot
#include "../good_linux.c"
#undef loader_exit_boot

EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);
EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_STATUS status = good_linux_exit_boot(image, st);

	if (status != EFI_SUCCESS)
		for (;;)
			;
	return status;
}
