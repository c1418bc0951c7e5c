/* SPDX-License-Identifier: MIT */
/*
 * testlib.c - run scenarios against loaders in forked children and judge
 * how they ended.
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

bool test_check_failed;
bool testlib_trace;
struct fw_options testlib_options = { .liveness_descs = FW_DEFAULT_LIVENESS_DESCS };
static unsigned passed, failed;

/**
 * scenario_from_text() - parse scn text and decode it through its bytes,
 * the path every fuzz input takes.
 * @text: directive lines; a malformed one aborts the test program.
 * @scn: the decoded scenario.
 */
void scenario_from_text(const char *text, struct scenario *scn)
{
	static uint8_t bytes[1 << 14];
	size_t n = 0;
	const char *line = text;
	char buf[512], error[512];
	struct scn_directive dir;

	while (*line != 0) {
		size_t len = strcspn(line, "\n");

		snprintf(buf, sizeof(buf), "%.*s", (int)len, line);
		switch (scn_parse_line(buf, &dir, error, sizeof(error))) {
		case -1:
			fprintf(stderr, "test scenario: %s: %s\n", buf, error);
			abort();
		case 1:
			n += scn_encode_directive(&dir, bytes + n);
			break;
		}
		line += len + (line[len] == '\n');
	}
	scn_decode(bytes, n, scn);
}

/**
 * runs_keeping_going() - @loader run @runs times in this process on the
 * scenario @scenario_text, violations recorded, none ending the process:
 * for loaders that give up on purpose, whose runs a test compares (the
 * arena's blocks from one run to the next).
 */
void runs_keeping_going(const char *scenario_text, fw_loader_fn loader, unsigned runs)
{
	static struct scenario scn;
	struct fw_options opt = testlib_options;
	struct fw_result result;

	opt.keep_going = true;
	scenario_from_text(scenario_text, &scn);
	while (runs-- > 0)
		fw_run(&scn, loader, &opt, &result);
}

/* Exit codes of the child: checks passed, checks failed. */
enum { CHILD_OK = 0, CHILD_CHECKS_FAILED = 1 };

static void child(const char *scenario_text, fw_loader_fn loader, int fd)
{
	static struct scenario scn;
	struct fw_options opt = testlib_options;
	struct fw_result result;
	char summary[64];

	dup2(fd, 2);
	if (testlib_trace)
		opt.trace = stderr;
	scenario_from_text(scenario_text, &scn);
	test_check_failed = false;
	fw_run(&scn, loader, &opt, &result);
	snprintf(summary, sizeof(summary), "\ntestlib: exited=%d compliant=%d\n", result.exited,
		 result.compliant);
	if (write(2, summary, strlen(summary)) < 0)
		_exit(3);
	_exit(test_check_failed ? CHILD_CHECKS_FAILED : CHILD_OK);
}

static void parse_output(struct run_outcome *out)
{
	const char *v = strstr(out->output, "ebsfuzz: invariant ");
	const char *s = strstr(out->output, "testlib: exited=");

	out->violation[0] = 0;
	if (v != NULL)
		sscanf(v, "ebsfuzz: invariant %31s", out->violation);
	if (s != NULL) {
		int exited = 0, compliant = 0;

		sscanf(s, "testlib: exited=%d compliant=%d", &exited, &compliant);
		out->exited = exited;
		out->compliant = compliant;
	}
}

/**
 * run_forked() - run @loader on the scenario in a child and collect the end.
 * @scenario_text: scn text.
 * @loader: the loader contract.
 * @out: how it ended.
 */
void run_forked(const char *scenario_text, fw_loader_fn loader, struct run_outcome *out)
{
	int fds[2], status;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	memset(out, 0, sizeof(*out));
	if (pipe(fds) != 0 || (pid = fork()) < 0) {
		perror("testlib");
		exit(2);
	}
	if (pid == 0) {
		close(fds[0]);
		child(scenario_text, loader, fds[1]);
	}
	close(fds[1]);
	while ((r = read(fds[0], out->output + n, sizeof(out->output) - 1 - n)) > 0)
		n += (size_t)r;
	out->output[n] = 0;
	close(fds[0]);
	waitpid(pid, &status, 0);
	if (WIFSIGNALED(status)) {
		out->signal = WTERMSIG(status);
		out->aborted = out->signal == SIGABRT;
	} else {
		out->checks_failed = WEXITSTATUS(status) != CHILD_OK;
	}
	parse_output(out);
}

void test_result(const char *name, bool ok, const struct run_outcome *out)
{
	if (ok) {
		passed++;
		printf("ok   %s\n", name);
		return;
	}
	failed++;
	printf("FAIL %s\n", name);
	if (out != NULL)
		printf("---- child output ----\n%s\n----------------------\n", out->output);
}

/**
 * expect_violation() - the run must abort on exactly @invariant.
 * @name: test name.
 * @scenario: scn text.
 * @loader: a deliberately broken loader.
 * @invariant: the expected invariant name.
 *
 * Return: whether the test passed.
 */
bool expect_violation(const char *name, const char *scenario, fw_loader_fn loader,
		      const char *invariant)
{
	struct run_outcome out;
	bool ok;

	run_forked(scenario, loader, &out);
	ok = out.aborted && strcmp(out.violation, invariant) == 0;
	if (getenv("TESTLIB_VERBOSE") != NULL)
		printf("     %s", strstr(out.output, "ebsfuzz: invariant") ? strstr(out.output, "ebsfuzz: invariant") : "(no violation)\n");
	test_result(name, ok, &out);
	return ok;
}

/**
 * expect_fires_and_silent() - @invariant fires on @broken and stays silent
 * for the hardened loader, on the same scenario.
 * @invariant: the expected invariant name.
 * @why: what the broken loader does, for the test names.
 * @scenario: scn text.
 * @broken: a loader broken in exactly that way.
 */
void expect_fires_and_silent(const char *invariant, const char *why, const char *scenario,
			     fw_loader_fn broken)
{
	char name[160];

	snprintf(name, sizeof(name), "%s fires: %s", invariant, why);
	expect_violation(name, scenario, broken, invariant);
	snprintf(name, sizeof(name), "%s silent for the hardened loader: %s", invariant, why);
	expect_clean(name, scenario, loader_exit_boot, false);
}

/**
 * expect_reports() - the run must fail, and its output hold every line of
 * @reports (substrings), in that order.
 * @name: test name.
 * @scenario: scn text.
 * @loader: a deliberately broken loader.
 * @reports: NULL-terminated.
 *
 * Return: whether the test passed.
 */
bool expect_reports(const char *name, const char *scenario, fw_loader_fn loader,
		    const char *const *reports)
{
	struct run_outcome out;
	const char *at;
	bool ok;

	run_forked(scenario, loader, &out);
	ok = out.signal != 0 || out.checks_failed; /* ASan exits with 1 */
	for (at = out.output; ok && *reports != NULL; reports++) {
		at = strstr(at, *reports);
		ok = at != NULL;
	}
	test_result(name, ok, &out);
	return ok;
}

/**
 * expect_absent() - the run's output must not hold @text.
 * @name: test name.
 * @scenario: scn text.
 * @loader: the loader.
 * @text: what must not be reported.
 *
 * Return: whether the test passed.
 */
bool expect_absent(const char *name, const char *scenario, fw_loader_fn loader, const char *text)
{
	struct run_outcome out;
	bool ok;

	run_forked(scenario, loader, &out);
	ok = strstr(out.output, text) == NULL;
	test_result(name, ok, &out);
	return ok;
}

/**
 * expect_clean() - the run must end without violation or failed check.
 * @name: test name.
 * @scenario: scn text.
 * @loader: a correct loader (or a probe that checks firmware behaviour).
 * @must_exit: also require that boot services were exited.
 *
 * Return: whether the test passed.
 */
bool expect_clean(const char *name, const char *scenario, fw_loader_fn loader, bool must_exit)
{
	struct run_outcome out;
	bool ok;

	run_forked(scenario, loader, &out);
	ok = out.signal == 0 && !out.checks_failed && out.violation[0] == 0 &&
	     (!must_exit || out.exited);
	test_result(name, ok, &out);
	return ok;
}

int test_summary(const char *suite)
{
	printf("%s: %u passed, %u failed\n", suite, passed, failed);
	return failed == 0 ? 0 : 1;
}
