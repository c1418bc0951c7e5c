/* SPDX-License-Identifier: MIT */
/*
 * halts.c - a loader that halts: a loop of its own code that changes
 * nothing, the way real loaders stop on a fatal error (a panic's
 * `for (;;)`, Haiku's and Linux's dead loops; docs/real-loaders.md), seen
 * within about ten milliseconds and ended as a halt (fw_end_run_halted()),
 * which the referee judges: liveness where a boot was owed, the hang
 * invariant anywhere else (fuzz/fw/end_of_run.c).
 *
 * Why: a halt was a hang, found by waiting.  In a campaign's worker that
 * was half a second (the watchdog, signals.c), the worker itself and a
 * replay of the whole timeout each; a Haiku-shaped loader, which halts on
 * every GetMemoryMap() error, ran 9,745 inputs in 30 seconds, and its halt
 * where no boot was owed was a compliant hang.  Elsewhere (OSS-Fuzz,
 * --first, a replay) it was the fuzzer's timeout.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "fw/fw.h"
#include "halts.h"
#include "loader_code.h"
#include "privileged.h"
#include "sanitizers.h"

/* A halt: HALT_TICKS samples in a row in the loader's own code with every
 * general register as it was, the code within HALT_WINDOW bytes of where it
 * was (a loop of a few instructions), no call to the firmware since, and at
 * all but the first its stack (HALT_STACK_BYTES from below the stack
 * pointer's red zone) and its statics as they were.  A loop that makes
 * progress changes one of them (its index, a pointer, a volatile counter on
 * the stack or in a static: a delay loop); one that changes none can only
 * spin, as `for (;;)` after a fatal error does.  Samples come from a timer
 * of the thread's own, of real time (a timer of CPU time fires at the
 * kernel's tick at best: 4 ms at CONFIG_HZ=250, 125 signals in 0.5 s asking
 * for 1 ms, measured here).
 *
 * A sample counts only if the loader ran since the last one: a thread that
 * did not run changed nothing either.  Each sample sends the loader back
 * through halt_resume, a jump to where it was, so a beat that came due
 * while the last sample ran, or while the thread waited for a core, finds
 * it there and is passed over; each sample starts the next beat afresh, a
 * whole HALT_PERIOD_US after it; and a sample counts only
 * HALT_SAMPLE_CPU_NS of the thread's CPU time after the end of the last.
 * None of it proves that the loop went round even once: the interrupts a
 * thread takes just after returning to user mode (those that came while the
 * kernel ran for it) can let another thread run, and the time the kernel
 * spends on them is charged to it.  A loop that counts in a volatile keeps
 * every register (check-fuzz-loader's spins.c), and with the memory
 * compared over one interval it was a halt in 5 of 30 replays of its
 * 2-second hang, with three other fuzzers on two cores (a sample 154 us of
 * CPU time after the last, its counter unchanged); over two intervals,
 * which takes that mischance twice in a row, in none of 60.  With CPU time
 * alone, 60 us apart, the good Linux model "halted in a loop after 0 exit
 * attempt(s)" on an input it boots.
 *
 * A signal costs about 30 to 50 us on these machines (a memset loop here:
 * 811 signals, 40 ms; 9,998 signals took 31% of a second), and a timer
 * every 500 us made the hardened target 12% slower (300,000 runs, the same
 * run of inputs: 8.0 against 7.1 s): the timer beats every HALT_IDLE_US,
 * and every HALT_PERIOD_US only from a beat that finds the loader's own
 * code running (a normal run is microseconds long) until one finds it no
 * longer there.  A halt costs its run the wait for that beat and three
 * more, all of it spinning, and a loader that halts on every error halts
 * often (a Haiku-shaped loader in more than half of its runs: its worker
 * spent 94% of its time in its loop with beats of 500 us, perf).  So after
 * a halt, for HALT_HALTING_BEATS beats out of the loader (about 40 ms), the
 * timer waits only HALT_HALTING_IDLE_US between runs: a loader that halted
 * is likely to halt again, and one that never halts never pays for it. */
#define HALT_TICKS 4
#define HALT_WINDOW 64
#define HALT_PERIOD_US 150
#define HALT_SAMPLE_CPU_NS 100000
#define HALT_IDLE_US 10000
#define HALT_HALTING_IDLE_US 300
#define HALT_HALTING_BEATS 128
#define HALT_SIGNAL (SIGRTMIN + 4)
#define HALT_STACK_BYTES 4096
#define HALT_RED_ZONE 128 /* below the stack pointer, the x86-64 ABI's */
/* Of each statics section: Xen's allocator arena is 5 MiB of them, and
 * hashing all of it at a sample took 7 ms. */
#define HALT_STATICS_BYTES (256u * 1024)
#if defined(__clang__)
#define UNCHECKED_READS __attribute__((no_sanitize("address", "memory")))
#else
#define UNCHECKED_READS __attribute__((no_sanitize_address))
#endif
#if defined(__x86_64__)
static const int spin_regs[] = { REG_R8,  REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13,
				 REG_R14, REG_R15, REG_RDI, REG_RSI, REG_RBP, REG_RBX,
				 REG_RDX, REG_RAX, REG_RCX, REG_RSP };
#define N_SPIN_REGS (sizeof(spin_regs) / sizeof(spin_regs[0]))
static struct {
	bool seen;
	unsigned calls, ticks;
	uintptr_t pc;
	int64_t cpu_ns; /* the thread's CPU time at the end of the last sample */
	uint64_t memory;
	bool memory_known;
	greg_t regs[N_SPIN_REGS];
} spin;
static timer_t halt_timer;
static bool halt_timer_made;
static long halt_timer_us;     /* the timer's beat */
static unsigned halting_beats; /* beats out of the loader to wait for at HALT_HALTING_IDLE_US */
static uintptr_t stack_lo, stack_hi; /* the loader's thread's stack */
/* The loader's statics (scripts/loader-statics brackets them). */
extern char __start_ebsfuzz_loader_data[] __attribute__((weak));
extern char __stop_ebsfuzz_loader_data[] __attribute__((weak));
extern char __start_ebsfuzz_loader_bss[] __attribute__((weak));
extern char __stop_ebsfuzz_loader_bss[] __attribute__((weak));
#endif

#if defined(__x86_64__)
/* FNV-1a over [@p, @end), read as the loader left it: no sanitizer checks
 * these reads (a stack red zone, a static's poisoned tail, bytes never
 * written are all part of what the loop may change). */
static NO_COVERAGE UNCHECKED_READS uint64_t hash_bytes(uint64_t h, const uint8_t *p,
						       const uint8_t *end)
{
	for (; p < end; p++)
		h = (h ^ *p) * 0x100000001b3ull;
	return h;
}

/* [@start, @stop), at most HALT_STATICS_BYTES of it. */
static NO_COVERAGE uint64_t hash_statics(uint64_t h, const char *start, const char *stop)
{
	if (start == NULL || stop <= start)
		return h;
	if ((size_t)(stop - start) > HALT_STATICS_BYTES)
		stop = start + HALT_STATICS_BYTES;
	return hash_bytes(h, (const uint8_t *)start, (const uint8_t *)stop);
}

/* The memory a loop of the loader's may count in: its stack from the red
 * zone below @sp up, and its statics. */
static NO_COVERAGE uint64_t memory_hash(uintptr_t sp)
{
	uintptr_t lo = sp - HALT_RED_ZONE, hi = sp + HALT_STACK_BYTES;
	uint64_t h = 0xcbf29ce484222325ull;

	if (stack_hi != 0) {
		if (lo < stack_lo)
			lo = stack_lo;
		if (hi > stack_hi)
			hi = stack_hi;
		if (lo < hi)
			h = hash_bytes(h, (const uint8_t *)lo, (const uint8_t *)hi);
	}
	h = hash_statics(h, __start_ebsfuzz_loader_data, __stop_ebsfuzz_loader_data);
	return hash_statics(h, __start_ebsfuzz_loader_bss, __stop_ebsfuzz_loader_bss);
}

/* The thread's CPU time in nanoseconds, or -1. */
static NO_COVERAGE int64_t thread_cpu_ns(void)
{
	struct timespec now;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now) != 0)
		return -1;
	return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

/*
 * Samples in a row at which the loader, interrupted at @uc in its own
 * code, was where it was at the last one (see HALT_TICKS): the registers
 * at every one, the memory (hashed only once the registers have held, as
 * it costs more) at all but the first.
 */
static NO_COVERAGE unsigned spin_ticks(const ucontext_t *uc)
{
	uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
	uintptr_t sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
	unsigned calls = fw_calls_so_far(), i;
	uint64_t memory;
	bool same;

	same = spin.seen && calls == spin.calls && pc + HALT_WINDOW >= spin.pc &&
	       pc <= spin.pc + HALT_WINDOW;
	for (i = 0; same && i < N_SPIN_REGS; i++)
		same = uc->uc_mcontext.gregs[spin_regs[i]] == spin.regs[i];
	if (!same) {
		spin.seen = true;
		spin.calls = calls;
		spin.pc = pc;
		spin.memory_known = false;
		spin.ticks = 1;
		for (i = 0; i < N_SPIN_REGS; i++)
			spin.regs[i] = uc->uc_mcontext.gregs[spin_regs[i]];
	} else {
		memory = memory_hash(sp);
		spin.ticks = spin.memory_known && memory == spin.memory ? spin.ticks + 1 : 2;
		spin.memory = memory;
		spin.memory_known = true;
	}
	return spin.ticks;
}

/* Where a sample sends the loader back: halt_resume jumps to
 * halt_resume_pc, changing no register, flag or memory of the loader's. */
__attribute__((used, visibility("hidden"))) volatile uintptr_t halt_resume_pc;
extern const char halt_resume[];
__asm__(".text\n"
	".p2align 4\n"
	".type halt_resume, @function\n"
	"halt_resume:\n"
	"\tjmp *halt_resume_pc(%rip)\n"
	".size halt_resume, . - halt_resume\n");

/*
 * The loader halts where @uc was interrupted: the run ends there, as at
 * ResetSystem() (fw_end_run_halted()), within about ten milliseconds rather
 * than at a timeout.  A halt was a hang before, found by the campaign's
 * watchdog and replay: half a second, a worker and a replay of the whole
 * timeout each.  The panic `for (;;)` of a Haiku-shaped loader, on a map
 * that outgrew its buffer where no boot was owed, was a compliant hang,
 * and its halts left it 9,745 runs in a 30-second campaign.  The referee
 * judges the halt (fuzz/fw/end_of_run.c): liveness where a boot was owed,
 * the hang invariant anywhere else, placed at the loop.
 */
static NO_COVERAGE _Noreturn void end_run_halted(const ucontext_t *uc)
{
	sigset_t unblock;

	halting_beats = HALT_HALTING_BEATS;
	sigemptyset(&unblock);
	sigaddset(&unblock, HALT_SIGNAL);
	sigprocmask(SIG_UNBLOCK, &unblock, NULL);
	fw_end_run_halted((const void *)((uintptr_t)uc->uc_mcontext.gregs[REG_RIP] + 1),
			  (void *const *)uc->uc_mcontext.gregs[REG_RBP],
			  (const void *)uc->uc_mcontext.gregs[REG_RSP]);
}

/* The halt timer's beat: every @us of real time (in a process that made
 * the timer: not in the unit tests). */
static NO_COVERAGE void set_halt_timer(long us)
{
	struct itimerspec every = { { 0, us * 1000 }, { 0, us * 1000 } };

	halt_timer_us = us;
	if (halt_timer_made)
		timer_settime(halt_timer, 0, &every, NULL);
}

/**
 * halts_sample() - a sample of the loader's thread, interrupted at @uc:
 * the halt timer's signal handler, and the unit tests' way in.
 * @uc: the interrupted context; when the loader's own code was running,
 *	it is sent back there through halt_resume.
 *
 * Samples only in the loader's own code (anywhere else, the C library,
 * ASan's runtime or the firmware, may hold a lock that what follows would
 * wait on for ever; scripts/loader-code marks the loader's code), and only
 * once the loader has run since the last one; ends the run at a halt.
 */
NO_COVERAGE void halts_sample(ucontext_t *uc)
{
	uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
	bool in_loader = fw_loader_running() && loader_code_contains(pc);
	int64_t cpu_ns;
	long idle_us;

	if (pc == (uintptr_t)halt_resume)
		return; /* the loader has not run since the last sample */
	if (!in_loader) {
		spin.seen = false;
		if (halting_beats > 0)
			halting_beats--;
		idle_us = halting_beats > 0 ? HALT_HALTING_IDLE_US : HALT_IDLE_US;
		if (halt_timer_us != idle_us)
			set_halt_timer(idle_us);
		return;
	}
	cpu_ns = thread_cpu_ns();
	if (cpu_ns < 0)
		return;
	if ((!spin.seen || cpu_ns - spin.cpu_ns >= HALT_SAMPLE_CPU_NS) &&
	    spin_ticks(uc) >= HALT_TICKS)
		end_run_halted(uc);
	halt_resume_pc = pc;
	uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(uintptr_t)halt_resume;
	set_halt_timer(HALT_PERIOD_US);
	spin.cpu_ns = thread_cpu_ns();
}

/**
 * halts_at_hlt() - the loader's hlt instruction, which faulted (SIGSEGV):
 * a halt, ended where it is.
 * @uc: the fault's context.
 *
 * MikanOS's Halt() and kvm-unit-tests' exit() halt in `while (1) hlt;`, as
 * on the machine they are built for, where it waits for ever.  In a
 * process the instruction is privileged and faults: every fatal path of
 * theirs was a compliant SEGV at Halt(), one row that hid every cause and
 * called a halt a crash.  The halt is placed at the instruction, with the
 * function it is in named (fw_end_run_halted()).
 *
 * Return: only if the fault was not at a hlt of the loader's own code.
 */
__attribute__((no_sanitize("address"))) NO_COVERAGE void halts_at_hlt(ucontext_t *uc)
{
	uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
	sigset_t unblock;

	if (!fw_loader_running() || !loader_code_contains(pc) || *(const volatile uint8_t *)pc != 0xf4)
		return;
	sigemptyset(&unblock);
	sigaddset(&unblock, SIGSEGV);
	sigprocmask(SIG_UNBLOCK, &unblock, NULL);
	end_run_halted(uc);
}

/* What SIGSEGV did before halts_watch(): ASan's report, most often. */
static struct sigaction before_segv;

static NO_COVERAGE void on_segv(int sig, siginfo_t *info, void *context)
{
	(void)info;
	if (privileged_step(context))
		return;
	halts_at_hlt(context);
	/* Neither a halt nor an instruction done: the handler from before
	 * takes the fault again when the instruction runs again. */
	sigaction(sig, &before_segv, NULL);
}

static NO_COVERAGE void on_halt_sample(int sig, siginfo_t *info, void *context)
{
	(void)sig;
	(void)info;
	halts_sample(context);
}

/* The halt timer of this thread, which runs the loader: made again in
 * every child a fork server makes (timers are not inherited). */
static void make_halt_timer(void)
{
	struct sigevent to_me;

	memset(&to_me, 0, sizeof(to_me));
	to_me.sigev_notify = SIGEV_THREAD_ID;
	to_me.sigev_signo = HALT_SIGNAL;
	to_me._sigev_un._tid = gettid();
	thread_stack(&stack_lo, &stack_hi);
	halt_timer_made = timer_create(CLOCK_MONOTONIC, &to_me, &halt_timer) == 0;
	set_halt_timer(HALT_IDLE_US);
}
#endif

/**
 * halts_watch() - in every process that runs a loader through the
 * fuzz target (libFuzzer's, OSS-Fuzz's, the replay driver), sample the
 * loader's thread (HALT_SIGNAL, a real-time signal
 * nothing else here uses) and end a run that halts (on_halt_sample()), so
 * that the referee judges the halt wherever the run is made.
 */
void halts_watch(void)
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
	memset(&sample, 0, sizeof(sample));
	sample.sa_sigaction = on_segv;
	sample.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sample.sa_mask);
	sigaction(SIGSEGV, &sample, &before_segv);
	make_halt_timer();
	pthread_atfork(NULL, NULL, make_halt_timer);
#elif defined(__x86_64__)
	(void)on_halt_sample;
	(void)on_segv;
	(void)make_halt_timer;
#endif
}

/**
 * thread_stack() - the calling thread's stack.
 * @lo: receives its lowest address, or 0 if it cannot be told.
 * @hi: receives its end, or 0.
 */
void thread_stack(uintptr_t *lo, uintptr_t *hi)
{
	pthread_attr_t attr;
	void *base;
	size_t size;

	*lo = *hi = 0;
	if (pthread_getattr_np(pthread_self(), &attr) != 0)
		return;
	if (pthread_attr_getstack(&attr, &base, &size) == 0) {
		*lo = (uintptr_t)base;
		*hi = *lo + size;
	}
	pthread_attr_destroy(&attr);
}

/**
 * halts_run_starts() - a run begins: no loop has been seen.
 */
void halts_run_starts(void)
{
#if defined(__x86_64__)
	spin.seen = false;
#endif
}
