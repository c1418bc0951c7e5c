/* SPDX-License-Identifier: MIT */
/*
 * run.c - one run of a loader against the fake firmware: reset every
 * piece of state, hand over the system table, account for each call, check
 * the end of the run, release everything.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../sanitizers.h"
#include "internal.h"

struct fw fw;


/**
 * fw_trace() - print one trace line (see FW_TRACE).
 * @fmt: printf format.
 */
void fw_trace(const char *fmt, ...)
{
	va_list ap;

	/* A call's own line (fw_leave() writes one for a call without). */
	if (strncmp(fmt, "# call ", 7) == 0 && fw.calls <= FW_MAX_CALLS)
		fw.traced[fw.calls / 64] |= 1ull << (fw.calls % 64);

	va_start(ap, fmt);
	vfprintf(fw.opt->trace, fmt, ap);
	va_end(ap);
}

/**
 * fw_status_name() - the spec's name of a status.
 * @status: an EFI_STATUS.
 *
 * Return: a static string.
 */
const char *fw_status_name(EFI_STATUS status)
{
	static const struct {
		EFI_STATUS status;
		const char *name;
	} names[] = {
#define STATUS_NAME(name) { EFI_##name, "EFI_" #name },
		STATUS_NAME(SUCCESS) SCN_STATUSES(STATUS_NAME) STATUS_NAME(BAD_BUFFER_SIZE)
		STATUS_NAME(PROTOCOL_ERROR) STATUS_NAME(INCOMPATIBLE_VERSION)
#undef STATUS_NAME
	};
	unsigned i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].status == status)
			return names[i].name;
	return EFI_ERROR(status) ? "an unlisted error" : "a warning";
}

/*
 * Which injection, if any, makes this call fail.  Never Exit(): called on
 * the image that is running, it does not return (UEFI 2.10 section 7.4.5;
 * it returns only for another image's handle, which the loader contract
 * never passes).  Made to fail, it sent every loader that halts with a
 * loop after it, as it should (Linux's stub since f3fa0efce2e7,
 * https://git.kernel.org/torvalds/c/f3fa0efce2e7, an LK-shaped port), into
 * that loop: a noncompliant "hang" at its halt, and in a campaign half a
 * second and a worker per input (a 30-second campaign of the LK shape
 * spent 72% of its time spinning there, and ran 428,000 inputs where
 * loaders of its size run 3 million).  "inject Exit" stays a valid
 * directive (every byte string decodes) that changes nothing.
 */
static EFI_STATUS injected_status(enum fw_service svc)
{
	static const EFI_STATUS statuses[ST_COUNT] = {
#define STATUS_VALUE(name) EFI_##name,
		SCN_STATUSES(STATUS_VALUE)
#undef STATUS_VALUE
	};
	const struct scenario *scn = fw.scn;
	unsigned i;

	if (svc == SVC_Exit)
		return EFI_SUCCESS;
	for (i = 0; i < scn->n_injects; i++) {
		const struct scn_inject *inj = &scn->injects[i];

		if (inj->service == svc && (inj->nth == 0 || inj->nth == fw.svc_calls[svc])) {
			fw_not_compliant(true, "a boot service was made to fail");
			return statuses[inj->status];
		}
	}
	return EFI_SUCCESS;
}

/*
 * The services of the exit dance: where a loader that does not boot went
 * wrong is its last call of these if that call failed (liveness is placed
 * there, oracle_check_end()), not the print or prompt that follows it
 * (memtest86+'s liveness row was at the OutputString of its error message,
 * Unikraft's at its crash macro's).
 */
static bool is_exit_dance(enum fw_service svc)
{
	return svc == SVC_GetMemoryMap || svc == SVC_ExitBootServices || svc == SVC_AllocatePool ||
	       svc == SVC_FreePool || svc == SVC_AllocatePages || svc == SVC_FreePages;
}

/**
 * fw_enter() - the start of every boot-service and ConOut call (FW_ENTER).
 * @svc: which one.
 * @site: the loader's call: its return address, where a violation happens,
 *	and the frame that tells who called the function it is in.
 *
 * Checks the call is allowed now, counts it, lets timers fire (a tick
 * arrives between two calls, never inside one; on U-Boot only at calls
 * that poll, uboot.c), and looks up injections.
 *
 * Return: EFI_SUCCESS to carry on, or the status an injection demands.
 */
EFI_STATUS fw_enter(enum fw_service svc, struct fw_site site)
{
	const void *caller = site.caller;

	fw.caller = caller;
	fw_note_site(site);
	/* A wait for a key is polls with nothing done between them but
	 * prints, stalls and checks (conin.c, FW_KEY_POLLS_TO_WAIT), and so
	 * is a wait for a timer (timer_events.c). */
	if (svc != SVC_ConIn && svc != SVC_ConOut && svc != SVC_Stall && svc != SVC_CheckEvent &&
	    svc != SVC_WaitForEvent && svc != SVC_SetWatchdogTimer &&
	    svc != SVC_GetNextMonotonicCount) {
		fw.key_polls = 0;
		fw.idle_polls = 0;
	}
	oracle_check_call_allowed(svc);
	oracle_check_call_budget(scn_service_names[svc]);
	fw.svc_calls[svc]++;
	if (is_exit_dance(svc) && fw.notifying == FW_NO_GROUP && !fw.timer_notifying) {
		fw.dance_caller = caller;
		fw.dance_chain = fw.call_chain;
		fw.dance_svc = (uint8_t)svc;
		fw.dance_call = fw.calls;
		fw.dance_size_query = false;
	}
	if (fw.timers_enabled && fw.notifying == FW_NO_GROUP && fw_timers_fire_at(svc))
		fw_timers_tick();
	return injected_status(svc);
}

/**
 * fw_leave() - the end of every boot-service and ConOut call: log it.
 * @svc: which one.
 * @status: what it returns.
 *
 * Calls are logged when they return, so a call a notify function makes
 * inside ExitBootServices() comes before ExitBootServices() itself, as a
 * wrapper around the real firmware's table would record them.
 *
 * Return: @status.
 */
EFI_STATUS fw_leave(enum fw_service svc, EFI_STATUS status)
{
	if (fw.n_log < FW_LOG_CALLS)
		fw.log[fw.n_log++] = (struct fw_call){ (uint8_t)svc, status };
	if (is_exit_dance(svc) && fw.notifying == FW_NO_GROUP && !fw.timer_notifying) {
		fw.dance_status = status;
		/* A read of the map starts afresh what the loader does with it;
		 * getmap.c marked a size query before this. */
		if (svc == SVC_GetMemoryMap && status == EFI_SUCCESS) {
			fw.failed_caller = NULL;
		} else if (status != EFI_SUCCESS &&
			   !(fw.dance_size_query && status == EFI_BUFFER_TOO_SMALL)) {
			fw.failed_caller = fw.dance_caller;
			fw.failed_chain = fw.dance_chain;
			fw.failed_svc = (uint8_t)svc;
			fw.failed_call = fw.dance_call;
			fw.failed_status = status;
		}
	}
	/* Every call has its line in the trace: the services with nothing to
	 * say but their status (RaiseTPL, SetWatchdogTimer, CopyMem...) get
	 * this one; without, a trace skipped their numbers (Unikraft's
	 * ClearScreen was call 1, its trace began at call 2). */
	if (fw.opt->trace != NULL && fw.calls <= FW_MAX_CALLS &&
	    !(fw.traced[fw.calls / 64] >> (fw.calls % 64) & 1))
		fw_trace("# call %u: %s -> %s\n", fw.calls, scn_service_names[svc],
			 fw_status_name(status));
	return status;
}

/*
 * UEFI 2.10 section 7.2.3 makes MapKey opaque: it only has to change with
 * the map.  Every personality counts up by one (EDK2's mMemoryMapKey++,
 * U-Boot's efi_memory_map_key++); the input may choose any other step of up
 * to 32 bits (never back to an earlier key within a run: the smallest
 * period is 2^33 changes) or, with step 0, a new value each time:
 * splitmix64 of a counter, a bijection, so no key ever comes back.  Loaders
 * that do arithmetic on keys (keep 32 bits, take 0 for "no key") meet keys
 * a counter never reaches.
 */
static uint64_t next_key(void)
{
	uint64_t z;

	if (fw.key_step != 0)
		return fw.key + fw.key_step;
	z = fw.scn->map_key + (fw.generation + 1) * 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/**
 * fw_map_changed() - bump the key after any change of the map.
 * @by_firmware: a handler or timer changed it, not a call of the loader.
 *
 * UEFI 2.10 section 7.2.3: "The firmware's key is changed every time
 * something in the memory map changes."  EDK2 increments mMemoryMapKey in
 * CoreAddRange() (exit-boot.md 2.4).
 */
void fw_map_changed(bool by_firmware)
{
	unsigned required = fw_map_required_descs();

	fw.key = next_key();
	fw.generation++;
	if (fw.size_queried && required > fw.max_required) {
		fw.max_required = required;
		oracle_note_growth();
	}
	/* Only the first failure may change the map under a loader's feet: after
	 * it returns, compliant firmware is quiet until the key is accepted
	 * (UEFI 2.10 section 7.4.6: exit events "are only signaled once").  But
	 * for a change after a key check that refused (EDK2's FAILED group):
	 * it follows a retry already refused, and no correct retry meets it
	 * (POSIX-UEFI's exit_bs() tried again with the refused key; its
	 * refusal's handler made every such run firmware outside the rules). */
	if (by_firmware && fw.first_exit_returned && !fw.past_key_check && !fw.past_refusal)
		fw_not_compliant(true, "the firmware changed the map after a failed exit");
	FW_TRACE("#   map changed by %s: %u descriptors, key 0x%llx\n",
		 by_firmware ? "firmware" : "the loader's call", fw.n_regions,
		 (unsigned long long)fw.key);
}

/* Call accounting and the phase of the run. */
static void calls_reset(void)
{
	memset(fw.svc_calls, 0, sizeof(fw.svc_calls));
	fw.calls = 0;
	fw.exit_attempts = 0;
	fw.map_reads = 0;
	fw.size_answers = 0;
	fw.n_log = 0;
	fw.phase = PHASE_BOOT;
	fw.first_exit_returned = false;
	fw.virtual_mode = false;
	fw.exit_data = NULL;
	fw.past_key_check = false;
	fw.past_refusal = false;
	fw.ended = END_RETURNED;
	fw.halt_wait = HALT_LOOP;
	fw.key_polls = 0;
	fw.idle_polls = 0;
	fw.dance_caller = NULL;
	fw.dance_call = 0;
	fw.failed_caller = NULL;
	memset(fw.site_from, 0, sizeof(fw.site_from));
	if (fw.opt->trace != NULL)
		memset(fw.traced, 0, sizeof(fw.traced));
}

/*
 * Every module resets the state it owns, in this order: the invariants
 * first (the settings, the map and the loader's allocations may each take
 * the run out of liveness as they are built), then the settings everything
 * else reads (personality, revision, quirks), the starting map, the memory
 * bookkeeping, the tables handed to the loader (they carry the revision),
 * events and timers, and the call accounting.
 */
static void reset_state(const struct scenario *scn, const struct fw_options *opt)
{
	fw.scn = scn;
	fw.opt = opt;
	oracle_reset();
	fw_settings_resolve(scn, opt);
	fw_map_reset();
	fw_memory_reset();
	fw_tables_reset();
	fw_exit_reset();
	calls_reset();
}

/*
 * The stack below the loader's first frame, painted before every run: an
 * uninitialised local of the loader's reads what an earlier run left there
 * (its own frames, the firmware's, the fuzzer's), so the same input made
 * another run.  ReactOS's FreeLoader passes GetMemoryMap() an uninitialised
 * MapSize, and its campaign found "compliant" overflows and an endless
 * allocation loop whose reproducers replayed clean, their scenarios
 * unrelated to the bug.  Painted, such a local reads 0xbe bytes, as an
 * arena block does (arena.c), run after run, and a size made of them is
 * named as one the loader never set (invariants.c).  16 KiB: a loader's
 * exit code keeps its locals within a few KiB of its first frame, even
 * with ASan's red zones, and the median input's cost stayed 2.9 us (32
 * KiB made it 3.1, same run).  Not in the builds of gcc, whose replay
 * runs under Valgrind (it reports writes below the stack pointer), nor
 * MSan's, which names the read itself.
 */
#define STACK_PAINT_BYTES (16u * 1024)

static inline __attribute__((always_inline)) void paint_stack_below(void)
{
#if defined(__x86_64__) && defined(__clang__) && !defined(EBSFUZZ_MSAN)
	unsigned long bytes = STACK_PAINT_BYTES;
	void *to;

	/* Below this function's frame, in which nothing lives below the
	 * stack pointer: it calls others, so it has no red zone in use. */
	__asm__ volatile("lea -%c[span](%%rsp), %%rdi\n\t"
			 "rep stosb"
			 : "=&D"(to), "+c"(bytes)
			 : [span] "i"(STACK_PAINT_BYTES), "a"(FW_STACK_PAINT_BYTE)
			 : "memory");
#endif
}

/**
 * fw_run() - run @loader once against the firmware @scn describes.
 * @scn: the decoded input.
 * @loader: the loader contract.
 * @opt: options that do not come from the input.
 * @result: out, what happened.  Unless @opt->keep_going, a run with a
 *	violation ends the process (one report line per violation on stderr,
 *	then abort); with it, the violations are in @result.
 *
 * The loader's run ends when it returns, calls Exit() or ResetSystem(), or
 * the firmware ends it on a fatal violation.
 */
void fw_run(const struct scenario *scn, fw_loader_fn loader, const struct fw_options *opt,
	    struct fw_result *result)
{
	volatile EFI_STATUS status = EFI_SUCCESS;
	volatile bool returned = false;

	reset_state(scn, opt);
	if (opt->trace != NULL)
		fw_trace_scenario(fw.scn); /* under the envelope, its mapped copy */
	fw.run_started = true;
	if (setjmp(fw.reset_jump) == 0) {
		fw.in_loader = true;
		fw.run_frame = __builtin_frame_address(0);
		paint_stack_below();
		status = loader(fw_image_handle(), &fw.st);
		returned = true;
		FW_TRACE("# loader returned %s\n", fw_status_name(status));
	} else if (fw.ended == END_EXIT) {
		status = fw.exit_status;
		returned = true;
	}
	fw.in_loader = false;
	result->status = status;
	result->returned = returned;
	result->ended = fw.ended;
	result->exited = fw.phase == PHASE_EXITED;
	result->calls = fw.calls;
	result->exit_attempts = fw.exit_attempts;
	memcpy(result->log, fw.log, fw.n_log * sizeof(fw.log[0]));
	result->n_log = fw.n_log;
	result->final_key = fw.key;
	result->final_descriptors = fw.n_regions;
	result->desc_size = fw.desc_size;
	/* A loader that made no call at all is judged at its entry point: a
	 * violation's place is a return address, one byte past a call
	 * instruction (findings_where_is() looks one byte back), so the entry
	 * plus one names the loader's function, not "?". */
	if (fw.caller == NULL)
		fw.caller = (const uint8_t *)(uintptr_t)loader + 1;
	/* A run a deadly signal ended is judged by what it did up to there:
	 * what the loader would have done next (return, retry, exit) never
	 * came, so neither status, leak nor liveness can be said of it. */
	if (fw.ended != END_SIGNAL)
		oracle_check_end(result);
	else
		fw_arena_after_fault();
	oracle_end_run(result);
	fw_memory_release();
}

NO_COVERAGE bool fw_loader_running(void)
{
	return fw.in_loader;
}

_Noreturn void fw_end_run_on_signal(void)
{
	fw.ended = END_SIGNAL;
	longjmp(fw.reset_jump, 1);
}

NO_COVERAGE unsigned fw_calls_so_far(void)
{
	return fw.calls;
}

/**
 * fw_end_run_waiting() - the loader waits for a key nobody presses, or for
 * events nothing will signal: a halt, judged as one (oracle_check_end()),
 * at the call.
 * @site: the loader's return address from the call that waits.
 * @for_key: ConIn's WaitForKey is among what it waits for.
 *
 * Fatal paths wait for a key before they reset or return (gigaboot's
 * xefi_getc(), illumos's prompt: docs/real-loaders.md); on a machine with
 * nobody at its keyboard they wait for ever, as a `for (;;)` does, and so
 * does a wait on a timer never set or stopped by ExitBootServices().
 */
_Noreturn void fw_end_run_waiting(const void *site, bool for_key)
{
	FW_TRACE("# the loader waits for %s; the run ends here\n",
		 for_key ? "a key nobody presses" : "events nothing will signal");
	fw.halt_site = site;
	fw.halt_wait = for_key ? HALT_FOR_KEY : HALT_FOR_EVENTS;
	fw.ended = END_HALT;
	longjmp(fw.reset_jump, 1);
}

/**
 * fw_end_run_halted() - the loader halts: a loop of its own code that
 * changes nothing (fuzz/halts.c).  The run ends, as at ResetSystem();
 * liveness judges it where a boot was owed, the hang invariant anywhere
 * else (oracle_check_end()).
 * @site: one byte past the loop's instruction, where the hang is placed.
 * @frame: the frame record of the function the loop is in, or NULL: who
 *	called it is named with the place (fw_note_halt_site()).
 * @sp: the loop's stack pointer, or NULL.
 */
_Noreturn void fw_end_run_halted(const void *site, void *const *frame, const void *sp)
{
	FW_TRACE("# the loader halts: a loop in its own code that changes nothing; the run "
		 "ends here\n");
	fw_note_halt_site(site, frame, sp);
	fw.halt_site = site;
	fw.ended = END_HALT;
	longjmp(fw.reset_jump, 1);
}
