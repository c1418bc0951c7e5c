/* SPDX-License-Identifier: MIT */
/*
 * privileged.c - the privileged x86 instructions a loader's own code runs
 * on its way out, done as the machine does them rather than as a crash.
 *
 * Why: a UEFI loader runs in ring 0, where `cli`, `sti`, `in` and `out`
 * are ordinary instructions; in a process they fault (SIGSEGV, a general
 * protection fault).  ReactOS's FreeLoader halts with `cli; hlt` (its
 * bugcheck, i386bug.c): the `cli` fault was a SEGV row, noncompliant and
 * compliant alike, where the loader was only halting, and it hid the
 * reason it halted.  U-Boot's EFI stub writes its serial port with `outb`
 * after the exit.
 *
 * `cli` and `sti` change nothing a process can see: stepped over.  `out`
 * writes to a device the fake machine does not have: stepped over.  `in`
 * reads one: all ones, what a read of an absent device on a PC's I/O bus
 * gives (a UART's status then says "ready", so a loader waiting for its
 * transmitter does not spin for ever).  `hlt` is a halt (halts.c).
 */
#define _GNU_SOURCE /* REG_RIP, REG_RAX */
#include "privileged.h"

#include <stdbool.h>

#include "fw/fw.h"
#include "loader_code.h"
#include "sanitizers.h"

#if defined(__x86_64__)
#define OPERAND_SIZE_PREFIX 0x66

/* Write all ones into the low @bytes of RAX, as a mov of that width does
 * (a 32-bit write clears the upper half). */
static void all_ones(ucontext_t *uc, unsigned bytes)
{
	uint64_t rax = (uint64_t)uc->uc_mcontext.gregs[REG_RAX];

	rax = bytes == 1 ? (rax & ~0xffull) | 0xff
	      : bytes == 2 ? (rax & ~0xffffull) | 0xffff
			   : 0xffffffffull;
	uc->uc_mcontext.gregs[REG_RAX] = (greg_t)rax;
}

/**
 * privileged_step() - do the privileged instruction the loader's code
 * faulted at, and step over it.
 * @uc: the fault's context (SIGSEGV).
 *
 * Return: true if it was one of the loader's `cli`, `sti`, `in` or `out`
 * and @uc now resumes after it; false for anything else.
 */
__attribute__((no_sanitize("address"))) NO_COVERAGE bool privileged_step(ucontext_t *uc)
{
	uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
	const volatile uint8_t *insn = (const volatile uint8_t *)pc;
	unsigned prefix, length, width;
	uint8_t op;

	if (!fw_loader_running() || !loader_code_contains(pc))
		return false;
	prefix = insn[0] == OPERAND_SIZE_PREFIX;
	op = insn[prefix];
	switch (op) {
	case 0xfa: /* cli */
	case 0xfb: /* sti */
		if (prefix)
			return false;
		length = 1;
		break;
	case 0xe4: /* in al, imm8 */
	case 0xe5: /* in eax/ax, imm8 */
	case 0xe6: /* out imm8, al */
	case 0xe7: /* out imm8, eax/ax */
		length = prefix + 2;
		break;
	case 0xec: /* in al, dx */
	case 0xed: /* in eax/ax, dx */
	case 0xee: /* out dx, al */
	case 0xef: /* out dx, eax/ax */
		length = prefix + 1;
		break;
	default:
		return false;
	}
	if (op == 0xe4 || op == 0xe5 || op == 0xec || op == 0xed) {
		width = (op & 1) == 0 ? 1 : prefix ? 2 : 4;
		all_ones(uc, width);
	}
	uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(pc + length);
	return true;
}
#endif
