/* SPDX-License-Identifier: MIT */
/*
 * render_text.c - the card on a terminal: the loader's full card, the
 * same figures side by side for the reference loaders, and the headline
 * as the last line.  Nothing machine-dependent (no timings) is printed.
 */
#include <string.h>

#include "card.h"

#define LABEL_WIDTH 58

static void rule(FILE *f, const char *title)
{
	fprintf(f, "\n%s\n", title);
}

static void grid(FILE *f, const struct card *c)
{
	const struct measure *m;
	char cell[32];
	unsigned p, d;

	fprintf(f, "  %-10s %-5s %-35s", "", "UEFI", "growth during the failed exit");
	for (d = 0; d < REPORT_N_DSIZES; d++)
		fprintf(f, " %9u", report_dsizes[d]);
	fprintf(f, "\n");
	for (p = 0; p < PERS_COUNT; p++) {
		m = card_grid(c, p, 48, false);
		fprintf(f, "  %-10s %-5s %-35s", scn_personality_names[p],
			m != NULL && m->zero.revision[0] ? m->zero.revision : "-",
			report_trigger_names[m != NULL ? m->trigger : 0]);
		for (d = 0; d < REPORT_N_DSIZES; d++) {
			grid_value(c, p, report_dsizes[d], cell, sizeof(cell));
			fprintf(f, " %9s", cell);
		}
		fprintf(f, "\n");
	}
}

/* Cells grouped by how the loader fails past them; bad ones named. */
static void grid_beyond(FILE *f, const struct card *c)
{
	char desc[2][240];
	unsigned i, k, count;
	bool done[256] = { false };

	fprintf(f, "  beyond the headroom (pool and page cells):\n");
	for (i = 0; i < c->n && i < 256; i++) {
		const struct measure *m = &c->m[i];

		if (m->section != SEC_GRID || m->skipped || done[i])
			continue;
		measure_beyond(m, desc[0], sizeof(desc[0]));
		count = 0;
		for (k = i; k < c->n && k < 256; k++) {
			if (c->m[k].section != SEC_GRID || c->m[k].skipped || done[k])
				continue;
			measure_beyond(&c->m[k], desc[1], sizeof(desc[1]));
			if (strcmp(desc[0], desc[1]) == 0) {
				done[k] = true;
				count++;
			}
		}
		fprintf(f, "    %s: %u cell%s", desc[0], count, count == 1 ? "" : "s");
		if (count == 1)
			fprintf(f, " (%s)", m->id);
		fprintf(f, "\n");
	}
}

static void row(FILE *f, const struct measure *m)
{
	char value[24], beyond[240];

	if (m == NULL)
		return;
	measure_value(m, value, sizeof(value));
	measure_beyond(m, beyond, sizeof(beyond));
	fprintf(f, "  %-*s %6s   %s\n", LABEL_WIDTH, m->label, value, m->capped ? "" : beyond);
	if (m->mem_points > 0)
		fprintf(f, "  %-*s %6s   memory services after a failed exit, in %u run%s%s\n",
			LABEL_WIDTH, "", "", m->mem_points, m->mem_points == 1 ? "" : "s",
			strncmp(m->id, "revision-2.", 11) == 0 && strcmp(m->id, "revision-2.70") != 0
				? " (UEFI 2.9 allows them)" : "");
	if (m->non_monotone)
		fprintf(f, "  %-*s %6s   not monotone: a surviving run saw as much growth as a failing one\n",
			LABEL_WIDTH, "", "");
}

static void section_rows(FILE *f, const struct card *c, unsigned section)
{
	unsigned i;

	for (i = 0; i < c->n; i++)
		if (c->m[i].section == section && c->m[i].kind == KIND_HEADROOM)
			row(f, &c->m[i]);
}

/* Firmware that refuses every key: does the loader stop by itself? */
static void always_refuses(FILE *f, const struct measure *a)
{
	char text[REPORT_DESC_MAX];

	if (a == NULL)
		return;
	if (a->skipped) {
		fprintf(f, "  %-*s %6s   not measured: %s\n", LABEL_WIDTH, a->label, "-", a->na);
		return;
	}
	outcome_describe_stop(&a->zero, text, sizeof(text));
	if (!outcome_stops_itself(&a->zero))
		fprintf(f, "  %-*s %6s   does not stop by itself: %s\n", LABEL_WIDTH, a->label,
			"no", text);
	else
		fprintf(f, "  %-*s %6s   stops by itself: %s\n", LABEL_WIDTH, a->label, "yes", text);
}

static void retries(FILE *f, const struct card *c)
{
	row(f, card_find(c, "refusals-in-a-row"));
	fprintf(f, "  %-*s          refusal 1: exit events are signalled once (UEFI 2.10 7.4.6), "
		   "within\n  %-*s          every rule; refusals 2+: firmware that refuses again\n"
		   "  %-*s          after a failed exit, beyond what liveness asks\n",
		LABEL_WIDTH, "", LABEL_WIDTH, "", LABEL_WIDTH, "");
	always_refuses(f, card_find(c, "always-refuses/edk2-2025/48"));
	always_refuses(f, card_find(c, "always-refuses/uboot/40"));
}

static void rules(FILE *f, const struct report_out *out, const struct card *c)
{
	const char *names[64];
	unsigned n = card_rule_names(out, names, 64), i;

	for (i = 0; i < n; i++) {
		const struct trip *t = card_trip(c, names[i]);
		const char *line;

		if (t == NULL) {
			fprintf(f, "  %-40s never\n", names[i]);
			continue;
		}
		fprintf(f, "  %-40s %u point%s; smallest (%u bytes):\n", names[i], t->points,
			t->points == 1 ? "" : "s", t->bytes);
		for (line = t->scenario; *line != 0;) {
			size_t len = strcspn(line, "\n");

			fprintf(f, "      %.*s\n", (int)len, line);
			line += len + (line[len] == '\n');
		}
		if (t->message[0] != 0 && t->class[0] != 0)
			fprintf(f, "    reported (%s): %s\n", t->class, t->message);
		else if (t->message[0] != 0)
			fprintf(f, "    reported: %s\n", t->message);
	}
}

static void card(FILE *f, const struct report_out *out, const struct card *c)
{
	const struct report_loader *l = &report_loaders[c->loader];
	const char *words;
	char headline[128];

	fprintf(f, "== %s (%s)\n", l->name, l->source);
	rule(f, "Headroom: growth survived during the failed ExitBootServices, by DescriptorSize");
	fprintf(f, "  (descriptors the size GetMemoryMap demands grew by since the loader's first "
		   "call, as\n   liveness counts them; pool/pages where they differ; N+: still "
		   "exits at the largest\n   growth asked; none: not even without growth; !: fails "
		   "badly somewhere beyond)\n");
	grid(f, c);
	grid_beyond(f, c);
	rule(f, "Sizing (growth during the failed exit, by pages, unless said)");
	section_rows(f, c, SEC_SIZING);
	rule(f, "Firmware range (growth during the failed exit, by pages)");
	section_rows(f, c, SEC_RANGE);
	card_allowance(c, &words);
	fprintf(f, "  UEFI 2.9 allowance (memory services after a failed exit): %s\n", words);
	rule(f, "Retries");
	retries(f, c);
	rule(f, "Rules (the README's invariants, then any other report; smallest: fewest input "
		"bytes, of the runs on the firmware closest to the rules)");
	rules(f, out, c);
	/* The first card's headline is the last line of the report. */
	card_headline(c, headline, sizeof(headline));
	if (c != &out->cards[0])
		fprintf(f, "\n  %s\n", headline);
	fprintf(f, "\n");
}

/* Columns are as wide as the longest loader name. */
static int column(const struct report_out *out)
{
	size_t width = 16;
	unsigned k;

	for (k = 0; k < out->n_cards; k++)
		if (strlen(report_loaders[out->cards[k].loader].name) + 1 > width)
			width = strlen(report_loaders[out->cards[k].loader].name) + 1;
	return (int)width;
}

/* One line of the comparison: a figure for each loader. */
static void compare_line(FILE *f, const struct report_out *out, const char *label, const char *id)
{
	char value[REPORT_DESC_MAX];
	unsigned k;

	fprintf(f, "  %-30s", label);
	for (k = 0; k < out->n_cards; k++) {
		measure_short(card_find(&out->cards[k], id), value, sizeof(value));
		fprintf(f, " %-*s", column(out), value);
	}
	fprintf(f, "\n");
}

static void compare_head(FILE *f, const struct report_out *out)
{
	char value[48];
	unsigned k;

	fprintf(f, "  %-30s", "");
	for (k = 0; k < out->n_cards; k++)
		fprintf(f, " %-*s", column(out), report_loaders[out->cards[k].loader].name);
	fprintf(f, "\n  %-30s", "headroom");
	for (k = 0; k < out->n_cards; k++) {
		const struct card *c = &out->cards[k];

		if (c->none)
			snprintf(value, sizeof(value), "none");
		else
			snprintf(value, sizeof(value), "%u%s", c->headroom, c->capped ? "+" : "");
		fprintf(f, " %-*s", column(out), c->measured ? value : "-");
	}
	fprintf(f, "\n  %-30s", "  worst cell");
	for (k = 0; k < out->n_cards; k++)
		fprintf(f, " %-*s", column(out), out->cards[k].measured ? out->cards[k].worst : "-");
	fprintf(f, "\n");
}

static void compare_rules(FILE *f, const struct report_out *out)
{
	unsigned k, i;

	fprintf(f, "  rules broken:\n");
	for (k = 0; k < out->n_cards; k++) {
		const struct card *c = &out->cards[k];

		fprintf(f, "    %-28s", report_loaders[c->loader].name);
		for (i = 0; i < c->trips.n; i++)
			fprintf(f, "%s%s", i ? ", " : " ", c->trips.t[i].name);
		fprintf(f, "%s\n", c->trips.n ? "" : " none");
	}
}

static void compare_allowance(FILE *f, const struct report_out *out)
{
	const char *words;
	unsigned k;

	fprintf(f, "  %-30s", "UEFI 2.9 allowance");
	for (k = 0; k < out->n_cards; k++)
		fprintf(f, " %-*s", column(out), card_allowance(&out->cards[k], &words));
	fprintf(f, "\n");
}

static void compare(FILE *f, const struct report_out *out)
{
	static const char *const rows[][2] = {
		{ "query->read, edk2-2025/48", "query-read/edk2-2025/48" },
		{ "query->read, uboot/40", "query-read/uboot/40" },
		{ "over-report 0", "over-report-0" },
		{ "over-report 116", "over-report-116" },
		{ "UEFI 2.70", "revision-2.70" },
		{ "UEFI 2.90", "revision-2.90" },
		{ "DescriptorSize withheld, uboot", "dsize-withheld/uboot/40" },
		{ "DescriptorSize withheld, edk2", "dsize-withheld/edk2-2025/48" },
		{ "MapKey withheld", "key-withheld/edk2-2025/48" },
		{ "MapKey above 2^32", "key-above-2^32" },
		{ "512-descriptor map", "map-512" },
		{ "refusals in a row", "refusals-in-a-row" },
		{ "always refuses, edk2-2025", "always-refuses/edk2-2025/48" },
		{ "always refuses, uboot", "always-refuses/uboot/40" },
	};
	unsigned i;

	fprintf(f, "== Beside it: the same sweep for the reference loaders\n\n");
	compare_head(f, out);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		compare_line(f, out, rows[i][0], rows[i][1]);
	compare_allowance(f, out);
	compare_rules(f, out);
	fprintf(f, "\n");
}

/**
 * render_text() - print the report for a terminal.
 * @f: where.
 * @out: the cards, the loader under report first.
 * @all_cards: print every loader's full card, not only the first's.
 */
void render_text(FILE *f, const struct report_out *out, bool all_cards)
{
	char headline[128];
	unsigned k;

	fprintf(f, "loader-report: liveness %u descriptors; growth asked up to %u descriptors, "
		   "refusals up to %u\n\n",
		out->env->opt.liveness_descs, REPORT_CAP_GROWTH, REPORT_MAX_REFUSALS);
	for (k = 0; k < out->n_cards && (k == 0 || all_cards); k++)
		card(f, out, &out->cards[k]);
	if (out->n_cards > 1)
		compare(f, out);
	card_headline(&out->cards[0], headline, sizeof(headline));
	fprintf(f, "%s\n", headline);
}
