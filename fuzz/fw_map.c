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
 *
 * Each change costs one scan and at most one shift of the regions above
 * it: a conversion is worked out in a small window (the regions it touches
 * and their two neighbours) and spliced back in one move, and merging is a
 * single compacting pass, so a run of 256 firmware changes over a map of
 * a thousand regions stays well under a millisecond under the sanitizers.
 */
#if defined(__clang__)
#define MODEL_ONLY                                                                             \
	__attribute__((no_sanitize("address"), no_builtin("memcpy"), no_builtin("memmove")))
#else
#define MODEL_ONLY __attribute__((no_sanitize("address")))
#endif
#define MODEL_INLINE static inline __attribute__((always_inline)) MODEL_ONLY

MODEL_INLINE uint64_t region_end(const struct fw_region *r)
{
	return r->start + r->pages * EFI_PAGE_SIZE;
}

MODEL_INLINE bool is_runtime(uint32_t type)
{
	return type == EfiRuntimeServicesCode || type == EfiRuntimeServicesData;
}

/* A range keeps its caching attributes; EFI_MEMORY_RUNTIME follows the type. */
MODEL_INLINE uint64_t attr_for(uint64_t attr, uint32_t type)
{
	return (attr & ~EFI_MEMORY_RUNTIME) | (is_runtime(type) ? EFI_MEMORY_RUNTIME : 0);
}

/* fw_quirk(QUIRK_NO_MERGE), read in place: it is asked for every pair. */
MODEL_INLINE bool merging(void)
{
	return !((fw.quirks >> QUIRK_NO_MERGE) & 1);
}

MODEL_INLINE bool mergeable(const struct fw_region *a, const struct fw_region *b)
{
	return merging() && a->type == b->type && a->attr == b->attr && region_end(a) == b->start;
}

/* Would region @r, converted to @type, merge with @neighbour? */
MODEL_INLINE bool would_merge(const struct fw_region *r, const struct fw_region *neighbour,
			      uint32_t type, bool neighbour_is_below)
{
	struct fw_region converted = { type, r->start, r->pages, attr_for(r->attr, type) };

	return neighbour_is_below ? mergeable(neighbour, &converted) : mergeable(&converted, neighbour);
}

MODEL_INLINE void copy_region(struct fw_region *dst, const struct fw_region *src)
{
	dst->type = src->type;
	dst->start = src->start;
	dst->pages = src->pages;
	dst->attr = src->attr;
}

/* Move the regions from index @from to the end so that they start at @to. */
static MODEL_ONLY void move_tail(unsigned from, unsigned to)
{
	unsigned k, count = fw.n_regions - from;

	if (to < from)
		for (k = 0; k < count; k++)
			copy_region(&fw.map[to + k], &fw.map[from + k]);
	else if (to > from)
		for (k = count; k-- > 0;)
			copy_region(&fw.map[to + k], &fw.map[from + k]);
	fw.n_regions = to + count;
}

/*
 * Merge each run of mergeable neighbours among @r[0..@n) into its first
 * region, left to right, as EDK2's CoreAddRange() merges a converted range
 * with what lies below and above it.
 *
 * Return: the regions left, compacted at the front of @r.
 */
static MODEL_ONLY unsigned merge_runs(struct fw_region *r, unsigned n)
{
	unsigned w = 0, k;

	for (k = 1; k < n; k++) {
		if (mergeable(&r[w], &r[k]))
			r[w].pages += r[k].pages;
		else if (++w != k)
			copy_region(&r[w], &r[k]);
	}
	return n ? w + 1 : 0;
}

/**
 * fw_map_normalize() - merge every mergeable pair of neighbours.
 */
void fw_map_normalize(void)
{
	fw.n_regions = merge_runs(fw.map, fw.n_regions);
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

/* The window convert() works in: the converted pieces and one neighbour
 * on each side. */
static struct fw_region window[FW_MAX_REGIONS + 2];

/**
 * convert() - give the pages of [@start, @start + @pages) the type @type.
 * @start: page-aligned model address inside the map.
 * @pages: number of pages.
 * @type: the new type.
 *
 * The regions the range touches are clipped at its ends, the pieces inside
 * take @type (keeping their caching attributes), and the pieces are merged
 * with each other and with the region (or clipped remainder) just below and
 * just above, as EDK2's CoreConvertPagesEx() and CoreAddRange() do.
 * Addresses in the range that no region covers stay uncovered.
 *
 * Return: false if the map has no room for the split (nothing changed).
 */
static MODEL_ONLY bool convert(uint64_t start, uint64_t pages, uint32_t type)
{
	uint64_t end = start + pages * EFI_PAGE_SIZE;
	unsigned a, c, j, lo, hi, n = 0;

	if (fw.n_regions + 2 > FW_MAX_REGIONS)
		return false;
	a = first_ending_above(start);
	for (c = a; c < fw.n_regions && fw.map[c].start < end; c++)
		;
	if (c == a)
		return true; /* no region in the range */
	/* Below: the remainder of a region clipped at @start, or the region
	 * before the range; above likewise.  [lo, hi) is what is replaced. */
	lo = a;
	if (fw.map[a].start < start) {
		copy_region(&window[n], &fw.map[a]);
		window[n++].pages = (start - fw.map[a].start) / EFI_PAGE_SIZE;
	} else if (a > 0) {
		copy_region(&window[n++], &fw.map[--lo]);
	}
	for (j = a; j < c; j++) {
		uint64_t from = fw.map[j].start > start ? fw.map[j].start : start;
		uint64_t to = region_end(&fw.map[j]) < end ? region_end(&fw.map[j]) : end;

		window[n].type = type;
		window[n].start = from;
		window[n].pages = (to - from) / EFI_PAGE_SIZE;
		window[n++].attr = attr_for(fw.map[j].attr, type);
	}
	hi = c;
	if (region_end(&fw.map[c - 1]) > end) {
		copy_region(&window[n], &fw.map[c - 1]);
		window[n].start = end;
		window[n++].pages = (region_end(&fw.map[c - 1]) - end) / EFI_PAGE_SIZE;
	} else if (c < fw.n_regions) {
		copy_region(&window[n++], &fw.map[hi++]);
	}
	n = merge_runs(window, n);
	move_tail(hi, lo + n);
	for (j = 0; j < n; j++)
		copy_region(&fw.map[lo + j], &window[j]);
	return true;
}

/* Where, inside free region @i, to put @pages so the count changes by @delta. */
MODEL_INLINE bool placement_for(unsigned i, uint64_t pages, uint32_t type, int delta, uint64_t *start)
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

MODEL_INLINE bool fits(const struct fw_region *r, uint64_t pages, uint64_t max_end)
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
	    !find_top_down(pages, max_end, start))
		return false;
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
