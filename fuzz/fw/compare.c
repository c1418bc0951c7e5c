/* SPDX-License-Identifier: MIT */
/*
 * compare.c - the firmware's comparisons of bytes and texts of its own,
 * made here rather than by memcmp() and strcmp().
 *
 * Under libFuzzer the sanitizers' interceptors hand every memcmp() and
 * strcmp() that finds a difference during a run, whoever calls it, to
 * libFuzzer's tables of compared values, which its CMP mutations then
 * write into inputs
 * (https://llvm.org/docs/LibFuzzer.html, "-use_cmp"; the hooks are
 * __sanitizer_weak_hook_memcmp and __sanitizer_weak_hook_strcmp).  What
 * the firmware compares is its own: the tables it sums (whose pointers
 * differ from one process to the next), the GUIDs it knows, the texts of
 * its reasons.  No input holds any of it, so the search has nothing to
 * learn from it.  The system table's bytes, pointers and all, came back
 * as dictionary entries in the mutations of an OSS-Fuzz build, and two
 * campaigns with the same -seed went different ways unless address-space
 * randomisation was off (setarch -R).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"

/* Without it clang may turn the loops back into calls (gcc has no such
 * attribute, and its builds have no libFuzzer). */
#if defined(__clang__)
#define NOT_A_LIBRARY_COMPARE __attribute__((no_builtin("memcmp", "bcmp", "strcmp")))
#else
#define NOT_A_LIBRARY_COMPARE
#endif

/**
 * fw_same_bytes() - whether @n bytes at @a and at @b are the same.
 * @a: the firmware's bytes, or a copy of the loader's.
 * @b: likewise.
 * @n: how many.
 *
 * Return: true if every byte is equal.
 */
NOT_A_LIBRARY_COMPARE bool fw_same_bytes(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;

	for (; n >= sizeof(uint64_t); n -= sizeof(uint64_t)) {
		uint64_t u, v;

		memcpy(&u, x, sizeof(u));
		memcpy(&v, y, sizeof(v));
		if (u != v)
			return false;
		x += sizeof(u);
		y += sizeof(v);
	}
	for (; n > 0; n--)
		if (*x++ != *y++)
			return false;
	return true;
}

/**
 * fw_same_text() - whether two NUL-terminated texts are the same.
 * @a: one.
 * @b: the other.
 *
 * Return: true if they are equal.
 */
NOT_A_LIBRARY_COMPARE bool fw_same_text(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}
