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
 * of 0), ends as a halt after about a millisecond of CPU time in every
 * process (signals_watch_halts()).  A run stuck in the loader's own code
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
#include "loader_code.h"
#include "sanitizers.h"
#include "statics.h"

static const int deadly[] = { SIGSEGV, SIGBUS, SIGFPE };
#define N_DEADLY (sizeof(deadly) / sizeof(deadly[0]))
static struct sigaction before[N_DEADLY];
static uintptr_t exe_start, exe_end; /* the main executable's mapping */
static uintptr_t stack_lo, stack_hi;  /* the thread's stack, where frames are */
static uint8_t alt_stack[64 * 1024];
static bool installed; /* this process ends runs, not itself */
/* The watchdog's ticks of CPU time (ITIMER_VIRTUAL, counted at the
 * kernel's own tick: 4 ms at CONFIG_HZ=250, whatever smaller interval is
 * asked; 125 signals in 0.5 s asking for 1 ms, measured here). */
#define TICK_MS 50
/* The watchdog's ticks in the run under way, and how many make it too
 * slow (0: no watchdog). */
static volatile sig_atomic_t watch_ticks;
static sig_atomic_t watch_limit;
/* A halt: this many samples in a row in the loader's own code with every
 * general register as it was, the code within HALT_WINDOW bytes of where
 * it was (a loop of a few instructions) and no call to the firmware since.
 * A loop that makes progress changes a register between two samples (its
 * index, a pointer, a value it loaded); one that changes none can only
 * spin, as `for (;;)` after a fatal error does.  Samples come from a timer
 * of the thread's own (HALT_PERIOD_US of real time, finer than the CPU-time
 * tick), and count only HALT_SAMPLE_CPU_NS of the thread's CPU time apart:
 * a thread that was not running changed nothing. */
#define HALT_TICKS 3
#define HALT_WINDOW 64
#define HALT_PERIOD_US 500
#define HALT_SAMPLE_CPU_NS 400000
#define HALT_SIGNAL (SIGRTMIN + 4)
#if defined(__x86_64__)
static const int spin_regs[] = { REG_R8,  REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13,
				 REG_R14, REG_R15, REG_RDI, REG_RSI, REG_RBP, REG_RBX,
				 REG_RDX, REG_RAX, REG_RCX, REG_RSP };
#define N_SPIN_REGS (sizeof(spin_regs) / sizeof(spin_regs[0]))
static struct {
	bool seen;
	unsigned calls, ticks;
	uintptr_t pc;
	int64_t cpu_ns;
	greg_t regs[N_SPIN_REGS];
} spin;
static timer_t halt_timer;
#endif

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

/* The main executable's mapping and this thread's stack, for frames(). */
static void note_where_frames_are(void)
{
	pthread_attr_t attr;

	if (exe_end != 0)
		return;
	dl_iterate_phdr(note_main_executable, NULL);
	if (pthread_getattr_np(pthread_self(), &attr) == 0) {
		void *lo;
		size_t size;

		if (pthread_attr_getstack(&attr, &lo, &size) == 0) {
			stack_lo = (uintptr_t)lo;
			stack_hi = stack_lo + size;
		}
		pthread_attr_destroy(&attr);
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
static bool ran_off_memory_it_may_write(int sig, const siginfo_t *info, const ucontext_t *uc)
{
	uintptr_t addr = (uintptr_t)info->si_addr;

	return sig == SIGSEGV && fault_was_write(uc) && findings_wrote_astray() &&
	       (loader_statics_past_end(addr) || fw_arena_past_accessible(addr));
}

static void on_deadly_signal(int sig, siginfo_t *info, void *context)
{
	const char *kind = sig == SIGFPE ? "asan:FPE" : sig == SIGBUS ? "asan:BUS" : "asan:SEGV";
	char where[240], message[120];
	sigset_t unblock;
	unsigned i;

	if (!fw_loader_running()) {
		/* Not the loader's: the handler from before takes the fault
		 * again when the instruction runs again. */
		for (i = 0; i < N_DEADLY; i++)
			if (deadly[i] == sig)
				sigaction(sig, &before[i], NULL);
		return;
	}
	frames(context, where, sizeof(where));
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

#if defined(__x86_64__)
/* Ticks in a row at which the loader, interrupted at @uc in its own code,
 * was where it was at the last one (see HALT_TICKS). */
static NO_COVERAGE unsigned spin_ticks(const ucontext_t *uc)
{
	uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
	unsigned calls = fw_calls_so_far(), i;
	struct timespec now;
	int64_t cpu_ns;
	bool same;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now) != 0)
		return 0;
	cpu_ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
	if (spin.seen && cpu_ns - spin.cpu_ns < HALT_SAMPLE_CPU_NS)
		return spin.ticks; /* too soon to be another sample */
	same = spin.seen && calls == spin.calls && pc + HALT_WINDOW >= spin.pc &&
	       pc <= spin.pc + HALT_WINDOW;
	for (i = 0; same && i < N_SPIN_REGS; i++)
		same = uc->uc_mcontext.gregs[spin_regs[i]] == spin.regs[i];
	spin.cpu_ns = cpu_ns;
	if (same)
		return ++spin.ticks;
	spin.seen = true;
	spin.calls = calls;
	spin.pc = pc;
	spin.ticks = 1;
	for (i = 0; i < N_SPIN_REGS; i++)
		spin.regs[i] = uc->uc_mcontext.gregs[spin_regs[i]];
	return 1;
}

/*
 * The loader halts where @uc was interrupted: the run ends there, as at
 * ResetSystem() (fw_end_run_halted()), within a few milliseconds rather
 * than at a timeout.  A halt was a hang before, found by the campaign's
 * watchdog and replay: half a second, a worker and a replay of the whole
 * timeout each.  The panic `for (;;)` of a Haiku-shaped loader, on a map
 * that outgrew its buffer where no boot was owed, was a compliant hang,
 * and its halts left it 9,745 runs in a 30-second campaign.  The referee
 * judges the halt (fuzz/fw/invariants.c): liveness where a boot was owed,
 * the hang invariant anywhere else, placed at the loop.
 */
static NO_COVERAGE _Noreturn void end_run_halted(const ucontext_t *uc)
{
	sigset_t unblock;

	sigemptyset(&unblock);
	sigaddset(&unblock, HALT_SIGNAL);
	sigprocmask(SIG_UNBLOCK, &unblock, NULL);
	fw_end_run_halted((const void *)((uintptr_t)uc->uc_mcontext.gregs[REG_RIP] + 1));
}

/* A sample of the halt timer: in the loader's own code only (anywhere
 * else, the C library, ASan's runtime or the firmware, may hold a lock
 * that what follows would wait on for ever; scripts/loader-code marks the
 * loader's code). */
static NO_COVERAGE void on_halt_sample(int sig, siginfo_t *info, void *context)
{
	(void)sig;
	(void)info;
	if (!fw_loader_running())
		return;
	if (!in_loader_code(context))
		spin.seen = false;
	else if (spin_ticks(context) >= HALT_TICKS)
		end_run_halted(context);
}

/* The halt timer of this thread, which runs the loader: made again in
 * every child a fork server makes (timers are not inherited). */
static void make_halt_timer(void)
{
	struct sigevent to_me;
	struct itimerspec every = { { 0, HALT_PERIOD_US * 1000 }, { 0, HALT_PERIOD_US * 1000 } };

	memset(&to_me, 0, sizeof(to_me));
	to_me.sigev_notify = SIGEV_THREAD_ID;
	to_me.sigev_signo = HALT_SIGNAL;
	to_me._sigev_un._tid = gettid();
	if (timer_create(CLOCK_MONOTONIC, &to_me, &halt_timer) == 0)
		timer_settime(halt_timer, 0, &every, NULL);
}
#endif

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
 * tick every TICK_MS of the process's CPU time (ITIMER_VIRTUAL,
 * SIGVTALRM, which neither libFuzzer nor the sanitizers use). */
static void watch_init(void)
{
	const char *v = getenv("EBSFUZZ_SLOW_RUN_MS");
	long ms = v != NULL ? atol(v) : 0;
	struct itimerval every = { { 0, TICK_MS * 1000 }, { 0, TICK_MS * 1000 } };
	struct sigaction tick;

	if (ms <= 0)
		return;
	watch_limit = (sig_atomic_t)(ms / TICK_MS > 1 ? ms / TICK_MS : 2);
	memset(&tick, 0, sizeof(tick));
	tick.sa_sigaction = on_watch_tick;
	tick.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&tick.sa_mask);
	if (sigaction(SIGVTALRM, &tick, NULL) == 0)
		setitimer(ITIMER_VIRTUAL, &every, NULL);
}

/**
 * signals_watch_halts() - in every process that runs a loader through the
 * fuzz target (libFuzzer's, OSS-Fuzz's, the replay driver), sample the
 * loader's thread every HALT_PERIOD_US (HALT_SIGNAL, a real-time signal
 * nothing else here uses) and end a run that halts (on_halt_sample()), so
 * that the referee judges the halt wherever the run is made.
 */
void signals_watch_halts(void)
{
	/* Not under AFL++: its instrumentation (4.04c) ignores NO_COVERAGE,
	 * so the sampler's code would be coverage of whichever run it lands
	 * in (a 10-second make afl-test measured stability 99.11%).  There a
	 * halt is a hang at AFL++'s timeout, as before. */
#if defined(__x86_64__) && !defined(__AFL_COMPILER)
	struct sigaction sample;

	memset(&sample, 0, sizeof(sample));
	sample.sa_sigaction = on_halt_sample;
	sample.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sample.sa_mask);
	if (sigaction(HALT_SIGNAL, &sample, NULL) != 0)
		return;
	note_where_frames_are();
	make_halt_timer();
	pthread_atfork(NULL, NULL, make_halt_timer);
#elif defined(__x86_64__)
	(void)on_halt_sample;
	(void)make_halt_timer;
#endif
}

/**
 * signals_run_starts() - a run begins: the watchdog counts from here, and
 * no loop has been seen.
 */
void signals_run_starts(void)
{
	watch_ticks = 0;
#if defined(__x86_64__)
	spin.seen = false;
#endif
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
	note_where_frames_are();
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
