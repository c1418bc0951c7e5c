/* SPDX-License-Identifier: MIT */
/*
 * halts.h - a loader's halt seen and its run ended (halts.c): for the fuzz
 * target and the report card's runs alike.
 */
#ifndef EBSFUZZ_FUZZ_HALTS_H
#define EBSFUZZ_FUZZ_HALTS_H

#include <stdint.h>
#include <ucontext.h>

void halts_watch(void);
#if defined(__x86_64__)
void halts_sample(ucontext_t *uc);
void halts_at_hlt(ucontext_t *uc);
#endif
void halts_run_starts(void);
void thread_stack(uintptr_t *lo, uintptr_t *hi);

#endif /* EBSFUZZ_FUZZ_HALTS_H */
