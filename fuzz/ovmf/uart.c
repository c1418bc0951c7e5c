/* SPDX-License-Identifier: MIT */
/*
 * uart.c - write to COM1 by polling the 16550 directly and leave QEMU
 * through isa-debug-exit.
 *
 * After the first ExitBootServices() call the driver may not use ConOut
 * (UEFI 2.10 section 7.4.6), so every report goes to the UART registers.
 * OVMF has already programmed COM1 (it mirrors ConOut there), so no setup
 * is needed; QEMU handles each OUT synchronously, so nothing written
 * before the exit port is lost (ovmf.md §2, "Output").
 */
#include "port.h"
#include "uart.h"

#define COM1 0x3f8u
#define COM1_LSR (COM1 + 5u)
#define LSR_THR_EMPTY 0x20u
#define DEBUG_EXIT_PORT 0xf4u

static void uart_putc(char c)
{
	unsigned spins;

	/* Bounded: a missing UART must not hang the driver. */
	for (spins = 0; spins < 100000u && !(port_in8(COM1_LSR) & LSR_THR_EMPTY); spins++)
		;
	port_out8(COM1, (uint8_t)c);
}

/**
 * uart_puts() - write a string to COM1, LF as CRLF.
 * @s: NUL-terminated.
 * @unused: for the seq_print() output callback.
 */
void uart_puts(const char *s, void *unused)
{
	(void)unused;
	for (; *s != 0; s++) {
		if (*s == '\n')
			uart_putc('\r');
		uart_putc(*s);
	}
}

/**
 * uart_quit() - end the QEMU run with a status saying how the exit went.
 * @value: one of UART_EXIT_*.
 *
 * Never returns: if no isa-debug-exit device is present, halts for ever
 * and the caller's timeout ends the run.
 */
_Noreturn void uart_quit(uint8_t value)
{
	port_out8(DEBUG_EXIT_PORT, value);
	for (;;)
		__asm__ volatile("cli; hlt");
}
