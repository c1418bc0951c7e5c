/* SPDX-License-Identifier: MIT */
/*
 * h2_grow_edk2_stride.c - harder bench model H2: the bigger buffer of a
 * UEFI 2.9 retry is allocated in EDK2's stride but claimed in the
 * firmware's.
 *
 * A Linux-shaped exit sequence with 8 descriptors of slack (as Linux had
 * before v6.14).  After a failed exit it reads again into the same buffer;
 * if the map no longer fits and the firmware reports UEFI 2.9 or later
 * (which allows memory allocation after a failed exit, section 7.4.6) it
 * allocates a bigger one.  That path sizes the allocation with the 48-byte
 * stride every EDK2 build reports, but tells GetMemoryMap() a capacity
 * counted in the DescriptorSize the firmware gave: whenever that is larger
 * than 48, the firmware may write beyond the allocation (UEFI 2.10 section
 * 7.2.3 lets it fill the whole claimed size).
 *
 * Needs three firmware conditions at once: a revision of 2.90 or later, a
 * first exit that fails while the map grows past the slack, and a
 * DescriptorSize above 48 (from 56 to 1024, a multiple of 8).
 * Caught by buffer-bounds (corpus/bench/models/h2_grow_edk2_stride.scn).
 * EBSFUZZ_FIXED: allocate in the stride the firmware reported.
 */
#include "../../../core/efi.h"

#define EFI_MMAP_NR_SLACK_SLOTS 8
#define EDK2_DESC_SIZE 48 /* sizeof(EFI_MEMORY_DESCRIPTOR) + 8, MdeModulePkg Page.c */
#define MAX_MAP_BYTES 0x1000000u

struct memmap {
	UINTN map_size, buff_size, desc_size, key;
	UINT32 desc_ver;
	UINT8 *map;
};

/**
 * allocate_map() - a buffer for @required bytes plus the slack.
 * @bs: boot services.
 * @m: receives the buffer and its capacity.
 * @required: bytes the firmware asked for.
 * @alloc_stride: the stride the slack is allocated in.
 *
 * Return: EFI_SUCCESS, EFI_LOAD_ERROR for an impossible size, or the status
 * of AllocatePool().
 */
static EFI_STATUS allocate_map(EFI_BOOT_SERVICES *bs, struct memmap *m, UINTN required,
			       UINTN alloc_stride)
{
	UINTN bytes, capacity;
	EFI_STATUS status;
	VOID *buf;

	if (__builtin_mul_overflow(alloc_stride, EFI_MMAP_NR_SLACK_SLOTS, &bytes) ||
	    __builtin_add_overflow(required, bytes, &bytes) || bytes > MAX_MAP_BYTES ||
	    __builtin_mul_overflow(m->desc_size, EFI_MMAP_NR_SLACK_SLOTS, &capacity) ||
	    __builtin_add_overflow(required, capacity, &capacity) || capacity > MAX_MAP_BYTES)
		return EFI_LOAD_ERROR;
	status = bs->AllocatePool(EfiLoaderData, bytes, &buf);
	if (status != EFI_SUCCESS)
		return status;
	m->map = buf;
	m->buff_size = capacity; /* H2: bytes, not capacity, were allocated */
	return EFI_SUCCESS;
}

/**
 * get_memory_map() - one size query, a buffer with 8 spare slots, one read.
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

	m->map_size = 0;
	m->desc_size = 0; /* left alone by firmware that withholds it */
	status = bs->GetMemoryMap(&m->map_size, NULL, &m->key, &m->desc_size, &m->desc_ver);
	if (status != EFI_BUFFER_TOO_SMALL || m->desc_size < sizeof(EFI_MEMORY_DESCRIPTOR))
		return EFI_LOAD_ERROR;
	status = allocate_map(bs, m, m->map_size, m->desc_size);
	if (status != EFI_SUCCESS)
		return status;
	m->map_size = m->buff_size;
	status = bs->GetMemoryMap(&m->map_size, (EFI_MEMORY_DESCRIPTOR *)m->map, &m->key,
				  &m->desc_size, &m->desc_ver);
	if (status != EFI_SUCCESS)
		bs->FreePool(m->map);
	return status;
}

/**
 * reread() - read the map again after a failed exit, growing the buffer
 * where the revision allows it.
 * @bs: boot services.
 * @systab: for the revision.
 * @m: the map; on growth its buffer is replaced (the old one is kept).
 *
 * Return: EFI_SUCCESS, or the failing status.
 */
static EFI_STATUS reread(EFI_BOOT_SERVICES *bs, const EFI_SYSTEM_TABLE *systab, struct memmap *m)
{
	EFI_STATUS status;

	m->map_size = m->buff_size;
	status = bs->GetMemoryMap(&m->map_size, (EFI_MEMORY_DESCRIPTOR *)m->map, &m->key,
				  &m->desc_size, &m->desc_ver);
	if (status != EFI_BUFFER_TOO_SMALL || systab->Hdr.Revision < EFI_2_90_SYSTEM_TABLE_REVISION ||
	    m->desc_size < sizeof(EFI_MEMORY_DESCRIPTOR))
		return status;
#ifdef EBSFUZZ_FIXED
	status = allocate_map(bs, m, m->map_size, m->desc_size);
#else
	status = allocate_map(bs, m, m->map_size, EDK2_DESC_SIZE);
#endif
	if (status != EFI_SUCCESS)
		return status;
	m->map_size = m->buff_size;
	return bs->GetMemoryMap(&m->map_size, (EFI_MEMORY_DESCRIPTOR *)m->map, &m->key,
				&m->desc_size, &m->desc_ver);
}

/**
 * check_map() - the map callback: the answer must fit the buffer as whole
 * descriptors.
 * @m: the map just read.
 *
 * Return: EFI_SUCCESS or EFI_LOAD_ERROR.
 */
static EFI_STATUS check_map(const struct memmap *m)
{
	if (m->desc_size < sizeof(EFI_MEMORY_DESCRIPTOR) || m->map_size > m->buff_size ||
	    m->map_size % m->desc_size != 0)
		return EFI_LOAD_ERROR;
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
	status = check_map(&m);
	if (status != EFI_SUCCESS) {
		bs->FreePool(m.map);
		return status;
	}
	status = bs->ExitBootServices(image, m.key);
	if (status != EFI_INVALID_PARAMETER)
		return status;
	status = reread(bs, systab, &m);
	if (status != EFI_SUCCESS)
		return status;
	status = check_map(&m);
	if (status != EFI_SUCCESS)
		return status;
	return bs->ExitBootServices(image, m.key);
}
