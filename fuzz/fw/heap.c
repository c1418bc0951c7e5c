/* SPDX-License-Identifier: MIT */
/*
 * heap.c - the loader's own heap: the blocks its malloc(), calloc(),
 * realloc() and free() hand out (scripts/loader-code renames those calls
 * in the loader's code to fuzz/loader_heap.c, which comes here).
 *
 * A loader's heap is memory it took from the firmware before its exit path
 * runs (FreeBSD's libsa heap, GRUB's, U-Boot's malloc area): its blocks
 * never show in the memory map, and the whole heap is gone with the boot.
 * Served from the host's malloc(), as a port's adapter does, three things
 * went wrong in the findings campaign, each ending a libFuzzer worker
 * where the run should have ended or gone on:
 * a run that ended at a deadly signal (fuzz/signals.c) left its blocks to
 * libFuzzer's leak check; a write past a block broke ASan's chunk headers;
 * and a size from a corrupt map asked ASan for terabytes, a fatal report
 * named after ASan's allocator rather than the loader's bug.
 *
 * Here, in ASan builds, every block is an arena block (arena.c: the
 * heap's own arena, apart from the pool blocks'), poisoned around as a pool
 * block is, and named in a bad access's report as a block from malloc(); a
 * freed block stays poisoned to the end of the run, and every block, live
 * or not, is gone at the end of the run.  In other builds (MSan must see a
 * new block's bytes as uninitialised) the blocks come from the host's
 * malloc() and are freed at the end of the run.  As libsa's malloc() and
 * GRUB's grub_malloc() do when their heap is spent, the heap answers NULL
 * for a block above FW_MAX_ALLOC_BYTES or past FW_MAX_HEAP_BLOCKS blocks
 * in one run.
 */
#include <stdlib.h>

#include "internal.h"

#define FW_MAX_HEAP_BLOCKS 1024u

struct heap_block {
	uint8_t *host;
	size_t bytes;
	bool live;
	bool in_arena;
	const void *alloc_site, *free_site; /* the loader's calls */
};

static struct heap_block blocks[FW_MAX_HEAP_BLOCKS];
static unsigned n_blocks;
/* A free() of a pointer that is no block's start, or of a block freed
 * before, while it is being reported (fw_heap_describe()). */
static const void *bad_free;

/**
 * fw_heap_alloc() - a block of the loader's heap.
 * @bytes: the size asked for (0 gives a block of its own, as glibc's does).
 * @site: the loader's call.
 *
 * Return: the block, or NULL if the heap cannot give it.
 */
void *fw_heap_alloc(size_t bytes, const void *site)
{
	struct heap_block *b;

	if (bytes > FW_MAX_ALLOC_BYTES || n_blocks == FW_MAX_HEAP_BLOCKS)
		return NULL;
	b = &blocks[n_blocks];
	b->host = fw_arena_heap_alloc(bytes);
	b->in_arena = b->host != NULL;
	if (!b->in_arena)
		b->host = malloc(bytes ? bytes : 1);
	if (b->host == NULL)
		return NULL;
	n_blocks++;
	b->bytes = bytes;
	b->live = true;
	b->alloc_site = site;
	b->free_site = NULL;
	return b->host;
}

/* The newest block @ptr lies in (its first byte for an empty block), or NULL. */
static struct heap_block *containing(const void *ptr)
{
	uintptr_t p = (uintptr_t)ptr;
	unsigned i;

	for (i = n_blocks; i-- > 0;) {
		uintptr_t start = (uintptr_t)blocks[i].host;

		if (p >= start && p - start < (blocks[i].bytes ? blocks[i].bytes : 1))
			return &blocks[i];
	}
	return NULL;
}

/**
 * fw_heap_free() - the loader frees @ptr.
 * @ptr: not NULL.
 * @site: the loader's call.
 *
 * Return: HEAP_FREED; HEAP_NOT_OURS if no block of the heap holds @ptr
 * (the C library's own, from strdup(), or no block at all: the host's
 * free() judges it); HEAP_DOUBLE_FREE or HEAP_BAD_FREE (inside a block,
 * not its start), and nothing changed.
 */
enum fw_heap_free fw_heap_free(void *ptr, const void *site)
{
	struct heap_block *b = containing(ptr);

	if (b == NULL)
		return HEAP_NOT_OURS;
	if (b->host != ptr)
		return HEAP_BAD_FREE;
	if (!b->live)
		return HEAP_DOUBLE_FREE;
	b->live = false;
	b->free_site = site;
	if (b->in_arena)
		fw_arena_free(b->host, b->bytes);
	else
		free(b->host);
	return HEAP_FREED;
}

/**
 * fw_heap_size() - the size of the live block that starts at @ptr.
 * @ptr: a pointer the loader hands to realloc().
 * @bytes: out, the block's size.
 *
 * Return: false if @ptr is no live block's start.
 */
bool fw_heap_size(const void *ptr, size_t *bytes)
{
	const struct heap_block *b = containing(ptr);

	if (b == NULL || b->host != ptr || !b->live)
		return false;
	*bytes = b->bytes;
	return true;
}

/**
 * fw_heap_owns() - whether @ptr lies in a block of the heap, live or freed.
 * @ptr: any pointer.
 *
 * Return: true if it does.
 */
bool fw_heap_owns(const void *ptr)
{
	return containing(ptr) != NULL;
}

/**
 * fw_heap_reporting_bad_free() - the free() of @ptr (fw_heap_free() said
 * HEAP_DOUBLE_FREE or HEAP_BAD_FREE) is being reported as a bad access to
 * @ptr; NULL when the report is over.
 * @ptr: the pointer freed.
 */
void fw_heap_reporting_bad_free(const void *ptr)
{
	bad_free = ptr;
}

/**
 * fw_heap_block_view() - heap block @i as a bad access is explained.
 * @i: from 0.
 * @out: filled in when true is returned.
 *
 * Return: false past the last block.
 */
bool fw_heap_block_view(unsigned i, struct fw_block_view *out)
{
	const struct heap_block *b;

	if (i >= n_blocks)
		return false;
	b = &blocks[i];
	out->start = (uintptr_t)b->host;
	out->bytes = b->bytes;
	out->live = b->live;
	out->in_arena = b->in_arena;
	out->alloc_service = "malloc()";
	out->free_service = "free()";
	out->alloc_call = 0;
	out->free_call = 0;
	out->alloc_site = b->alloc_site;
	out->free_site = b->free_site;
	out->bad_free = NULL;
	if (bad_free != NULL && (uintptr_t)bad_free == out->start && !b->live)
		out->bad_free = "double-free";
	else if (bad_free != NULL && (uintptr_t)bad_free - out->start < (b->bytes ? b->bytes : 1))
		out->bad_free = "bad-free";
	return true;
}

/**
 * fw_heap_release() - the end of a run: every block is gone (arena blocks
 * with the arena, fw_arena_reset(); the host's freed here).
 */
void fw_heap_release(void)
{
	unsigned i;

	for (i = 0; i < n_blocks; i++)
		if (blocks[i].live && !blocks[i].in_arena)
			free(blocks[i].host);
	n_blocks = 0;
	bad_free = NULL;
}
