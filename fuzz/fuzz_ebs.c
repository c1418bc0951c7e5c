/* SPDX-License-Identifier: MIT */
/*
 * fuzz_ebs.c - the fuzz target: decode the input into a scenario and run
 * the loader linked into this binary (loader_exit_boot) against it.
 *
 * The same object serves libFuzzer, AFL++ (through libAFLDriver) and the
 * replay driver; which loader is under test is decided at link time.
 */
#include <stdint.h>
#include <stdlib.h>

#include "findings.h"
#include "fuzz.h"
#include "fw/fw.h"
#include "statics.h"

static struct fw_options options;
static int options_ready;

static void init_options(void)
{
	char error[160];

	if (fw_options_from_env(&options, error, sizeof(error)) != 0) {
		fprintf(stderr, "ebsfuzz: %s\n", error);
		exit(2);
	}
	findings_init(&options);
	options_ready = 1;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	init_options();
	return 0;
}

/*
 * Traces start with the input as scenario text, so that a crash's trace can
 * be pasted into a .scn file: directives first, then the run as comments.
 */
static void trace_input(const uint8_t *data, size_t size)
{
	struct scn_reader reader = { data, size, 0 };
	struct scn_directive dir;
	char line[600];

	fprintf(options.trace, "# scenario (%zu bytes)\n", size);
	while (scn_next_directive(&reader, &dir)) {
		scn_format_directive(&dir, line, sizeof(line));
		fprintf(options.trace, "%s\n", line);
	}
	if (reader.offset < size)
		fprintf(options.trace, "# the last %zu bytes are a cut-short %s directive, ignored\n",
			size - reader.offset, scn_ops[data[reader.offset] % OP_COUNT].keyword);
	fprintf(options.trace, "# run\n");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
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
	fw_run(&scn, loader_exit_boot, &options, &result);
	findings_end_run(&result);
	return 0;
}
