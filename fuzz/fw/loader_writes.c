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
 * fw_loader_write_reported() - a range of the loader's starting at a bad
 * byte (fw_first_bad_byte()), reported at its current call: the write is
 * then to be made unchecked (fw_copy_unchecked(), fw_fill_unchecked()).
 * @to: the bad byte.
 * @size: the bytes from there the firmware is about to write.
 *
 * Return: false if no hook is set: the caller then writes with ASan's
 * checks, as before.
 */
bool fw_loader_write_reported(void *to, size_t size)
{
	return report_write != NULL && report_write(fw.caller, to, size);
}

/**
 * fw_first_bad_byte() - the first byte of [@to, @to + @size) ASan finds
 * poisoned, or NULL.
 * @to: a loader buffer the firmware is about to write.
 * @size: the bytes to be written.
 *
 * For a buffer in one of the loader's blocks that the write runs past,
 * the byte after the block, once ASan finds the block's part good: ASan's
 * own search for the byte goes one byte at a time from @to, and the
 * Limine port, whose map buffer is smaller than it claims, met it at
 * every call (most of its workers' time, perf).
 */
uint8_t *fw_first_bad_byte(uint8_t *to, size_t size)
{
	const struct fw_alloc *a = fw_alloc_containing(to, true);

	if (a != NULL) {
		size_t room = a->bytes - (size_t)(to - (uint8_t *)a->host);

		if (size > room && asan_range_addressable(to, room))
			return to + room;
	}
#ifdef EBSFUZZ_ASAN
	return __asan_region_is_poisoned(to, size);
#else
	return NULL;
#endif
}

/* Word-wide where aligned: a buffer runs to MiBs.  No call of memcpy() or
 * memset(), which would be ASan's, checking the range again. */
typedef uint64_t __attribute__((may_alias)) word_t;
#if defined(__clang__)
#define UNCHECKED \
	__attribute__((no_sanitize("address"), no_builtin("memcpy"), no_builtin("memset")))
#else
#define UNCHECKED __attribute__((no_sanitize("address")))
#endif

UNCHECKED void fw_copy_unchecked(void *to, const void *from, size_t size)
{
	uint8_t *t = to;
	const uint8_t *f = from;

	if (((uintptr_t)t | (uintptr_t)f) % sizeof(word_t) == 0)
		for (; size >= sizeof(word_t); size -= sizeof(word_t), t += 8, f += 8)
			*(word_t *)(void *)t = *(const word_t *)(const void *)f;
	while (size-- > 0)
		*t++ = *f++;
}

UNCHECKED void fw_fill_unchecked(void *to, uint8_t value, size_t size)
{
	uint8_t *t = to;
	word_t word = (word_t)value * 0x0101010101010101ull;

	for (; size > 0 && (uintptr_t)t % sizeof(word_t) != 0; size--)
		*t++ = value;
	for (; size >= sizeof(word_t); size -= sizeof(word_t), t += 8)
		*(word_t *)(void *)t = word;
	while (size-- > 0)
		*t++ = value;
}
