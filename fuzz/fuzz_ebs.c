/* SPDX-License-Identifier: MIT */
/*
 * fuzz_ebs.c - the fuzz target: every input runs the loader linked into
 * this binary (loader_exit_boot) against the fake firmware (target.c).
 *
 * The same object serves libFuzzer, AFL++ (through libAFLDriver) and the
 * replay driver; which loader is under test is decided at link time.
 */
#include "ebsfuzz.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	ebsfuzz_initialize();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return ebsfuzz_one_input(data, size, loader_exit_boot);
}
