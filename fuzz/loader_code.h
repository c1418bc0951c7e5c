/* SPDX-License-Identifier: MIT */
/*
 * loader_code.h - where the loader's code lies (loader_code.c,
 * scripts/loader-code).
 */
#ifndef EBSFUZZ_FUZZ_LOADER_CODE_H
#define EBSFUZZ_FUZZ_LOADER_CODE_H

#include <stdbool.h>
#include <stdint.h>

bool loader_code_contains(uintptr_t pc);

#endif /* EBSFUZZ_FUZZ_LOADER_CODE_H */
