/* SPDX-License-Identifier: MIT */
/*
 * test_exit_sequences.c - every personality's ExitBootServices() sequence,
 * pinned step by step over a failed and a successful call, and what that
 * sequence means for a loader (must exit, must not, either).
 *
 * The sequences are data in fuzz/fw/personality.c; the firmware and the
 * liveness predictor both read them.  These tests read the trace, so a
 * change to the table that moves a group, a timer shutdown or the key check
 * fails here, without QEMU.
 */
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "testlib.h"

/* A handler in each group and a timer at every call, none of which changes
 * the map (EDK2 serves the pools from a free list; the timer frees nothing),
 * so the trace shows who runs, in what order. */
#define OBSERVERS                                                                              \
	"handler before-exit every alloc-pool BootServicesData amount=16 delta=none repeat=1\n" \
	"handler exit every alloc-pool BootServicesData amount=16 delta=none repeat=1\n"        \
	"handler exit-failed every alloc-pool BootServicesData amount=16 delta=none repeat=1\n" \
	"timer at-call at=1 period=1 free BootServicesData amount=0 delta=auto repeat=1\n"
/* The first exit fails whatever the key (an injected stale-key answer). */
#define FIRST_EXIT_REFUSED "inject ExitBootServices nth=1 status=EFI_INVALID_PARAMETER\n"

static UINT8 map_buffer[1 << 16] __attribute__((aligned(8)));

/* Read, exit, read again, exit again: two ExitBootServices() calls. */
static EFI_STATUS read_exit_twice(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	UINTN size, key, dsize, attempt;
	UINT32 version;
	EFI_STATUS status = EFI_LOAD_ERROR;

	for (attempt = 0; attempt < 2; attempt++) {
		size = sizeof(map_buffer);
		if (bs->GetMemoryMap(&size, (VOID *)map_buffer, &key, &dsize, &version) != EFI_SUCCESS)
			return EFI_LOAD_ERROR;
		status = bs->ExitBootServices(image, key);
		if (status != EFI_INVALID_PARAMETER)
			break;
	}
	return status;
}

/* The trace as tokens: M GetMemoryMap, E ExitBootServices, t a timer fires,
 * T- timers off, K+/K- key accepted/refused, B/X/F a group is signalled. */
static void tokens(const char *trace, char *out, size_t size)
{
	static const struct {
		const char *prefix, *token;
	} map[] = {
		{ ": GetMemoryMap(", "M" },	  { ": ExitBootServices(", "E" },
		{ "#   timer services off", "T-" }, { "#   key check: accepted", "K+" },
		{ "#   key check: refused", "K-" }, { "#   signal before-exit group", "B" },
		{ "#   signal exit group", "X" },	  { "#   signal exit-failed group", "F" },
	};
	const char *line = trace;
	size_t n = 0, i;

	out[0] = 0;
	while (*line != 0) {
		size_t len = strcspn(line, "\n");
		const char *token = NULL;

		if (strncmp(line, "#   timer ", 10) == 0 && strstr(line, " fires before call") != NULL &&
		    (size_t)(strstr(line, " fires before call") - line) < len)
			token = "t";
		for (i = 0; token == NULL && i < sizeof(map) / sizeof(map[0]); i++) {
			const char *hit = strstr(line, map[i].prefix);

			if (hit != NULL && (size_t)(hit - line) < len)
				token = map[i].token;
		}
		if (token != NULL && n + strlen(token) + 2 < size)
			n += (size_t)snprintf(out + n, size - n, "%s%s", n ? " " : "", token);
		line += len + (line[len] == '\n');
	}
}

static void expect_sequence(const char *name, const char *firmware, const char *expected)
{
	char scenario[1024], got[512];
	struct run_outcome out;

	snprintf(scenario, sizeof(scenario), "%s" OBSERVERS FIRST_EXIT_REFUSED, firmware);
	testlib_trace = true;
	run_forked(scenario, read_exit_twice, &out);
	testlib_trace = false;
	tokens(out.output, got, sizeof(got));
	if (strcmp(got, expected) != 0)
		printf("     expected: %s\n     got:      %s\n", expected, got);
	test_result(name, strcmp(got, expected) == 0 && out.violation[0] == 0 && out.exited, &out);
}

/* Three-way expectations for any loader: whether the firmware lets one exit. */
enum { MUST_EXIT, MUST_NOT_EXIT };

static void expect_outcome(const char *name, const char *scenario, int expectation)
{
	struct run_outcome out;
	bool ok;

	run_forked(scenario, loader_exit_boot, &out);
	ok = out.violation[0] == 0 && out.signal == 0 &&
	     (expectation == MUST_EXIT ? out.exited : !out.exited);
	test_result(name, ok, &out);
}

#define GROWS(group, lifetime)                                                                 \
	"handler " group " " lifetime " alloc-pages BootServicesData amount=1 delta=+1 repeat=1\n"

/* POSIX-UEFI's exit_bs() as axle calls it: the exit tried again with the
 * key just refused, the map not read again.  Broken. */
static EFI_STATUS retries_refused_key(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;

	if (read_map(st, &m) != EFI_SUCCESS)
		return EFI_LOAD_ERROR;
	if (m.bs->ExitBootServices(image, m.key) == EFI_SUCCESS)
		return EFI_SUCCESS;
	return m.bs->ExitBootServices(image, m.key);
}

int main(void)
{
	/* Failed call, then successful call.  "t" before a call: timers alive
	 * (U-Boot has no timer interrupt, so none fire at these calls). */
	expect_sequence("EDK2 2025: BEFORE once, timers off, check, FAILED or EXIT",
			"firmware edk2-2025\n", "t M t E B T- K- F M E K+ X");
	expect_sequence("EDK2 2022: timers off, check, FAILED or EXIT", "firmware edk2-2022\n",
			"t M t E T- K- F M E K+ X");
	expect_sequence("EDK2 2023: BEFORE on every call", "firmware edk2-2023\n",
			"t M t E B T- K- F M E B K+ X");
	expect_sequence("AMI: timers off, BEFORE and EXIT on the first call, check",
			"firmware ami\n", "t M t E T- B X K- M E K+");
	expect_sequence("U-Boot: check first; BEFORE, timers off, EXIT on success only",
			"firmware uboot\n", "M E K- M E K+ B T- X");
	expect_sequence("EDK2 2025 with handlers on every call (Snapdragon)",
			"firmware edk2-2025\nquirk handlers-every-call on\n",
			"t M t E B T- K- F M E B K+ X");
	expect_sequence("EDK2 2022 with handlers on every call", "firmware edk2-2022\n"
			"quirk handlers-every-call on\n", "t M t E B T- K- F M E B K+ X");
	expect_sequence("AMI with handlers on every call", "firmware ami\n"
			"quirk handlers-every-call on\n", "t M t E T- B X K- M E B X K+");
	expect_sequence("U-Boot ignores handlers-every-call before its check",
			"firmware uboot\nquirk handlers-every-call on\n", "M E K- M E K+ B T- X");

	/* What the sequences mean for a correct loader (the hardened one). */
	expect_outcome("EDK2 2025: a BEFORE handler growing the map fails one exit only",
		       "firmware edk2-2025\n" GROWS("before-exit", "every"), MUST_EXIT);
	expect_outcome("EDK2 2023: a BEFORE handler growing the map on every call defeats any loader",
		       "firmware edk2-2023\n" GROWS("before-exit", "every"), MUST_NOT_EXIT);
	expect_outcome("EDK2 2022: no BEFORE group, the handler never runs",
		       "firmware edk2-2022\n" GROWS("before-exit", "every"), MUST_EXIT);
	expect_outcome("EDK2: an EXIT handler runs after the check, too late to refuse",
		       "firmware edk2-2025\n" GROWS("exit", "every"), MUST_EXIT);
	expect_outcome("EDK2: a FAILED handler growing the map runs after the check",
		       "firmware edk2-2025\n" GROWS("before-exit", "once") GROWS("exit-failed", "every"),
		       MUST_EXIT);
	expect_outcome("AMI: EXIT handlers before the check, first call only",
		       "firmware ami\n" GROWS("exit", "every"), MUST_EXIT);
	expect_outcome("AMI with handlers on every call defeats any loader",
		       "firmware ami\nquirk handlers-every-call on\n" GROWS("exit", "every"),
		       MUST_NOT_EXIT);
	expect_outcome("U-Boot: handlers run only once the key is accepted",
		       "firmware uboot\n" GROWS("before-exit", "every") GROWS("exit", "every"),
		       MUST_EXIT);
	/* U-Boot keeps its timers through a failed exit but only polls them in
	 * RestoreTPL, CheckEvent, WaitForEvent and Stall (fuzz/fw/uboot.c), none
	 * of which a loader that only reads the map and exits calls. */
	{
		/* EDK2's FAILED group runs after a refused key check: its
		 * change follows a retry already refused, and no correct
		 * retry meets it (it is no firmware outside the rules). */
		static const char *const compliant_liveness[] = {
			"ebsfuzz: invariant liveness violated", "[compliant]", NULL
		};

		expect_reports("a retry with the refused key, its refusal's FAILED handler growing "
			       "the map: the loader's liveness, on compliant firmware",
			       "firmware edk2-2025\n" GROWS("before-exit", "once")
				       GROWS("exit-failed", "every"),
			       retries_refused_key, compliant_liveness);
	}
	expect_outcome("U-Boot: a timer a loader never polls never fires",
		       "firmware uboot\ntimer at-call at=1 period=1 alloc-pages BootServicesData "
		       "amount=1 delta=+1 repeat=1\n",
		       MUST_EXIT);
	expect_outcome("EDK2: the same timer dies with the first exit",
		       "firmware edk2-2025\ntimer at-call at=1 period=1 alloc-pages BootServicesData "
		       "amount=1 delta=+1 repeat=1\n",
		       MUST_EXIT);
	return test_summary("test_exit_sequences");
}
