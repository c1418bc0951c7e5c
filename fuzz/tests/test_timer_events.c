/* SPDX-License-Identifier: MIT */
/*
 * test_timer_events.c - the loader's timer events (fuzz/fw/timer_events.c):
 * boot menus that count down with SetTimer() and CheckEvent() or
 * WaitForEvent() boot when the time is up, as on real firmware; a wait
 * nothing can end is a halt; the arguments UEFI 2.10 section 7.1 refuses
 * are refused; the tick is dead after a failed exit on EDK2; and the
 * trace has a line for every call a menu makes.
 */
#include <string.h>

#include "fixtures.h"

/* A failed first exit (a BeforeExitBootServices handler allocates) on
 * EDK2, whose tick the failed exit stops. */
#define EDK2_FAILED_EXIT                                                                       \
	"firmware edk2-2025\n"                                                                 \
	"handler before-exit once alloc-pages BootServicesData amount=1 delta=+1 repeat=1\n"

#define SECONDS(n) ((UINT64)(n) * 10000000u) /* SetTimer()'s 100 ns units */

static EFI_STATUS read_and_exit(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;
	EFI_STATUS status = read_map(st, &m);

	if (status != EFI_SUCCESS)
		return status;
	return m.bs->ExitBootServices(image, m.key);
}

static EFI_EVENT new_timer(EFI_SYSTEM_TABLE *st)
{
	EFI_EVENT timer = NULL;

	CHECK(st->BootServices->CreateEvent(EVT_TIMER, TPL_CALLBACK, NULL, NULL, &timer) ==
	      EFI_SUCCESS);
	return timer;
}

/* gigaboot's xefi_getc(timeout): a relative timer, then ReadKeyStroke()
 * until CheckEvent() finds it signalled; the timeout boots. */
static EFI_STATUS times_out_then_boots(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	EFI_EVENT timer = new_timer(st);
	EFI_INPUT_KEY key;

	if (bs->SetTimer(timer, TimerRelative, SECONDS(3)) != EFI_SUCCESS)
		return EFI_DEVICE_ERROR;
	do {
		if (st->ConIn->ReadKeyStroke(st->ConIn, &key) == EFI_SUCCESS)
			return EFI_ABORTED;
	} while (bs->CheckEvent(timer) == EFI_NOT_READY);
	bs->CloseEvent(timer);
	return read_and_exit(image, st);
}

/* A menu that waits for a key or its timeout in one WaitForEvent(). */
static EFI_STATUS waits_for_key_or_timeout(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	EFI_EVENT events[2] = { st->ConIn->WaitForKey, new_timer(st) };
	UINTN index = 7;

	if (bs->SetTimer(events[1], TimerRelative, SECONDS(5)) != EFI_SUCCESS)
		return EFI_DEVICE_ERROR;
	if (bs->WaitForEvent(2, events, &index) != EFI_SUCCESS)
		return EFI_DEVICE_ERROR;
	CHECK(index == 1);
	return read_and_exit(image, st);
}

/* gigaboot's key_prompt(): a periodic one-second timer counts five down. */
static EFI_STATUS counts_down_by_seconds(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	EFI_EVENT timer = new_timer(st);
	EFI_INPUT_KEY key;
	int left = 5;

	if (bs->SetTimer(timer, TimerPeriodic, SECONDS(1)) != EFI_SUCCESS)
		return EFI_DEVICE_ERROR;
	while (left > 0) {
		if (st->ConIn->ReadKeyStroke(st->ConIn, &key) == EFI_SUCCESS)
			return EFI_ABORTED;
		if (bs->CheckEvent(timer) == EFI_SUCCESS)
			left--;
	}
	bs->SetTimer(timer, TimerCancel, 0);
	bs->CloseEvent(timer);
	return read_and_exit(image, st);
}

static volatile int timed_out;

static VOID EFIAPI note_timeout(EFI_EVENT event, VOID *context)
{
	(void)event;
	*(volatile int *)context = 1;
}

/* A relative timer of @seconds whose notify function sets timed_out. */
static bool arm_timeout(EFI_BOOT_SERVICES *bs, UINT64 seconds)
{
	EFI_EVENT timer = NULL;

	timed_out = 0;
	return bs->CreateEvent(EVT_TIMER | EVT_NOTIFY_SIGNAL, TPL_CALLBACK, note_timeout,
			       (VOID *)&timed_out, &timer) == EFI_SUCCESS &&
	       bs->SetTimer(timer, TimerRelative, SECONDS(seconds)) == EFI_SUCCESS;
}

/* A timer whose notify function sets the flag the key loop tests. */
static EFI_STATUS notify_ends_key_loop(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_INPUT_KEY key;

	if (!arm_timeout(st->BootServices, 2))
		return EFI_DEVICE_ERROR;
	while (!timed_out)
		if (st->ConIn->ReadKeyStroke(st->ConIn, &key) == EFI_SUCCESS)
			return EFI_ABORTED;
	return read_and_exit(image, st);
}

/* Looks for a key once ("any key to skip"), a five-minute timer armed:
 * one poll is no wait, and the timer's notify function does not run. */
static EFI_STATUS looks_for_key_once(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_INPUT_KEY key;

	if (!arm_timeout(st->BootServices, 300))
		return EFI_DEVICE_ERROR;
	if (st->ConIn->ReadKeyStroke(st->ConIn, &key) == EFI_SUCCESS)
		return EFI_ABORTED;
	CHECK(!timed_out);
	return read_and_exit(image, st);
}

/* Waits for a key for ever, a periodic timer (an animation) waking it. */
static EFI_STATUS waits_for_key_with_animation(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	EFI_EVENT timer = new_timer(st);
	EFI_INPUT_KEY key;

	if (bs->SetTimer(timer, TimerPeriodic, SECONDS(1) / 10) != EFI_SUCCESS)
		return EFI_DEVICE_ERROR;
	while (st->ConIn->ReadKeyStroke(st->ConIn, &key) != EFI_SUCCESS)
		bs->CheckEvent(timer);
	return read_and_exit(image, st);
}

/* Waits on a timer it never set. */
static EFI_STATUS waits_on_unset_timer(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_EVENT timer = new_timer(st);
	UINTN index;

	st->BootServices->WaitForEvent(1, &timer, &index);
	return read_and_exit(image, st);
}

static VOID EFIAPI nothing(EFI_EVENT event, VOID *context)
{
	(void)event;
	(void)context;
}

/* Arguments UEFI 2.10 section 7.1 refuses, then a boot. */
static EFI_STATUS passes_bad_arguments(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	EFI_EVENT timer = new_timer(st), signal = NULL, wait = NULL;
	UINTN index = 7;

	CHECK(bs->CreateEvent(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, nothing, NULL, &signal) ==
	      EFI_SUCCESS);
	CHECK(bs->CreateEvent(EVT_NOTIFY_WAIT, TPL_CALLBACK, nothing, NULL, &wait) ==
	      EFI_SUCCESS);
	/* 7.1.7: not a timer; no such type. */
	CHECK(bs->SetTimer(wait, TimerRelative, 0) == EFI_INVALID_PARAMETER);
	CHECK(bs->SetTimer(timer, (EFI_TIMER_DELAY)3, 0) == EFI_INVALID_PARAMETER);
	/* 7.1.8: an EVT_NOTIFY_SIGNAL event cannot be checked. */
	CHECK(bs->CheckEvent(signal) == EFI_INVALID_PARAMETER);
	CHECK(bs->CheckEvent(wait) == EFI_NOT_READY);
	/* 7.1.5: no events; one of type EVT_NOTIFY_SIGNAL, which Index names. */
	CHECK(bs->WaitForEvent(0, &timer, &index) == EFI_INVALID_PARAMETER);
	{
		EFI_EVENT events[2] = { timer, signal };

		CHECK(bs->WaitForEvent(2, events, &index) == EFI_INVALID_PARAMETER);
		CHECK(index == 1);
	}
	/* A relative timer of 0 is signalled at once. */
	CHECK(bs->SetTimer(timer, TimerRelative, 0) == EFI_SUCCESS);
	CHECK(bs->CheckEvent(timer) == EFI_SUCCESS);
	CHECK(bs->CheckEvent(timer) == EFI_NOT_READY);
	return read_and_exit(image, st);
}

/* After a failed exit, EDK2's tick is off (docs/ovmf.md): a 1 ms timer and
 * a 100 ms Stall() leave it unsignalled, a relative timer of 0 is
 * signalled at once; then the retry. */
static EFI_STATUS times_after_failed_exit(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;
	EFI_EVENT timer = new_timer(st);

	if (read_map(st, &m) != EFI_SUCCESS)
		return EFI_LOAD_ERROR;
	if (m.bs->ExitBootServices(image, m.key) == EFI_SUCCESS) {
		CHECK(!"the first exit fails");
		return EFI_SUCCESS;
	}
	CHECK(m.bs->SetTimer(timer, TimerRelative, 10000) == EFI_SUCCESS);
	m.bs->Stall(100000);
	CHECK(m.bs->CheckEvent(timer) == EFI_NOT_READY);
	CHECK(m.bs->SetTimer(timer, TimerRelative, 0) == EFI_SUCCESS);
	CHECK(m.bs->CheckEvent(timer) == EFI_SUCCESS);
	return reread_and_exit(image, &m);
}

/* Before the exit a Stall() lets the same 1 ms timer expire. */
static EFI_STATUS stalls_past_timer(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	EFI_EVENT timer = new_timer(st);

	CHECK(bs->SetTimer(timer, TimerRelative, 10000) == EFI_SUCCESS);
	CHECK(bs->CheckEvent(timer) == EFI_NOT_READY);
	bs->Stall(100000);
	CHECK(bs->CheckEvent(timer) == EFI_SUCCESS);
	return read_and_exit(image, st);
}

/* A menu's screen work around a short Stall(), then a boot. */
static EFI_STATUS draws_menu(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;

	st->ConOut->ClearScreen(st->ConOut);
	st->ConOut->SetAttribute(st->ConOut, 0x0f);
	bs->RestoreTPL(bs->RaiseTPL(TPL_NOTIFY));
	bs->Stall(5);
	return read_and_exit(image, st);
}

/* Every call has its line in the trace, numbered in order. */
static void every_call_traced(void)
{
	static const char *const lines[] = {
		"# call 1: ConOut->ClearScreen() -> EFI_SUCCESS\n",
		"# call 2: ConOut->SetAttribute() -> EFI_SUCCESS\n",
		"# call 3: RaiseTPL -> EFI_SUCCESS\n", "# call 4: RestoreTPL -> EFI_SUCCESS\n",
		"# call 5: Stall(5) -> EFI_SUCCESS\n", "# call 6: GetMemoryMap(",
	};
	struct run_outcome out;
	bool ok;
	unsigned i;

	testlib_trace = true;
	run_forked(EDK2_QUIET, draws_menu, &out);
	testlib_trace = false;
	ok = out.violation[0] == 0 && out.exited;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		ok = ok && strstr(out.output, lines[i]) != NULL;
	test_result("every call has its line in the trace (console, TPL, Stall)", ok, &out);
}

int main(void)
{
	static const char *const waits_for_key[] = {
		"ebsfuzz: invariant liveness violated",
		"the loader waited for a key nobody pressed after 0 exit attempt(s)", NULL
	};
	static const char *const waits_for_nothing[] = {
		"ebsfuzz: invariant liveness violated",
		"the loader waited for events nothing signalled after 0 exit attempt(s)", NULL
	};

	expect_clean("a relative timer's timeout, polled with CheckEvent, boots", EDK2_QUIET,
		     times_out_then_boots, true);
	expect_clean("the same on U-Boot", "firmware uboot\n", times_out_then_boots, true);
	expect_clean("WaitForEvent on WaitForKey and a timer returns the timer's index",
		     EDK2_QUIET, waits_for_key_or_timeout, true);
	expect_clean("a periodic timer counts five seconds down", EDK2_QUIET,
		     counts_down_by_seconds, true);
	expect_clean("a timer's notify function ends a loop polling for a key", EDK2_QUIET,
		     notify_ends_key_loop, true);
	expect_clean("one look for a key is no wait: a five-minute timer stays armed", EDK2_QUIET,
		     looks_for_key_once, true);
	expect_reports("a wait for a key for ever, a periodic timer waking it, is a wait for a key",
		       EDK2_QUIET, waits_for_key_with_animation, waits_for_key);
	expect_absent("... and no termination", EDK2_QUIET, waits_for_key_with_animation,
		      "invariant termination");
	expect_reports("a wait on a timer never set is a wait nothing ends", EDK2_QUIET,
		       waits_on_unset_timer, waits_for_nothing);
	expect_clean("arguments UEFI refuses are refused; a relative 0 signals at once",
		     EDK2_QUIET, passes_bad_arguments, true);
	expect_clean("a Stall lets a timer expire before the exit", EDK2_QUIET,
		     stalls_past_timer, true);
	/* Calls UEFI forbids then (forbidden-call), as OVMF was measured with. */
	expect_absent("after a failed exit EDK2's tick is off; a relative 0 still signals",
		      EDK2_FAILED_EXIT, times_after_failed_exit, "check failed");
	every_call_traced();
	return test_summary("test_timer_events");
}
