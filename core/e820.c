/* SPDX-License-Identifier: MIT */
/*
 * e820.c - convert the UEFI memory map into an e820 table, in place, with no
 * boot-service calls: it runs between GetMemoryMap() and ExitBootServices()
 * and again after a failed exit.
 */
#include "e820.h"

/**
 * e820_type_of() - the e820 type of a UEFI memory type.
 * @efi_type: EFI_MEMORY_DESCRIPTOR.Type.
 *
 * After ExitBootServices() the OS owns loader and boot-services memory
 * (UEFI 2.10 section 7.4.6), so they are RAM, as in Linux's setup_e820().
 * Runtime regions must survive and are reserved.  Unaccepted memory (UEFI
 * 2.10) is reserved too: a kernel that cannot accept it must not touch it.
 * Unknown and OEM types are reserved, the safe direction.
 *
 * Return: an enum e820_type.
 */
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
 * e820_append() - add a range, merging it into the previous one if it
 * continues it with the same type.
 * @table: the table.
 * @addr: first byte.
 * @size: length, non-zero.
 * @type: e820 type.
 *
 * Return:
 * * EFI_SUCCESS - added or merged.
 * * EFI_BUFFER_TOO_SMALL - the table is full.  The caller sized it for one
 *   entry per descriptor, so this means the firmware's answer was wrong.
 */
static EFI_STATUS e820_append(struct e820_table *table, UINT64 addr, UINT64 size, UINT32 type)
{
	struct e820_entry *last = table->count ? &table->entries[table->count - 1] : NULL;
	UINT64 merged;

	if (last != NULL && last->type == type && last->size <= UINT64_MAX - last->addr &&
	    last->addr + last->size == addr && !__builtin_add_overflow(last->size, size, &merged)) {
		last->size = merged;
		return EFI_SUCCESS;
	}
	if (table->count >= table->capacity)
		return EFI_BUFFER_TOO_SMALL;
	table->entries[table->count++] = (struct e820_entry){ addr, size, type };
	return EFI_SUCCESS;
}

/**
 * e820_from_memmap() - fill @table from @map, replacing what it held.
 * @map: a map whose last read succeeded.
 * @table: entries and capacity set; count is reset.
 *
 * Idempotent, as the exit sequence requires: it may run twice.
 *
 * Return:
 * * EFI_SUCCESS - @table describes @map.
 * * EFI_LOAD_ERROR - a descriptor is not page aligned or its range does
 *   not fit in 64 bits (the firmware's map is corrupt).
 * * EFI_BUFFER_TOO_SMALL - more ranges than @table->capacity.
 */
EFI_STATUS e820_from_memmap(const struct mmap *map, struct e820_table *table)
{
	UINTN i, count = mmap_count(map);
	EFI_STATUS status;

	table->count = 0;
	for (i = 0; i < count; i++) {
		const EFI_MEMORY_DESCRIPTOR *desc = mmap_desc(map, i);
		UINT64 size;

		if (desc->NumberOfPages == 0)
			continue;
		if (desc->PhysicalStart % EFI_PAGE_SIZE != 0 ||
		    desc->NumberOfPages > (UINT64_MAX >> EFI_PAGE_SHIFT))
			return EFI_LOAD_ERROR;
		size = desc->NumberOfPages << EFI_PAGE_SHIFT;
		if (desc->PhysicalStart > UINT64_MAX - (size - 1))
			return EFI_LOAD_ERROR;
		status = e820_append(table, desc->PhysicalStart, size, e820_type_of(desc->Type));
		if (status != EFI_SUCCESS)
			return status;
	}
	return EFI_SUCCESS;
}

/**
 * e820_map_callback() - an ebs_map_fn building the table in the map's scratch.
 * @map: the map just read; its scratch space holds the entries.
 * @ctx: a struct e820_table.
 *
 * Return: as e820_from_memmap().
 */
EFI_STATUS e820_map_callback(const struct mmap *map, VOID *ctx)
{
	struct e820_table *table = ctx;

	table->entries = map->scratch;
	table->capacity = map->scratch_size / sizeof(struct e820_entry);
	return e820_from_memmap(map, table);
}
