/* SPDX-License-Identifier: MIT */
/*
 * report.c - the report card driver: sweep the loaders linked in (the
 * first is the one under report, the others its references), print the
 * card, and optionally write it as JSON and as an HTML page.
 *
 * Usage: report [-j JOBS] [-t SECONDS] [--json FILE] [--html FILE]
 *               [--invariants a,b,...] [--all-cards] [-v] [LOADER...]
 *
 * LOADER names loaders of the table linked in (fuzz/report/loader-table);
 * without any, all of them, in table order.  The firmware options come
 * from the environment as for every other driver (EBSFUZZ_LIVENESS,
 * EBSFUZZ_PERSONALITIES, EBSFUZZ_REVISIONS).  Exit 0 with the card, 2 for
 * usage or a malformed option, 1 if the sweep could not be completed.
 * The only machine-dependent line, the time taken, goes to stderr.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "card.h"

#define MAX_MEASURES_PER_LOADER 96u
#define MAX_RULES 32u

struct args {
	unsigned jobs, timeout;
	const char *json, *html;
	char *invariants;
	bool all_cards, verbose;
	unsigned selected[64];
	unsigned n_selected;
};

static _Noreturn void usage(void)
{
	fprintf(stderr, "usage: report [-j JOBS] [-t SECONDS] [--json FILE] [--html FILE] "
			"[--invariants a,b,...] [--all-cards] [-v] [LOADER...]\n");
	exit(2);
}

static unsigned loader_index(const char *name)
{
	unsigned i;

	for (i = 0; i < report_n_loaders; i++)
		if (strcmp(report_loaders[i].name, name) == 0)
			return i;
	fprintf(stderr, "report: no loader '%s' in this binary; it has:", name);
	for (i = 0; i < report_n_loaders; i++)
		fprintf(stderr, " %s", report_loaders[i].name);
	fprintf(stderr, "\n");
	exit(2);
}

static unsigned number(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == 0 || *end != 0 || v == 0 || v > 1024)
		usage();
	return (unsigned)v;
}

static void parse_args(int argc, char **argv, struct args *a)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int i;

	memset(a, 0, sizeof(*a));
	a->jobs = cpus > 0 ? (unsigned)cpus : 1;
	a->timeout = 2; /* seconds per run; why 2: scripts/fuzz-campaign */
	for (i = 1; i < argc; i++) {
		const char *s = argv[i];
		bool more = i + 1 < argc;

		if (strcmp(s, "-j") == 0 && more)
			a->jobs = number(argv[++i]);
		else if (strncmp(s, "-j", 2) == 0 && s[2] != 0)
			a->jobs = number(s + 2);
		else if (strcmp(s, "-t") == 0 && more)
			a->timeout = number(argv[++i]);
		else if (strcmp(s, "--json") == 0 && more)
			a->json = argv[++i];
		else if (strcmp(s, "--html") == 0 && more)
			a->html = argv[++i];
		else if (strcmp(s, "--invariants") == 0 && more)
			a->invariants = argv[++i];
		else if (strcmp(s, "--all-cards") == 0)
			a->all_cards = true;
		else if (strcmp(s, "-v") == 0)
			a->verbose = true;
		else if (s[0] == '-' || a->n_selected == 64)
			usage();
		else
			a->selected[a->n_selected++] = loader_index(s);
	}
	if (a->n_selected > 0)
		return;
	for (a->n_selected = 0; a->n_selected < report_n_loaders && a->n_selected < 64;
	     a->n_selected++)
		a->selected[a->n_selected] = a->n_selected;
}

/* Split the README's invariant names ("a,b,c") in place. */
static unsigned split_rules(char *list, const char **rules, unsigned max)
{
	unsigned n = 0;
	char *p = list;

	while (p != NULL && *p != 0 && n < max) {
		char *comma = strchr(p, ',');

		if (comma != NULL)
			*comma = 0;
		if (*p != 0)
			rules[n++] = p;
		p = comma != NULL ? comma + 1 : NULL;
	}
	return n;
}

static int write_file(const char *path, int (*render)(FILE *, const struct report_out *),
		      const struct report_out *out)
{
	FILE *f = fopen(path, "w");
	int err;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	err = render(f, out);
	if (fclose(f) != 0 || err != 0) {
		fprintf(stderr, "report: cannot write %s\n", path);
		return -1;
	}
	return 0;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static unsigned total_points(const struct measure *m, unsigned n)
{
	unsigned i, points = 0;

	for (i = 0; i < n; i++)
		points += m[i].points;
	return points;
}

int main(int argc, char **argv)
{
	static struct card cards[64];
	struct measure *measures;
	const char *rules[MAX_RULES];
	struct report_env env;
	struct report_out out;
	struct timespec t0;
	struct args a;
	unsigned k, n = 0, count[64];
	char error[160];
	int err = 0;

	parse_args(argc, argv, &a);
	if (fw_options_from_env(&env.opt, error, sizeof(error)) != 0) {
		fprintf(stderr, "report: %s\n", error);
		return 2;
	}
	env.opt.trace = NULL;
	env.timeout = a.timeout;
	env.verbose = a.verbose;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	measures = calloc((size_t)a.n_selected * MAX_MEASURES_PER_LOADER, sizeof(*measures));
	if (measures == NULL) {
		perror("report");
		return 1;
	}
	for (k = 0; k < a.n_selected; k++) {
		count[k] = sweep_plan(measures + n, MAX_MEASURES_PER_LOADER, a.selected[k], &env);
		n += count[k];
	}
	if (sweep_run_all(measures, n, a.jobs, &env) != 0) {
		fprintf(stderr, "report: a worker died; the sweep is incomplete\n");
		free(measures);
		return 1;
	}
	for (k = 0, n = 0; k < a.n_selected; n += count[k], k++)
		card_build(&cards[k], measures + n, count[k], a.selected[k]);
	out = (struct report_out){ cards, a.n_selected, rules,
				   split_rules(a.invariants, rules, MAX_RULES), &env };
	if (a.json != NULL)
		err |= write_file(a.json, render_json, &out);
	if (a.html != NULL)
		err |= write_file(a.html, render_html, &out);
	render_text(stdout, &out, a.all_cards);
	fflush(stdout);
	fprintf(stderr, "report: %u loader%s, %u runs in %.1f s on %u workers\n", a.n_selected,
		a.n_selected == 1 ? "" : "s", total_points(measures, n), seconds_since(&t0), a.jobs);
	free(measures);
	return err != 0;
}
