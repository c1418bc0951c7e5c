/* SPDX-License-Identifier: MIT */
/*
 * map_render.c - the firmware's map as GetMemoryMap() reports it: each
 * region as a descriptor (corrupted where a scenario asks), and whether a
 * loader's buffer still describes the map; and regions read in address
 * order for other files.  (The size a buffer must have room for is
 * internal.h's fw_map_required_descs().)
 */
#include <stdlib.h>
#include <string.h>

#include "../sanitizers.h"
#include "map_table.h"

/**
 * fw_map_region() - region @i in address order, @i < fw.n_regions, for
 * readers outside map.c (fw.map is a gap buffer once a run starts).
 */
MODEL_ONLY const struct fw_region *fw_map_region(unsigned i)
{
	return region(i);
}

/**
 * fw_map_corruptions_reset() - note, for the run's scenario, the index
 * past the last descriptor it corrupts.
 *
 * Every descriptor rendered used to walk the scenario's corruptions: with
 * a few of them and maps of hundreds of descriptors, that walk was 1% of a
 * 20-second campaign from the seeds (perf).
 */
void fw_map_corruptions_reset(void)
{
	const struct scenario *scn = fw.scn;
	unsigned i;

	fw.corrupted_below = 0;
	for (i = 0; i < scn->n_corruptions; i++) {
		const struct scn_corruption *c = &scn->corruptions[i];

		if (c->target <= CORRUPT_ATTRIBUTE && c->index >= fw.corrupted_below)
			fw.corrupted_below = c->index + 1u;
	}
}

/* Non-compliant firmware: overwrite fields the scenario chose to corrupt. */
static void corrupt_descriptor(unsigned index, EFI_MEMORY_DESCRIPTOR *desc)
{
	const struct scenario *scn = fw.scn;
	unsigned i;

	for (i = 0; i < scn->n_corruptions; i++) {
		const struct scn_corruption *c = &scn->corruptions[i];

		if (c->index != index)
			continue;
		if (c->target == CORRUPT_TYPE)
			desc->Type = (UINT32)c->value;
		else if (c->target == CORRUPT_START)
			desc->PhysicalStart = c->value;
		else if (c->target == CORRUPT_PAGES)
			desc->NumberOfPages = c->value;
		else if (c->target == CORRUPT_ATTRIBUTE)
			desc->Attribute = c->value;
	}
}

/**
 * fw_map_render() - the descriptor GetMemoryMap() reports for a region.
 * @index: below fw.n_regions.
 * @desc: filled in; VirtualStart is 0 before SetVirtualAddressMap().
 *
 * The stores go without ASan's check each: @desc is the caller's own
 * memory, or a loader buffer ASan has checked as a whole (getmap.c,
 * render_map(); a buffer with a bad byte is written through a checked copy
 * instead).  The corruptions a scenario asks for are written checked.
 */
__attribute__((no_sanitize("address"))) void fw_map_render(unsigned index, EFI_MEMORY_DESCRIPTOR *desc)
{
	const struct fw_region *r = region(index);

	memset((uint8_t *)desc + sizeof(desc->Type), 0,
	       offsetof(EFI_MEMORY_DESCRIPTOR, PhysicalStart) - sizeof(desc->Type));
	desc->Type = r->type;
	desc->PhysicalStart = r->start;
	desc->VirtualStart = 0;
	desc->NumberOfPages = r->pages;
	desc->Attribute = r->attr;
	if (index < fw.corrupted_below)
		corrupt_descriptor(index, desc);
}

/**
 * fw_map_render_unchecked() - every descriptor, @stride bytes apart, with
 * no sanitizer check per store.
 * @out: 8-byte aligned; the caller has had [@out, @out + fw.n_regions *
 *	@stride) checked as a whole (getmap.c, render_map()).
 * @stride: fw.desc_size, a multiple of 8, at least the structure's size.
 *
 * What lies past each structure is left as it is.
 */
__attribute__((no_sanitize("address"))) void fw_map_render_unchecked(uint8_t *out, size_t stride)
{
	unsigned i;

	for (i = 0; i < fw.n_regions; i++, out += stride)
		fw_map_render(i, (EFI_MEMORY_DESCRIPTOR *)(void *)out);
}

/* The fields that describe memory; a loader may legitimately write
 * VirtualStart before ExitBootServices (Linux's efi_get_virtmap() does). */
struct desc_key {
	uint64_t start, pages, attr, type;
};

static struct desc_key buffer_keys[FW_MAX_REGIONS], map_keys[FW_MAX_REGIONS];

static int compare_keys(const void *a, const void *b)
{
	const struct desc_key *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->pages != y->pages)
		return x->pages < y->pages ? -1 : 1;
	if (x->attr != y->attr)
		return x->attr < y->attr ? -1 : 1;
	return x->type < y->type ? -1 : x->type > y->type;
}

/* Reads a descriptor of the loader's buffer with no check: the caller
 * bounded the range to memory the loader owns (loader_map_bytes()). */
static __attribute__((no_sanitize("address"))) void key_of(struct desc_key *key,
							  const uint8_t *desc)
{
	uint32_t type;

	memcpy(&type, desc + offsetof(EFI_MEMORY_DESCRIPTOR, Type), 4);
	key->type = type;
	memcpy(&key->start, desc + offsetof(EFI_MEMORY_DESCRIPTOR, PhysicalStart), 8);
	memcpy(&key->pages, desc + offsetof(EFI_MEMORY_DESCRIPTOR, NumberOfPages), 8);
	memcpy(&key->attr, desc + offsetof(EFI_MEMORY_DESCRIPTOR, Attribute), 8);
}

/* How many of @buf's first @n descriptors match the map's, in order, read
 * with no check per load (loader_map_bytes() bounded them). */
static __attribute__((no_sanitize("address"))) unsigned
matching_in_order_unchecked(const uint8_t *buf, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++, buf += fw.desc_size) {
		const struct fw_region *r = region(i);
		uint64_t start, pages, attr;
		uint32_t type;

		memcpy(&type, buf + offsetof(EFI_MEMORY_DESCRIPTOR, Type), 4);
		memcpy(&start, buf + offsetof(EFI_MEMORY_DESCRIPTOR, PhysicalStart), 8);
		memcpy(&pages, buf + offsetof(EFI_MEMORY_DESCRIPTOR, NumberOfPages), 8);
		memcpy(&attr, buf + offsetof(EFI_MEMORY_DESCRIPTOR, Attribute), 8);
		if (type != r->type || start != r->start || pages != r->pages || attr != r->attr)
			break;
	}
	return i;
}

/* How many of the @size bytes at @buf the referee may read back: the
 * rest of the loader's allocation holding @buf, or all of them where ASan
 * finds every one addressable (a static or stack buffer).  The check is
 * the referee's, not the loader's: a read of it past the loader's memory
 * was reported at a loader's ExitBootServices() call that reads nothing
 * (a loader claiming room it does not have, exit-boot.md 3.13, whose
 * overrun GetMemoryMap() already reported at its own call), and bytes the
 * loader's own heap poisoned (a freed block, GRUB's heap) are still the
 * memory the map was written to, read without a report. */
static size_t loader_map_bytes(const uint8_t *buf, size_t size)
{
	const struct fw_alloc *a = fw_alloc_containing(buf, true);
	size_t room;

	if (a == NULL)
		return asan_range_addressable(buf, size) ? size : 0;
	room = a->bytes - (size_t)((uintptr_t)buf - (uintptr_t)a->host);
	return size < room ? size : room;
}

/* Sort @n keys.  They are in order already or nearly: the map's are,
 * unless the scenario corrupts a few descriptors, and so is a buffer the
 * loader sorted by address (the hardened loader's, at every exit: qsort()
 * was 2% of make bench's per-input time).  So an insertion sort, which
 * costs a pass and a move per place a key is out by; past 8 moves a key
 * (keys in another order), qsort() finishes.  Keys that compare equal are
 * equal, so either gives the same array.  The keys are the referee's own
 * (buffer_keys, map_keys): no ASan check per move. */
static __attribute__((no_sanitize("address"))) void sort_keys(struct desc_key *keys, unsigned n)
{
	size_t moves = 0, budget = (size_t)n * 8;
	unsigned i, j;

	for (i = 1; i < n; i++) {
		struct desc_key key = keys[i];

		for (j = i; j > 0 && compare_keys(&keys[j - 1], &key) > 0; j--) {
			if (++moves > budget) {
				keys[j] = key;
				qsort(keys, n, sizeof(keys[0]), compare_keys);
				return;
			}
			keys[j] = keys[j - 1];
		}
		keys[j] = key;
	}
}

/* Whether every key of @part (@n_part, sorted) is in @all (@n_all,
 * sorted), as many times: a multiset inclusion. */
static bool keys_included(const struct desc_key *part, unsigned n_part,
			  const struct desc_key *all, unsigned n_all)
{
	unsigned i = 0, j = 0;

	while (i < n_part && j < n_all) {
		int order = compare_keys(&part[i], &all[j]);

		if (order < 0)
			return false;
		j++;
		i += order == 0;
	}
	return i == n_part;
}

/**
 * fw_map_matches() - whether a buffer still describes the current map.
 * @buf: what GetMemoryMap() wrote, with fw.desc_size as stride.
 * @size: the bytes of it both written and reported, the map's.
 * @told: the bytes the loader was told were the map (@size or more).
 *
 * Compares type, start, pages and attributes of the first @size bytes'
 * descriptors with the map's, in order; or, if the loader sorted the
 * buffer in place, as a set: each of the map's descriptors must be among
 * the @told bytes' (a firmware reporting more than it wrote told the
 * loader its stale bytes were descriptors too, and a sort may move the
 * map's among them).  Only meaningful for a stride that holds whole
 * descriptors, and only where the map lies in memory the loader owns
 * (loader_map_bytes()); a map that ran past it is no one's to compare.
 * No access is checked or reported.
 *
 * Return: false only if a descriptor the loader holds differs.
 */
bool fw_map_matches(const uint8_t *buf, size_t size, size_t told)
{
	unsigned i, n, n_told;
	size_t told_descs;
	EFI_MEMORY_DESCRIPTOR d;

	if (fw.desc_size < sizeof(EFI_MEMORY_DESCRIPTOR))
		return true;
	n = (unsigned)(size / fw.desc_size);
	if (n > fw.n_regions)
		return false;
	if (loader_map_bytes(buf, (size_t)n * fw.desc_size) < (size_t)n * fw.desc_size)
		return true;
	if (matching_in_order_unchecked(buf, n) == n)
		return true;
	/* As many of the told descriptors as the comparison can hold; past
	 * FW_MAX_REGIONS (a corrupt size, counted before any narrowing) or the
	 * loader's memory, no verdict. */
	told_descs = told / fw.desc_size;
	if (told_descs > FW_MAX_REGIONS)
		return true;
	n_told = told_descs > n ? (unsigned)told_descs : n;
	if (loader_map_bytes(buf, (size_t)n_told * fw.desc_size) < (size_t)n_told * fw.desc_size)
		return true;
	for (i = 0; i < n; i++) {
		fw_map_render(i, &d);
		key_of(&map_keys[i], (const uint8_t *)&d);
	}
	for (i = 0; i < n_told; i++)
		key_of(&buffer_keys[i], buf + (size_t)i * fw.desc_size);
	sort_keys(buffer_keys, n_told);
	sort_keys(map_keys, n);
	return keys_included(map_keys, n, buffer_keys, n_told);
}

/* A Type a descriptor can have (UEFI 2.10 section 7.2.1): the spec's, the
 * OEM's (0x70000000 on) and the OS loader's (0x80000000 on).  A slot of a
 * table the loader wrote over the map may hold its start where the
 * descriptor's was by chance (Hyper's first entry, 64 MiB at 64 MiB, its
 * size where the PhysicalStart had been), but rarely a type. */
static bool memory_type_valid(uint64_t type)
{
	return type < 16 || (type >= 0x70000000u && type <= 0xffffffffu);
}

/**
 * fw_map_replaced() - whether the loader wrote something of its own over
 * the map in its buffer, rather than changing the map.
 * @buf: what GetMemoryMap() wrote, with fw.desc_size as stride.
 * @size: the bytes of it both written and reported, the map's.
 *
 * Called once the map no longer matches (fw_map_matches()).  UEFI asks
 * nothing of the buffer after the read: ExitBootServices() takes the key
 * (UEFI 2.10 section 7.4.6).  Loaders rewrite the map in place into their
 * kernel's format before the exit: ToaruOS its multiboot map
 * (boot/multiboot.c, finish_boot(): 24-byte entries where the descriptors
 * were), Hyper its Ultra map (loader/uefi/uefi_memory_services.c: 24-byte
 * entries, sorted, neighbours of one kind merged, so that descriptors
 * vanish and the ones past the table stay in place).  The kernel then gets
 * the current map in a form the referee cannot read.  What it can tell is
 * a map changed in its own form: every descriptor still starts where it
 * did (its PhysicalStart in its place), and one has another type, size or
 * attribute, a map that is not the firmware's; or one is all zeros, an end
 * tag over a descriptor the loader was told it holds.  A descriptor whose
 * PhysicalStart is gone from its place, and something else there, or
 * whose Type is no type at all, was written over: replaced.
 *
 * Return: true if a descriptor's PhysicalStart is no longer in its place
 * and the descriptor is not all zeros, or its Type is no memory type.
 */
bool fw_map_replaced(const uint8_t *buf, size_t size)
{
	unsigned i, n;
	EFI_MEMORY_DESCRIPTOR d;
	struct desc_key held;

	if (fw.desc_size < sizeof(EFI_MEMORY_DESCRIPTOR))
		return false;
	n = (unsigned)(size / fw.desc_size);
	/* Only what the loader owns (loader_map_bytes()). */
	if (n > fw.n_regions || loader_map_bytes(buf, (size_t)n * fw.desc_size) < (size_t)n * fw.desc_size)
		return false;
	for (i = 0; i < n; i++) {
		fw_map_render(i, &d);
		key_of(&held, buf + (size_t)i * fw.desc_size);
		if ((held.start != d.PhysicalStart &&
		     (held.start | held.pages | held.attr | held.type) != 0) ||
		    !memory_type_valid(held.type))
			return true;
	}
	return false;
}
