/* SPDX-License-Identifier: MIT */
/*
 * arena_written.c - which pages of the arena (arena.c) anything may have
 * written since they were last zeroed, so that handing out a block costs
 * what its earlier users wrote, not every byte it spans.
 *
 * Why: a block beyond its first 4 KiB must read as zeros, run after run
 * (arena.c), and arena_fill.c made sure of it by reading every byte it
 * hands out.  Fuzzing the hardened loader from the seeds, that reading
 * was 40% of the CPU time, and 85% of the bytes read were in runs with a
 * DescriptorSize above 1280 bytes (13% of the runs: map buffers of MiBs,
 * most of whose pages nothing wrote); README "Benchmarks" has the figures.
 *
 * How: a page is "written" from the moment anything may have stored to
 * it until it is zeroed whole again.  Every writer says so:
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
 * A page no writer named is zero, and fw_written_zero() skips it.
 *
 * What could still write unseen: inline assembly, a C library call of the
 * loader's that writes (strcpy()), code built without the flag.  So one
 * page in FW_WRITTEN_CHECK_EVERY (256) that is believed zero is read anyway; a
 * byte that is not zero ends the trust for the rest of the process (every
 * block is read as before, and stderr says why, once).
 * EBSFUZZ_CHECK_WRITES=1 reads every such page and aborts at the first
 * that is not zero: make test runs the shipped inputs so (test-arena-writes).
 *
 * Builds whose loader is not compiled with the flag (replay, AFL++,
 * OSS-Fuzz, a target of a loader project's own on build/libebsfuzz.a)
 * trust no page: only the libFuzzer builds link fuzz/loader_stores.c,
 * which defines the callbacks and ebsfuzz_loader_stores_traced.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sanitizers.h"
#include "internal.h"

/* One page in this many that is believed zero is read to make sure: a
 * page read from memory costs about what zeroing it would, and an unseen
 * writer writes more than one page. */
#define FW_WRITTEN_CHECK_EVERY 256u
#define WORD_BITS 64u

struct fw_written_pages fw_written[FW_ARENA_COUNT];
uintptr_t fw_written_last_page = UINTPTR_MAX;

#ifdef EBSFUZZ_ASAN
/* Defined where the loader's stores are traced (fuzz/loader_stores.c). */
extern const bool ebsfuzz_loader_stores_traced __attribute__((weak));
/* Whether pages nobody named are taken to be zero; unset: as the build says. */
static enum { TRUST_UNSET, TRUST_YES, TRUST_NO } trust;
/* Read one page in this many of those believed zero; 0: none. */
static unsigned check_period = FW_WRITTEN_CHECK_EVERY;
static int abort_on_unseen = -1; /* EBSFUZZ_CHECK_WRITES=1, read once */
static unsigned pages_since_check;

/* [@addr, @addr + @size) may have been written: the pages it shares with
 * @w's tracked range (a write may start below it: the fake machine's RAM
 * ends where the arena below 4 GiB begins). */
__attribute__((no_sanitize("address"))) static void mark(struct fw_written_pages *w,
							   uintptr_t addr, size_t size)
{
	uintptr_t base = w->base, last_byte, first, last;
	size_t page;

	if (base == 0 || size == 0)
		return;
	last_byte = size - 1 <= UINTPTR_MAX - addr ? addr + (size - 1) : UINTPTR_MAX;
	if (last_byte < base || (addr >= base && addr - base >= FW_ARENA_KEPT_BYTES))
		return;
	first = addr < base ? 0 : addr - base;
	last = last_byte - base < FW_ARENA_KEPT_BYTES ? last_byte - base : FW_ARENA_KEPT_BYTES - 1;
	for (page = first / EFI_PAGE_SIZE; page <= last / EFI_PAGE_SIZE; page++)
		w->written[page / WORD_BITS] |= 1ull << (page % WORD_BITS);
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
 * fw_written_arena() - arena @id is reserved at @base: its pages are
 * zero (fresh), none written.
 */
void fw_written_arena(unsigned id, uint8_t *base)
{
#ifdef EBSFUZZ_ASAN
	fw_written[id].base = (uintptr_t)base;
	fw_written_last_page = UINTPTR_MAX;
#else
	(void)id;
	(void)base;
#endif
}

#ifdef EBSFUZZ_ASAN
/* The first byte of [@p, @p + @bytes) that is not zero, or NULL: eight
 * bytes at a time (@p is page-aligned), unchecked (the block is live). */
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

/* A page believed zero is not: some writer went unseen. */
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

/* Whether to read the next page believed zero, to make sure. */
static bool check_this_page(void)
{
	if (abort_on_unseen < 0) {
		const char *v = getenv("EBSFUZZ_CHECK_WRITES");

		abort_on_unseen = v != NULL && v[0] == '1';
		if (abort_on_unseen)
			check_period = 1;
	}
	if (check_period != 0 && ++pages_since_check >= check_period) {
		pages_since_check = 0;
		return true;
	}
	return false;
}
#endif

#ifdef EBSFUZZ_ASAN
/* Zero [@off, @end) of @w's tracked range, writing only the pages some
 * writer may have written since they were last zeroed whole. */
static void zero_written(struct fw_written_pages *w, size_t off, size_t end)
{
	while (off < end) {
		size_t page = off / EFI_PAGE_SIZE, page_end = (page + 1) * EFI_PAGE_SIZE;
		size_t stop = page_end < end ? page_end : end;
		uint64_t bit = 1ull << (page % WORD_BITS);
		uint8_t *p = (uint8_t *)(w->base + off);
		const uint8_t *bad;

		if (trust == TRUST_YES && !(w->written[page / WORD_BITS] & bit) && check_this_page() &&
		    (bad = first_nonzero(p, stop - off)) != NULL)
			unseen_write(bad);
		if (trust != TRUST_YES) {
			fw_arena_refill(p, stop - off, 0);
		} else if (w->written[page / WORD_BITS] & bit) {
			fw_arena_fill(p, stop - off, 0);
			/* Zero whole only if the range covers the page. */
			if (off == page * EFI_PAGE_SIZE && stop == page_end) {
				w->written[page / WORD_BITS] &= ~bit;
				fw_written_last_page = UINTPTR_MAX;
			}
		}
		off = stop;
	}
}
#endif

/**
 * fw_written_zero() - make [@from, @from + @bytes) of arena @id zero,
 * writing only the pages some writer may have written since they were
 * last zeroed whole.
 * @id: the arena.
 * @from: page-aligned, inside its tracked range.
 * @bytes: as many as lie inside it.
 */
void fw_written_zero(unsigned id, uint8_t *from, size_t bytes)
{
#ifdef EBSFUZZ_ASAN
	struct fw_written_pages *w = &fw_written[id];
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
 * pages that nothing wrote since they were last zeroed whole:
 * GetMemoryMap()'s padding beyond each descriptor (getmap.c), which at a
 * DescriptorSize of 2048 is nearly all of a map of MiBs, and whose buffer
 * is often a block just handed out.
 */
void fw_arena_zero(uint8_t *p, size_t bytes)
{
#ifdef EBSFUZZ_ASAN
	unsigned id;

	for (id = 0; id < FW_ARENA_COUNT && trusted(); id++) {
		struct fw_written_pages *w = &fw_written[id];
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
 * fw_arena_trust_writes() - whether pages no writer named are taken to be
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
			for (k = 0; k < FW_ARENA_KEPT_PAGES / WORD_BITS; k++)
				fw_written[id].written[k] = UINT64_MAX;
	trust = on ? TRUST_YES : TRUST_NO;
	fw_written_last_page = UINTPTR_MAX;
	return was;
#else
	(void)on;
	return false;
#endif
}

/**
 * fw_arena_check_writes() - read one page in @period of those believed
 * zero as they are handed out (0: none; FW_WRITTEN_CHECK_EVERY unless a
 * test says otherwise).
 */
void fw_arena_check_writes(unsigned period)
{
#ifdef EBSFUZZ_ASAN
	check_period = period;
	pages_since_check = 0;
#else
	(void)period;
#endif
}
