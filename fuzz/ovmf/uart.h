/* SPDX-License-Identifier: MIT */
/*
 * uart.h - raw output on COM1 and the way out of QEMU.
 */
#ifndef EBSFUZZ_OVMF_UART_H
#define EBSFUZZ_OVMF_UART_H

#include <stdint.h>

/* isa-debug-exit values; QEMU exits with (value << 1) | 1 (ovmf.md §2). */
#define UART_EXIT_EXITED 0x10u    /* boot services were exited: QEMU status 33 */
#define UART_EXIT_NOT_EXITED 0x11u /* the loader gave up: status 35 */
#define UART_EXIT_BROKEN 0x12u    /* the driver could not run the scenario: 37 */

void uart_puts(const char *s, void *unused);
_Noreturn void uart_quit(uint8_t value);

#endif /* EBSFUZZ_OVMF_UART_H */
