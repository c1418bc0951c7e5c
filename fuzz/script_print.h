/* SPDX-License-Identifier: MIT */
/*
 * script_print.h - an input's directives printed as scenario text
 * (script_text.c), for the host tools: the scenario tool and the traces.
 * Apart from script.h, which the UEFI build of the real-firmware shim
 * includes too and which therefore names no stdio type.
 */
#ifndef EBSFUZZ_SCRIPT_PRINT_H
#define EBSFUZZ_SCRIPT_PRINT_H

#include <stdbool.h>
#include <stdio.h>

#include "script.h"

size_t scn_print_directives(FILE *out, const uint8_t *data, size_t size, bool effective);

#endif
