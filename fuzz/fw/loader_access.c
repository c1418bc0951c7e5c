/* SPDX-License-Identifier: MIT */
/*
 * loader_access.c - what the firmware reads or writes through the loader's
 * pointers where a byte is bad (a buffer smaller than the loader claimed, a
 * UINT32 passed where a UINTN is written, memory the loader poisoned
 * itself, as GRUB poisons the heap it has not handed out): reported at the
 * loader's call, every time; and the firmware's CopyMem() and SetMem(),
 * which are the loader's copies and fills.
 *
 * ASan would report such an access inside the firmware's own code or its
 * memcpy() or memset(), a place every caller in the process shares and
 * that it reports once; and a bad write there ends the run with its worker
 * (fuzz/sanitizer_reports.c: inside ASan's report nothing else is safe).
 * A loader that kept GetMemoryMap()'s size in a UINT32 lost every worker
 * at its first run (a 10-second campaign: 350 crashed workers, 411 runs),
 * and one that let CopyMem() write past a static table 300 in 10 s.
 * Through the hooks the harness sets (fuzz/loader_code.c), the report
 * names the loader's call as its place, and the harness judges every such
 * write, reported or not, before it is made: one into the loader's own
 * blocks or statics goes on (the Limine port's map buffer, smaller than it
 * claims, on every run), any other ends the run.  Without the hooks (no
 * ASan) the firmware reads and writes as before.
 */
#include <string.h>

#include "../sanitizers.h"
#include "internal.h"

static bool (*report_access)(const void *caller, const void *at, size_t size, bool write);
static void (*loader_move)(const void *caller, void *to, const void *from, size_t size);
static void (*loader_fill)(const void *caller, void *to, uint8_t value, size_t size);

/**
 * fw_set_loader_access_report() - the harness's report of a bad read or
 * write in the loader's memory, and its judge of a bad write.
 * @report: reports the first bad byte of [@at, @at + @size) at @caller and
 *	returns true if the access may be made (unchecked); false if no byte
 *	was bad; ends the run if a write may not be made.
 */
void fw_set_loader_access_report(bool (*report)(const void *caller, const void *at, size_t size,
						bool write))
{
	report_access = report;
}

/**
 * fw_set_loader_copies() - the harness's copy and fill for the loader's
 * CopyMem() and SetMem() calls: the loader's own memmove() and memset(),
 * checked at @caller (fuzz/loader_code.c).
 * @move: copies as memmove() does.
 * @fill: fills as memset() does.
 */
void fw_set_loader_copies(void (*move)(const void *caller, void *to, const void *from, size_t size),
			  void (*fill)(const void *caller, void *to, uint8_t value, size_t size))
{
	loader_move = move;
	loader_fill = fill;
}

/**
 * fw_loader_range_reported() - a range of the loader's with a bad byte,
 * reported at its current call: the access is then to be made unchecked
 * (fw_copy_unchecked(), fw_fill_unchecked()).
 * @at: the range, or from its first bad byte (fw_first_bad_byte()).
 * @size: its bytes.
 * @write: whether the firmware is about to write it (judged: a write that
 *	may not be made has ended the run) or read it.
 *
 * Return: false if no byte is bad or no hook is set: the caller then
 * accesses it with ASan's checks, as before.
 */
bool fw_loader_range_reported(const void *at, size_t size, bool write)
{
	return report_access != NULL && report_access(fw.caller, at, size, write);
}

/**
 * fw_loader_scalar_reported() - fw_loader_range_reported() for the few
 * bytes of a scalar or a character, at every such access: ASan is asked
 * directly first, in a few instructions.
 * @at: the bytes.
 * @size: how many.
 * @write: as fw_loader_range_reported().
 *
 * Return: as fw_loader_range_reported().
 */
bool fw_loader_scalar_reported(const void *at, size_t size, bool write)
{
#ifdef EBSFUZZ_ASAN
	if (__asan_region_is_poisoned((void *)(uintptr_t)at, size) == NULL)
		return false;
#endif
	return fw_loader_range_reported(at, size, write);
}

/**
 * fw_loader_read() - copy the loader's bytes (a scalar, a GUID) into the
 * firmware's: where a byte is bad, reported at the loader's call and read
 * unchecked (or read with ASan's checks, which report it, where the
 * harness set no report); else copied with no second check.
 * @to: the firmware's copy.
 * @from: the loader's bytes.
 * @size: how many (a few).
 *
 * memcpy() is ASan's interceptor, which reads the shadow of both ranges
 * again; the loader's scalars are read and written at nearly every call
 * (GetMemoryMap()'s four, AllocatePool()'s Buffer), and fw_arg_put_uintn()
 * and fw_arg_get_uintn() were 8% of the time of runs of the fuzz target
 * that made at most one map change (perf, the corpus of a 20-second
 * campaign from the seeds).
 */
void fw_loader_read(void *to, const void *from, size_t size)
{
	if (asan_range_addressable(from, size) || fw_loader_range_reported(from, size, false))
		fw_copy_unchecked(to, from, size);
	else
		memcpy(to, from, size);
}

/**
 * fw_loader_write() - copy the firmware's bytes (a scalar) into the
 * loader's, as fw_loader_read(); a write that may not be made has ended
 * the run.
 * @to: the loader's bytes.
 * @from: the firmware's.
 * @size: how many (a few).
 */
void fw_loader_write(void *to, const void *from, size_t size)
{
	fw_arena_wrote(to, size);
	if (asan_range_addressable(to, size) || fw_loader_range_reported(to, size, true))
		fw_copy_unchecked(to, from, size);
	else
		memcpy(to, from, size);
}

/**
 * fw_loader_move() - the loader's CopyMem(): its memmove(), reported at
 * its call where a byte is bad.
 * @to: the destination.
 * @from: the source.
 * @size: the bytes.
 */
void fw_loader_move(void *to, const void *from, size_t size)
{
	fw_arena_wrote(to, size);
	if (loader_move != NULL)
		loader_move(fw.caller, to, from, size);
	else
		memmove(to, from, size);
}

/**
 * fw_loader_fill() - the loader's SetMem(): its memset(), as fw_loader_move().
 * @to: the destination.
 * @value: the byte.
 * @size: the bytes.
 */
void fw_loader_fill(void *to, uint8_t value, size_t size)
{
	fw_arena_wrote(to, size);
	if (loader_fill != NULL)
		loader_fill(fw.caller, to, value, size);
	else
		memset(to, value, size);
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

/* Word-wide: a buffer runs to MiBs.  No call of memcpy() or memset(),
 * which would be ASan's, checking the range again.  A copy goes word by
 * word aligned or not (x86 and arm64 load and store unaligned words):
 * descriptors at an odd stride (non-compliant DescriptorSizes such as
 * 1182) went byte by byte. */
typedef uint64_t __attribute__((may_alias)) word_t;
typedef uint64_t __attribute__((may_alias, aligned(1))) unaligned_word_t;
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

	for (; size >= sizeof(word_t); size -= sizeof(word_t), t += 8, f += 8)
		*(unaligned_word_t *)(void *)t = *(const unaligned_word_t *)(const void *)f;
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
