/* SPDX-License-Identifier: MIT */
/*
 * h6_sentinel_exact_fill.c - harder bench model H6: a terminating
 * descriptor is written after the map, and a map that fills the buffer
 * exactly leaves no room for it.
 *
 * The Linux exit sequence with 8 descriptors of slack (as before v6.14):
 * one size query, a buffer of the size asked for plus the slack, one read,
 * one retry into the same buffer at full capacity.  Beside the map buffer
 * it allocates the kernel's copy of the map, of the same size; the map
 * callback copies the map there and ends it with an all-zero descriptor,
 * the end marker of the boot protocol the kernel reads.  The copy has no
 * room reserved for the marker: it fits in the slack the map did not use.  EDK2's size query asks for 7 descriptors more than a read
 * returns, so a map that fits always leaves room; a firmware that asks for
 * no more than it returns (U-Boot) fills the buffer exactly when the map
 * grew by exactly the slack since the size query.
 *
 * Needs two firmware conditions at once: no over-report (U-Boot, or an
 * over-report of 0), and a change of the map between the size query and a
 * read that grows it by exactly eight descriptors (the loader's own
 * allocation grows it by at most two).
 * Caught by AddressSanitizer, heap-buffer-overflow
 * (corpus/bench/models/h6_sentinel_exact_fill.scn).
 * EBSFUZZ_FIXED: allocate the copy one descriptor larger, for the marker.
 */
#include "../../../core/efi.h"

#define EFI_MMAP_NR_SLACK_SLOTS 8
#define MAX_MAP_BYTES 0x1000000u

#ifdef EBSFUZZ_FIXED
#define END_MARKER_DESCS 1
#else
#define END_MARKER_DESCS 0 /* H6 */
#endif

struct memmap {
	UINTN map_size, buff_size, desc_size, key;
	UINT32 desc_ver;
	UINT8 *map;
	UINT8 *copy; /* the kernel's copy, buff_size bytes (plus the marker if fixed) */
};

/**
 * get_memory_map() - one size query, a buffer with 8 spare slots and the
 * kernel's copy, one read.
 * @bs: boot services.
 * @m: out, the map and its buffers.
 *
 * Return: EFI_SUCCESS with both buffers allocated; EFI_LOAD_ERROR if the
 * size query did not answer BUFFER_TOO_SMALL with a DescriptorSize or asked
 * for an impossible size; or the failing status, nothing allocated.
 */
static EFI_STATUS get_memory_map(EFI_BOOT_SERVICES *bs, struct memmap *m)
{
	EFI_STATUS status;
	UINTN size;
	VOID *buf, *copy;

	m->map_size = 0;
	m->desc_size = 0; /* left alone by firmware that withholds it */
	status = bs->GetMemoryMap(&m->map_size, NULL, &m->key, &m->desc_size, &m->desc_ver);
	if (status != EFI_BUFFER_TOO_SMALL || m->desc_size == 0) /* withheld: U-Boot < 2020 */
		return EFI_LOAD_ERROR;
	if (__builtin_mul_overflow(m->desc_size, EFI_MMAP_NR_SLACK_SLOTS, &size) ||
	    __builtin_add_overflow(m->map_size, size, &size) || size > MAX_MAP_BYTES)
		return EFI_LOAD_ERROR;
	status = bs->AllocatePool(EfiLoaderData, size, &buf);
	if (status != EFI_SUCCESS)
		return status;
	status = bs->AllocatePool(EfiLoaderData, size + END_MARKER_DESCS * m->desc_size, &copy);
	if (status != EFI_SUCCESS)
		goto free_buf;
	m->map = buf;
	m->copy = copy;
	m->buff_size = m->map_size = size;
	status = bs->GetMemoryMap(&m->map_size, (EFI_MEMORY_DESCRIPTOR *)buf, &m->key,
				  &m->desc_size, &m->desc_ver);
	if (status == EFI_SUCCESS)
		return EFI_SUCCESS;
	bs->FreePool(copy);
free_buf:
	bs->FreePool(buf);
	return status;
}

/**
 * exit_boot_func() - the map callback: check the answer, copy it for the
 * kernel and end the copy with an all-zero descriptor.
 * @m: the map just read.
 *
 * Return: EFI_SUCCESS; EFI_LOAD_ERROR for an empty answer or one that does
 * not fit the buffer as whole descriptors.
 */
static EFI_STATUS exit_boot_func(const struct memmap *m)
{
	if (m->desc_size < sizeof(EFI_MEMORY_DESCRIPTOR) || m->map_size == 0 ||
	    m->map_size > m->buff_size || m->map_size % m->desc_size != 0)
		return EFI_LOAD_ERROR;
	__builtin_memcpy(m->copy, m->map, m->map_size);
	__builtin_memset(m->copy + m->map_size, 0, m->desc_size); /* H6: may be past the end */
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
		bs->FreePool(m.copy);
		bs->FreePool(m.map);
		return status;
	}
	status = bs->ExitBootServices(image, m.key);
	if (status != EFI_INVALID_PARAMETER)
		return status;
	/* Read again into the same buffer; nothing may be freed any more. */
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
