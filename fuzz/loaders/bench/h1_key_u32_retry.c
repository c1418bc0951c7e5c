/* SPDX-License-Identifier: MIT */
/*
 * h1_key_u32_retry.c - harder bench model H1: the last retry exits with a
 * MapKey narrowed to 32 bits.
 *
 * The loader is the Linux exit sequence (32 descriptors of slack, retries
 * into the same buffer at full capacity) allowing two retries, as uefi-rs
 * does before it gives up.  The map-processing callback records the key in
 * the kernel's boot information, whose field is 32 bits wide; the first
 * retry exits with the key GetMemoryMap() returned, the last one, a
 * separate fallback path, with the key it finds in the boot information.
 * UINTN is 64 bits on x86-64 and a MapKey is opaque: any value is legal
 * (UEFI 2.10 section 7.2.3).
 *
 * Needs three firmware conditions at once: a MapKey of 2^32 or more, and
 * two ExitBootServices() calls in a row that fail because the map changed
 * (BEFORE_EXIT handlers on every call, as EDK2 2023 or a Snapdragon runs
 * them, or a timer that fires again).
 * Caught by stale-key (corpus/bench/models/h1_key_u32_retry.scn).
 * EBSFUZZ_FIXED: the boot information keeps the full UINTN.
 */
#include "../../../core/efi.h"

#define EFI_MMAP_NR_SLACK_SLOTS 32
#define MAX_RETRIES 2

/* What the loader hands its kernel; a 32-bit ABI shared with ia32 kernels. */
struct boot_info {
	UINT64 mmap_addr;
	UINT32 mmap_size;
	UINT32 desc_size;
#ifdef EBSFUZZ_FIXED
	UINTN mmap_key;
#else
	UINT32 mmap_key; /* H1: a UINTN squeezed into 32 bits */
#endif
	UINT64 ram_pages;
};

static struct boot_info info;

struct memmap {
	UINTN map_size, buff_size, desc_size, key;
	UINT32 desc_ver;
	UINT8 *map;
};

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
	    __builtin_add_overflow(m->map_size, size, &size) || size > 0x1000000)
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
 * exit_boot_func() - the map callback: check the answer, count RAM, fill in
 * the boot information.
 * @m: the map just read.
 *
 * Return: EFI_SUCCESS; EFI_LOAD_ERROR for an answer that does not fit the
 * buffer as whole descriptors.
 */
static EFI_STATUS exit_boot_func(const struct memmap *m)
{
	UINT64 pages = 0;
	UINTN off;

	if (m->desc_size < sizeof(EFI_MEMORY_DESCRIPTOR) || m->map_size > m->buff_size ||
	    m->map_size % m->desc_size != 0)
		return EFI_LOAD_ERROR;
	for (off = 0; off < m->map_size; off += m->desc_size) {
		EFI_MEMORY_DESCRIPTOR d;

		__builtin_memcpy(&d, m->map + off, sizeof(d));
		if (d.Type == EfiConventionalMemory)
			pages += d.NumberOfPages;
	}
	info.mmap_addr = (UINT64)(UINTN)m->map;
	info.mmap_size = (UINT32)m->map_size;
	info.desc_size = (UINT32)m->desc_size;
	info.mmap_key = m->key;
	info.ram_pages = pages;
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
	UINTN retry;

	status = get_memory_map(bs, &m);
	if (status != EFI_SUCCESS)
		return status;
	status = exit_boot_func(&m);
	if (status != EFI_SUCCESS) {
		bs->FreePool(m.map);
		return status;
	}
	status = bs->ExitBootServices(image, m.key);
	for (retry = 1; status == EFI_INVALID_PARAMETER && retry <= MAX_RETRIES; retry++) {
		/* Read again into the same buffer; nothing may be freed any more. */
		m.map_size = m.buff_size;
		status = bs->GetMemoryMap(&m.map_size, (EFI_MEMORY_DESCRIPTOR *)m.map, &m.key,
					  &m.desc_size, &m.desc_ver);
		if (status != EFI_SUCCESS)
			return status;
		status = exit_boot_func(&m);
		if (status != EFI_SUCCESS)
			return status;
		if (retry < MAX_RETRIES)
			status = bs->ExitBootServices(image, m.key);
		else
			status = bs->ExitBootServices(image, info.mmap_key); /* H1 */
	}
	return status;
}
