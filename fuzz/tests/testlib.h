/* SPDX-License-Identifier: MIT */
/*
 * testlib.h - a tiny test harness for the fake firmware: scenarios written
 * in the scn text syntax, each run in a forked child so that an invariant
 * violation (an abort) is observed exactly as a fuzzer would see it.
 */
#ifndef EBSFUZZ_TESTS_TESTLIB_H
#define EBSFUZZ_TESTS_TESTLIB_H

#include <stdbool.h>

#include "../fw/fw.h"

/* Run children with the call-by-call trace on their stderr (in @output). */
extern bool testlib_trace;
/* The options children run with (liveness 8, everything else off). */
extern struct fw_options testlib_options;

/* Checks inside a test loader: record the failure, keep going. */
extern bool test_check_failed;
#define CHECK(cond)                                                                            \
	do {                                                                                   \
		if (!(cond)) {                                                                 \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			test_check_failed = true;                                              \
		}                                                                              \
	} while (0)

/**
 * struct run_outcome - how a forked run ended.
 * @violation: the invariant named on the first "ebsfuzz: invariant" line, or "".
 * @aborted: the child died of SIGABRT.
 * @signal: the signal that killed it, or 0.
 * @checks_failed: a CHECK in the loader failed.
 * @exited: ExitBootServices succeeded (valid when the child exited normally).
 * @compliant: the run was held to liveness.
 * @output: everything the child wrote to stderr.
 */
struct run_outcome {
	char violation[32];
	bool aborted;
	int signal;
	bool checks_failed;
	bool exited;
	bool compliant;
	char output[32768];
};

void scenario_from_text(const char *text, struct scenario *scn);
void run_forked(const char *scenario_text, fw_loader_fn loader, struct run_outcome *out);
void runs_keeping_going(const char *scenario_text, fw_loader_fn loader, unsigned runs);

/* Test registry and reporting.  TESTLIB_VERBOSE=1 prints each violation line. */
bool expect_violation(const char *name, const char *scenario, fw_loader_fn loader,
		      const char *invariant);
bool expect_clean(const char *name, const char *scenario, fw_loader_fn loader, bool must_exit);
void expect_fires_and_silent(const char *invariant, const char *why, const char *scenario,
			     fw_loader_fn broken);
bool expect_absent(const char *name, const char *scenario, fw_loader_fn loader, const char *text);
bool expect_reports(const char *name, const char *scenario, fw_loader_fn loader,
		    const char *const *reports);
int test_summary(const char *suite);
void test_result(const char *name, bool passed, const struct run_outcome *out);

#endif
