/* SPDX-License-Identifier: MIT */
/*
 * statics.c - before every run, give the loader its writable static data
 * as it was at load time.
 *
 * Real loaders keep state in statics: GRUB's map buffer and size are file
 * statics, Linux v4.8's exit callback has a function-local "static bool
 * first".  In one fuzzing process every input after the first would run
 * against the previous input's statics, which is neither a fresh boot nor
 * the same run twice (AFL++ reports it as instability).  scripts/loader-
 * statics gathers the writable data sections of the loader's objects into
 * ebsfuzz_loader_data and ebsfuzz_loader_bss, which the linker brackets
 * with __start_ and __stop_ symbols: the first run keeps a copy of the
 * first, every run puts it back and zeroes the second.  A loader built
 * without that step (the hardened loader has no statics) has neither
 * section, and nothing happens.
 *
 * The copies run uninstrumented: ASan keeps redzones between instrumented
 * globals, and its interceptors would call touching them an overflow.
 * Zeroed pages of a large bss (the models' static heaps) are handed back
 * to the kernel rather than written, so that a 5 MiB arena costs nothing
 * when the loader touched none of it.
 *
 * Since every run starts them afresh, a bad write of the loader's that
 * lands in its zero-initialised statics harms nothing else, and the
 * findings campaign lets the run go on (loader_statics_take_stray_write()).
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sanitizers.h"
#include "statics.h"

extern char __start_ebsfuzz_loader_data[] __attribute__((weak));
extern char __stop_ebsfuzz_loader_data[] __attribute__((weak));
extern char __start_ebsfuzz_loader_bss[] __attribute__((weak));
extern char __stop_ebsfuzz_loader_bss[] __attribute__((weak));
/* The end of the executable's data, from the linker. */
extern char _end[] __attribute__((weak));


#if defined(__clang__)
#define UNINSTRUMENTED                                                                         \
	__attribute__((no_sanitize("address", "memory"), no_builtin("memcpy"),                 \
		       no_builtin("memset")))
#else
#define UNINSTRUMENTED __attribute__((no_sanitize("address")))
#endif

static char *load_time_data;
static int snapshot_taken;
/* Set once a bad write into the loader's bss went on. */
static int bss_tail_written;

static UNINSTRUMENTED void copy_bytes(volatile char *dst, const char *src, size_t n)
{
	while (n--)
		*dst++ = *src++;
}

static UNINSTRUMENTED void zero_bytes(volatile char *dst, size_t n)
{
	while (n--)
		*dst++ = 0;
}

/* The end of the page @p lies in. */
static char *page_end(char *p)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);

	return (char *)(((uintptr_t)p + page - 1) & ~(page - 1));
}

/* Zero [start, end): whole pages by handing them back (they come back as
 * zero-filled pages on the next touch), the edges by hand. */
static void zero_range(char *start, char *end)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t first = ((uintptr_t)start + page - 1) & ~(page - 1);
	uintptr_t last = (uintptr_t)end & ~(page - 1);

	if (last > first && madvise((void *)first, last - first, MADV_DONTNEED) == 0) {
		zero_bytes(start, (size_t)(first - (uintptr_t)start));
		zero_bytes((char *)last, (size_t)((uintptr_t)end - last));
	} else {
		zero_bytes(start, (size_t)(end - start));
	}
#ifdef EBSFUZZ_MSAN
	__msan_unpoison(start, (size_t)(end - start));
#endif
}

/**
 * loader_statics_restore() - the loader's statics as at load time.
 *
 * Call before every run; the first call takes the copy.
 */
void loader_statics_restore(void)
{
	size_t data = (size_t)(__stop_ebsfuzz_loader_data - __start_ebsfuzz_loader_data);

	if (__start_ebsfuzz_loader_data != NULL && data > 0) {
		if (!snapshot_taken) {
			load_time_data = malloc(data);
			if (load_time_data == NULL)
				abort();
			copy_bytes(load_time_data, __start_ebsfuzz_loader_data, data);
		} else {
			copy_bytes(__start_ebsfuzz_loader_data, load_time_data, data);
#ifdef EBSFUZZ_MSAN
			__msan_unpoison(__start_ebsfuzz_loader_data, data);
#endif
		}
	}
	if (__start_ebsfuzz_loader_bss != NULL && snapshot_taken)
		zero_range(__start_ebsfuzz_loader_bss, __stop_ebsfuzz_loader_bss);
	if (bss_tail_written)
		zero_range(__stop_ebsfuzz_loader_bss, page_end(__stop_ebsfuzz_loader_bss));
	snapshot_taken = 1;
}

/**
 * loader_statics_past_end() - whether an address lies just past the
 * executable, where a write running on past the loader's zero-initialised
 * statics faults (loader_statics_take_stray_write()).
 * @addr: a faulting address.
 *
 * Return: true within 64 KiB of the end of the executable's last page,
 * when the loader's bss ends the executable.
 */
bool loader_statics_past_end(uintptr_t addr)
{
	uintptr_t end;

	if (__start_ebsfuzz_loader_bss == NULL || _end == NULL ||
	    (uintptr_t)__stop_ebsfuzz_loader_bss != (uintptr_t)_end)
		return false;
	end = (uintptr_t)page_end(__stop_ebsfuzz_loader_bss);
	return addr >= end && addr - end < 64 * 1024;
}

/**
 * loader_statics_take_stray_write() - a bad write of the loader's that
 * lies wholly in its zero-initialised statics: note it, so that the run
 * can go on.
 * @addr: the first byte ASan reported.
 * @size: the access's size (a copy's or fill's whole range).
 *
 * It changed only the loader's own statics, which the next run starts
 * from zero again (loader_statics_restore()): Linux 3.11's e820 table
 * running past its boot_params, GRUB's heap with the pages it has not
 * handed out poisoned.  Only when these statics are the last thing in the
 * executable (the linker puts them after everything else, as sections of
 * their own): then the same code writing on unreported (ASan reports a
 * place once) runs past the end of the executable's page and faults,
 * rather than into the harness's own data.  What it leaves in that last
 * page is zeroed at every run from then on.  The loader's initialised
 * data is followed by the harness's, so a write there ends the run.
 *
 * Return: true if the write lies wholly in ebsfuzz_loader_bss, which ends
 * the executable.
 */
bool loader_statics_take_stray_write(uintptr_t addr, size_t size)
{
	uintptr_t start = (uintptr_t)__start_ebsfuzz_loader_bss;
	uintptr_t stop = (uintptr_t)__stop_ebsfuzz_loader_bss;
	unsigned char resident;

	if (__start_ebsfuzz_loader_bss == NULL || _end == NULL || stop != (uintptr_t)_end ||
	    size == 0 || addr < start || addr >= stop || size > stop - addr)
		return false;
	/* Nothing mapped right after the executable (a heap grown with brk()
	 * could be, without address randomisation). */
	if (mincore(page_end(__stop_ebsfuzz_loader_bss), 1, &resident) == 0 || errno != ENOMEM)
		return false;
	bss_tail_written = 1;
	return true;
}
