/* SPDX-License-Identifier: MIT */
/*
 * actions.h - a scenario's handler and timer directives made real: events
 * on the firmware under test whose notify functions allocate and free.
 */
#ifndef EBSFUZZ_OVMF_ACTIONS_H
#define EBSFUZZ_OVMF_ACTIONS_H

#include "../../core/efi.h"
#include "../script.h"
#include "seq.h"

EFI_STATUS actions_setup(EFI_BOOT_SERVICES *bs, const struct scenario *scn, bool uboot);
void actions_before_call(unsigned call, unsigned map_reads, unsigned size_answers);
void actions_report(seq_put_fn put, void *ctx);

#endif /* EBSFUZZ_OVMF_ACTIONS_H */
