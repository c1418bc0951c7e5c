/* SPDX-License-Identifier: MIT */
/*
 * ebsfuzz.h - the library face of ebsfuzz (build/libebsfuzz.a, make lib):
 * the fake firmware and its referee, for a loader project that writes its
 * own fuzz target around its own exit-boot code, the way systemd and shim
 * build their fuzzers:
 *
 *     #include "ebsfuzz.h"
 *
 *     int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
 *     {
 *             return ebsfuzz_one_input(data, size, my_exit_boot_services);
 *     }
 *
 * where my_exit_boot_services() has the loader contract: it ends boot
 * services through the system table it is given and returns EFI_SUCCESS if
 * and only if it did (core/efi.h has the UEFI types; a loader's own, laid
 * out as the specification says, work as well).  The options come from the
 * environment (EBSFUZZ_*, README), and EBSFUZZ_FINDINGS makes it a target
 * of the findings campaign (scripts/fuzz-campaign).  The firmware's own
 * interface, fw_run() and its options and result, is fw/fw.h.  make lib
 * also builds build/libebsfuzz-mutator.o (the structure-aware mutator) and
 * build/libebsfuzz-stores.o (for a loader compiled with
 * -fsanitize-coverage=trace-stores), linked beside the archive
 * (scripts/oss-fuzz/README.md).
 */
#ifndef EBSFUZZ_FUZZ_EBSFUZZ_H
#define EBSFUZZ_FUZZ_EBSFUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "fw/fw.h"

void ebsfuzz_initialize(void);
int ebsfuzz_one_input(const uint8_t *data, size_t size, fw_loader_fn loader);

#endif /* EBSFUZZ_FUZZ_EBSFUZZ_H */
