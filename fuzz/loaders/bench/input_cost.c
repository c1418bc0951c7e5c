/* SPDX-License-Identifier: MIT */
/*
 * input_cost.c - what one input costs the fuzz target: each input runs
 * through LLVMFuzzerTestOneInput RUNS times in one process and its median
 * time is kept; the distribution over all inputs is printed at the end.
 * make bench links it with the objects of the libFuzzer build (ASan, UBSan
 * and coverage instrumentation, libFuzzer's runtime without its main), so
 * the figures are those of a fuzzing run minus libFuzzer's own bookkeeping.
 *
 * Usage: input_cost [-n RUNS] [-v] FILE|DIR...
 *
 * The slowest RECHECK inputs are measured a second time, with three times
 * the runs, and keep the lower median: on a shared machine interference only
 * ever adds time, and the maximum must not be one unlucky moment.
 *
 * Prints "input_us_median: V us", "input_us_p90", "input_us_max" and
 * "inputs: N"; with -v, one "US PATH" line per input before them.  An
 * input that violates an invariant aborts, as in any replay: only inputs
 * that run clean can be measured.  Never used by make test.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../fuzz.h"
#include "../../inputs.h"

struct cost {
	double us;
	char *path;
};

#define RECHECK 16

static struct cost *costs;
static size_t n_costs, cap_costs;
static unsigned runs = 5;

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int compare_cost(const void *a, const void *b)
{
	return compare_double(&((const struct cost *)a)->us, &((const struct cost *)b)->us);
}

/* One warm-up run (first-touch page faults are not the input's cost), then
 * the median of @n timed runs (at most 64). */
static int time_file(const char *path, unsigned n, double *us)
{
	double samples[64];
	uint8_t *data;
	size_t size;
	unsigned r;

	if (inputs_read(path, &data, &size) != 0) {
		fprintf(stderr, "input_cost: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	LLVMFuzzerTestOneInput(data, size);
	for (r = 0; r < n; r++) {
		double start = now_us();

		LLVMFuzzerTestOneInput(data, size);
		samples[r] = now_us() - start;
	}
	free(data);
	qsort(samples, n, sizeof(samples[0]), compare_double);
	*us = samples[n / 2];
	return 0;
}

static int measure_file(const char *path, void *ctx)
{
	double us;

	(void)ctx;
	if (time_file(path, runs, &us) != 0)
		return -1;
	if (n_costs == cap_costs) {
		cap_costs = cap_costs ? 2 * cap_costs : 256;
		costs = realloc(costs, cap_costs * sizeof(*costs));
		if (costs == NULL)
			abort();
	}
	costs[n_costs].us = us;
	costs[n_costs].path = strdup(path);
	n_costs++;
	return 0;
}

/* Measure the slowest inputs again; keep the lower of the two medians. */
static int recheck_slowest(void)
{
	unsigned n = runs * 3 > 63 ? 63 : runs * 3;
	size_t k;

	qsort(costs, n_costs, sizeof(costs[0]), compare_cost);
	for (k = n_costs > RECHECK ? n_costs - RECHECK : 0; k < n_costs; k++) {
		double us;

		if (time_file(costs[k].path, n, &us) != 0)
			return -1;
		if (us < costs[k].us)
			costs[k].us = us;
	}
	qsort(costs, n_costs, sizeof(costs[0]), compare_cost);
	return 0;
}

/* The value at quantile @q of the sorted costs (nearest rank). */
static double quantile(double q)
{
	size_t rank = (size_t)(q * (double)n_costs + 0.999999);

	return costs[(rank ? rank : 1) - 1].us;
}

int main(int argc, char **argv)
{
	int i = 1, verbose = 0;
	size_t k;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-v") == 0) {
			verbose = 1;
		} else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
			runs = (unsigned)atoi(argv[++i]);
		} else {
			i = argc;
			break;
		}
	}
	if (i >= argc || runs == 0 || runs > 64) {
		fprintf(stderr, "usage: input_cost [-n RUNS (1..64)] [-v] FILE|DIR...\n");
		return 2;
	}
	LLVMFuzzerInitialize(&argc, &argv);
	for (; i < argc; i++)
		if (inputs_each("input_cost", argv[i], measure_file, NULL) != 0)
			return 1;
	if (n_costs == 0) {
		fprintf(stderr, "input_cost: no inputs\n");
		return 1;
	}
	if (recheck_slowest() != 0)
		return 1;
	if (verbose)
		for (k = 0; k < n_costs; k++)
			printf("%.1f %s\n", costs[k].us, costs[k].path);
	printf("input_us_median: %.1f us\n", quantile(0.5));
	printf("input_us_p90: %.1f us\n", quantile(0.9));
	printf("input_us_max: %.1f us\n", costs[n_costs - 1].us);
	printf("inputs: %zu\n", n_costs);
	return 0;
}
