/* SPDX-License-Identifier: MIT */
/*
 * loader_code.c - the loader's code as scripts/loader-code leaves it:
 * where it lies, its copies and fills, checked by ASan at its own call,
 * and its own ASan annotations, made only over memory it could own.
 *
 * ASan reports each place in the code once per process when it is told to
 * go on (halt_on_error=0, as the campaign's workers run), and the place of
 * a bad range in a memcpy() is inside ASan's memcpy (one for the source,
 * one for the destination), the same for every caller: after one bad copy
 * the run went on from, every later one in the process went unreported,
 * however harmful (measured: a second memcpy() past a heap block, from
 * another function, printed nothing; a worker wrote past a stack buffer
 * silently after a write past a pool block had gone on).  The
 * loader's calls come here instead (scripts/loader-code renames them), and
 * a bad range is reported at the loader's call: a place of its own, as an
 * access of the loader's own code is, and so are the firmware's reads and
 * writes through the loader's pointers and its CopyMem() and SetMem()
 * (loader_code_report_access(), loader_code_move(), loader_code_fill();
 * fuzz/fw/loader_access.c).
 * Any other bad write reported in the firmware's or the C library's code,
 * whose place every caller shares, ends the run (fuzz/sanitizer_reports.c);
 * loader_code_contains() tells them apart.
 *
 * The copies and fills exist only in ASan builds, the only ones whose
 * calls scripts/loader-code renames.
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fw/fw.h"
#include "loader_code.h"
#include "sanitizers.h"

extern char __start_ebsfuzz_loader_text[] __attribute__((weak));
extern char __stop_ebsfuzz_loader_text[] __attribute__((weak));

/* Judges a bad write that ASan let go on (sanitizer_reports.c); none in
 * a build without the findings (the report card's). */
static void (*write_judge)(uintptr_t addr, size_t size);
/* A report under way whose write the judge decides on when it returns. */
static bool judging;
/* Ends the run at a copy over a range that wraps (end_at_wrapping_range()),
 * in processes that end runs, not themselves, at deadly signals. */
static void (*wrapping_range_ends_run)(const char *message, const void *caller,
				       void *const *frame);

/* Whether the write ASan is reporting now is judged once the report has
 * returned (by the judge, outside ASan's report: it may end the run). */
bool loader_code_judges_this_write(void)
{
	return judging;
}

/**
 * loader_code_set_write_judge() - who ends the run at a bad write that
 * must not go on, whether ASan reported it this time or not.
 * @judge: called with the first bad byte and the size from there.
 */
void loader_code_set_write_judge(void (*judge)(uintptr_t addr, size_t size))
{
	write_judge = judge;
}

/**
 * loader_code_set_wrapping_range_end() - who ends the run at a copy or
 * fill of the loader's over a range that wraps around the address space,
 * rather than leave it to ASan, whose check then ends the process.
 * @end: called with ASan's message for it, the loader's return address
 *	and the frame of the copy (whose saved frame pointer is the
 *	loader's); returns only if it leaves the range to ASan.
 */
void loader_code_set_wrapping_range_end(void (*end)(const char *message, const void *caller,
						     void *const *frame))
{
	wrapping_range_ends_run = end;
}

/**
 * loader_code_contains() - whether an address lies in the loader's code.
 * @pc: a code address (a report's "at pc").
 *
 * Return: true inside ebsfuzz_loader_text; false outside it, and always
 * when the loader was not built through scripts/loader-code (the hardened
 * loader, a loader linked with the library), where nothing can tell.
 */
NO_COVERAGE bool loader_code_contains(uintptr_t pc)
{
	return __start_ebsfuzz_loader_text != NULL &&
	       pc >= (uintptr_t)__start_ebsfuzz_loader_text &&
	       pc < (uintptr_t)__stop_ebsfuzz_loader_text;
}

#ifdef EBSFUZZ_ASAN
void __asan_report_error(void *pc, void *bp, void *sp, void *addr, int is_write, size_t size);
void *__asan_memcpy(void *to, const void *from, size_t size);
void *__asan_memset(void *to, int value, size_t size);
void *__asan_memmove(void *to, const void *from, size_t size);

void *ebsfuzz_loader_memcpy(void *to, const void *from, size_t size);
void *ebsfuzz_loader_memset(void *to, int value, size_t size);
void *ebsfuzz_loader_memmove(void *to, const void *from, size_t size);
void ebsfuzz_loader_asan_poison_memory_region(void const volatile *addr, size_t size);
void ebsfuzz_loader_asan_unpoison_memory_region(void const volatile *addr, size_t size);

#define UNCHECKED __attribute__((no_sanitize("address"), noinline))
#define RANGE_STEP (64u * 1024u)

/* After a bad range was reported and the run goes on: byte by byte, so
 * that ASan's memcpy() does not report the same range again at its own
 * place.  Front to back, or back to front when @to lies above @from. */
static UNCHECKED void move_bytes(volatile uint8_t *to, const volatile uint8_t *from, size_t size)
{
	size_t i;

	if (to <= from)
		for (i = 0; i < size; i++)
			to[i] = from[i];
	else
		for (i = size; i-- > 0;)
			to[i] = from[i];
}

static UNCHECKED void fill_bytes(volatile uint8_t *to, uint8_t value, size_t size)
{
	size_t i;

	for (i = 0; i < size; i++)
		to[i] = value;
}

/* A range that wraps around the address space: ASan's own function
 * reports it (negative-size-param), as it always did, unless the run ends
 * here first (end_at_wrapping_range()). */
static bool wraps(const void *p, size_t size)
{
	return (uintptr_t)p + size < (uintptr_t)p;
}

/*
 * A copy or fill over a range that wraps around the address space (a size
 * computed from a map size the firmware lied about, GRUB's memcpy() of
 * its map at a size of -1) never completes: it runs off mapped memory
 * first.  ASan names it negative-size-param, then stops on a check of its
 * own (the range's end lies below its start), which ends the process: a
 * campaign's worker died so, and fork mode replaced it with a fresh one
 * (measured: 13 times in a 45-second campaign of the GRUB port; 141 times
 * in 5 s, 202 runs, for a loader that made such a copy on every run).
 * Where the process ends runs at deadly signals, it ends the run here
 * instead, the finding named as ASan names it, at the loader's call
 * (fuzz/signals.c): 2 and 0 crashed workers then, and the loader that
 * copies on every run was seen doing so 20,060 times in its 5 s.
 */
static void end_at_wrapping_range(const void *caller, void *const *frame, size_t size)
{
	char message[64];

	if (wrapping_range_ends_run == NULL)
		return;
	snprintf(message, sizeof(message), "negative-size-param: (size=%lld)",
		 (long long)(intptr_t)size);
	wrapping_range_ends_run(message, caller, frame);
}

/* first_bad_byte()'s answer for a range that runs into memory nothing is
 * mapped at before any poisoned byte. */
#define UNMAPPED ((void *)1)

/* Whether [@p, @p + @size) lies in mapped pages: mincore() fails with
 * ENOMEM for a range that has an unmapped page. */
static bool mapped(const void *p, size_t size)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), first = (uintptr_t)p & ~(page - 1);
	unsigned char resident[RANGE_STEP / 4096 + 2];

	if (size / page + 2 > sizeof(resident))
		return true; /* pages larger than assumed: do not ask */
	return mincore((void *)first, (uintptr_t)p + size - first, resident) == 0 || errno != ENOMEM;
}

/*
 * The first byte of [@p, @p + @size) ASan finds poisoned, NULL if none,
 * or UNMAPPED if the range runs into unmapped memory first.  In steps of
 * RANGE_STEP, stopping at the first bad one: __asan_region_is_poisoned()
 * scans the shadow of a whole range, mapping it page by page, before it
 * looks for the byte one at a time, and ASan's own memcpy() scanning the
 * size a firmware lied about (terabytes past the GRUB port's heap) kept
 * a worker busy for tens of seconds per run.  Past the first step, each
 * step is checked to be mapped first.
 */
static void *first_bad_byte(const void *p, size_t size)
{
	size_t done, n;
	void *bad;

	for (done = 0; done < size; done += n) {
		n = size - done < RANGE_STEP ? size - done : RANGE_STEP;
		if (done > 0 && !mapped((const uint8_t *)p + done, n))
			return UNMAPPED;
		bad = __asan_region_is_poisoned((void *)((uintptr_t)p + done), n);
		if (bad != NULL)
			return bad;
	}
	return NULL;
}

/*
 * Report the first bad byte of [@p, @p + @size) at the loader's call
 * @caller, one frame up from @frame, with the size of the rest of the
 * range from there: what a write changes that it should not, which the
 * harness judges by (ASan's own memcpy() prints the whole range's size).
 * Return whether the range was bad (and the run goes on, since a report
 * that ends it never returns).  A write that goes on must be one that can
 * harm nothing but the loader's own memory, also when ASan did not report
 * it (the same call reported before).
 */
static bool report_bad_range(void *caller, void **frame, const void *p, size_t size,
			     bool write)
{
	void *bad = first_bad_byte(p, size);
	size_t rest;

	if (bad == UNMAPPED)
		return true; /* the copy faults there, as it would unchecked */
	if (bad == NULL)
		return false;
	rest = (uintptr_t)p + size - (uintptr_t)bad;
	/* The loader's frame pointer, saved by this function's caller on
	 * entry: ASan's stack then starts at the loader's call, then its
	 * caller, not at the call twice.  ASan reports a place (a program
	 * counter) once per process and class of run (fuzz/asan_pool.c): a
	 * copy's source and its destination are two places, the read at the
	 * call instruction's last byte (the same line), so that a bad source
	 * met after a bad destination is still reported. */
	judging = write && write_judge != NULL;
	__asan_report_error(write ? caller : (void *)((uintptr_t)caller - 1), frame[0], frame,
			    bad, write, rest);
	judging = false;
	if (write && write_judge != NULL)
		write_judge((uintptr_t)bad, rest);
	return true;
}

/**
 * loader_code_report_access() - a read or write the firmware makes in the
 * loader's memory, at the loader's call (fuzz/fw/loader_access.c).
 * @caller: the loader's return address from the service it called.
 * @at: the range.
 * @size: its bytes.
 * @write: whether the firmware is about to write it.
 *
 * Return: true if the range had a bad byte, was reported at @caller, and
 * the access may be made (a write that may not has ended the run).
 */
bool loader_code_report_access(const void *caller, const void *at, size_t size, bool write)
{
	return report_bad_range((void *)(uintptr_t)caller, __builtin_frame_address(0), at, size,
				write);
}

/* A copy's source and destination checked, reported at the loader's call
 * @caller; if either is bad (and the run goes on), the copy made byte by
 * byte.  Return whether it was made so. */
static bool copied_despite_bad_range(void *caller, void **frame, void *to, const void *from,
				     size_t size)
{
	bool bad = report_bad_range(caller, frame, from, size, false);

	bad |= report_bad_range(caller, frame, to, size, true);
	if (bad)
		move_bytes(to, from, size);
	return bad;
}

void *ebsfuzz_loader_memcpy(void *to, const void *from, size_t size)
{
	void *caller = __builtin_return_address(0), **frame = __builtin_frame_address(0);

	/* Nothing to copy: not a call of libc's with a NULL the loader may
	 * pass (ReactOS's RtlZeroMemory of an empty block), which UBSan
	 * reported here, in the harness, rather than at the loader's call. */
	if (size == 0)
		return to;
	fw_arena_wrote(to, size);
	if (wraps(to, size) || wraps(from, size)) {
		end_at_wrapping_range(caller, frame, size);
		return __asan_memcpy(to, from, size);
	}
	if (copied_despite_bad_range(caller, frame, to, from, size))
		return to;
	/* Overlapping ranges it found good: ASan's memcpy-param-overlap, and
	 * what ASan's memcpy() does after it. */
	if (to != from && (uintptr_t)to < (uintptr_t)from + size &&
	    (uintptr_t)from < (uintptr_t)to + size)
		return __asan_memcpy(to, from, size);
	return memcpy(to, from, size);
}

/* memmove() and memset() for the loader's call @caller, @frame the frame
 * of the function it called. */
static void move_for(void *caller, void **frame, void *to, const void *from, size_t size)
{
	if (size == 0)
		return; /* as ebsfuzz_loader_memcpy() */
	fw_arena_wrote(to, size);
	if (wraps(to, size) || wraps(from, size)) {
		end_at_wrapping_range(caller, frame, size);
		__asan_memmove(to, from, size);
	} else if (!copied_despite_bad_range(caller, frame, to, from, size)) {
		memmove(to, from, size);
	}
}

static void fill_for(void *caller, void **frame, void *to, int value, size_t size)
{
	if (size == 0)
		return; /* as ebsfuzz_loader_memcpy() */
	fw_arena_wrote(to, size);
	if (wraps(to, size)) {
		end_at_wrapping_range(caller, frame, size);
		__asan_memset(to, value, size);
	} else if (report_bad_range(caller, frame, to, size, true)) {
		fill_bytes(to, (uint8_t)value, size);
	} else {
		memset(to, value, size);
	}
}

void *ebsfuzz_loader_memmove(void *to, const void *from, size_t size)
{
	move_for(__builtin_return_address(0), __builtin_frame_address(0), to, from, size);
	return to;
}

void *ebsfuzz_loader_memset(void *to, int value, size_t size)
{
	fill_for(__builtin_return_address(0), __builtin_frame_address(0), to, value, size);
	return to;
}

/**
 * loader_code_move() - the firmware's CopyMem() for the loader's call
 * @caller: its memmove() (fuzz/fw/loader_access.c).
 * @caller: the loader's return address from CopyMem().
 * @to: the destination.
 * @from: the source.
 * @size: the bytes.
 */
void loader_code_move(const void *caller, void *to, const void *from, size_t size)
{
	move_for((void *)(uintptr_t)caller, __builtin_frame_address(0), to, from, size);
}

/**
 * loader_code_fill() - the firmware's SetMem() for the loader's call
 * @caller: its memset(), as loader_code_move().
 * @caller: the loader's return address from SetMem().
 * @to: the destination.
 * @value: the byte.
 * @size: the bytes.
 */
void loader_code_fill(const void *caller, void *to, uint8_t value, size_t size)
{
	fill_for((void *)(uintptr_t)caller, __builtin_frame_address(0), to, value, size);
}

/*
 * The loader's own ASan annotations (the GRUB port poisons the heap it
 * keeps in its statics, as ASan's allocator does its own): made when the
 * range could be memory the loader owns, left alone otherwise, as on a
 * real machine, where they do nothing.  A heap whose bookkeeping a bad
 * write of the loader's corrupted (a campaign lets a write into the
 * loader's own memory go on, fuzz/fw/arena.c) hands them any range: ASan
 * then stops the whole process on a check of its own (an end below the
 * start, an address outside memory), or gives gigabytes to the range's
 * shadow until libFuzzer's memory limit ends it.  The GRUB port's
 * 45-second campaigns lost 13 to 27 workers so, and up to 5 more at the
 * memory limit; 1 to 8 with this and OutputString() taking a string at
 * an odd address (fuzz/fw/misc.c), each a bad write inside vsnprintf(),
 * and none once those were checked at the loader's call (below).  A range
 * the loader could own does not wrap, lies in mapped pages, and is no
 * larger than ANNOTATION_MAX_BYTES.
 */
#define ANNOTATION_MAX_BYTES (128u * 1024u * 1024u) /* twice the largest block */

static bool could_be_loaders(const volatile void *addr, size_t size)
{
	size_t done;

	if (wraps((const void *)addr, size) || size > ANNOTATION_MAX_BYTES)
		return false;
	for (done = 0; done < size; done += RANGE_STEP)
		if (!mapped((const uint8_t *)addr + done,
			    size - done < RANGE_STEP ? size - done : RANGE_STEP))
			return false;
	return true;
}

void ebsfuzz_loader_asan_poison_memory_region(void const volatile *addr, size_t size)
{
	if (could_be_loaders(addr, size))
		__asan_poison_memory_region(addr, size);
}

void ebsfuzz_loader_asan_unpoison_memory_region(void const volatile *addr, size_t size)
{
	fw_arena_loader_unpoisoned();
	if (could_be_loaders(addr, size))
		__asan_unpoison_memory_region(addr, size);
}
#endif

/*
 * The loader's formatted writes: vsnprintf(), snprintf(), vsprintf() and
 * sprintf() (scripts/loader-code renames its calls), which ports of real
 * loaders use for their consoles.  ASan reports a bad write inside its own
 * vsnprintf(), at a place every caller shares, and the run ends there with
 * its worker (fuzz/sanitizer_reports.c: inside ASan's report nothing else
 * is safe): all 8 workers a 45-second campaign of the GRUB port lost ended
 * so, its printf buffer in memory its corrupted heap had poisoned.  Here
 * the bytes the call will write are counted first and checked at the
 * loader's call, as a copy's are; a bad range that may go on is written
 * through a buffer of the harness's.  In builds without ASan they are the
 * C library's.
 */
int ebsfuzz_loader_vsnprintf(char *to, size_t size, const char *format, va_list args);
int ebsfuzz_loader_snprintf(char *to, size_t size, const char *format, ...);
int ebsfuzz_loader_vsprintf(char *to, const char *format, va_list args);
int ebsfuzz_loader_sprintf(char *to, const char *format, ...);

/* The C library's call: bounded by @size, or not at all (vsprintf()). */
static int format_unchecked(char *to, size_t size, bool bounded, const char *format, va_list args)
{
	return bounded ? vsnprintf(to, size, format, args) : vsprintf(to, format, args);
}

static int format_at(void *caller, void **frame, char *to, size_t size, bool bounded,
		     const char *format, va_list args)
{
#ifdef EBSFUZZ_ASAN
	va_list count;
	size_t bytes;
	char *text;
	int n;

	va_copy(count, args);
	n = vsnprintf(NULL, 0, format, count);
	va_end(count);
	fw_arena_wrote(to, bounded ? size : n >= 0 ? (size_t)n + 1 : 0);
	if (n < 0 || (bounded && size == 0))
		return format_unchecked(to, size, bounded, format, args);
	bytes = !bounded || (size_t)n < size ? (size_t)n + 1 : size;
	if (wraps(to, bytes) || !report_bad_range(caller, frame, to, bytes, true) ||
	    (text = malloc(bytes)) == NULL)
		return format_unchecked(to, size, bounded, format, args);
	vsnprintf(text, bytes, format, args);
	move_bytes((volatile uint8_t *)to, (const volatile uint8_t *)text, bytes);
	free(text);
	return n;
#else
	(void)caller;
	(void)frame;
	return format_unchecked(to, size, bounded, format, args);
#endif
}

int ebsfuzz_loader_vsnprintf(char *to, size_t size, const char *format, va_list args)
{
	return format_at(__builtin_return_address(0), __builtin_frame_address(0), to, size, true,
			 format, args);
}

int ebsfuzz_loader_snprintf(char *to, size_t size, const char *format, ...)
{
	va_list args;
	int n;

	va_start(args, format);
	n = format_at(__builtin_return_address(0), __builtin_frame_address(0), to, size, true,
		      format, args);
	va_end(args);
	return n;
}

int ebsfuzz_loader_vsprintf(char *to, const char *format, va_list args)
{
	return format_at(__builtin_return_address(0), __builtin_frame_address(0), to, 0, false,
			 format, args);
}

int ebsfuzz_loader_sprintf(char *to, const char *format, ...)
{
	va_list args;
	int n;

	va_start(args, format);
	n = format_at(__builtin_return_address(0), __builtin_frame_address(0), to, 0, false,
		      format, args);
	va_end(args);
	return n;
}
