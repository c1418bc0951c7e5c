/* SPDX-License-Identifier: MIT */
/*
 * test_heap.c - the loader's heap (fuzz/fw/heap.c) through the calls its
 * renamed malloc() and kin make (fuzz/loader_heap.c): what each answers,
 * its bounds, a refused free() and how a bad access to a block is named,
 * and that a run's blocks are gone when the next run starts.  Each probe
 * CHECKs the answers, then exits through the hardened loader.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../sanitizers.h"
#include "testlib.h"

void *ebsfuzz_loader_malloc(size_t size);
void *ebsfuzz_loader_calloc(size_t count, size_t size);
void *ebsfuzz_loader_realloc(void *ptr, size_t size);
void ebsfuzz_loader_free(void *ptr);

static EFI_STATUS answers(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	UINT8 *p = ebsfuzz_loader_malloc(100), *q, *z = ebsfuzz_loader_calloc(8, 8);
	size_t bytes = 0, i;
	int zeros = 0;

	CHECK(p != NULL && z != NULL && p != z);
	CHECK(fw_heap_size(p, &bytes) && bytes == 100);
	for (i = 0; z != NULL && i < 64; i++)
		zeros += z[i] == 0;
	CHECK(zeros == 64);
	for (i = 0; p != NULL && i < 100; i++)
		p[i] = (UINT8)i;
	q = ebsfuzz_loader_realloc(p, 5000); /* grows: a new block, the bytes kept */
	CHECK(q != NULL && q != p && q[0] == 0 && q[99] == 99);
	CHECK(fw_heap_free(p, NULL) == HEAP_DOUBLE_FREE); /* realloc() freed it */
	CHECK(q == NULL || fw_heap_free(q + 1, NULL) == HEAP_BAD_FREE);
	CHECK(ebsfuzz_loader_realloc(q, 0) == NULL && !fw_heap_size(q, &bytes));
	CHECK(ebsfuzz_loader_malloc((size_t)64 * 1024 * 1024 + 1) == NULL);
	CHECK(ebsfuzz_loader_calloc(SIZE_MAX / 2, 4) == NULL);
	p = ebsfuzz_loader_realloc(NULL, 0); /* a block of its own, as glibc's */
	CHECK(p != NULL && fw_heap_size(p, &bytes) && bytes == 0);
	ebsfuzz_loader_free(p);
	ebsfuzz_loader_free(NULL);
	CHECK(fw_heap_free(&bytes, NULL) == HEAP_NOT_OURS);
	CHECK(!fw_heap_owns(&bytes) && fw_heap_owns(z));
	ebsfuzz_loader_free(z);
	return loader_exit_boot(image, st);
}

static EFI_STATUS bounded(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	unsigned n = 0;

	while (n < 5000 && ebsfuzz_loader_malloc(8) != NULL)
		n++;
	CHECK(n == 1024);
	return loader_exit_boot(image, st);
}

#ifdef EBSFUZZ_ASAN
/* What fw_explain_bad_access() says of the first byte of @p and of the
 * byte past its 16 (the report of a free() the heap refused, an overrun,
 * a use after free). */
static EFI_STATUS named(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	UINT8 *p = ebsfuzz_loader_malloc(16), *live = ebsfuzz_loader_malloc(16);
	struct fw_bad_access bad;

	CHECK(p != NULL && live != NULL);
	CHECK(fw_explain_bad_access((uintptr_t)p + 16, 1, &bad) &&
	      strcmp(bad.kind, "heap-buffer-overflow") == 0 &&
	      strstr(bad.what, "0 bytes after the end of a 16-byte block from malloc()") != NULL);
	CHECK(!fw_explain_bad_access((uintptr_t)live + 4, 1, &bad));
	fw_heap_reporting_bad_free(live + 4);
	CHECK(fw_explain_bad_access((uintptr_t)live + 4, 1, &bad) && strcmp(bad.kind, "bad-free") == 0);
	fw_heap_reporting_bad_free(NULL);
	ebsfuzz_loader_free(p);
	CHECK(fw_explain_bad_access((uintptr_t)p, 1, &bad) &&
	      strcmp(bad.kind, "heap-use-after-free") == 0 && strcmp(bad.free_service, "free()") == 0);
	fw_heap_reporting_bad_free(p);
	CHECK(fw_explain_bad_access((uintptr_t)p, 1, &bad) && strcmp(bad.kind, "double-free") == 0 &&
	      strcmp(bad.what, "a 16-byte block from malloc()") == 0);
	fw_heap_reporting_bad_free(NULL);
	return loader_exit_boot(image, st);
}
#endif

/* Two runs in one process: the first leaves a block live, the second
 * starts with none, and its block reads as a fresh one. */
static UINT8 *first_block;
static EFI_STATUS leaves_a_block(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	first_block = ebsfuzz_loader_malloc(32);
	if (first_block != NULL)
		memset(first_block, 0x5a, 32);
	return loader_exit_boot(image, st);
}

static EFI_STATUS finds_none(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	size_t bytes;
	UINT8 *p;

	CHECK(first_block != NULL && !fw_heap_owns(first_block));
	p = ebsfuzz_loader_malloc(32);
	CHECK(p != NULL && fw_heap_size(p, &bytes) && bytes == 32);
#ifdef EBSFUZZ_ASAN
	CHECK(p == first_block && p[0] == 0xbe && p[31] == 0xbe); /* ASan's malloc fill */
#endif
	return loader_exit_boot(image, st);
}

/* In this process, not a forked child: the second run must follow the first. */
static void two_runs(void)
{
	struct scenario scn;
	struct fw_result result;

	scenario_from_text("firmware edk2-2025\n", &scn);
	test_check_failed = false;
	fw_run(&scn, leaves_a_block, &testlib_options, &result);
	fw_run(&scn, finds_none, &testlib_options, &result);
	test_result("a run's blocks are gone when the next starts", !test_check_failed, NULL);
}

int main(void)
{
	expect_clean("malloc, calloc, realloc and free: their answers and bounds",
		     "firmware edk2-2025\n", answers, true);
	expect_clean("no more than 1024 blocks in a run", "firmware edk2-2025\n", bounded, true);
#ifdef EBSFUZZ_ASAN
	expect_clean("an overrun, a use after free, a double and a bad free named",
		     "firmware edk2-2025\n", named, true);
#endif
	two_runs();
	return test_summary("test_heap");
}
