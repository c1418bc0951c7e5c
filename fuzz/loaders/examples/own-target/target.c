/* SPDX-License-Identifier: MIT */
/*
 * target.c - a loader project's own fuzz target on the library face
 * (fuzz/ebsfuzz.h, build/libebsfuzz.a): it includes its exit-boot code and
 * hands each input to ebsfuzz_one_input() with its own function, whatever
 * it is called.  Built by make test-lib:
 *
 *   clang -fsanitize=address,undefined,fuzzer -Ifuzz target.c build/libebsfuzz.a
 */
#include "ebsfuzz.h"

/* The project's exit-boot code, here one file of the tree. */
#define loader_exit_boot my_exit_boot_services
#include "../../good_xen.c"
#undef loader_exit_boot

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return ebsfuzz_one_input(data, size, my_exit_boot_services);
}
