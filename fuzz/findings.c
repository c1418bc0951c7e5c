/* SPDX-License-Identifier: MIT */
/*
 * findings.c - keep going and collect every distinct finding: the
 * in-process half of the findings campaign (scripts/fuzz-campaign).
 *
 * With EBSFUZZ_FINDINGS=DIR the firmware never ends the process for a
 * violation (fw_options.keep_going): each violation of a run, and each
 * report UBSan makes about the loader's own C (routed here instead of
 * ending the run, the loader being built with -fsanitize-recover), becomes
 * a finding identified by its kind, where in the loader it happened (file
 * and line of the call, symbolized) and its class.  In DIR, per finding
 * (named by a hash of those three): HASH.first, one line written when it is
 * first seen (kind, place, class, time in ms, message); HASH.bin, the
 * smallest input seen to prove it; and per process counts-PID.tsv (HASH and
 * count per finding, and a line "runs N": the process's runs), so that
 * every worker of a fork-mode campaign adds its own.  Memory errors that
 * end the process (below) are kept as crashes by libFuzzer's fork mode and
 * AFL++, and the campaign script turns them into findings too.
 *
 * With EBSFUZZ_CRASH_ON="KIND<TAB>PLACE<TAB>CLASS" a run that proves that
 * one finding aborts, and nothing else crashes the process (crash_on.c):
 * the campaign's minimisers are aimed at that finding.
 *
 * Memory errors are findings in-process too, where the target is built with
 * -fsanitize-recover=address and runs with ASAN_OPTIONS=halt_on_error=0
 * (the campaign's fuzzing phase): ASan hands each report to
 * sanitizer_reports.c, which names it by its kind and the innermost frame
 * outside the harness, and the run goes on after a bad read, so that a
 * shallow memory error reachable from everywhere does not spend the
 * campaign restarting workers.  So does a bad write that lands among the
 * loader's blocks or pages (fuzz/fw/arena.c, fw_take_stray_write()); any
 * other bad write (see findings_end_run_now()) still ends the worker, and
 * so does a wild access (a SEGV), but where the campaign asks for the end
 * of the loader's run instead (signals.c).
 *
 * Nothing recorded here steers the firmware: a run is the same with or
 * without it.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "findings.h"
#include "findings_internal.h"
#include "halts.h"
#include "sanitizers.h"

#define MAX_FINDINGS 512u
#define MAX_PER_RUN 24u
/* Findings a run may write down before it stops telling them apart: more
 * than a run can prove between two writes (MAX_PER_RUN plus its
 * violations), so only a run that writes down at many ASan reports can
 * count one finding twice. */
#define MAX_RUN_WRITTEN 64u
/* Inputs one process keeps for the campaign to replay as a possible hang
 * (findings_note_slow_run()): each replay may take the whole timeout. */
#define MAX_SLOW_PER_PROCESS 1u

struct finding {
	uint64_t hash;
	unsigned long count, written_count;
	size_t best_size;
};

/* A finding proved by the run in progress, not yet written down. */
struct proved {
	char kind[64], where[200], message[320];
	uint8_t class;
};

static const char *dir;
static struct finding findings[MAX_FINDINGS];
static unsigned n_findings;
static struct proved run_proved[MAX_PER_RUN];
static unsigned n_run_proved;
/* A run of this process went on from a bad write (sanitizer_reports.c). */
static bool wrote_astray;
static uint64_t run_written[MAX_RUN_WRITTEN]; /* hashes this run wrote down */
static unsigned n_run_written;
static const uint8_t *run_data;
static size_t run_size;
static time_t last_flush;
/* Runs this process made; libFuzzer's fork-mode parent leaves out the runs
 * of a worker that crashed, most of them on a loader that often crashes. */
static unsigned long long runs_here;

/* Runs on firmware within the rules, and those of them the fake machine
 * fell short in (fw_cannot_model()), by its first such reason: a loader
 * that meets such a limit in every run is never held to liveness (Tilck's
 * AllocateMaxAddress below 64 KiB was, until it exits), and the campaign
 * says so rather than report no missing retry. */
#define MAX_LIMIT_REASONS 8u
static unsigned long long runs_within_rules;
static struct {
	const char *why;
	unsigned long long runs;
} limits[MAX_LIMIT_REASONS];
static unsigned n_limits;


static uint64_t fnv1a(const char *s, uint64_t h)
{
	while (*s != 0)
		h = (h ^ (uint8_t)*s++) * 0x100000001b3ull;
	return h;
}

static uint64_t finding_hash(const char *kind, const char *where, uint8_t class)
{
	uint64_t h = fnv1a(kind, 0xcbf29ce484222325ull);

	h = fnv1a("\t", fnv1a(where, fnv1a("\t", h)));
	return fnv1a(fw_class_names[class], h);
}

/* Write @size bytes of @data to PATH atomically (a reader never sees half). */
static void write_file(const char *path, const void *data, size_t size)
{
	char tmp[512];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
	f = fopen(tmp, "wb");
	if (f == NULL)
		return;
	if (fwrite(data, 1, size, f) != size) {
		fclose(f);
		remove(tmp);
		return;
	}
	fclose(f);
	rename(tmp, path);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The counts this process has seen, one line per finding. */
static void flush_counts(void)
{
	char path[512], line[64], *text;
	size_t len = 0, cap = ((size_t)n_findings + 2) * sizeof(line) + 1 + MAX_LIMIT_REASONS * 256;
	unsigned i;

	if (dir == NULL || (text = malloc(cap)) == NULL)
		return;
	len = (size_t)snprintf(text, sizeof(line), "runs\t%llu\n", runs_here);
	len += (size_t)snprintf(text + len, sizeof(line), "within-rules\t%llu\n", runs_within_rules);
	for (i = 0; i < n_limits; i++)
		len += (size_t)snprintf(text + len, 256, "machine-limit\t%llu\t%.200s\n", limits[i].runs,
					limits[i].why);
	for (i = 0; i < n_findings; i++) {
		int n = snprintf(line, sizeof(line), "%016llx\t%lu\n",
				 (unsigned long long)findings[i].hash, findings[i].count);

		memcpy(text + len, line, (size_t)n);
		len += (size_t)n;
		findings[i].written_count = findings[i].count;
	}
	snprintf(path, sizeof(path), "%s/counts-%ld.tsv", dir, (long)getpid());
	write_file(path, text, len);
	free(text);
	last_flush = time(NULL);
}

static struct finding *find_or_add(uint64_t hash, bool *is_new)
{
	unsigned i;

	*is_new = false;
	for (i = 0; i < n_findings; i++)
		if (findings[i].hash == hash)
			return &findings[i];
	if (n_findings == MAX_FINDINGS)
		return NULL;
	*is_new = true;
	findings[n_findings] = (struct finding){ hash, 0, 0, (size_t)-1 };
	return &findings[n_findings++];
}

/* Count @p; keep the input as its reproducer if it is the first or the
 * smallest yet (another worker may hold a smaller one already), and its
 * description, once, beside it. */
static void write_down(const struct proved *p)
{
	uint64_t hash = finding_hash(p->kind, p->where, p->class);
	char path[512], meta[900];
	struct finding *f;
	struct stat st;
	bool is_new;
	unsigned i;
	int n;

	for (i = 0; i < n_run_written; i++)
		if (run_written[i] == hash)
			return; /* a run proves a finding once */
	if (n_run_written < MAX_RUN_WRITTEN)
		run_written[n_run_written++] = hash;
	f = find_or_add(hash, &is_new);
	if (f == NULL)
		return;
	f->count++;
	snprintf(path, sizeof(path), "%s/%016llx.first", dir, (unsigned long long)hash);
	if (is_new && access(path, F_OK) != 0) {
		n = snprintf(meta, sizeof(meta), "%s\t%s\t%s\t%lld\t%s\n", p->kind, p->where,
			     fw_class_names[p->class], now_ms(), p->message);
		write_file(path, meta, n > 0 && (size_t)n < sizeof(meta) ? (size_t)n : 0);
	}
	if (run_size < f->best_size) {
		snprintf(path, sizeof(path), "%s/%016llx.bin", dir, (unsigned long long)hash);
		if (stat(path, &st) == 0 && (size_t)st.st_size <= run_size) {
			f->best_size = (size_t)st.st_size;
		} else {
			f->best_size = run_size;
			write_file(path, run_data, run_size);
		}
	}
	if (is_new || time(NULL) != last_flush)
		flush_counts();
	if (crash_on_matches(p->kind, p->where, p->class)) {
		fprintf(stderr, "ebsfuzz: finding %s at %s (%s) proved; EBSFUZZ_CRASH_ON\n", p->kind,
			p->where, fw_class_names[p->class]);
		abort();
	}
}

void findings_prove(const char *kind, const char *where, uint8_t class, const char *message)
{
	struct proved *p = NULL;
	unsigned i;

	/* A run full of loader-ub (a misaligned stride reported at every
	 * place that reads a descriptor) must not crowd out what matters:
	 * any other class takes the place of a loader-ub finding. */
	if (n_run_proved < MAX_PER_RUN)
		p = &run_proved[n_run_proved++];
	else if (class != CLASS_LOADER_UB)
		for (i = 0; i < n_run_proved && p == NULL; i++)
			if (run_proved[i].class == CLASS_LOADER_UB)
				p = &run_proved[i];
	if (p == NULL)
		return;
	snprintf(p->kind, sizeof(p->kind), "%s", kind);
	snprintf(p->where, sizeof(p->where), "%s", where);
	snprintf(p->message, sizeof(p->message), "%s", message);
	p->class = class;
}

/* Prove the firmware's violations @v[0..@n), each under its invariant's
 * name at the loader's call it happened at. */
static void prove_violations(const struct fw_violation *v, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		findings_prove(fw_invariant_names[v[i].invariant],
			       findings_call_place(v[i].caller, v[i].caller_from), v[i].class,
			       v[i].message);
}

/* Write down and forget what run_proved holds. */
static void write_down_proved(void)
{
	unsigned i;

	for (i = 0; i < n_run_proved; i++)
		write_down(&run_proved[i]);
	n_run_proved = 0;
}

/**
 * findings_write_down_now() - write down what the run has proved so far:
 * its sanitizer reports and the firmware's violations.
 *
 * Called at every ASan report: ASan ends the process itself after some
 * (a SEGV, an allocator's refusal), and what the run had proved before
 * went with it, a wild access behind a recovered bad read included (the
 * crash's replay halts at the read), and so did a violation the loader
 * committed before it crashed (a call after a failed exit, then a wild
 * pointer).  A violation's class is settled when it is recorded, so what
 * is written here is what the run's end would write; the calls made after
 * a failed exit are judged only by what the loader does next
 * (oracle_resolve_pending()), which a crash never shows, so they are not.
 * A run writes each finding down once, however often it gets here.  ASan
 * reports each place once per process, so this is rare.
 */
void findings_write_down_now(void)
{
	const struct fw_violation *v;
	unsigned n;

	/* The sanitizer's findings first: the violations would take the
	 * places of loader-ub findings in a full run_proved. */
	write_down_proved();
	v = fw_violations_so_far(&n);
	prove_violations(v, n);
	write_down_proved();
	flush_counts(); /* the process may end at this report */
}

/*
 * An out-of-bounds or stale write is not let go on: ASan reports it, then
 * the write happens, and past a heap block it lands on the allocator's own
 * headers.  A campaign that went on after such writes saw ASan fail its own
 * consistency check and the worker hang in the symbolizer, past libFuzzer's
 * -timeout (whose handler symbolizes too).  So the findings the run proved
 * are written down and the worker ends like any crash (SIGABRT, which
 * libFuzzer and AFL++ keep as a crash and the replay driver names).  Reads
 * still go on: they corrupt nothing; and so do writes that land among the
 * loader's blocks (sanitizer_reports.c, write_harmless()).
 */
_Noreturn void findings_end_run_now(const char *why)
{
	findings_write_down_now();
	crash_on_elsewhere();
	fprintf(stderr, "ebsfuzz: %s\n", why);
	abort();
}

/* Whether findings are being recorded (EBSFUZZ_FINDINGS given). */
bool findings_recording(void)
{
	return dir != NULL;
}

/**
 * findings_init() - read EBSFUZZ_FINDINGS and EBSFUZZ_CRASH_ON.
 * @opt: the firmware options; keep_going is set if a directory is given.
 */
void findings_init(struct fw_options *opt)
{
	const char *v = getenv("EBSFUZZ_CRASH_ON");

	dir = getenv("EBSFUZZ_FINDINGS");
	if (dir != NULL && *dir == 0)
		dir = NULL;
	if (v != NULL)
		crash_on_parse(v);
	sanitizer_reports_init();
	halts_watch();
	if (dir == NULL)
		return;
	opt->keep_going = true;
	signals_init();
	atexit(flush_counts);
}

/* A run went on from a bad write into the loader's own memory. */
void findings_note_write_astray(void)
{
	wrote_astray = true;
}

/* Whether a run of this process went on from a bad write (signals.c). */
bool findings_wrote_astray(void)
{
	return wrote_astray;
}

/**
 * findings_note_slow_run() - the run has spent longer in the loader's own
 * code than the campaign lets one run in a worker (fuzz/signals.c, which
 * ends the worker): keep its input as slow-HASH, which the campaign
 * replays with the whole timeout and calls a hang if it is still running
 * then, as it does a timeout libFuzzer leaves (scripts/fuzz-campaign, step
 * 3).  At most MAX_SLOW_PER_PROCESS inputs a process.
 */
void findings_note_slow_run(void)
{
	static unsigned kept;
	uint64_t h = 0xcbf29ce484222325ull;
	char path[512];
	size_t i;

	if (dir == NULL || kept == MAX_SLOW_PER_PROCESS)
		return;
	for (i = 0; i < run_size; i++)
		h = (h ^ run_data[i]) * 0x100000001b3ull;
	snprintf(path, sizeof(path), "%s/slow-%016llx", dir, (unsigned long long)h);
	if (access(path, F_OK) != 0)
		write_file(path, run_data, run_size);
	kept++;
}

/**
 * findings_begin_run() - the input the next run is given.
 * @data: the input; must stay valid until findings_end_run().
 * @size: its length.
 */
void findings_begin_run(const uint8_t *data, size_t size)
{
	run_data = data;
	run_size = size;
	n_run_proved = 0;
	n_run_written = 0;
	crash_on_arm();
	signals_run_starts();
	if (dir == NULL)
		return;
	runs_here++;
	/* A worker killed at the campaign's end loses at most a second. */
	if (time(NULL) != last_flush)
		flush_counts();
}

/**
 * findings_end_run() - write down what the run proved.
 * @result: the firmware's account of the run.
 */
void findings_end_run(const struct fw_result *result)
{
	const char *limit = NULL;
	unsigned i;

	if (dir == NULL)
		return;
	for (i = 0; i < result->n_reasons; i++) {
		if (result->reasons[i].outside_rules)
			break;
		if (limit == NULL && result->reasons[i].machine_limit)
			limit = result->reasons[i].why;
	}
	if (i == result->n_reasons) {
		runs_within_rules++;
		for (i = 0; limit != NULL && i < n_limits && limits[i].why != limit; i++)
			;
		if (limit != NULL && i == n_limits && n_limits < MAX_LIMIT_REASONS)
			limits[n_limits++].why = limit;
		if (limit != NULL && i < n_limits)
			limits[i].runs++;
	}
	write_down_proved();
	prove_violations(result->violations, result->n_violations);
	write_down_proved();
}
