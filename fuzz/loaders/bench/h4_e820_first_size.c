/* SPDX-License-Identifier: MIT */
/*
 * h4_e820_first_size.c - harder bench model H4: the e820 table is sized
 * from the first map, and the retry's map does not fit it.
 *
 * Today's Linux exit sequence (32 descriptors of slack, one retry into the
 * same buffer at full capacity) with a map callback that converts the map
 * into an e820 table, merging neighbours of the same e820 type, as
 * setup_e820() does.  The table is allocated before the map the exit uses
 * is read (as Linux's alloc_e820ext()), for the entries the sizing read
 * needed plus four; the callback fills it after every read without checking
 * that the new map fits, and after a failed exit nothing may be allocated
 * any more (UEFI 2.10 section 7.4.6, up to 2.8).  Boot-services memory is RAM to
 * e820, so growth in BootServicesData never adds entries; other types do.
 *
 * Needs two firmware conditions at once: a first exit that fails because
 * the map changed, and a change that adds five e820 entries or more, that is
 * allocations of a type e820 does not count as RAM (ACPI, runtime,
 * reserved, MMIO ...) placed apart from each other.
 * Caught by AddressSanitizer, heap-buffer-overflow
 * (corpus/bench/models/h4_e820_first_size.scn).
 * EBSFUZZ_FIXED: size the table for every descriptor the buffer can hold.
 */
#include "../../../core/efi.h"

#define EFI_MMAP_NR_SLACK_SLOTS 32
#define E820_SPARE 4
#define MAX_MAP_BYTES 0x1000000u

enum e820_type {
	E820_RAM = 1,
	E820_RESERVED = 2,
	E820_ACPI = 3,
	E820_NVS = 4,
	E820_UNUSABLE = 5,
	E820_PMEM = 7,
};

struct e820_entry {
	UINT64 addr;
	UINT64 size;
	UINT32 type;
};

struct memmap {
	UINTN map_size, buff_size, desc_size, key;
	UINT32 desc_ver;
	UINT8 *map;
};

static struct e820_entry *e820_table;
static UINTN e820_entries, e820_capacity;

/* setup_e820(): what the kernel is told each EFI type is. */
static UINT32 e820_type_of(UINT32 efi_type)
{
	switch (efi_type) {
	case EfiLoaderCode:
	case EfiLoaderData:
	case EfiBootServicesCode:
	case EfiBootServicesData:
	case EfiConventionalMemory:
		return E820_RAM;
	case EfiACPIReclaimMemory:
		return E820_ACPI;
	case EfiACPIMemoryNVS:
		return E820_NVS;
	case EfiUnusableMemory:
		return E820_UNUSABLE;
	case EfiPersistentMemory:
		return E820_PMEM;
	default:
		return E820_RESERVED;
	}
}

/**
 * convert() - fill the e820 table from the map, or only count.
 * @m: the map.
 * @table: where to write, or NULL to count.
 *
 * Return: the number of entries.
 */
static UINTN convert(const struct memmap *m, struct e820_entry *table)
{
	struct e820_entry prev = { 0, 0, 0 };
	UINTN n = 0, off;

	for (off = 0; off < m->map_size; off += m->desc_size) {
		EFI_MEMORY_DESCRIPTOR d;
		UINT32 type;

		__builtin_memcpy(&d, m->map + off, sizeof(d));
		type = e820_type_of(d.Type);
		if (n > 0 && prev.type == type && prev.addr + prev.size == d.PhysicalStart) {
			prev.size += d.NumberOfPages << 12;
		} else {
			prev = (struct e820_entry){ d.PhysicalStart, d.NumberOfPages << 12, type };
			n++;
		}
		if (table != NULL)
			table[n - 1] = prev; /* H4: nothing checks n against the table */
	}
	return n;
}

/**
 * check_map() - the answer must fit the buffer as whole descriptors, none
 * of which wraps the address space.
 * @m: the map just read.
 *
 * Return: EFI_SUCCESS or EFI_LOAD_ERROR.
 */
static EFI_STATUS check_map(const struct memmap *m)
{
	UINTN off;

	if (m->desc_size < sizeof(EFI_MEMORY_DESCRIPTOR) || m->map_size > m->buff_size ||
	    m->map_size % m->desc_size != 0)
		return EFI_LOAD_ERROR;
	for (off = 0; off < m->map_size; off += m->desc_size) {
		EFI_MEMORY_DESCRIPTOR d;

		__builtin_memcpy(&d, m->map + off, sizeof(d));
		if (d.NumberOfPages > (UINT64)-1 >> 12 ||
		    d.PhysicalStart > (UINT64)-1 - (d.NumberOfPages << 12))
			return EFI_LOAD_ERROR;
	}
	return EFI_SUCCESS;
}

/**
 * alloc_e820() - allocate the e820 table for the map read while sizing,
 * before the map the exit uses is read (as Linux's alloc_e820ext()).
 * @bs: boot services.
 * @m: the map read while sizing.
 *
 * Return: EFI_SUCCESS, EFI_LOAD_ERROR for a nonsense map, or the status of
 * AllocatePool().
 */
static EFI_STATUS alloc_e820(EFI_BOOT_SERVICES *bs, const struct memmap *m)
{
	EFI_STATUS status;
	VOID *table;

	status = check_map(m);
	if (status != EFI_SUCCESS)
		return status;
#ifdef EBSFUZZ_FIXED
	e820_capacity = m->buff_size / m->desc_size;
#else
	e820_capacity = convert(m, NULL) + E820_SPARE;
#endif
	status = bs->AllocatePool(EfiLoaderData, e820_capacity * sizeof(*e820_table), &table);
	if (status == EFI_SUCCESS)
		e820_table = table;
	return status;
}

/**
 * exit_boot_func() - the map callback, run after every read: check the
 * answer and convert it into the e820 table.
 * @m: the map just read.
 *
 * Return: EFI_SUCCESS or EFI_LOAD_ERROR.
 */
static EFI_STATUS exit_boot_func(const struct memmap *m)
{
	EFI_STATUS status = check_map(m);

	if (status != EFI_SUCCESS)
		return status;
	e820_entries = convert(m, e820_table);
	return EFI_SUCCESS;
}

/**
 * get_memory_map() - one size query, a buffer with 32 spare slots, one read.
 * @bs: boot services.
 * @m: out, the map and its buffer.
 *
 * Return: EFI_SUCCESS with @m->map allocated; EFI_LOAD_ERROR if the size
 * query did not answer BUFFER_TOO_SMALL or asked for an impossible size; or
 * the failing status, nothing allocated.
 */
static EFI_STATUS get_memory_map(EFI_BOOT_SERVICES *bs, struct memmap *m)
{
	EFI_STATUS status;
	UINTN size;
	VOID *buf;

	m->map_size = 0;
	m->desc_size = 0; /* left alone by firmware that withholds it */
	status = bs->GetMemoryMap(&m->map_size, NULL, &m->key, &m->desc_size, &m->desc_ver);
	if (status != EFI_BUFFER_TOO_SMALL)
		return EFI_LOAD_ERROR;
	if (__builtin_mul_overflow(m->desc_size, EFI_MMAP_NR_SLACK_SLOTS, &size) ||
	    __builtin_add_overflow(m->map_size, size, &size) || size > MAX_MAP_BYTES)
		return EFI_LOAD_ERROR;
	status = bs->AllocatePool(EfiLoaderData, size, &buf);
	if (status != EFI_SUCCESS)
		return status;
	m->map = buf;
	m->buff_size = m->map_size = size;
	status = bs->GetMemoryMap(&m->map_size, (EFI_MEMORY_DESCRIPTOR *)buf, &m->key,
				  &m->desc_size, &m->desc_ver);
	if (status != EFI_SUCCESS)
		bs->FreePool(buf);
	return status;
}

/**
 * loader_exit_boot() - the loader contract (core/efi.h).
 * @image: the image handle.
 * @systab: the system table.
 *
 * Return: EFI_SUCCESS if boot services were exited, else the failing status.
 */
EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	EFI_BOOT_SERVICES *bs = systab->BootServices;
	struct memmap m;
	EFI_STATUS status;

	status = get_memory_map(bs, &m);
	if (status != EFI_SUCCESS)
		return status;
	status = alloc_e820(bs, &m);
	if (status != EFI_SUCCESS)
		goto free_map;
	m.map_size = m.buff_size;
	status = bs->GetMemoryMap(&m.map_size, (EFI_MEMORY_DESCRIPTOR *)m.map, &m.key,
				  &m.desc_size, &m.desc_ver);
	if (status == EFI_SUCCESS)
		status = exit_boot_func(&m);
	if (status != EFI_SUCCESS)
		goto free_e820;
	status = bs->ExitBootServices(image, m.key);
	if (status != EFI_INVALID_PARAMETER)
		return status;
	/* Read again into the same buffer; nothing may be allocated any more. */
	m.map_size = m.buff_size;
	status = bs->GetMemoryMap(&m.map_size, (EFI_MEMORY_DESCRIPTOR *)m.map, &m.key,
				  &m.desc_size, &m.desc_ver);
	if (status != EFI_SUCCESS)
		return status;
	status = exit_boot_func(&m);
	if (status != EFI_SUCCESS)
		return status;
	return bs->ExitBootServices(image, m.key);

free_e820:
	bs->FreePool(e820_table);
free_map:
	bs->FreePool(m.map);
	return status;
}
