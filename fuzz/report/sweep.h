/* SPDX-License-Identifier: MIT */
/*
 * sweep.h - the measurements of a report card: what each one asks of the
 * firmware, and what it found.
 */
#ifndef EBSFUZZ_REPORT_SWEEP_H
#define EBSFUZZ_REPORT_SWEEP_H

#include "report.h"

enum report_section {
	SEC_GRID,    /* headroom per personality and DescriptorSize */
	SEC_SIZING,  /* growth before the read; over-report */
	SEC_RANGE,   /* revisions, withheld fields, large keys and maps */
	SEC_RETRIES, /* refusals in a row; firmware that always refuses */
	SEC_COUNT
};

/* Where the growth comes from: the step each personality takes before its
 * key check (exit-boot.md 2.1, 2.2, 2.6). */
enum report_trigger {
	TRIGGER_BEFORE_EXIT, /* a once-only BEFORE_EXIT_BOOT_SERVICES handler */
	TRIGGER_EXIT,        /* a once-only EXIT_BOOT_SERVICES handler (AMI) */
	TRIGGER_AFTER_READ,  /* a one-shot timer after the last read before the exit */
	TRIGGER_AFTER_QUERY, /* a one-shot timer at the call after the first GetMemoryMap */
	TRIGGER_NONE,        /* nothing: U-Boot changes no map a loader does not poll */
	TRIGGER_COUNT
};

enum report_kind {
	KIND_HEADROOM,       /* search the largest growth the loader still exits after */
	KIND_RETRIES,        /* refusals in a row, one more each time */
	KIND_ALWAYS_REFUSES, /* one run on firmware that refuses every key */
};

/**
 * struct measure - one measured cell of a card: its definition, then its
 * result.
 * @loader: index in report_loaders.
 * @kind: enum report_kind.
 * @section: enum report_section.
 * @trigger: enum report_trigger (headroom).
 * @personality: enum scn_personality of the firmware.
 * @pool: growth by pool allocations (else by page allocations).
 * @dsize: DescriptorSize.
 * @id: stable name of the row, for JSON ("over-report-116").
 * @label: the row as the card names it.
 * @base: scn lines of the firmware, without the growth.
 * @skipped: not measured, @na says why.
 * @na: why there is no figure.
 * @fails_at_zero: the loader does not exit even without growth.
 * @capped: it still exits at the largest growth (or refusals) asked.
 * @survived: growth (descriptors) or failed exits it still exits after:
 *	the most any surviving point saw.
 * @asked: the largest growth (or refusals) asked for that it survived.
 * @failed_growth: the least growth any failing point saw.
 * @non_monotone: some point survived more growth than a failing one saw
 *	(the loader's own allocations differ from run to run).
 * @zero: the run without growth.
 * @beyond: the first point past @survived.
 * @bad: some point past @survived broke a rule; @bad_desc, @bad_growth.
 * @points: runs made.
 * @mem_points: points that called memory services after a failed exit.
 * @trips: rules broken by any of its points.
 * @done: filled in by a worker.
 */
struct measure {
	unsigned loader;
	uint8_t kind, section, trigger, personality;
	bool pool;
	uint16_t dsize;
	char id[40];
	char label[64];
	char base[256];

	bool skipped;
	char na[96];
	bool fails_at_zero, capped;
	unsigned survived, asked, failed_growth;
	bool non_monotone;
	struct outcome zero, beyond;
	bool bad;
	char bad_desc[REPORT_DESC_MAX];
	unsigned bad_growth;
	unsigned points;
	unsigned mem_points;
	struct trips trips;
	bool done;
};

extern const char *const report_trigger_names[TRIGGER_COUNT];

unsigned sweep_plan(struct measure *m, unsigned max, unsigned loader, const struct report_env *env);
void sweep_measure(struct measure *m, const struct report_env *env);
int sweep_run_all(struct measure *m, unsigned n, unsigned jobs, const struct report_env *env);

#endif /* EBSFUZZ_REPORT_SWEEP_H */
