/* SPDX-License-Identifier: MIT */
/*
 * arena_written.h - the pages of the arena's three ranges that anything
 * may have written since they were last zeroed (arena_written.c), and the
 * mark a store of the loader's makes (fuzz/loader_stores.c), inline: it
 * runs at every store of the loader's in the libFuzzer builds.
 */
#ifndef EBSFUZZ_FW_ARENA_WRITTEN_H
#define EBSFUZZ_FW_ARENA_WRITTEN_H

#include <stddef.h>
#include <stdint.h>

/* The pool's blocks above and below 4 GiB, the heap's (arena.c). */
enum { FW_ARENA_POOL, FW_ARENA_POOL_LOW, FW_ARENA_HEAP, FW_ARENA_COUNT };
/* The first bytes of each range stay resident between runs; the pages
 * above go back to the kernel and read as zeros. */
#define FW_ARENA_KEPT_BYTES (16ull * 1024 * 1024)
#define FW_ARENA_PAGE_BYTES 4096u
#define FW_ARENA_KEPT_PAGES (FW_ARENA_KEPT_BYTES / FW_ARENA_PAGE_BYTES)

struct fw_written_pages {
	uintptr_t base; /* 0 until the range is reserved */
	uint64_t written[FW_ARENA_KEPT_PAGES / 64];
};
extern struct fw_written_pages fw_written[FW_ARENA_COUNT];
/* The page (address / FW_ARENA_PAGE_BYTES) the last store named and found
 * marked or outside every range, which nothing has unmarked since; a
 * loader's stores mostly follow each other on one page (its stack, the
 * table it fills).  UINTPTR_MAX: none. */
extern uintptr_t fw_written_last_page;

/* A store of @size bytes (at most a page) at @addr: its pages, if they lie
 * in a range.  Not checked by ASan: the table is the harness's own. */
__attribute__((no_sanitize("address"))) static inline void fw_arena_wrote_scalar(uintptr_t addr,
										  size_t size)
{
	uintptr_t page = addr / FW_ARENA_PAGE_BYTES;
	unsigned id;

	if (page == fw_written_last_page && (addr + size - 1) / FW_ARENA_PAGE_BYTES == page)
		return;
	fw_written_last_page = (addr + size - 1) / FW_ARENA_PAGE_BYTES == page ? page : UINTPTR_MAX;
	for (id = 0; id < FW_ARENA_COUNT; id++) {
		uintptr_t off = addr - fw_written[id].base, last;

		if (off >= FW_ARENA_KEPT_BYTES)
			continue;
		last = off + size - 1 < FW_ARENA_KEPT_BYTES ? off + size - 1 : off;
		fw_written[id].written[off / FW_ARENA_PAGE_BYTES / 64] |=
			1ull << (off / FW_ARENA_PAGE_BYTES % 64);
		fw_written[id].written[last / FW_ARENA_PAGE_BYTES / 64] |=
			1ull << (last / FW_ARENA_PAGE_BYTES % 64);
	}
}

#endif
