/* SPDX-License-Identifier: MIT */
/*
 * findings.h - the findings campaign's in-process recorder (findings.c).
 */
#ifndef EBSFUZZ_FUZZ_FINDINGS_H
#define EBSFUZZ_FUZZ_FINDINGS_H

#include <stddef.h>
#include <stdint.h>

#include "fw/fw.h"

void findings_init(struct fw_options *opt);
void findings_begin_run(const uint8_t *data, size_t size);
void findings_end_run(const struct fw_result *result);

#endif /* EBSFUZZ_FUZZ_FINDINGS_H */
