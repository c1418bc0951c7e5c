/* SPDX-License-Identifier: MIT */
/*
 * timer_events.c - the loader's timer events: SetTimer(), CheckEvent() and
 * WaitForEvent() (UEFI 2.10 sections 7.1.5, 7.1.7, 7.1.8), against a clock
 * that moves only while the loader waits.
 *
 * Why: boot menus count down with a timer event (gigaboot's key_prompt()
 * and xefi_getc(): CreateEvent(EVT_TIMER), SetTimer(), then ReadKeyStroke()
 * until CheckEvent() finds the timer signalled; docs/real-loaders.md).
 * Answered EFI_UNSUPPORTED, gigaboot's real menu printed itself for ever
 * and ended as a compliant termination finding: blame for a timer the
 * firmware refused to run.
 *
 * The clock.  Nothing in a run depends on time but these timers (the
 * scenario's own timers count calls, exit.c), and nobody is at the
 * keyboard, so a wait ends exactly when the next timer is due.  Stall()
 * moves the clock by its argument.  A loader that polls (ReadKeyStroke()
 * or CheckEvent() answering EFI_NOT_READY twice in a row with nothing
 * but prints, stalls and checks between them) is waiting: the clock moves
 * on to the earliest armed deadline, as the real clock would while it
 * polled; one poll alone moves nothing (a loader that looks for a key once
 * does not wait).  WaitForEvent() waits by definition.  A timer whose
 * deadline has come is signalled: its notify function runs for
 * EVT_NOTIFY_SIGNAL (which leaves it unsignalled, as EDK2's
 * CoreDispatchEventNotifies() does), and a periodic one is armed again.
 * ExitBootServices() stops the tick (EDK2 on every call, U-Boot on
 * success: fw.timers_enabled), after which no deadline comes; but
 * SetTimer(TimerRelative, 0) still signals at once (EDK2's CoreSetTimer()
 * signals the timer check itself; measured on OVMF, docs/ovmf.md).
 *
 * A wait on events nothing will signal (WaitForKey, an unarmed timer, an
 * event of a group) never ends: it ends the run as a halt, a wait for a
 * key when WaitForKey is among them (conin.c).
 */
#include "internal.h"

/* A periodic timer set with a period of 0 fires at every tick: EDK2's
 * CoreSetTimer() takes the timer driver's period, 10 ms on OVMF (8254
 * and local APIC timer drivers' default). */
#define TICK_100NS 100000u

/* Stall()'s microseconds are ten of the clock's 100 ns units. */
#define UNITS_PER_US 10u

/* The event @event names, if it is one of the loader's open ones. */
static struct fw_event *loader_event(EFI_EVENT event)
{
	unsigned i;

	for (i = 0; i < fw.n_events; i++)
		if (event == (EFI_EVENT)&fw.events[i] && fw.events[i].open)
			return &fw.events[i];
	return NULL;
}

/* Whether @e is a timer that will be signalled as the clock moves. */
static bool armed(const struct fw_event *e)
{
	return e->open && (e->type & EVT_TIMER) && e->timer != TimerCancel && fw.timers_enabled;
}

static void signal_timer(struct fw_event *e)
{
	FW_TRACE("#   timer event %u is signalled at %llu us\n", (unsigned)(e - fw.events) + 1,
		 (unsigned long long)(fw.clock / UNITS_PER_US));
	if ((e->type & EVT_NOTIFY_SIGNAL) && e->notify != NULL) {
		e->notify((EFI_EVENT)e, e->context);
		return;
	}
	e->signaled = true;
}

/* Signal every armed timer whose deadline the clock has reached. */
static void fire_due(void)
{
	unsigned i;

	if (fw.timer_notifying)
		return;
	fw.timer_notifying = true;
	for (i = 0; i < fw.n_events; i++) {
		struct fw_event *e = &fw.events[i];

		if (!armed(e) || e->deadline > fw.clock)
			continue;
		if (e->timer == TimerPeriodic)
			e->deadline = e->deadline <= UINT64_MAX - e->period &&
						      e->deadline + e->period > fw.clock
					      ? e->deadline + e->period
					      : fw.clock + e->period; /* missed ticks are lost */
		else
			e->timer = TimerCancel;
		signal_timer(e);
	}
	fw.timer_notifying = false;
}

/* Move the clock to the earliest armed deadline, if any is armed. */
static bool wait_for_next_deadline(void)
{
	uint64_t next = UINT64_MAX;
	unsigned i;

	for (i = 0; i < fw.n_events; i++)
		if (armed(&fw.events[i]) && fw.events[i].deadline < next)
			next = fw.events[i].deadline;
	if (next == UINT64_MAX)
		return false;
	if (next > fw.clock)
		fw.clock = next;
	fire_due();
	return true;
}

/**
 * fw_timer_events_armed() - whether one of the loader's timers will still
 * be signalled: a wait for a key is then a wait for the timer too.
 */
bool fw_timer_events_armed(void)
{
	unsigned i;

	for (i = 0; i < fw.n_events; i++)
		if (armed(&fw.events[i]))
			return true;
	return false;
}

/**
 * fw_timer_events_polled() - a poll found nothing (ConIn, CheckEvent()):
 * from the second in a row on, the loader is waiting, and the clock moves
 * on to the next deadline.
 */
void fw_timer_events_polled(void)
{
	if (++fw.idle_polls >= 2)
		wait_for_next_deadline();
}

/**
 * fw_timer_events_stall() - Stall(): the clock moves by @microseconds.
 * @microseconds: the loader's argument.
 */
void fw_timer_events_stall(UINTN microseconds)
{
	uint64_t units = (uint64_t)microseconds * UNITS_PER_US;

	if (microseconds > UINT64_MAX / UNITS_PER_US || units > UINT64_MAX - fw.clock)
		fw.clock = UINT64_MAX;
	else
		fw.clock += units;
	fire_due();
}

static const char *const delay_names[] = { "TimerCancel", "TimerPeriodic", "TimerRelative" };

/* UEFI 2.10 section 7.1.7: EFI_INVALID_PARAMETER for an event that is not
 * a timer, or a type that is none of the three. */
static EFI_STATUS EFIAPI fw_SetTimer(EFI_EVENT event, EFI_TIMER_DELAY type, UINT64 trigger)
{
	EFI_STATUS status = FW_ENTER(SVC_SetTimer);
	struct fw_event *e = loader_event(event);

	if (status == EFI_SUCCESS) {
		if (e == NULL || !(e->type & EVT_TIMER) || (unsigned)type > TimerRelative) {
			status = EFI_INVALID_PARAMETER;
		} else {
			e->timer = (uint8_t)type;
			e->period = type == TimerPeriodic && trigger == 0 ? TICK_100NS : trigger;
			e->deadline = fw.clock <= UINT64_MAX - e->period ? fw.clock + e->period
									  : UINT64_MAX;
		}
		FW_TRACE("# call %u: SetTimer(event %u, %s, %llu) -> %s\n", fw.calls,
			 e != NULL ? (unsigned)(e - fw.events) + 1 : 0,
			 (unsigned)type <= TimerRelative ? delay_names[type] : "?",
			 (unsigned long long)trigger, fw_status_name(status));
		if (status == EFI_SUCCESS && type == TimerRelative && trigger == 0 &&
		    !fw.timer_notifying) {
			e->timer = TimerCancel;
			fw.timer_notifying = true;
			signal_timer(e);
			fw.timer_notifying = false;
		}
	}
	return fw_leave(SVC_SetTimer, status);
}

/*
 * EDK2's CoreCheckEvent(): a signalled event is made unsignalled and
 * reported; an EVT_NOTIFY_SIGNAL event cannot be checked (UEFI 2.10
 * section 7.1.8); anything else is not ready.  WaitForKey is ConIn's.
 */
static EFI_STATUS check(EFI_EVENT event, bool *key)
{
	struct fw_event *e = loader_event(event);

	*key = fw_is_key_event(event);
	if (*key)
		return EFI_NOT_READY;
	if (e == NULL || (e->type & EVT_NOTIFY_SIGNAL))
		return EFI_INVALID_PARAMETER;
	if (!e->signaled)
		return EFI_NOT_READY;
	e->signaled = false;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI fw_CheckEvent(EFI_EVENT event)
{
	EFI_STATUS status = FW_ENTER(SVC_CheckEvent);
	bool key;

	if (status == EFI_SUCCESS) {
		status = check(event, &key);
		FW_TRACE("# call %u: CheckEvent(%s) -> %s\n", fw.calls,
			 key ? "ConIn's WaitForKey" : "a loader event", fw_status_name(status));
		if (status == EFI_NOT_READY && key)
			fw_key_polled();
		else if (status == EFI_NOT_READY)
			fw_timer_events_polled();
	}
	return fw_leave(SVC_CheckEvent, status);
}

/* Whether any of @events, none signalled, could ever be. */
static bool any_armed(UINTN n, EFI_EVENT *events)
{
	UINTN i;

	for (i = 0; i < n; i++) {
		struct fw_event *e = loader_event(
			(EFI_EVENT)fw_arg_get_uintn((const UINTN *)(void *)events + i,
						    "WaitForEvent()'s Event"));

		if (e != NULL && armed(e))
			return true;
	}
	return false;
}

/*
 * The first of @events that is signalled (EDK2's CoreWaitForEvent() checks
 * them in order, each as CheckEvent() does), or an error for one that
 * cannot be waited on.  Return: EFI_NOT_READY if none is; @index, @key.
 */
static EFI_STATUS first_signalled(UINTN n, EFI_EVENT *events, UINTN *index, bool *key)
{
	UINTN i;
	bool is_key;

	*key = false;
	for (i = 0; i < n; i++) {
		EFI_STATUS status = check((EFI_EVENT)fw_arg_get_uintn(
						  (const UINTN *)(void *)events + i,
						  "WaitForEvent()'s Event"),
					  &is_key);

		*key |= is_key;
		if (status != EFI_NOT_READY) {
			*index = i;
			return status;
		}
	}
	return EFI_NOT_READY;
}

/*
 * UEFI 2.10 section 7.1.5: EFI_UNSUPPORTED above TPL_APPLICATION,
 * EFI_INVALID_PARAMETER for no events or one of type EVT_NOTIFY_SIGNAL
 * (Index then names it); otherwise the first event signalled, after the
 * clock has moved on to the next deadline if none was.
 */
static EFI_STATUS EFIAPI fw_WaitForEvent(UINTN n, EFI_EVENT *events, UINTN *index)
{
	const void *caller = __builtin_return_address(0);
	EFI_STATUS status = FW_ENTER(SVC_WaitForEvent);
	UINTN which = 0;
	bool key = false;

	if (status == EFI_SUCCESS && fw.tpl != TPL_APPLICATION)
		status = EFI_UNSUPPORTED;
	else if (status == EFI_SUCCESS && (n == 0 || events == NULL))
		status = EFI_INVALID_PARAMETER;
	else if (status == EFI_SUCCESS) {
		status = first_signalled(n, events, &which, &key);
		if (status == EFI_NOT_READY && key)
			fw.key_polls++; /* no key came: ConIn was polled */
		if (status == EFI_NOT_READY && any_armed(n, events)) {
			wait_for_next_deadline();
			status = first_signalled(n, events, &which, &key);
		}
		if (status == EFI_NOT_READY) {
			FW_TRACE("# call %u: WaitForEvent(%u event(s)%s)\n", fw.calls, (unsigned)n,
				 key ? ", ConIn's WaitForKey among them" : "");
			fw_end_run_waiting(caller, key);
		}
		if (index != NULL)
			fw_arg_put_uintn(index, which, "WaitForEvent()'s Index");
	}
	FW_TRACE("# call %u: WaitForEvent(%u event(s)) -> %s, index %u\n", fw.calls, (unsigned)n,
		 fw_status_name(status), (unsigned)which);
	return fw_leave(SVC_WaitForEvent, status);
}

/**
 * fw_timer_events_install() - put SetTimer(), CheckEvent() and
 * WaitForEvent() into a boot services table.
 * @bs: the table.
 */
void fw_timer_events_install(EFI_BOOT_SERVICES *bs)
{
	bs->SetTimer = fw_SetTimer;
	bs->CheckEvent = fw_CheckEvent;
	bs->WaitForEvent = fw_WaitForEvent;
}
