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
 */
#define _DEFAULT_SOURCE
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


#if defined(__clang__)
#define UNINSTRUMENTED                                                                         \
	__attribute__((no_sanitize("address", "memory"), no_builtin("memcpy"),                 \
		       no_builtin("memset")))
#else
#define UNINSTRUMENTED __attribute__((no_sanitize("address")))
#endif

static char *load_time_data;
static int snapshot_taken;

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
	snapshot_taken = 1;
}
