/* SPDX-License-Identifier: MIT */
/*
 * port.h - x86 port I/O for the UEFI test driver: the 16550 UART, QEMU's
 * fw_cfg and isa-debug-exit.  Port I/O needs no boot services, so it
 * works before, during and after ExitBootServices().  UEFI image only.
 */
#ifndef EBSFUZZ_OVMF_PORT_H
#define EBSFUZZ_OVMF_PORT_H

#include <stdint.h>

static inline void port_out8(uint16_t port, uint8_t value)
{
	__asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static inline void port_out16(uint16_t port, uint16_t value)
{
	__asm__ volatile("outw %0, %1" : : "a"(value), "Nd"(port));
}

static inline uint8_t port_in8(uint16_t port)
{
	uint8_t value;

	__asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
	return value;
}

#endif /* EBSFUZZ_OVMF_PORT_H */
