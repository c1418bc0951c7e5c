/* SPDX-License-Identifier: MIT */
/*
 * asan_pool.h - room in ASan's pool of reported places, and a pool per
 * class of run (asan_pool.c).
 */
#ifndef EBSFUZZ_FUZZ_ASAN_POOL_H
#define EBSFUZZ_FUZZ_ASAN_POOL_H

#include <stdbool.h>

void asan_pool_note_report(void);
void asan_pool_switch_class(bool outside_rules);

#endif /* EBSFUZZ_FUZZ_ASAN_POOL_H */
