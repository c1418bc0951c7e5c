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
 * rules themselves are in fw/invariants.c and fw/end_of_run.c, the modules
 * that raise them.
 */
enum fw_invariant {
	INV_BUFFER_BOUNDS,
	INV_TERMINATION,
	INV_FORBIDDEN_CALL,
	INV_CALL_AFTER_GIVING_UP,
	INV_STALE_KEY,
	INV_STALE_MAP,
	INV_LEAK,
	INV_STATUS,
	INV_LIVENESS,
	INV_ARGUMENT_ALIGNMENT,
	INV_HANG,
	INV_COUNT
};

/* The name a violation is reported under, "ebsfuzz: invariant NAME violated". */
extern const char *const fw_invariant_names[INV_COUNT];

/*
 * How much a violation matters, most severe first (the README's "Fuzzing
 * your own loader" explains each):
 *   compliant     the firmware kept the rules; the loader breaks a boot
 *   noncompliant  only firmware outside the rules exposes it
 *   giving-up     a forbidden call on the loader's way out, after its last
 *                 exit attempt
 *   loader-ub     undefined behaviour in the loader's C that is no exit-boot
 *                 rule (UBSan, raised by the harness; and argument-alignment,
 *                 a misaligned pointer the loader passes a service)
 */
enum fw_class { CLASS_COMPLIANT, CLASS_NONCOMPLIANT, CLASS_GIVING_UP, CLASS_LOADER_UB, CLASS_COUNT };

extern const char *const fw_class_names[CLASS_COUNT];

/* Default N of the liveness invariant: growth the loader must absorb. */
#define FW_DEFAULT_LIVENESS_DESCS 8u

/* Which firmware the input may describe (EBSFUZZ_FIRMWARE). */
enum fw_envelope {
	ENVELOPE_ALL,       /* everything, non-compliant firmware included, classified */
	ENVELOPE_COMPLIANT, /* every input mapped onto compliant firmware */
};

/* What "compliant" means (EBSFUZZ_RULES). */
enum fw_rules {
	RULES_DE_FACTO, /* the UEFI text plus what loaders may rely on in practice */
	RULES_SPEC,     /* the UEFI text's letter only */
};

/* The machine the loader is built for (EBSFUZZ_MACHINE): the shape of its
 * memory map. */
enum fw_machine {
	MACHINE_PC,  /* RAM from 0, the hole below 1 MiB (OVMF, x86 U-Boot) */
	MACHINE_ARM, /* RAM from 1 GiB in one range (QEMU's arm virt) */
};

/**
 * struct fw_options - how the firmware runs, independent of the input.
 * @liveness_descs: growth, in descriptors, up to which a compliant run
 *	must end in a successful exit (EBSFUZZ_LIVENESS).
 * @personalities: bit mask of enum scn_personality the input may choose;
 *	others are mapped onto allowed ones (EBSFUZZ_PERSONALITIES).
 * @revisions: bit mask of enum scn_revision likewise (EBSFUZZ_REVISIONS).
 * @envelope: enum fw_envelope (EBSFUZZ_FIRMWARE).
 * @rules: enum fw_rules (EBSFUZZ_RULES).
 * @machine: enum fw_machine (EBSFUZZ_MACHINE).
 * @first: every violation ends the process at once (EBSFUZZ_FIRST=1).
 * @keep_going: never end the process for a violation: fatal ones end the
 *	run, all are returned in struct fw_result (the findings campaign).
 * @trace: stream to print the scenario and each call to, or NULL.
 */
struct fw_options {
	unsigned liveness_descs;
	uint32_t personalities;
	uint32_t revisions;
	uint8_t envelope;
	uint8_t rules;
	uint8_t machine;
	bool first;
	bool keep_going;
	/* Classes (1 << enum fw_class) whose violations end no process: traced,
	 * and a fatal one still ends its run (EBSFUZZ_FAIL_ON names the others). */
	uint8_t lenient_classes;
	FILE *trace;
};

/* Calls recorded per run, in order, for tests and the real-firmware differential. */
#define FW_LOG_CALLS 64u

struct fw_call {
	uint8_t service; /* enum fw_service */
	EFI_STATUS status;
};

/* Violations and reasons kept per run; more of either are counted, not kept. */
#define FW_MAX_VIOLATIONS 16u
#define FW_MAX_REASONS 16u

/**
 * struct fw_violation - one broken invariant.
 * @invariant: enum fw_invariant.
 * @class: enum fw_class.
 * @fatal: the run could not go on after it (the firmware ended it).
 * @call: the call it happened at; 0 if at the end of the run.
 * @caller: the return address, in the loader, of the call it happened at
 *	(for the end of the run: of the loader's last call), or NULL.
 * @caller_from: for a call made in a function the loader calls itself,
 *	the return address into that function's caller (fw_site_from()), or
 *	NULL.
 * @message: what happened, and at which call (the report line's text).
 */
struct fw_violation {
	uint8_t invariant;
	uint8_t class;
	bool fatal;
	unsigned call;
	const void *caller;
	const void *caller_from;
	char message[320];
};

/**
 * struct fw_reason - why liveness did not apply to a run.
 * @why: what the firmware did or the fake machine could not do.
 * @call: the call at which it happened; 0 for what the scenario says.
 * @outside_rules: the firmware broke the rules (the run is non-compliant);
 *	false: the rules were kept, but a boot is not owed (the map grew past
 *	the bound, the machine ran out of memory).
 */
struct fw_reason {
	const char *why;
	unsigned call;
	bool outside_rules;
	bool machine_limit; /* what the fake machine cannot do (fw_cannot_model()) */
};

/* How the loader's run ended. */
enum fw_end { END_RETURNED, END_EXIT, END_RESET, END_FATAL, END_SIGNAL, END_HALT };

/**
 * struct fw_result - what happened in a run.
 * @status: what the loader returned, or passed to Exit().
 * @returned: the loader returned or called Exit() (@status is meaningful).
 * @ended: enum fw_end.
 * @exited: ExitBootServices() succeeded.
 * @calls: boot-service and protocol calls made by the loader.
 * @exit_attempts: ExitBootServices() calls.
 * @compliant: the liveness invariant applied to this run.
 * @why_not_compliant: if not, the first reason.
 * @reasons: every reason liveness did not apply, in order; @n_reasons.
 * @violations: every violation, in order; @n_violations.
 * @log: the first FW_LOG_CALLS calls the loader made, with their status.
 * @n_log: entries in @log.
 * @final_key: the firmware's map key when the loader finished.
 * @final_descriptors: descriptors in the firmware's map then.
 * @desc_size: the DescriptorSize the firmware reported.
 */
struct fw_result {
	EFI_STATUS status;
	bool returned;
	uint8_t ended;
	bool exited;
	unsigned calls;
	unsigned exit_attempts;
	bool compliant;
	const char *why_not_compliant;
	struct fw_reason reasons[FW_MAX_REASONS];
	unsigned n_reasons;
	struct fw_violation violations[FW_MAX_VIOLATIONS];
	unsigned n_violations;
	struct fw_call log[FW_LOG_CALLS];
	unsigned n_log;
	uint64_t final_key;
	unsigned final_descriptors;
	unsigned desc_size;
};

int fw_options_from_env(struct fw_options *opt, char *error, size_t error_size);

/* Whether the firmware of the run in progress has broken a rule yet: the
 * class of a finding the harness sees mid-run (a memory error); the hook
 * is told whenever that changes. */
bool fw_outside_rules_so_far(void);
void fw_set_class_hook(void (*hook)(bool outside_rules));

/* The violations the run in progress has recorded so far, in order, each
 * with its final class (a memory error that ends the process mid-run must
 * not take them with it). */
const struct fw_violation *fw_violations_so_far(unsigned *count);

/* Whether the loader's run is in progress (its code, or a service it
 * called, is running), and the end of that run at a deadly signal in it
 * (fuzz/signals.c): fw_run() returns as if the loader had stopped there,
 * with the violations recorded so far and none of the end-of-run ones. */
bool fw_loader_running(void);
_Noreturn void fw_end_run_on_signal(void);

/* A halt: the loader spins in a loop of its own code that changes nothing
 * (fuzz/halts.c sees it), the way real loaders stop on a fatal error.
 * fw_calls_so_far() tells a loop from one that calls the firmware;
 * fw_end_run_halted() ends the run as a halt, as ResetSystem() does, at
 * @site, in the function whose frame record @frame is, its stack pointer
 * @sp (NULL if unknown). */
unsigned fw_calls_so_far(void);
_Noreturn void fw_end_run_halted(const void *site, void *const *frame, const void *sp);

void fw_run(const struct scenario *scn, fw_loader_fn loader, const struct fw_options *opt,
	    struct fw_result *result);

/* The loader's own heap (heap.c), for its malloc() and kin (fuzz/loader_heap.c). */
enum fw_heap_free { HEAP_FREED, HEAP_NOT_OURS, HEAP_DOUBLE_FREE, HEAP_BAD_FREE };
void *fw_heap_alloc(size_t bytes, const void *site);
enum fw_heap_free fw_heap_free(void *ptr, const void *site);
bool fw_heap_size(const void *ptr, size_t *bytes);
bool fw_heap_owns(const void *ptr);
void fw_heap_reporting_bad_free(const void *ptr);

/* A bad access to a poisoned byte of the loader's blocks (arena.c),
 * as ASan would name it for a heap block, with where the block came from. */
struct fw_bad_access {
	const char *kind; /* "heap-buffer-overflow", "heap-use-after-free", "double-free", "bad-free" */
	char what[160];   /* "N bytes after the end of a B-byte block from S (call C)" */
	const void *alloc_site; /* the loader's return address, or NULL */
	const char *free_service; /* NULL if the block is live */
	unsigned free_call;
	const void *free_site;
};
bool fw_explain_bad_access(uintptr_t addr, size_t size, struct fw_bad_access *out);
bool fw_explain_fault(uintptr_t addr, struct fw_bad_access *out);
/* A bad write that only the loader's own memory can feel (arena.c): true
 * if the run may go on; then no heap block is handed out in this process,
 * @guard ends it. */
bool fw_take_stray_write(uintptr_t addr, size_t size);
/* Bytes of the loader's blocks the harness wrote for it (arena_written.c). */
void fw_arena_wrote(const void *p, size_t size);
void fw_arena_loader_unpoisoned(void);
void fw_guard_after_stray_write(void);
bool fw_arena_past_accessible(uintptr_t addr);
void fw_arena_set_heap_guard(void (*guard)(void));
void fw_set_place_namer(const char *(*namer)(const void *pc));
void fw_set_loader_access_report(bool (*report)(const void *caller, const void *at, size_t size,
						bool write));
void fw_set_loader_copies(void (*move)(const void *caller, void *to, const void *from, size_t size),
			  void (*fill)(const void *caller, void *to, uint8_t value, size_t size));

#endif /* EBSFUZZ_FUZZ_FW_H */
