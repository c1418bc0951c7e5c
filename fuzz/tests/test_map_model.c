/* SPDX-License-Identifier: MIT */
/*
 * test_map_model.c - the map model (fw/map.c) against the straightforward
 * implementation it replaced: random starting maps up to 900 regions,
 * random allocations (every delta, limits, sizes) and frees, whole and in
 * part, with and without merging, up to a full table; after every step the
 * two maps must be equal region for region, and every call must answer the
 * same.
 *
 * The reference below is the map model as of commit b9bae67 (split the
 * range's ends one region at a time, retype, merge neighbour by neighbour),
 * kept verbatim in substance: it is the specification the faster model
 * must keep meeting, so that traces stay byte-identical.  And the starting
 * map map_start.c keeps from one run for the next: the one a build makes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../fw/internal.h"

/* ---- the reference model, on its own table ---- */

static struct fw_region ref[FW_MAX_REGIONS];
static unsigned ref_n;
static bool ref_no_merge;

static uint64_t ref_end(const struct fw_region *r)
{
	return r->start + r->pages * EFI_PAGE_SIZE;
}

static uint64_t ref_attr_for(uint64_t attr, uint32_t type)
{
	bool rt = type == EfiRuntimeServicesCode || type == EfiRuntimeServicesData;

	return (attr & ~EFI_MEMORY_RUNTIME) | (rt ? EFI_MEMORY_RUNTIME : 0);
}

static bool ref_mergeable(const struct fw_region *a, const struct fw_region *b)
{
	return !ref_no_merge && a->type == b->type && a->attr == b->attr && ref_end(a) == b->start;
}

static bool ref_would_merge(const struct fw_region *r, const struct fw_region *nb, uint32_t type,
			    bool below)
{
	struct fw_region c = { type, r->start, r->pages, ref_attr_for(r->attr, type) };

	return below ? ref_mergeable(nb, &c) : ref_mergeable(&c, nb);
}

static void ref_insert_gap(unsigned i)
{
	memmove(&ref[i + 1], &ref[i], (ref_n - i) * sizeof(ref[0]));
	ref_n++;
}

static void ref_remove(unsigned i)
{
	memmove(&ref[i], &ref[i + 1], (ref_n - i - 1) * sizeof(ref[0]));
	ref_n--;
}

static void ref_merge_window(unsigned first, unsigned last)
{
	unsigned k = first, remaining = last - first + 1;

	while (remaining > 0 && k + 1 < ref_n) {
		if (ref_mergeable(&ref[k], &ref[k + 1])) {
			ref[k].pages += ref[k + 1].pages;
			ref_remove(k + 1);
		} else {
			k++;
		}
		remaining--;
	}
}

static unsigned ref_first_ending_above(uint64_t addr)
{
	unsigned i = 0;

	while (i < ref_n && ref_end(&ref[i]) <= addr)
		i++;
	return i;
}

static void ref_split_at(uint64_t addr)
{
	unsigned i = ref_first_ending_above(addr);
	struct fw_region *r = &ref[i];

	if (i == ref_n || addr <= r->start)
		return;
	ref_insert_gap(i + 1);
	ref[i + 1] = *r;
	ref[i + 1].start = addr;
	ref[i + 1].pages = (ref_end(r) - addr) / EFI_PAGE_SIZE;
	r->pages = (addr - r->start) / EFI_PAGE_SIZE;
}

static bool ref_convert(uint64_t start, uint64_t pages, uint32_t type)
{
	uint64_t end = start + pages * EFI_PAGE_SIZE;
	unsigned i, first;

	if (ref_n + 2 > FW_MAX_REGIONS)
		return false;
	ref_split_at(start);
	ref_split_at(end);
	first = ref_first_ending_above(start);
	for (i = first; i < ref_n && ref[i].start < end; i++) {
		ref[i].type = type;
		ref[i].attr = ref_attr_for(ref[i].attr, type);
	}
	if (i > first)
		ref_merge_window(first > 0 ? first - 1 : 0, i - 1);
	return true;
}

static bool ref_placement(unsigned i, uint64_t pages, uint32_t type, int delta, uint64_t *start)
{
	const struct fw_region *r = &ref[i];
	bool below = i > 0 && ref_would_merge(r, &ref[i - 1], type, true);
	bool above = i + 1 < ref_n && ref_would_merge(r, &ref[i + 1], type, false);

	if (r->pages == pages) {
		*start = r->start;
		return delta == -(int)below - (int)above;
	}
	if (delta == 2 && r->pages >= pages + 2) {
		*start = r->start + ((r->pages - pages) / 2) * EFI_PAGE_SIZE;
		return true;
	}
	if (delta == (above ? 0 : 1)) {
		*start = ref_end(r) - pages * EFI_PAGE_SIZE;
		return true;
	}
	*start = r->start;
	return delta == (below ? 0 : 1);
}

static bool ref_fits(const struct fw_region *r, uint64_t pages, uint64_t max_end)
{
	return r->type == EfiConventionalMemory && r->pages >= pages &&
	       r->start + pages * EFI_PAGE_SIZE <= max_end;
}

static bool ref_alloc(uint32_t type, uint64_t pages, uint8_t delta, uint64_t max_end,
		      uint64_t *start)
{
	static const int delta_value[DELTA_COUNT] = { 0, -2, -1, 0, 1, 2, 0 };
	bool found = false;
	unsigned i;

	if (delta != DELTA_AUTO && delta != DELTA_NONE)
		for (i = ref_n; !found && i-- > 0;)
			found = ref_fits(&ref[i], pages, max_end) &&
				ref_placement(i, pages, type, delta_value[delta], start) &&
				*start + pages * EFI_PAGE_SIZE <= max_end;
	for (i = ref_n; !found && i-- > 0;) {
		uint64_t top;

		if (!ref_fits(&ref[i], pages, max_end))
			continue;
		top = ref_end(&ref[i]) <= max_end ? ref_end(&ref[i])
						  : max_end & ~(uint64_t)(EFI_PAGE_SIZE - 1);
		*start = top - pages * EFI_PAGE_SIZE;
		found = true;
	}
	return found && ref_convert(*start, pages, type);
}

/* ---- the comparison ---- */

static struct scenario empty_scenario;
static struct fw_options quiet;
static uint32_t rng = 12345;

static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static const uint32_t types[] = {
	EfiConventionalMemory, EfiConventionalMemory, EfiConventionalMemory, EfiBootServicesData,
	EfiBootServicesCode,   EfiLoaderData,         EfiRuntimeServicesData, EfiACPIMemoryNVS,
	EfiReservedMemoryType, EfiMemoryMappedIO,
};
#define N_TYPES (sizeof(types) / sizeof(types[0]))

/* The model is read as GetMemoryMap() reads it: fw.map is its own. */
static bool same_maps(unsigned step, const char *what)
{
	EFI_MEMORY_DESCRIPTOR d;
	unsigned i;

	if (fw.n_regions != ref_n) {
		fprintf(stderr, "step %u (%s): %u regions, reference %u\n", step, what, fw.n_regions,
			ref_n);
		return false;
	}
	for (i = 0; i < ref_n; i++) {
		fw_map_render(i, &d);
		if (d.Type != ref[i].type || d.PhysicalStart != ref[i].start ||
		    d.NumberOfPages != ref[i].pages || d.Attribute != ref[i].attr) {
			fprintf(stderr, "step %u (%s): region %u differs\n", step, what, i);
			return false;
		}
	}
	return true;
}

/* A starting map: neighbours, gaps, and runs of one type that merge, built
 * in fw.map as fw_map_start.c builds it. */
static void random_start(void)
{
	unsigned count = 1 + next() % (next() % 4 == 0 ? 900 : 300), i;
	uint64_t at = 0x100000;

	fw.n_regions = 0;
	for (i = 0; i < count; i++) {
		uint32_t type = types[next() % N_TYPES];
		uint64_t pages = 1 + next() % (next() % 4 == 0 ? 4096 : 8);

		at += next() % 5 == 0 ? (1 + next() % 16) * EFI_PAGE_SIZE : 0;
		fw.map[fw.n_regions++] = (struct fw_region){
			type, at, pages, type == EfiRuntimeServicesData ? 0xf | EFI_MEMORY_RUNTIME : 0xf
		};
		at += pages * EFI_PAGE_SIZE;
	}
	memcpy(ref, fw.map, fw.n_regions * sizeof(ref[0]));
	ref_n = fw.n_regions;
	ref_merge_window(0, ref_n - 1);
	fw_map_normalize();
}

#define STEPS 500

struct range {
	uint64_t start, pages;
};

/* An allocation request, repeated as a handler's or timer's is. */
struct request {
	uint32_t type;
	uint64_t pages, max_end;
	uint8_t delta;
};

static bool run_sequence(unsigned seq)
{
	static struct range live[512];
	unsigned n_live = 0, step;
	struct request req = { 0, 0, 0, 0 };

	ref_no_merge = next() % 4 == 0;
	fw.quirks = ref_no_merge ? 1u << QUIRK_NO_MERGE : 0;
	random_start();
	if (!same_maps(0, "normalise"))
		return false;
	for (step = 1; step <= STEPS; step++) {
		if (n_live > 0 && next() % 3 == 0) {
			unsigned k = next() % n_live;
			struct range r = live[k];
			uint64_t part = next() % 4 == 0 ? 1 + next() % r.pages : r.pages;
			bool ok_ref = ref_convert(r.start, part, EfiConventionalMemory);

			fw_map_free(r.start, part, true);
			(void)ok_ref;
			live[k] = live[--n_live];
			if (!same_maps(step, "free"))
				return false;
		} else {
			uint64_t s_fw = 0, s_ref = 0;
			bool ok_fw, ok_ref;

			/* Half the time the last request again, as a handler or
			 * timer with a repeat count makes it. */
			if (req.pages == 0 || next() % 2 == 0) {
				req.type = types[3 + next() % (N_TYPES - 3)];
				req.pages = 1 + next() % (next() % 3 == 0 ? 64 : 3);
				req.delta = (uint8_t)(next() % DELTA_COUNT);
				req.max_end = next() % 5 == 0
						      ? 0x100000 + (uint64_t)(next() % 65536) * 4096
						      : UINT64_MAX;
			}
			ok_fw = fw_map_alloc(req.type, req.pages, req.delta, req.max_end, true, &s_fw);
			ok_ref = ref_alloc(req.type, req.pages, req.delta, req.max_end, &s_ref);

			if (ok_fw != ok_ref || (ok_fw && s_fw != s_ref)) {
				fprintf(stderr, "sequence %u step %u: alloc answered %d at %#llx, "
					"reference %d at %#llx\n", seq, step, ok_fw,
					(unsigned long long)s_fw, ok_ref, (unsigned long long)s_ref);
				return false;
			}
			if (ok_fw && n_live < 512)
				live[n_live++] = (struct range){ s_fw, req.pages };
			if (!same_maps(step, "alloc"))
				return false;
		}
	}
	return true;
}

/* ---- the starting map kept from the run before (map_start.c) ---- */

/* What fw_map_reset() leaves: the regions, where pool pages lie and the
 * notes it made. */
struct start {
	unsigned n, n_reasons;
	bool pool_pages_below_4g;
	struct fw_region map[FW_MAX_REGIONS];
	const char *reasons[FW_MAX_REASONS];
};

static void start_from(const struct scenario *scn, const struct fw_options *opt, bool no_merge,
		       struct start *out)
{
	unsigned i;

	fw.scn = scn;
	fw.opt = opt;
	fw.quirks = no_merge ? 1u << QUIRK_NO_MERGE : 0;
	fw.n_reasons = 0;
	fw.outside_rules = 0;
	fw_map_reset();
	out->n = fw.n_regions;
	out->pool_pages_below_4g = fw.pool_pages_below_4g;
	memcpy(out->map, fw.map, fw.n_regions * sizeof(fw.map[0]));
	out->n_reasons = fw.n_reasons;
	for (i = 0; i < fw.n_reasons; i++)
		out->reasons[i] = fw.reasons[i].why;
}

static bool same_start(const struct start *a, const struct start *b)
{
	unsigned i;

	if (a->n != b->n || a->n_reasons != b->n_reasons ||
	    a->pool_pages_below_4g != b->pool_pages_below_4g ||
	    memcmp(a->map, b->map, a->n * sizeof(a->map[0])) != 0)
		return false;
	for (i = 0; i < a->n_reasons; i++)
		if (strcmp(a->reasons[i], b->reasons[i]) != 0)
			return false;
	return true;
}

/*
 * A run whose starting map is built from what built the run before's is
 * given that map again, not built: for each thing a map is built from, a
 * scenario that differs from the run before's in that alone must start
 * from the map (and the notes) it starts from after an unrelated map.
 */
static bool kept_start_is_fresh(void)
{
	static struct scenario before, after, unrelated;
	static struct start kept, fresh;
	static struct fw_options pc, arm;
	unsigned k;

	arm.machine = MACHINE_ARM;
	unrelated.synthetic_count = 3;
	unrelated.synthetic_seed = 1;
	for (k = 0; k < 11; k++) {
		bool no_merge_before = false, no_merge_after = false;
		const struct fw_options *opt_before = &pc, *opt_after = &pc;

		memset(&before, 0, sizeof(before));
		before.set = SET_MAP;
		before.map_template = MAP_OVMF_2025;
		before.n_entries = 3;
		before.entries[0] = (struct scn_map_entry){ EfiLoaderData, 16, 0 };
		before.entries[1] = (struct scn_map_entry){ EfiLoaderData, 16, 0 };
		before.entries[2] = (struct scn_map_entry){ EfiConventionalMemory, 300, 4 };
		if (k == 3 || k == 4 || k == 8) { /* a map generated for the machine */
			before.synthetic_count = 200;
			before.synthetic_seed = 9;
		}
		after = before;
		switch (k) {
		case 0: after.map_template = MAP_OVMF_2022; break;
		case 1: after.entries[1].type = EfiBootServicesData; break;
		case 2: after.entries[2].pages = 0; break; /* a note too */
		case 3: after.synthetic_seed = 10; break;
		case 4: after.synthetic_count = 201; break;
		case 5: after.entries[2].gap_pages = 5; break;
		case 6: after.n_entries = 2; break;
		case 7: no_merge_after = true; break; /* the two LoaderData entries */
		case 8: opt_after = &arm; break;
		case 9: after.n_handlers = 1; break; /* nothing the map is built from */
		case 10: no_merge_before = true; opt_before = &arm; break;
		}
		start_from(&unrelated, &pc, false, &kept);
		start_from(&after, opt_after, no_merge_after, &fresh);
		start_from(&unrelated, &pc, false, &kept);
		start_from(&before, opt_before, no_merge_before, &kept);
		start_from(&after, opt_after, no_merge_after, &kept);
		if (!same_start(&kept, &fresh)) {
			printf("test_map_model: case %u: the kept map is not the one built\n", k);
			return false;
		}
	}
	return true;
}

int main(void)
{
	unsigned seq, failed = 0;

	fw.scn = &empty_scenario;
	fw.opt = &quiet;
	for (seq = 0; seq < 300 && failed == 0; seq++)
		failed += !run_sequence(seq);
	printf("test_map_model: %u sequences of %u changes, %s\n", seq, STEPS,
	       failed ? "the model differs from the reference" : "identical to the reference");
	if (failed == 0 && !kept_start_is_fresh())
		failed = 1;
	else if (failed == 0)
		printf("test_map_model: a starting map kept from the run before is the one built\n");
	return failed != 0;
}
