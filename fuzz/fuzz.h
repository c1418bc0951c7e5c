/* SPDX-License-Identifier: MIT */
/*
 * fuzz.h - the libFuzzer entry points every fuzz target defines; the
 * replay driver and libAFLDriver call the same two functions.
 */
#ifndef EBSFUZZ_FUZZ_FUZZ_H
#define EBSFUZZ_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* EBSFUZZ_FUZZ_FUZZ_H */
