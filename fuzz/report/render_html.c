/* SPDX-License-Identifier: MIT */
/*
 * render_html.c - the card as one self-contained HTML page: styles inline,
 * no script, no font, image or link to fetch, so it reads the same
 * offline, from a CI artifact or a mail attachment.  The headroom grid
 * (personality x DescriptorSize) is coloured on a log scale from red (no
 * growth survived) through yellow (the liveness invariant's 8) to green
 * (the cap); the other loaders' grids follow in small, then their cards.
 */
#include <string.h>

#include "card.h"

static const char style[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1b1b1b;max-width:1150px}"
	"h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}"
	"h3{font-size:15px;margin:18px 0 6px}"
	".src{color:#555}.headline{font:600 16px ui-monospace,monospace;background:#eef3ff;"
	"border:1px solid #b8c8f0;padding:8px 12px;display:inline-block;margin:10px 0}"
	"table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;"
	"text-align:left;vertical-align:top}th{background:#f4f4f4}"
	"table.grid td.v{width:76px;text-align:center;font:600 15px ui-monospace,monospace}"
	"table.mini td.v{width:38px;padding:2px;text-align:center;font:600 12px ui-monospace,"
	"monospace}table.mini th{font-size:12px;padding:2px 4px}"
	"td.bad{outline:3px solid #b00020;outline-offset:-3px}"
	".legend{display:flex;flex-wrap:wrap;align-items:flex-start;gap:6px 8px;margin:10px 0 18px;"
	"font-size:13px;white-space:nowrap}.bar{width:320px;height:14px;border:1px solid #999}"
	".ticks{position:relative;width:320px;height:14px;font-size:11px}.ticks span{"
	"position:absolute;transform:translateX(-50%)}.ticks span:last-child{"
	"transform:translateX(-100%)}.key{margin-left:18px;padding:0 8px}"
	".note{color:#444;font-size:13px;max-width:950px}pre{margin:4px 0;font-size:12px;"
	"background:#f7f7f7;padding:4px 6px}.minis{display:flex;flex-wrap:wrap;gap:18px}"
	"details{margin:10px 0}summary{cursor:pointer;font-weight:600}"
	"td.chip{text-align:center;font:600 14px ui-monospace,monospace;width:64px}";

static void esc(FILE *f, const char *s)
{
	for (; *s != 0; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else if (*s == '"')
			fputs("&quot;", f);
		else
			fputc(*s, f);
	}
}

/* log2(n) in thousandths, n >= 1: the integer part, then the rest linearly
 * (close enough for a colour, and no libm). */
static unsigned log2_milli(unsigned n)
{
	unsigned k = 0;

	while ((n >> (k + 1)) != 0)
		k++;
	return 1000u * k + (unsigned)(1000ull * (n - (1u << k)) >> k);
}

/* The hsl() of @value descriptors on the scale. */
static void colour_value(FILE *f, unsigned value)
{
	unsigned x;

	if (value > REPORT_CAP_GROWTH)
		value = REPORT_CAP_GROWTH;
	x = 1000u * log2_milli(1 + value) / log2_milli(1 + REPORT_CAP_GROWTH); /* 0..1000 */
	fprintf(f, "hsl(%u,%u%%,%u%%)", 120u * x / 1000u, 75u - 25u * x / 1000u,
		62u - 7u * x / 1000u);
}

/* The colour of a figure: hue from 0 (red) to 120 (green) on log2(1 + v),
 * so that 8 and 32 stand apart as clearly as 0 and 8. */
static void colour(FILE *f, bool measured, bool none, unsigned value)
{
	if (!measured) {
		fputs("background:#e4e4e4;color:#777", f);
		return;
	}
	if (none) {
		fputs("background:hsl(0,70%,38%);color:#fff", f);
		return;
	}
	fputs("background:", f);
	colour_value(f, value);
}

/* One grid cell: its figure, coloured, with the details as a tooltip. */
static void grid_cell(FILE *f, const struct card *c, unsigned p, unsigned dsize)
{
	unsigned value, k;
	bool none, capped, bad, measured = grid_figure(c, p, dsize, &value, &none, &capped, &bad);
	char text[32], one[24], beyond[240];

	fprintf(f, "<td class=\"v%s\" style=\"", bad ? " bad" : "");
	colour(f, measured, none, value);
	fputs("\" title=\"", f);
	for (k = 0; k < 2; k++) {
		const struct measure *m = card_grid(c, p, dsize, k == 1);

		if (m == NULL)
			continue;
		measure_value(m, one, sizeof(one));
		measure_beyond(m, beyond, sizeof(beyond));
		fprintf(f, "%s%s: %s; beyond: ", k ? "&#10;" : "", m->pool ? "pool" : "pages", one);
		esc(f, beyond);
	}
	grid_value(c, p, dsize, text, sizeof(text));
	fputs("\">", f);
	esc(f, text);
	fputs("</td>", f);
}

static void grid(FILE *f, const struct card *c, bool mini)
{
	unsigned p, d;

	if (!mini)
		fprintf(f, "<table class=\"grid\"><tr><th colspan=\"3\"></th><th colspan=\"%u\">"
			   "DescriptorSize (bytes)</th></tr>\n<tr><th>personality</th><th>UEFI</th>"
			   "<th>growth during the failed exit</th>", REPORT_N_DSIZES);
	else
		fputs("<table class=\"mini\"><tr><th></th>", f);
	for (d = 0; d < REPORT_N_DSIZES; d++)
		fprintf(f, "<th>%u</th>", report_dsizes[d]);
	fputs("</tr>\n", f);
	for (p = 0; p < PERS_COUNT; p++) {
		const struct measure *m = card_grid(c, p, 48, false);

		fprintf(f, "<tr><th>%s</th>", scn_personality_names[p]);
		if (!mini)
			fprintf(f, "<td>%s</td><td>%s</td>",
				m != NULL && m->zero.revision[0] ? m->zero.revision : "-",
				report_trigger_names[m != NULL ? m->trigger : 0]);
		for (d = 0; d < REPORT_N_DSIZES; d++)
			grid_cell(f, c, p, report_dsizes[d]);
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

/* The scale, drawn with the cells' own colours at their own positions. */
static void legend(FILE *f)
{
	static const unsigned stops[] = { 0, 2, 8, 16, 32, 64, REPORT_CAP_GROWTH };
	unsigned i, top = log2_milli(1 + REPORT_CAP_GROWTH);

	fputs("<div class=\"legend\"><div><div class=\"bar\" style=\"background:"
	      "linear-gradient(90deg", f);
	for (i = 0; i < sizeof(stops) / sizeof(stops[0]); i++) {
		fputs(",", f);
		colour_value(f, stops[i]);
		fprintf(f, " %u%%", 100u * log2_milli(1 + stops[i]) / top);
	}
	fputs(")\"></div><div class=\"ticks\">", f);
	for (i = 0; i < sizeof(stops) / sizeof(stops[0]); i++)
		fprintf(f, "<span style=\"left:%u%%\">%u%s</span>",
			100u * log2_milli(1 + stops[i]) / top, stops[i],
			stops[i] == REPORT_CAP_GROWTH ? "+" : "");
	fputs("</div></div><span>descriptors survived</span>"
	      "<span class=\"key\" style=\"background:hsl(0,70%,38%);color:#fff\">none</span>"
	      "<span>does not exit even without growth</span><span class=\"key\" "
	      "style=\"outline:3px solid #b00020\">N!</span><span>fails badly somewhere "
	      "beyond</span></div>\n", f);
}

/* Cells grouped by how the loader fails past them. */
static void grid_beyond(FILE *f, const struct card *c)
{
	char desc[240], other[240];
	bool done[256] = { false };
	unsigned i, k, count;

	fputs("<p class=\"note\">Beyond the headroom (pool and page cells):</p><ul>\n", f);
	for (i = 0; i < c->n && i < 256; i++) {
		if (c->m[i].section != SEC_GRID || c->m[i].skipped || done[i])
			continue;
		measure_beyond(&c->m[i], desc, sizeof(desc));
		for (k = i, count = 0; k < c->n && k < 256; k++) {
			if (c->m[k].section != SEC_GRID || c->m[k].skipped || done[k])
				continue;
			measure_beyond(&c->m[k], other, sizeof(other));
			if (strcmp(desc, other) == 0) {
				done[k] = true;
				count++;
			}
		}
		fputs("<li>", f);
		esc(f, desc);
		fprintf(f, ": %u cell%s</li>\n", count, count == 1 ? "" : "s");
	}
	fputs("</ul>\n", f);
}

static void chip(FILE *f, const struct measure *m)
{
	char value[24];

	measure_value(m, value, sizeof(value));
	fputs("<td class=\"chip\"", f);
	/* The scale is one of descriptors: refusals stay uncoloured. */
	if (m->kind == KIND_HEADROOM) {
		fputs(" style=\"", f);
		colour(f, !m->skipped, m->fails_at_zero, m->survived);
		fputs("\"", f);
	}
	fputs(">", f);
	esc(f, value);
	fputs("</td>", f);
}

static void rows(FILE *f, const struct card *c, unsigned section)
{
	char text[240];
	unsigned i;

	fputs("<table><tr><th>firmware</th><th>survives</th><th>beyond it</th></tr>\n", f);
	for (i = 0; i < c->n; i++) {
		const struct measure *m = &c->m[i];

		if (m->section != section)
			continue;
		fputs("<tr><td>", f);
		esc(f, m->label);
		fputs("</td>", f);
		if (m->kind == KIND_ALWAYS_REFUSES) {
			bool stops = outcome_stops_itself(&m->zero);

			outcome_describe_stop(&m->zero, text, sizeof(text));
			fprintf(f, "<td class=\"chip\">%s</td><td>%s: ", m->skipped ? "-" :
				stops ? "yes" : "no",
				stops ? "stops by itself" : "does not stop by itself");
		} else {
			chip(f, m);
			fputs("<td>", f);
			measure_beyond(m, text, sizeof(text));
		}
		esc(f, m->skipped ? m->na : text);
		if (m->mem_points > 0)
			fprintf(f, "; memory services after a failed exit in %u run%s", m->mem_points,
				m->mem_points == 1 ? "" : "s");
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void rules(FILE *f, const struct report_out *out, const struct card *c)
{
	const char *names[64];
	unsigned n = card_rule_names(out, names, 64), i;

	fputs("<table><tr><th>rule</th><th>runs that broke it</th><th>smallest scenario</th>"
	      "</tr>\n", f);
	for (i = 0; i < n; i++) {
		const struct trip *t = card_trip(c, names[i]);

		fputs("<tr><td>", f);
		esc(f, names[i]);
		fprintf(f, "</td><td%s>%u</td><td>", t ? " style=\"background:#fde2e2\"" : "",
			t ? t->points : 0);
		if (t != NULL) {
			fprintf(f, "%u bytes<pre>", t->bytes);
			esc(f, t->scenario);
			fputs("</pre>", f);
			if (t->message[0] != 0) {
				fputs("reported", f);
				if (t->class[0] != 0) {
					fputs(" (", f);
					esc(f, t->class);
					fputc(')', f);
				}
				fputs(": ", f);
				esc(f, t->message);
			}
		} else {
			fputs("never", f);
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void card(FILE *f, const struct report_out *out, const struct card *c)
{
	const char *words;
	char headline[128];

	card_headline(c, headline, sizeof(headline));
	fputs("<div class=\"headline\">", f);
	esc(f, headline);
	fputs("</div>\n<h2>Headroom: growth survived during the failed ExitBootServices</h2>\n"
	      "<p class=\"note\">Descriptors the size GetMemoryMap demands grew by since the "
	      "loader's first call, as the liveness invariant counts them (the loader's own "
	      "allocations included); pool/pages where they differ; N+: still exits at the "
	      "largest growth asked. Hover a cell for both figures and how the loader fails "
	      "beyond them.</p>\n", f);
	grid(f, c, false);
	legend(f);
	grid_beyond(f, c);
	fputs("<h2>Sizing</h2>\n", f);
	rows(f, c, SEC_SIZING);
	fputs("<h2>Firmware range</h2>\n", f);
	rows(f, c, SEC_RANGE);
	card_allowance(c, &words);
	fputs("<p class=\"note\">UEFI 2.9 allowance (memory services after a failed exit): ", f);
	esc(f, words);
	fputs("</p>\n", f);
	fputs("<h2>Retries</h2>\n", f);
	rows(f, c, SEC_RETRIES);
	fputs("<p class=\"note\">Refusal 1 is within every rule: exit events are signalled once "
	      "(UEFI 2.10 section 7.4.6). Refusals 2 and more come from firmware that refuses "
	      "again after a failed exit (a driver that keeps changing the map, a firmware bug): "
	      "beyond what the liveness invariant asks a loader to survive.</p>\n<h2>Rules</h2>\n", f);
	rules(f, out, c);
}

static void references(FILE *f, const struct report_out *out)
{
	unsigned k;

	fputs("<h2>Beside it: the reference loaders</h2>\n<div class=\"minis\">\n", f);
	for (k = 0; k < out->n_cards; k++) {
		char headline[128];

		card_headline(&out->cards[k], headline, sizeof(headline));
		fputs("<div><h3>", f);
		esc(f, report_loaders[out->cards[k].loader].name);
		fputs(k == 0 ? " (this card)</h3>" : "</h3>", f);
		grid(f, &out->cards[k], true);
		fputs("<div class=\"src\" style=\"font-size:12px\">", f);
		esc(f, headline + 10);
		fputs("</div></div>\n", f);
	}
	fputs("</div>\n", f);
	for (k = 1; k < out->n_cards; k++) {
		fputs("<details><summary>The card of ", f);
		esc(f, report_loaders[out->cards[k].loader].name);
		fputs("</summary>\n", f);
		card(f, out, &out->cards[k]);
		fputs("</details>\n", f);
	}
}

/**
 * render_html() - write the cards as one self-contained page.
 * @f: where.
 * @out: the cards, the loader under report first.
 *
 * Return: 0, or -1 if writing failed.
 */
int render_html(FILE *f, const struct report_out *out)
{
	const struct report_loader *l = &report_loaders[out->cards[0].loader];

	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>"
	      "Report card: ", f);
	esc(f, l->name);
	fprintf(f, "</title>\n<style>%s</style></head><body>\n<h1>Report card: ", style);
	esc(f, l->name);
	fputs("</h1>\n<div class=\"src\">", f);
	esc(f, l->source);
	fprintf(f, "; exit-boot code swept against the fake firmware: growth up to %u "
		   "descriptors, refusals up to %u, liveness %u</div>\n",
		REPORT_CAP_GROWTH, REPORT_MAX_REFUSALS, out->env->opt.liveness_descs);
	card(f, out, &out->cards[0]);
	if (out->n_cards > 1)
		references(f, out);
	fputs("</body></html>\n", f);
	return ferror(f) ? -1 : 0;
}
