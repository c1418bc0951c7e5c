/* SPDX-License-Identifier: MIT */
/*
 * defaults_target.c - a target for the example loader whose one finding
 * is a print after giving up (class giving-up, on firmware that refuses
 * every key; fuzz/loaders/examples/gives-up).  make test-lib builds it
 * with fuzz/target.c compiled with EBSFUZZ_DEFAULTS, as fuzz/ossfuzz.mk
 * builds a loader project's target, and checks that the built-in
 * EBSFUZZ_FAIL_ON spares that finding while the environment's still wins.
 */
#include "ebsfuzz.h"

#define loader_exit_boot gives_up_exit_boot
#include "../loaders/examples/gives-up/loader.c"
#undef loader_exit_boot

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return ebsfuzz_one_input(data, size, gives_up_exit_boot);
}
