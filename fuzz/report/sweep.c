/* SPDX-License-Identifier: MIT */
/*
 * sweep.c - how a report card measures what sweep_plan.c planned: the
 * firmware of each cell as scn text, the growth asked of it, and the
 * searches.
 *
 * Growth is asked for as firmware allocations of +2 descriptors (carved
 * from the middle of a free range) and one of +1 for an odd count, so
 * that any count is reachable on any starting map (a run of +1 pages
 * merges with its neighbours after two per free range; exit-boot.md 2.4:
 * EDK2 carves top, bottom or middle).  What counts is the firmware's own
 * measure: the growth of the size GetMemoryMap() demands from the loader's
 * first call, as the liveness invariant counts it, so the loader's own
 * allocation after its size query is part of it.
 */
#include <stdio.h>
#include <string.h>

#include "sweep.h"

/* Why a U-Boot cell has no figure (fuzz/fw/uboot.c, docs/uboot.md). */
static const char uboot_static_map[] =
	"nothing changes U-Boot's map between a read and the exit";

/* Firmware allocations that grow the map by @t descriptors: +2 each, and
 * one +1 for an odd count; pool allocations of 4 KiB, which EDK2 serves
 * from pages (above its 2688-byte pool class, exit-boot.md 2.4). */
static size_t growth_lines(const struct measure *m, unsigned t, unsigned at, char *out, size_t size)
{
	const char *action = m->pool ? "alloc-pool BootServicesData amount=4096"
				     : "alloc-pages BootServicesData amount=1";
	char prefix[64];
	unsigned pairs = t / 2, chunk;
	size_t n = 0;

	if (m->trigger == TRIGGER_BEFORE_EXIT)
		snprintf(prefix, sizeof(prefix), "handler before-exit once");
	else if (m->trigger == TRIGGER_EXIT)
		snprintf(prefix, sizeof(prefix), "handler exit once");
	else
		snprintf(prefix, sizeof(prefix), "timer %s at=%u period=0",
			 m->trigger == TRIGGER_AFTER_QUERY ? "at-call" : "after-map", at);
	for (; pairs > 0; pairs -= chunk) {
		chunk = pairs < 16 ? pairs : 16;
		n += (size_t)snprintf(out + n, n < size ? size - n : 0, "%s %s delta=+2 repeat=%u\n",
				      prefix, action, chunk);
	}
	if (t % 2)
		n += (size_t)snprintf(out + n, n < size ? size - n : 0, "%s %s delta=+1 repeat=1\n",
				      prefix, action);
	return n;
}

/* Where the timer of @m goes, from the run without growth; 0 if nowhere. */
static unsigned timer_at(struct measure *m)
{
	const struct outcome *z = &m->zero;
	unsigned at = 0;

	if (m->trigger == TRIGGER_AFTER_READ)
		at = z->reads_before_exit ? z->reads_before_exit : 1;
	else if (m->trigger == TRIGGER_AFTER_QUERY && z->first_map_too_small)
		at = z->first_map_call + 1;
	else if (m->trigger == TRIGGER_AFTER_QUERY)
		snprintf(m->na, sizeof(m->na), "no size query: its first GetMemoryMap reads the map");
	if (at > 255) { /* the field is a byte */
		snprintf(m->na, sizeof(m->na), "its first GetMemoryMap is call %u", at - 1);
		at = 0;
	}
	return at;
}

/* One point of @m; true if the loader exits and breaks no rule. */
static bool run(struct measure *m, const struct report_env *env, const char *text,
		struct outcome *o)
{
	point_run(env, report_loaders[m->loader].fn, text, o, &m->trips);
	m->points++;
	m->mem_points += o->mem_after_fail > 0;
	if (env->verbose) {
		char how[REPORT_DESC_MAX];

		outcome_describe(o, how, sizeof(how));
		fprintf(stderr, "# %s %s: growth %u, %s\n%s", report_loaders[m->loader].name, m->id,
			o->growth, how, text);
	}
	return o->exited && !outcome_bad(o);
}

/* Run the loader with growth @t asked of the firmware. */
static bool try_growth(struct measure *m, const struct report_env *env, unsigned t, unsigned at,
		       struct outcome *o)
{
	char text[REPORT_SCN_MAX];
	size_t n = (size_t)snprintf(text, sizeof(text), "%s", m->base);

	if (t > 0)
		growth_lines(m, t, at, text + n, sizeof(text) - n);
	return run(m, env, text, o);
}

/* A point past the survived growth: keep the first, and the first bad
 * one, and the least growth any failing point saw. */
static void note_failure(struct measure *m, unsigned t, const struct outcome *o, unsigned *first,
			 unsigned *first_bad)
{
	if (o->growth < m->failed_growth)
		m->failed_growth = o->growth;
	if (t < *first) {
		*first = t;
		m->beyond = *o;
	}
	if (outcome_bad(o) && t < *first_bad) {
		*first_bad = t;
		m->bad = true;
		m->bad_growth = o->growth;
		outcome_describe(o, m->bad_desc, sizeof(m->bad_desc));
	}
}

/* The figure is the most growth any surviving point saw: the loader's own
 * allocations add to the firmware's, and not always by the same amount. */
static void note_survival(struct measure *m, const struct outcome *o)
{
	if (o->growth > m->survived)
		m->survived = o->growth;
}

/*
 * Exponential then binary search for the largest growth the loader still
 * exits after, assuming that survival does not come back once lost (a
 * larger map never fits a buffer a smaller one did not).  The largest
 * growth is always tried too, so that a bad failure far beyond shows.
 */
static void search_headroom(struct measure *m, const struct report_env *env)
{
	unsigned lo = 0, hi = 0, first = ~0u, first_bad = ~0u, at, t;
	struct outcome o;

	m->failed_growth = ~0u;
	if (!try_growth(m, env, 0, 0, &m->zero)) {
		m->fails_at_zero = true;
		note_failure(m, 0, &m->zero, &first, &first_bad);
		return;
	}
	m->survived = m->zero.growth;
	if (m->trigger == TRIGGER_NONE) {
		m->skipped = true;
		snprintf(m->na, sizeof(m->na), "%s", uboot_static_map);
		return;
	}
	at = timer_at(m);
	if (m->trigger >= TRIGGER_AFTER_READ && at == 0) {
		m->skipped = true;
		return;
	}
	for (t = 1; t <= REPORT_CAP_GROWTH && hi == 0; t *= 2) {
		if (try_growth(m, env, t, at, &o)) {
			lo = t;
			note_survival(m, &o);
		} else {
			hi = t;
			note_failure(m, t, &o, &first, &first_bad);
		}
	}
	while (hi > lo + 1) {
		t = lo + (hi - lo) / 2;
		if (try_growth(m, env, t, at, &o)) {
			lo = t;
			note_survival(m, &o);
		} else {
			hi = t;
			note_failure(m, t, &o, &first, &first_bad);
		}
	}
	m->capped = hi == 0;
	m->asked = lo;
	if (hi != 0 && hi < REPORT_CAP_GROWTH) {
		if (try_growth(m, env, REPORT_CAP_GROWTH, at, &o))
			m->non_monotone = true; /* exits again far beyond: said, not counted */
		else
			note_failure(m, REPORT_CAP_GROWTH, &o, &first, &first_bad);
	}
	m->non_monotone |= !m->capped && m->survived >= m->failed_growth;
}

/*
 * Refusals in a row.  The first refusal is within every rule: exit events
 * are signalled once (UEFI 2.10 section 7.4.6), so compliant firmware
 * changes the map during one failed exit at most.  More need firmware that
 * refuses again after a failure - a driver that keeps changing the map, a
 * firmware bug (F20) - beyond what liveness asks a loader to survive (the
 * referee calls such firmware non-compliant).  Refusal 1 comes from a
 * one-shot timer between the last read and the exit that moves one page
 * between neighbours (delta 0: the key changes, the size does not, so a
 * loader that passes its old key fails); refusals 2 and more are answered
 * EFI_INVALID_PARAMETER by the firmware whatever the key.  Only the retry
 * logic is measured, not the slack.  EDK2 2022: no BEFORE group, timers
 * live until the first exit.
 */
static void search_retries(struct measure *m, const struct report_env *env)
{
	char text[REPORT_SCN_MAX];
	unsigned k, i, first = ~0u, first_bad = ~0u, reads;
	struct outcome o;

	m->failed_growth = ~0u;
	if (!run(m, env, m->base, &m->zero)) {
		m->fails_at_zero = true;
		note_failure(m, 0, &m->zero, &first, &first_bad);
		return;
	}
	reads = m->zero.reads_before_exit ? m->zero.reads_before_exit : 1;
	for (k = 1; k <= REPORT_MAX_REFUSALS; k++) {
		size_t n = (size_t)snprintf(text, sizeof(text), "%s", m->base);

		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "timer after-map at=%u period=0 alloc-pages "
				      "BootServicesData amount=1 delta=0 repeat=1\n",
				      reads);
		for (i = 2; i <= k; i++)
			n += (size_t)snprintf(text + n, sizeof(text) - n,
					      "inject ExitBootServices nth=%u status=EFI_INVALID_PARAMETER\n",
					      i);
		if (!run(m, env, text, &o)) {
			note_failure(m, k, &o, &first, &first_bad);
			return;
		}
		m->survived = o.failed_exits;
		m->asked = k;
	}
	m->capped = true;
}

/**
 * sweep_measure() - take one measurement.
 * @m: its definition; the result is filled in.
 * @env: firmware options and timeout.
 */
void sweep_measure(struct measure *m, const struct report_env *env)
{
	if (!m->skipped) {
		if (m->kind == KIND_HEADROOM)
			search_headroom(m, env);
		else if (m->kind == KIND_RETRIES)
			search_retries(m, env);
		else
			run(m, env, m->base, &m->zero);
	}
	m->done = true;
}
