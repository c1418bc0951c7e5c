/* SPDX-License-Identifier: MIT */
/*
 * h5_signed_high_ram.c - harder bench model H5: memory above 4 GiB is
 * added up in a signed 64-bit count before any descriptor is checked.
 *
 * Today's Linux exit sequence (32 descriptors of slack, one retry into the
 * same buffer at full capacity).  Its map callback first totals the free
 * memory above 4 GiB, in bytes, in a signed 64-bit variable (the kernel's
 * loff_t-style arithmetic), and only then rejects descriptors that wrap the
 * address space.  A free descriptor above 4 GiB with a page count of 2^51
 * or more overflows the multiplication: undefined behaviour before the
 * check that would have refused it.
 *
 * Needs two firmware conditions at once, on one descriptor: free memory
 * that lies above 4 GiB (a corrupt start, or listed entries that reach so
 * high) and a corrupt page count in the overflowing range (values whose
 * top 13 bits are neither all zero nor all one).
 * Caught by UndefinedBehaviorSanitizer, signed integer overflow
 * (corpus/bench/models/h5_signed_high_ram.scn).
 * EBSFUZZ_FIXED: add up in unsigned arithmetic, which wraps harmlessly
 * before the check refuses the descriptor.
 */
#include "../../../core/efi.h"

#define EFI_MMAP_NR_SLACK_SLOTS 32
#define MAX_MAP_BYTES 0x1000000u
#define FOUR_GIB 0x100000000ull

struct memmap {
	UINTN map_size, buff_size, desc_size, key;
	UINT32 desc_ver;
	UINT8 *map;
};

#ifdef EBSFUZZ_FIXED
typedef UINT64 ram_bytes_t;
#else
typedef INT64 ram_bytes_t; /* H5 */
#endif

/* Free memory above 4 GiB, for the kernel's command line report. */
static ram_bytes_t high_ram_bytes;

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

/* A descriptor that wraps the address space is nonsense. */
static int desc_wraps(const EFI_MEMORY_DESCRIPTOR *d)
{
	return d->NumberOfPages > (UINT64)-1 >> 12 ||
	       d->PhysicalStart > (UINT64)-1 - (d->NumberOfPages << 12);
}

/**
 * exit_boot_func() - the map callback: total the high free memory, then
 * check every descriptor.
 * @m: the map just read.
 *
 * Return: EFI_SUCCESS; EFI_LOAD_ERROR for an answer that does not fit the
 * buffer as whole descriptors, or a descriptor that wraps.
 */
static EFI_STATUS exit_boot_func(const struct memmap *m)
{
	ram_bytes_t high = 0;
	UINTN off;

	if (m->desc_size < sizeof(EFI_MEMORY_DESCRIPTOR) || m->map_size > m->buff_size ||
	    m->map_size % m->desc_size != 0)
		return EFI_LOAD_ERROR;
	for (off = 0; off < m->map_size; off += m->desc_size) {
		EFI_MEMORY_DESCRIPTOR d;

		__builtin_memcpy(&d, m->map + off, sizeof(d));
		if (d.Type == EfiConventionalMemory && d.PhysicalStart >= FOUR_GIB)
			high += (ram_bytes_t)d.NumberOfPages * EFI_PAGE_SIZE; /* H5: may overflow */
	}
	for (off = 0; off < m->map_size; off += m->desc_size) {
		EFI_MEMORY_DESCRIPTOR d;

		__builtin_memcpy(&d, m->map + off, sizeof(d));
		if (desc_wraps(&d))
			return EFI_LOAD_ERROR;
	}
	high_ram_bytes = high;
	return EFI_SUCCESS;
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
	status = exit_boot_func(&m);
	if (status != EFI_SUCCESS) {
		bs->FreePool(m.map);
		return status;
	}
	status = bs->ExitBootServices(image, m.key);
	if (status != EFI_INVALID_PARAMETER)
		return status;
	m.map_size = m.buff_size;
	status = bs->GetMemoryMap(&m.map_size, (EFI_MEMORY_DESCRIPTOR *)m.map, &m.key,
				  &m.desc_size, &m.desc_ver);
	if (status != EFI_SUCCESS)
		return status;
	status = exit_boot_func(&m);
	if (status != EFI_SUCCESS)
		return status;
	return bs->ExitBootServices(image, m.key);
}
