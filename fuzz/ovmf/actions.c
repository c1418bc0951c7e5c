/* SPDX-License-Identifier: MIT */
/*
 * actions.c - the scenario's firmware side on real firmware.
 *
 * Handler directives become events whose notify functions run the action
 * (AllocatePool, AllocatePages or free the latest such allocation) REPEAT
 * times and, for lifetime "once", close their own event, as EDK2's SnpDxe
 * (89d413731d) and AmdSevDxe do.  On U-Boot a "once" handler sets a done
 * flag instead: U-Boot 2023.01 walks its event list through a grouped event
 * closed in its own notify function and spins for ever (uboot.md).
 *   before-exit  CreateEventEx(EFI_EVENT_GROUP_BEFORE_EXIT_BOOT_SERVICES)
 *   exit         CreateEvent(EVT_SIGNAL_EXIT_BOOT_SERVICES), which EDK2 puts
 *                in the EXIT_BOOT_SERVICES group (Event.c)
 *   exit-failed  CreateEventEx(gEventExitBootServicesFailedGuid)
 * The firmware decides when, or whether, to signal them.
 *
 * Timer directives become real timer events, armed where the fake firmware
 * fires them: at the entry of the loader's call N, or of the first call
 * after its Nth successful GetMemoryMap (fuzz/fw/exit.c fw_timers_tick()).
 * At that point the driver arms the timer to expire at the next tick and
 * waits, in Stall(), for the tick to run its notify function; a free-running
 * timer could land anywhere between two calls, and the differential needs
 * the same sequence every boot.  Whether the tick still comes is the real
 * firmware's to decide: EDK2 stops it in every ExitBootServices() call,
 * failed ones included, and never restarts it (ovmf.md §4), so a timer due
 * after the first exit attempt waits in vain and, like the fake's, never
 * fires.
 *
 * U-Boot has no timer interrupt: it looks at its timer events only where it
 * polls (RestoreTPL, CheckEvent, WaitForEvent, a Stall that waits, its
 * console input; efi_boottime.c efi_timer_check()).  There a due timer is
 * only armed, to expire at once, and the firmware itself decides where its
 * notify function runs: at the loader's next call that polls, or never.
 *
 * The notify functions call the firmware's boot services directly, never
 * through the shim: they are the firmware's doing, not the loader's.
 */
#include "actions.h"
#include "shim.h"

/* EDK2 MdeModulePkg/Include/Guid/EventExitBootServiceFailed.h */
#define EDK2_EVENT_GROUP_EXIT_BOOT_SERVICES_FAILED                                            \
	{ 0x4f6c5507, 0x232f, 0x4787, { 0xb9, 0x5e, 0x72, 0xf8, 0x62, 0x49, 0x0c, 0xb1 } }

/* How long a due timer may take to fire: OVMF ticks every 10 ms. */
#define TIMER_WAIT_MS 200u

/* Allocations made by notify functions, freed last-in first-out. */
#define MAX_FIRMWARE_ALLOCS 256u

/* The fake firmware's budgets (fuzz/fw/internal.h, FW_MAX_FIRMWARE_CHANGES
 * and FW_MAX_TIMER_CHANGES): the steps handlers and timers may take in a
 * boot, and of them the timers', so that a scenario that reaches one does
 * the same on both firmwares. */
#define MAX_FIRMWARE_CHANGES 256u
#define MAX_TIMER_CHANGES 128u

struct handler {
	const struct scn_handler *spec;
	bool done; /* a "once" handler that ran, on U-Boot */
};

struct timer {
	const struct scn_timer *spec;
	EFI_EVENT event;
	volatile bool fired;
	bool done, armed;
	unsigned next;
	unsigned fires, waits;     /* for the report */
	bool pending;              /* U-Boot: armed, waiting for the firmware to poll */
	unsigned fired_at;         /* U-Boot: the loader's call it fired in */
};

struct firmware_alloc {
	EFI_PHYSICAL_ADDRESS address; /* pages, or the pool pointer */
	UINTN pages;                  /* 0 for pool */
};

static EFI_BOOT_SERVICES *bs;
static bool on_uboot;
static unsigned current_call;
static struct handler handlers[SCN_MAX_HANDLERS];
static struct timer timers[SCN_MAX_TIMERS];
static unsigned n_timers;
static bool ticks_stopped;
static struct firmware_alloc allocs[MAX_FIRMWARE_ALLOCS];
static unsigned n_allocs;
static unsigned changes, timer_changes; /* the budgets' counts */

static void remember(EFI_PHYSICAL_ADDRESS address, UINTN pages)
{
	if (n_allocs < MAX_FIRMWARE_ALLOCS)
		allocs[n_allocs++] = (struct firmware_alloc){ address, pages };
}

/* Free the latest allocation; false if there is none. */
static bool free_latest(void)
{
	struct firmware_alloc a;

	if (n_allocs == 0)
		return false;
	a = allocs[--n_allocs];
	if (a.pages != 0)
		bs->FreePages(a.address, a.pages);
	else
		bs->FreePool((VOID *)(UINTN)a.address);
	return true;
}

/* Room for a full map read: U-Boot's maps are a few dozen descriptors,
 * OVMF's about 120.  Static, so reading allocates nothing. */
static UINT8 map_buffer[32768] __attribute__((aligned(8)));

/* The firmware's key after an action, for the stale-map observation. */
static void note_key(void)
{
	UINTN size = 0, key = 0, desc_size = 0;
	UINT32 version = 0;

	/* EDK2 writes MapKey on EFI_BUFFER_TOO_SMALL too (exit-boot.md 2.3). */
	if (!on_uboot) {
		if (bs->GetMemoryMap(&size, NULL, &key, &desc_size, &version) ==
		    EFI_BUFFER_TOO_SMALL)
			shim_note_firmware_key(key);
		return;
	}
	/* U-Boot writes it only on success (uboot.md): read the whole map. */
	size = sizeof(map_buffer);
	if (bs->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)map_buffer, &key, &desc_size,
			     &version) == EFI_SUCCESS)
		shim_note_firmware_key(key);
}

/**
 * action_run() - what a handler or timer does, as fuzz/fw/memory.c
 * fw_action_run() does it on the fake firmware, within the same budgets.
 * @a: the action; failures are ignored, as a driver's would be.
 * @by_timer: a timer's action, not a handler's.
 */
static void action_run(const struct scn_action *a, bool by_timer)
{
	unsigned r;

	for (r = 0; r < a->repeat && changes < MAX_FIRMWARE_CHANGES &&
		    (!by_timer || timer_changes < MAX_TIMER_CHANGES);
	     r++) {
		EFI_PHYSICAL_ADDRESS address = 0;
		UINTN pages = a->amount ? a->amount : 1;
		VOID *pool = NULL;

		changes++;
		timer_changes += by_timer;

		if (a->kind == ACT_FREE) {
			if (!free_latest())
				break;
		} else if (a->kind == ACT_ALLOC_POOL) {
			if (bs->AllocatePool((EFI_MEMORY_TYPE)a->mem_type, a->amount, &pool) ==
			    EFI_SUCCESS)
				remember((EFI_PHYSICAL_ADDRESS)(UINTN)pool, 0);
		} else if (bs->AllocatePages(AllocateAnyPages, (EFI_MEMORY_TYPE)a->mem_type, pages,
					     &address) == EFI_SUCCESS) {
			remember(address, pages);
		}
	}
	note_key();
}

static VOID EFIAPI handler_notify(EFI_EVENT event, VOID *context)
{
	struct handler *h = context;

	if (h->done)
		return;
	action_run(&h->spec->action, false);
	if (h->spec->lifetime != LIFE_ONCE)
		return;
	if (on_uboot)
		h->done = true; /* closing it here hangs U-Boot 2023.01 */
	else
		bs->CloseEvent(event);
}

static VOID EFIAPI timer_notify(EFI_EVENT event, VOID *context)
{
	struct timer *t = context;

	(void)event;
	action_run(&t->spec->action, true);
	t->fired = true;
	t->fired_at = current_call;
}

static EFI_STATUS create_handler(const struct scn_handler *spec, struct handler *h)
{
	static const EFI_GUID before = EFI_EVENT_GROUP_BEFORE_EXIT_BOOT_SERVICES;
	static const EFI_GUID failed = EDK2_EVENT_GROUP_EXIT_BOOT_SERVICES_FAILED;
	EFI_EVENT event;

	h->spec = spec;
	if (spec->group == GROUP_EXIT)
		return bs->CreateEvent(EVT_SIGNAL_EXIT_BOOT_SERVICES, TPL_CALLBACK, handler_notify,
				       h, &event);
	return bs->CreateEventEx(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, handler_notify, h,
				 spec->group == GROUP_BEFORE_EXIT ? &before : &failed, &event);
}

/**
 * actions_setup() - create the scenario's events on the firmware.
 * @firmware_bs: the firmware's boot services (not the shim's).
 * @scn: the decoded scenario.
 * @uboot: the firmware is U-Boot (see the top of this file).
 *
 * Return:
 * * EFI_SUCCESS - every handler and timer has its event.
 * * any error CreateEvent() or CreateEventEx() returned.
 */
EFI_STATUS actions_setup(EFI_BOOT_SERVICES *firmware_bs, const struct scenario *scn, bool uboot)
{
	EFI_STATUS status;
	unsigned i;

	bs = firmware_bs;
	on_uboot = uboot;
	for (i = 0; i < scn->n_handlers; i++) {
		status = create_handler(&scn->handlers[i], &handlers[i]);
		if (status != EFI_SUCCESS)
			return status;
	}
	for (i = 0; i < scn->n_timers; i++) {
		struct timer *t = &timers[i];

		t->spec = &scn->timers[i];
		t->next = t->spec->at;
		status = bs->CreateEvent(EVT_TIMER | EVT_NOTIFY_SIGNAL, TPL_CALLBACK, timer_notify, t,
					 &t->event);
		if (status != EFI_SUCCESS)
			return status;
	}
	n_timers = scn->n_timers;
	return EFI_SUCCESS;
}

/* Arm @t for the next tick and wait for its notify function to run. */
static void fire(struct timer *t)
{
	unsigned waited;

	if (ticks_stopped)
		return;
	t->fired = false;
	/*
	 * Due 100 ns from now, so at the next tick.  Not 0: EDK2's CoreSetTimer
	 * then signals its timer-check event at once (Event/Timer.c), and the
	 * notify function runs with no tick at all, even after a failed exit
	 * stopped the tick (observed on 2022.11 and 2025.02).
	 */
	if (bs->SetTimer(t->event, TimerRelative, 1) != EFI_SUCCESS)
		return;
	t->waits++;
	for (waited = 0; waited < TIMER_WAIT_MS && !t->fired; waited++)
		bs->Stall(1000);
	if (t->fired)
		t->fires++;
	if (!t->fired) {
		/* No tick: ExitBootServices() stopped the timer (exit-boot.md 2.1). */
		bs->SetTimer(t->event, TimerCancel, 0);
		ticks_stopped = true;
	}
}

/**
 * actions_before_call() - fire the timers due at the entry of a call of
 * the loader, with the schedule of fuzz/fw/exit.c fw_timers_tick() (on
 * U-Boot: arm them, see poll_schedule()).
 * @call: the call's number, from 1.
 * @map_reads: the loader's successful GetMemoryMap() calls so far.
 * @size_answers: and those answered EFI_BUFFER_TOO_SMALL.
 */
static bool due(const struct timer *t, unsigned call, unsigned map_reads, unsigned size_answers)
{
	if (!t->armed && t->spec->trigger == TRIG_AFTER_MAP)
		return map_reads >= (t->spec->at ? t->spec->at : 1u);
	if (!t->armed && t->spec->trigger == TRIG_AFTER_QUERY)
		return size_answers >= (t->spec->at ? t->spec->at : 1u);
	return call >= t->next;
}

/* The timer fired since the last call: schedule its next time. */
static void note_fired(struct timer *t, unsigned call)
{
	t->fires++;
	t->pending = false;
	t->armed = true;
	if (t->spec->period == 0)
		t->done = true;
	t->next = call + t->spec->period;
}

/*
 * U-Boot: arm a due timer to expire at once and let the firmware run it
 * where it polls (fuzz/fw/uboot.c fw_timers_fire_at() says where the fake
 * firmware does).  Its period counts from the call it fired in.
 */
static void poll_schedule(unsigned call, unsigned map_reads, unsigned size_answers)
{
	unsigned i;

	current_call = call;
	for (i = 0; i < n_timers; i++) {
		struct timer *t = &timers[i];

		if (t->pending && t->fired)
			note_fired(t, t->fired_at);
		if (t->done || t->pending || !due(t, call, map_reads, size_answers))
			continue;
		t->fired = false;
		if (bs->SetTimer(t->event, TimerRelative, 1) != EFI_SUCCESS)
			continue;
		t->waits++;
		t->pending = true;
	}
}

void actions_before_call(unsigned call, unsigned map_reads, unsigned size_answers)
{
	unsigned i;

	if (on_uboot) {
		poll_schedule(call, map_reads, size_answers);
		return;
	}
	for (i = 0; i < n_timers; i++) {
		struct timer *t = &timers[i];

		if (t->done || !due(t, call, map_reads, size_answers))
			continue;
		fire(t);
		t->armed = true;
		if (t->spec->period == 0)
			t->done = true;
		t->next = call + t->spec->period;
	}
}

/**
 * actions_report() - say how often each timer fired, for the log.
 * @put: where to write (seq.h).
 * @ctx: passed to @put.
 */
void actions_report(seq_put_fn put, void *ctx)
{
	char digits[4] = { 0 };
	unsigned i;

	for (i = 0; i < n_timers; i++) {
		if (timers[i].pending && timers[i].fired)
			note_fired(&timers[i], timers[i].fired_at);
		digits[0] = (char)('0' + i % 10);
		put("ebsfuzz-driver: timer ", ctx);
		put(digits, ctx);
		digits[0] = (char)('0' + timers[i].fires % 10);
		put(" fired ", ctx);
		put(digits, ctx);
		digits[0] = (char)('0' + timers[i].waits % 10);
		put(" of ", ctx);
		put(digits, ctx);
		put(" times\n", ctx);
	}
	if (ticks_stopped)
		put("ebsfuzz-driver: no tick came after a timer was armed\n", ctx);
}
