/* SPDX-License-Identifier: MIT */
/*
 * test_script.c - the input format: decoding is total and deterministic,
 * truncated directives are dropped, text and bytes round-trip, and the same
 * input gives the same run (nothing survives from one run to the next).
 */
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

static bool same_result(const struct fw_result *a, const struct fw_result *b)
{
	return a->status == b->status && a->returned == b->returned && a->exited == b->exited &&
	       a->calls == b->calls && a->exit_attempts == b->exit_attempts &&
	       a->compliant == b->compliant && a->n_log == b->n_log &&
	       a->final_key == b->final_key && a->final_descriptors == b->final_descriptors &&
	       memcmp(a->log, b->log, a->n_log * sizeof(a->log[0])) == 0;
}

static uint32_t lcg(uint32_t *state)
{
	*state = *state * 1103515245u + 12345u;
	return *state >> 8;
}

/* Random inputs decode without complaint, and each directive's bytes
 * re-encode to a directive that decodes to the same values. */
static bool random_inputs_decode(void)
{
	static uint8_t data[512], again[64];
	uint32_t seed = 1;
	unsigned round, i;

	for (round = 0; round < 2000; round++) {
		struct scn_reader r = { data, (size_t)(lcg(&seed) % sizeof(data)), 0 };
		struct scn_directive dir, dir2;
		struct scenario scn;

		for (i = 0; i < r.size; i++)
			data[i] = (uint8_t)lcg(&seed);
		scn_decode(data, r.size, &scn);
		while (scn_next_directive(&r, &dir)) {
			struct scn_reader r2 = { again, scn_encode_directive(&dir, again), 0 };

			if (!scn_next_directive(&r2, &dir2) || dir2.op != dir.op ||
			    memcmp(dir.v, dir2.v, sizeof(dir.v[0]) * scn_ops[dir.op].n_fields) != 0)
				return false;
		}
		if (scn.n_entries > SCN_MAX_ENTRIES || scn.n_handlers > SCN_MAX_HANDLERS)
			return false;
	}
	return true;
}

/* A directive cut short is not applied: the firmware stays compliant EDK2. */
static bool truncated_directive_dropped(void)
{
	const uint8_t handler[] = { OP_HANDLER, GROUP_BEFORE_EXIT, LIFE_ONCE, ACT_ALLOC_PAGES, 4, 1 };
	struct scn_reader r = { handler, sizeof(handler), 0 };
	struct scn_directive dir;
	struct scenario scn;

	scn_decode(handler, sizeof(handler), &scn);
	return scn.n_handlers == 0 && !scn_next_directive(&r, &dir) && r.offset == 0;
}

/* Every line of the canonical form parses and prints back identically. */
static bool text_round_trip(void)
{
	static const char *const lines[] = {
		"firmware uboot",
		"revision 2.90",
		"descriptor-size bytes=64",
		"quirk dsize-unwritten-on-too-small on",
		"map-key key=0xffffffffffffffff step=0x1",
		"map-synthetic descriptors=300 seed=17",
		"map-entry LoaderData pages=16 gap=3",
		"handler exit once alloc-pages BootServicesData amount=3 delta=+1 repeat=2",
		"timer after-map at=1 period=0 alloc-pool LoaderData amount=4096 delta=none repeat=1",
		"inject ExitBootServices nth=2 status=EFI_DEVICE_ERROR",
		"alloc -2",
	};
	char out[512], error[512];
	struct scn_directive dir;
	unsigned i;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		if (scn_parse_line(lines[i], &dir, error, sizeof(error)) != 1)
			return false;
		scn_format_directive(&dir, out, sizeof(out));
		if (strcmp(out, lines[i]) != 0)
			return false;
	}
	return scn_parse_line("handler exit sometimes", &dir, error, sizeof(error)) == -1 &&
	       strstr(error, "lifetime") != NULL &&
	       scn_parse_line("descriptor-size bytes=99999", &dir, error, sizeof(error)) == -1 &&
	       scn_parse_line("  # only a comment", &dir, error, sizeof(error)) == 0;
}

/* The same input gives the same run, before and after other inputs. */
static bool runs_are_deterministic(void)
{
	static const char *const scenarios[] = {
		"firmware ami\nhandler exit once alloc-pages BootServicesData amount=3 delta=+1 repeat=1\n",
		"firmware uboot\ntimer at-call at=1 period=1 alloc-pool LoaderData amount=64 delta=+2 repeat=3\n",
		("firmware edk2-2023\nmap-synthetic descriptors=200 seed=9\nhandler before-exit every "
		 "alloc-pages LoaderData amount=2 delta=-1 repeat=4\n"),
	};
	struct fw_options opt = { .liveness_descs = FW_DEFAULT_LIVENESS_DESCS };
	struct fw_result first[3], again;
	static struct scenario scn;
	unsigned i, pass;

	for (pass = 0; pass < 3; pass++) {
		for (i = 0; i < 3; i++) {
			scenario_from_text(scenarios[i], &scn);
			fw_run(&scn, loader_exit_boot, &opt, pass == 0 ? &first[i] : &again);
			if (pass > 0 && !same_result(&first[i], &again))
				return false;
		}
	}
	return true;
}

int main(void)
{
	test_result("random inputs decode, directives re-encode", random_inputs_decode(), NULL);
	test_result("a truncated directive is dropped", truncated_directive_dropped(), NULL);
	test_result("text round trip and clear errors", text_round_trip(), NULL);
	test_result("the same input gives the same run", runs_are_deterministic(), NULL);
	return test_summary("test_script");
}
