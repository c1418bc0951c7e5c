/* SPDX-License-Identifier: MIT */
/*
 * fake_sequence.c - the fake firmware's side of the real-firmware
 * differential: run a scenario through fw_run() with the loader linked in,
 * in the personality of the real firmware it is compared with, and print
 * the sequence in the format the UEFI test driver prints (seq.c).
 *
 * Usage: fake_sequence edk2-2022|edk2-2025|uboot SCENARIO.bin
 *
 * The loader is observed by the same shim as on real firmware; what the
 * shim saw is checked against the fake firmware's own log (struct
 * fw_result), so a call the shim cannot see is an error here rather than
 * a silent gap there.  A scenario must use only what real firmware can
 * honour (see in_scope()); anything else is refused.
 *
 * Exit status: 0 printed; 2 usage or unreadable input; 3 out of scope;
 * 4 the shim and the fake firmware disagree; an invariant violation aborts,
 * after printing the sequence as far as it went.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../fw/fw.h"
#include "shim.h"

EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab);

static uint8_t input[65536];
static struct scenario scn;

/* No timer hook (the fake fires its own timers), no reset hook (the fake
 * ends the run), and late calls reach the fake's forbidden-call invariant. */
static EFI_STATUS observed_loader(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	static const struct shim_config config = { NULL, NULL, true };
	struct seq_record *rec;
	EFI_STATUS status;

	status = loader_exit_boot(image, shim_install(systab, &config));
	/* Now, not after fw_run(): the end-of-run invariants may abort. */
	rec = shim_record();
	rec->returned = true;
	rec->status = status;
	return status;
}

/* The action fields' delta, by opcode (fuzz/script.c ACTION_FIELDS). */
static uint64_t action_delta(const struct scn_directive *dir)
{
	return dir->op == OP_HANDLER ? dir->v[5] : dir->v[6];
}

/**
 * in_scope() - whether real firmware can do what a directive asks.
 * @dir: a decoded directive.
 *
 * Handlers and timers become real events (actions.c) but cannot choose
 * where the firmware's allocator puts their memory, so their delta must be
 * "auto"; a revision is only a claim in the table.  Personalities, maps,
 * quirks, injections, loader allocation outcomes and the other settings
 * are the fake firmware's alone.
 *
 * Return: true if the directive means the same on both firmwares.
 */
static bool in_scope(const struct scn_directive *dir)
{
	switch (dir->op) {
	case OP_REVISION:
		return true;
	case OP_HANDLER:
	case OP_TIMER:
		return action_delta(dir) == DELTA_AUTO;
	default:
		return false;
	}
}

static int check_scope(const uint8_t *data, size_t size)
{
	struct scn_reader reader = { data, size, 0 };
	struct scn_directive dir;
	char text[256];

	while (scn_next_directive(&reader, &dir)) {
		if (in_scope(&dir))
			continue;
		scn_format_directive(&dir, text, sizeof(text));
		fprintf(stderr, "fake_sequence: out of scope for real firmware: %s\n", text);
		return -1;
	}
	return 0;
}

/* The shim must have seen exactly what the fake firmware logged. */
static int check_shim(const struct seq_record *rec, const struct fw_result *result)
{
	unsigned i, n = result->n_log < SEQ_MAX_CALLS ? result->n_log : SEQ_MAX_CALLS;

	for (i = 0; i < n && i < rec->n_calls; i++)
		if (rec->calls[i].service != result->log[i].service ||
		    rec->calls[i].status != result->log[i].status)
			break;
	if (i < n || rec->n_calls != n) {
		fprintf(stderr, "fake_sequence: call %u: the fake firmware logged %s, the shim %s\n",
			i + 1, i < n ? scn_service_names[result->log[i].service] : "nothing",
			i < rec->n_calls ? scn_service_names[rec->calls[i].service] : "nothing");
		return -1;
	}
	if (rec->total_calls != result->calls || rec->exit_attempts != result->exit_attempts ||
	    rec->exited != result->exited) {
		fprintf(stderr, "fake_sequence: the shim counted %u calls, %u exits (%s), the fake "
			"firmware %u, %u (%s)\n", rec->total_calls, rec->exit_attempts,
			rec->exited ? "exited" : "not exited", result->calls, result->exit_attempts,
			result->exited ? "exited" : "not exited");
		return -1;
	}
	return 0;
}

static int read_input(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		return -1;
	*size = fread(input, 1, sizeof(input), f);
	if (ferror(f) || !feof(f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

static void put_stdout(const char *text, void *ctx)
{
	(void)ctx;
	fputs(text, stdout);
}

static void put_fd(const char *text, void *ctx)
{
	(void)ctx;
	if (write(STDOUT_FILENO, text, strlen(text)) < 0)
		return;
}

/* An invariant fired (fw_violation() aborts): print the sequence as far as
 * it went, so that scripts/confirm-on-real can show it beside the real
 * firmware's, then die of the same signal. */
static void on_abort(int sig)
{
	fflush(stdout);
	put_fd("fake firmware: an invariant fired (see stderr)\n", NULL);
	seq_print(shim_record(), put_fd, NULL);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Personality and starting map of the real firmware compared with. */
static int pick_firmware(const char *name)
{
	if (strcmp(name, "edk2-2022") == 0) {
		scn.personality = PERS_EDK2_2022;
		scn.map_template = MAP_OVMF_2022;
	} else if (strcmp(name, "edk2-2025") == 0) {
		scn.personality = PERS_EDK2_2025;
		scn.map_template = MAP_OVMF_2025;
	} else if (strcmp(name, "uboot") == 0) {
		scn.personality = PERS_UBOOT;
		scn.map_template = MAP_UBOOT_X86;
	} else {
		return -1;
	}
	scn.set |= SET_MAP;
	return 0;
}

int main(int argc, char **argv)
{
	struct fw_options opt;
	struct fw_result result;
	struct seq_record *rec;
	char error[160];
	size_t size;

	if (argc != 3) {
		fprintf(stderr, "usage: fake_sequence edk2-2022|edk2-2025|uboot SCENARIO.bin\n");
		return 2;
	}
	if (read_input(argv[2], &size) != 0) {
		fprintf(stderr, "fake_sequence: cannot read %s (or larger than 64 KiB)\n", argv[2]);
		return 2;
	}
	if (check_scope(input, size) != 0)
		return 3;
	scn_decode(input, size, &scn);
	if (pick_firmware(argv[1]) != 0) {
		fprintf(stderr, "fake_sequence: unknown firmware %s\n", argv[1]);
		return 2;
	}
	if (fw_options_from_env(&opt, error, sizeof(error)) != 0) {
		fprintf(stderr, "fake_sequence: %s\n", error);
		return 2;
	}
	signal(SIGABRT, on_abort);
	fw_run(&scn, observed_loader, &opt, &result);
	rec = shim_record();
	rec->returned = result.returned;
	rec->status = result.status;
	if (rec->exited)
		shim_note_firmware_key(result.final_key);
	if (check_shim(rec, &result) != 0)
		return 4;
	printf("fake firmware: %s, %s%s\n", argv[1],
	       result.compliant ? "compliant" : "not compliant: ",
	       result.compliant ? "" : result.why_not_compliant);
	seq_print(rec, put_stdout, NULL);
	return 0;
}
