/* SPDX-License-Identifier: MIT */
/*
 * fw.h - the fake firmware, as the harness, the tests and the replay driver
 * see it: run one loader against one scenario, with the invariants armed.
 */
#ifndef EBSFUZZ_FUZZ_FW_H
#define EBSFUZZ_FUZZ_FW_H

#include <stdbool.h>
#include <stdio.h>

#include "../../core/efi.h"
#include "../script.h"

/* The loader contract of core/efi.h, as a function pointer. */
typedef EFI_STATUS (*fw_loader_fn)(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab);

/*
 * The invariants the firmware holds a loader to; names, citations and the
 * rules themselves are in fw/invariants.c, the one module that raises them.
 */
enum fw_invariant {
	INV_BUFFER_BOUNDS,
	INV_TERMINATION,
	INV_FORBIDDEN_CALL,
	INV_STALE_KEY,
	INV_STALE_MAP,
	INV_LEAK,
	INV_STATUS,
	INV_LIVENESS,
	INV_COUNT
};

/* The name a violation is reported under, "ebsfuzz: invariant NAME violated". */
extern const char *const fw_invariant_names[INV_COUNT];

/* Default N of the liveness invariant: growth the loader must absorb. */
#define FW_DEFAULT_LIVENESS_DESCS 8u

/**
 * struct fw_options - how the firmware runs, independent of the input.
 * @liveness_descs: growth, in descriptors, up to which a compliant run
 *	must end in a successful exit (EBSFUZZ_LIVENESS).
 * @personalities: bit mask of enum scn_personality the input may choose;
 *	others are mapped onto allowed ones (EBSFUZZ_PERSONALITIES).
 * @revisions: bit mask of enum scn_revision likewise (EBSFUZZ_REVISIONS).
 * @trace: stream to print the scenario and each call to, or NULL.
 */
struct fw_options {
	unsigned liveness_descs;
	uint32_t personalities;
	uint32_t revisions;
	FILE *trace;
};

/* Calls recorded per run, in order, for tests and the real-firmware differential. */
#define FW_LOG_CALLS 64u

struct fw_call {
	uint8_t service; /* enum fw_service */
	EFI_STATUS status;
};

/**
 * struct fw_result - what happened in a run that violated nothing.
 * @status: what the loader returned (if @returned).
 * @returned: the loader returned (it did not reset the system).
 * @exited: ExitBootServices() succeeded.
 * @calls: boot-service and protocol calls made by the loader.
 * @exit_attempts: ExitBootServices() calls.
 * @compliant: the liveness invariant applied to this run.
 * @why_not_compliant: if not, the first reason.
 * @log: the first FW_LOG_CALLS calls the loader made, with their status.
 * @n_log: entries in @log.
 * @final_key: the firmware's map key when the loader finished.
 * @final_descriptors: descriptors in the firmware's map then.
 * @desc_size: the DescriptorSize the firmware reported.
 */
struct fw_result {
	EFI_STATUS status;
	bool returned;
	bool exited;
	unsigned calls;
	unsigned exit_attempts;
	bool compliant;
	const char *why_not_compliant;
	struct fw_call log[FW_LOG_CALLS];
	unsigned n_log;
	uint64_t final_key;
	unsigned final_descriptors;
	unsigned desc_size;
};

int fw_options_from_env(struct fw_options *opt, char *error, size_t error_size);

void fw_run(const struct scenario *scn, fw_loader_fn loader, const struct fw_options *opt,
	    struct fw_result *result);

#endif /* EBSFUZZ_FUZZ_FW_H */
