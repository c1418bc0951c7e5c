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
 */
typedef void (*shim_hook_fn)(unsigned call, unsigned map_reads);

EFI_SYSTEM_TABLE *shim_install(EFI_SYSTEM_TABLE *real, shim_hook_fn before_call,
			       bool forward_after_exit);
void shim_set_revision(UINT32 revision);
struct seq_record *shim_record(void);
void shim_note_firmware_key(UINT64 key);

#endif /* EBSFUZZ_OVMF_SHIM_H */
