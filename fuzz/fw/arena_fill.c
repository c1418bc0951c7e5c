/* SPDX-License-Identifier: MIT */
/*
 * arena_fill.c - the bytes a block from the arena (arena.c) starts with,
 * written as cheaply as the memory allows.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../sanitizers.h"
#include "internal.h"

#ifdef EBSFUZZ_ASAN
/* Bytes compared or stored at a time, as one value: the compiler moves
 * them with the widest loads and stores the function's target has. */
typedef uint64_t refill_lanes __attribute__((vector_size(64)));
#define REFILL_CHUNK EFI_PAGE_SIZE
#define UNCHECKED_FILL __attribute__((no_sanitize("address", "undefined"), no_builtin("memset")))

/*
 * fw_arena_refill() - make the @bytes at @p (a block arena.c just
 * unpoisoned) all @byte.
 *
 * Why not memset(): most of what a run's blocks span already holds the
 * bytes the last run's block there was given, since most of it nobody
 * wrote: 83% of the pages zeroed beyond a block's first 4 KiB were never
 * touched again (5.67 M of 6.80 M in 129,047 runs fuzzing the hardened
 * loader from the seeds, counted in an instrumented build), while the
 * zeroing was a third of a fuzzing run's CPU time (perf).  The reads are
 * what this costs now: the pages are rarely in the nearest caches, so it
 * saves less than the count suggests (README "Benchmarks").  Reading a page is cheaper
 * than writing it (two loads a cycle against one store, and a page read
 * stays clean in the cache), so each 4 KiB is read first and written only
 * if a byte differs; the bytes are the same either way.
 *
 * Not instrumented and not through memset() (no_builtin: the compiler
 * would turn the store loop into a call): ASan's memset checks the range
 * first, a scan of the block's shadow that can find nothing here, 1.6% of
 * a fuzzing run once (perf); the loader's own accesses are checked where
 * they happen.  One copy per vector width, picked by the CPU: at the
 * build's baseline (SSE2) the reads are slower than glibc's memset writes.
 */
UNCHECKED_FILL __attribute__((always_inline)) static inline void
refill_body(uint8_t *p, size_t bytes, uint8_t byte)
{
	uint64_t word = 0x0101010101010101ull * byte;
	refill_lanes want = { word, word, word, word, word, word, word, word };

	while (bytes > 0) {
		size_t chunk = bytes < REFILL_CHUNK ? bytes : REFILL_CHUNK;
		size_t lanes = chunk / sizeof(refill_lanes), k;
		/* Four apart, so that no read waits on the one before. */
		refill_lanes d0 = { 0 }, d1 = { 0 }, d2 = { 0 }, d3 = { 0 }, v0, v1, v2, v3;
		uint64_t any;

		for (k = 0; k + 4 <= lanes; k += 4) {
			__builtin_memcpy(&v0, p + k * sizeof(v0), sizeof(v0));
			__builtin_memcpy(&v1, p + (k + 1) * sizeof(v0), sizeof(v0));
			__builtin_memcpy(&v2, p + (k + 2) * sizeof(v0), sizeof(v0));
			__builtin_memcpy(&v3, p + (k + 3) * sizeof(v0), sizeof(v0));
			d0 |= v0 ^ want;
			d1 |= v1 ^ want;
			d2 |= v2 ^ want;
			d3 |= v3 ^ want;
		}
		for (; k < lanes; k++) {
			__builtin_memcpy(&v0, p + k * sizeof(v0), sizeof(v0));
			d0 |= v0 ^ want;
		}
		/* Folded in halves, in registers: read lane by lane from memory,
		 * the 64 bytes just stored stall every read (perf: a quarter of
		 * this function's time). */
		d0 |= d1 | d2 | d3;
		d0 |= __builtin_shufflevector(d0, d0, 4, 5, 6, 7, 0, 1, 2, 3);
		d0 |= __builtin_shufflevector(d0, d0, 2, 3, 0, 1, 6, 7, 4, 5);
		d0 |= __builtin_shufflevector(d0, d0, 1, 0, 3, 2, 5, 4, 7, 6);
		any = d0[0];
		if (any != 0)
			for (k = 0; k < lanes; k++)
				__builtin_memcpy(p + k * sizeof(want), &want, sizeof(want));
		for (k = lanes * sizeof(refill_lanes); k < chunk; k++)
			p[k] = byte;
		p += chunk;
		bytes -= chunk;
	}
}

/* fw_arena_fill(): the stores alone, for bytes known to differ (lines
 * something wrote, arena_written.c). */
UNCHECKED_FILL __attribute__((always_inline)) static inline void
fill_body(uint8_t *p, size_t bytes, uint8_t byte)
{
	uint64_t word = 0x0101010101010101ull * byte;
	refill_lanes want = { word, word, word, word, word, word, word, word };
	size_t lanes = bytes / sizeof(refill_lanes), k;

	for (k = 0; k < lanes; k++)
		__builtin_memcpy(p + k * sizeof(want), &want, sizeof(want));
	for (k = lanes * sizeof(refill_lanes); k < bytes; k++)
		p[k] = byte;
}

/* NAME_avx512, NAME_avx2 and NAME_baseline: @body compiled for each
 * vector width, the CPU picking one (pick_copies()). */
#define PER_WIDTH(name, body)                                                                  \
	UNCHECKED_FILL __attribute__((target("avx512bw"))) static void name##_avx512(          \
		uint8_t *p, size_t bytes, uint8_t byte)                                        \
	{                                                                                      \
		body(p, bytes, byte);                                                          \
	}                                                                                      \
	UNCHECKED_FILL __attribute__((target("avx2"))) static void name##_avx2(               \
		uint8_t *p, size_t bytes, uint8_t byte)                                        \
	{                                                                                      \
		body(p, bytes, byte);                                                          \
	}                                                                                      \
	UNCHECKED_FILL static void name##_baseline(uint8_t *p, size_t bytes, uint8_t byte)     \
	{                                                                                      \
		body(p, bytes, byte);                                                          \
	}

PER_WIDTH(refill, refill_body)
PER_WIDTH(fill, fill_body)

/* The copies fw_arena_refill() and fw_arena_fill() use: by the CPU, or as
 * fw_arena_fill_width() says. */
static void (*refill_copy)(uint8_t *, size_t, uint8_t);
static void (*fill_copy)(uint8_t *, size_t, uint8_t);

static void pick_copies(unsigned bits)
{
	if (bits == 0)
		bits = __builtin_cpu_supports("avx512bw") ? 512
		       : __builtin_cpu_supports("avx2")   ? 256
							  : 128;
	refill_copy = bits == 512 ? refill_avx512 : bits == 256 ? refill_avx2 : refill_baseline;
	fill_copy = bits == 512 ? fill_avx512 : bits == 256 ? fill_avx2 : fill_baseline;
}

void fw_arena_refill(uint8_t *p, size_t bytes, uint8_t byte)
{
	if (refill_copy == NULL)
		pick_copies(0);
	refill_copy(p, bytes, byte);
}

/**
 * fw_arena_fill() - make the @bytes at @p all @byte, without reading them
 * first: for bytes that something wrote (arena_written.c).
 */
void fw_arena_fill(uint8_t *p, size_t bytes, uint8_t byte)
{
	if (fill_copy == NULL)
		pick_copies(0);
	fill_copy(p, bytes, byte);
}
#endif

/**
 * fw_arena_fill_width() - which copies of fw_arena_refill() and
 * fw_arena_fill() fill blocks from now on, for the tests that check each
 * one this CPU can run.
 * @bits: 512, 256, 128 (the baseline), or 0: the widest the CPU has.
 *
 * Return: false if this CPU cannot run that copy, or the build has no arena.
 */
bool fw_arena_fill_width(unsigned bits)
{
#ifdef EBSFUZZ_ASAN
	if ((bits == 512 && !__builtin_cpu_supports("avx512bw")) ||
	    (bits == 256 && !__builtin_cpu_supports("avx2")) ||
	    (bits != 0 && bits != 128 && bits != 256 && bits != 512))
		return false;
	pick_copies(bits);
	return true;
#else
	(void)bits;
	return false;
#endif
}

