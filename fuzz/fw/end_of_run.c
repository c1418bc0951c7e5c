/* SPDX-License-Identifier: MIT */
/*
 * end_of_run.c - what the referee judges once the loader is done (its
 * rules, with the others, in invariants.c): the status it returned, what it
 * still holds, a halt, and liveness, the boot a correct loader gives on
 * firmware within the rules.
 */
#include <stdio.h>

#include "internal.h"

/* After a GetMemoryMap() that answered EFI_BUFFER_TOO_SMALL, what its size
 * counts: EDK2 asks for the map before merging, over_report descriptors
 * more than a read returns (docs/ovmf.md), and a buffer sized from a read's
 * answer has that much less headroom than it seems (memtest86+'s port). */
static const char *over_report_note(char *buf, size_t size)
{
	buf[0] = 0;
	if (fw.dance_svc == SVC_GetMemoryMap && fw.dance_status == EFI_BUFFER_TOO_SMALL &&
	    !fw.dance_size_query && fw.over_report > 0)
		snprintf(buf, size, " (it asks for %u descriptor(s) more than a read returns: "
			 "the map before merging, as EDK2 counts it)", fw.over_report);
	return buf;
}

static const char *how_it_ended(const struct fw_result *result, char *buf, size_t size)
{
	switch (result->ended) {
	case END_EXIT:
		snprintf(buf, size, "called Exit(%s)", fw_status_name(result->status));
		break;
	case END_RESET:
		snprintf(buf, size, "reset the system");
		break;
	case END_HALT:
		snprintf(buf, size, fw.halt_wait == HALT_FOR_KEY      ? "waited for a key nobody pressed"
				    : fw.halt_wait == HALT_FOR_EVENTS ? "waited for events nothing signalled"
								      : "halted in a loop");
		break;
	default:
		if (result->status != EFI_SUCCESS && !EFI_ERROR(result->status))
			snprintf(buf, size, "returned the warning %llu",
				 (unsigned long long)result->status);
		else
			snprintf(buf, size, "returned %s", fw_status_name(result->status));
		break;
	}
	return buf;
}

/* Whether a reason this run owes no boot is the fake machine's limit
 * (fw_cannot_model()). */
static bool machine_fell_short(void)
{
	unsigned i;

	for (i = 0; i < fw.n_reasons; i++)
		if (fw.reasons[i].machine_limit)
			return true;
	return false;
}

/**
 * oracle_check_end() - status, leak and liveness, once the loader is done.
 * @result: what happened; @result->compliant is filled in here.
 *
 * Liveness: in a run where the firmware kept the rules, the map grew by at
 * most N descriptors (EBSFUZZ_LIVENESS) from the loader's first
 * GetMemoryMap(), and the fake machine could honour every request, one
 * retry into a buffer with N descriptors of headroom always succeeds, so a
 * loader that does not exit is wrong.  A run that ended on a fatal
 * violation is judged by that violation alone.
 */
void oracle_check_end(struct fw_result *result)
{
	unsigned growth = fw.max_required - fw.first_required, held;
	const struct fw_alloc *first_held;
	char how[64], over[160];

	oracle_resolve_pending(INV_CALL_AFTER_GIVING_UP);
	/* An address the loader was built with, in use in this map, excuses
	 * only a loader that stopped for it (pages.c, allocate_at()). */
	if (fw.built_in_address_refused && fw.exit_attempts == 0)
		fw_not_compliant(false, "AllocateAddress of memory this map has in use, before the "
					"loader read any map");
	/* Nor pages the firmware took after the loader read them free (pages.c). */
	if (fw.address_taken_by_firmware && fw.exit_attempts == 0)
		fw_not_compliant(false, "AllocateAddress of pages the firmware's own allocations took "
					"since the loader read the map");
	/* Nor an address the fake machine cannot back (pages.c). */
	if (fw.address_unbacked && fw.exit_attempts == 0)
		fw_cannot_model("AllocateAddress outside the memory the fake machine can back");
	/* Nor does a block above the limit the loader asked for (pages.c). */
	if (fw.max_address_unbacked && fw.exit_attempts == 0)
		fw_cannot_model("AllocateMaxAddress below the memory the fake machine can back");
	/* Nor a map without a PC's low memory (map_start.c). */
	if (fw.low_memory_missing && fw.exit_attempts == 0)
		fw_not_compliant(false, "no free 64 KiB wholly below 1 MiB (page 0 aside), as x86 "
					"loaders may need");
	result->compliant = fw.n_reasons == 0;
	result->why_not_compliant = fw.n_reasons > 0 ? fw.reasons[0].why : NULL;
	if (result->ended == END_FATAL)
		return;
	/* The loader contract: EFI_SUCCESS returned means exited.  Exit()'s
	 * status is the image's to choose (UEFI 2.10 7.4.5): Xen passes
	 * EFI_SUCCESS on its fatal paths, a halt like any other. */
	/* Where a boot was owed, liveness below says the same of the run, its
	 * message "the loader returned EFI_SUCCESS" included: 9front's
	 * unload(), which ignores ExitBootServices' status, was a status row
	 * and a liveness row at one line. */
	/* A warning is no error either: a caller that tests EFI_ERROR() takes
	 * it for success (U-Boot's EFI stub keeps statuses in an int, and its
	 * EFI_BUFFER_TOO_SMALL came back as 5, EFI_WARN_STALE_DATA). */
	if (result->returned && result->ended == END_RETURNED && !EFI_ERROR(result->status) &&
	    !result->exited && !result->compliant)
		oracle_violation(INV_STATUS, "the loader %s%s but ExitBootServices never succeeded "
				 "(%u exit attempts)", how_it_ended(result, how, sizeof(how)),
				 result->status != EFI_SUCCESS
					 ? ", which a caller testing EFI_ERROR() takes for success,"
					 : "",
				 fw.exit_attempts);
	if (result->returned && result->status != EFI_SUCCESS && result->exited)
		oracle_violation(INV_STATUS, "ExitBootServices succeeded but the loader %s",
				 how_it_ended(result, how, sizeof(how)));
	/* Placed at the first leaked allocation's call, not at the loader's
	 * last call (often a shared error print, or a GetMemoryMap() that has
	 * nothing to free); the message names the call for the trace.
	 * Counted only for a run that may leak: the records are walked.  Not
	 * where the fake machine fell short: the give-up was the harness's
	 * doing (ReactOS's FreeLoader stops when page 0 is refused, and its
	 * error path's leak was a row in most of its runs). */
	if (result->returned && result->status != EFI_SUCCESS && fw.exit_attempts == 0 &&
	    !machine_fell_short() &&
	    (held = fw_live_loader_allocations(&first_held)) > 0)
		oracle_violation_at(INV_LEAK, first_held->alloc_site, &first_held->alloc_chain,
				    "the loader %s before any exit attempt still holding "
				    "%u allocation(s), the first from %s (call %u)",
				    how_it_ended(result, how, sizeof(how)), held,
				    first_held->is_pages ? "AllocatePages" : "AllocatePool",
				    first_held->alloc_call);
	/* A halt owed no boot here, or liveness below judges it. */
	if (result->ended == END_HALT && !(result->compliant && !result->exited))
		oracle_violation_at(INV_HANG, fw.halt_site, NULL,
				    "the loader %s, after %u exit attempt(s)%s",
				    fw.halt_wait == HALT_FOR_KEY ? "waits for a key nobody presses"
				    : fw.halt_wait == HALT_FOR_EVENTS
					    ? "waits for events nothing will signal"
					    : "halts in a loop of its own code that changes nothing",
				    fw.exit_attempts, result->exited ? ", boot services exited" : "");
	/* Placed at the loader's last call of the exit dance (run.c) if that
	 * failed, where the loader went wrong, rather than at a print or a
	 * prompt after it.  Else at its last call of the dance that failed
	 * since its last read of the map (an exit not tried again: efilinux
	 * went on to allocate its error text, and the row was at its Exit();
	 * MikanOS's kernel refused its address, and the row was at the
	 * FreePool() of the error message's print).  Else, after a read that
	 * succeeded, the loader gave up for a reason of its own (Unikraft's
	 * region table full), at its last call.  A size query's
	 * EFI_BUFFER_TOO_SMALL is the answer it asked for: the OpenBSD port's
	 * heap then ran out, and the row was at the query. */
	if (result->compliant && !result->exited && fw.dance_caller != NULL) {
		bool dance_failed = fw.dance_status != EFI_SUCCESS &&
				    !(fw.dance_size_query && fw.dance_status == EFI_BUFFER_TOO_SMALL);
		bool at_failed = !dance_failed && fw.failed_caller != NULL;
		char failed[160] = "";

		if (at_failed)
			snprintf(failed, sizeof(failed), "; its last call that failed: %s (call %u) -> %s",
				 scn_service_names[fw.failed_svc], fw.failed_call,
				 fw_status_name(fw.failed_status));
		oracle_violation_at(INV_LIVENESS,
				    dance_failed ? fw.dance_caller : at_failed ? fw.failed_caller : NULL,
				    dance_failed ? &fw.dance_chain : at_failed ? &fw.failed_chain : NULL,
				    "%s firmware, map growth %u of %u descriptors allowed, nothing "
				    "injected, yet the loader %s after %u exit attempt(s); its last "
				    "exit-boot call: %s%s (call %u) -> %s%s%s",
				    scn_personality_names[fw.personality], growth,
				    fw.opt->liveness_descs, how_it_ended(result, how, sizeof(how)),
				    fw.exit_attempts, scn_service_names[fw.dance_svc],
				    fw.dance_size_query ? " size query" : "", fw.dance_call,
				    fw_status_name(fw.dance_status), over_report_note(over, sizeof(over)),
				    failed);
	} else if (result->compliant && !result->exited) {
		oracle_violation(INV_LIVENESS, "%s firmware, map growth %u of %u descriptors allowed, "
				 "nothing injected, yet the loader %s after %u exit attempt(s)",
				 scn_personality_names[fw.personality], growth,
				 fw.opt->liveness_descs, how_it_ended(result, how, sizeof(how)),
				 fw.exit_attempts);
	}
}

