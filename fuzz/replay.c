/* SPDX-License-Identifier: MIT */
/*
 * replay.c - run inputs through a fuzz target without a fuzzing engine:
 * the regression-corpus replay of `make test` and CI, and the way to read a
 * crash (-v prints the run call by call).
 *
 * Usage: replay [-v] [-n RUNS] [-t SECONDS] FILE|DIR...
 *
 * Every input runs RUNS times (default 4) in one process, which catches
 * state leaking from one run into the next, as persistent fuzzing needs.
 * Directories are walked in name order.  A crash, a sanitizer report, an
 * invariant violation or a hang (SECONDS per input, default 10) ends the
 * process with a line naming the input.  Builds with gcc or clang, with or
 * without sanitizers; includes nothing of the firmware's.
 */
#define _GNU_SOURCE /* REG_RIP */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <ucontext.h>
#include <unistd.h>

#include "fuzz.h"
#include "inputs.h"
#include "loader_code.h"

/* Sanitizer runtimes provide these; plain builds do not. */
void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));
void __sanitizer_print_stack_trace(void) __attribute__((weak));
void __sanitizer_symbolize_pc(void *pc, const char *fmt, char *out, size_t size)
	__attribute__((weak));

static const char *current_input;
static unsigned runs_per_input = 4, timeout_seconds = 10;
static unsigned long inputs_done, runs_done;

static void name_failing_input(void)
{
	static const char prefix[] = "replay: failing input: ";

	if (current_input == NULL)
		return;
	/* Only async-signal-safe calls: this runs from signal handlers. */
	if (write(2, prefix, sizeof(prefix) - 1) < 0 ||
	    write(2, current_input, strlen(current_input)) < 0 || write(2, "\n", 1) < 0)
		return;
}

/* Written by the SIGALRM handler, so formatted before any input runs. */
static char timeout_message[96];

/*
 * A hang's place.  The campaign names a hang by the first loader frame of
 * the stack printed at the timeout (scripts/fuzz-campaign), as libFuzzer's
 * own timeout handler prints the stack from its alarm; but a loop that
 * spans lines was a row at whichever line the alarm found it on (EDK2's
 * LoadLinuxLib, its map walk stuck on a descriptor it never steps past:
 * three rows at three lines of one loop).  So the alarm samples where the
 * loader is HANG_SAMPLES times, a millisecond apart, and names first, as a
 * frame of its own, of the addresses of the loader's code it was found at
 * at least a quarter as often as the most frequent, the lowest that has a
 * line: the same sample after sample (the lowest of all was not: a loop's
 * first instruction may be found there only now and then; and code the
 * compiler made has no line).
 */
#define HANG_SAMPLES 128
#define HANG_PLACES 64
static volatile sig_atomic_t hang_samples;
static uintptr_t hang_pcs[HANG_PLACES];
static unsigned hang_counts[HANG_PLACES];

static void note_hang_pc(uintptr_t pc)
{
	unsigned i;

	for (i = 0; i < HANG_PLACES && hang_pcs[i] != 0 && hang_pcs[i] != pc; i++)
		;
	if (i == HANG_PLACES)
		return;
	hang_pcs[i] = pc;
	hang_counts[i]++;
}

/* Whether the code at @pc has a line of its own (not line 0). */
static bool has_line(uintptr_t pc)
{
	char line[32] = "";

	/* It looks up the byte before the address it is given. */
	__sanitizer_symbolize_pc((void *)(pc + 1), "%l", line, sizeof(line));
	return atoi(line) > 0;
}

static uintptr_t hang_place(void)
{
	unsigned i, most = 0;
	uintptr_t best, above = 0;

	for (i = 0; i < HANG_PLACES; i++)
		if (hang_counts[i] > most)
			most = hang_counts[i];
	do { /* the next lowest frequent address, until one has a line */
		best = 0;
		for (i = 0; i < HANG_PLACES && hang_pcs[i] != 0; i++)
			if (4 * hang_counts[i] >= most && hang_pcs[i] > above &&
			    (best == 0 || hang_pcs[i] < best))
				best = hang_pcs[i];
		above = best;
	} while (best != 0 && !has_line(best));
	return best;
}

static void name_hang_place(void)
{
	static const char sampled[] = "replay: the loader's place, sampled (its stack follows):\n";
	uintptr_t pc;
	char frame[600] = "";
	size_t n;

	if (__sanitizer_symbolize_pc == NULL || (pc = hang_place()) == 0 ||
	    write(2, sampled, sizeof(sampled) - 1) < 0)
		return;
	/* It looks up the byte before the address it is given. */
	__sanitizer_symbolize_pc((void *)(pc + 1), "    #0 %p %F %L", frame,
				 sizeof(frame) - 1);
	n = strlen(frame);
	frame[n] = '\n';
	if (write(2, frame, n + 1) < 0)
		return;
}

static void on_fatal_signal(int sig, siginfo_t *info, void *context)
{
	(void)info;
	if (sig == SIGALRM) {
#if defined(__x86_64__)
		const ucontext_t *uc = context;
		uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
		struct itimerval again = { { 0, 0 }, { 0, 1000 } };

		if (loader_code_contains(pc))
			note_hang_pc(pc);
		if (++hang_samples < HANG_SAMPLES && setitimer(ITIMER_REAL, &again, NULL) == 0)
			return;
#else
		(void)context;
#endif
		if (write(2, timeout_message, strlen(timeout_message)) < 0)
			sig = SIGALRM;
		name_hang_place();
		if (__sanitizer_print_stack_trace != NULL)
			__sanitizer_print_stack_trace();
	}
	name_failing_input();
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * A sanitizer that handles a deadly signal itself (ASan's handle_segv, on
 * by default) keeps its handler: its report names the kind ("SEGV", "FPE"),
 * the faulting address and the loader's line, and the campaign looks for it
 * in a finding's trace (scripts/fuzz-campaign); replaced, a crash printed
 * only "Segmentation fault", and every SEGV or FPE row said its replay did
 * not show the finding.  Its death callback still names the input.  In a
 * process that records findings (the campaign's pass over the seeds and
 * its replays of crashes), ASan's report of a write that runs on past
 * memory a bad write was already reported on is no finding, as in the
 * fuzzing workers (sanitizer_reports.c, signals_write_ran_off()).
 */
static bool handled_already(int sig)
{
	struct sigaction current;

	return sig != SIGALRM && sig != SIGABRT && sigaction(sig, NULL, &current) == 0 &&
	       (current.sa_flags & SA_SIGINFO ? current.sa_sigaction != NULL
					      : current.sa_handler != SIG_DFL &&
							current.sa_handler != SIG_IGN);
}

static void install_handlers(void)
{
	static const int signals[] = { SIGABRT, SIGSEGV, SIGFPE, SIGBUS, SIGILL, SIGALRM };
	struct sigaction ours;
	unsigned i;

	memset(&ours, 0, sizeof(ours));
	ours.sa_sigaction = on_fatal_signal;
	ours.sa_flags = SA_SIGINFO;
	sigemptyset(&ours.sa_mask);
	for (i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (!handled_already(signals[i]))
			sigaction(signals[i], &ours, NULL);
	if (__sanitizer_set_death_callback != NULL)
		__sanitizer_set_death_callback(name_failing_input);
}

static int run_file(const char *path, void *ctx)
{
	uint8_t *data;
	size_t size;
	unsigned r;

	(void)ctx;
	if (inputs_read(path, &data, &size) != 0) {
		fprintf(stderr, "replay: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	current_input = path;
	hang_samples = 0;
	memset(hang_pcs, 0, sizeof(hang_pcs));
	memset(hang_counts, 0, sizeof(hang_counts));
	alarm(timeout_seconds * runs_per_input);
	for (r = 0; r < runs_per_input; r++) {
		LLVMFuzzerTestOneInput(data, size);
		runs_done++;
	}
	alarm(0);
	current_input = NULL;
	inputs_done++;
	free(data);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: replay [-v] [-n RUNS] [-t SECONDS] FILE|DIR...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int opt, i;

	while ((opt = getopt(argc, argv, "vn:t:")) != -1) {
		switch (opt) {
		case 'v':
			setenv("EBSFUZZ_TRACE", "1", 1);
			break;
		case 'n':
			runs_per_input = (unsigned)atoi(optarg);
			break;
		case 't':
			timeout_seconds = (unsigned)atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (optind >= argc || runs_per_input == 0)
		usage();
	/* The alarm covers every run of one input (run_file()). */
	snprintf(timeout_message, sizeof(timeout_message),
		 "replay: timeout: the loader did not finish within %u s\n",
		 timeout_seconds * runs_per_input);
	install_handlers();
	LLVMFuzzerInitialize(&argc, &argv);
	for (i = optind; i < argc; i++)
		if (inputs_each("replay", argv[i], run_file, NULL) != 0)
			return 1;
	fprintf(stderr, "replay: %lu inputs, %lu runs, no violation\n", inputs_done, runs_done);
	return 0;
}
