/* SPDX-License-Identifier: MIT */
/*
 * e820.h - the map-processing callback the hardened loader ships: turn the
 * UEFI memory map into an e820-style table, the form the x86 Linux boot
 * protocol and most kernels consume.
 */
#ifndef EBSFUZZ_CORE_E820_H
#define EBSFUZZ_CORE_E820_H

#include "efi.h"
#include "memmap.h"

/* The e820 types of the ACPI specification (section 15, "System Address Map"). */
enum e820_type {
	E820_RAM = 1,
	E820_RESERVED = 2,
	E820_ACPI = 3,
	E820_NVS = 4,
	E820_UNUSABLE = 5,
	E820_PMEM = 7,
};

/**
 * struct e820_entry - one address range.
 * @addr: first byte.
 * @size: length in bytes, never zero.
 * @type: an enum e820_type.
 */
struct e820_entry {
	UINT64 addr;
	UINT64 size;
	UINT32 type;
};

/**
 * struct e820_table - a table of fixed capacity, filled in place.
 * @entries: storage for @capacity entries.
 * @capacity: fixed when the storage was allocated.
 * @count: entries in use.
 */
struct e820_table {
	struct e820_entry *entries;
	UINTN capacity;
	UINTN count;
};

EFI_STATUS e820_from_memmap(const struct mmap *map, struct e820_table *table);

EFI_STATUS e820_map_callback(const struct mmap *map, VOID *ctx);

#endif /* EBSFUZZ_CORE_E820_H */
