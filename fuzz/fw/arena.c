/* SPDX-License-Identifier: MIT */
/*
 * arena.c - host memory for the loader's allocations, in ASan builds: one
 * reserved range reused run after run, poisoned by hand.
 *
 * Why: from ASan's heap every loader block costs its allocator, its
 * quarantine and its fill, and one larger than its biggest size class
 * (128 KiB) a fresh mmap, a munmap after quarantine and a page fault per
 * 4 KiB touched.  Fuzzing the hardened loader from the seeds (large
 * DescriptorSize, over-report and 500-descriptor maps make map buffers of
 * hundreds of KiB) spent about 60% of its CPU time in the kernel doing
 * that, and the allocator and quarantine about 8% more once the large
 * blocks came from here (perf, make bench's exec_per_cpu_s_hardened;
 * README "Benchmarks").
 *
 * Blocks are carved from the arena in order, never reused within a run;
 * the arena is handed out again from its start at the end of every run.
 * A page allocation, and a pool block of 4 KiB or more, starts on a page
 * of its own, with a page left out before and after it; a smaller pool
 * block starts 16-byte aligned (UEFI 2.10 section 7.2.4 promises 8) after
 * a red zone as wide as ASan's allocator would give it (ComputeRZLog in
 * compiler-rt's asan_allocator.cpp: 16 bytes up to 48, doubling with the
 * size to 256 bytes just below 4 KiB).  What ASan sees is kept:
 * - every byte of the arena outside a live block is poisoned: the red
 *   zones and the rest of a block's last page (an overrun or underrun), a
 *   freed block until the run ends (a use after free, which ASan's
 *   quarantine could forget once recycled);
 * - beyond the pages this run handed out (and a floor, fw_arena_reset())
 *   the range is inaccessible, so an access further out is a SEGV, not
 *   silence;
 * - ASan calls all of these "use-after-poison" without the allocation's
 *   and the free's stacks; fw_explain_bad_access() gives what ASan would say of
 *   a heap block (heap-buffer-overflow, heap-use-after-free) and which
 *   calls, from where in the loader, allocated and freed it.
 * A block's first bytes read as ASan's malloc leaves them with default
 * options (4 KiB of 0xbe, then zeros, a fresh mapping's), so a loader
 * that reads what it never wrote sees the same bytes, run after run.
 * Other builds (MSan, none, Valgrind) use the heap, and so does a run
 * whose blocks outgrow the arena.
 *
 * A block the map places below 4 GiB comes from a second pool range below
 * 4 GiB, just above the fake machine's RAM (ram.c), so that the pointer
 * the loader gets lies where the map says its memory is: every shipped
 * starting map has its RAM below 1.375 GiB, and from the one range above
 * 4 GiB a loader that keeps a pool pointer in 32 bits (memtest86+'s
 * efi_info.mem_map, Syslinux's bp->efi.memmap) faulted on every run, on
 * maps where real firmware could not have put the pool above 4 GiB at
 * all.  A map with free memory above 4 GiB still gets pointers above it.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "../sanitizers.h"
#include "internal.h"

/* Pool blocks below this share pages, 16-byte aligned between red zones. */
#define ARENA_SMALL_BYTES 4096u
#define ARENA_SMALL_ALIGN 16u
/* Two of the largest allocation the fake machine grants, with room between. */
#define ARENA_BYTES (2ull * FW_MAX_ALLOC_BYTES + 64ull * EFI_PAGE_SIZE)
/* Accessible between runs; above, a run makes what it needs accessible.
 * Once a run of the process has ended at a deadly signal, the smaller. */
#define ARENA_FLOOR_BYTES ARENA_KEEP_BYTES
#define ARENA_TIGHT_FLOOR_BYTES (256u * 1024u)
/* Resident pages kept between runs; above, they go back to the kernel. */
#define ARENA_KEEP_BYTES FW_ARENA_KEPT_BYTES
#define ARENA_GAP EFI_PAGE_SIZE
/* ASan's default malloc_fill_byte and max_malloc_fill_size. */
#define ASAN_FILL_BYTE 0xbe
#define ASAN_FILL_BYTES 4096u
/* The range below 4 GiB: after the fake machine's RAM (ram.c's
 * FW_RAM_END), below ASan's low shadow (0x7fff8000 on x86-64 Linux). */
#define ARENA_LOW_BASE 0x58000000ull

#ifdef EBSFUZZ_ASAN
static size_t round_up(size_t x, size_t unit)
{
	return (x + unit - 1) / unit * unit;
}

/* One reserved range and what this process and this run made of it. */
struct arena {
	uint8_t *base;
	size_t used;		/* this run's blocks end here */
	bool page_block_last;	/* the block ending at @used started on a page */
	size_t accessible;	/* readable and writable (and poisoned) below this */
	size_t ever_accessible; /* poisoned below this, but where handed out */
	enum { ARENA_UNTRIED, ARENA_RESERVED, ARENA_UNAVAILABLE } state;
	unsigned id; /* for arena_written.c */
	size_t live_bytes; /* unpoisoned by this run's blocks still live */
};

/* the blocks of AllocatePool and AllocatePages */
static struct arena pool_arena = { .id = FW_ARENA_POOL };
/* those the map places below 4 GiB */
static struct arena pool_low_arena = { .id = FW_ARENA_POOL_LOW };
/* The blocks of the loader's malloc() (heap.c), in a range of their own:
 * a walk past a map buffer (a size the firmware lied about) faults at the
 * end of the pool blocks, as it did when these came from ASan's heap, and
 * does not run on through a heap block of the size it was given (the
 * FreeBSD port's vmap: its walks then ran for seconds). */
static struct arena heap_arena = { .id = FW_ARENA_HEAP };
static bool stray_taken;  /* a bad write has been let go on in this process */
static bool walks_fault;  /* a run of this process ended at a deadly signal */
static bool loader_unpoisoned; /* the loader unpoisoned memory itself this run */
static void (*heap_guard)(void);

static bool reserve(struct arena *a)
{
	void *want = a == &pool_low_arena ? (void *)(uintptr_t)ARENA_LOW_BASE : NULL;
	void *got;

	if (a->state != ARENA_UNTRIED)
		return a->state == ARENA_RESERVED;
	got = mmap(want, ARENA_BYTES, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
			   (want != NULL ? MAP_FIXED_NOREPLACE : 0),
		   -1, 0);
	if (got != MAP_FAILED && want != NULL && got != want) {
		munmap(got, ARENA_BYTES); /* an old kernel took the flag for a hint */
		got = MAP_FAILED;
	}
	a->state = got == MAP_FAILED ? ARENA_UNAVAILABLE : ARENA_RESERVED;
	if (got != MAP_FAILED) {
		a->base = got;
		fw_written_arena(a->id, a->base);
	}
	return a->state == ARENA_RESERVED;
}

/* Make [0, @end) of the arena accessible; what is new starts poisoned
 * (what was accessible before still is: fw_arena_reset() poisons every
 * block a run handed out). */
static bool reach(struct arena *a, size_t end)
{
	if (end <= a->accessible)
		return true;
	end = round_up(end, EFI_PAGE_SIZE);
	if (mprotect(a->base + a->accessible, end - a->accessible, PROT_READ | PROT_WRITE) != 0)
		return false;
	if (end > a->ever_accessible) {
		__asan_poison_memory_region(a->base + a->ever_accessible, end - a->ever_accessible);
		a->ever_accessible = end;
	}
	a->accessible = end;
	return true;
}
#endif

#ifdef EBSFUZZ_ASAN
/* The red zone ASan's allocator puts before a block of @bytes below 4 KiB
 * (see the header): 16 bytes up to 48, 32 up to 96, 64 up to 448, 128 up
 * to 3968, then 256. */
static size_t small_red_zone(size_t bytes)
{
	if (bytes <= 64 - 16)
		return 16;
	if (bytes <= 128 - 32)
		return 32;
	if (bytes <= 512 - 64)
		return 64;
	if (bytes <= 4096 - 128)
		return 128;
	return 256;
}

/* Room for a block of @bytes at @start, followed by at least @after bytes
 * that are accessible but poisoned (an overrun is named, not a SEGV). */
static bool room(struct arena *a, size_t start, size_t bytes, size_t after)
{
	return bytes <= ARENA_BYTES && after <= ARENA_BYTES - bytes &&
	       start <= ARENA_BYTES - bytes - after && reach(a, start + bytes + after);
}
#endif

#ifdef EBSFUZZ_ASAN
/* A block of @bytes from arena @a (fw_arena_alloc() says what it is). */
static void *alloc_in(struct arena *a, size_t bytes, bool whole_pages)
{
	bool page = whole_pages || bytes >= ARENA_SMALL_BYTES;
	size_t start, span, after;
	uint8_t *block;
	size_t head = bytes < ASAN_FILL_BYTES ? bytes : ASAN_FILL_BYTES;

	if (bytes > FW_MAX_ALLOC_BYTES || !reserve(a))
		return NULL;
	if (page) {
		start = round_up(a->used, EFI_PAGE_SIZE) + ARENA_GAP;
		span = round_up(bytes, EFI_PAGE_SIZE);
		after = ARENA_GAP;
	} else {
		/* After a page block, a page left out, as between page blocks. */
		start = round_up(a->used + (a->page_block_last ? ARENA_GAP : small_red_zone(bytes)),
				 ARENA_SMALL_ALIGN);
		span = bytes;
		after = ARENA_SMALL_BYTES;
	}
	if (!room(a, start, span, after)) {
		/* Not onto the heap once a bad write has gone on: see
		 * fw_arena_set_heap_guard(). */
		if (stray_taken && heap_guard != NULL)
			heap_guard();
		return NULL;
	}
	block = a->base + start;
	a->used = start + span;
	a->page_block_last = page;
	a->live_bytes += bytes;
	__asan_unpoison_memory_region(block, bytes);
	fw_arena_refill(block, head, ASAN_FILL_BYTE);
	fw_arena_wrote(block, head);
	/* Pages above ARENA_KEEP_BYTES are already zeros: fw_arena_reset()
	 * gave them back to the kernel, and nothing in this run wrote them
	 * before this block (blocks are never reused within a run, and a write
	 * outside a live block ends the worker, findings_end_run_now(), but
	 * for one the campaign lets go on, fw_take_stray_write(), which
	 * the same input makes again).  Zeroing them here would fault in
	 * every page of a block of many MiB that the loader touches a little
	 * of.  Below, only the lines written since they were last zeroed are
	 * zeroed (arena_written.c). */
	if (bytes > ASAN_FILL_BYTES && start + ASAN_FILL_BYTES < ARENA_KEEP_BYTES)
		fw_written_zero(a->id, block + ASAN_FILL_BYTES,
				(start + bytes < ARENA_KEEP_BYTES ? start + bytes : ARENA_KEEP_BYTES) -
					start - ASAN_FILL_BYTES);
	return block;
}

/* Whether @p lies in what arena @a made accessible. */
static bool in(const struct arena *a, uintptr_t p)
{
	uintptr_t b = (uintptr_t)a->base;

	return a->base != NULL && p >= b && p - b < a->accessible;
}

/* Whether [@addr, @addr + @size) lies wholly in what arena @a made accessible. */
static bool holds(const struct arena *a, uintptr_t addr, size_t size)
{
	return in(a, addr) && size <= a->accessible - (addr - (uintptr_t)a->base);
}

/* Whether @addr lies in arena @a's reserved pages past what it made accessible. */
static bool past(const struct arena *a, uintptr_t addr)
{
	uintptr_t b = (uintptr_t)a->base;

	return a->base != NULL && addr >= b + a->accessible && addr - b < ARENA_BYTES;
}

/* The end of a run for arena @a (fw_arena_reset()). */
static void reset(struct arena *a)
{
	size_t floor;

	if (a->used == 0)
		return;
	/* Freed blocks were poisoned when freed, red zones and gaps never
	 * unpoisoned: only a block still live, or what the loader unpoisoned
	 * itself, needs it (a third of ASan's shadow writes in a fuzzing run,
	 * for map buffers of MiBs). */
	if (a->live_bytes != 0 || loader_unpoisoned)
		__asan_poison_memory_region(a->base, a->used);
	a->live_bytes = 0;
	/* ASan reports a bad access once per place in the code: a bad write
	 * let go on may come again from the same code, unreported, anywhere
	 * in the arena.  Pages above ARENA_KEEP_BYTES must read as zeros when
	 * handed out, so all of them go back; below, every block is filled
	 * when handed out, and what lies between blocks only a bad read sees. */
	if (stray_taken && a->accessible > ARENA_KEEP_BYTES)
		madvise(a->base + ARENA_KEEP_BYTES, a->accessible - ARENA_KEEP_BYTES, MADV_DONTNEED);
	else if (a->used > ARENA_KEEP_BYTES)
		madvise(a->base + ARENA_KEEP_BYTES, a->used - ARENA_KEEP_BYTES, MADV_DONTNEED);
	/* What a run made accessible beyond the floor becomes inaccessible
	 * again: a loader that walks past its buffer (a map size the firmware
	 * lied about) faults at the end of what its own run made accessible,
	 * not after reading through what the largest run of the process did.
	 * A campaign's worker survives such a fault (fuzz/signals.c), and a
	 * walk of 16 MiB at a 41-byte stride, ASan's and UBSan's checks at
	 * every read, took the Xen port's runs to milliseconds; once one has
	 * happened the floor is lower, at the cost of two mprotect() calls for
	 * each larger run.  The pages stay as they were. */
	floor = walks_fault ? ARENA_TIGHT_FLOOR_BYTES : ARENA_FLOOR_BYTES;
	if (a->accessible > floor &&
	    mprotect(a->base + floor, a->accessible - floor, PROT_NONE) == 0)
		a->accessible = floor;
	a->used = 0;
	a->page_block_last = false;
}
#endif

/**
 * fw_arena_alloc() - a block for a loader allocation, if the arena takes it.
 * @bytes: the size asked for.
 * @whole_pages: the block must start on a page (AllocatePages).
 * @below_4g: the map places it below 4 GiB: so is the block, if the range
 *	below 4 GiB could be reserved.
 *
 * Return: a block of @bytes addressable bytes, page-aligned if
 * @whole_pages or @bytes is 4 KiB or more, else 16-byte aligned; or NULL:
 * the caller then uses the heap (other builds, arena full).
 */
void *fw_arena_alloc(size_t bytes, bool whole_pages, bool below_4g)
{
#ifdef EBSFUZZ_ASAN
	if (below_4g && reserve(&pool_low_arena))
		return alloc_in(&pool_low_arena, bytes, whole_pages);
	return alloc_in(&pool_arena, bytes, whole_pages);
#else
	(void)bytes;
	(void)whole_pages;
	(void)below_4g;
	return NULL;
#endif
}

/**
 * fw_arena_heap_alloc() - a block for the loader's heap (heap.c), if the
 * heap's arena takes it.
 * @bytes: the size asked for.
 *
 * Return: as fw_arena_alloc(), from another range.
 */
void *fw_arena_heap_alloc(size_t bytes)
{
#ifdef EBSFUZZ_ASAN
	return alloc_in(&heap_arena, bytes, false);
#else
	(void)bytes;
	return NULL;
#endif
}

/**
 * fw_arena_owns() - whether a pointer lies in the arena.
 * @ptr: any pointer.
 *
 * Return: true for a block fw_arena_alloc() handed out (or the gaps).
 */
bool fw_arena_owns(const void *ptr)
{
#ifdef EBSFUZZ_ASAN
	return in(&pool_arena, (uintptr_t)ptr) || in(&pool_low_arena, (uintptr_t)ptr) ||
	       in(&heap_arena, (uintptr_t)ptr);
#else
	(void)ptr;
	return false;
#endif
}

/**
 * fw_arena_free() - a block freed: poisoned until the run ends.
 * @block: from fw_arena_alloc().
 * @bytes: its size.
 */
void fw_arena_free(void *block, size_t bytes)
{
#ifdef EBSFUZZ_ASAN
	struct arena *a = in(&pool_arena, (uintptr_t)block)       ? &pool_arena
			  : in(&pool_low_arena, (uintptr_t)block) ? &pool_low_arena
								  : &heap_arena;

	a->live_bytes -= bytes <= a->live_bytes ? bytes : a->live_bytes;
	__asan_poison_memory_region(block, bytes);
#else
	(void)block;
	(void)bytes;
#endif
}

/**
 * fw_arena_loader_unpoisoned() - the loader unpoisoned memory itself
 * (ASAN_UNPOISON_MEMORY_REGION, fuzz/loader_code.c): maybe a freed block
 * or a gap, which fw_arena_reset() then poisons again.
 */
void fw_arena_loader_unpoisoned(void)
{
#ifdef EBSFUZZ_ASAN
	loader_unpoisoned = true;
#endif
}

/**
 * fw_arena_reset() - the end of a run: every block freed and poisoned,
 * the arena handed out from its start again; resident pages above
 * ARENA_KEEP_BYTES go back to the kernel (they stay accessible, and read
 * as zeros when touched again, which fw_arena_alloc() counts on).
 */
void fw_arena_reset(void)
{
#ifdef EBSFUZZ_ASAN
	reset(&pool_arena);
	reset(&pool_low_arena);
	reset(&heap_arena);
	loader_unpoisoned = false;
#endif
}

/**
 * fw_take_stray_write() - a bad write of the loader's, if it can harm
 * nothing but the loader's own memory: note it, so that the run can go on.
 * @addr: the first byte ASan reported.
 * @size: the access's size (for a range a C library call writes, the
 *	whole range's, so [@addr, @addr + @size) covers what it changes).
 *
 * Inside the arena a bad write lands on a red zone, a gap, a freed block
 * or a live block of the loader's: memory the loader owns or that only a
 * bad read sees, with no allocator header to break (the reason a bad write
 * on a heap block ends the run, fuzz/findings.c).  In the fake machine's
 * RAM (ram.c) it lands on pages the loader holds (GRUB poisons the heap it
 * keeps there), or faults.  ASan reports each place in the code once, so
 * the same code may write there again unreported: from now on
 * fw_arena_reset() gives back every page above ARENA_KEEP_BYTES, which
 * must read as zeros when handed out, and no block comes from the heap
 * (fw_arena_set_heap_guard()).
 *
 * Return: true if the write lies wholly in the arena's accessible range,
 * or wholly in the fake machine's RAM.
 */
bool fw_take_stray_write(uintptr_t addr, size_t size)
{
#ifdef EBSFUZZ_ASAN
	if (size == 0)
		return false;
	if (!fw_ram_contains(addr, size) && !holds(&pool_arena, addr, size) &&
	    !holds(&pool_low_arena, addr, size) && !holds(&heap_arena, addr, size))
		return false;
	fw_guard_after_stray_write();
	return true;
#else
	(void)addr;
	(void)size;
	return false;
#endif
}

/**
 * fw_arena_past_accessible() - whether an address lies in the arena's
 * reserved pages beyond what this run made accessible: where a walk over
 * the loader's blocks faults.
 * @addr: a faulting address.
 */
bool fw_arena_past_accessible(uintptr_t addr)
{
#ifdef EBSFUZZ_ASAN
	return past(&pool_arena, addr) || past(&pool_low_arena, addr) || past(&heap_arena, addr);
#else
	(void)addr;
	return false;
#endif
}

/**
 * fw_guard_after_stray_write() - a bad write of the loader's went on,
 * here or in its own statics (fuzz/statics.c): the code that made it may
 * write on unreported, so from now on fw_arena_reset() gives back every
 * page above ARENA_KEEP_BYTES, and no block comes from the heap.
 */
void fw_guard_after_stray_write(void)
{
#ifdef EBSFUZZ_ASAN
	stray_taken = true;
#endif
}

/**
 * fw_arena_after_fault() - a run has ended at a deadly signal (run.c): from
 * now on fw_arena_reset() keeps less of the arena accessible.
 */
void fw_arena_after_fault(void)
{
#ifdef EBSFUZZ_ASAN
	walks_fault = true;
#endif
}

/**
 * fw_arena_set_heap_guard() - what to do instead of handing out a heap
 * block once a bad write has gone on in this process.
 * @guard: must not return; NULL: hand out the heap block.
 *
 * A run whose blocks outgrow the arena gets heap blocks.  A bad write let
 * go on (fw_take_stray_write()) may come again from the same code
 * unreported, since ASan reports each place once, and past a heap block
 * it would break ASan's allocator: so such a process ends instead, before
 * its first heap block, and the next process starts clean.
 */
void fw_arena_set_heap_guard(void (*guard)(void))
{
#ifdef EBSFUZZ_ASAN
	heap_guard = guard;
#else
	(void)guard;
#endif
}
