/* SPDX-License-Identifier: MIT */
/*
 * exit.c - ExitBootServices() in each personality, the event groups it
 * signals, the drivers' handlers in them, timer events, and the events a
 * loader creates itself.
 *
 * The order of the steps is each personality's, as data in personality.c
 * (exit-boot.md sections 2.1, 2.2, 2.6).
 */
#include <string.h>

#include "internal.h"

static const EFI_GUID guid_before_exit = EFI_EVENT_GROUP_BEFORE_EXIT_BOOT_SERVICES;
static const EFI_GUID guid_exit = EFI_EVENT_GROUP_EXIT_BOOT_SERVICES;
/* EDK2 MdeModulePkg/Include/Guid/EventExitBootServiceFailed.h */
static const EFI_GUID guid_exit_failed = { 0x4f6c5507, 0x232f, 0x4787,
					   { 0xb9, 0x5e, 0x72, 0xf8, 0x62, 0x49, 0x0c, 0xb1 } };

/**
 * signal_group() - run the notify functions of an event group.
 * @group: enum scn_group.
 *
 * Drivers' handlers (from the scenario) run first, then the loader's own
 * events.  A handler with lifetime "once" closes its event when it runs, as
 * EDK2's AmdSevDxe and SnpDxe do; "every" ones run whenever signalled.
 */
static void signal_group(enum scn_group group)
{
	const struct scenario *scn = fw.scn;
	uint8_t outer = fw.notifying;
	unsigned i;

	FW_TRACE("#   signal %s group\n", scn_group_names[group]);
	for (i = 0; i < scn->n_handlers; i++) {
		const struct scn_handler *h = &scn->handlers[i];

		if (h->group != group || fw.handler_closed[i])
			continue;
		FW_TRACE("#   handler %u (%s %s) runs: %s %s amount=%u delta=%s repeat=%u\n", i + 1,
			 scn_group_names[h->group], scn_lifetime_names[h->lifetime],
			 scn_action_names[h->action.kind], scn_memtype_names[h->action.mem_type],
			 h->action.amount, scn_delta_names[h->action.delta], h->action.repeat);
		fw_action_run(&h->action, false);
		if (h->lifetime == LIFE_ONCE)
			fw.handler_closed[i] = true;
	}
	fw.notifying = group;
	for (i = 0; i < fw.n_events; i++) {
		struct fw_event *e = &fw.events[i];

		if (e->open && e->group == group && e->notify != NULL)
			e->notify(e, e->context);
	}
	fw.notifying = outer;
}

static void timers_off(void)
{
	if (fw.timers_enabled)
		FW_TRACE("#   timer services off\n");
	fw.timers_enabled = false;
}

/**
 * key_check() - the step that decides an exit (EDK2's CoreTerminateMemoryMap).
 * @key: MapKey from the loader.
 * @injected: a status the input injected for this call, or EFI_SUCCESS.
 *
 * Return: EFI_SUCCESS if the key is current; EFI_INVALID_PARAMETER if not,
 * or always with the persistent-invalid quirk (EDK2 refuses any key while a
 * runtime region is misaligned, F20); or the injected status.
 */
static EFI_STATUS key_check(UINTN key, EFI_STATUS injected)
{
	EFI_STATUS status = EFI_SUCCESS;

	if (injected != EFI_SUCCESS)
		status = injected;
	else if (fw_quirk(QUIRK_PERSISTENT_INVALID))
		status = EFI_INVALID_PARAMETER;
	else if (!fw_quirk(QUIRK_NO_KEY_CHECK) && key != (UINTN)fw.key)
		status = EFI_INVALID_PARAMETER;
	FW_TRACE("#   key check: %s\n", status == EFI_SUCCESS ? "accepted" : "refused");
	fw.past_refusal = status != EFI_SUCCESS;
	if (status != EFI_SUCCESS)
		return status;
	fw.past_key_check = true;
	oracle_check_map_current();
	return EFI_SUCCESS;
}

/**
 * run_exit_sequence() - the personality's ExitBootServices() steps, in order.
 * @key: MapKey from the loader.
 * @first: this is the first call of the run.
 * @injected: a status the input injected for this call, or EFI_SUCCESS.
 *
 * Return: the key check's verdict.
 */
static EFI_STATUS run_exit_sequence(UINTN key, bool first, EFI_STATUS injected)
{
	const struct fw_exit_step *step;
	EFI_STATUS status = EFI_SUCCESS;
	bool checked = false;

	for (step = fw_exit_sequence(); step->action != STEP_END; step++) {
		if (step->action == STEP_KEY_CHECK) {
			status = key_check(key, injected);
			checked = true;
			continue;
		}
		if (!fw_exit_step_runs(step, first, checked && status == EFI_SUCCESS))
			continue;
		if (step->action == STEP_TIMERS_OFF)
			timers_off();
		else
			signal_group(step->group);
	}
	return status;
}

/*
 * UEFI 2.10 section 7.4.6: on success "ConsoleInHandle, ConIn,
 * ConsoleOutHandle, ConOut, StandardErrorHandle, StdErr, and BootServices
 * are set to NULL" and the CRC recomputed.  EDK2 also zeroes the boot
 * services table; ours keeps its functions so that a call through a cached
 * pointer is reported as forbidden-call rather than a jump to address 0.
 */
static void finish_exit(void)
{
	fw.phase = PHASE_EXITED;
	fw.st.ConsoleInHandle = NULL;
	fw.st.ConIn = NULL;
	fw.st.ConsoleOutHandle = NULL;
	fw.st.ConOut = NULL;
	fw.st.StandardErrorHandle = NULL;
	fw.st.StdErr = NULL;
	fw.st.BootServices = NULL;
	fw_table_crc(&fw.st.Hdr, sizeof(fw.st));
}

static EFI_STATUS EFIAPI fw_ExitBootServices(EFI_HANDLE image, UINTN key)
{
	EFI_STATUS injected = FW_ENTER(SVC_ExitBootServices);
	bool first = fw.exit_attempts == 0;
	EFI_STATUS status;

	(void)image; /* neither EDK2 nor U-Boot looks at it */
	oracle_check_exit_attempts();
	FW_TRACE("# call %u: ExitBootServices(key 0x%llx), firmware key 0x%llx\n", fw.calls,
		 (unsigned long long)key, (unsigned long long)fw.key);
	oracle_check_exit_key(key);
	fw.past_key_check = false;
	fw.past_refusal = false;
	status = run_exit_sequence(key, first, injected);
	fw.past_refusal = false;
	if (status == EFI_SUCCESS) {
		finish_exit();
	} else {
		fw.phase = PHASE_EXIT_FAILED;
		fw.first_exit_returned = true;
	}
	FW_TRACE("#   -> %s\n", fw_status_name(status));
	return fw_leave(SVC_ExitBootServices, status);
}

/**
 * fw_timers_tick() - fire the scenario's timer events that are due.
 *
 * A timer ticks between two calls of the loader, which the firmware sees at
 * the entry of the second.  "at-call N" fires at the entry of call N;
 * "after-map N" at the first call after the Nth successful GetMemoryMap,
 * the window between reading the map and exiting (OVMF: a one-shot timer
 * there fails the first exit, ovmf.md section 4); "after-query N" at the
 * first call after the Nth GetMemoryMap answered EFI_BUFFER_TOO_SMALL, the
 * window between a size query and the read (a buffer of just the size
 * asked for is then too small: the OpenBSD efiboot port).  Periodic timers
 * fire again every PERIOD calls until ExitBootServices turns timers off.
 */
void fw_timers_tick(void)
{
	const struct scenario *scn = fw.scn;
	unsigned i;

	for (i = 0; i < scn->n_timers; i++) {
		const struct scn_timer *t = &scn->timers[i];

		if (fw.timer_done[i])
			continue;
		if (!fw.timer_armed[i] && t->trigger == TRIG_AFTER_MAP) {
			if (fw.map_reads < (t->at ? t->at : 1u))
				continue;
		} else if (!fw.timer_armed[i] && t->trigger == TRIG_AFTER_QUERY) {
			if (fw.size_answers < (t->at ? t->at : 1u))
				continue;
		} else if (fw.calls < fw.timer_next[i]) {
			continue;
		}
		FW_TRACE("#   timer %u fires before call %u: %s %s amount=%u delta=%s repeat=%u\n",
			 i + 1, fw.calls, scn_action_names[t->action.kind],
			 scn_memtype_names[t->action.mem_type], t->action.amount,
			 scn_delta_names[t->action.delta], t->action.repeat);
		fw_action_run(&t->action, true);
		fw.timer_armed[i] = true;
		if (t->period == 0)
			fw.timer_done[i] = true;
		fw.timer_next[i] = fw.calls + t->period;
	}
}

static EFI_STATUS create_event(uint32_t type, EFI_EVENT_NOTIFY notify, const VOID *context,
			       uint8_t group, EFI_EVENT *event)
{
	struct fw_event *e;

	/* UEFI 2.10 section 7.1.1: notify functions are required for these types. */
	if (event == NULL || ((type & (EVT_NOTIFY_SIGNAL | EVT_NOTIFY_WAIT)) && notify == NULL))
		return EFI_INVALID_PARAMETER;
	if (fw.n_events >= FW_MAX_EVENTS) {
		fw_cannot_model("the loader created more events than the fake firmware keeps");
		return EFI_OUT_OF_RESOURCES;
	}
	e = &fw.events[fw.n_events];
	if (!fw_uboot_event_alloc(e)) {
		fw_not_compliant(false, "the firmware's map ran out of free memory");
		return EFI_OUT_OF_RESOURCES;
	}
	fw.n_events++;
	e->notify = notify;
	e->context = (VOID *)context;
	e->type = type;
	e->group = group;
	e->open = true;
	e->timer = TimerCancel;
	e->signaled = false;
	e->deadline = 0;
	e->period = 0;
	fw_arg_put_ptr(event, e, "CreateEvent()'s Event");
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI fw_CreateEvent(UINT32 type, EFI_TPL tpl, EFI_EVENT_NOTIFY notify,
					VOID *context, EFI_EVENT *event)
{
	EFI_STATUS status = FW_ENTER(SVC_CreateEvent);

	(void)tpl;
	if (status == EFI_SUCCESS)
		status = create_event(type, notify, context,
				      type == EVT_SIGNAL_EXIT_BOOT_SERVICES ? GROUP_EXIT : FW_NO_GROUP,
				      event);
	FW_TRACE("# call %u: CreateEvent(0x%x) -> %s\n", fw.calls, type, fw_status_name(status));
	return fw_leave(SVC_CreateEvent, status);
}

/* The group the loader's GUID names, read once (loader_access.c). */
static uint8_t group_of(const EFI_GUID *loader_guid)
{
	EFI_GUID guid;

	if (loader_guid == NULL)
		return FW_NO_GROUP;
	fw_loader_read(&guid, loader_guid, sizeof(guid));
	if (fw_same_bytes(&guid, &guid_before_exit, sizeof(guid)))
		return GROUP_BEFORE_EXIT;
	if (fw_same_bytes(&guid, &guid_exit, sizeof(guid)))
		return GROUP_EXIT;
	if (fw_same_bytes(&guid, &guid_exit_failed, sizeof(guid)))
		return GROUP_EXIT_FAILED;
	return FW_NO_GROUP;
}

static EFI_STATUS EFIAPI fw_CreateEventEx(UINT32 type, EFI_TPL tpl, EFI_EVENT_NOTIFY notify,
					  const VOID *context, const EFI_GUID *group,
					  EFI_EVENT *event)
{
	EFI_STATUS status = FW_ENTER(SVC_CreateEventEx);

	(void)tpl;
	/* UEFI 2.10 section 7.1.2: these two types are not valid with a group. */
	if (status == EFI_SUCCESS && group != NULL &&
	    (type == EVT_SIGNAL_EXIT_BOOT_SERVICES || type == EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE))
		status = EFI_INVALID_PARAMETER;
	if (status == EFI_SUCCESS)
		status = create_event(type, notify, context,
				      group != NULL ? group_of(group)
						    : type == EVT_SIGNAL_EXIT_BOOT_SERVICES ? GROUP_EXIT
											     : FW_NO_GROUP,
				      event);
	FW_TRACE("# call %u: CreateEventEx(0x%x) -> %s\n", fw.calls, type, fw_status_name(status));
	return fw_leave(SVC_CreateEventEx, status);
}

static EFI_STATUS EFIAPI fw_CloseEvent(EFI_EVENT event)
{
	EFI_STATUS status = FW_ENTER(SVC_CloseEvent);
	unsigned i;

	if (status == EFI_SUCCESS) {
		status = EFI_INVALID_PARAMETER;
		for (i = 0; i < fw.n_events; i++) {
			if (event == &fw.events[i] && fw.events[i].open) {
				fw.events[i].open = false;
				fw_uboot_event_free(&fw.events[i]);
				status = EFI_SUCCESS;
			}
		}
	}
	FW_TRACE("# call %u: CloseEvent() -> %s\n", fw.calls, fw_status_name(status));
	return fw_leave(SVC_CloseEvent, status);
}

/**
 * fw_exit_reset() - no events, handlers open, timers on and armed for a new
 * run.
 */
void fw_exit_reset(void)
{
	const struct scenario *scn = fw.scn;
	unsigned i;

	fw.n_events = 0;
	memset(fw.handler_closed, 0, sizeof(fw.handler_closed));
	memset(fw.timer_done, 0, sizeof(fw.timer_done));
	fw.timers_enabled = true;
	fw.notifying = FW_NO_GROUP;
	fw.clock = 0;
	fw.timer_notifying = false;
	for (i = 0; i < scn->n_timers; i++) {
		fw.timer_next[i] = scn->timers[i].at;
		fw.timer_armed[i] = false;
	}
}

/**
 * fw_exit_install() - put the exit and event services into a boot services
 * table.
 * @bs: the table.
 */
void fw_exit_install(EFI_BOOT_SERVICES *bs)
{
	bs->ExitBootServices = fw_ExitBootServices;
	bs->CreateEvent = fw_CreateEvent;
	bs->CreateEventEx = fw_CreateEventEx;
	bs->CloseEvent = fw_CloseEvent;
}
