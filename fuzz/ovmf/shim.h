/* SPDX-License-Identifier: MIT */
/*
 * shim.h - a system table whose boot services forward to the firmware's
 * and record what the loader called, for the real-firmware differential.
 *
 * The loader under test gets the shim's table instead of the firmware's
 * and is not changed in any way.  The same code observes the loader on
 * real EDK2 (the UEFI test driver) and on the fake firmware
 * (fake_sequence), so both sides are recorded the same way.  No libc.
 */
#ifndef EBSFUZZ_OVMF_SHIM_H
#define EBSFUZZ_OVMF_SHIM_H

#include "seq.h"

/**
 * typedef shim_hook_fn - runs at the entry of each of the loader's calls,
 * before the call is forwarded.
 * @call: the call's number, from 1 (as the fake firmware counts them).
 * @map_reads: successful GetMemoryMap() calls before this one.
 * @size_answers: GetMemoryMap() calls answered EFI_BUFFER_TOO_SMALL before
 *	this one.
 */
typedef void (*shim_hook_fn)(unsigned call, unsigned map_reads, unsigned size_answers);

/**
 * struct shim_config - how the shim behaves on its firmware.
 * @before_call: run at the entry of each boot-service call the loader makes
 *	before it exits, or NULL.
 * @on_reset: run when the loader calls ResetSystem(), before the firmware's;
 *	on real firmware it reports and ends the run instead (never returns),
 *	on the fake firmware it is NULL and the fake ends the run.
 * @forward_after_exit: forward calls made after a successful exit (fake
 *	firmware only; real firmware has no boot services left to call).
 */
struct shim_config {
	shim_hook_fn before_call;
	void (*on_reset)(void);
	bool forward_after_exit;
};

EFI_SYSTEM_TABLE *shim_install(EFI_SYSTEM_TABLE *real, const struct shim_config *config);
void shim_set_revision(UINT32 revision);
struct seq_record *shim_record(void);
void shim_note_firmware_key(UINT64 key);

#endif /* EBSFUZZ_OVMF_SHIM_H */
