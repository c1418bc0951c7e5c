/* SPDX-License-Identifier: MIT */
/*
 * sanitizers.h - which sanitizer this object is built with, so that the
 * harness calls a sanitizer's interface only in builds that have it (a
 * reference to another's would make OSS-Fuzz's check_build see mixed
 * sanitizers).
 */
#ifndef EBSFUZZ_FUZZ_SANITIZERS_H
#define EBSFUZZ_FUZZ_SANITIZERS_H

#include <stdbool.h>
#include <stddef.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EBSFUZZ_ASAN 1
#endif
#if __has_feature(memory_sanitizer)
#define EBSFUZZ_MSAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(EBSFUZZ_ASAN)
#define EBSFUZZ_ASAN 1
#endif

/* Code a timer's signal runs, at whatever moment it lands in a run: its
 * edges would be coverage of the input under way one run and not the
 * next, which libFuzzer keeps inputs for (a 500-microsecond timer so made
 * libFuzzer keep slow inputs, and the hardened target ran a fifth as many
 * inputs per CPU second) and AFL++ counts against stability.  clang only
 * (SanitizerCoverage); gcc builds have no coverage. */
#if defined(__clang__)
#define NO_COVERAGE __attribute__((no_sanitize("coverage")))
#else
#define NO_COVERAGE
#endif

#ifdef EBSFUZZ_ASAN
void __asan_set_error_report_callback(void (*callback)(const char *));
void __asan_poison_memory_region(const volatile void *addr, size_t size);
void __asan_unpoison_memory_region(const volatile void *addr, size_t size);
void *__asan_region_is_poisoned(void *beg, size_t size);
#endif
/* Whether ASan finds every byte of [@p, @p + @bytes) addressable; in other
 * builds nothing checks an access, and the answer is yes.  The firmware
 * checks a loader buffer as a whole with it, then reads or writes it with
 * no check per access. */
static inline bool asan_range_addressable(const void *p, size_t bytes)
{
#ifdef EBSFUZZ_ASAN
	return __asan_region_is_poisoned((void *)(size_t)p, bytes) == NULL;
#else
	(void)p;
	(void)bytes;
	return true;
#endif
}

#ifdef EBSFUZZ_MSAN
void __msan_poison(const volatile void *addr, size_t size);
void __msan_unpoison(const volatile void *addr, size_t size);
#endif

#endif /* EBSFUZZ_FUZZ_SANITIZERS_H */
