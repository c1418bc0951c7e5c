/* SPDX-License-Identifier: MIT */
/*
 * test_arena_written.c - where the loader's writes are named (the
 * libFuzzer builds, fuzz/fw/arena_written.c), a block reads as it would
 * if every byte were zeroed: the lines GetMemoryMap() wrote, a byte stored
 * at one place in every run, a line a block ends inside.  These loaders
 * name their writes by hand, as -fsanitize-coverage=trace-stores names a
 * loader's; the rest of the arena is test_arena.c's.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "../fw/internal.h"
#include "../sanitizers.h"
#include "fixtures.h"

#ifdef EBSFUZZ_ASAN
/* GetMemoryMap() twice into one buffer at a DescriptorSize of 1024, the
 * loader writing all over it (named) between: every byte of each stride
 * past the descriptor reads zero after each call, whether the arena
 * skipped the zeroing of a page or not (fw_arena_zero()). */
static bool padding_zero = true;
/* Whether the loader writes over the buffer between the reads; if not,
 * each run checks that the block reads zero past its first 4 KiB before
 * the first read (the last run's descriptors named and zeroed). */
static bool write_over = true;

static bool padding_is_zero(const UINT8 *map, UINTN size, UINTN desc_size)
{
	UINTN i;

	for (i = 0; i < size; i++)
		if (i % desc_size >= sizeof(EFI_MEMORY_DESCRIPTOR) && map[i] != 0)
			return false;
	return size != 0;
}

static EFI_STATUS map_read_twice(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	UINTN size = 0, key, desc_size, capacity;
	UINT32 version;
	UINT8 *map = NULL;
	unsigned i;

	(void)image;
	bs->GetMemoryMap(&size, NULL, &key, &desc_size, &version);
	capacity = size + 8 * desc_size;
	if (bs->AllocatePool(EfiLoaderData, capacity, (VOID **)&map) != EFI_SUCCESS)
		return EFI_OUT_OF_RESOURCES;
	for (i = 4096; !write_over && i < capacity; i++)
		if (map[i] != 0)
			padding_zero = false;
	for (i = 0; i < 2; i++) {
		size = capacity;
		if (bs->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)(void *)map, &key, &desc_size,
				     &version) != EFI_SUCCESS ||
		    !padding_is_zero(map, size, desc_size))
			padding_zero = false;
		if (write_over) {
			memset(map, 0x5a, capacity);
			fw_arena_wrote(map, capacity);
		}
	}
	bs->FreePool(map);
	return EFI_LOAD_ERROR;
}

/* The loaders here give up on purpose: their runs keep going
 * (runs_keeping_going()), the liveness finding recorded. */
static void padding_zeroed_where_written(void)
{
	const char *scenario = "firmware edk2-2025\ndescriptor-size bytes=1024\n";

	runs_keeping_going(scenario, map_read_twice, 2);
	test_result("trusting named writes, GetMemoryMap()'s padding reads zero in a buffer "
		    "written over",
		    padding_zero, NULL);
	write_over = false;
	runs_keeping_going(scenario, map_read_twice, 2);
	write_over = true;
	test_result("trusting named writes, a block where GetMemoryMap() wrote reads zero after it",
		    padding_zero, NULL);
}

/* One byte of a block stored in every run at the same place, named as
 * trace-stores names a store (fw_arena_wrote_scalar(), whose memory of
 * the last page it marked must forget a page zeroed since). */
static bool same_byte_ok = true;

static EFI_STATUS same_byte_every_run(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	UINT8 *p = NULL;

	(void)image;
	if (bs->AllocatePool(EfiLoaderData, 20000, (VOID **)&p) != EFI_SUCCESS)
		return EFI_OUT_OF_RESOURCES;
	if (p[5000] != 0)
		same_byte_ok = false;
	fw_arena_wrote_scalar((uintptr_t)(p + 5000), 1);
	p[5000] = 0x11;
	bs->FreePool(p);
	return EFI_LOAD_ERROR;
}

static void same_byte_stored_every_run(void)
{
	runs_keeping_going("firmware edk2-2025\n", same_byte_every_run, 4);
	test_result("trusting stores, a byte stored at one place in every run reads zero in each",
		    same_byte_ok, NULL);
}

/* A line (64 bytes) a block ends inside is zeroed only up to the block's
 * end: it must stay marked as written, or a larger block there later
 * would read what was written past that end before.  Three runs: a
 * 400000-byte block with a byte written at 300005, a 300001-byte block
 * (its end inside that byte's line), the 400000-byte block again. */
static unsigned line_runs;
static bool line_ok = true;

static EFI_STATUS block_ending_inside_a_line(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	UINTN bytes = line_runs == 1 ? 300001 : 400000;
	UINT8 *p = NULL;

	(void)image;
	if (bs->AllocatePool(EfiLoaderData, bytes, (VOID **)&p) != EFI_SUCCESS)
		return EFI_OUT_OF_RESOURCES;
	if (line_runs == 0) {
		p[300005] = 0x11;
		fw_arena_wrote(p + 300005, 1);
	} else if (line_runs == 2 && p[300005] != 0) {
		line_ok = false;
	}
	line_runs++;
	bs->FreePool(p);
	return EFI_LOAD_ERROR;
}

static void line_a_block_ends_inside(void)
{
	line_runs = 0;
	runs_keeping_going("firmware edk2-2025\n", block_ending_inside_a_line, 3);
	test_result("trusting named writes, a byte past a later block's end, inside its last line, "
		    "reads zero in a larger block after it",
		    line_ok, NULL);
}

#endif

int main(void)
{
#ifdef EBSFUZZ_ASAN
	/* Every line believed zero is taken to be, unchecked: a test that
	 * fails here would be hidden by the check otherwise. */
	fw_arena_trust_writes(true);
	fw_arena_check_writes(0);
	padding_zeroed_where_written();
	same_byte_stored_every_run();
	line_a_block_ends_inside();
	fw_arena_trust_writes(false);
#endif
	return test_summary("test_arena_written");
}
