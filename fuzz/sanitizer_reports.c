/* SPDX-License-Identifier: MIT */
/*
 * sanitizer_reports.c - what the sanitizers report about the loader, as
 * findings: UBSan's reports about the loader's own C become loader-ub, and
 * ASan's reports are named by their kind and the innermost frame that is
 * the loader's (fuzz/findings.c records them).  Also where a report on
 * the fake firmware's arena (fuzz/fw/arena.c) gets its explanation, and
 * where a bad write outside the loader's blocks, or a report too cut short
 * to be named, ends the run.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asan_pool.h"
#include "findings_internal.h"
#include "loader_code.h"
#include "sanitizers.h"
#include "statics.h"

/* UBSan's interface, present only in builds that have it. */
void __ubsan_get_current_report_data(const char **kind, const char **message,
				     const char **file, unsigned *line, unsigned *column,
				     char **address) __attribute__((weak));

/*
 * UBSan calls this for every report before printing it.  A report about
 * the loader's own C (misalignment at a stride the firmware chose, pointer
 * arithmetic never dereferenced, a shift) is loader-ub: recorded, never
 * the end of the run.  But a division by zero traps on x86 just after
 * UBSan's report: the deadly signal names it, at the same line and with
 * the run's class (fuzz/signals.c), so it is not recorded here too (it
 * was a second row, loader-ub, "ends no run", beside the FPE of the same
 * division: memtest86+'s and Syslinux's ports, divisions by a
 * DescriptorSize left at 0).
 */
void __ubsan_on_report(void)
{
	const char *kind = NULL, *message = NULL, *file = NULL;
	unsigned line = 0, column = 0;
	char *address = NULL, where[200], what[80];

	if (!findings_recording() || __ubsan_get_current_report_data == NULL)
		return;
	__ubsan_get_current_report_data(&kind, &message, &file, &line, &column, &address);
	if (kind == NULL || file == NULL || findings_harness_file(file))
		return;
#if defined(__x86_64__) || defined(__i386__)
	if (strcmp(kind, "integer-divide-by-zero") == 0)
		return;
#endif
	snprintf(where, sizeof(where), "%s:%u", file, line);
	snprintf(what, sizeof(what), "ubsan:%s", kind);
	findings_prove(what, where, CLASS_LOADER_UB, message != NULL ? message : kind);
}

/* A frame of a report's stack outside the harness and the C library. */
static bool loader_frame(const char *file)
{
	return !findings_harness_file(file) && strstr(file, "compiler-rt") == NULL &&
	       strncmp(file, "/usr/", 5) != 0 && strstr(file, "sysdeps/") == NULL &&
	       strstr(file, "csu/") == NULL;
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

static bool report_cut_short(const char *report, const char *line)
{
	const char *end = strchr(line, '\n'), *summary;

	if (end == NULL || strstr(end, "\n    #0 ") == NULL)
		return true;
	if (strlen(report) < ASAN_REPORT_BUFFER - 1)
		return false;
	/* A full buffer lost the report's tail, where the SUMMARY line names
	 * its kind: without it an allocation-size-too-big of the FreeBSD
	 * port's was named "asan:requested", from its ERROR line. */
	summary = strstr(end, "\nSUMMARY: AddressSanitizer: ");
	return summary == NULL || strchr(summary + 1, '\n') == NULL;
}

/*
 * ASan names a bad access to the loader's blocks (fuzz/fw/arena.c)
 * "use-after-poison", without the block's stacks: say what it is, as ASan
 * would for a heap block, and which calls, from where, made and freed it.
 * A free() the loader's heap refused is reported as an access to the
 * pointer (fuzz/loader_heap.c), which ASan calls "unknown-crash" when it
 * lies inside a live block.
 */
static __attribute__((unused)) bool explain_poisoned(const char *line, struct fw_bad_access *bad)
{
	static const char *const asan_kinds[] = { "use-after-poison", "unknown-crash" };
	static const char on[] = " on address 0x";
	const char *size = strstr(line, " of size "), *asan_kind = NULL;
	char alloc_at[200], free_at[240] = "", call[32] = "";
	uintptr_t addr;
	unsigned i;

	for (i = 0; i < sizeof(asan_kinds) / sizeof(asan_kinds[0]); i++)
		if (strncmp(line, asan_kinds[i], strlen(asan_kinds[i])) == 0 &&
		    strncmp(line + strlen(asan_kinds[i]), on, strlen(on)) == 0)
			asan_kind = asan_kinds[i];
	if (asan_kind == NULL)
		return false;
	addr = (uintptr_t)strtoull(line + strlen(asan_kind) + strlen(on), NULL, 16);
	/* "READ of size 4 at 0x...": an access that runs past a block's end. */
	if (!fw_explain_bad_access(addr, size != NULL ? (size_t)strtoull(size + 9, NULL, 10) : 1,
				   bad))
		return false;
	snprintf(alloc_at, sizeof(alloc_at), "%s", findings_where_is(bad->alloc_site));
	if (bad->free_call != 0)
		snprintf(call, sizeof(call), "call %u, ", bad->free_call);
	if (bad->free_service != NULL)
		snprintf(free_at, sizeof(free_at), ", freed by %s (%sat %s)", bad->free_service, call,
			 findings_where_is(bad->free_site));
	fprintf(stderr, "ebsfuzz: this %s is a %s: %s, at %s%s\n", asan_kind, bad->kind, bad->what,
		alloc_at, free_at);
	return true;
}

/*
 * A SEGV in pages the loader freed (ram.c makes them inaccessible): say
 * whose they were, which calls made and freed them; in the machine's
 * memory no allocation holds, what the map has there.  ASan's own report
 * names only an "unknown address".
 */
static __attribute__((unused)) void explain_segv(const char *line)
{
	static const char segv[] = "SEGV on unknown address 0x";
	struct fw_bad_access bad;
	char alloc_at[200];

	if (strncmp(line, segv, strlen(segv)) != 0 ||
	    !fw_explain_fault((uintptr_t)strtoull(line + strlen(segv), NULL, 16), &bad))
		return;
	if (bad.free_service == NULL) {
		fprintf(stderr, "ebsfuzz: this SEGV is a %s: %s\n", bad.kind, bad.what);
		return;
	}
	snprintf(alloc_at, sizeof(alloc_at), "%s", findings_where_is(bad.alloc_site));
	fprintf(stderr, "ebsfuzz: this SEGV is a %s: %s, at %s, freed by %s (call %u, at %s)\n",
		bad.kind, bad.what, alloc_at, bad.free_service, bad.free_call,
		findings_where_is(bad.free_site));
}

/* A bad write that can harm only the loader's own memory: its blocks and
 * pages (fuzz/fw/arena.c), or its zero-initialised statics (fuzz/statics.c). */
static bool take_stray_write(uintptr_t addr, size_t size)
{
	if (loader_statics_take_stray_write(addr, size))
		fw_guard_after_stray_write();
	else if (!fw_take_stray_write(addr, size))
		return false;
	findings_note_write_astray();
	return true;
}

/*
 * Whether a bad write (its ERROR line @line, "...\nWRITE of size N at
 * 0xADDR ...") can only have changed the loader's blocks and what lies
 * between them, or its pages (fuzz/fw/arena.c), or its zero-initialised
 * statics (fuzz/statics.c), so that the run may go on: a loader that
 * writes past its map buffer on every run would otherwise end every
 * libFuzzer process it runs in, which restarts and replays its corpus.
 */
static bool write_harmless(const char *line)
{
	const char *w = strstr(line, "WRITE of size "), *at, *eol;
	unsigned long long size, addr;

	if (w == NULL)
		return false;
	size = strtoull(w + strlen("WRITE of size "), NULL, 10);
	at = strstr(w, " at 0x");
	eol = strchr(w, '\n');
	if (at == NULL || (eol != NULL && eol < at))
		return false;
	addr = strtoull(at + strlen(" at 0x"), NULL, 16);
	return take_stray_write((uintptr_t)addr, (size_t)size);
}

/*
 * Whether the access a report names (its ERROR line @line, "... at pc
 * 0xPC bp ...") was the loader's own: an instruction of its code, or a
 * copy or fill it called (reported at its call, fuzz/loader_code.c).  ASan
 * reports each place once per process; a place in the C library or the
 * firmware is every caller's, so a run that went on from a bad write
 * there would leave every later one through it unreported, wherever it
 * lands.  A bad read there goes on: what the same place reads later can
 * go unreported, but changes nothing (the firmware's oracle reads, from
 * the loader's buffer, the bytes it wrote past a block the loader claimed
 * was larger: the Limine port's map).
 */
static bool raised_in_loader_code(const char *line)
{
	const char *at = strstr(line, " at pc 0x"), *eol = strchr(line, '\n');

	if (at == NULL || (eol != NULL && eol < at))
		return false;
	return loader_code_contains((uintptr_t)strtoull(at + strlen(" at pc 0x"), NULL, 16));
}

/*
 * A process that let a bad write go on, at its first block too large for
 * the arena (fw_arena_set_heap_guard()): it ends as if it had not started
 * the run, exit status 0, so that neither the fuzzer nor a minimiser takes
 * it for a crash; the next process starts clean.  What the run proved so
 * far is written down.
 */
static __attribute__((unused)) _Noreturn void end_before_heap(void)
{
	findings_write_down_now();
	fprintf(stderr, "ebsfuzz: the loader's blocks outgrew the arena after a bad write went on: "
			"the process ends, and the next one starts clean\n");
	_exit(0);
}

/*
 * Whether ASan's report of a deadly signal (@line: "SEGV on unknown
 * address 0x... ", then "The signal is caused by a WRITE memory access")
 * is a write running on past memory a bad write of the loader's was let
 * go on in: no finding, as in the fuzzing workers (fuzz/signals.c).  The
 * campaign's pass over the seeds and its replays of crashes keep ASan's
 * handler (fuzz/replay.c), so they see such faults through ASan.
 */
static __attribute__((unused)) bool write_ran_off(const char *line)
{
	static const char segv[] = "SEGV on unknown address 0x";

	return strncmp(line, segv, strlen(segv)) == 0 &&
	       strstr(line, "caused by a WRITE memory access") != NULL &&
	       signals_write_ran_off((uintptr_t)strtoull(line + strlen(segv), NULL, 16));
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
	const char *line = NULL, *next = report, *own, *name;
	struct fw_bad_access bad;
	bool renamed;
	size_t n;

	asan_pool_note_report();

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
		explain_segv(line);
	}
	if (!findings_recording())
		return;
	if (line == NULL || report_cut_short(report, line))
		findings_end_run_now("ASan's report arrived cut short (other sanitizer output filled its "
			"buffer): the run ends, and the crash is named in a fresh process");
	own = line; /* the walk over the frames below moves line */
	/* The kind as the SUMMARY line spells it ("requested allocation size
	 * ... exceeds" is allocation-size-too-big), else the ERROR line's
	 * first word ("negative-size-param: (size=-1)"). */
	name = strstr(line, "\nSUMMARY: AddressSanitizer: ");
	name = renamed ? bad.kind : name != NULL ? name + strlen("\nSUMMARY: AddressSanitizer: ") : line;
	n = strcspn(name, " :\n");
	snprintf(kind + 5, sizeof(kind) - 5, "%.*s", (int)n, name);
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
	if (where[0] == 0)
		snprintf(where, sizeof(where), "%s", pcs[4] != 0 ? pcs : "?");
	if (!write_ran_off(own))
		findings_prove(kind, where,
			       fw_outside_rules_so_far() ? CLASS_NONCOMPLIANT : CLASS_COMPLIANT,
			       message);
	findings_write_down_now();
	if (strstr(own, "WRITE of size ") != NULL && loader_code_judges_this_write())
		return; /* judged when the report has returned: sanitizer_reports_write_went_on() */
	if (strstr(own, "WRITE of size ") != NULL && !raised_in_loader_code(own))
		findings_end_run_now("a bad write reported in the C library's or the firmware's code ends "
				     "the run (ASan reports that place once per process, for every caller)");
	if (strstr(own, "WRITE of size ") != NULL && !write_harmless(own))
		findings_end_run_now("an out-of-bounds write ends the run (going on would corrupt memory)");
}

/**
 * sanitizer_reports_write_went_on() - a bad write of the loader's copy or
 * fill (fuzz/loader_code.c) that ASan let go on, reported now or at an
 * earlier run: end the run unless it can harm only the loader's memory.
 * @addr: the first bad byte.
 * @size: the size of the range written.
 */
void sanitizer_reports_write_went_on(uintptr_t addr, size_t size)
{
#ifdef EBSFUZZ_ASAN
	if (!findings_recording() || take_stray_write(addr, size))
		return;
	/* The write is not made yet, and this is no longer inside ASan's
	 * report: a worker that ends runs at deadly signals ends this one
	 * the same way (fuzz/signals.c), and fuzzes on. */
	if (signals_end_runs()) {
		findings_write_down_now();
		fw_end_run_on_signal();
	}
	findings_end_run_now("an out-of-bounds write ends the run (going on would corrupt memory)");
#else
	(void)addr;
	(void)size;
#endif
}

/**
 * sanitizer_reports_init() - hand ASan's reports to asan_report(), in
 * every ASan build: a report on the arena gets its explanation even when
 * nothing is recorded.
 */
void sanitizer_reports_init(void)
{
	fw_set_place_namer(findings_inlined_lines);
#ifdef EBSFUZZ_ASAN
	__asan_set_error_report_callback(asan_report);
	fw_arena_set_heap_guard(end_before_heap);
	fw_set_loader_access_report(loader_code_report_access);
	fw_set_loader_copies(loader_code_move, loader_code_fill);
	loader_code_set_write_judge(sanitizer_reports_write_went_on);
	fw_set_class_hook(asan_pool_switch_class);
#endif
}
