/* SPDX-License-Identifier: MIT */
/*
 * crash_on.c - a process aimed at one finding, for the campaign's
 * minimisers: EBSFUZZ_CRASH_ON="KIND<TAB>PLACE<TAB>CLASS".  A run that
 * proves that finding aborts (findings.c), so that libFuzzer's
 * -minimize_crash (or afl-tmin) shrinks its reproducer and nothing else;
 * every other way the process would end as a crash (a SEGV, a bad write)
 * ends it with status 0 instead, which to the minimisers is an input
 * without the crash, so they do not shrink towards another finding.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "findings_internal.h"

void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

/* EBSFUZZ_CRASH_ON, split; kind[0] == 0 if not given. */
static struct {
	char kind[64], place[200];
	int class;
} crash_on;

/* EBSFUZZ_CRASH_ON's three fields; a value without them names nothing. */
void crash_on_parse(const char *v)
{
	const char *tab1 = strchr(v, '\t'), *tab2 = tab1 != NULL ? strchr(tab1 + 1, '\t') : NULL;
	int class;

	if (tab2 == NULL)
		return;
	for (class = 0; class < CLASS_COUNT; class++)
		if (strcmp(tab2 + 1, fw_class_names[class]) == 0)
			break;
	if (class == CLASS_COUNT || (size_t)(tab1 - v) >= sizeof(crash_on.kind) ||
	    (size_t)(tab2 - tab1 - 1) >= sizeof(crash_on.place))
		return;
	snprintf(crash_on.kind, sizeof(crash_on.kind), "%.*s", (int)(tab1 - v), v);
	snprintf(crash_on.place, sizeof(crash_on.place), "%.*s", (int)(tab2 - tab1 - 1), tab1 + 1);
	crash_on.class = class;
}

/* Whether the process is aimed at a finding. */
bool crash_on_aimed(void)
{
	return crash_on.kind[0] != 0;
}

/*
 * Whether a finding is the one EBSFUZZ_CRASH_ON names.  A finding's identity
 * in a campaign is its kind, its place as file and line, and its class; the
 * hash that names its files hashes the place as the recording process wrote
 * it, and a worker that does not symbolize writes an offset in its own
 * executable (pc:OFFSET, call:OFFSET,...), which means nothing to another binary or to a
 * process that symbolizes.  So the place is compared as text: equal to
 * PLACE, or ending in "/" PLACE (the table gives files of the project
 * relative to its top).  A process that cannot symbolize (afl-tmin insists
 * on symbolize=0) cannot tell places apart: there kind and class decide,
 * and the campaign checks the shrunk input, symbolized, before it keeps it.
 */
bool crash_on_matches(const char *kind, const char *where, uint8_t class)
{
	size_t length = strlen(where), place = strlen(crash_on.place);

	if (!crash_on_aimed() || strcmp(kind, crash_on.kind) != 0 || class != crash_on.class)
		return false;
	if (strncmp(where, "pc:", 3) == 0 || strncmp(where, "pcs:", 4) == 0 ||
	    strncmp(where, "call:", 5) == 0)
		return true;
	return length >= place && strcmp(where + length - place, crash_on.place) == 0 &&
	       (length == place || where[length - place - 1] == '/');
}

/*
 * The end of a process, under EBSFUZZ_CRASH_ON, by anything but the finding
 * it names: a clean exit.  Minimisers count any crash as the one they
 * shrink, and a reproducer of a violation often crashes later on inputs
 * near it (the Linux 3.11 port's heap-buffer-overflow shrank to an input
 * whose division by zero came first, which the campaign then had to
 * reject).  ASan's death callback for a fatal report; findings.c calls it
 * before a bad write would abort.
 */
void crash_on_elsewhere(void)
{
	if (crash_on_aimed())
		_exit(0);
}

/* Before every run, not at start-up: libFuzzer installs its own death
 * callback once it has read its options, after the target's
 * initialisation. */
void crash_on_arm(void)
{
	if (crash_on_aimed() && __sanitizer_set_death_callback != NULL)
		__sanitizer_set_death_callback(crash_on_elsewhere);
}
