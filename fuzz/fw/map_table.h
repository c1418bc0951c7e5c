/* SPDX-License-Identifier: MIT */
/*
 * map_table.h - the firmware's region table as map.c keeps it, for the
 * two files that read it (map.c changes it, map_render.c renders it).
 *
 * fw_map_start.c builds the starting map in fw.map[0..n) and hands it over
 * through fw_map_normalize(); from then on, until the next reset, fw.map
 * is a gap buffer: region i lives at fw.map[i] below the gap and at
 * fw.map[i + gap length] above it, the gap being the FW_MAX_REGIONS - n
 * free slots, kept where the map last changed (fw.map_gap is the index of
 * the first region above it).  Handlers and timers change the map again
 * and again in the same place, so a change moves few regions however
 * large the map.  Other files read regions through fw_map_region().
 */
#ifndef EBSFUZZ_FW_MAP_TABLE_H
#define EBSFUZZ_FW_MAP_TABLE_H

#include "internal.h"

/*
 * MODEL_ONLY functions touch nothing but the firmware's own region table,
 * and they run for every map change: scans over hundreds of regions and
 * shifts of the array when handlers split the map hundreds of times.  They
 * are exempt from ASan, whose job is the loader's memory (everything that
 * writes into loader buffers stays instrumented).  UBSan still checks their
 * indexing and arithmetic (but in the fuzzers' builds: the Makefile,
 * FW_OWN_STATE_SRC), but not their pointers (pointer-overflow,
 * alignment, null): every pointer here is to an element of the global
 * table or of the window, so those checks cannot fire, and they were 4%
 * of a fuzzing run (the same million inputs from the seeds, task-clock,
 * median of 3).  Under ASan a struct assignment is a call to __asan_memcpy
 * and memmove a byte loop (compiler-rt 14), so regions move field by
 * field, and clang must not fuse the fields back into a call.
 */
#if defined(__clang__)
#define MODEL_ONLY                                                                             \
	__attribute__((no_sanitize("address", "pointer-overflow", "alignment", "null"),          \
		       no_builtin("memcpy"), no_builtin("memmove")))
#else
#define MODEL_ONLY __attribute__((no_sanitize("address")))
#endif
#define MODEL_INLINE static inline __attribute__((always_inline)) MODEL_ONLY

MODEL_INLINE unsigned gap_length(void)
{
	return FW_MAX_REGIONS - fw.n_regions;
}

/* The slot of region @i. */
MODEL_INLINE unsigned slot_of(unsigned i)
{
	return i < fw.map_gap ? i : i + gap_length();
}

MODEL_INLINE struct fw_region *region(unsigned i)
{
	return &fw.map[slot_of(i)];
}

MODEL_INLINE uint64_t region_end(const struct fw_region *r)
{
	return r->start + r->pages * EFI_PAGE_SIZE;
}

#endif
