/* SPDX-License-Identifier: MIT */
/*
 * conout.c - ConOut, the text output protocol (UEFI 2.10 section 12.4):
 * what the loader prints goes to the trace (and, on firmware whose
 * console changes the map, a page of it to the firmware), and its other
 * calls are accepted or refused, each accounted as a call of a service.
 */
#include <stddef.h>
#include <string.h>

#include "internal.h"

#define UNUSED __attribute__((unused))

/* Character @n of @string, wherever the string lies: a loader may hand
 * over one at an odd address (the GRUB port's printf buffer in a heap a
 * bad write had corrupted), which x86 firmware reads as it is, and which
 * UBSan would stop the harness at, as a misaligned load of its own.  A
 * string that runs into a bad byte (no terminator inside its buffer) is
 * the loader's bug, at its call (loader_access.c), and is read on as the
 * firmware reads it, up to its terminator: *@unchecked is then set.
 * ASan's report here was one place for every caller. */
static CHAR16 char_at(const CHAR16 *string, size_t n, bool *unchecked)
{
	const uint8_t *at = (const uint8_t *)string + n * sizeof(CHAR16);
	CHAR16 c;

	if (!*unchecked)
		*unchecked = fw_loader_scalar_reported(at, sizeof(c), false);
	if (*unchecked)
		fw_copy_unchecked(&c, at, sizeof(c));
	else
		memcpy(&c, at, sizeof(c));
	return c;
}

static EFI_STATUS output_string(const CHAR16 *string)
{
	char text[81];
	size_t n;
	uint64_t start;
	bool unchecked = false;
	CHAR16 c;

	if (string == NULL)
		return EFI_INVALID_PARAMETER;
	for (n = 0; (c = char_at(string, n, &unchecked)) != 0; n++) /* reads it all, checked (char_at()) */
		if (n < sizeof(text) - 1)
			text[n] = c >= 0x20 && c < 0x7f ? (char)c : '.';
	text[n < sizeof(text) - 1 ? n : sizeof(text) - 1] = 0;
	/* HP Elitebook 840 G10: scrolling the console changes the map (F4).
	 * At the loader's call, so no change "by the firmware" after a failed
	 * exit; but the firmware's pages, not the loader's (pages.c).  Top
	 * down, as EDK2 allocates: a descriptor more forced each time put the
	 * second print's page at the bottom of U-Boot's free range, 1 MiB,
	 * where MikanOS's kernel goes; the key changes either way. */
	if (fw_quirk(QUIRK_CONSOLE_CHANGES_MAP) &&
	    fw_map_alloc(EfiBootServicesData, 1, DELTA_AUTO, UINT64_MAX, false, &start))
		fw_note_firmware_took(start, 1);
	FW_TRACE("# call %u: ConOut->OutputString(\"%s\")\n", fw.calls, text);
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI con_OutputString(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *This UNUSED,
					  CHAR16 *string)
{
	EFI_STATUS status = FW_ENTER(SVC_ConOut);

	if (status == EFI_SUCCESS)
		status = output_string(string);
	return fw_leave(SVC_ConOut, status);
}

/* The other console functions: accepted and ignored, or refused (modes).
 * @name: the function's, for the trace.
 * @site: the loader's call, taken by each of them (FW_HERE). */
static EFI_STATUS console_call_from(const char *name, EFI_STATUS status_if_allowed,
				    struct fw_site site)
{
	EFI_STATUS status = fw_enter(SVC_ConOut, site);

	if (status == EFI_SUCCESS)
		status = status_if_allowed;
	FW_TRACE("# call %u: ConOut->%s() -> %s\n", fw.calls, name, fw_status_name(status));
	return fw_leave(SVC_ConOut, status);
}

static EFI_STATUS EFIAPI con_Reset(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *This UNUSED,
				   BOOLEAN extended UNUSED)
{
	return console_call_from("Reset", EFI_SUCCESS, FW_HERE);
}

static EFI_STATUS EFIAPI con_TestString(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *This UNUSED,
					CHAR16 *string UNUSED)
{
	return console_call_from("TestString", EFI_SUCCESS, FW_HERE);
}

static EFI_STATUS EFIAPI con_QueryMode(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *This UNUSED, UINTN mode,
				       UINTN *columns, UINTN *rows)
{
	EFI_STATUS status = FW_ENTER(SVC_ConOut);

	if (status == EFI_SUCCESS && mode != 0)
		status = EFI_UNSUPPORTED;
	else if (status == EFI_SUCCESS && (columns == NULL || rows == NULL))
		status = EFI_INVALID_PARAMETER;
	else if (status == EFI_SUCCESS) {
		fw_arg_put_uintn(columns, 80, "QueryMode()'s Columns");
		fw_arg_put_uintn(rows, 25, "QueryMode()'s Rows");
	}
	FW_TRACE("# call %u: ConOut->QueryMode(%zu) -> %s\n", fw.calls, (size_t)mode,
		 fw_status_name(status));
	return fw_leave(SVC_ConOut, status);
}

static EFI_STATUS EFIAPI con_SetMode(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *This UNUSED, UINTN mode)
{
	return console_call_from("SetMode", mode == 0 ? EFI_SUCCESS : EFI_UNSUPPORTED, FW_HERE);
}

static EFI_STATUS EFIAPI con_SetAttribute(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *This UNUSED,
					  UINTN attribute)
{
	fw.conout_mode.Attribute = (INT32)(attribute & 0x7f);
	return console_call_from("SetAttribute", EFI_SUCCESS, FW_HERE);
}

static EFI_STATUS EFIAPI con_ClearScreen(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *This UNUSED)
{
	return console_call_from("ClearScreen", EFI_SUCCESS, FW_HERE);
}

static EFI_STATUS EFIAPI con_SetCursorPosition(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *This UNUSED,
					       UINTN column UNUSED, UINTN row UNUSED)
{
	return console_call_from("SetCursorPosition", EFI_SUCCESS, FW_HERE);
}

static EFI_STATUS EFIAPI con_EnableCursor(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *This UNUSED,
					  BOOLEAN visible)
{
	fw.conout_mode.CursorVisible = visible;
	return console_call_from("EnableCursor", EFI_SUCCESS, FW_HERE);
}

const SIMPLE_TEXT_OUTPUT_MODE fw_conout_mode_template = { .MaxMode = 1, .Attribute = 0x07,
							 .CursorVisible = 1 };

const EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL fw_conout_template = {
	.Reset = con_Reset,
	.OutputString = con_OutputString,
	.TestString = con_TestString,
	.QueryMode = con_QueryMode,
	.SetMode = con_SetMode,
	.SetAttribute = con_SetAttribute,
	.ClearScreen = con_ClearScreen,
	.SetCursorPosition = con_SetCursorPosition,
	.EnableCursor = con_EnableCursor,
	.Mode = &fw.conout_mode,
};
