/* SPDX-License-Identifier: MIT */
/*
 * fw_core.c - one run of a loader against the fake firmware: reset every
 * piece of state, hand over the system table, account for each call, check
 * the end of the run, release everything.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "fw_internal.h"

struct fw fw;

/* The image handle: EDK2 and U-Boot never look at it in ExitBootServices(). */
static uint8_t image_handle_object;

/**
 * fw_not_compliant() - take this run out of the liveness invariant.
 * @why: the first reason is kept for the result and the trace.
 */
void fw_not_compliant(const char *why)
{
	if (fw.why_not_compliant == NULL) {
		fw.why_not_compliant = why;
		FW_TRACE("# not compliant: %s\n", why);
	}
}

/**
 * fw_trace() - print one trace line (see FW_TRACE).
 * @fmt: printf format.
 */
void fw_trace(const char *fmt, ...)
{
	va_list ap;

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
		{ EFI_SUCCESS, "EFI_SUCCESS" },
		{ EFI_LOAD_ERROR, "EFI_LOAD_ERROR" },
		{ EFI_INVALID_PARAMETER, "EFI_INVALID_PARAMETER" },
		{ EFI_UNSUPPORTED, "EFI_UNSUPPORTED" },
		{ EFI_BAD_BUFFER_SIZE, "EFI_BAD_BUFFER_SIZE" },
		{ EFI_BUFFER_TOO_SMALL, "EFI_BUFFER_TOO_SMALL" },
		{ EFI_NOT_READY, "EFI_NOT_READY" },
		{ EFI_DEVICE_ERROR, "EFI_DEVICE_ERROR" },
		{ EFI_OUT_OF_RESOURCES, "EFI_OUT_OF_RESOURCES" },
		{ EFI_NOT_FOUND, "EFI_NOT_FOUND" },
		{ EFI_ACCESS_DENIED, "EFI_ACCESS_DENIED" },
		{ EFI_TIMEOUT, "EFI_TIMEOUT" },
		{ EFI_ABORTED, "EFI_ABORTED" },
		{ EFI_SECURITY_VIOLATION, "EFI_SECURITY_VIOLATION" },
		{ EFI_PROTOCOL_ERROR, "EFI_PROTOCOL_ERROR" },
		{ EFI_INCOMPATIBLE_VERSION, "EFI_INCOMPATIBLE_VERSION" },
	};
	unsigned i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].status == status)
			return names[i].name;
	return EFI_ERROR(status) ? "an unlisted error" : "a warning";
}

/**
 * fw_count_call() - count a call against the termination budget.
 * @what: the service, for the violation message.
 */
void fw_count_call(const char *what)
{
	if (++fw.calls > FW_MAX_CALLS)
		fw_violation("termination", "more than %u calls to boot services (the last: %s)",
			     FW_MAX_CALLS, what);
}

/* Which injection, if any, makes this call fail. */
static EFI_STATUS injected_status(enum fw_service svc)
{
	static const EFI_STATUS statuses[ST_COUNT] = {
		EFI_INVALID_PARAMETER, EFI_OUT_OF_RESOURCES, EFI_DEVICE_ERROR,
		EFI_BUFFER_TOO_SMALL,  EFI_UNSUPPORTED,      EFI_NOT_FOUND,
		EFI_ACCESS_DENIED,     EFI_NOT_READY,        EFI_LOAD_ERROR,
		EFI_ABORTED,           EFI_SECURITY_VIOLATION, EFI_TIMEOUT,
	};
	const struct scenario *scn = fw.scn;
	unsigned i;

	for (i = 0; i < scn->n_injects; i++) {
		const struct scn_inject *inj = &scn->injects[i];

		if (inj->service == svc && (inj->nth == 0 || inj->nth == fw.svc_calls[svc])) {
			fw_not_compliant("a boot service was made to fail");
			return statuses[inj->status];
		}
	}
	return EFI_SUCCESS;
}

/**
 * fw_enter() - the start of every boot-service and ConOut call.
 * @svc: which one.
 *
 * Checks the call is allowed now, counts it, lets timers fire (a tick
 * arrives between two calls, never inside one; on U-Boot only at calls
 * that poll, fw_uboot.c), and looks up injections.
 *
 * Return: EFI_SUCCESS to carry on, or the status an injection demands.
 */
EFI_STATUS fw_enter(enum fw_service svc)
{
	oracle_check_call_allowed(svc);
	fw_count_call(scn_service_names[svc]);
	fw.svc_calls[svc]++;
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
	return status;
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

	fw.key++;
	fw.generation++;
	if (fw.size_queried && required > fw.max_required)
		fw.max_required = required;
	/* Only the first failure may change the map under a loader's feet: after
	 * it returns, compliant firmware is quiet until the key is accepted. */
	if (by_firmware && fw.first_exit_returned && !fw.past_key_check)
		fw_not_compliant("the firmware changed the map after a failed exit");
	FW_TRACE("#   map changed by %s: %u descriptors, key 0x%llx\n",
		 by_firmware ? "firmware" : "the loader's call", fw.n_regions,
		 (unsigned long long)fw.key);
}

static void reset_state(const struct scenario *scn, const struct fw_options *opt)
{
	fw.scn = scn;
	fw.opt = opt;
	fw.why_not_compliant = NULL;
	fw.n_allocs = 0;
	fw.n_fw_allocs = 0;
	fw.firmware_changes = 0;
	fw.next_alloc_outcome = 0;
	fw.n_events = 0;
	memset(fw.handler_closed, 0, sizeof(fw.handler_closed));
	memset(fw.timer_done, 0, sizeof(fw.timer_done));
	memset(fw.svc_calls, 0, sizeof(fw.svc_calls));
	fw.timers_enabled = true;
	fw.notifying = FW_NO_GROUP;
	fw.monotonic = 0;
	fw.calls = 0;
	fw.exit_attempts = 0;
	fw.map_reads = 0;
	fw.n_log = 0;
	fw.phase = PHASE_BOOT;
	fw.first_exit_returned = false;
	fw.past_key_check = false;
	fw.last_read_valid = false;
	fw.size_queried = false;
	fw.first_required = fw.max_required = 0;
	fw_settings_resolve(scn, opt);
	fw_map_reset();
	fw_tables_reset();
	fw_exit_reset();
}

/**
 * fw_run() - run @loader once against the firmware @scn describes.
 * @scn: the decoded input.
 * @loader: the loader contract.
 * @opt: options that do not come from the input.
 * @result: out, what happened, if no invariant was violated (violations
 *	abort the process with one line on stderr).
 */
void fw_run(const struct scenario *scn, fw_loader_fn loader, const struct fw_options *opt,
	    struct fw_result *result)
{
	volatile EFI_STATUS status = EFI_SUCCESS;
	volatile bool returned = false;

	reset_state(scn, opt);
	if (opt->trace != NULL)
		fw_trace_scenario(scn);
	if (setjmp(fw.reset_jump) == 0) {
		status = loader(&image_handle_object, &fw.st);
		returned = true;
		FW_TRACE("# loader returned %s\n", fw_status_name(status));
	}
	result->status = status;
	result->returned = returned;
	result->exited = fw.phase == PHASE_EXITED;
	result->calls = fw.calls;
	result->exit_attempts = fw.exit_attempts;
	memcpy(result->log, fw.log, fw.n_log * sizeof(fw.log[0]));
	result->n_log = fw.n_log;
	result->final_key = fw.key;
	result->final_descriptors = fw.n_regions;
	result->desc_size = fw.desc_size;
	oracle_check_end(result);
	fw_memory_release();
}
