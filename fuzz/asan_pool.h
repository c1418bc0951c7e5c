/* SPDX-License-Identifier: MIT */
/*
 * asan_pool.h - room in ASan's pool of reported places (asan_pool.c).
 */
#ifndef EBSFUZZ_FUZZ_ASAN_POOL_H
#define EBSFUZZ_FUZZ_ASAN_POOL_H

void asan_pool_note_report(void);

#endif /* EBSFUZZ_FUZZ_ASAN_POOL_H */
