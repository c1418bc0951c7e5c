/* SPDX-License-Identifier: MIT */
/*
 * target.c - one fuzz input against one loader: decode it, give the loader
 * its load-time statics, run it on the fake firmware, record what it
 * proved.  The body of every fuzz target, ours (fuzz_ebs.c) and a loader
 * project's own (libebsfuzz.a, ebsfuzz.h).
 */
#define _POSIX_C_SOURCE 200809L /* setenv() */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ebsfuzz.h"
#include "script_print.h"
#include "findings.h"
#include "statics.h"

static struct fw_options options;
static int options_ready;

/*
 * A build may give its target default options, EBSFUZZ_DEFAULTS="NAME=VALUE
 * ...": OSS-Fuzz and ClusterFuzzLite run a target with no environment of
 * the project's choosing (fuzz/ossfuzz.mk sets them for a loader
 * project's target).  The environment, where it sets one, wins.
 */
static void apply_build_defaults(void)
{
#ifdef EBSFUZZ_DEFAULTS
	static const char defaults[] = EBSFUZZ_DEFAULTS;
	const char *p = defaults + strspn(defaults, " ");

	while (*p != 0) {
		size_t len = strcspn(p, " "), name_len = strcspn(p, "= ");
		char name[64], value[160];

		if (name_len >= len || name_len >= sizeof(name) || len - name_len - 1 >= sizeof(value)) {
			fprintf(stderr, "ebsfuzz: EBSFUZZ_DEFAULTS: expected NAME=VALUE, got '%.*s'\n",
				(int)len, p);
			exit(2);
		}
		memcpy(name, p, name_len);
		name[name_len] = 0;
		memcpy(value, p + name_len + 1, len - name_len - 1);
		value[len - name_len - 1] = 0;
		setenv(name, value, 0);
		p += len;
		p += strspn(p, " ");
	}
#endif
}

static void init_options(void)
{
	char error[160];

	apply_build_defaults();
	if (fw_options_from_env(&options, error, sizeof(error)) != 0) {
		fprintf(stderr, "ebsfuzz: %s\n", error);
		exit(2);
	}
	findings_init(&options);
	options_ready = 1;
}

/**
 * ebsfuzz_initialize() - read the EBSFUZZ_* options; exit 2 on a malformed
 * one.  Optional: the first input does it.
 */
void ebsfuzz_initialize(void)
{
	init_options();
}

/*
 * Traces start with the input as scenario text, so that a crash's trace can
 * be pasted into a .scn file: directives first, then the run as comments.
 */
static void trace_input(const uint8_t *data, size_t size)
{
	struct scn_reader reader = { data, size, 0 };

	fprintf(options.trace, "# scenario (%zu bytes)\n", size);
	reader.offset = scn_print_directives(options.trace, data, size, true);
	if (reader.offset < size)
		fprintf(options.trace, "# the last %zu bytes are a cut-short %s directive, ignored\n",
			size - reader.offset, scn_ops[data[reader.offset] % OP_COUNT].keyword);
	fprintf(options.trace, "# run\n");
}

/**
 * ebsfuzz_one_input() - run @loader once on the firmware @data describes.
 * @data: the fuzz input; every byte string is valid.
 * @size: its length.
 * @loader: the loader contract.
 *
 * Unless the findings campaign asked to keep going (EBSFUZZ_FINDINGS), a
 * violation ends the process, one report line per violation.
 *
 * Return: 0, as libFuzzer wants; -1 for a run a deadly signal ended
 * (fuzz/signals.c, only in the campaign's libFuzzer workers) or a halt
 * ended (fuzz/halts.c): libFuzzer then keeps the input out of its corpus,
 * as it would a crash's, so that the search does not settle among inputs
 * that fault or spin (a halt costs milliseconds of sampling).
 */
int ebsfuzz_one_input(const uint8_t *data, size_t size, fw_loader_fn loader)
{
	static struct scenario scn;
	struct fw_result result;

	if (!options_ready)
		init_options();
	if (options.trace != NULL)
		trace_input(data, size);
	scn_decode(data, size, &scn);
	loader_statics_restore();
	findings_begin_run(data, size);
	fw_run(&scn, loader, &options, &result);
	findings_end_run(&result);
	return result.ended == END_SIGNAL || result.ended == END_HALT ? -1 : 0;
}
