/* SPDX-License-Identifier: MIT */
/*
 * privileged.h - the loader's cli, sti, in and out, done as ring 0 does
 * them (privileged.c).
 */
#ifndef EBSFUZZ_FUZZ_PRIVILEGED_H
#define EBSFUZZ_FUZZ_PRIVILEGED_H

#include <stdbool.h>
#include <ucontext.h>

#if defined(__x86_64__)
bool privileged_step(ucontext_t *uc);
#endif

#endif /* EBSFUZZ_FUZZ_PRIVILEGED_H */
