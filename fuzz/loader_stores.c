/* SPDX-License-Identifier: MIT */
/*
 * loader_stores.c - the loader's stores, where its code is compiled with
 * -fsanitize-coverage=trace-stores (the libFuzzer builds: Makefile,
 * fuzz/loader-build.mk): each names the bytes it is about to write to the
 * arena (fuzz/fw/arena_written.c), which then zeroes only the lines
 * something wrote.  Linked only into those builds: a loader compiled
 * without the flag (a target of a loader project's own on
 * build/libebsfuzz.a) leaves ebsfuzz_loader_stores_traced undefined, and
 * the arena trusts no line.  The callbacks are SanitizerCoverage's
 * (https://clang.llvm.org/docs/SanitizerCoverage.html, "Tracing data
 * flow"); libFuzzer defines none of them.
 */
#include <stdbool.h>

#include "fw/arena_written.h"

const bool ebsfuzz_loader_stores_traced = true;

void __sanitizer_cov_store1(void *p);
void __sanitizer_cov_store2(void *p);
void __sanitizer_cov_store4(void *p);
void __sanitizer_cov_store8(void *p);
void __sanitizer_cov_store16(void *p);

void __sanitizer_cov_store1(void *p)
{
	fw_arena_wrote_scalar((uintptr_t)p, 1);
}

void __sanitizer_cov_store2(void *p)
{
	fw_arena_wrote_scalar((uintptr_t)p, 2);
}

void __sanitizer_cov_store4(void *p)
{
	fw_arena_wrote_scalar((uintptr_t)p, 4);
}

void __sanitizer_cov_store8(void *p)
{
	fw_arena_wrote_scalar((uintptr_t)p, 8);
}

void __sanitizer_cov_store16(void *p)
{
	fw_arena_wrote_scalar((uintptr_t)p, 16);
}
