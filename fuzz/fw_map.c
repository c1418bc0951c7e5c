/* SPDX-License-Identifier: MIT */
/*
 * fw_map.c - the firmware's memory map: page conversions the way EDK2's
 * CoreConvertPages() does them, placement chosen by the input, and the
 * descriptors GetMemoryMap() renders.
 *
 * EDK2 clips a free range at its top, at its bottom or in its middle, then
 * merges the new range with neighbours of the same type and attributes
 * (MdeModulePkg/Core/Dxe/Mem/Page.c, CoreConvertPagesEx and CoreAddRange).
 * One allocation therefore changes the descriptor count by -2 to +2; OVMF
 * showed all of -2, 0 and +1 for single-page allocations (ovmf.md section 3).
 */
#include <stdlib.h>
#include <string.h>

#include "fw_internal.h"

/*
 * MODEL_ONLY functions touch nothing but the firmware's own region table,
 * and they run for every map change: scans over hundreds of regions and
 * shifts of the array when handlers split the map hundreds of times.  They
 * are exempt from ASan, whose job is the loader's memory (everything that
 * writes into loader buffers stays instrumented); UBSan still checks them.
 * Under ASan a struct assignment is a call to __asan_memcpy and memmove a
 * byte loop (compiler-rt 14), so regions move field by field, and clang
 * must not fuse the fields back into a call.
 */
#if defined(__clang__)
#define MODEL_ONLY                                                                             \
	__attribute__((no_sanitize("address"), no_builtin("memcpy"), no_builtin("memmove")))
#else
#define MODEL_ONLY __attribute__((no_sanitize("address")))
#endif

static MODEL_ONLY uint64_t region_end(const struct fw_region *r)
{
	return r->start + r->pages * EFI_PAGE_SIZE;
}

static MODEL_ONLY bool is_runtime(uint32_t type)
{
	return type == EfiRuntimeServicesCode || type == EfiRuntimeServicesData;
}

/* A range keeps its caching attributes; EFI_MEMORY_RUNTIME follows the type. */
static MODEL_ONLY uint64_t attr_for(uint64_t attr, uint32_t type)
{
	return (attr & ~EFI_MEMORY_RUNTIME) | (is_runtime(type) ? EFI_MEMORY_RUNTIME : 0);
}

static MODEL_ONLY bool mergeable(const struct fw_region *a, const struct fw_region *b)
{
	return !fw_quirk(QUIRK_NO_MERGE) && a->type == b->type && a->attr == b->attr &&
	       region_end(a) == b->start;
}

/* Would region @r, converted to @type, merge with @neighbour? */
static MODEL_ONLY bool would_merge(const struct fw_region *r, const struct fw_region *neighbour,
			uint32_t type, bool neighbour_is_below)
{
	struct fw_region converted = { type, r->start, r->pages, attr_for(r->attr, type) };

	return neighbour_is_below ? mergeable(neighbour, &converted) : mergeable(&converted, neighbour);
}

static inline MODEL_ONLY void copy_region(struct fw_region *dst, const struct fw_region *src)
{
	dst->type = src->type;
	dst->start = src->start;
	dst->pages = src->pages;
	dst->attr = src->attr;
}

/* Make room for one region at index @i (the caller checked room). */
static MODEL_ONLY void insert_gap(unsigned i)
{
	unsigned k;

	for (k = fw.n_regions; k > i; k--)
		copy_region(&fw.map[k], &fw.map[k - 1]);
	fw.n_regions++;
}

static MODEL_ONLY void remove_region(unsigned i)
{
	unsigned k;

	for (k = i; k + 1 < fw.n_regions; k++)
		copy_region(&fw.map[k], &fw.map[k + 1]);
	fw.n_regions--;
}

/* Merge the pairs (k, k + 1) for @first <= k <= @last, as indexed on entry. */
static MODEL_ONLY void merge_window(unsigned first, unsigned last)
{
	unsigned k = first, remaining = last - first + 1;

	while (remaining > 0 && k + 1 < fw.n_regions) {
		if (mergeable(&fw.map[k], &fw.map[k + 1])) {
			fw.map[k].pages += fw.map[k + 1].pages;
			remove_region(k + 1);
		} else {
			k++;
		}
		remaining--;
	}
}

/**
 * fw_map_normalize() - merge every mergeable pair of neighbours.
 */
void fw_map_normalize(void)
{
	if (fw.n_regions > 0)
		merge_window(0, fw.n_regions - 1);
}

/* Index of the first region ending above @addr (regions are sorted). */
static MODEL_ONLY unsigned first_ending_above(uint64_t addr)
{
	unsigned lo = 0, hi = fw.n_regions;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (region_end(&fw.map[mid]) <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Split the region strictly containing @addr in two (the caller checked room). */
static MODEL_ONLY void split_at(uint64_t addr)
{
	unsigned i = first_ending_above(addr);
	struct fw_region *r = &fw.map[i];

	if (i == fw.n_regions || addr <= r->start)
		return;
	insert_gap(i + 1);
	fw.map[i + 1] = *r;
	fw.map[i + 1].start = addr;
	fw.map[i + 1].pages = (region_end(r) - addr) / EFI_PAGE_SIZE;
	r->pages = (addr - r->start) / EFI_PAGE_SIZE;
}

/**
 * convert() - give the pages of [@start, @start + @pages) the type @type.
 * @start: page-aligned model address inside the map.
 * @pages: number of pages.
 * @type: the new type.
 *
 * Return: false if the map has no room for the split (nothing changed).
 */
static MODEL_ONLY bool convert(uint64_t start, uint64_t pages, uint32_t type)
{
	uint64_t end = start + pages * EFI_PAGE_SIZE;
	unsigned i, first;

	if (fw.n_regions + 2 > FW_MAX_REGIONS)
		return false;
	split_at(start);
	split_at(end);
	first = first_ending_above(start);
	for (i = first; i < fw.n_regions && fw.map[i].start < end; i++) {
		fw.map[i].type = type;
		fw.map[i].attr = attr_for(fw.map[i].attr, type);
	}
	if (i > first)
		merge_window(first > 0 ? first - 1 : 0, i - 1);
	return true;
}

/* Where, inside free region @i, to put @pages so the count changes by @delta. */
static MODEL_ONLY bool placement_for(unsigned i, uint64_t pages, uint32_t type, int delta, uint64_t *start)
{
	const struct fw_region *r = &fw.map[i];
	bool below = i > 0 && would_merge(r, &fw.map[i - 1], type, true);
	bool above = i + 1 < fw.n_regions && would_merge(r, &fw.map[i + 1], type, false);

	if (r->pages == pages) {
		*start = r->start;
		return delta == -(int)below - (int)above;
	}
	if (delta == 2 && r->pages >= pages + 2) {
		*start = r->start + ((r->pages - pages) / 2) * EFI_PAGE_SIZE;
		return true;
	}
	if (delta == (above ? 0 : 1)) {
		*start = region_end(r) - pages * EFI_PAGE_SIZE;
		return true;
	}
	*start = r->start;
	return delta == (below ? 0 : 1);
}

static const int delta_value[DELTA_COUNT] = { 0, -2, -1, 0, 1, 2, 0 };

static MODEL_ONLY bool fits(const struct fw_region *r, uint64_t pages, uint64_t max_end)
{
	return r->type == EfiConventionalMemory && r->pages >= pages &&
	       r->start + pages * EFI_PAGE_SIZE <= max_end;
}

/* The highest free range where @pages of @type change the count by @delta. */
static MODEL_ONLY bool find_with_delta(uint64_t pages, uint32_t type, int delta, uint64_t max_end,
			    uint64_t *start)
{
	unsigned i;

	for (i = fw.n_regions; i-- > 0;)
		if (fits(&fw.map[i], pages, max_end) &&
		    placement_for(i, pages, type, delta, start) &&
		    *start + pages * EFI_PAGE_SIZE <= max_end)
			return true;
	return false;
}

/* EDK2's CoreFindFreePagesI: the top of the highest free range that fits. */
static MODEL_ONLY bool find_top_down(uint64_t pages, uint64_t max_end, uint64_t *start)
{
	unsigned i;

	for (i = fw.n_regions; i-- > 0;) {
		const struct fw_region *r = &fw.map[i];
		uint64_t top;

		if (!fits(r, pages, max_end))
			continue;
		top = region_end(r) <= max_end ? region_end(r) : max_end & ~(uint64_t)(EFI_PAGE_SIZE - 1);
		*start = top - pages * EFI_PAGE_SIZE;
		return true;
	}
	return false;
}

/**
 * fw_map_alloc() - turn @pages free pages into @type.
 * @type: memory type of the allocation.
 * @pages: number of pages, at least 1.
 * @delta: enum scn_delta; DELTA_AUTO (and DELTA_NONE) allocate top-down from
 *	the highest free range that fits, as EDK2 does; an explicit delta
 *	picks the highest range where that change results, falling back to
 *	top-down if there is none.
 * @max_end: the range must end at or below this model address.
 * @by_firmware: the change is the firmware's doing, not the loader's.
 * @start: out, where the pages went.
 *
 * Return: false if no free range is large enough (nothing changed).
 */
bool fw_map_alloc(uint32_t type, uint64_t pages, uint8_t delta, uint64_t max_end, bool by_firmware,
		  uint64_t *start)
{
	bool explicit_delta = delta != DELTA_AUTO && delta != DELTA_NONE;

	if (!(explicit_delta && find_with_delta(pages, type, delta_value[delta], max_end, start)) &&
	    !find_top_down(pages, max_end, start)) {
		fw_uboot_alloc_failed(by_firmware);
		return false;
	}
	if (!convert(*start, pages, type))
		return false;
	fw_map_changed(by_firmware);
	return true;
}

/**
 * fw_map_free() - return [@start, @start + @pages) to free memory.
 * @start: a range an earlier fw_map_alloc() handed out.
 * @pages: its length.
 * @by_firmware: the change is the firmware's doing, not the loader's.
 *
 * The count may grow: freeing part of a merged range splits it.
 */
void fw_map_free(uint64_t start, uint64_t pages, bool by_firmware)
{
	if (convert(start, pages, EfiConventionalMemory))
		fw_map_changed(by_firmware);
	else
		fw_not_compliant("the firmware's map is full");
}

/**
 * fw_map_required_descs() - descriptors a buffer must have room for.
 *
 * EDK2 checks the caller's size against its unmerged entry count plus GCD
 * extras, an upper bound above what it then returns (exit-boot.md 2.3, F11).
 *
 * Return: current descriptors plus the over-report.
 */
unsigned fw_map_required_descs(void)
{
	return fw.n_regions + fw.over_report;
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
 */
void fw_map_render(unsigned index, EFI_MEMORY_DESCRIPTOR *desc)
{
	const struct fw_region *r = &fw.map[index];

	memset((uint8_t *)desc + sizeof(desc->Type), 0,
	       offsetof(EFI_MEMORY_DESCRIPTOR, PhysicalStart) - sizeof(desc->Type));
	desc->Type = r->type;
	desc->PhysicalStart = r->start;
	desc->VirtualStart = 0;
	desc->NumberOfPages = r->pages;
	desc->Attribute = r->attr;
	if (fw.scn->n_corruptions > 0)
		corrupt_descriptor(index, desc);
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

static void key_of(struct desc_key *key, const uint8_t *desc)
{
	uint32_t type;

	memcpy(&type, desc + offsetof(EFI_MEMORY_DESCRIPTOR, Type), 4);
	key->type = type;
	memcpy(&key->start, desc + offsetof(EFI_MEMORY_DESCRIPTOR, PhysicalStart), 8);
	memcpy(&key->pages, desc + offsetof(EFI_MEMORY_DESCRIPTOR, NumberOfPages), 8);
	memcpy(&key->attr, desc + offsetof(EFI_MEMORY_DESCRIPTOR, Attribute), 8);
}

static bool same_as_region(const struct desc_key *key, const struct fw_region *r)
{
	return key->type == r->type && key->start == r->start && key->pages == r->pages &&
	       key->attr == r->attr;
}

/**
 * fw_map_matches() - whether a buffer still describes the current map.
 * @buf: what GetMemoryMap() wrote, with fw.desc_size as stride.
 * @size: the size it returned.
 *
 * Compares type, start, pages and attributes, in order, or as a set if the
 * loader sorted the buffer in place.  Only meaningful for a stride that
 * holds whole descriptors.
 *
 * Return: true if every descriptor matches.
 */
bool fw_map_matches(const uint8_t *buf, size_t size)
{
	unsigned i, n = fw.n_regions;
	EFI_MEMORY_DESCRIPTOR d;

	if (fw.desc_size < sizeof(EFI_MEMORY_DESCRIPTOR))
		return true;
	if (size != (size_t)n * fw.desc_size)
		return false;
	for (i = 0; i < n; i++) {
		key_of(&buffer_keys[0], buf + (size_t)i * fw.desc_size);
		if (!same_as_region(&buffer_keys[0], &fw.map[i]))
			break;
	}
	if (i == n)
		return true;
	for (i = 0; i < n; i++) {
		fw_map_render(i, &d);
		key_of(&buffer_keys[i], buf + (size_t)i * fw.desc_size);
		key_of(&map_keys[i], (const uint8_t *)&d);
	}
	qsort(buffer_keys, n, sizeof(buffer_keys[0]), compare_keys);
	qsort(map_keys, n, sizeof(map_keys[0]), compare_keys);
	return memcmp(buffer_keys, map_keys, n * sizeof(map_keys[0])) == 0;
}
