/* SPDX-License-Identifier: MIT */
/*
 * render_json.c - the card as JSON: one object per measured cell, and one
 * per loader with its headline and rules.  The schema is
 * fuzz/report/card.schema.json; fuzz/report/tests/check-json checks a
 * file against it.  Key order and number formats are fixed, so the same
 * sweep gives the same bytes.
 */
#include <string.h>

#include "card.h"

#define SCHEMA_ID "ebsfuzz-loader-report/1"

static const char *const section_names[SEC_COUNT] = {
	[SEC_GRID] = "headroom",
	[SEC_SIZING] = "sizing",
	[SEC_RANGE] = "firmware-range",
	[SEC_RETRIES] = "retries",
};

static const char *const kind_names[] = {
	[KIND_HEADROOM] = "headroom",
	[KIND_RETRIES] = "refusals",
	[KIND_ALWAYS_REFUSES] = "always-refuses",
};

/* A JSON string, or null for NULL. */
static void str(FILE *f, const char *s)
{
	if (s == NULL) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (; *s != 0; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void key(FILE *f, const char *name, bool first)
{
	fprintf(f, "%s\n      \"%s\": ", first ? "" : ",", name);
}

static void key_str(FILE *f, const char *name, const char *value)
{
	key(f, name, false);
	str(f, value);
}

static void key_uint(FILE *f, const char *name, bool present, unsigned value)
{
	key(f, name, false);
	if (present)
		fprintf(f, "%u", value);
	else
		fputs("null", f);
}

static void key_bool(FILE *f, const char *name, bool value)
{
	key(f, name, false);
	fputs(value ? "true" : "false", f);
}

/* What the loader did past its figure: "cleanly"/"badly", and how. */
static void beyond(FILE *f, const struct measure *m)
{
	char how[REPORT_DESC_MAX];
	bool past = !m->skipped && !m->capped && m->kind != KIND_ALWAYS_REFUSES;

	if (past)
		outcome_describe(&m->beyond, how, sizeof(how));
	key_str(f, "beyond", past ? (outcome_bad(&m->beyond) ? "badly" : "cleanly") : NULL);
	key_str(f, "beyond_outcome", past ? how : NULL);
	key_uint(f, "first_failure_growth", past && m->failed_growth != ~0u, m->failed_growth);
	key(f, "bad_further", false);
	if (past && m->bad && !outcome_bad(&m->beyond)) {
		fprintf(f, "{\"growth\": %u, \"outcome\": ", m->bad_growth);
		str(f, m->bad_desc);
		fputc('}', f);
	} else {
		fputs("null", f);
	}
}

/* The one run on firmware that refuses every key. */
static void refusing(FILE *f, const struct measure *m)
{
	char how[REPORT_DESC_MAX];
	bool on = m->kind == KIND_ALWAYS_REFUSES && !m->skipped;

	if (on)
		outcome_describe_stop(&m->zero, how, sizeof(how));
	key(f, "stops_by_itself", false);
	fputs(on ? (outcome_stops_itself(&m->zero) ? "true" : "false") : "null", f);
	key_uint(f, "exit_attempts", on, m->zero.exit_attempts);
	key_str(f, "outcome", on ? how : NULL);
}

static void cell(FILE *f, const struct measure *m)
{
	bool figure = !m->skipped && m->kind != KIND_ALWAYS_REFUSES;
	unsigned i;

	fprintf(f, "    {");
	key(f, "loader", true);
	str(f, report_loaders[m->loader].name);
	key_str(f, "id", m->id);
	key_str(f, "section", section_names[m->section]);
	key_str(f, "kind", kind_names[m->kind]);
	key_str(f, "label", m->label);
	key_str(f, "personality", scn_personality_names[m->personality]);
	key_uint(f, "descriptor_size", true, m->dsize);
	key_str(f, "revision", m->zero.revision[0] ? m->zero.revision : NULL);
	key_str(f, "growth_by", m->kind == KIND_HEADROOM ? (m->pool ? "pool" : "pages") : NULL);
	key_str(f, "trigger", m->kind == KIND_HEADROOM ? report_trigger_names[m->trigger] : NULL);
	key_str(f, "firmware", m->base);
	key_bool(f, "measured", !m->skipped);
	key_str(f, "not_measured_because", m->skipped ? m->na : NULL);
	key_bool(f, "survives_none", figure && m->fails_at_zero);
	key_uint(f, "survived", figure && !m->fails_at_zero, m->survived);
	key_uint(f, "survived_asked", figure && !m->fails_at_zero, m->asked);
	key_bool(f, "capped", figure && m->capped);
	beyond(f, m);
	key_bool(f, "non_monotone", m->non_monotone);
	key_uint(f, "runs_with_memory_services_after_failed_exit", true, m->mem_points);
	refusing(f, m);
	key_uint(f, "runs", true, m->points);
	key(f, "rules_broken", false);
	fputc('[', f);
	for (i = 0; i < m->trips.n; i++) {
		fputs(i ? ", " : "", f);
		str(f, m->trips.t[i].name);
	}
	fprintf(f, "]\n    }");
}

static void rule(FILE *f, const struct report_out *out, const struct card *c, const char *name,
		 bool first)
{
	const struct trip *t = card_trip(c, name);
	bool readme = false;
	unsigned i;

	for (i = 0; i < out->n_rules; i++)
		readme |= strcmp(out->rules[i], name) == 0;
	fprintf(f, "%s\n        {\"name\": ", first ? "" : ",");
	str(f, name);
	fprintf(f, ", \"readme\": %s, \"points\": %u, \"smallest_bytes\": ", readme ? "true" : "false",
		t != NULL ? t->points : 0);
	if (t != NULL)
		fprintf(f, "%u", t->bytes);
	else
		fputs("null", f);
	fputs(", \"smallest_scenario\": ", f);
	str(f, t != NULL ? t->scenario : NULL);
	fputs(", \"smallest_report\": ", f);
	str(f, t != NULL && t->message[0] != 0 ? t->message : NULL);
	fputs(", \"smallest_class\": ", f);
	str(f, t != NULL && t->class[0] != 0 ? t->class : NULL);
	fputc('}', f);
}

static void loader(FILE *f, const struct report_out *out, const struct card *c, bool subject)
{
	const struct report_loader *l = &report_loaders[c->loader];
	const char *names[64], *words;
	char headline[128];
	unsigned n = card_rule_names(out, names, 64), i;

	card_headline(c, headline, sizeof(headline));
	fprintf(f, "    {");
	key(f, "name", true);
	str(f, l->name);
	key_str(f, "source", l->source);
	key_bool(f, "subject", subject);
	key_str(f, "headline", headline);
	key_uint(f, "headroom", c->measured && !c->none, c->headroom);
	key_bool(f, "headroom_capped", c->measured && c->capped);
	key_str(f, "worst_cell", c->measured ? c->worst : NULL);
	key_str(f, "uefi_2_9_allowance", card_allowance(c, &words));
	key(f, "rules", false);
	fputc('[', f);
	for (i = 0; i < n; i++)
		rule(f, out, c, names[i], i == 0);
	fprintf(f, "]\n    }");
}

/**
 * render_json() - write the cards as one JSON document.
 * @f: where.
 * @out: the cards, the loader under report first.
 *
 * Return: 0, or -1 if writing failed.
 */
int render_json(FILE *f, const struct report_out *out)
{
	unsigned k, i, d;
	bool first = true;

	fprintf(f, "{\n  \"schema\": \"%s\",\n  \"growth_cap\": %u,\n  \"refusal_cap\": %u,\n"
		   "  \"liveness_descriptors\": %u,\n  \"descriptor_sizes\": [",
		SCHEMA_ID, REPORT_CAP_GROWTH, REPORT_MAX_REFUSALS, out->env->opt.liveness_descs);
	for (d = 0; d < REPORT_N_DSIZES; d++)
		fprintf(f, "%s%u", d ? ", " : "", report_dsizes[d]);
	fprintf(f, "],\n  \"loaders\": [\n");
	for (k = 0; k < out->n_cards; k++) {
		loader(f, out, &out->cards[k], k == 0);
		fprintf(f, "%s\n", k + 1 < out->n_cards ? "," : "");
	}
	fprintf(f, "  ],\n  \"cells\": [\n");
	for (k = 0; k < out->n_cards; k++)
		for (i = 0; i < out->cards[k].n; i++) {
			fprintf(f, "%s", first ? "" : ",\n");
			cell(f, &out->cards[k].m[i]);
			first = false;
		}
	fprintf(f, "\n  ]\n}\n");
	return ferror(f) ? -1 : 0;
}
