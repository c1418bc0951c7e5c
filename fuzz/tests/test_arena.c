/* SPDX-License-Identifier: MIT */
/*
 * test_arena.c - the loader's blocks from the arena in ASan builds
 * (fuzz/fw/arena.c): the same memory reading the same bytes in every run,
 * small blocks between ASan's red zones, and the firmware's accesses to
 * the loader's memory checked at the loader's call.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "../fw/internal.h"
#include "../sanitizers.h"
#include "fixtures.h"

/* A loader block comes from the arena in ASan builds (arena.c): the same
 * memory in every run, which must read as ASan's malloc leaves a heap
 * block (4 KiB of 0xbe, then zeros) whatever the last run wrote there.
 * Small blocks share pages; the arena zeroes only its first 16 MiB and
 * leaves the pages above to the kernel, so a block reaching past them is
 * checked too.  The arena rewrites only the 4 KiB pieces that differ
 * (refill()), so a loader that writes one byte here and there is checked
 * too: at a stride of 4093 bytes its writes fall at another offset of
 * each page, and at the block's last byte. */
static bool large_contents_ok = true;
static const UINT8 *large_blocks[2];
static unsigned large_runs;
static UINTN large_bytes;
static bool large_sparse;
/* Whether the loader's writes are named to the arena, as
 * -fsanitize-coverage=trace-stores names a loader's in the libFuzzer
 * builds (arena_written.c); this file is not compiled with it. */
static bool large_named;

static void large_write(UINT8 *p, UINTN bytes)
{
	memset(p, 0x11, bytes);
	if (large_named)
		fw_arena_wrote(p, bytes);
}

static EFI_STATUS large_block(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	UINT8 *p = NULL;
	UINTN i;

	if (bs->AllocatePool(EfiLoaderData, large_bytes, (VOID **)&p) != EFI_SUCCESS) {
		large_contents_ok = false;
		return EFI_OUT_OF_RESOURCES;
	}
	for (i = 0; i < large_bytes; i++)
		if (p[i] != (i < 4096 ? 0xbe : 0))
			large_contents_ok = false;
	if (large_sparse) {
		for (i = 2000; i < large_bytes; i += 4093)
			large_write(p + i, 1);
		large_write(p + large_bytes - 1, 1);
	} else {
		large_write(p, large_bytes);
	}
	if (large_runs < 2)
		large_blocks[large_runs] = p;
	large_runs++;
	bs->FreePool(p);
	return loader_exit_boot(image, st);
}

/* Two runs of large_block(): whether each read as it should. */
static bool large_block_twice(UINTN bytes, bool sparse)
{
	struct scenario scn;
	struct fw_result result;
	unsigned i;

	large_contents_ok = true;
	large_runs = 0;
	large_bytes = bytes;
	large_sparse = sparse;
	scenario_from_text("firmware edk2-2025\n", &scn);
	for (i = 0; i < 2; i++)
		fw_run(&scn, large_block, &testlib_options, &result);
	return large_contents_ok && large_runs == 2;
}

static void large_block_every_run(const char *what, UINTN bytes, bool sparse)
{
	char name[160];
	bool ok = large_block_twice(bytes, sparse);

	snprintf(name, sizeof(name), "%s reads the same in every run, whatever the last one wrote%s",
		 what, sparse ? " (a byte here and there)" : "");
	test_result(name, ok, NULL);
#ifdef EBSFUZZ_ASAN
	snprintf(name, sizeof(name), "%s is the same memory in every run (the arena, not an mmap each)",
		 what);
	test_result(name, large_blocks[0] != NULL && large_blocks[0] == large_blocks[1], NULL);
#endif
}

#ifdef EBSFUZZ_ASAN
/* Small pool blocks from the arena keep ASan's red zones (arena.c): the
 * room before each block grows with its size, 16 bytes up to 256. */
static const struct {
	UINTN bytes, red_zone;
} red_zones[] = { { 24, 16 }, { 100, 64 }, { 1000, 128 }, { 4000, 256 } };
static bool red_zones_ok = true;

static EFI_STATUS small_blocks(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	unsigned i;

	for (i = 0; i < sizeof(red_zones) / sizeof(red_zones[0]); i++) {
		UINT8 *first = NULL, *next = NULL;

		if (bs->AllocatePool(EfiLoaderData, 24, (VOID **)&first) != EFI_SUCCESS ||
		    bs->AllocatePool(EfiLoaderData, red_zones[i].bytes, (VOID **)&next) !=
			    EFI_SUCCESS ||
		    next < first + 24 + red_zones[i].red_zone || (uintptr_t)next % 16 != 0)
			red_zones_ok = false;
	}
	return loader_exit_boot(image, st);
}

static void small_blocks_keep_red_zones(void)
{
	struct scenario scn;
	struct fw_result result;

	scenario_from_text("firmware edk2-2025\n", &scn);
	fw_run(&scn, small_blocks, &testlib_options, &result);
	test_result("small pool blocks are 16-byte aligned after ASan's red zone for their size",
		    red_zones_ok, NULL);
}
#endif

/* GetMemoryMap() into a 64-byte static buffer the loader claims is 4 KiB:
 * the firmware's render runs past it, and ASan must say so, whether the
 * stride is the structure's 40 bytes (no padding to zero, so the range is
 * checked on its own before the unchecked render, getmap.c) or 48. */
static UINT8 small_map[64];

static EFI_STATUS map_into_small_static(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	UINTN size = 4096, key, desc_size;
	UINT32 version;

	(void)image;
	st->BootServices->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)(void *)small_map, &key,
				       &desc_size, &version);
	return EFI_LOAD_ERROR;
}

/* The stale-map check reads the loader's map buffer back at a successful
 * exit (oracle_check_map_current()).  That read is the referee's: a part
 * the loader's own heap poisoned (a custom allocator's free) is still the
 * memory the map was written to, compared without a report.  Only what
 * the loader wrote there counts: here nothing (clean), or a descriptor's
 * type changed before the poisoning (stale-map). */
static bool scribble_before_poisoning;

static EFI_STATUS exits_with_map_partly_poisoned(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	UINTN size = 0, key, desc_size = 0;
	UINT32 version;
	UINT8 *buf;

	bs->GetMemoryMap(&size, NULL, &key, &desc_size, &version);
	size += 4 * desc_size;
	if (bs->AllocatePool(EfiLoaderData, size, (VOID **)&buf) != EFI_SUCCESS ||
	    bs->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)(void *)buf, &key, &desc_size,
			     &version) != EFI_SUCCESS)
		return EFI_LOAD_ERROR;
	if (scribble_before_poisoning)
		buf[desc_size + offsetof(EFI_MEMORY_DESCRIPTOR, Type)] ^= 0x01;
	__asan_poison_memory_region(buf + desc_size, 16);
	return bs->ExitBootServices(image, key);
}

/* CalculateCrc32() over 8 bytes more than a 16-byte pool block holds: the
 * firmware reads past the block on the loader's behalf, and ASan must say
 * so (misc.c reads the bytes with ASan's check, whatever a faster CRC may
 * do). */
static EFI_STATUS crc_past_a_block(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	UINT32 crc;
	VOID *p;

	(void)image;
	if (st->BootServices->AllocatePool(EfiLoaderData, 16, &p) != EFI_SUCCESS)
		return EFI_OUT_OF_RESOURCES;
	st->BootServices->CalculateCrc32(p, 24, &crc);
	return EFI_LOAD_ERROR;
}

static void firmware_accesses_checked(void)
{
	static const char *const reports[] = { "ERROR: AddressSanitizer: global-buffer-overflow",
					       "WRITE of size", NULL };
	static const char *const crc_read[] = { "ERROR: AddressSanitizer: use-after-poison",
						"READ of size 1", "in bs_CalculateCrc32", NULL };

	expect_reports("the firmware's map written past a static buffer, 40-byte stride",
		       "firmware edk2-2025\ndescriptor-size bytes=40\n", map_into_small_static,
		       reports);
	expect_reports("the firmware's map written past a static buffer, 48-byte stride",
		       "firmware edk2-2025\n", map_into_small_static, reports);
	scribble_before_poisoning = false;
	expect_clean("the stale-map check reads a map buffer its loader partly poisoned without a "
		     "report",
		     "firmware edk2-2025\n", exits_with_map_partly_poisoned, true);
	scribble_before_poisoning = true;
	expect_violation("the stale-map check compares what lies under the loader's poison",
			 "firmware edk2-2025\n", exits_with_map_partly_poisoned, "stale-map");
	expect_reports("CalculateCrc32 past a pool block: the firmware's read is reported",
		       "firmware edk2-2025\n", crc_past_a_block, crc_read);
}

#ifdef EBSFUZZ_ASAN
int __asan_address_is_poisoned(void const volatile *addr);
void ebsfuzz_loader_asan_unpoison_memory_region(void const volatile *addr, size_t size);

/* After a run every byte of its blocks is poisoned: one still live, one
 * freed, and one freed that the loader then unpoisoned itself (arena.c
 * poisons at the end of a run only if something may be unpoisoned). */
static UINT8 *run_blocks[3];
static enum { ALL_FREED, FIRST_LEFT_LIVE, FREED_UNPOISONED } leave;

static EFI_STATUS leaves_blocks(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	unsigned i;

	for (i = 0; i < 3; i++)
		if (bs->AllocatePool(EfiLoaderData, 20000, (VOID **)&run_blocks[i]) != EFI_SUCCESS)
			run_blocks[i] = NULL;
	if (run_blocks[1] != NULL)
		bs->FreePool(run_blocks[1]);
	if (run_blocks[2] != NULL) {
		bs->FreePool(run_blocks[2]);
		if (leave == FREED_UNPOISONED)
			ebsfuzz_loader_asan_unpoison_memory_region(run_blocks[2], 20000);
	}
	if (leave != FIRST_LEFT_LIVE && run_blocks[0] != NULL)
		bs->FreePool(run_blocks[0]);
	(void)image;
	return EFI_LOAD_ERROR; /* no exit: its map buffer would be left live */
}

static bool all_poisoned(void)
{
	unsigned i;
	size_t k;

	for (i = 0; i < 3; i++)
		for (k = 0; run_blocks[i] != NULL && k < 20000; k += 97)
			if (!__asan_address_is_poisoned(run_blocks[i] + k))
				return false;
	return run_blocks[0] != NULL && run_blocks[2] != NULL;
}

static void blocks_poisoned_after_the_run(void)
{
	/* Its give-up is a liveness finding: runs_keeping_going(). */
	leave = ALL_FREED;
	runs_keeping_going("firmware edk2-2025\n", leaves_blocks, 1);
	test_result("every block freed: all of them poisoned after the run", all_poisoned(), NULL);
	leave = FIRST_LEFT_LIVE;
	runs_keeping_going("firmware edk2-2025\n", leaves_blocks, 1);
	test_result("a block left live is poisoned after the run", all_poisoned(), NULL);
	leave = FREED_UNPOISONED;
	runs_keeping_going("firmware edk2-2025\n", leaves_blocks, 1);
	test_result("a freed block the loader unpoisoned itself is poisoned after the run",
		    all_poisoned(), NULL);
}

/* Where the loader's writes are named (the libFuzzer builds), a block's
 * pages beyond its first 4 KiB are zeroed only where something wrote
 * (arena_written.c); one believed zero in so many is read to make sure,
 * and one that is not zero ends the trust. */
static void written_pages_only(void)
{
	bool kept;

	fw_arena_trust_writes(true);
	fw_arena_check_writes(0);
	large_named = true;
	large_block_every_run("trusting named writes, a large block", 300001, true);
	large_block_every_run("trusting named writes, a large block", 300000, false);
	/* Unnamed, the writes stay, unchecked: the names are what it trusts. */
	large_named = false;
	test_result("a page nobody named as written is not zeroed again, when nothing checks it",
		    !large_block_twice(300001, true), NULL);
	/* Checked, the first unnamed write found ends the trust, and the
	 * block is zeroed as before. */
	fw_arena_trust_writes(true);
	fw_arena_check_writes(1);
	large_block_every_run("checking every page, unnamed writes, a large block", 300001, true);
	kept = fw_arena_trust_writes(false);
	test_result("an unnamed write found by the check ends the trust", !kept, NULL);
	fw_arena_check_writes(0);
}
#endif

int main(void)
{
#ifdef EBSFUZZ_ASAN
	small_blocks_keep_red_zones();
	firmware_accesses_checked();
#endif
	large_block_every_run("a small block", 100, false);
	large_block_every_run("a large block", 300000, false);
	large_block_every_run("a 20 MiB block", 20u * 1024 * 1024, false);
	large_block_every_run("a small block", 4001, true);
	large_block_every_run("a large block", 300001, true);
	/* Each copy of the arena's fill this CPU can run (arena.c refill()). */
	if (fw_arena_fill_width(256))
		large_block_every_run("with 256-bit fills, a large block", 300001, true);
	if (fw_arena_fill_width(128))
		large_block_every_run("with 128-bit fills, a large block", 300001, true);
	fw_arena_fill_width(0);
#ifdef EBSFUZZ_ASAN
	written_pages_only();
	blocks_poisoned_after_the_run();
#endif
	return test_summary("test_arena");
}
