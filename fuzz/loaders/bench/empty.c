/* SPDX-License-Identifier: MIT */
/*
 * empty.c - a fuzz target that does nothing, built with the flags of the
 * real one: make bench divides the hardened target's executions per second
 * by this one's to show what the firmware and the loader cost over
 * libFuzzer's own bookkeeping.
 */
#include "../../fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)data;
	(void)size;
	return 0;
}
