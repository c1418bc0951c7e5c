/* SPDX-License-Identifier: MIT */
/*
 * outcome.c - what one point's outcome says, in the report card's words:
 * whether it broke a rule, how it ended, whether it stops by itself.
 * point.c measures the outcome.
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "report.h"

/**
 * outcome_signal_name() - a deadly signal's name, as the card prints it.
 * @sig: the signal, or -1 for a process that ended without one.
 */
const char *outcome_signal_name(int sig)
{
	switch (sig) {
	case SIGSEGV:
		return "SIGSEGV";
	case SIGBUS:
		return "SIGBUS";
	case SIGFPE:
		return "SIGFPE";
	case SIGILL:
		return "SIGILL";
	case SIGABRT:
		return "SIGABRT";
	case -1:
		return "process ended";
	default:
		return "another signal";
	}
}

/**
 * outcome_bad() - whether a point broke a rule, rather than failing to exit.
 * @o: the outcome.
 *
 * A liveness report alone is the referee's verdict that the loader did not
 * exit where it must: the report measures that (as headroom) rather than
 * counting it as a bad way to fail.  It still appears under the rules.
 *
 * Return: true for a violation of another invariant, a sanitizer report, a
 * crash or a hang.
 */
bool outcome_bad(const struct outcome *o)
{
	unsigned i;

	if (o->hang || o->signal != 0)
		return true;
	/* A halt's hang (one no liveness judges) is how it stopped, as a
	 * return or Exit() is; the rules still list it. */
	for (i = 0; i < o->n_names; i++)
		if (strcmp(o->names[i], "liveness") != 0 &&
		    !(o->halted && strcmp(o->names[i], "hang") == 0))
			return true;
	return false;
}

/* What broke: "violates a, b" (invariants), then sanitizer reports.  A
 * halt's hang is how the loader stopped, which the cell says already
 * ("halts in a loop"): named here too, memtest86+'s designed halt after
 * an error print read "stops by itself: ...; violates call-after-giving-up,
 * hang". */
static void describe_broken(const struct outcome *o, char *buf, size_t size)
{
	size_t n = 0;
	unsigned i;

	if (o->signal == -1)
		snprintf(buf, size, "ends the process (exit status %d)", o->exit_code);
	else if (o->n_names == 0)
		snprintf(buf, size, "crashes (%s)", outcome_signal_name(o->signal));
	for (i = 0; i < o->n_names; i++)
		if (strchr(o->names[i], ':') == NULL &&
		    !(o->halted && strcmp(o->names[i], "hang") == 0))
			n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%s",
					      n ? ", " : "violates ", o->names[i]);
	for (i = 0; i < o->n_names; i++)
		if (strchr(o->names[i], ':') != NULL)
			n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%s",
					      n ? "; " : "", o->names[i]);
}

/* How the loader ended the run: exited, reset, Exit() or returned. */
static void describe_end(const struct outcome *o, char *buf, size_t size)
{
	const char *s = o->exit_attempts == 1 ? "" : "s";

	if (o->exited)
		snprintf(buf, size, "exits after %u failed exit%s", o->failed_exits,
			 o->failed_exits == 1 ? "" : "s");
	else if (o->reset)
		snprintf(buf, size, "resets the system after %u exit attempt%s", o->exit_attempts, s);
	else if (o->called_exit)
		snprintf(buf, size, "calls Exit(%s) after %u exit attempt%s", o->status,
			 o->exit_attempts, s);
	else if (o->halted)
		snprintf(buf, size, "halts in a loop after %u exit attempt%s", o->exit_attempts, s);
	else
		snprintf(buf, size, "returns %s after %u exit attempt%s", o->status,
			 o->exit_attempts, s);
}

/**
 * outcome_describe() - how a point ended, in words for the card.
 * @o: the outcome.
 * @buf: receives the text.
 * @size: its size.
 */
void outcome_describe(const struct outcome *o, char *buf, size_t size)
{
	if (o->hang)
		snprintf(buf, size, "hangs");
	else if (outcome_bad(o))
		describe_broken(o, buf, size);
	else
		describe_end(o, buf, size);
}

/**
 * outcome_stops_itself() - whether the loader ended the run itself.
 * @o: the outcome.
 *
 * Return: true if it returned, reset the system, called Exit() or halted
 * in a loop of its own code, with no hang, crash or termination (the referee ending its loop).  Rules broken
 * on the way do not change that: FreeBSD's loader and Limine stop after a
 * bounded number of exits, printing their error after the last one
 * (call-after-giving-up; exit-boot.md 3.6, 3.8).
 */
bool outcome_stops_itself(const struct outcome *o)
{
	unsigned i;

	if (o->hang || o->signal != 0 ||
	    !(o->returned || o->reset || o->called_exit || o->halted))
		return false;
	for (i = 0; i < o->n_names; i++)
		if (strcmp(o->names[i], "termination") == 0)
			return false;
	return true;
}

/**
 * outcome_describe_stop() - how a run on firmware that refuses every key
 * ended: how the loader stopped and what it broke on the way, or what
 * stopped it.
 * @o: the outcome.
 * @buf: receives the text.
 * @size: its size.
 */
void outcome_describe_stop(const struct outcome *o, char *buf, size_t size)
{
	size_t n;

	if (!outcome_stops_itself(o)) {
		outcome_describe(o, buf, size);
		return;
	}
	describe_end(o, buf, size);
	n = strlen(buf);
	if (outcome_bad(o) && n + 2 < size) {
		memcpy(buf + n, "; ", 3);
		describe_broken(o, buf + n + 2, size - n - 2);
	}
}
