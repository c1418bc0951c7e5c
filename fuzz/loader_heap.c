/* SPDX-License-Identifier: MIT */
/*
 * loader_heap.c - the loader's malloc(), calloc(), realloc() and free():
 * scripts/loader-code renames the loader's calls (and its own definitions,
 * if it has a heap of its own under those names) to ebsfuzz_loader_*; the
 * blocks come from the fake machine's memory, fuzz/fw/heap.c says why.
 *
 * These definitions are weak: a loader that defines malloc() itself keeps
 * its own heap, renamed with its calls.  A pointer the heap does not know
 * (the C library's, from strdup()) goes to the host's free() and
 * realloc(), which judge it as before.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fw/fw.h"
#include "sanitizers.h"

#define WEAK __attribute__((weak))

void *ebsfuzz_loader_malloc(size_t size);
void *ebsfuzz_loader_calloc(size_t count, size_t size);
void *ebsfuzz_loader_realloc(void *ptr, size_t size);
void ebsfuzz_loader_free(void *ptr);

#ifdef EBSFUZZ_ASAN
void __asan_report_error(void *pc, void *bp, void *sp, void *addr, int is_write, size_t size);
#endif

/*
 * A free() (or realloc()) of @ptr that the heap refused: freed before, or
 * inside a block.  ASan reports it as a bad access to @ptr at the loader's
 * call @caller, one frame up from @frame, and fuzz/fw/bad_access.c names
 * it a double-free or a bad-free, as ASan would at its own free(); the
 * heap is left as it was.  Other builds leave it so too, silently: MSan
 * looks for uninitialised reads, and the ASan build names this one.
 */
static void report_bad_free(void *caller, void **frame, void *ptr)
{
#ifdef EBSFUZZ_ASAN
	fw_heap_reporting_bad_free(ptr);
	__asan_report_error(caller, frame[0], frame, ptr, 0, 1);
	fw_heap_reporting_bad_free(NULL);
#else
	(void)caller;
	(void)frame;
	(void)ptr;
#endif
}

static void free_at(void *caller, void **frame, void *ptr)
{
	switch (fw_heap_free(ptr, caller)) {
	case HEAP_FREED:
		break;
	case HEAP_NOT_OURS:
		free(ptr);
		break;
	case HEAP_DOUBLE_FREE:
	case HEAP_BAD_FREE:
		report_bad_free(caller, frame, ptr);
		break;
	}
}

WEAK void *ebsfuzz_loader_malloc(size_t size)
{
	void *p = fw_heap_alloc(size, __builtin_return_address(0));

	if (p == NULL)
		errno = ENOMEM;
	return p;
}

WEAK void *ebsfuzz_loader_calloc(size_t count, size_t size)
{
	size_t bytes;
	void *p;

	if (__builtin_mul_overflow(count, size, &bytes)) {
		errno = ENOMEM;
		return NULL;
	}
	p = fw_heap_alloc(bytes, __builtin_return_address(0));
	if (p == NULL)
		errno = ENOMEM;
	else
		memset(p, 0, bytes);
	fw_arena_wrote(p, p != NULL ? bytes : 0);
	return p;
}

WEAK void ebsfuzz_loader_free(void *ptr)
{
	if (ptr != NULL)
		free_at(__builtin_return_address(0), __builtin_frame_address(0), ptr);
}

/* As glibc's: realloc(NULL, n) allocates, realloc(p, 0) frees and gives
 * NULL, and a block the heap cannot grow stays as it was. */
WEAK void *ebsfuzz_loader_realloc(void *ptr, size_t size)
{
	void *caller = __builtin_return_address(0), **frame = __builtin_frame_address(0);
	size_t old;
	void *p;

	if (ptr == NULL) {
		p = fw_heap_alloc(size, caller);
		if (p == NULL)
			errno = ENOMEM;
		return p;
	}
	if (!fw_heap_size(ptr, &old)) {
		if (!fw_heap_owns(ptr))
			return realloc(ptr, size);
		free_at(caller, frame, ptr); /* reported: freed before, or inside a block */
		return NULL;
	}
	if (size == 0) {
		free_at(caller, frame, ptr);
		return NULL;
	}
	p = fw_heap_alloc(size, caller);
	if (p == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	memcpy(p, ptr, old < size ? old : size);
	fw_arena_wrote(p, old < size ? old : size);
	free_at(caller, frame, ptr);
	return p;
}
