/* SPDX-License-Identifier: MIT */
/*
 * arena_written.c - which 64-byte lines of the arena (arena.c) anything
 * may have written since they were last zeroed, so that handing out a
 * block costs what its earlier users wrote, not every byte it spans.
 *
 * Why: a block beyond its first 4 KiB must read as zeros, run after run
 * (arena.c), and arena_fill.c made sure of it by reading every byte it
 * hands out.  Fuzzing the hardened loader from the seeds, that reading
 * was 40% of the CPU time (51,000 executions per CPU second with it,
 * 85,000 without, same binary and seed), and 85% of the bytes read were
 * in runs with a DescriptorSize above 1280 bytes (13% of the runs, counted
 * in an instrumented build: map buffers of MiBs, most of whose pages
 * nothing wrote).
 *
 * How: a line is "written" from the moment anything may have stored to
 * it until it is zeroed whole again (a line, not a page: GetMemoryMap()
 * at a stride of 2048 bytes writes 40 of every 2048).  Every writer says so:
 * - the loader's own code: in the libFuzzer builds its objects are
 *   compiled with -fsanitize-coverage=trace-stores (Makefile,
 *   fuzz/loader-build.mk), which calls __sanitizer_cov_storeN() below
 *   before each of its stores
 *   (https://clang.llvm.org/docs/SanitizerCoverage.html, "Tracing data
 *   flow");
 * - its copies, fills and formats (fuzz/loader_code.c), its heap's
 *   calloc() and realloc() (fuzz/loader_heap.c), the firmware's writes
 *   through its pointers (loader_access.c) and GetMemoryMap()'s map
 *   (getmap.c): fw_arena_wrote();
 * - a block's first 4 KiB, filled as ASan's malloc would (arena.c).
 * A line no writer named is zero, and fw_written_zero() skips it.
 *
 * What could still write unseen: inline assembly, a C library call of the
 * loader's that writes (strcpy()), code built without the flag.  So one
 * 4 KiB piece in FW_WRITTEN_CHECK_EVERY (256) with no line believed
 * written is read anyway; a byte that is not zero ends the trust for the
 * rest of the process (every block is read as before, and stderr says
 * why, once).  EBSFUZZ_CHECK_WRITES=1 reads every such piece and aborts at
 * the first that is not zero: make test runs the shipped inputs so
 * (test-arena-writes).
 *
 * Builds whose loader is not compiled with the flag (replay, AFL++,
 * OSS-Fuzz's but its libFuzzer builds with ASan, a target of a loader
 * project's own on build/libebsfuzz.a) trust no line: only the libFuzzer
 * builds link fuzz/loader_stores.c (fuzz/ossfuzz.mk too), which defines
 * the callbacks and ebsfuzz_loader_stores_traced.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sanitizers.h"
#include "internal.h"

/* One 4 KiB piece in this many that is believed zero is read to make
 * sure: reading it from memory costs about what zeroing it would, and an
 * unseen writer writes more than one piece. */
#define FW_WRITTEN_CHECK_EVERY 256u
#define WORD_BITS 64u

struct fw_written_lines fw_written[FW_ARENA_COUNT];
uintptr_t fw_written_last_line = UINTPTR_MAX, fw_written_inside_page = UINTPTR_MAX,
	  fw_written_outside_page = UINTPTR_MAX;
unsigned fw_written_inside_id;

#ifdef EBSFUZZ_ASAN
/* Defined where the loader's stores are traced (fuzz/loader_stores.c). */
extern const bool ebsfuzz_loader_stores_traced __attribute__((weak));
/* Whether lines nobody named are taken to be zero; unset: as the build says. */
static enum { TRUST_UNSET, TRUST_YES, TRUST_NO } trust;
/* Read one piece in this many of those believed zero; 0: none. */
static unsigned check_period = FW_WRITTEN_CHECK_EVERY;
static int abort_on_unseen = -1; /* EBSFUZZ_CHECK_WRITES=1, read once */
static unsigned pieces_since_check;

/* The bits of word @k for the lines [@first, @last] (line numbers). */
static inline uint64_t lines_in_word(size_t k, size_t first, size_t last)
{
	size_t lo = first > k * WORD_BITS ? first - k * WORD_BITS : 0;
	size_t hi = last < k * WORD_BITS + WORD_BITS - 1 ? last - k * WORD_BITS : WORD_BITS - 1;

	return (UINT64_MAX >> (WORD_BITS - 1 - hi)) & (UINT64_MAX << lo);
}

/* [@addr, @addr + @size) may have been written: the lines it shares with
 * @w's tracked range (a write may start below it: the fake machine's RAM
 * ends where the arena below 4 GiB begins). */
__attribute__((no_sanitize("address"))) static void mark(struct fw_written_lines *w,
							   uintptr_t addr, size_t size)
{
	uintptr_t base = w->base, last_byte, first, last;
	size_t k;

	if (base == 0 || size == 0)
		return;
	last_byte = size - 1 <= UINTPTR_MAX - addr ? addr + (size - 1) : UINTPTR_MAX;
	if (last_byte < base || (addr >= base && addr - base >= FW_ARENA_KEPT_BYTES))
		return;
	first = (addr < base ? 0 : addr - base) / FW_ARENA_LINE_BYTES;
	last = (last_byte - base < FW_ARENA_KEPT_BYTES ? last_byte - base
						       : FW_ARENA_KEPT_BYTES - 1) /
	       FW_ARENA_LINE_BYTES;
	for (k = first / WORD_BITS; k <= last / WORD_BITS; k++)
		w->written[k] |= lines_in_word(k, first, last);
}
#endif

/**
 * fw_arena_wrote() - bytes of the arena's may have been written.
 * @p: the first byte, anywhere (outside the arena it is ignored).
 * @size: how many.
 */
void fw_arena_wrote(const void *p, size_t size)
{
#ifdef EBSFUZZ_ASAN
	unsigned id;

	for (id = 0; id < FW_ARENA_COUNT; id++)
		mark(&fw_written[id], (uintptr_t)p, size);
#else
	(void)p;
	(void)size;
#endif
}

/**
 * fw_arena_wrote_each() - @count items of @size bytes (at most a line
 * each), @stride bytes apart from @p, may have been written: one search
 * for the range they lie in rather than one per item (GetMemoryMap()'s
 * descriptors, hundreds at a call).
 */
FW_WRITTEN_UNCHECKED void fw_arena_wrote_each(const void *p, size_t count, size_t stride,
					      size_t size)
{
#ifdef EBSFUZZ_ASAN
	uintptr_t addr = (uintptr_t)p;
	unsigned id;
	size_t i;

	if (count == 0 || size == 0)
		return;
	for (id = 0; id < FW_ARENA_COUNT; id++) {
		uintptr_t off = addr - fw_written[id].base;

		if (fw_written[id].base == 0 || size > FW_ARENA_LINE_BYTES ||
		    off > FW_ARENA_KEPT_BYTES - size || stride == 0 ||
		    count - 1 > (FW_ARENA_KEPT_BYTES - size - off) / stride)
			continue;
		/* Gaps between the items shorter than a line: every line from
		 * the first item's to the last's holds a byte of one, and the
		 * range is marked a word of lines at a time (48-byte
		 * descriptors: a word for 85 of them). */
		if (stride >= size && stride - size < FW_ARENA_LINE_BYTES) {
			mark(&fw_written[id], addr, (count - 1) * stride + size);
			return;
		}
		for (i = 0; i < count; i++, off += stride)
			fw_written_mark(id, off, size);
		return;
	}
	/* Not wholly inside one range: item by item. */
	for (i = 0; i < count; i++)
		fw_arena_wrote((const uint8_t *)p + i * stride, size);
#else
	(void)p;
	(void)count;
	(void)stride;
	(void)size;
#endif
}

/**
 * fw_written_arena() - arena @id is reserved at @base: its lines are
 * zero (fresh), none written.
 */
void fw_written_arena(unsigned id, uint8_t *base)
{
#ifdef EBSFUZZ_ASAN
	fw_written[id].base = (uintptr_t)base;
	fw_written_last_line = UINTPTR_MAX;
	fw_written_inside_page = UINTPTR_MAX;
	fw_written_outside_page = UINTPTR_MAX;
#else
	(void)id;
	(void)base;
#endif
}

#ifdef EBSFUZZ_ASAN
/* The first byte of [@p, @p + @bytes) that is not zero, or NULL: eight
 * bytes at a time, unchecked (the block is live). */
__attribute__((no_sanitize("address"))) static const uint8_t *first_nonzero(const uint8_t *p,
									    size_t bytes)
{
	size_t i = 0;
	uint64_t any = 0, word;

	for (; i + sizeof(word) <= bytes; i += sizeof(word)) {
		__builtin_memcpy(&word, p + i, sizeof(word));
		any |= word;
	}
	for (; i < bytes; i++)
		any |= p[i];
	if (any == 0)
		return NULL;
	for (i = 0; p[i] == 0; i++)
		;
	return p + i;
}

/* A piece believed zero is not: some writer went unseen. */
static void unseen_write(const uint8_t *at)
{
	if (abort_on_unseen == 1) {
		fprintf(stderr, "ebsfuzz: a write into the loader's memory at %p went unseen "
				"(arena_written.c); EBSFUZZ_CHECK_WRITES=1 stops here\n",
			(const void *)at);
		abort();
	}
	fprintf(stderr, "ebsfuzz: a write into the loader's memory at %p went unseen (inline "
			"assembly, a C library call, code built without trace-stores?): every "
			"block is read as it is handed out from now on\n",
		(const void *)at);
	trust = TRUST_NO;
}

static bool trusted(void)
{
	if (trust == TRUST_UNSET)
		trust = &ebsfuzz_loader_stores_traced != NULL ? TRUST_YES : TRUST_NO;
	return trust == TRUST_YES;
}

/* Whether to read the next piece believed zero, to make sure. */
static bool check_this_piece(void)
{
	if (abort_on_unseen < 0) {
		const char *v = getenv("EBSFUZZ_CHECK_WRITES");

		abort_on_unseen = v != NULL && v[0] == '1';
		if (abort_on_unseen)
			check_period = 1;
	}
	if (check_period != 0 && ++pieces_since_check >= check_period) {
		pieces_since_check = 0;
		return true;
	}
	return false;
}
#endif

#ifdef EBSFUZZ_ASAN
/* Zero [@off, @end) of @w's tracked range, writing only the lines some
 * writer may have written since they were last zeroed whole: a word of
 * the table (64 lines, 4 KiB) at a time, whole when all its lines in the
 * range were written. */
static void zero_written(struct fw_written_lines *w, size_t off, size_t end)
{
	const size_t chunk_bytes = WORD_BITS * FW_ARENA_LINE_BYTES;

	while (off < end) {
		size_t k = off / chunk_bytes, next = (k + 1) * chunk_bytes;
		size_t stop = next < end ? next : end;
		size_t first = off / FW_ARENA_LINE_BYTES, last = (stop - 1) / FW_ARENA_LINE_BYTES;
		uint64_t in_range = lines_in_word(k, first, last), bits = w->written[k] & in_range;
		uint8_t *p = (uint8_t *)(w->base + off);
		const uint8_t *bad;
		uint64_t whole;

		if (trust != TRUST_YES) {
			fw_arena_refill(p, stop - off, 0);
			off = stop;
			continue;
		}
		if (bits == 0) {
			/* Believed zero: read one piece in so many anyway. */
			if (check_this_piece() && (bad = first_nonzero(p, stop - off)) != NULL) {
				unseen_write(bad);
				fw_arena_refill(p, stop - off, 0);
			}
			off = stop;
			continue;
		}
		if (bits == in_range) {
			fw_arena_fill(p, stop - off, 0);
		} else {
			uint64_t left = bits;

			while (left != 0) {
				size_t line = k * WORD_BITS + (size_t)__builtin_ctzll(left);
				size_t from = line * FW_ARENA_LINE_BYTES;
				size_t to = from + FW_ARENA_LINE_BYTES;

				from = from > off ? from : off;
				to = to < stop ? to : stop;

				fw_arena_fill((uint8_t *)(w->base + from), to - from, 0);
				left &= left - 1;
			}
		}
		/* Unmarked only the lines the range covers whole. */
		whole = bits;
		if (off % FW_ARENA_LINE_BYTES != 0)
			whole &= ~(1ull << (first % WORD_BITS));
		if (stop % FW_ARENA_LINE_BYTES != 0)
			whole &= ~(1ull << (last % WORD_BITS));
		w->written[k] &= ~whole;
		fw_written_last_line = UINTPTR_MAX;
		off = stop;
	}
}
#endif

/**
 * fw_written_zero() - make [@from, @from + @bytes) of arena @id zero,
 * writing only the lines some writer may have written since they were
 * last zeroed whole.
 * @id: the arena.
 * @from: page-aligned, inside its tracked range.
 * @bytes: as many as lie inside it.
 */
void fw_written_zero(unsigned id, uint8_t *from, size_t bytes)
{
#ifdef EBSFUZZ_ASAN
	struct fw_written_lines *w = &fw_written[id];
	size_t off = (size_t)((uintptr_t)from - w->base);

	if (!trusted())
		fw_arena_refill(from, bytes, 0);
	else
		zero_written(w, off, off + bytes);
#else
	(void)id;
	(void)from;
	(void)bytes;
#endif
}

/**
 * fw_arena_zero() - zero the loader's bytes [@p, @p + @bytes), every one
 * of them addressable (the caller has checked), skipping the arena's
 * lines that nothing wrote since they were last zeroed whole:
 * GetMemoryMap()'s padding beyond each descriptor (getmap.c), which at a
 * DescriptorSize of 2048 is nearly all of a map of MiBs, and whose buffer
 * is often a block just handed out.
 */
void fw_arena_zero(uint8_t *p, size_t bytes)
{
#ifdef EBSFUZZ_ASAN
	unsigned id;

	for (id = 0; id < FW_ARENA_COUNT && trusted(); id++) {
		struct fw_written_lines *w = &fw_written[id];
		uintptr_t off = (uintptr_t)p - w->base;
		size_t inside;

		if (w->base == 0 || off >= FW_ARENA_KEPT_BYTES)
			continue;
		inside = bytes < FW_ARENA_KEPT_BYTES - off ? bytes : FW_ARENA_KEPT_BYTES - off;
		zero_written(w, off, off + inside);
		if (inside < bytes)
			fw_arena_fill(p + inside, bytes - inside, 0);
		return;
	}
	fw_arena_fill(p, bytes, 0);
#else
	memset(p, 0, bytes);
#endif
}

/**
 * fw_arena_trust_writes() - whether lines no writer named are taken to be
 * zero from now on (for the tests; the libFuzzer builds start trusting,
 * the others not, and an unseen write ends it).
 * @on: from now on.
 *
 * Return: whether they were until now; false in builds without the arena.
 */
bool fw_arena_trust_writes(bool on)
{
#ifdef EBSFUZZ_ASAN
	bool was = trusted();
	unsigned id;
	size_t k;

	/* What was written while nobody trusted the names is not known. */
	if (on && !was)
		for (id = 0; id < FW_ARENA_COUNT; id++)
			for (k = 0; k < FW_ARENA_KEPT_LINES / WORD_BITS; k++)
				fw_written[id].written[k] = UINT64_MAX;
	trust = on ? TRUST_YES : TRUST_NO;
	fw_written_last_line = UINTPTR_MAX;
	return was;
#else
	(void)on;
	return false;
#endif
}

/**
 * fw_arena_check_writes() - read one 4 KiB piece in @period of those believed
 * zero as they are handed out (0: none; FW_WRITTEN_CHECK_EVERY unless a
 * test says otherwise).
 */
void fw_arena_check_writes(unsigned period)
{
#ifdef EBSFUZZ_ASAN
	check_period = period;
	pieces_since_check = 0;
#else
	(void)period;
#endif
}
