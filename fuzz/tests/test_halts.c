/* SPDX-License-Identifier: MIT */
/*
 * test_halts.c - how the referee judges a loader that halts in a loop of
 * its own code, the way real loaders stop on a fatal error.  In a fuzzing
 * or replay process fuzz/signals.c sees the loop and ends the run with
 * fw_end_run_halted(); the loaders here call it themselves where their
 * loop would be.  Liveness judges a halt where a boot was owed; the hang
 * invariant any other, with the class the run has: giving-up where no
 * boot was owed, noncompliant on firmware outside the rules, compliant
 * after a successful exit (the contract asks the loader to return).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <time.h>

#include "../halts.h"
#include "../privileged.h"
#include "fixtures.h"

/* A map grown by 16 descriptors during the first exit: no boot owed. */
#define OUTGROWN                                                                               \
	"firmware ami\n"                                                                       \
	"handler exit once alloc-pages BootServicesData amount=1 delta=+1 repeat=16\n"

static _Noreturn void halt(void)
{
	fw_end_run_halted(__builtin_return_address(0), NULL, NULL);
}

/* Halts when the size query is not answered as it should be, or after
 * its first exit attempt fails; returns after a successful one. */
static EFI_STATUS halts_on_failure(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;

	if (read_map(st, &m) != EFI_SUCCESS)
		halt();
	if (m.bs->ExitBootServices(image, m.key) != EFI_SUCCESS)
		halt();
	return EFI_SUCCESS;
}

/* memtest86+: a failed exit, an error message, then the halt.  Liveness is
 * placed at the exit, the loader's last call of the exit dance, not at the
 * message. */
static EFI_STATUS prints_then_halts_on_failure(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	static CHAR16 message[] = u"ExitBootServices failed\r\n";
	struct held_map m;

	if (read_map(st, &m) != EFI_SUCCESS)
		return EFI_LOAD_ERROR;
	if (m.bs->ExitBootServices(image, m.key) == EFI_SUCCESS)
		return EFI_SUCCESS;
	st->ConOut->OutputString(st->ConOut, message);
	halt();
}

/* Exits, then halts instead of returning. */
static EFI_STATUS halts_after_exit(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;

	if (read_map(st, &m) == EFI_SUCCESS && m.bs->ExitBootServices(image, m.key) == EFI_SUCCESS)
		halt();
	return EFI_LOAD_ERROR;
}

/* On a failed exit (else before any), polls ConIn for a key for ever,
 * stalling between polls, as illumos's prompt does. */
static EFI_STATUS polls_for_key_on_failure(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;
	EFI_INPUT_KEY key;

	if (read_map(st, &m) == EFI_SUCCESS && m.bs->ExitBootServices(image, m.key) == EFI_SUCCESS)
		return EFI_SUCCESS;
	while (st->ConIn->ReadKeyStroke(st->ConIn, &key) != EFI_SUCCESS)
		st->BootServices->Stall(30000);
	return EFI_LOAD_ERROR;
}

/* On a failed exit waits on WaitForKey, as NetBSD's reboot() does. */
static EFI_STATUS waits_for_key_on_failure(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;
	UINTN index;

	if (read_map(st, &m) == EFI_SUCCESS && m.bs->ExitBootServices(image, m.key) == EFI_SUCCESS)
		return EFI_SUCCESS;
	m.bs->WaitForEvent(1, &st->ConIn->WaitForKey, &index);
	return EFI_LOAD_ERROR;
}

/* A short countdown, ten polls for a key, then the exit. */
static EFI_STATUS counts_down_then_boots(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;
	EFI_INPUT_KEY key;
	int i;

	for (i = 0; i < 10; i++)
		if (st->ConIn->ReadKeyStroke(st->ConIn, &key) == EFI_SUCCESS)
			return EFI_ABORTED;
	if (read_map(st, &m) != EFI_SUCCESS)
		return EFI_LOAD_ERROR;
	return m.bs->ExitBootServices(image, m.key);
}

#if defined(__x86_64__)
/* Code that stands for the loader's own: what halts_sample() samples in
 * (scripts/loader-code puts a loader's code in this section). */
#define LOADER_CODE __attribute__((section("ebsfuzz_loader_text"), noinline))

/* The loader's thread as the halt timer finds it, at a place of its code
 * and with registers that never change. */
static ucontext_t interrupted;

static LOADER_CODE void sampled_place(void)
{
	__asm__ volatile("");
}

static void interrupt_at_sampled_place(void)
{
	memset(&interrupted, 0, sizeof(interrupted));
	interrupted.uc_mcontext.gregs[REG_RIP] = (greg_t)(uintptr_t)sampled_place;
	interrupted.uc_mcontext.gregs[REG_RSP] = (greg_t)(uintptr_t)&interrupted;
}

/* Spends @us of the thread's CPU time, as a loader that runs does. */
static void spend_cpu(long us)
{
	struct timespec from, now;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &from);
	do
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
	while ((now.tv_sec - from.tv_sec) * 1000000 + (now.tv_nsec - from.tv_nsec) / 1000 < us);
}

/* Sampled again and again, CPU time passing, but never back in its code
 * in between (the thread waited for a core, or the beats came while the
 * last sample ran): then boots. */
static LOADER_CODE EFI_STATUS sampled_without_running(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;
	int i;

	halts_run_starts();
	interrupt_at_sampled_place();
	for (i = 0; i < 8; i++) {
		spend_cpu(1000);
		halts_sample(&interrupted);
	}
	if (read_map(st, &m) != EFI_SUCCESS)
		return EFI_LOAD_ERROR;
	return m.bs->ExitBootServices(image, m.key);
}

/* Sampled again and again where it was, back there after each sample as
 * if it had come through halt_resume, after @us of CPU time each: with
 * time enough to have run, a halt; without, then boots. */
static EFI_STATUS sampled_after(EFI_HANDLE image, EFI_SYSTEM_TABLE *st, long us)
{
	struct held_map m;
	int i;

	halts_run_starts();
	for (i = 0; i < 8; i++) {
		interrupt_at_sampled_place();
		spend_cpu(us);
		halts_sample(&interrupted);
	}
	if (read_map(st, &m) != EFI_SUCCESS)
		return EFI_LOAD_ERROR;
	return m.bs->ExitBootServices(image, m.key);
}

static LOADER_CODE EFI_STATUS sampled_after_running(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	return sampled_after(image, st, 1000);
}

static LOADER_CODE EFI_STATUS sampled_after_no_time(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	return sampled_after(image, st, 0);
}

/* MikanOS's Halt(), `while (1) hlt;`: privileged in a process, it faults,
 * and the fault is the halt it is on the machine (halts_at_hlt()). */
static LOADER_CODE EFI_STATUS halts_with_hlt(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;

	if (read_map(st, &m) != EFI_SUCCESS || m.bs->ExitBootServices(image, m.key) != EFI_SUCCESS)
		for (;;)
			__asm__ volatile("hlt");
	return EFI_SUCCESS;
}

/* ReactOS's FreeLoader halts with `cli; hlt` (its bugcheck): the `cli`
 * is stepped over, as ring 0 runs it (privileged.c), and the hlt halts. */
static LOADER_CODE EFI_STATUS halts_with_cli_hlt(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;

	if (read_map(st, &m) != EFI_SUCCESS || m.bs->ExitBootServices(image, m.key) != EFI_SUCCESS) {
		__asm__ volatile("cli");
		for (;;)
			__asm__ volatile("hlt");
	}
	return EFI_SUCCESS;
}

/* U-Boot's EFI stub writes its UART after the exit; a loader that waits
 * for the transmitter reads the status port: all ones, an absent device. */
static LOADER_CODE EFI_STATUS port_io_and_interrupts(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	uint8_t status8 = 0;
	uint16_t status16 = 0;
	uint32_t status32 = 0;

	__asm__ volatile("cli");
	__asm__ volatile("outb %%al, %%dx" : : "a"((uint8_t)'x'), "d"((uint16_t)0x3f8));
	__asm__ volatile("outb %%al, $0x80" : : "a"((uint8_t)0));
	__asm__ volatile("inb %%dx, %%al" : "=a"(status8) : "d"((uint16_t)0x3fd));
	__asm__ volatile("inw %%dx, %%ax" : "=a"(status16) : "d"((uint16_t)0x3fd), "0"(0));
	__asm__ volatile("inl $0x71, %%eax" : "=a"(status32));
	__asm__ volatile("sti");
	CHECK(status8 == 0xff && status16 == 0xffff && status32 == 0xffffffffu);
	return loader_exit_boot(image, st);
}

/* SIGSEGV as a campaign's processes take it (halts_watch()); anything but
 * the loader's privileged instructions ends the child. */
static void on_segv(int sig, siginfo_t *info, void *context)
{
	(void)info;
	if (privileged_step(context))
		return;
	halts_at_hlt(context);
	signal(sig, SIG_DFL);
}
#endif

int main(void)
{
	static const char *const owed[] = {
		"ebsfuzz: invariant liveness violated",
		"the loader halted in a loop after 1 exit attempt(s)", NULL
	};
	static const char *const not_owed[] = {
		"ebsfuzz: invariant hang violated: the loader halts in a loop of its own code that "
		"changes nothing, after 1 exit attempt(s) [giving-up]", NULL
	};
	static const char *const outside[] = {
		"ebsfuzz: invariant hang violated: the loader halts in a loop of its own code that "
		"changes nothing, after 0 exit attempt(s) [noncompliant]", NULL
	};
	static const char *const exited[] = {
		"ebsfuzz: invariant hang violated: the loader halts in a loop of its own code that "
		"changes nothing, after 1 exit attempt(s), boot services exited [compliant]", NULL
	};

#if defined(__x86_64__)
	static const char *const never_ran[] = {
		"ebsfuzz: invariant liveness violated",
		"the loader halted in a loop after 0 exit attempt(s)", NULL
	};
#endif

	static const char *const key_not_owed[] = {
		"ebsfuzz: invariant hang violated: the loader waits for a key nobody presses, after 1 "
		"exit attempt(s) [giving-up]", NULL
	};
	static const char *const key_owed[] = {
		"ebsfuzz: invariant liveness violated",
		"the loader waited for a key nobody pressed after 1 exit attempt(s)", NULL
	};

	static const char *const owed_at_exit[] = {
		"the loader halted in a loop after 1 exit attempt(s); its last exit-boot call: "
		"ExitBootServices (call 4)", NULL
	};

	expect_reports("a halt where a boot was owed is liveness's", AMI_OPTION_ROM,
		       halts_on_failure, owed);
	expect_reports("liveness is placed at the failed exit, not the message after it",
		       AMI_OPTION_ROM, prints_then_halts_on_failure, owed_at_exit);
	expect_absent("a halt where a boot was owed is no hang as well", AMI_OPTION_ROM,
		      halts_on_failure, "invariant hang");
	expect_reports("a halt where no boot was owed is a giving-up hang", OUTGROWN,
		       halts_on_failure, not_owed);
	expect_absent("a halt where no boot was owed is no liveness violation", OUTGROWN,
		      halts_on_failure, "invariant liveness");
	expect_reports("a halt on firmware outside the rules is a noncompliant hang",
		       EDK2_QUIET "inject GetMemoryMap nth=1 status=EFI_DEVICE_ERROR\n",
		       halts_on_failure, outside);
	expect_reports("a halt after a successful exit is a compliant hang", EDK2_QUIET,
		       halts_after_exit, exited);
	expect_clean("the same loader, never halting, boots", EDK2_QUIET, halts_on_failure, true);
	expect_reports("polling for a key nobody presses, where no boot was owed: a giving-up hang",
		       OUTGROWN, polls_for_key_on_failure, key_not_owed);
	{
		static const char *const injected_poll[] = {
			"invariant hang violated: the loader waits for a key nobody presses", NULL
		};

		expect_reports("an injected EFI_NOT_READY from ReadKeyStroke is a poll too",
			       OUTGROWN "inject ConIn nth=0 status=EFI_NOT_READY\n",
			       polls_for_key_on_failure, injected_poll);
	}
	expect_reports("waiting on WaitForKey where a boot was owed: liveness", AMI_OPTION_ROM,
		       waits_for_key_on_failure, key_owed);
	expect_clean("a countdown of ten polls, then the exit", EDK2_QUIET, counts_down_then_boots,
		     true);
#if defined(__x86_64__)
	expect_clean("samples with no run of the loader between them are no halt", EDK2_QUIET,
		     sampled_without_running, true);
	expect_clean("samples with too little CPU time between them to have run are no halt",
		     EDK2_QUIET, sampled_after_no_time, true);
	expect_reports("three samples at one place with the loader run between them are a halt",
		       EDK2_QUIET, sampled_after_running, never_ran);
	{
		struct sigaction segv;

		memset(&segv, 0, sizeof(segv));
		segv.sa_sigaction = on_segv;
		segv.sa_flags = SA_SIGINFO;
		sigemptyset(&segv.sa_mask);
		sigaction(SIGSEGV, &segv, NULL);
		expect_reports("a hlt loop where a boot was owed is a halt, judged by liveness",
			       AMI_OPTION_ROM, halts_with_hlt, owed);
		expect_reports("a hlt loop where no boot was owed is a giving-up hang", OUTGROWN,
			       halts_with_hlt, not_owed);
		expect_reports("cli before a hlt loop where a boot was owed is a halt, judged by "
			       "liveness",
			       AMI_OPTION_ROM, halts_with_cli_hlt, owed);
		expect_clean("cli, sti, out and in of the loader's are done as ring 0 does them",
			     EDK2_QUIET, port_io_and_interrupts, true);
	}
#endif
	return test_summary("test_halts");
}
