/* SPDX-License-Identifier: MIT */
/*
 * map.c - the firmware's memory map: page conversions the way EDK2's
 * CoreConvertPages() does them, and placement chosen by the input (the
 * descriptors GetMemoryMap() renders are map_render.c's).
 *
 * EDK2 clips a free range at its top, at its bottom or in its middle, then
 * merges the new range with neighbours of the same type and attributes
 * (MdeModulePkg/Core/Dxe/Mem/Page.c, CoreConvertPagesEx and CoreAddRange).
 * One allocation therefore changes the descriptor count by -2 to +2; OVMF
 * showed all of -2, 0 and +1 for single-page allocations (ovmf.md section 3).
 */
#include "map_table.h"

/*
 * Searches for free memory go from the top down; each block of BLOCK slots
 * of the table (map_table.h) keeps a bound on the largest free region in
 * it (never below the truth, made exact whenever a search passes the whole
 * block), so that searches skip the runs of small fragments that repeated
 * allocations leave.
 */
#define BLOCK 32u
#define BLOCKS ((FW_MAX_REGIONS + BLOCK - 1) / BLOCK)

static uint64_t block_bound[BLOCKS];  /* >= pages of any free region in the block */
/* Bumped whenever a slot of the block is written (note_slot()). */
static uint32_t block_version[BLOCKS];

/*
 * What find_free() last looked for in a block and did not find there.
 * Periodic timers ask for the same allocation at every tick, and a delta
 * that no free region can give (every free region between two of the
 * allocation's type, so that +1 is impossible) made each ask visit every
 * region: 95 regions a search, 60% of all the search's visits, over the
 * seeds and the bench corpus.  A block's answer depends on its slots and
 * on the slot on each side of it (the neighbours placement_for() reads):
 * it holds while the versions of the block and of the blocks on each side
 * are unchanged, and is kept only for a block whose slots and neighbours
 * all hold regions (none of them in the gap, where the neighbour would be
 * another slot).
 */
struct no_fit {
	bool valid;
	bool delta_wanted, merging;
	uint32_t type;
	int delta;
	uint64_t pages, need, max_end;
	uint32_t versions[3]; /* of the blocks before, this, after */
};
static struct no_fit no_fit[BLOCKS];

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

/* Slot @slot was written: keep its block's bound above it. */
MODEL_INLINE void note_slot(unsigned slot)
{
	const struct fw_region *r = &fw.map[slot];

	block_version[slot / BLOCK]++;
	if (r->type == EfiConventionalMemory && r->pages > block_bound[slot / BLOCK])
		block_bound[slot / BLOCK] = r->pages;
}

/* Move the gap so that region @to is the first above it. */
static MODEL_ONLY void move_gap(unsigned to)
{
	unsigned length = gap_length(), gap = fw.map_gap;

	while (gap > to) {
		gap--;
		copy_region(&fw.map[gap + length], &fw.map[gap]);
		note_slot(gap + length);
	}
	while (gap < to) {
		copy_region(&fw.map[gap], &fw.map[gap + length]);
		note_slot(gap);
		gap++;
	}
	fw.map_gap = gap;
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
 * fw_map_normalize() - take over the starting map fw_map_start.c built in
 * fw.map[0..fw.n_regions), and merge every mergeable pair of neighbours.
 */
void fw_map_normalize(void)
{
	fw.n_regions = merge_runs(fw.map, fw.n_regions);
	fw_map_adopt();
}

/**
 * fw_map_adopt() - take over fw.map[0..fw.n_regions) as fw_map_normalize()
 * leaves it (map_start.c's memo keeps a copy), forgetting every search.
 */
void fw_map_adopt(void)
{
	unsigned k;

	fw.map_gap = fw.n_regions;
	for (k = 0; k < BLOCKS; k++) {
		block_bound[k] = 0;
		no_fit[k].valid = false;
	}
	for (k = 0; k < fw.n_regions; k++)
		note_slot(k);
}

/* Index of the first region ending above @addr (regions are sorted). */
static MODEL_ONLY unsigned first_ending_above(uint64_t addr)
{
	unsigned lo = 0, hi = fw.n_regions;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (region_end(region(mid)) <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

#define NO_HINT FW_MAX_REGIONS

/* The window convert() works in: the converted pieces and one neighbour
 * on each side. */
static struct fw_region window[FW_MAX_REGIONS + 2];

/* Replace regions [@lo, @hi) with window[0..@n).  As many regions as
 * before (an allocation that merges with a neighbour, a free that merges
 * back) are written where they are: moving the gap there and back, as
 * timers' allocations at the top of the map and the loader's elsewhere
 * took turns, copied the regions between at every change. */
static MODEL_ONLY void splice(unsigned lo, unsigned hi, unsigned n)
{
	unsigned j, gap;

	if (n == hi - lo) {
		for (j = 0; j < n; j++) {
			copy_region(region(lo + j), &window[j]);
			note_slot(slot_of(lo + j));
		}
		return;
	}
	move_gap(hi);
	gap = lo;
	fw.n_regions -= hi - lo;
	for (j = 0; j < n; j++) {
		copy_region(&fw.map[gap], &window[j]);
		note_slot(gap);
		gap++;
		fw.n_regions++;
	}
	fw.map_gap = gap;
}

/**
 * convert() - give the pages of [@start, @start + @pages) the type @type.
 * @start: page-aligned model address inside the map.
 * @pages: number of pages.
 * @type: the new type.
 * @hint: the region holding @start if the caller knows it (a search just
 *	found it), else NO_HINT; checked, so a wrong hint costs only time.
 *
 * The regions the range touches are clipped at its ends, the pieces inside
 * take @type (keeping their caching attributes), and the pieces are merged
 * with each other and with the region (or clipped remainder) just below and
 * just above, as EDK2's CoreConvertPagesEx() and CoreAddRange() do.
 * Addresses in the range that no region covers stay uncovered.
 *
 * Return: false if the map has no room for the split (nothing changed).
 */
static MODEL_ONLY bool convert(uint64_t start, uint64_t pages, uint32_t type, unsigned hint)
{
	uint64_t end = start + pages * EFI_PAGE_SIZE;
	const struct fw_region *r;
	unsigned a, c, j, lo, hi, n = 0;

	if (fw.n_regions + 2 > FW_MAX_REGIONS)
		return false;
	if (hint < fw.n_regions && region_end(region(hint)) > start &&
	    (hint == 0 || region_end(region(hint - 1)) <= start))
		a = hint; /* what first_ending_above() would find */
	else
		a = first_ending_above(start);
	for (c = a; c < fw.n_regions && region(c)->start < end; c++)
		;
	if (c == a)
		return true; /* no region in the range */
	/* Below: the remainder of a region clipped at @start, or the region
	 * before the range; above likewise.  [lo, hi) is what is replaced. */
	lo = a;
	r = region(a);
	if (r->start < start) {
		copy_region(&window[n], r);
		window[n++].pages = (start - r->start) / EFI_PAGE_SIZE;
	} else if (a > 0) {
		copy_region(&window[n++], region(--lo));
	}
	for (j = a; j < c; j++) {
		uint64_t from, to;

		r = region(j);
		from = r->start > start ? r->start : start;
		to = region_end(r) < end ? region_end(r) : end;
		window[n].type = type;
		window[n].start = from;
		window[n].pages = (to - from) / EFI_PAGE_SIZE;
		window[n++].attr = attr_for(r->attr, type);
	}
	hi = c;
	r = region(c - 1);
	if (region_end(r) > end) {
		copy_region(&window[n], r);
		window[n].start = end;
		window[n++].pages = (region_end(r) - end) / EFI_PAGE_SIZE;
	} else if (c < fw.n_regions) {
		copy_region(&window[n++], region(hi++));
	}
	splice(lo, hi, merge_runs(window, n));
	return true;
}

/* Where, inside free region @i, to put @pages so the count changes by @delta. */
MODEL_INLINE bool placement_for(unsigned i, uint64_t pages, uint32_t type, int delta, uint64_t *start)
{
	const struct fw_region *r = region(i);
	bool below = i > 0 && would_merge(r, region(i - 1), type, true);
	bool above = i + 1 < fw.n_regions && would_merge(r, region(i + 1), type, false);

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

/* The versions of the blocks around @b (0 past either end). */
MODEL_INLINE void versions_around(unsigned b, uint32_t out[3])
{
	out[0] = b > 0 ? block_version[b - 1] : 0;
	out[1] = block_version[b];
	out[2] = b + 1 < BLOCKS ? block_version[b + 1] : 0;
}

/* Whether block @b, with the slot on each side, lies clear of the gap. */
MODEL_INLINE bool clear_of_gap(unsigned b)
{
	unsigned lo = b * BLOCK > 0 ? b * BLOCK - 1 : 0, hi = b * BLOCK + BLOCK; /* [lo, hi] */
	unsigned gap = fw.map_gap, length = gap_length();

	return length == 0 || hi < gap || lo >= gap + length;
}

/* The search find_free() is making, as no_fit keeps it. */
MODEL_INLINE struct no_fit search_key(uint64_t pages, uint64_t need, uint64_t max_end,
				      bool delta_wanted, uint32_t type, int delta)
{
	struct no_fit key = { true, delta_wanted, merging(), delta_wanted ? type : 0,
			      delta_wanted ? delta : 0, pages, need, max_end, { 0, 0, 0 } };

	return key;
}

/* Whether the last search of block @b for @key found nothing, and the
 * block and its neighbours are as they were then. */
MODEL_INLINE bool known_no_fit(unsigned b, const struct no_fit *key)
{
	const struct no_fit *n = &no_fit[b];
	uint32_t now[3];

	if (!n->valid || n->delta_wanted != key->delta_wanted || n->merging != key->merging ||
	    n->type != key->type || n->delta != key->delta || n->pages != key->pages ||
	    n->need != key->need || n->max_end != key->max_end || !clear_of_gap(b))
		return false;
	versions_around(b, now);
	return now[0] == n->versions[0] && now[1] == n->versions[1] && now[2] == n->versions[2];
}

MODEL_INLINE void remember_no_fit(unsigned b, const struct no_fit *key)
{
	no_fit[b] = *key;
	no_fit[b].valid = clear_of_gap(b);
	versions_around(b, no_fit[b].versions);
}

/**
 * find_free() - the highest free region with at least @need pages where
 * @pages can go below @max_end, and the delta asks for (if @delta_wanted).
 * @pages: the allocation.
 * @need: the least a region must have for @delta to be possible at all:
 *	placement_for() can give +2 only with two pages to spare, +1 with one.
 * @max_end: the allocation must end at or below.
 * @delta_wanted: check placement_for() for @delta; else any region.
 * @type: the allocation's type, for placement_for().
 * @delta: the change in descriptor count asked for.
 * @index: out, the region.
 * @start: out, where placement_for() put the pages (if @delta_wanted).
 *
 * Return: true if found.
 */
static MODEL_ONLY bool find_free(uint64_t pages, uint64_t need, uint64_t max_end, bool delta_wanted,
				 uint32_t type, int delta, unsigned *index, uint64_t *start)
{
	unsigned length = gap_length(), gap = fw.map_gap, b, slot;
	struct no_fit key = search_key(pages, need, max_end, delta_wanted, type, delta);

	for (b = BLOCKS; b-- > 0;) {
		uint64_t largest = 0;

		/* A block wholly inside the gap holds no region: go on below the
		 * gap.  With a small map nearly every block is gap, and visiting
		 * each one was most of the cost of a search. */
		if (b * BLOCK >= gap && b * BLOCK + BLOCK <= gap + length) {
			if (gap == 0)
				break;
			b = (gap - 1) / BLOCK + 1;
			continue;
		}
		if (block_bound[b] < need || known_no_fit(b, &key))
			continue;
		for (slot = b * BLOCK + BLOCK; slot-- > b * BLOCK;) {
			const struct fw_region *r = &fw.map[slot];
			unsigned i = slot < gap ? slot : slot - length;

			if (slot >= gap && slot < gap + length) {
				slot = gap; /* the next is the region below the gap */
				continue;
			}
			if (r->type != EfiConventionalMemory)
				continue;
			if (r->pages > largest)
				largest = r->pages;
			if (r->pages < need || r->start + pages * EFI_PAGE_SIZE > max_end)
				continue;
			if (delta_wanted && !(placement_for(i, pages, type, delta, start) &&
					      *start + pages * EFI_PAGE_SIZE <= max_end))
				continue;
			*index = i;
			return true;
		}
		block_bound[b] = largest;
		remember_no_fit(b, &key);
	}
	return false;
}

/* The highest free range where @pages of @type change the count by @delta. */
static MODEL_ONLY bool find_with_delta(uint64_t pages, uint32_t type, int delta, uint64_t max_end,
				       unsigned *index, uint64_t *start)
{
	uint64_t need = pages + (delta > 0 ? (uint64_t)delta : 0);

	return find_free(pages, need, max_end, true, type, delta, index, start);
}

/* EDK2's CoreFindFreePagesI: the top of the highest free range that fits. */
static MODEL_ONLY bool find_top_down(uint64_t pages, uint64_t max_end, unsigned *index,
				     uint64_t *start)
{
	const struct fw_region *r;
	uint64_t top;

	if (!find_free(pages, pages, max_end, false, 0, 0, index, start))
		return false;
	r = region(*index);
	top = region_end(r) <= max_end ? region_end(r) : max_end & ~(uint64_t)(EFI_PAGE_SIZE - 1);
	*start = top - pages * EFI_PAGE_SIZE;
	return true;
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
	unsigned found;

	if (!(explicit_delta &&
	      find_with_delta(pages, type, delta_value[delta], max_end, &found, start)) &&
	    !find_top_down(pages, max_end, &found, start)) {
		fw_uboot_alloc_failed(by_firmware);
		return false;
	}
	if (!convert(*start, pages, type, found))
		return false;
	if (by_firmware)
		fw_note_firmware_took(*start, pages);
	fw_map_changed(by_firmware);
	if (by_firmware)
		fw_map_firmware_took_low(*start);
	return true;
}

/**
 * fw_map_range_free() - whether every page of a range is free memory.
 * @start: page-aligned model address.
 * @pages: number of pages, at least 1.
 *
 * Return: true if [@start, @start + @pages pages) lies wholly in
 * EfiConventionalMemory, as AllocateAddress needs (EDK2's
 * CoreConvertPages refuses any other range with EFI_NOT_FOUND).
 */
MODEL_ONLY bool fw_map_range_free(uint64_t start, uint64_t pages)
{
	uint64_t end, at = start;
	unsigned i;

	if (pages > (UINT64_MAX - start) / EFI_PAGE_SIZE)
		return false;
	end = start + pages * EFI_PAGE_SIZE;
	for (i = first_ending_above(start); i < fw.n_regions && at < end; i++) {
		const struct fw_region *r = region(i); /* not fw.map[i]: the gap */

		if (r->start > at || r->type != EfiConventionalMemory)
			return false;
		at = region_end(r);
	}
	return at >= end;
}

/**
 * fw_map_alloc_at() - turn a free range the loader chose into @type.
 * @type: memory type of the allocation.
 * @start: page-aligned model address, fw_map_range_free() true.
 * @pages: number of pages.
 *
 * Return: false if the map has no room for the split (nothing changed).
 */
bool fw_map_alloc_at(uint32_t type, uint64_t start, uint64_t pages)
{
	if (!convert(start, pages, type, NO_HINT))
		return false;
	fw_map_changed(false);
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
	if (convert(start, pages, EfiConventionalMemory, NO_HINT)) {
		fw_map_changed(by_firmware);
		if (by_firmware)
			fw_map_check_low_memory(); /* a merge can end low memory past 1 MiB */
	} else
		fw_cannot_model("the fake firmware's map is full");
}
