/* SPDX-License-Identifier: MIT */
/*
 * card.c - the figures of a card, drawn from its measurements: the value
 * of each cell, how the loader fails beyond it, the headline, the rules.
 */
#include <string.h>

#include "card.h"

/**
 * card_find() - a measurement of the card by its id.
 * @c: the card.
 * @id: as sweep_plan() names it ("over-report-116").
 *
 * Return: the measurement, or NULL.
 */
const struct measure *card_find(const struct card *c, const char *id)
{
	unsigned i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->m[i].id, id) == 0)
			return &c->m[i];
	return NULL;
}

const struct measure *card_grid(const struct card *c, unsigned p, unsigned dsize, bool pool)
{
	char id[40];

	snprintf(id, sizeof(id), "%s/%u/%s", scn_personality_names[p], dsize,
		 pool ? "pool" : "pages");
	return card_find(c, id);
}

/**
 * grid_figure() - the headroom of a grid cell: the smaller of its pool and
 * page figures.
 * @c: the card.
 * @p: enum scn_personality.
 * @dsize: DescriptorSize.
 * @value: out, descriptors of growth survived.
 * @none: out, no growth is survived (it fails even without).
 * @capped: out, both still exit at the largest growth asked.
 * @bad: out, either fails badly somewhere beyond.
 *
 * Return: false if the cell was not measured.
 */
bool grid_figure(const struct card *c, unsigned p, unsigned dsize, unsigned *value, bool *none,
		 bool *capped, bool *bad)
{
	bool measured = false;
	unsigned k;

	*value = ~0u;
	*none = *bad = false;
	*capped = true;
	for (k = 0; k < 2; k++) {
		const struct measure *m = card_grid(c, p, dsize, k == 1);

		if (m == NULL || m->skipped)
			continue;
		measured = true;
		*none |= m->fails_at_zero;
		*bad |= m->bad;
		*capped &= m->capped;
		if (!m->fails_at_zero && m->survived < *value)
			*value = m->survived;
	}
	if (*none)
		*capped = false;
	return measured;
}

/**
 * measure_value() - a measurement's figure as the card prints it.
 * @m: the measurement.
 * @buf: receives "32", "130+" (still exits at the largest growth asked),
 *	"none" (does not exit even without growth), "n/a" or "-" (skipped).
 * @size: its size.
 */
void measure_value(const struct measure *m, char *buf, size_t size)
{
	if (m == NULL)
		snprintf(buf, size, "-");
	else if (m->skipped)
		snprintf(buf, size, "%s", m->na[0] == 'E' ? "-" : "n/a");
	else if (m->fails_at_zero)
		snprintf(buf, size, "none");
	else
		snprintf(buf, size, "%u%s", m->survived, m->capped ? "+" : "");
}

/**
 * grid_value() - a grid cell as the card prints it: "pool/pages" when
 * they differ, then "!" if the loader fails badly somewhere beyond.
 * @c: the card.
 * @p: enum scn_personality.
 * @dsize: DescriptorSize.
 * @buf: receives the text.
 * @size: its size.
 */
void grid_value(const struct card *c, unsigned p, unsigned dsize, char *buf, size_t size)
{
	const struct measure *pool = card_grid(c, p, dsize, true);
	const struct measure *pages = card_grid(c, p, dsize, false);
	bool bad = (pool != NULL && pool->bad) || (pages != NULL && pages->bad);
	char a[24], b[24];

	measure_value(pool, a, sizeof(a));
	measure_value(pages, b, sizeof(b));
	/* Both still exit at the largest growth asked: the smaller lower
	 * bound says all there is to say. */
	if (pool != NULL && pages != NULL && pool->capped && pages->capped)
		snprintf(buf, size, "%u+", pool->survived < pages->survived ? pool->survived
									      : pages->survived);
	else if (strcmp(a, b) == 0)
		snprintf(buf, size, "%s%s", a, bad ? "!" : "");
	else
		snprintf(buf, size, "%s/%s%s", a, b, bad ? "!" : "");
}

/**
 * measure_beyond() - how the loader fails past its figure.
 * @m: the measurement.
 * @buf: receives "cleanly: returns ..." or "badly: violates ...", plus any
 *	bad failure further on.
 * @size: its size.
 */
void measure_beyond(const struct measure *m, char *buf, size_t size)
{
	char first[REPORT_DESC_MAX];
	bool first_bad = outcome_bad(&m->beyond);
	size_t n;

	/* A cell skipped after its run without growth exited (U-Boot's):
	 * that run was measured, and the quirk of a DescriptorSize withheld
	 * did not stop the loader.  memtest86+'s card said only "not
	 * measured", of a run that had exited. */
	if (m->skipped && m->zero.exited) {
		snprintf(buf, size, "exits with no growth; more not measured: %s", m->na);
		return;
	}
	if (m->skipped) {
		snprintf(buf, size, "not measured: %s", m->na);
		return;
	}
	if (m->capped) {
		snprintf(buf, size, "still exits at the largest %s asked",
			 m->kind == KIND_RETRIES ? "number of refusals" : "growth");
		return;
	}
	outcome_describe(&m->beyond, first, sizeof(first));
	n = (size_t)snprintf(buf, size, "%s: %s", first_bad ? "badly" : "cleanly", first);
	if (m->bad && !first_bad && n < size)
		snprintf(buf + n, size - n, "; badly at growth %u: %s", m->bad_growth, m->bad_desc);
}

/* How a loader that stops by itself stops, in one word. */
static const char *stop_word(const struct outcome *o)
{
	if (o->reset)
		return "resets";
	if (o->called_exit)
		return "Exit()";
	return o->halted ? "halts" : "returns";
}

/**
 * measure_short() - a few words for the comparison of loaders.
 * @m: the measurement.
 * @buf: receives them.
 * @size: its size.
 */
void measure_short(const struct measure *m, char *buf, size_t size)
{
	const struct outcome *o = m != NULL ? &m->zero : NULL;

	if (m == NULL || m->skipped || m->kind != KIND_ALWAYS_REFUSES)
		measure_value(m, buf, size);
	else if (outcome_stops_itself(o) && o->exited)
		snprintf(buf, size, "exits?");
	else if (outcome_stops_itself(o)) /* "!": a rule broken on the way, as in the grid */
		snprintf(buf, size, "%s after %u%s", stop_word(o), o->exit_attempts,
			 outcome_bad(o) ? "!" : "");
	else if (o->n_names > 0)
		snprintf(buf, size, "%s%s", o->names[0], o->n_names > 1 ? ",..." : "");
	else
		snprintf(buf, size, "%s", o->hang ? "hang" : "crash");
}

/* The first grid cell with the card's smallest figure. */
static void headline_cell(struct card *c)
{
	unsigned p, d, value;
	bool none, capped, bad;

	c->headroom = ~0u;
	for (p = 0; p < PERS_COUNT; p++)
		for (d = 0; d < REPORT_N_DSIZES; d++) {
			if (!grid_figure(c, p, report_dsizes[d], &value, &none, &capped, &bad))
				continue;
			c->measured = true;
			if (c->none || (!none && value >= c->headroom))
				continue;
			c->none = none;
			c->headroom = none ? 0 : value;
			c->capped = capped;
			snprintf(c->worst, sizeof(c->worst), "%s/%u", scn_personality_names[p],
				 report_dsizes[d]);
		}
}

/**
 * card_build() - draw a card's figures from its measurements.
 * @c: the card.
 * @m: the loader's measurements, in plan order.
 * @n: how many.
 * @loader: index in report_loaders.
 */
void card_build(struct card *c, struct measure *m, unsigned n, unsigned loader)
{
	unsigned i;

	memset(c, 0, sizeof(*c));
	c->loader = loader;
	c->m = m;
	c->n = n;
	headline_cell(c);
	for (i = 0; i < n; i++)
		trips_merge(&c->trips, &m[i].trips);
}

/**
 * card_headline() - "headroom: N descriptors (worst cell: P/D)".
 * @c: the card.
 * @buf: receives the line, without newline; N is "none" when a cell does
 *	not exit even without growth, "N+" when every cell exits at the
 *	largest growth asked.
 * @size: its size.
 */
void card_headline(const struct card *c, char *buf, size_t size)
{
	if (!c->measured)
		snprintf(buf, size, "headroom: not measured");
	else if (c->none)
		snprintf(buf, size, "headroom: none (worst cell: %s)", c->worst);
	else
		snprintf(buf, size, "headroom: %u%s descriptors (worst cell: %s)", c->headroom,
			 c->capped ? "+" : "", c->worst);
}

/**
 * card_trip() - what the card found for one rule.
 * @c: the card.
 * @name: an invariant name or a sanitizer's report.
 *
 * Return: the record, or NULL if no point broke it.
 */
const struct trip *card_trip(const struct card *c, const char *name)
{
	unsigned i;

	for (i = 0; i < c->trips.n; i++)
		if (strcmp(c->trips.t[i].name, name) == 0)
			return &c->trips.t[i];
	return NULL;
}

static bool listed(const char **names, unsigned n, const char *name)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

/**
 * card_rule_names() - the rules every card lists: the README's invariants
 * in its order, then whatever else any run reported, as first seen.
 * @out: the cards and the README's list.
 * @names: receives pointers to the names.
 * @max: room in @names.
 *
 * Return: how many.
 */
unsigned card_rule_names(const struct report_out *out, const char **names, unsigned max)
{
	unsigned n = 0, i, k;

	for (i = 0; i < out->n_rules && n < max; i++)
		if (!listed(names, n, out->rules[i]))
			names[n++] = out->rules[i];
	for (k = 0; k < out->n_cards; k++)
		for (i = 0; i < out->cards[k].trips.n && n < max; i++)
			if (!listed(names, n, out->cards[k].trips.t[i].name))
				names[n++] = out->cards[k].trips.t[i].name;
	return n;
}

static bool has_trip(const struct measure *m, const char *name)
{
	unsigned i;

	for (i = 0; m != NULL && i < m->trips.n; i++)
		if (strcmp(m->trips.t[i].name, name) == 0)
			return true;
	return false;
}

/**
 * card_allowance() - how the loader treats UEFI 2.9's allowance of memory
 * allocation services after a failed exit (UEFI 2.10 section 7.4.6).
 * @c: the card.
 * @words: out, a sentence for the card.
 *
 * Only the memory services differ between the rules of 2.70 and of 2.9,
 * so a forbidden-call on 2.70 that is gone on 2.9 and later was an
 * allocation or a free; one that stays was something else.  No wording of
 * the referee's messages is needed to tell them apart.
 *
 * Return: "used", "not used", "misused", "broken" or "not measured".
 */
const char *card_allowance(const struct card *c, const char **words)
{
	const struct measure *old = card_find(c, "revision-2.70");
	const struct measure *r90 = card_find(c, "revision-2.90");
	const struct measure *r100 = card_find(c, "revision-2.100");
	bool measured_new = (r90 != NULL && !r90->skipped) || (r100 != NULL && !r100->skipped);
	bool bad_new = has_trip(r90, "forbidden-call") || has_trip(r100, "forbidden-call");
	bool allocates = (r90 != NULL && r90->mem_points > 0) || (r100 != NULL && r100->mem_points > 0);

	if (old == NULL || old->skipped || !measured_new) {
		*words = "not measured (EBSFUZZ_REVISIONS)";
		return "not measured";
	}
	if (old->fails_at_zero && (r90 == NULL || r90->fails_at_zero) &&
	    (r100 == NULL || r100->fails_at_zero)) {
		*words = "not reached: it does not exit even without growth";
		return "not measured";
	}
	if (bad_new) {
		*words = "breaks the rules after a failed exit whatever the revision (forbidden-call)";
		return "broken";
	}
	if (has_trip(old, "forbidden-call")) {
		*words = "misused: allocates or frees after a failed exit on UEFI 2.70 too "
			 "(forbidden-call)";
		return "misused";
	}
	if (allocates) {
		*words = "used correctly: allocates after a failed exit only where UEFI 2.9 or "
			 "later allows it";
		return "used";
	}
	*words = "not used: no memory service after a failed exit on any revision";
	return "not used";
}
