/* SPDX-License-Identifier: MIT */
/*
 * loader_code.h - where the loader's code lies (loader_code.c,
 * scripts/loader-code).
 */
#ifndef EBSFUZZ_FUZZ_LOADER_CODE_H
#define EBSFUZZ_FUZZ_LOADER_CODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool loader_code_contains(uintptr_t pc);
bool loader_code_report_access(const void *caller, const void *at, size_t size, bool write);
void loader_code_move(const void *caller, void *to, const void *from, size_t size);
void loader_code_fill(const void *caller, void *to, uint8_t value, size_t size);
void loader_code_set_write_judge(void (*judge)(uintptr_t addr, size_t size));
void loader_code_set_wrapping_range_end(void (*end)(const char *message, const void *caller,
						     void *const *frame));
bool loader_code_judges_this_write(void);

#endif /* EBSFUZZ_FUZZ_LOADER_CODE_H */
