/* SPDX-License-Identifier: MIT */
/*
 * signals.c - a deadly signal in the loader's run (a SEGV, a bus error, a
 * division by zero) as a finding and the end of that run, not of the
 * process, in the findings campaign's libFuzzer workers
 * (EBSFUZZ_GO_ON_AFTER_SIGNALS=1, which scripts/fuzz-campaign sets for
 * them alone).
 *
 * Why: libFuzzer's fork mode replaces a worker that crashed with a fresh
 * process, which replays part of the corpus before it fuzzes again.  Real
 * loaders crash often on non-compliant firmware (a map size far beyond
 * the buffer, DescriptorSize 0): the ports of GRUB, Linux, Limine, FreeBSD
 * and Xen ended nearly every one of their workers so, 30 to 430 times in a
 * 45-second campaign, and fuzzed a few hundred inputs a second.  Each run
 * starts from a clean state whatever the last one did: the firmware resets
 * its own (fuzz/fw/run.c), the loader's statics come back (statics.c), and
 * its blocks are the arena's (fuzz/fw/arena.c); so the run that faulted
 * can end where it faulted.
 *
 * The finding is what the campaign's replay of the crash would name: kind
 * asan:SEGV, asan:BUS or asan:FPE, as ASan's report says, at the frames of
 * the main executable from the faulting instruction up ("pcs:OFF,...",
 * which the campaign resolves to the first of the loader's lines), with
 * the class the firmware's conduct so far gives it.  What the run proved
 * before is written down with it, as at an ASan report (findings.c).  A
 * signal outside the loader's run goes to the handler that was there
 * before (ASan's), which reports it and ends the process.
 *
 * A run that halts, a loop in the loader's own code that changes nothing
 * (a panic's `for (;;)`, the Xen port's walk of the map by a DescriptorSize
 * of 0), ends as a halt (halts.c).  A run stuck in the loader's own code
 * otherwise ends the worker, cleanly, after
 * EBSFUZZ_SLOW_RUN_MS of CPU time, which the campaign sets to a quarter of
 * its timeout: libFuzzer would wait the whole timeout and up to a second
 * more, then end it (8 to 11 times in a 45-second campaign of the Xen
 * port).  The worker, not the run: a worker that went on met the hang
 * again and again, as libFuzzer mutates on top of the input it has just
 * run (a 45-second campaign of the Xen port fuzzed 4,479 runs so, 10,453
 * with libFuzzer's timeouts).  It is no finding here: its input is kept
 * for the campaign to replay with the whole timeout, which names it a hang
 * if it is still running then.
 */
#define _GNU_SOURCE
#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <ucontext.h>
#include <unistd.h>

#include "findings_internal.h"
#include "halts.h"
#include "loader_code.h"
#include "privileged.h"
#include "sanitizers.h"
#include "statics.h"

static const int deadly[] = { SIGSEGV, SIGBUS, SIGFPE };
#define N_DEADLY (sizeof(deadly) / sizeof(deadly[0]))
static struct sigaction before[N_DEADLY];
static uintptr_t exe_start, exe_end; /* the main executable's mapping */
static uintptr_t stack_lo, stack_hi;  /* the thread's stack, where frames are */
static uint8_t alt_stack[64 * 1024];
static bool installed; /* this process ends runs, not itself */
/* The watchdog's ticks of CPU time (WATCH_TICK_MS) in the run under way,
 * and how many make it too slow (0: no watchdog). */
#define WATCH_TICK_MS 50
static volatile sig_atomic_t watch_ticks;
static sig_atomic_t watch_limit;

/* Frames walked up from the fault: as many as a report's place needs. */
#define MAX_FRAMES 16

static int note_main_executable(struct dl_phdr_info *info, size_t size, void *data)
{
	unsigned i;

	(void)size;
	(void)data;
	/* The first object is the main executable (dl_iterate_phdr(3)). */
	exe_start = (uintptr_t)info->dlpi_addr;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t end = (uintptr_t)info->dlpi_addr + ph->p_vaddr + ph->p_memsz;

		if (ph->p_type == PT_LOAD && end > exe_end)
			exe_end = end;
	}
	return 1;
}

/* Append @pc's offset in the main executable to @where, if it is there. */
static void add_frame(char *where, size_t size, uintptr_t pc)
{
	size_t len = strlen(where);

	if (pc < exe_start || pc >= exe_end || len + 24 >= size)
		return;
	snprintf(where + len, size - len, "%s0x%lx", where[4] != '\0' ? "," : "",
		 (unsigned long)(pc - exe_start));
}

/*
 * @pc, then the return addresses along the frame pointers from @fp (every
 * object here is built with -fno-omit-frame-pointer), each less one so
 * that it names the call, as a sanitizer's stack trace does.  A frame
 * pointer that does not lead up the stack from @sp ends the walk (it is
 * read only inside the stack: a fault here would end the process).
 */
static void walk_frames(char *where, size_t size, uintptr_t pc, const uintptr_t *fp, uintptr_t sp)
{
	unsigned n;

	snprintf(where, size, "pcs:");
	add_frame(where, size, pc);
	for (n = 1; n < MAX_FRAMES; n++) {
		if (stack_hi == 0 || (uintptr_t)fp < sp || (uintptr_t)fp < stack_lo ||
		    (uintptr_t)fp > stack_hi - 2 * sizeof(uintptr_t) ||
		    (uintptr_t)fp % sizeof(uintptr_t) != 0 || fp[1] == 0)
			break;
		add_frame(where, size, fp[1] - 1);
		sp = (uintptr_t)fp + 2 * sizeof(uintptr_t);
		fp = (const uintptr_t *)fp[0];
	}
}

/* The faulting instruction and the calls it lies in. */
static void frames(const ucontext_t *uc, char *where, size_t size)
{
#if defined(__x86_64__)
	walk_frames(where, size, (uintptr_t)uc->uc_mcontext.gregs[REG_RIP],
		    (const uintptr_t *)uc->uc_mcontext.gregs[REG_RBP],
		    (uintptr_t)uc->uc_mcontext.gregs[REG_RSP]);
#else
	(void)uc;
	snprintf(where, size, "pcs:");
#endif
}

/* Whether the faulting access was a write: bit 1 of the page fault's
 * error code (Intel SDM vol. 3A, 4.7), which Linux passes on in REG_ERR. */
static bool fault_was_write(const ucontext_t *uc)
{
#if defined(__x86_64__)
	return (uc->uc_mcontext.gregs[REG_ERR] & 2) != 0;
#else
	(void)uc;
	return false;
#endif
}

/*
 * Whether a fault is a write running on past the loader's memory where a
 * bad write was let go on in this process (its blocks or its statics,
 * sanitizer_reports.c): just past the executable's end, or in the arena's
 * pages past what was accessible.  That is the code of a write already
 * found, going on unreported (ASan reports a place once), as Linux 3.11's
 * e820 table runs on past its boot_params to the end of the executable:
 * not a finding of its own.
 */
bool signals_write_ran_off(uintptr_t addr)
{
	return findings_wrote_astray() &&
	       (loader_statics_past_end(addr) || fw_arena_past_accessible(addr));
}

static bool ran_off_memory_it_may_write(int sig, const siginfo_t *info, const ucontext_t *uc)
{
	return sig == SIGSEGV && fault_was_write(uc) && signals_write_ran_off((uintptr_t)info->si_addr);
}

static void on_deadly_signal(int sig, siginfo_t *info, void *context)
{
	const char *kind = sig == SIGFPE ? "asan:FPE" : sig == SIGBUS ? "asan:BUS" : "asan:SEGV";
	char where[240], message[300];
	struct fw_bad_access freed;
	sigset_t unblock;
	unsigned i;

#if defined(__x86_64__)
	if (sig == SIGSEGV && privileged_step(context))
		return; /* the loader's cli, sti, in or out, done */
	if (sig == SIGSEGV)
		halts_at_hlt(context); /* returns unless the loader's hlt, a halt */
#endif
	if (!fw_loader_running()) {
		/* Not the loader's: the handler from before takes the fault
		 * again when the instruction runs again. */
		for (i = 0; i < N_DEADLY; i++)
			if (deadly[i] == sig)
				sigaction(sig, &before[i], NULL);
		return;
	}
	frames(context, where, sizeof(where));
	if (sig == SIGSEGV && fw_explain_fault((uintptr_t)info->si_addr, &freed) &&
	    freed.free_service == NULL)
		snprintf(message, sizeof(message), "SEGV on address %p: a %s: %s", info->si_addr,
			 freed.kind, freed.what);
	else if (sig == SIGSEGV && freed.kind != NULL)
		snprintf(message, sizeof(message), "SEGV on address %p: a %s: %s, freed by %s (call %u)",
			 info->si_addr, freed.kind, freed.what, freed.free_service, freed.free_call);
	else
		snprintf(message, sizeof(message), "%s on address %p", kind + 5, info->si_addr);
	if (!ran_off_memory_it_may_write(sig, info, context))
		findings_prove(kind, where[4] != '\0' ? where : "?",
			       fw_outside_rules_so_far() ? CLASS_NONCOMPLIANT : CLASS_COMPLIANT,
			       message);
	findings_write_down_now();
	sigemptyset(&unblock);
	sigaddset(&unblock, sig);
	sigprocmask(SIG_UNBLOCK, &unblock, NULL);
	fw_end_run_on_signal();
}

/*
 * A copy or fill of the loader's over a range that wraps around the
 * address space (fuzz/loader_code.c): it would run on until it faulted, so
 * the run ends here, as at that fault, with the finding ASan's report
 * would give the campaign's replay of it (kind asan:negative-size-param,
 * at the loader's call).  @frame is the copy's, whose saved frame pointer
 * is the loader's.  Outside the loader's run ASan has it, as before.
 */
static void end_run_at_wrapping_range(const char *message, const void *caller,
				      void *const *frame)
{
	char where[240];

	if (!fw_loader_running())
		return;
	walk_frames(where, sizeof(where), (uintptr_t)caller - 1, (const uintptr_t *)frame[0],
		    (uintptr_t)frame);
	findings_prove("asan:negative-size-param", where[4] != '\0' ? where : "?",
		       fw_outside_rules_so_far() ? CLASS_NONCOMPLIANT : CLASS_COMPLIANT, message);
	findings_write_down_now();
	fw_end_run_on_signal();
}

/* Whether the interrupted instruction is the loader's own. */
static NO_COVERAGE bool in_loader_code(const ucontext_t *uc)
{
#if defined(__x86_64__)
	return loader_code_contains((uintptr_t)uc->uc_mcontext.gregs[REG_RIP]);
#else
	(void)uc;
	return false;
#endif
}

/*
 * A tick of the watchdog's timer: a run that has been under way for
 * watch_limit ticks ends the process, exit status 0 (no crash to the
 * fuzzer; the next worker starts clean), its input kept
 * (findings_note_slow_run()) and what it proved written down, when the
 * tick lands in the loader's own code (scripts/loader-code marks it):
 * anywhere else (the C library, ASan's runtime, the firmware) a lock may
 * be held that the writing would wait on for ever, so the next tick looks
 * again.
 */
static NO_COVERAGE void on_watch_tick(int sig, siginfo_t *info, void *context)
{
	(void)sig;
	(void)info;
	if (!fw_loader_running() || ++watch_ticks < watch_limit)
		return;
	if (!in_loader_code(context)) {
		watch_ticks = watch_limit - 1;
		return;
	}
	findings_note_slow_run();
	findings_write_down_now();
	_exit(0);
}

/* The watchdog, if the campaign asked for one (EBSFUZZ_SLOW_RUN_MS): a
 * tick every WATCH_TICK_MS of the process's CPU time (ITIMER_VIRTUAL,
 * SIGVTALRM, which neither libFuzzer nor the sanitizers use). */
static void watch_init(void)
{
	const char *v = getenv("EBSFUZZ_SLOW_RUN_MS");
	long ms = v != NULL ? atol(v) : 0;
	struct itimerval every = { { 0, WATCH_TICK_MS * 1000 }, { 0, WATCH_TICK_MS * 1000 } };
	struct sigaction tick;

	if (ms <= 0)
		return;
	watch_limit = (sig_atomic_t)(ms / WATCH_TICK_MS > 1 ? ms / WATCH_TICK_MS : 2);
	memset(&tick, 0, sizeof(tick));
	tick.sa_sigaction = on_watch_tick;
	tick.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&tick.sa_mask);
	if (sigaction(SIGVTALRM, &tick, NULL) == 0)
		setitimer(ITIMER_VIRTUAL, &every, NULL);
}

/**
 * signals_run_starts() - a run begins: the watchdog counts from here, and
 * no loop has been seen (halts.c).
 */
void signals_run_starts(void)
{
	watch_ticks = 0;
	halts_run_starts();
}

/**
 * signals_init() - in a campaign's libFuzzer worker, end the loader's run,
 * not the process, at a deadly signal.
 */
void signals_init(void)
{
	const char *v = getenv("EBSFUZZ_GO_ON_AFTER_SIGNALS");
	struct sigaction go_on;
	stack_t stack;
	unsigned i;

	/* The frames are read from x86-64 registers (frames()); elsewhere
	 * signals end the process, as they did. */
#if !defined(__x86_64__)
	(void)v;
	(void)on_deadly_signal;
	return;
#endif
	if (v == NULL || strcmp(v, "1") != 0 || !findings_recording())
		return;
	dl_iterate_phdr(note_main_executable, NULL);
	thread_stack(&stack_lo, &stack_hi);
	/* A stack overflow faults on the stack itself: the handler needs
	 * another, unless the sanitizer runtime gave the thread one. */
	if (sigaltstack(NULL, &stack) == 0 && (stack.ss_flags & SS_DISABLE)) {
		stack.ss_sp = alt_stack;
		stack.ss_size = sizeof(alt_stack);
		stack.ss_flags = 0;
		sigaltstack(&stack, NULL);
	}
	memset(&go_on, 0, sizeof(go_on));
	go_on.sa_sigaction = on_deadly_signal;
	go_on.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&go_on.sa_mask);
	for (i = 0; i < N_DEADLY; i++)
		sigaction(deadly[i], &go_on, &before[i]);
	installed = true;
	loader_code_set_wrapping_range_end(end_run_at_wrapping_range);
	watch_init();
}

/* Whether this process ends the loader's run, not itself, where it can
 * (signals_init()): the campaign's libFuzzer workers. */
bool signals_end_runs(void)
{
	return installed;
}
