/* SPDX-License-Identifier: MIT */
/*
 * memmap.c - asking the firmware for its memory map, and refusing answers
 * that cannot be true.
 *
 * Never allocates or frees: callers own the buffer, so these helpers are
 * safe to use after a failed ExitBootServices() on any spec revision.
 */
#include "memmap.h"

/**
 * mmap_desc_size_ok() - whether a DescriptorSize can describe real descriptors.
 * @desc_size: the value the firmware reported.
 *
 * Descriptors hold UINT64 fields, so a stride that is not a multiple of 8
 * would misalign every other one; a stride below sizeof(EFI_MEMORY_DESCRIPTOR)
 * would make them overlap (UEFI 2.10 section 7.2.3 only ever lets it grow).
 * Zero is what old U-Boot and rust-hypervisor-firmware left behind on
 * EFI_BUFFER_TOO_SMALL (exit-boot.md F12), and Linux v5.8 divided by it.
 *
 * Return: true if @desc_size is usable as a stride.
 */
bool mmap_desc_size_ok(UINTN desc_size)
{
	return desc_size >= sizeof(EFI_MEMORY_DESCRIPTOR) && desc_size % 8 == 0 &&
	       desc_size <= MMAP_MAX_DESC_SIZE;
}

/**
 * mmap_probe() - ask how big the memory map is, without a buffer.
 * @bs: boot services.
 * @required: out, the size in bytes the firmware asks for.
 * @desc_size: out, the DescriptorSize it reported, or 0 if it wrote none.
 *
 * UEFI 2.10 section 7.2.3: a zero size with a NULL buffer must give
 * EFI_BUFFER_TOO_SMALL and the needed size.  Whether DescriptorSize is
 * written on that path is not specified (U-Boot before 2020 left it alone),
 * so it is preset to 0 and reported as unknown.
 *
 * Return:
 * * EFI_SUCCESS - @required and @desc_size are set.
 * * EFI_LOAD_ERROR - the firmware answered nonsense: success for an empty
 *   buffer, or a needed size of zero or above MMAP_MAX_MAP_BYTES.
 * * any other status GetMemoryMap() returned.
 */
EFI_STATUS mmap_probe(EFI_BOOT_SERVICES *bs, UINTN *required, UINTN *desc_size)
{
	UINTN size = 0, key = 0, dsize = 0;
	UINT32 version = 0;
	EFI_STATUS status;

	status = bs->GetMemoryMap(&size, NULL, &key, &dsize, &version);
	if (status == EFI_SUCCESS)
		return EFI_LOAD_ERROR;
	if (status != EFI_BUFFER_TOO_SMALL)
		return status;
	if (size == 0 || size > MMAP_MAX_MAP_BYTES)
		return EFI_LOAD_ERROR;
	*required = size;
	*desc_size = mmap_desc_size_ok(dsize) ? dsize : 0;
	return EFI_SUCCESS;
}

/**
 * mmap_answer_ok() - whether a successful GetMemoryMap() answer is sane.
 * @map: the buffer it was written to.
 * @size: MemoryMapSize returned.
 * @desc_size: DescriptorSize returned.
 *
 * Return: true if the answer describes a whole, non-zero number of
 * well-formed descriptors within the buffer.
 */
static bool mmap_answer_ok(const struct mmap *map, UINTN size, UINTN desc_size)
{
	return mmap_desc_size_ok(desc_size) && size != 0 && size <= map->capacity &&
	       size % desc_size == 0;
}

/**
 * mmap_read() - read the current map into @map's buffer at full capacity.
 * @bs: boot services.
 * @map: map with @buf and @capacity set; updated only on success.
 * @required: out, on EFI_BUFFER_TOO_SMALL the size the firmware asks for.
 *
 * The size passed in is always the buffer's capacity, never the size an
 * earlier call returned: reusing that stale size is the retry bug of Linux
 * 3.11, Xen before 2015, FreeBSD and Limine (exit-boot.md L2).
 *
 * Return:
 * * EFI_SUCCESS - @map holds the current map, key and DescriptorSize.
 * * EFI_BUFFER_TOO_SMALL - the map does not fit; @required is set and is
 *   larger than the capacity (an absurd one is refused when the caller
 *   sizes a buffer from it).
 * * EFI_LOAD_ERROR - the firmware answered nonsense (see mmap_answer_ok(),
 *   or "too small" without asking for more than the capacity: the U-Boot
 *   before 2017 behaviour that looped Linux for ever, exit-boot.md F13).
 * * any other status GetMemoryMap() returned.
 */
EFI_STATUS mmap_read(EFI_BOOT_SERVICES *bs, struct mmap *map, UINTN *required)
{
	UINTN size = map->capacity, key = 0, dsize = 0;
	UINT32 version = 0;
	EFI_STATUS status;

	status = bs->GetMemoryMap(&size, map->buf, &key, &dsize, &version);
	if (status == EFI_BUFFER_TOO_SMALL) {
		if (size <= map->capacity)
			return EFI_LOAD_ERROR;
		*required = size;
		return status;
	}
	if (status != EFI_SUCCESS)
		return status;
	if (!mmap_answer_ok(map, size, dsize))
		return EFI_LOAD_ERROR;
	map->size = size;
	map->key = key;
	map->desc_size = dsize;
	map->desc_version = version;
	return EFI_SUCCESS;
}
