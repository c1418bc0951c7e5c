/* SPDX-License-Identifier: MIT */
/*
 * ram.c - the fake machine's physical memory: a host address range
 * reserved at the addresses the starting maps use, so that a page
 * allocation's address is its place in the map.
 *
 * Real loaders pick addresses from the map: Linux <= 3.12's low_alloc and
 * GRUB's relocator scan it for a free range and AllocatePages() exactly
 * there (AllocateAddress), or below a limit (AllocateMaxAddress), and then
 * use that memory (docs/real-loaders.md).  So the range [64 KiB, 1.375 GiB)
 * of the process is reserved, inaccessible, once; an AllocateAddress or
 * AllocateMaxAddress allocation inside it becomes readable and writable at
 * its own address, and inaccessible again when freed, so that a stray
 * access faults (ASan reports the SEGV with its stack).  AllocateAnyPages
 * stays a heap block (pages.c), where ASan names an overrun or a use
 * after free with the allocation's and the free's stacks.  All the shipped
 * starting maps keep their free memory in that range (OVMF's captures below
 * 256 MiB, U-Boot's at 1 GiB).  It starts at 64 KiB, the lowest address
 * Linux maps by default (vm.mmap_min_addr), so that an x86 loader's
 * AllocateMaxAddress below 1 MiB (ACRN's stub, for its trampoline) is
 * honoured too: from 1 MiB, such an allocation was a heap block above its
 * limit, and the run owed no boot.  Where 64 KiB is refused, the range
 * starts at 1 MiB.  It ends where Valgrind loads itself (0x58000000);
 * under Valgrind, which puts its client at 0x108000, or wherever the range
 * is taken, page allocations come from the heap as before and
 * AllocateAddress is refused.
 *
 * Freed pages are handed back to the kernel, so every run starts from zero
 * pages whatever the last one wrote.  Under MemorySanitizer fresh pages are
 * marked uninitialized, as the garbage real firmware hands out is.
 */
#define _DEFAULT_SOURCE
#include <stdlib.h>
#include <sys/mman.h>

#include "../sanitizers.h"
#include "internal.h"

#define FW_RAM_LOW_BASE 0x10000ull
#define FW_RAM_BASE 0x100000ull
#define FW_RAM_END 0x58000000ull

static enum { RAM_UNTRIED, RAM_RESERVED, RAM_UNAVAILABLE } ram_state;
static uint64_t ram_base = FW_RAM_BASE;

/* Reserve [@base, FW_RAM_END), inaccessible. */
static bool reserve_from(uint64_t base)
{
	void *want = (void *)(uintptr_t)base;
	void *got = mmap(want, FW_RAM_END - base, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);

	if (got == want) {
		ram_base = base;
		return true;
	}
	if (got != MAP_FAILED) /* an old kernel took the flag for a hint */
		munmap(got, FW_RAM_END - base);
	return false;
}

static bool reserve(void)
{
	if (ram_state == RAM_UNTRIED)
		ram_state = reserve_from(FW_RAM_LOW_BASE) || reserve_from(FW_RAM_BASE)
				    ? RAM_RESERVED
				    : RAM_UNAVAILABLE;
	return ram_state == RAM_RESERVED;
}

/**
 * fw_ram_covers() - whether model pages can be backed at their own address.
 * @start: page-aligned model address.
 * @pages: number of pages.
 *
 * Return: true if [@start, @start + @pages pages) lies in the reserved range.
 */
bool fw_ram_covers(uint64_t start, uint64_t pages)
{
	return reserve() && start >= ram_base && start < FW_RAM_END &&
	       pages <= (FW_RAM_END - start) / EFI_PAGE_SIZE;
}

/**
 * fw_ram_map() - make model pages usable at their own address.
 * @start: page-aligned model address, fw_ram_covers() true.
 * @pages: number of pages.
 *
 * Return: the host pointer, equal to @start.
 */
void *fw_ram_map(uint64_t start, uint64_t pages)
{
	void *at = (void *)(uintptr_t)start;

	if (mprotect(at, pages * EFI_PAGE_SIZE, PROT_READ | PROT_WRITE) != 0)
		abort();
#ifdef EBSFUZZ_MSAN
	__msan_poison(at, pages * EFI_PAGE_SIZE);
#endif
	return at;
}

/**
 * fw_ram_contains() - whether a host range lies in the fake machine's RAM.
 * @addr: first byte.
 * @size: bytes.
 *
 * Only pages the loader holds are accessible there (fw_ram_unmap() closes
 * the others): a write to the range changes the loader's own pages, which
 * go back to the kernel when it frees them or its run ends, or faults.
 *
 * Return: true if [@addr, @addr + @size) is inside the reserved range.
 */
bool fw_ram_contains(uintptr_t addr, size_t size)
{
	return ram_state == RAM_RESERVED && addr >= ram_base && addr < FW_RAM_END &&
	       size <= FW_RAM_END - addr;
}

/**
 * fw_ram_in_machine() - whether @addr is where the fake machine's memory
 * lies, reserved yet or not (a loader that never allocated pages at an
 * address leaves the range unreserved, and a write there faults all the
 * same).
 * @addr: an address.
 *
 * Return: true if in [64 KiB, FW_RAM_END).
 */
bool fw_ram_in_machine(uintptr_t addr)
{
	return addr >= FW_RAM_LOW_BASE && addr < FW_RAM_END;
}

/**
 * fw_ram_unmap() - make model pages inaccessible again, and zero.
 * @start: as passed to fw_ram_map(), or inside it, page-aligned.
 * @pages: number of pages.
 */
void fw_ram_unmap(uint64_t start, uint64_t pages)
{
	void *at = (void *)(uintptr_t)start;

	if (madvise(at, pages * EFI_PAGE_SIZE, MADV_DONTNEED) != 0 ||
	    mprotect(at, pages * EFI_PAGE_SIZE, PROT_NONE) != 0)
		abort();
}
