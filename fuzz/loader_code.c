/* SPDX-License-Identifier: MIT */
/*
 * loader_code.c - the loader's code as scripts/loader-code leaves it:
 * where it lies, and its copies and fills, checked by ASan at its own call.
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
 * access of the loader's own code is.  And since the firmware or the C
 * library share their place with every caller, a report raised there ends
 * the run (fuzz/sanitizer_reports.c); loader_code_contains() tells them
 * apart.
 *
 * Only ASan builds have the calls to rename; everything here is empty in
 * the others.
 */
#include <stdint.h>
#include <string.h>

#include "findings_internal.h"
#include "loader_code.h"
#include "sanitizers.h"

extern char __start_ebsfuzz_loader_text[] __attribute__((weak));
extern char __stop_ebsfuzz_loader_text[] __attribute__((weak));

/**
 * loader_code_contains() - whether an address lies in the loader's code.
 * @pc: a code address (a report's "at pc").
 *
 * Return: true inside ebsfuzz_loader_text; false outside it, and always
 * when the loader was not built through scripts/loader-code (the hardened
 * loader, a loader linked with the library), where nothing can tell.
 */
bool loader_code_contains(uintptr_t pc)
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

#define UNCHECKED __attribute__((no_sanitize("address"), noinline))

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
 * reports it (negative-size-param), fatally, as it always did. */
static bool wraps(const void *p, size_t size)
{
	return (uintptr_t)p + size < (uintptr_t)p;
}

/*
 * Report the first bad byte of [@p, @p + @size) at the loader's call
 * @caller, one frame up from @frame; ASan prints the range's size, as its
 * own memcpy() does.  Return whether the range was bad (and the run goes
 * on, since a report that ends it never returns).  A write that goes on
 * must be one that can harm nothing but the loader's own memory, also
 * when ASan did not report it (the same call reported before).
 */
static bool report_bad_range(void *caller, void **frame, const void *p, size_t size,
			     bool write)
{
	void *bad = size != 0 ? __asan_region_is_poisoned((void *)(uintptr_t)p, size) : NULL;

	if (bad == NULL)
		return false;
	/* The loader's frame pointer, saved by this function's caller on
	 * entry: ASan's stack then starts at the loader's call, then its
	 * caller, not at the call twice. */
	__asan_report_error(caller, frame[0], frame, bad, write, size);
	if (write)
		sanitizer_reports_write_went_on((uintptr_t)bad, size);
	return true;
}

/**
 * loader_code_report_write() - a write the firmware makes into the
 * loader's buffer, at the loader's call (fuzz/fw/loader_writes.c).
 * @caller: the loader's return address from the service it called.
 * @to: the buffer.
 * @size: the bytes to be written.
 *
 * Return: true if the range had a bad byte, was reported at @caller, and
 * the write may be made (one that may not has ended the run).
 */
bool loader_code_report_write(const void *caller, void *to, size_t size)
{
	return report_bad_range((void *)(uintptr_t)caller, __builtin_frame_address(0), to, size,
				true);
}

void *ebsfuzz_loader_memcpy(void *to, const void *from, size_t size)
{
	void *caller = __builtin_return_address(0), **frame = __builtin_frame_address(0);
	bool bad;

	/* Overlapping ranges (memcpy-param-overlap) and wrapping ones: ASan's
	 * own report, which ends the process. */
	if (wraps(to, size) || wraps(from, size) ||
	    (to != from && (uintptr_t)to < (uintptr_t)from + size &&
	     (uintptr_t)from < (uintptr_t)to + size))
		return __asan_memcpy(to, from, size);
	bad = report_bad_range(caller, frame, from, size, false);
	bad |= report_bad_range(caller, frame, to, size, true);
	if (bad)
		move_bytes(to, from, size);
	else
		memcpy(to, from, size);
	return to;
}

void *ebsfuzz_loader_memmove(void *to, const void *from, size_t size)
{
	void *caller = __builtin_return_address(0), **frame = __builtin_frame_address(0);
	bool bad;

	if (wraps(to, size) || wraps(from, size))
		return __asan_memmove(to, from, size);
	bad = report_bad_range(caller, frame, from, size, false);
	bad |= report_bad_range(caller, frame, to, size, true);
	if (bad)
		move_bytes(to, from, size);
	else
		memmove(to, from, size);
	return to;
}

void *ebsfuzz_loader_memset(void *to, int value, size_t size)
{
	void *caller = __builtin_return_address(0), **frame = __builtin_frame_address(0);

	if (wraps(to, size))
		return __asan_memset(to, value, size);
	if (report_bad_range(caller, frame, to, size, true))
		fill_bytes(to, (uint8_t)value, size);
	else
		memset(to, value, size);
	return to;
}
#endif
