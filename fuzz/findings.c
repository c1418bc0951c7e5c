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
 * smallest input seen to prove it; and per process counts-PID.tsv, so that
 * every worker of a fork-mode campaign adds its own.  Memory errors that
 * end the process (below) are kept as crashes by libFuzzer's fork mode and
 * AFL++, and the campaign script turns them into findings too.
 *
 * With EBSFUZZ_CRASH_ON=HASH a run that proves that one finding aborts, so
 * that libFuzzer's -minimize_crash shrinks its reproducer and nothing else.
 *
 * Memory errors are findings in-process too, where the target is built with
 * -fsanitize-recover=address and runs with ASAN_OPTIONS=halt_on_error=0
 * (the campaign's fuzzing phase): ASan hands each report to
 * asan_report(), which names it by its kind and the innermost frame
 * outside the harness, and the run goes on after a bad read, so that a
 * shallow memory error reachable from everywhere does not spend the
 * campaign restarting workers.  A bad write (see end_run())
 * and a wild access (a SEGV) still end the worker.
 *
 * Nothing recorded here steers the firmware: a run is the same with or
 * without it.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "findings.h"
#include "sanitizers.h"

/* The sanitizers' interfaces, present only in sanitized builds. */
void __sanitizer_symbolize_pc(void *pc, const char *fmt, char *out, size_t size)
	__attribute__((weak));
void __ubsan_get_current_report_data(const char **kind, const char **message,
				     const char **file, unsigned *line, unsigned *column,
				     char **address) __attribute__((weak));

#define MAX_FINDINGS 512u
#define MAX_PER_RUN 24u
#define MAX_PLACES 256u

struct finding {
	uint64_t hash;
	unsigned long count, written_count;
	size_t best_size;
};

/* A finding proved by the run in progress, not yet written down. */
struct proved {
	char kind[64], where[200], message[200];
	uint8_t class;
};

static const char *dir;
static uint64_t crash_on;
static struct finding findings[MAX_FINDINGS];
static unsigned n_findings;
static struct proved run_proved[MAX_PER_RUN];
static unsigned n_run_proved;
static const uint8_t *run_data;
static size_t run_size;
static time_t last_flush;

/* Places in the loader, symbolized once each. */
static struct {
	const void *pc;
	char where[200];
} places[MAX_PLACES];
static unsigned n_places;

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

/* "file:line" of the call at return address @pc, for dedup and the table. */
static const char *where_is(const void *pc)
{
	Dl_info info;
	unsigned i;

	if (pc == NULL)
		return "?";
	for (i = 0; i < n_places; i++)
		if (places[i].pc == pc)
			return places[i].where;
	if (n_places == MAX_PLACES)
		n_places = 0; /* more call sites than any loader has: start over */
	places[n_places].pc = pc;
	places[n_places].where[0] = 0;
	/* The call instruction ends one byte before its return address. */
	if (__sanitizer_symbolize_pc != NULL)
		__sanitizer_symbolize_pc((void *)((uintptr_t)pc - 1), "%s:%l",
					 places[n_places].where, sizeof(places[0].where));
	/* No symbolizer (AFL++ runs its targets with symbolize=0, plain builds
	 * have none): the offset in the executable, which the campaign
	 * resolves afterwards with llvm-symbolizer. */
	if ((places[n_places].where[0] == 0 || places[n_places].where[0] == '<') &&
	    dladdr(pc, &info) != 0)
		snprintf(places[n_places].where, sizeof(places[0].where), "pc:0x%lx",
			 (unsigned long)((uintptr_t)pc - 1 - (uintptr_t)info.dli_fbase));
	else if (places[n_places].where[0] == 0)
		snprintf(places[n_places].where, sizeof(places[0].where), "?");
	return places[n_places++].where;
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
	size_t len = 0, cap = (size_t)n_findings * sizeof(line) + 1;
	unsigned i;

	if (dir == NULL || n_findings == 0 || (text = malloc(cap)) == NULL)
		return;
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
	char path[512], meta[700];
	struct finding *f;
	struct stat st;
	bool is_new;
	int n;

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
	if (crash_on != 0 && hash == crash_on) {
		fprintf(stderr, "ebsfuzz: finding %016llx (%s at %s, %s) proved; EBSFUZZ_CRASH_ON\n",
			(unsigned long long)hash, p->kind, p->where, fw_class_names[p->class]);
		abort();
	}
}

static void prove(const char *kind, const char *where, uint8_t class, const char *message)
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

/* Harness files: UBSan reports about them are our bugs, not the loader's. */
static bool is_harness_file(const char *file)
{
	static const char *const prefixes[] = { "fuzz/fw/", "fuzz/fuzz_ebs.c", "fuzz/findings.c",
						"fuzz/statics.c", "fuzz/script", "fuzz/replay.c" };
	unsigned i;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(file, prefixes[i], strlen(prefixes[i])) == 0 ||
		    strstr(file, prefixes[i]) != NULL)
			return true;
	return false;
}

/*
 * UBSan calls this for every report before printing it.  A report about
 * the loader's own C (misalignment at a stride the firmware chose, pointer
 * arithmetic never dereferenced, a shift) is loader-ub: recorded, never
 * the end of the run.  If it is followed by a crash (a division by zero
 * traps), the campaign sees the crash too and keeps the more severe class.
 */
void __ubsan_on_report(void)
{
	const char *kind = NULL, *message = NULL, *file = NULL;
	unsigned line = 0, column = 0;
	char *address = NULL, where[200], what[80];

	if (dir == NULL || __ubsan_get_current_report_data == NULL)
		return;
	__ubsan_get_current_report_data(&kind, &message, &file, &line, &column, &address);
	if (kind == NULL || file == NULL || is_harness_file(file))
		return;
	snprintf(where, sizeof(where), "%s:%u", file, line);
	snprintf(what, sizeof(what), "ubsan:%s", kind);
	prove(what, where, CLASS_LOADER_UB, message != NULL ? message : kind);
}

/* A frame of a report's stack outside the harness and the C library. */
static bool loader_frame(const char *file)
{
	return !is_harness_file(file) && strstr(file, "compiler-rt") == NULL &&
	       strncmp(file, "/usr/", 5) != 0 && strstr(file, "sysdeps/") == NULL &&
	       strstr(file, "csu/") == NULL;
}

/*
 * An out-of-bounds or stale write is not let go on: ASan reports it, then
 * the write happens, and past a heap block it lands on the allocator's own
 * headers.  A campaign that went on after such writes saw ASan fail its own
 * consistency check and the worker hang in the symbolizer, past libFuzzer's
 * -timeout (whose handler symbolizes too).  So the findings the run proved
 * are written down and the worker ends like any crash (SIGABRT, which
 * libFuzzer and AFL++ keep as a crash and the replay driver names).  Reads
 * still go on: they corrupt nothing.
 */
static void end_run(const char *why)
{
	unsigned i;

	for (i = 0; i < n_run_proved; i++)
		write_down(&run_proved[i]);
	n_run_proved = 0;
	flush_counts();
	fprintf(stderr, "ebsfuzz: %s\n", why);
	abort();
}

/*
 * ASan hands over its report with whatever the sanitizers printed since
 * its last one in front (UBSan's reports about the loader), in a buffer of
 * 64 KiB: after enough of them the report arrives cut short, its kind
 * truncated and its frames gone (a campaign on Linux 3.11's exit code
 * named a global-buffer-overflow "asan:global" at "?").  Such a report
 * cannot be named here, nor told a read from a write, so the run ends:
 * the campaign replays the crash in a fresh process, which names it.
 */
#define ASAN_REPORT_BUFFER (1u << 16) /* compiler-rt's kErrorMessageBufferSize */

static bool report_cut_short(const char *line)
{
	const char *end = strchr(line, '\n');

	return end == NULL || strstr(end, "\n    #0 ") == NULL;
}

/*
 * ASan names a bad access to the loader's large blocks (fuzz/fw/arena.c)
 * "use-after-poison", without the block's stacks: say what it is, as ASan
 * would for a heap block, and which calls, from where, made and freed it.
 */
static __attribute__((unused)) bool explain_poisoned(const char *line, struct fw_bad_access *bad)
{
	const char *at = "use-after-poison on address 0x";
	char alloc_at[200], free_at[240] = "";
	uintptr_t addr;

	if (strncmp(line, at, strlen(at)) != 0)
		return false;
	addr = (uintptr_t)strtoull(line + strlen(at), NULL, 16);
	if (!fw_explain_bad_access(addr, bad))
		return false;
	snprintf(alloc_at, sizeof(alloc_at), "%s", where_is(bad->alloc_site));
	if (bad->free_service != NULL)
		snprintf(free_at, sizeof(free_at), ", freed by %s (call %u, at %s)",
			 bad->free_service, bad->free_call, where_is(bad->free_site));
	fprintf(stderr, "ebsfuzz: this use-after-poison is a %s: %s, at %s%s\n", bad->kind,
		bad->what, alloc_at, free_at);
	return true;
}

/*
 * Name an ASan report: "asan:KIND" at the innermost frame that is the
 * loader's ("FILE:LINE" when symbolized; unsymbolized, as under AFL++, the
 * main executable's frames as "pcs:OFF,OFF,...", which the campaign
 * resolves).
 */
static __attribute__((unused)) void asan_report(const char *report)
{
	char kind[64] = "asan:", where[200] = "", pcs[200] = "pcs:", message[200] = "";
	const char *line = NULL, *next = report, *own;
	struct fw_bad_access bad;
	bool renamed;
	size_t n;

	/* This report is the last one in the buffer (see report_cut_short()),
	 * or not there at all if what came before filled it. */
	while ((next = strstr(next, "ERROR: AddressSanitizer: ")) != NULL)
		line = next++;
	if (line == NULL && strlen(report) < ASAN_REPORT_BUFFER - 1)
		return;
	renamed = false;
	if (line != NULL) {
		line += strlen("ERROR: AddressSanitizer: ");
		renamed = explain_poisoned(line, &bad);
	}
	if (dir == NULL)
		return;
	if (line == NULL || report_cut_short(line))
		end_run("ASan's report arrived cut short (other sanitizer output filled its "
			"buffer): the run ends, and the crash is named in a fresh process");
	own = line; /* the walk over the frames below moves line */
	n = renamed ? strlen(bad.kind) : strcspn(line, " :\n"); /* "negative-size-param: (size=-1)" */
	snprintf(kind + 5, sizeof(kind) - 5, "%.*s", (int)n, renamed ? bad.kind : line);
	if (renamed)
		snprintf(message, sizeof(message), "%s: %s", bad.kind, bad.what);
	else
		snprintf(message, sizeof(message), "%.*s", (int)strcspn(line, "\n"), line);
	for (line = strstr(line, "\n"); line != NULL && where[0] == 0; line = strstr(line + 1, "\n")) {
		const char *in = strstr(line, " in "), *end = strchr(line + 1, '\n');
		const char *plus = strstr(line, "+0x");
		char file[160];
		size_t len;

		if (end == NULL)
			end = line + strlen(line);
		if (strncmp(line, "\n    #", 6) != 0)
			continue;
		if (in != NULL && in < end) {
			/* "in FUNCTION FILE:LINE:COL", or "in FUNCTION (MODULE+0xOFF)"
			 * for code without line information: skipped. */
			const char *loc = in + 4;

			loc += strcspn(loc, " \n");
			loc += *loc == ' ';
			len = strcspn(loc, " \n");
			snprintf(file, sizeof(file), "%.*s", (int)len, loc);
			file[strcspn(file, ":")] = 0;
			if (file[0] != 0 && file[0] != '(' && strchr(loc, ':') < loc + len &&
			    loader_frame(file)) {
				/* FILE:LINE of FILE:LINE:COL */
				snprintf(where, sizeof(where), "%.*s", (int)len, loc);
				if (strrchr(where, ':') != strchr(where, ':'))
					*strrchr(where, ':') = 0;
			}
		} else if (plus != NULL && plus < end && strlen(pcs) + 20 < sizeof(pcs)) {
			snprintf(pcs + strlen(pcs), sizeof(pcs) - strlen(pcs), "%s%.*s",
				 pcs[4] != 0 ? "," : "", (int)strcspn(plus + 1, ")\n"), plus + 1);
		}
	}
	prove(kind, where[0] != 0 ? where : pcs[4] != 0 ? pcs : "?",
	      fw_outside_rules_so_far() ? CLASS_NONCOMPLIANT : CLASS_COMPLIANT, message);
	if (strstr(own, "WRITE of size ") != NULL)
		end_run("an out-of-bounds write ends the run (going on would corrupt memory)");
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
	if (v != NULL && *v != 0)
		crash_on = strtoull(v, NULL, 16);
#ifdef EBSFUZZ_ASAN
	/* Every ASan build: a report on the arena gets its explanation. */
	__asan_set_error_report_callback(asan_report);
#endif
	if (dir == NULL)
		return;
	opt->keep_going = true;
	atexit(flush_counts);
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
}

/**
 * findings_end_run() - write down what the run proved.
 * @result: the firmware's account of the run.
 */
void findings_end_run(const struct fw_result *result)
{
	unsigned i;

	if (dir == NULL)
		return;
	for (i = 0; i < result->n_violations; i++) {
		const struct fw_violation *v = &result->violations[i];

		prove(fw_invariant_names[v->invariant], where_is(v->caller), v->class, v->message);
	}
	for (i = 0; i < n_run_proved; i++)
		write_down(&run_proved[i]);
	n_run_proved = 0;
}
