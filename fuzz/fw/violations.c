/* SPDX-License-Identifier: MIT */
/*
 * violations.c - how a broken invariant is reported: kept with its call,
 * its place in the loader and its class, printed as one report line, and
 * the run ended or the process aborted when it has to be; and the reasons
 * a run owes no boot.  The rules themselves are in invariants.c and
 * end_of_run.c.
 *
 * Most violations are recorded and the run goes on, the firmware answering
 * as the personality's real firmware does, so that one run shows what the
 * loader does next (GRUB prints after a failed exit, then lets the firmware
 * write into freed memory: two findings, one input).  A few are fatal: the
 * run cannot meaningfully go on (a call through a table torn down by a
 * successful exit, a map buffer in freed memory, a loop that never ends).
 * Memory errors are ASan's, and fatal too.  At the end of a run with
 * violations the process aborts, so fuzzers record a crash, unless the
 * findings campaign asked to keep going (fw_options.keep_going); with
 * EBSFUZZ_FIRST=1 the first violation aborts at once.  Violations of the
 * classes EBSFUZZ_FAIL_ON leaves out (fw_options.lenient_classes) end no
 * process: a loader project on OSS-Fuzz chooses which are its bugs.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The names and what each rests on; README's Invariants table says the same. */
const char *const fw_invariant_names[INV_COUNT] = {
	[INV_BUFFER_BOUNDS] = "buffer-bounds",	     /* UEFI 2.10 7.2.3; L4, L10 */
	[INV_TERMINATION] = "termination",	     /* no end at all: L6, L13 */
	[INV_FORBIDDEN_CALL] = "forbidden-call",     /* UEFI 2.10 7.4.6, 7.1; L3, L5 */
	[INV_CALL_AFTER_GIVING_UP] = "call-after-giving-up", /* UEFI 2.10 7.4.6; L5 */
	[INV_STALE_KEY] = "stale-key",		     /* UEFI 2.10 7.4.6; L8 */
	[INV_STALE_MAP] = "stale-map",		     /* UEFI 2.10 7.4.6 */
	[INV_LEAK] = "leak",			     /* hygiene, not a UEFI rule */
	[INV_STATUS] = "status",		     /* the loader contract */
	[INV_LIVENESS] = "liveness",		     /* see oracle_check_end() */
	[INV_ARGUMENT_ALIGNMENT] = "argument-alignment", /* UEFI 2.10 2.3.1; args.c */
	[INV_HANG] = "hang",			     /* a halt no liveness judges: run.c */
};

const char *const fw_class_names[CLASS_COUNT] = {
	[CLASS_COMPLIANT] = "compliant",
	[CLASS_NONCOMPLIANT] = "noncompliant",
	[CLASS_GIVING_UP] = "giving-up",
	[CLASS_LOADER_UB] = "loader-ub",
};

/*
 * One function per invariant ends the process, so that a crash's stack
 * names the invariant and crash deduplication (ClusterFuzz keys on the top
 * frames) tells them apart even when the run ended after recording.  The
 * volatile store keeps the compiler from folding them into one.
 */
static volatile int aborting_for;
#define INVARIANT_ABORT(fn, inv)                                                               \
	static __attribute__((noinline)) _Noreturn void fn(void)                               \
	{                                                                                      \
		aborting_for = inv;                                                            \
		abort();                                                                       \
	}
INVARIANT_ABORT(ebsfuzz_invariant_buffer_bounds, INV_BUFFER_BOUNDS)
INVARIANT_ABORT(ebsfuzz_invariant_termination, INV_TERMINATION)
INVARIANT_ABORT(ebsfuzz_invariant_forbidden_call, INV_FORBIDDEN_CALL)
INVARIANT_ABORT(ebsfuzz_invariant_call_after_giving_up, INV_CALL_AFTER_GIVING_UP)
INVARIANT_ABORT(ebsfuzz_invariant_stale_key, INV_STALE_KEY)
INVARIANT_ABORT(ebsfuzz_invariant_stale_map, INV_STALE_MAP)
INVARIANT_ABORT(ebsfuzz_invariant_leak, INV_LEAK)
INVARIANT_ABORT(ebsfuzz_invariant_status, INV_STATUS)
INVARIANT_ABORT(ebsfuzz_invariant_liveness, INV_LIVENESS)
INVARIANT_ABORT(ebsfuzz_invariant_argument_alignment, INV_ARGUMENT_ALIGNMENT)
INVARIANT_ABORT(ebsfuzz_invariant_hang, INV_HANG)

static _Noreturn void abort_for(enum fw_invariant inv)
{
	static void (*const abort_fn[INV_COUNT])(void) = {
		ebsfuzz_invariant_buffer_bounds, ebsfuzz_invariant_termination,
		ebsfuzz_invariant_forbidden_call, ebsfuzz_invariant_call_after_giving_up,
		ebsfuzz_invariant_stale_key, ebsfuzz_invariant_stale_map, ebsfuzz_invariant_leak,
		ebsfuzz_invariant_status, ebsfuzz_invariant_liveness,
		ebsfuzz_invariant_argument_alignment, ebsfuzz_invariant_hang,
	};

	if (fw.opt != NULL && fw.opt->trace != NULL)
		fflush(fw.opt->trace);
	fflush(stderr);
	abort_fn[inv]();
	abort(); /* not reached: the table holds only _Noreturn functions */
}

/* The class a violation gets now: the firmware's conduct so far decides.
 * What a loader does or leaves on its way out after giving up (a print, a
 * free, memory it does not free) cannot cost a boot that would otherwise
 * succeed: giving-up, whatever the firmware did.  A misaligned argument
 * costs none on the x86 firmware every loader here is built for: loader-ub,
 * as UBSan's reports about the loader's own C are. */
static enum fw_class class_now(enum fw_invariant inv)
{
	if (inv == INV_ARGUMENT_ALIGNMENT)
		return CLASS_LOADER_UB;
	if (inv == INV_CALL_AFTER_GIVING_UP || inv == INV_LEAK)
		return CLASS_GIVING_UP;
	/* A halt that owed no boot (liveness judges one that did) on firmware
	 * within the rules is the loader stopping where nothing better was
	 * owed; after a successful exit the contract asks it to return. */
	if (inv == INV_HANG && fw.outside_rules == 0 && fw.phase != PHASE_EXITED)
		return CLASS_GIVING_UP;
	return fw.outside_rules > 0 ? CLASS_NONCOMPLIANT : CLASS_COMPLIANT;
}

/* Names a return address in the loader as its lines of the source, one
 * "file:line" per line of the text, innermost first (the harness's
 * symbolizer, fw_set_place_namer()), or NULL. */
static const char *(*place_namer)(const void *pc);

/**
 * fw_set_place_namer() - how the trace names the loader's calls that led
 * to a violation's call (fuzz/places.c).
 * @namer: gives the lines a return address in the loader stands for.
 */
void fw_set_place_namer(const char *(*namer)(const void *pc))
{
	place_namer = namer;
}

/* Under a violation in the trace, the chain of the loader's calls that led
 * to its call, where it is longer than the one caller its findings row
 * names: a wrapper calling a wrapper (efilinux's malloc() through
 * allocate_pool(), five functions of Minoca's) named the same inner lines
 * for every path, and the row cannot say which; the trace can. */
static void trace_callers(const void *site, const struct fw_chain *chain)
{
	const void *pcs[2 + FW_SITE_OUTER_CALLERS];
	unsigned n, i, lines = 0;
	const char *text, *eol;

	if (fw.opt->trace == NULL || place_namer == NULL || site == NULL)
		return;
	pcs[0] = site;
	n = 1 + fw_chain_callers(chain, pcs + 1, 1 + FW_SITE_OUTER_CALLERS);
	for (i = 0; i < n; i++)
		for (text = place_namer(pcs[i]); text != NULL; text = eol != NULL ? eol + 1 : NULL) {
			eol = strchr(text, '\n');
			lines++;
		}
	/* The row names two of them already. */
	if (lines < 3)
		return;
	FW_TRACE("#   the loader's calls that led there, innermost first:\n");
	for (i = 0; i < n; i++)
		for (text = place_namer(pcs[i]); text != NULL; text = eol != NULL ? eol + 1 : NULL) {
			eol = strchr(text, '\n');
			FW_TRACE("#     %.*s\n", eol != NULL ? (int)(eol - text) : (int)strlen(text), text);
		}
}

/* Keep a violation; the same invariant at the same place in the loader
 * once only (a loop prints after every failed exit). */
static void record(enum fw_invariant inv, bool fatal, const void *caller,
		   const struct fw_chain *chain, const char *fmt, va_list ap)
{
	const void *from;
	struct fw_violation *v;
	unsigned i;

	if (chain == NULL)
		chain = fw_site_chain(caller);
	from = chain != NULL ? chain->from : NULL;

	for (i = 0; i < fw.n_violations; i++)
		if (fw.violations[i].invariant == inv && fw.violations[i].caller == caller &&
		    fw.violations[i].caller_from == from && !fatal)
			return;
	if (fw.n_violations < FW_MAX_VIOLATIONS)
		v = &fw.violations[fw.n_violations++];
	else if (fatal)
		v = &fw.violations[FW_MAX_VIOLATIONS - 1]; /* the one that ended the run */
	else
		return;
	v->invariant = (uint8_t)inv;
	v->class = (uint8_t)class_now(inv);
	v->fatal = fatal;
	v->call = fw.calls;
	v->caller = caller;
	v->caller_from = from;
	vsnprintf(v->message, sizeof(v->message), fmt, ap);
	FW_TRACE("# violation: %s (%s%s): %s\n", fw_invariant_names[inv],
		 fw_class_names[v->class], fatal ? ", fatal" : "", v->message);
	trace_callers(caller, chain);
	if (fw.opt->keep_going || (fw.opt->lenient_classes & (1u << v->class)))
		return;
	fprintf(stderr, "ebsfuzz: invariant %s violated: %s [%s]\n", fw_invariant_names[inv],
		v->message, fw_class_names[v->class]);
	if (fatal || fw.opt->first)
		abort_for(inv);
}

/**
 * oracle_violation() - record a broken invariant; the run goes on.
 * @inv: which one.
 * @fmt: what happened, and at which call.
 */
void oracle_violation(enum fw_invariant inv, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record(inv, false, fw.caller, NULL, fmt, ap);
	va_end(ap);
}

/**
 * oracle_violation_at() - as oracle_violation(), placed at another of the
 * loader's calls than the one being made.
 * @inv: which one.
 * @site: the return address of the loader's call the finding belongs to
 *	(struct fw_alloc's alloc_site); NULL: the call being made.
 * @chain: who called the function that made that call, kept with it
 *	(struct fw_alloc's alloc_chain); NULL: as the last call made at @site.
 * @fmt: what happened, and at which call.
 *
 * A leak is found when the loader returns, after its last call, which may
 * be any of its calls (a shared error print, the last GetMemoryMap() of a
 * loop): placed at the allocation still held, as LeakSanitizer places a
 * leak, its findings row names the line that needs the free.
 */
void oracle_violation_at(enum fw_invariant inv, const void *site, const struct fw_chain *chain,
			 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record(inv, false, site != NULL ? site : fw.caller, site != NULL ? chain : NULL, fmt, ap);
	va_end(ap);
}

/**
 * oracle_fatal() - record a broken invariant after which the run cannot go
 * on, and end the run (or the process, unless keep_going).
 * @inv: which one.
 * @fmt: what happened, and at which call.
 */
_Noreturn void oracle_fatal(enum fw_invariant inv, const char *fmt, ...)
{
	va_list ap;

	/* Calls made since a failed exit are not judged: the run ends here,
	 * and whether the loader was on its way out or about to try again is
	 * not known (esx-boot's retry loop ran out the call budget, and its
	 * frees between attempts were a way out it never took). */
	fw.n_pending = 0;
	va_start(ap, fmt);
	record(inv, true, fw.caller, NULL, fmt, ap);
	va_end(ap);
	fw.ended = END_FATAL;
	longjmp(fw.reset_jump, 1);
}

/* Whether reason @why is already kept.  A reason repeats from the same call
 * site (each change of a map without low memory, each empty descriptor), so
 * the same pointer is looked for first: one string compare per repeat was
 * 2.7% of a fuzzing run's time. */
static bool reason_known(const char *why)
{
	unsigned i;

	for (i = 0; i < fw.n_reasons; i++)
		if (fw.reasons[i].why == why)
			return true;
	for (i = 0; i < fw.n_reasons; i++)
		if (fw_same_text(fw.reasons[i].why, why)) /* compare.c */
			return true;
	return false;
}

static void (*class_hook)(bool outside_rules);

/**
 * fw_not_compliant() - take this run out of the liveness invariant.
 * @outside_rules: the firmware broke a rule, so violations from here on are
 *	non-compliant findings; false: it kept the rules, but no boot is owed.
 * @why: a static string; each reason is kept once, with the call it came at.
 *
 * The trace names every reason as it arises, so that a reader sees all of
 * them (the scenario's own are listed after its header).
 */
void fw_not_compliant(bool outside_rules, const char *why)
{
	if (reason_known(why))
		return;
	if (outside_rules && fw.outside_rules == 0 && class_hook != NULL)
		class_hook(true);
	if (fw.n_reasons < FW_MAX_REASONS)
		fw.reasons[fw.n_reasons++] = (struct fw_reason){ why, fw.calls, outside_rules, false };
	fw.outside_rules += outside_rules;
	if (fw.run_started)
		FW_TRACE("# %s: %s\n",
			 outside_rules ? "firmware outside the rules" : "liveness does not apply", why);
}

/**
 * fw_cannot_model() - take this run out of the liveness invariant for
 * what the fake machine cannot do that real firmware would (memory where
 * it has none, more events or tables than it keeps).
 * @why: a static string, as fw_not_compliant()'s.
 *
 * The firmware kept the rules; the harness is what falls short, and a
 * loader that meets such a limit in every run is never held to liveness:
 * the findings campaign counts these runs and says so (fuzz/findings.c).
 */
void fw_cannot_model(const char *why)
{
	unsigned before = fw.n_reasons;

	fw_not_compliant(false, why);
	if (fw.n_reasons > before)
		fw.reasons[fw.n_reasons - 1].machine_limit = true;
}

bool fw_outside_rules_so_far(void)
{
	return fw.outside_rules > 0;
}

/**
 * fw_set_class_hook() - be told when fw_outside_rules_so_far() changes:
 * true once the firmware of a run first breaks a rule, false when the next
 * run starts after such a run.
 * @hook: the harness's (fuzz/asan_pool.c), or NULL.
 */
void fw_set_class_hook(void (*hook)(bool outside_rules))
{
	class_hook = hook;
}

const struct fw_violation *fw_violations_so_far(unsigned *count)
{
	*count = fw.n_violations;
	return fw.violations;
}

/**
 * oracle_reset() - forget what the last run's loader held and did.
 */
void oracle_reset(void)
{
	fw.last_read_valid = false;
	fw.size_queried = false;
	fw.last_getmap_call = 0;
	fw.first_required = fw.max_required = 0;
	fw.growth_noted = false;
	fw.caller = NULL;
	fw.n_violations = 0;
	fw.n_reasons = 0;
	if (fw.outside_rules > 0 && class_hook != NULL)
		class_hook(false);
	fw.outside_rules = 0;
	fw.built_in_address_refused = false;
	fw.address_taken_by_firmware = false;
	fw.max_address_unbacked = false;
	fw.address_unbacked = false;
	fw.low_memory_missing = false;
	fw.n_pending = 0;
	fw.run_started = false;
}

/**
 * oracle_end_run() - hand the run's violations and reasons over, and end
 * the process if any violation of a class that fails was recorded (unless
 * keep_going).
 * @result: filled in.
 */
void oracle_end_run(struct fw_result *result)
{
	const struct fw_violation *first = NULL;
	unsigned i, failing = 0;

	memcpy(result->violations, fw.violations, fw.n_violations * sizeof(fw.violations[0]));
	result->n_violations = fw.n_violations;
	memcpy(result->reasons, fw.reasons, fw.n_reasons * sizeof(fw.reasons[0]));
	result->n_reasons = fw.n_reasons;
	if (fw.opt->keep_going)
		return;
	for (i = 0; i < fw.n_violations; i++) {
		if (fw.opt->lenient_classes & (1u << fw.violations[i].class))
			continue;
		failing++;
		if (first == NULL)
			first = &fw.violations[i];
	}
	if (first == NULL)
		return;
	fprintf(stderr, "ebsfuzz: the run ended with %u violation%s (the first: %s)\n", failing,
		failing > 1 ? "s" : "", fw_invariant_names[first->invariant]);
	abort_for((enum fw_invariant)first->invariant);
}
