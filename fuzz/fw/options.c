/* SPDX-License-Identifier: MIT */
/*
 * options.c - options that do not come from the fuzz input, read from
 * the environment so that libFuzzer, AFL++ and the replay driver all honour
 * them without flags of their own.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Parse a comma-separated list of NAMES into a bit mask. */
static int parse_list(const char *list, const char *const *names, unsigned count, uint32_t *mask,
		      char *error, size_t error_size, const char *var)
{
	const char *p = list;

	*mask = 0;
	while (*p != 0) {
		size_t len = strcspn(p, ",");
		unsigned i;

		for (i = 0; i < count; i++)
			if (strlen(names[i]) == len && strncmp(p, names[i], len) == 0)
				break;
		if (i == count) {
			snprintf(error, error_size, "%s: unknown value '%.*s'", var, (int)len, p);
			return -1;
		}
		*mask |= 1u << i;
		p += len + (p[len] == ',');
	}
	return 0;
}

static const char *const envelope_names[2] = { [ENVELOPE_ALL] = "all",
					      [ENVELOPE_COMPLIANT] = "compliant" };
static const char *const rules_names[2] = { [RULES_DE_FACTO] = "de-facto", [RULES_SPEC] = "spec" };
static const char *const machine_names[2] = { [MACHINE_PC] = "pc", [MACHINE_ARM] = "arm" };

/* One of @names from the variable @var (unset or empty: the first). */
static int parse_choice(const char *var, const char *const *names, unsigned count, uint8_t *out,
			char *error, size_t error_size)
{
	const char *v = getenv(var);
	unsigned i;

	*out = 0;
	if (v == NULL || *v == 0)
		return 0;
	for (i = 0; i < count; i++)
		if (strcmp(v, names[i]) == 0) {
			*out = (uint8_t)i;
			return 0;
		}
	snprintf(error, error_size, "%s: expected %s or %s, got '%s'", var, names[0], names[1], v);
	return -1;
}

/**
 * fw_options_from_env() - defaults, overridden by the environment.
 * @opt: filled in.
 * @error: receives a message if a variable is malformed.
 * @error_size: its size.
 *
 * EBSFUZZ_LIVENESS=N          growth bound of the liveness invariant (default 8)
 * EBSFUZZ_PERSONALITIES=a,b   restrict the firmware (edk2-2025 edk2-2022 edk2-2023 ami uboot)
 * EBSFUZZ_REVISIONS=2.70,2.90 restrict the revision the firmware reports
 * EBSFUZZ_FIRMWARE=all|compliant   every firmware, classified (default), or
 *                             every input mapped onto compliant firmware
 * EBSFUZZ_RULES=de-facto|spec what compliant means: the UEFI text and what
 *                             loaders may rely on in practice (default), or
 *                             the text's letter only
 * EBSFUZZ_MACHINE=pc|arm      the machine the loader is built for: a PC's
 *                             maps (default), or an ARM machine's, RAM in
 *                             one range from 1 GiB, for every input
 * EBSFUZZ_FIRST=1             the first violation ends the process at once
 * EBSFUZZ_FAIL_ON=a,b         the classes whose violations end the process
 *                             (default all: compliant, noncompliant,
 *                             giving-up, loader-ub); the others are traced
 * EBSFUZZ_TRACE=1             print the run, call by call, on stderr
 *
 * Return: 0, or -1 with @error set.
 */
int fw_options_from_env(struct fw_options *opt, char *error, size_t error_size)
{
	const char *v;
	char *end;

	opt->liveness_descs = FW_DEFAULT_LIVENESS_DESCS;
	opt->personalities = 0;
	opt->revisions = 0;
	opt->trace = NULL;
	v = getenv("EBSFUZZ_LIVENESS");
	if (v != NULL && *v != 0) {
		unsigned long n = strtoul(v, &end, 10);

		if (*end != 0 || n > 4096) {
			snprintf(error, error_size, "EBSFUZZ_LIVENESS: expected 0..4096, got '%s'", v);
			return -1;
		}
		opt->liveness_descs = (unsigned)n;
	}
	v = getenv("EBSFUZZ_PERSONALITIES");
	if (v != NULL && parse_list(v, scn_personality_names, PERS_COUNT, &opt->personalities,
				    error, error_size, "EBSFUZZ_PERSONALITIES") != 0)
		return -1;
	v = getenv("EBSFUZZ_REVISIONS");
	if (v != NULL && parse_list(v, scn_revision_names, REV_COUNT, &opt->revisions, error,
				    error_size, "EBSFUZZ_REVISIONS") != 0)
		return -1;
	if (parse_choice("EBSFUZZ_FIRMWARE", envelope_names, 2, &opt->envelope, error,
			 error_size) != 0 ||
	    parse_choice("EBSFUZZ_RULES", rules_names, 2, &opt->rules, error, error_size) != 0 ||
	    parse_choice("EBSFUZZ_MACHINE", machine_names, 2, &opt->machine, error, error_size) != 0)
		return -1;
	v = getenv("EBSFUZZ_FIRST");
	opt->first = v != NULL && *v != 0 && strcmp(v, "0") != 0;
	opt->lenient_classes = 0;
	v = getenv("EBSFUZZ_FAIL_ON");
	if (v != NULL && *v != 0) {
		uint32_t fail_on;

		if (parse_list(v, fw_class_names, CLASS_COUNT, &fail_on, error, error_size,
			       "EBSFUZZ_FAIL_ON") != 0)
			return -1;
		opt->lenient_classes = (uint8_t)(~fail_on & ((1u << CLASS_COUNT) - 1));
	}
	opt->keep_going = false;
	v = getenv("EBSFUZZ_TRACE");
	if (v != NULL && *v != 0 && strcmp(v, "0") != 0)
		opt->trace = stderr;
	return 0;
}
