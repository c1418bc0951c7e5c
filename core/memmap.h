/* SPDX-License-Identifier: MIT */
/*
 * memmap.h - the loader's memory-map buffer: sizing, reading, validating,
 * and walking it with the firmware's DescriptorSize as the stride.
 *
 * Freestanding; reaches the firmware only through the EFI_BOOT_SERVICES
 * pointer it is given.
 */
#ifndef EBSFUZZ_CORE_MEMMAP_H
#define EBSFUZZ_CORE_MEMMAP_H

#include "efi.h"

/*
 * Descriptors this large are not a future extension of the 40-byte
 * EFI_MEMORY_DESCRIPTOR, they are garbage: real firmware reports 40
 * (U-Boot) or 48 (EDK2).
 */
#define MMAP_MAX_DESC_SIZE 1024u

/* No real machine has a 16 MiB memory map; a bigger answer is nonsense. */
#define MMAP_MAX_MAP_BYTES (16u * 1024u * 1024u)

/**
 * struct mmap - a memory map held in one buffer the loader allocated.
 * @buf: start of the buffer (from AllocatePool), or NULL.
 * @capacity: bytes at @buf that GetMemoryMap may fill.
 * @size: bytes of descriptors written by the last successful read.
 * @key: MapKey returned by the last successful read.
 * @desc_size: DescriptorSize returned by the last successful read, 0 before.
 * @desc_version: DescriptorVersion returned by the last successful read.
 * @scratch: loader scratch space after the map in the same buffer.
 * @scratch_size: bytes at @scratch.
 */
struct mmap {
	EFI_MEMORY_DESCRIPTOR *buf;
	UINTN capacity;
	UINTN size;
	UINTN key;
	UINTN desc_size;
	UINT32 desc_version;
	VOID *scratch;
	UINTN scratch_size;
};

bool mmap_desc_size_ok(UINTN desc_size);

EFI_STATUS mmap_probe(EFI_BOOT_SERVICES *bs, UINTN *required, UINTN *desc_size);

EFI_STATUS mmap_read(EFI_BOOT_SERVICES *bs, struct mmap *map, UINTN *required);

/**
 * mmap_count() - number of descriptors held after a successful read.
 * @map: a map whose last read succeeded.
 *
 * Return: @map->size / @map->desc_size; mmap_read() guarantees a non-zero
 * divisor and an exact multiple.
 */
static inline UINTN mmap_count(const struct mmap *map)
{
	return map->size / map->desc_size;
}

/**
 * mmap_desc() - the descriptor at @index, stepping by DescriptorSize.
 * @map: a map whose last read succeeded.
 * @index: below mmap_count().
 *
 * UEFI 2.10 section 7.2.3: "OS software must use the DescriptorSize to find
 * the start of each EFI_MEMORY_DESCRIPTOR"; never sizeof().
 *
 * Return: pointer into @map->buf.
 */
static inline const EFI_MEMORY_DESCRIPTOR *mmap_desc(const struct mmap *map, UINTN index)
{
	return (const EFI_MEMORY_DESCRIPTOR *)((const UINT8 *)map->buf + index * map->desc_size);
}

#endif /* EBSFUZZ_CORE_MEMMAP_H */
