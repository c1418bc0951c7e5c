/* SPDX-License-Identifier: MIT */
/*
 * fwcfg.h - read a named file from QEMU's fw_cfg device.
 */
#ifndef EBSFUZZ_OVMF_FWCFG_H
#define EBSFUZZ_OVMF_FWCFG_H

#include <stddef.h>
#include <stdint.h>

long fwcfg_read_file(const char *name, uint8_t *buf, size_t capacity);

#endif /* EBSFUZZ_OVMF_FWCFG_H */
