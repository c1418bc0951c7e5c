/* SPDX-License-Identifier: MIT */
/*
 * conin.c - ConIn, the text input protocol (UEFI 2.10 section 12.3), with
 * nobody at the keyboard, and the wait for a key that follows.
 */
#include "internal.h"

#define UNUSED __attribute__((unused))

/* ConIn: nobody is at the keyboard.  A loader's fatal path may read or
 * wait for a key before it resets (NetBSD's efiboot reboot(), ACRN's
 * stub, gigaboot's xefi_getc(), illumos's prompt: docs/real-loaders.md);
 * without a ConIn it read through NULL, a crash the harness caused.  A
 * WaitForEvent() on WaitForKey and nothing that will be signalled never
 * returns (timer_events.c), and FW_KEY_POLLS_TO_WAIT ReadKeyStroke() or
 * CheckEvent(WaitForKey) answers in a row, with nothing between them but
 * prints, stalls and other polls (fw_enter()), are a wait for a key too,
 * unless a timer of the loader's is armed (a countdown: the clock moves on
 * to it while the loader polls, timer_events.c): either ends the run as a
 * halt (fw_end_run_waiting()).  Polled until the call budget ran out, it
 * was a compliant termination finding, blame for a key nobody pressed; so
 * a budget that runs out after that many polls in a row, a timer armed,
 * ends it as a wait for a key too (oracle_check_call_budget()).  A
 * countdown polling more often than that with no timer is taken for a
 * wait. */
static UINT8 key_event; /* WaitForKey: an event of the firmware's own */

/**
 * fw_is_key_event() - whether @event is ConIn's WaitForKey.
 * @event: an event a loader passed.
 */
bool fw_is_key_event(EFI_EVENT event)
{
	return event == (EFI_EVENT)&key_event;
}

/**
 * fw_key_polled() - ConIn answered "no key" once more (fw.caller asked);
 * FW_KEY_POLLS_TO_WAIT of them in a row, no timer of the loader's armed,
 * are a wait for a key.  A poll is a wait, for a timer too.
 */
void fw_key_polled(void)
{
	const void *caller = fw.caller; /* a timer's notify function may call */

	fw.key_polls++;
	fw_timer_events_polled();
	if (fw.key_polls >= FW_KEY_POLLS_TO_WAIT && !fw_timer_events_armed())
		fw_end_run_waiting(caller, true);
}

static EFI_STATUS EFIAPI conin_Reset(EFI_SIMPLE_TEXT_INPUT_PROTOCOL *This UNUSED,
				     BOOLEAN extended UNUSED)
{
	EFI_STATUS status = FW_ENTER(SVC_ConIn);

	if (status == EFI_SUCCESS)
		FW_TRACE("# call %u: ConIn->Reset()\n", fw.calls);
	return fw_leave(SVC_ConIn, status);
}

/* UEFI 2.10 section 12.3.3: EFI_NOT_READY, "no keystroke data available". */
static EFI_STATUS EFIAPI conin_ReadKeyStroke(EFI_SIMPLE_TEXT_INPUT_PROTOCOL *This UNUSED,
					     EFI_INPUT_KEY *key)
{
	EFI_STATUS status = FW_ENTER(SVC_ConIn);

	if (status == EFI_SUCCESS)
		status = key == NULL ? EFI_INVALID_PARAMETER : EFI_NOT_READY;
	FW_TRACE("# call %u: ConIn->ReadKeyStroke() -> %s\n", fw.calls, fw_status_name(status));
	/* No key, whoever said so: an injected EFI_NOT_READY too (it was a
	 * termination row, Syslinux's prompt polled to the call budget). */
	if (status == EFI_NOT_READY)
		fw_key_polled();
	return fw_leave(SVC_ConIn, status);
}

/* Copied into the system table's ConIn at every reset (misc.c). */
const EFI_SIMPLE_TEXT_INPUT_PROTOCOL fw_conin_template = {
	.Reset = conin_Reset,
	.ReadKeyStroke = conin_ReadKeyStroke,
	.WaitForKey = &key_event,
};
