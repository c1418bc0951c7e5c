/* SPDX-License-Identifier: MIT */
/*
 * card.h - a loader's report card: its measurements, the figures drawn
 * from them, and the three ways of printing it (terminal, JSON, HTML).
 */
#ifndef EBSFUZZ_REPORT_CARD_H
#define EBSFUZZ_REPORT_CARD_H

#include <stdio.h>

#include "sweep.h"

/**
 * struct card - one loader's measurements and headline.
 * @loader: index in report_loaders.
 * @m: its measurements, in plan order.
 * @n: how many.
 * @none: some grid cell does not exit even without growth.
 * @capped: the smallest cell still exits at the largest growth asked.
 * @headroom: the smallest growth survived across the grid's cells.
 * @measured: some grid cell was measured at all.
 * @worst: the first cell with that figure, "personality/dsize".
 * @trips: rules broken anywhere in the sweep, merged in plan order.
 */
struct card {
	unsigned loader;
	struct measure *m;
	unsigned n;
	bool none, capped, measured;
	unsigned headroom;
	char worst[40];
	struct trips trips;
};

/**
 * struct report_out - what every renderer needs besides the cards.
 * @cards: the cards, the loader under report first.
 * @n_cards: how many.
 * @rules: names of the invariants the README lists, in its order.
 * @n_rules: how many.
 * @env: the options the sweep ran with.
 */
struct report_out {
	struct card *cards;
	unsigned n_cards;
	const char *const *rules;
	unsigned n_rules;
	const struct report_env *env;
};

void card_build(struct card *c, struct measure *m, unsigned n, unsigned loader);
const struct measure *card_find(const struct card *c, const char *id);
const struct measure *card_grid(const struct card *c, unsigned p, unsigned dsize, bool pool);
void measure_value(const struct measure *m, char *buf, size_t size);
void grid_value(const struct card *c, unsigned p, unsigned dsize, char *buf, size_t size);
bool grid_figure(const struct card *c, unsigned p, unsigned dsize, unsigned *value, bool *none,
		 bool *capped, bool *bad);
void measure_beyond(const struct measure *m, char *buf, size_t size);
void measure_short(const struct measure *m, char *buf, size_t size);
unsigned card_rule_names(const struct report_out *out, const char **names, unsigned max);
const struct trip *card_trip(const struct card *c, const char *name);
void card_headline(const struct card *c, char *buf, size_t size);
const char *card_allowance(const struct card *c, const char **words);

void render_text(FILE *f, const struct report_out *out, bool all_cards);
int render_json(FILE *f, const struct report_out *out);
int render_html(FILE *f, const struct report_out *out);

#endif /* EBSFUZZ_REPORT_CARD_H */
