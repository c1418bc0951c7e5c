/* SPDX-License-Identifier: MIT */
/*
 * map_start.c - the memory map a run starts with: a real OVMF map, a
 * small hand-made one, or one generated from a seed, plus any descriptors
 * the scenario appends.
 */
#include <string.h>

#include "internal.h"

#define RUNTIME_WB (EFI_MEMORY_RUNTIME | 0xf)
#define MIB_PAGES (1024u * 1024u / EFI_PAGE_SIZE)
/* A PC's conventional memory below 1 MiB (0 to 640 KiB) and the hole above
 * it (video memory and ROMs, to 1 MiB), as in the OVMF captures. */
#define PC_LOW_RAM_PAGES (0xa0000u / EFI_PAGE_SIZE)
#define PC_HOLE_PAGES ((0x100000u - 0xa0000u) / EFI_PAGE_SIZE)
/* Free from 1 MiB in a generated map: OVMF's 1 MiB to 8 MiB. */
#define PC_LOW_FREE_PAGES (7u * MIB_PAGES)
/* Where an ARM machine's RAM starts (QEMU's arm virt, map_uboot below). */
#define ARM_RAM_BASE 0x40000000u

/*
 * Modelled on U-Boot's EFI memory map on QEMU's arm "virt" machine (RAM at
 * 1 GiB, U-Boot relocated to the top, runtime services in their own pages);
 * U-Boot merges neighbours since 2018 (exit-boot.md F17).  Not a capture.
 */
static const struct fw_region map_uboot[] = {
	{ EfiMemoryMappedIO, 0x04000000, 16384, EFI_MEMORY_UC | EFI_MEMORY_RUNTIME },
	{ EfiConventionalMemory, 0x40000000, 252 * MIB_PAGES, 0xf },
	{ EfiBootServicesData, 0x4fc00000, 512, 0xf },
	{ EfiLoaderData, 0x4fe00000, 64, 0xf },
	{ EfiConventionalMemory, 0x4fe40000, 128, 0xf },
	{ EfiRuntimeServicesData, 0x4fec0000, 16, RUNTIME_WB },
	{ EfiBootServicesData, 0x4fed0000, 32, 0xf },
	{ EfiRuntimeServicesCode, 0x4fef0000, 16, RUNTIME_WB },
	{ EfiBootServicesCode, 0x4ff00000, 192, 0xf },
	{ EfiReservedMemoryType, 0x4ffc0000, 64, 0xf },
};

/*
 * U-Boot 2023.01 (Debian 12 u-boot-qemu) on QEMU's pc machine with 256 MiB,
 * as the real-firmware differential's driver dumped it (opt/ebsfuzz/
 * dump-map) before the hardened loader ran: 17 descriptors, write-back
 * only, runtime ranges flagged, no MMIO; the driver image is the LoaderCode
 * range, and the ECAM window at 0xe0000000 is Reserved (uboot.md).
 */
#define UBOOT_WB 0x8u
#define UBOOT_RT (EFI_MEMORY_RUNTIME | UBOOT_WB)
static const struct fw_region map_uboot_x86[] = {
	{ EfiConventionalMemory, 0x0, 160, UBOOT_WB },
	{ EfiReservedMemoryType, 0xa0000, 96, UBOOT_WB },
	{ EfiConventionalMemory, 0x100000, 56247, UBOOT_WB },
	{ EfiLoaderCode, 0xdcb7000, 46, UBOOT_WB },
	{ EfiBootServicesData, 0xdce5000, 8, UBOOT_WB },
	{ EfiRuntimeServicesData, 0xdced000, 1, UBOOT_RT },
	{ EfiACPIReclaimMemory, 0xdcee000, 16, UBOOT_WB },
	{ EfiRuntimeServicesData, 0xdcfe000, 1, UBOOT_RT },
	{ EfiBootServicesData, 0xdcff000, 1, UBOOT_WB },
	{ EfiRuntimeServicesData, 0xdd00000, 2, UBOOT_RT },
	{ EfiBootServicesData, 0xdd02000, 1, UBOOT_WB },
	{ EfiRuntimeServicesData, 0xdd03000, 4, UBOOT_RT },
	{ EfiBootServicesData, 0xdd07000, 7, UBOOT_WB },
	{ EfiBootServicesCode, 0xdd0e000, 4674, UBOOT_WB },
	{ EfiRuntimeServicesCode, 0xef50000, 1, UBOOT_RT },
	{ EfiBootServicesCode, 0xef51000, 4271, UBOOT_WB },
	{ EfiReservedMemoryType, 0xe0000000, 65536, UBOOT_WB },
};

/*
 * A compact EDK2-shaped map: the OVMF 2025.02 capture with its 41 boot
 * services code and 44 data descriptors folded into a handful, for
 * scenarios that want speed more than realism.
 */
static const struct fw_region map_small[] = {
	{ EfiConventionalMemory, 0x0, 160, 0xf },
	{ EfiConventionalMemory, 0x100000, 1792, 0xf },
	{ EfiACPIMemoryNVS, 0x800000, 8, 0xf },
	{ EfiConventionalMemory, 0x808000, 3, 0xf },
	{ EfiACPIMemoryNVS, 0x80b000, 245, 0xf },
	{ EfiBootServicesData, 0x900000, 3072, 0xf },
	{ EfiConventionalMemory, 0x1500000, 43000, 0xf },
	{ EfiLoaderCode, 0xbff8000, 39, 0xf },
	{ EfiBootServicesData, 0xc01f000, 8000, 0xf },
	{ EfiBootServicesCode, 0xdf5f000, 700, 0xf },
	{ EfiConventionalMemory, 0xe21b000, 4, 0xf },
	{ EfiBootServicesData, 0xe21f000, 1200, 0xf },
	{ EfiRuntimeServicesCode, 0xe6cf000, 256, RUNTIME_WB },
	{ EfiRuntimeServicesData, 0xe7cf000, 581, RUNTIME_WB },
	{ EfiACPIReclaimMemory, 0xea14000, 18, 0xf },
	{ EfiReservedMemoryType, 0xfec2000, 4, 0xf },
	{ EfiACPIMemoryNVS, 0xff78000, 136, 0xf },
	{ EfiMemoryMappedIO, 0xffc00000, 1024, EFI_MEMORY_UC | EFI_MEMORY_RUNTIME },
};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/**
 * default_attr() - the attributes OVMF gives a range of this type.
 * @type: an EFI memory type.
 *
 * Return: write-back capable RAM, runtime-flagged for runtime types, and
 * uncached runtime for MMIO (as in the captures).
 */
static uint64_t default_attr(uint32_t type)
{
	switch (type) {
	case EfiRuntimeServicesCode:
	case EfiRuntimeServicesData:
		return RUNTIME_WB;
	case EfiMemoryMappedIO:
	case EfiMemoryMappedIOPortSpace:
		return EFI_MEMORY_UC | EFI_MEMORY_RUNTIME;
	default:
		return 0xf;
	}
}

/* A weighted choice of types, shaped like the OVMF captures. */
static const uint8_t synthetic_types[32] = {
	EfiBootServicesData, EfiBootServicesData,  EfiBootServicesData,   EfiBootServicesData,
	EfiBootServicesData, EfiBootServicesData,  EfiBootServicesData,   EfiBootServicesData,
	EfiBootServicesCode, EfiBootServicesCode,  EfiBootServicesCode,   EfiBootServicesCode,
	EfiBootServicesCode, EfiBootServicesCode,  EfiBootServicesCode,   EfiConventionalMemory,
	EfiConventionalMemory, EfiConventionalMemory, EfiConventionalMemory, EfiLoaderData,
	EfiLoaderCode,       EfiRuntimeServicesData, EfiRuntimeServicesCode, EfiACPIMemoryNVS,
	EfiACPIMemoryNVS,    EfiACPIReclaimMemory, EfiReservedMemoryType, EfiReservedMemoryType,
	EfiMemoryMappedIO,   EfiUnusableMemory,    EfiPersistentMemory,   EfiRuntimeServicesData,
};

static uint32_t xorshift32(uint32_t *state)
{
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

/* A descriptor after the last one, @gap_pages later; the first of a map
 * starts at 0, as a PC's map does (so a scenario can build one with the
 * low memory x86 loaders may need, low_memory_for_x86()), or where an ARM
 * machine's RAM starts. */
static void append(uint32_t type, uint64_t pages, uint64_t gap_pages)
{
	uint64_t start = fw.opt->machine == MACHINE_ARM ? ARM_RAM_BASE : 0;

	if (fw.n_regions > 0) {
		const struct fw_region *last = &fw.map[fw.n_regions - 1];

		start = last->start + last->pages * EFI_PAGE_SIZE;
	}
	fw.map[fw.n_regions++] = (struct fw_region){ type, start + gap_pages * EFI_PAGE_SIZE, pages,
						     default_attr(type) };
}

/**
 * synthesize() - generate a map of @count descriptors from @seed.
 * @count: descriptors, at least 1; the last is always 64 MiB of free
 *	memory so that allocations can succeed; with two or more, the first
 *	is a PC's free 640 KiB, with three or more the second its free 7 MiB
 *	from 1 MiB.
 * @seed: varies types, sizes and gaps.
 */
static void synthesize(unsigned count, uint8_t seed)
{
	uint32_t state = 0x9e3779b9u ^ ((uint32_t)seed << 16) ^ count;
	bool pc = fw.opt->machine == MACHINE_PC;
	uint64_t hole = pc ? PC_HOLE_PAGES : 0;
	unsigned i = 0;

	/* A PC's first 640 KiB, free, as in every x86 map we have (OVMF, x86
	 * U-Boot): x86 loaders may need it (low_memory_for_x86() below).  The
	 * rest starts at 1 MiB, above the PC's hole, as before, with free
	 * memory first, as in those maps too (OVMF's 7 MiB, maps_ovmf.c; x86
	 * U-Boot's from 1 MiB up): kernels linked at 1 MiB are loaded there
	 * with AllocateAddress (MikanOS), and a generated map that put the
	 * firmware's own data there made every such loader fail to boot, a
	 * machine no PC is. */
	if (count > 1 && pc) {
		fw.map[fw.n_regions++] =
			(struct fw_region){ EfiConventionalMemory, 0, PC_LOW_RAM_PAGES, 0xf };
		i = 1;
	}
	/* An ARM machine's RAM starts with free memory too (U-Boot's from
	 * 1 GiB): a kernel's preferred address, at the start of RAM. */
	if (count > 2 || (count > 1 && !pc)) {
		append(EfiConventionalMemory, PC_LOW_FREE_PAGES, hole);
		i = pc ? 2 : 1;
	}
	for (; i + 1 < count; i++) {
		uint32_t r = xorshift32(&state);
		uint32_t type = synthetic_types[r & 31];
		uint64_t pages = 1 + ((r >> 5) & (type == EfiConventionalMemory ? 1023 : 63));
		uint64_t gap = (r >> 16) % 8 == 0 ? 1 + ((r >> 19) & 255) : 0;

		append(type, pages, gap + (fw.n_regions == 1 ? hole : 0));
	}
	append(EfiConventionalMemory, 64 * MIB_PAGES, fw.n_regions == 1 ? hole : 0);
}

/*
 * Liveness owes a boot only to a machine with the memory any correct loader
 * needs: a free range holding four times a map buffer with room for the
 * liveness bound and a 32-descriptor headroom (the loader's own processing,
 * an e820 table, pool overhead), plus 16 pages.  Real machines have
 * megabytes free; a map whose only free memory is a page has no boot to
 * owe.  Allocations that fail later still take the run out of liveness as
 * they happen (memory.c).
 */
static bool room_to_boot(uint64_t most_free)
{
	uint64_t stride = fw.desc_size > 48 ? fw.desc_size : 48;
	uint64_t descs = (uint64_t)fw.n_regions + fw.over_report + fw.opt->liveness_descs + 32;
	uint64_t need = (4 * descs * stride + EFI_PAGE_SIZE - 1) / EFI_PAGE_SIZE + 16;

	return most_free >= need;
}

static void copy_template(const struct fw_region *regions, unsigned count)
{
	memcpy(fw.map, regions, count * sizeof(*regions));
	fw.n_regions = count;
}

/*
 * x86 loaders may need free memory below 1 MiB that they pick from the map
 * themselves, and give up without it: Xen looks there, before the exit,
 * for a free descriptor lying wholly below 1 MiB with room for its 64 KiB
 * trampoline at its top, and halts with "No memory for trampoline"
 * (docs/real-loaders.md section 1); a trampoline at address 0 is "none"
 * to it, so page 0 does not count.  Every PC has one (0 to 640 KiB); the
 * ARM-shaped U-Boot map (RAM from 1 GiB) and maps a scenario builds
 * otherwise do not, and there a loader built for x86, as every loader the
 * harness runs is unless EBSFUZZ_MACHINE=arm says otherwise, owes no boot
 * if it gives up before any exit attempt
 * (end_of_run.c, oracle_check_end()).  Nor once the firmware's own
 * allocations took that memory.  A loader that tried to exit was not
 * stopped by it: Hyper, which needs no low memory, failed its one exit and
 * halted, and its missing retry was excused on every such map.
 */
#define LOW_MEMORY_END 0x100000u
#define LOW_MEMORY_NEED 0x10000u

static bool low_memory_for_x86(void)
{
	unsigned i;

	for (i = 0; i < fw.n_regions; i++) {
		const struct fw_region *r = fw_map_region(i);

		if (r->start >= LOW_MEMORY_END || r->pages > LOW_MEMORY_END / EFI_PAGE_SIZE)
			return false;
		uint64_t from = r->start < EFI_PAGE_SIZE ? EFI_PAGE_SIZE : r->start;
		uint64_t end = r->start + r->pages * EFI_PAGE_SIZE;

		if (r->type == EfiConventionalMemory && end <= LOW_MEMORY_END && end > from &&
		    end - from >= LOW_MEMORY_NEED)
			return true;
	}
	return false;
}

/**
 * fw_map_check_low_memory() - note whether the map has no free memory
 * below 1 MiB an x86 loader could use; at the start of a run, after each
 * of the firmware's frees (fw_map_free()) and after its allocations below
 * 1 MiB (fw_map_firmware_took_low()).
 */
void fw_map_check_low_memory(void)
{
	if (fw.opt->machine == MACHINE_PC && !fw.low_memory_missing && !low_memory_for_x86())
		fw.low_memory_missing = true;
}

/**
 * fw_map_firmware_took_low() - check again after the firmware took pages
 * from @start on: a range taken from 1 MiB up can only shrink a free
 * range that runs past 1 MiB, which makes low memory no scarcer.  (Every
 * allocation of the firmware's was checked: a timer's hundreds of
 * allocations at the top of the map walked the regions below 1 MiB as
 * many times.  Its frees still are, fw_map_free(): a free range merged
 * with the one below can end past 1 MiB.)
 * @start: where the pages went.
 */
void fw_map_firmware_took_low(uint64_t start)
{
	if (start < LOW_MEMORY_END)
		fw_map_check_low_memory();
}

/* The end of the highest free range of the starting map (just normalized:
 * no gap inside fw.map yet), where EDK2, which allocates from the top, took
 * the pool pages of its free lists; and the pages of its largest. */
static void free_ranges(uint64_t *top, uint64_t *most)
{
	uint64_t end;
	unsigned i;

	*top = *most = 0;
	for (i = 0; i < fw.n_regions; i++) {
		if (fw.map[i].type != EfiConventionalMemory)
			continue;
		end = fw.map[i].start + fw.map[i].pages * EFI_PAGE_SIZE;
		if (end > *top)
			*top = end;
		if (fw.map[i].pages > *most)
			*most = fw.map[i].pages;
	}
}

/*
 * The starting map depends on nothing but what builds it: the template or
 * the generator's count and seed, the machine, the entries the scenario
 * appends and whether neighbours merge.  libFuzzer runs each input it
 * picks several times in a row, each time with a small change (its
 * -mutate_depth), and most changes leave those alone; so the map the run
 * before built is kept with what built it, and taken again when that is
 * the same.  fw_map_reset() was 3.8% of a 20-second campaign from the
 * seeds (perf), most of it building and normalising generated maps of
 * hundreds of descriptors.
 */
struct start_recipe {
	bool valid;
	unsigned template, machine;
	bool merging;
	uint16_t synthetic_count;
	uint8_t synthetic_seed;
	unsigned built;	    /* regions before the entries */
	unsigned n_entries; /* entries appended */
	struct scn_map_entry entries[SCN_MAX_ENTRIES];
	unsigned n_regions; /* of the map, normalised */
	struct fw_region map[FW_MAX_REGIONS];
	uint64_t free_top, most_free; /* free_ranges() of it */
};
static struct start_recipe kept;

/* The entries appended after @built regions: "several hundred"
 * descriptors at most, room to grow within FW_MAX_REGIONS. */
static unsigned entries_appended(const struct scenario *scn, unsigned built)
{
	if (built >= SCN_MAX_ENTRIES)
		return 0;
	return scn->n_entries < SCN_MAX_ENTRIES - built ? scn->n_entries : SCN_MAX_ENTRIES - built;
}

/* Whether the kept map is the one @scn on @template builds. */
static bool same_recipe(const struct scenario *scn, unsigned template)
{
	unsigned i, n;

	if (!kept.valid || kept.template != template || kept.machine != fw.opt->machine ||
	    kept.merging != !fw_quirk(QUIRK_NO_MERGE) ||
	    kept.synthetic_count != scn->synthetic_count ||
	    kept.synthetic_seed != scn->synthetic_seed)
		return false;
	n = entries_appended(scn, kept.built);
	if (n != kept.n_entries)
		return false;
	for (i = 0; i < n; i++) {
		const struct scn_map_entry *a = &scn->entries[i], *b = &kept.entries[i];

		if (a->type != b->type || a->pages != b->pages || a->gap_pages != b->gap_pages)
			return false;
	}
	return true;
}

/* Build the starting map of @scn on @template into fw.map, normalise it
 * and keep it with its recipe. */
static void build(const struct scenario *scn, unsigned template)
{
	unsigned i;

	kept.valid = false;
	fw.n_regions = 0;
	if (scn->synthetic_count != 0) {
		synthesize(scn->synthetic_count, scn->synthetic_seed);
	} else if (template == MAP_OVMF_2025) {
		copy_template(fw_map_ovmf_2025, fw_map_ovmf_2025_count);
	} else if (template == MAP_OVMF_2022) {
		copy_template(fw_map_ovmf_2022, fw_map_ovmf_2022_count);
	} else if (template == MAP_UBOOT) {
		copy_template(map_uboot, COUNT_OF(map_uboot));
	} else if (template == MAP_UBOOT_X86) {
		copy_template(map_uboot_x86, COUNT_OF(map_uboot_x86));
	} else if (template == MAP_SMALL) {
		copy_template(map_small, COUNT_OF(map_small));
	}
	kept.built = fw.n_regions;
	kept.n_entries = entries_appended(scn, kept.built);
	for (i = 0; i < kept.n_entries; i++) {
		const struct scn_map_entry *e = &scn->entries[i];

		kept.entries[i] = *e;
		append(e->type, e->pages, e->gap_pages);
	}
	fw_map_normalize();
	free_ranges(&kept.free_top, &kept.most_free);
	kept.n_regions = fw.n_regions;
	memcpy(kept.map, fw.map, fw.n_regions * sizeof(fw.map[0]));
	kept.template = template;
	kept.machine = fw.opt->machine;
	kept.merging = !fw_quirk(QUIRK_NO_MERGE);
	kept.synthetic_count = scn->synthetic_count;
	kept.synthetic_seed = scn->synthetic_seed;
	kept.valid = true;
}

/**
 * fw_map_reset() - build the starting map and forget all map history.
 *
 * Neighbours of the same type and attributes are merged unless the
 * no-merge quirk is on, as EDK2's CoreAddRange() and U-Boot since 2018 do.
 */
void fw_map_reset(void)
{
	const struct scenario *scn = fw.scn;
	unsigned template = scn->set & SET_MAP ? scn->map_template : fw_default_map();
	unsigned i;

	/* EBSFUZZ_MACHINE=arm: every PC-shaped map (OVMF's, x86 U-Boot's, the
	 * small one) is the ARM-shaped one.  HelenOS's arm64 loader puts its
	 * components at the start of RAM + 512 KiB, which on a PC's map runs
	 * into the hole below 1 MiB: every run gave up there. */
	if (fw.opt->machine == MACHINE_ARM && scn->synthetic_count == 0 && template != MAP_EMPTY &&
	    template != MAP_UBOOT) {
		FW_TRACE("# EBSFUZZ_MACHINE=arm: map %s runs as %s\n", scn_map_names[template],
			 scn_map_names[MAP_UBOOT]);
		template = MAP_UBOOT;
	}

	if (same_recipe(scn, template)) {
		fw.n_regions = kept.n_regions;
		memcpy(fw.map, kept.map, kept.n_regions * sizeof(fw.map[0]));
		fw_map_adopt();
	} else {
		build(scn, template);
	}
	for (i = 0; i < kept.n_entries; i++)
		if (scn->entries[i].pages == 0)
			fw_not_compliant(true, "a descriptor of zero pages");
	if (kept.built + kept.n_entries == 0)
		fw_not_compliant(true, "an empty memory map");
	fw_map_corruptions_reset();
	fw.generation = 0;
	fw.pool_pages_below_4g = kept.free_top <= FW_4GIB;
	if (!room_to_boot(kept.most_free))
		fw_not_compliant(false, "no free range holds a map buffer with room to grow");
	fw_map_check_low_memory();
}
