/* SPDX-License-Identifier: MIT */
/*
 * statics.h - the loader's statics, as at load time, before every run
 * (statics.c, scripts/loader-statics).
 */
#ifndef EBSFUZZ_FUZZ_STATICS_H
#define EBSFUZZ_FUZZ_STATICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void loader_statics_restore(void);
bool loader_statics_take_stray_write(uintptr_t addr, size_t size);
bool loader_statics_past_end(uintptr_t addr);

#endif /* EBSFUZZ_FUZZ_STATICS_H */
