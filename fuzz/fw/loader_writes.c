/* SPDX-License-Identifier: MIT */
/*
 * loader_writes.c - what the firmware writes into a loader's buffer that
 * has a bad byte (smaller than the loader claimed, or poisoned by the
 * loader itself, as GRUB poisons the heap it has not handed out): reported
 * at the loader's call, every time.
 *
 * ASan would report such a write inside its memcpy() or memset(), a place
 * every caller in the process shares and that it reports once: the
 * harness ends the run at any report there (fuzz/sanitizer_reports.c), and
 * before that rule, a worker that went on from one of them wrote past the
 * next loader's buffer unreported.  Through the hook the harness sets
 * (fuzz/loader_code.c), the report names the loader's call as its place,
 * and the harness judges every such write, reported or not, before it is
 * made: one into the loader's own blocks or statics goes on (the Limine
 * port's map buffer, smaller than it claims, on every run), any other ends
 * the run.  Without the hook (no ASan) the firmware writes as before.
 */
#include "../sanitizers.h"
#include "internal.h"

static bool (*report_write)(const void *caller, void *to, size_t size);

/**
 * fw_set_loader_write_report() - the harness's judge of a bad write into
 * the loader's memory.
 * @report: reports a bad byte of [@to, @to + @size) at @caller and returns
 *	true if the write may be made; ends the run if it may not.
 */
void fw_set_loader_write_report(bool (*report)(const void *caller, void *to, size_t size))
{
	report_write = report;
}

/**
 * fw_loader_write_reported() - a range of the loader's with a bad byte
 * (asan_range_addressable() said so), reported at its current call: the
 * write is then to be made unchecked (fw_copy_unchecked(),
 * fw_fill_unchecked()).
 * @to: the loader's buffer.
 * @size: the bytes the firmware is about to write.
 *
 * Return: false if no hook is set: the caller then writes with ASan's
 * checks, as before.
 */
bool fw_loader_write_reported(void *to, size_t size)
{
	return report_write != NULL && report_write(fw.caller, to, size);
}

__attribute__((no_sanitize("address"))) void fw_copy_unchecked(void *to, const void *from,
								size_t size)
{
	volatile uint8_t *t = to;
	const uint8_t *f = from;
	size_t i;

	for (i = 0; i < size; i++)
		t[i] = f[i];
}

__attribute__((no_sanitize("address"))) void fw_fill_unchecked(void *to, uint8_t value, size_t size)
{
	volatile uint8_t *t = to;
	size_t i;

	for (i = 0; i < size; i++)
		t[i] = value;
}
