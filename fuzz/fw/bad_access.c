/* SPDX-License-Identifier: MIT */
/*
 * bad_access.c - a bad access to one of the loader's blocks in the arena
 * (arena.c), named as ASan names one to a heap chunk, with the calls that
 * made and freed the block: ASan sees only poisoned bytes there and says
 * "use-after-poison" (fuzz/sanitizer_reports.c prints what this says).
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* Block @i of the loader's: its pool and pages blocks, then its heap's. */
static bool block_view(unsigned i, struct fw_block_view *out)
{
	return i < fw.n_allocs ? fw_alloc_view(i, out) : fw_heap_block_view(i - fw.n_allocs, out);
}

/* The newest block, live or freed as @live says, that @addr lies in. */
static bool view_containing(uintptr_t addr, bool live, struct fw_block_view *out)
{
	struct fw_block_view v;
	bool found = false;
	unsigned i;

	for (i = 0; block_view(i, &v); i++)
		if (v.live == live && addr >= v.start && addr - v.start < (v.bytes ? v.bytes : 1)) {
			*out = v;
			found = true;
		}
	return found;
}

static void describe(const struct fw_block_view *b, struct fw_bad_access *out, const char *fmt,
		     uintptr_t offset)
{
	int n = snprintf(out->what, sizeof(out->what), fmt, (unsigned long long)offset);

	if (n < 0 || (size_t)n >= sizeof(out->what))
		return;
	if (b->alloc_call != 0)
		snprintf(out->what + n, sizeof(out->what) - (size_t)n, "a %zu-byte block from %s (call %u)",
			 b->bytes, b->alloc_service, b->alloc_call);
	else
		snprintf(out->what + n, sizeof(out->what) - (size_t)n, "a %zu-byte block from %s",
			 b->bytes, b->alloc_service);
	out->alloc_site = b->alloc_site;
	if (!b->live) {
		out->free_service = b->free_service;
		out->free_call = b->free_call;
		out->free_site = b->free_site;
	}
}

/**
 * fw_explain_fault() - what a fault (a SEGV) in the fake machine's RAM
 * (ram.c) touched: pages the loader freed, which ram.c makes inaccessible
 * (Syslinux's port read its boot_params after FreePages: a SEGV whose
 * report named no block).
 * @addr: the faulting address.
 * @out: filled in when true is returned (@out->kind "use-after-free",
 *	@out->free_service set; or, memory no allocation of the loader's
 *	holds, @out->free_service NULL).
 *
 * Return: true if @addr lies in pages of the loader's it freed, or in none
 * of its allocations.
 */
bool fw_explain_fault(uintptr_t addr, struct fw_bad_access *out)
{
	struct fw_block_view b;

	memset(out, 0, sizeof(*out));
	if (!fw_ram_in_machine(addr))
		return false;
	if (view_containing(addr, false, &b) && !b.in_arena) {
		out->kind = "use-after-free";
		describe(&b, out, "%llu bytes inside ", addr - b.start);
		return true;
	}
	/* Memory no allocation of the loader's holds: zefi's port copied its
	 * kernel's segments to their link addresses, free memory in the map it
	 * never asked for, a bare "SEGV on unknown address". */
	if (!view_containing(addr, true, &b)) {
		unsigned i;

		out->kind = "write or read of memory the loader never allocated";
		snprintf(out->what, sizeof(out->what),
			 "0x%llx lies in no descriptor of the map",
			 (unsigned long long)addr);
		for (i = 0; i < fw.n_regions; i++) {
			const struct fw_region *r = fw_map_region(i);

			if (addr >= r->start && addr - r->start < r->pages * EFI_PAGE_SIZE)
				snprintf(out->what, sizeof(out->what),
					 "0x%llx lies in a %s descriptor of the map%s",
					 (unsigned long long)addr,
					 r->type < 16 ? scn_memtype_names[r->type] : "OEM/OS",
					 r->type == EfiConventionalMemory
						 ? ", free: AllocatePages() would have given it"
						 : "");
		}
		return true;
	}
	/* Part of a live allocation freed (Syslinux frees 1 of its boot
	 * parameters' 4096 pages): the fault says that part is gone. */
	if (b.in_arena || b.free_call == 0)
		return false;
	out->kind = "use-after-free";
	describe(&b, out, "%llu bytes inside the freed part of ", addr - b.start);
	out->free_service = b.free_service;
	out->free_call = b.free_call;
	out->free_site = b.free_site;
	return true;
}

/**
 * fw_explain_bad_access() - what ASan would have said of a bad access to
 * a poisoned arena byte (it says "use-after-poison").
 * @addr: the address ASan reported.
 * @size: the bytes the access reads or writes from @addr.
 * @out: filled in when true is returned.
 *
 * An access that starts inside a live block and runs past its end is an
 * overrun: ASan's shadow marks the block's last 8-byte granule as partly
 * addressable and names the access by what follows it, our poison, where
 * a heap block's red zone would make it heap-buffer-overflow.  Any other
 * byte inside a live block is the loader's own poisoning (a heap of its
 * own in pages it allocated, as GRUB keeps): not ours to rename.  A free()
 * of the loader's heap that heap.c refused is reported as an access to the
 * pointer freed, and named here: a double-free, or a bad-free of a
 * pointer inside a block (ASan's names for the same two).
 *
 * Return: true if @addr is in the arena and the access is not wholly
 * inside a live block, or is such a free().
 */
bool fw_explain_bad_access(uintptr_t addr, size_t size, struct fw_bad_access *out)
{
	struct fw_block_view b, before = { 0 }, after = { 0 };
	uintptr_t past, ahead;
	unsigned i;

	memset(out, 0, sizeof(*out));
	if (!fw_arena_owns((const void *)addr))
		return false;
	if (view_containing(addr, true, &b)) {
		if (b.bad_free != NULL)
			out->kind = b.bad_free;
		else if (size > b.start + b.bytes - addr)
			out->kind = "heap-buffer-overflow";
		else
			return false;
	} else if (view_containing(addr, false, &b)) {
		out->kind = b.bad_free != NULL ? b.bad_free : "heap-use-after-free";
	}
	if (out->kind != NULL) {
		describe(&b, out, b.bad_free != NULL && addr == b.start ? "" : "%llu bytes inside ",
			 addr - b.start);
		return true;
	}
	/* In a gap: an overrun of the block before it or an underrun of the
	 * one after it, whichever is nearer (ASan says the same of a heap
	 * address between two chunks). */
	for (i = 0; block_view(i, &b); i++) {
		if (!b.in_arena)
			continue;
		if (b.start + b.bytes <= addr && (before.start == 0 || b.start > before.start))
			before = b;
		if (b.start > addr && (after.start == 0 || b.start < after.start))
			after = b;
	}
	out->kind = "heap-buffer-overflow";
	past = before.start != 0 ? addr - (before.start + before.bytes) : UINTPTR_MAX;
	ahead = after.start != 0 ? after.start - addr : UINTPTR_MAX;
	if (before.start != 0 && past <= ahead)
		describe(&before, out, "%llu bytes after the end of ", past);
	else if (after.start != 0)
		describe(&after, out, "%llu bytes before the start of ", ahead);
	else
		snprintf(out->what, sizeof(out->what), "between the loader's blocks");
	return true;
}
