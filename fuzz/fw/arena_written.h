/* SPDX-License-Identifier: MIT */
/*
 * arena_written.h - the lines of the arena's three ranges that anything
 * may have written since they were last zeroed (arena_written.c), and the
 * mark a store of the loader's makes (fuzz/loader_stores.c), inline: it
 * runs at every store of the loader's in the libFuzzer builds.
 */
#ifndef EBSFUZZ_FW_ARENA_WRITTEN_H
#define EBSFUZZ_FW_ARENA_WRITTEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The pool's blocks above and below 4 GiB, the heap's (arena.c). */
enum { FW_ARENA_POOL, FW_ARENA_POOL_LOW, FW_ARENA_HEAP, FW_ARENA_COUNT };
/* The first bytes of each range stay resident between runs; the pages
 * above go back to the kernel and read as zeros. */
#define FW_ARENA_KEPT_BYTES (16ull * 1024 * 1024)
/* What is tracked: 64-byte lines, so that a map at a stride of 2048 bytes,
 * 40 of them written, costs its 40 bytes, not the whole page. */
#define FW_ARENA_LINE_BYTES 64u
#define FW_ARENA_KEPT_LINES (FW_ARENA_KEPT_BYTES / FW_ARENA_LINE_BYTES)

struct fw_written_lines {
	uintptr_t base; /* 0 until the range is reserved */
	uint64_t written[FW_ARENA_KEPT_LINES / 64]; /* a bit per line */
};
extern struct fw_written_lines fw_written[FW_ARENA_COUNT];
/* What the last stores found, so that the next on the same line or page
 * (a loader's stores mostly follow each other: its stack, the table it
 * fills) is told apart at once.  UINTPTR_MAX: none.
 * - fw_written_last_line: the line (address / FW_ARENA_LINE_BYTES) the
 *   last store in a range marked, which nothing has unmarked since;
 * - fw_written_inside_page, fw_written_inside_id: the page (address /
 *   4096) the last store in a range was on, and the range's;
 * - fw_written_outside_page: the page the last store outside every range
 *   was on. */
extern uintptr_t fw_written_last_line, fw_written_inside_page, fw_written_outside_page;
extern unsigned fw_written_inside_id;

/* Not checked by ASan: the table is the harness's own. */
#define FW_WRITTEN_UNCHECKED __attribute__((no_sanitize("address")))
/* Inlined into every store of the loader's, whatever the optimisation level. */
#define FW_WRITTEN_INLINE static inline __attribute__((always_inline)) FW_WRITTEN_UNCHECKED

/* Mark the line of @off (and of @off + @size - 1) in range @id. */
FW_WRITTEN_INLINE void fw_written_mark(unsigned id, uintptr_t off, size_t size)
{
	uintptr_t last = off + size - 1 < FW_ARENA_KEPT_BYTES ? off + size - 1 : off;
	uint64_t *written = fw_written[id].written;

	written[off / FW_ARENA_LINE_BYTES / 64] |= 1ull << (off / FW_ARENA_LINE_BYTES % 64);
	written[last / FW_ARENA_LINE_BYTES / 64] |= 1ull << (last / FW_ARENA_LINE_BYTES % 64);
}

/* A store of @size bytes (at most a line) at @addr: its lines, if they lie
 * in a range. */
FW_WRITTEN_INLINE void fw_arena_wrote_scalar(uintptr_t addr, size_t size)
{
	uintptr_t line = addr / FW_ARENA_LINE_BYTES, end = addr + size - 1, page = addr / 4096;
	unsigned id;

	if (end / 4096 == page) {
		if (line == fw_written_last_line && end / FW_ARENA_LINE_BYTES == line)
			return;
		if (page == fw_written_outside_page)
			return;
		if (page == fw_written_inside_page) {
			id = fw_written_inside_id;
			fw_written_mark(id, addr - fw_written[id].base, size);
			fw_written_last_line = end / FW_ARENA_LINE_BYTES == line ? line : UINTPTR_MAX;
			return;
		}
	}
	for (id = 0; id < FW_ARENA_COUNT; id++) {
		uintptr_t off = addr - fw_written[id].base;

		if (off >= FW_ARENA_KEPT_BYTES)
			continue;
		fw_written_mark(id, off, size);
		fw_written_last_line = end / FW_ARENA_LINE_BYTES == line ? line : UINTPTR_MAX;
		if (end / 4096 == page) {
			fw_written_inside_page = page;
			fw_written_inside_id = id;
		}
		return;
	}
	if (end / 4096 == page)
		fw_written_outside_page = page;
}

#endif
