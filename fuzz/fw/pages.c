/* SPDX-License-Identifier: MIT */
/*
 * pages.c - AllocatePages and FreePages (UEFI 2.10 sections 7.2.1 and
 * 7.2.2): AnyPages, MaxAddress and Address requests, and frees of all or
 * part of an allocation.  The records, the pool services and the
 * firmware's own allocations are memory.c's.
 *
 * A page allocation is the pages themselves, at their address in the map
 * (ram.c), when the loader chose where; otherwise a block of exactly the
 * pages' size (arena.c in ASan builds, else the heap), so that ASan sees
 * every overrun.
 */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

/*
 * Host memory for a page allocation at model address @start: the pages
 * themselves (ram.c) when the loader chose where (@at_address: it will use
 * that address), else a block of exactly the pages' size (arena.c in ASan
 * builds, else the heap), so that an overrun, an underrun or a use after
 * free is reported by name, with the calls that made and freed it.
 */
static void back_pages(struct fw_alloc *rec, uint64_t start, uint64_t pages, bool at_address)
{
	rec->start = start;
	rec->pages = pages;
	rec->bytes = pages * EFI_PAGE_SIZE;
	rec->in_ram = at_address && fw_ram_covers(start, pages);
	rec->host = rec->in_ram ? fw_ram_map(start, pages)
				: fw_arena_alloc(rec->bytes, true, start + rec->bytes <= FW_4GIB);
	rec->in_arena = !rec->in_ram && rec->host != NULL;
	if (rec->host == NULL)
		rec->host = aligned_alloc(EFI_PAGE_SIZE, rec->bytes);
	if (rec->host == NULL)
		abort();
	rec->alloc_call = fw.calls;
	rec->alloc_site = fw.caller;
	rec->alloc_chain = fw.call_chain;
	rec->is_pages = true;
	rec->live = true;
}

/*
 * AllocateAddress (UEFI 2.10 section 7.2.1): the pages the loader chose,
 * if every one of them is free (else EFI_NOT_FOUND, as EDK2 answers; a
 * misaligned address too).  The loader will use that memory at that
 * address, so only ram.c's range can honour it: elsewhere the fake machine
 * refuses, and a boot is no longer owed.  Nor is it where the pages are
 * not free and the loader has read no map yet, if the loader then stops
 * before any exit attempt: an address it was built with (gigaboot's kernel
 * zone at 1 MiB, ToaruOS's 64 MiB) that this map has in use, as Xen's
 * trampoline needs memory below 1 MiB a map may not have free
 * (docs/real-loaders.md).  A loader that copes and goes on to exit owes
 * the boot again (Syslinux tries the kernel's preferred address, 16 MiB,
 * and relocates when refused: oracle_check_end()); picked from a map it
 * read, the choice is the loader's to get right, unless the firmware's own
 * allocations took the pages since that read (MikanOS loads its kernel at
 * 1 MiB, free in the map it read; a timer's allocation, placed for the
 * count change the input asked, took 1 MiB before it asked: a machine on
 * which it cannot boot, not a fault of its exit).  The input's allocation
 * outcomes do not apply: the address fixes the placement.
 */
static EFI_STATUS allocate_at(EFI_MEMORY_TYPE type, UINTN pages, EFI_PHYSICAL_ADDRESS *memory,
			      struct fw_alloc *rec)
{
	uint64_t start = fw_arg_get_u64(memory, "AllocatePages()'s Memory");

	if (start % EFI_PAGE_SIZE != 0)
		return EFI_NOT_FOUND;
	if (!fw_map_range_free(start, pages)) {
		if (fw.map_reads == 0 && !fw.built_in_address_refused) {
			fw.built_in_address_refused = true;
			FW_TRACE("# AllocateAddress refused: this map has those pages in use, and the "
				 "loader has read no map yet (an address it was built with); if it "
				 "stops here no boot is owed, if it goes on to exit one is\n");
		} else if (fw_taken_since_read(start, pages) && !fw.address_taken_by_firmware) {
			fw.address_taken_by_firmware = true;
			FW_TRACE("# AllocateAddress refused: the firmware's own allocations took some "
				 "of those pages since the loader's last read of the map; if it stops "
				 "here no boot is owed, if it goes on to exit one is\n");
		}
		return EFI_NOT_FOUND;
	}
	/* A loader that stops for it owes no boot; one that goes on to exit
	 * did not need it (ReactOS's FreeLoader takes every free range of the
	 * map, page 0 among them, below what a process can map; excused
	 * outright, 93% of its compliant runs owed no boot and its second
	 * ExitBootServices() with the refused key was never judged). */
	if (!fw_ram_covers(start, pages)) {
		if (!fw.address_unbacked)
			FW_TRACE("# AllocateAddress outside the memory the fake machine can back: "
				 "refused; a boot is owed only if the loader goes on to exit\n");
		fw.address_unbacked = true;
		return EFI_NOT_FOUND;
	}
	if (!fw_map_alloc_at(type, start, pages)) {
		fw_cannot_model("the fake firmware's map is full");
		return EFI_OUT_OF_RESOURCES;
	}
	back_pages(rec, start, pages, true);
	return EFI_SUCCESS;
}

static EFI_STATUS allocate_pages(EFI_ALLOCATE_TYPE how, EFI_MEMORY_TYPE type, UINTN pages,
				 EFI_PHYSICAL_ADDRESS *memory)
{
	uint64_t max_end = UINT64_MAX, start;
	struct fw_alloc rec = { 0 };
	EFI_STATUS status;

	if (memory == NULL || (unsigned)how >= MaxAllocateType || !fw_type_allocatable(type) || pages == 0)
		return EFI_INVALID_PARAMETER;
	if (pages > FW_MAX_MACHINE_BYTES / EFI_PAGE_SIZE) {
		FW_TRACE("# more pages than any machine has: EFI_OUT_OF_RESOURCES, and still a "
			 "boot owed\n");
		fw_uboot_alloc_failed(false);
		return EFI_OUT_OF_RESOURCES;
	}
	/* Pages at the loader's address are its own range of the fake RAM
	 * (ram.c), whatever their number: ReactOS's FreeLoader takes every
	 * free range of the map that way (hundreds of MiB) before it exits,
	 * and from 64 MiB up every run of it owed no boot. */
	if ((pages > FW_MAX_ALLOC_BYTES / EFI_PAGE_SIZE && how != AllocateAddress) ||
	    !fw_alloc_record_available()) {
		fw_cannot_model("the loader asked for more memory than the fake machine has");
		fw_uboot_alloc_failed(false);
		return EFI_OUT_OF_RESOURCES;
	}
	if (how == AllocateAddress) {
		status = allocate_at(type, pages, memory, &rec);
		if (status != EFI_SUCCESS)
			return status;
	} else {
		/* Read only when it is an input: AnyPages' may be uninitialised. */
		if (how == AllocateMaxAddress) {
			uint64_t limit = fw_arg_get_u64(memory, "AllocatePages()'s Memory");

			if (limit < UINT64_MAX)
				max_end = limit + 1;
		}
		if (!fw_map_alloc(type, pages, fw_next_alloc_outcome(), max_end, false, &start)) {
			fw_not_compliant(false, "the firmware's map ran out of free memory");
			return EFI_OUT_OF_RESOURCES;
		}
		back_pages(&rec, start, pages, how == AllocateMaxAddress);
		/* A heap block cannot honour the limit the map honoured: a
		 * loader that stops for an address it cannot use owes no boot,
		 * but one that goes on to exit did not stop for it (Tilck puts
		 * its multiboot info below 64 KiB, then never retries a failed
		 * exit: with the boot excused outright, no run of it owed one). */
		if (!rec.in_ram && how == AllocateMaxAddress &&
		    (uintptr_t)rec.host + rec.bytes > max_end && !fw.max_address_unbacked) {
			fw.max_address_unbacked = true;
			FW_TRACE("# AllocateMaxAddress below the memory the fake machine can back: "
				 "the block lies above the limit; a boot is owed only if the loader "
				 "goes on to exit\n");
		}
	}
	rec.type = type;
	fw.allocs[fw.n_allocs++] = rec;
	fw_arg_put_u64(memory, (uintptr_t)rec.host, "AllocatePages()'s Memory");
	return EFI_SUCCESS;
}

static const char *allocate_type_name(EFI_ALLOCATE_TYPE how)
{
	switch (how) {
	case AllocateAnyPages:
		return "AnyPages";
	case AllocateMaxAddress:
		return "MaxAddress";
	case AllocateAddress:
		return "Address";
	default:
		return "invalid type";
	}
}

static EFI_STATUS EFIAPI fw_AllocatePages(EFI_ALLOCATE_TYPE how, EFI_MEMORY_TYPE type, UINTN pages,
					  EFI_PHYSICAL_ADDRESS *memory)
{
	EFI_STATUS status = FW_ENTER(SVC_AllocatePages);
	char request[48];

	/* An Address or MaxAddress request shows the address it names. */
	if (memory != NULL && (how == AllocateAddress || how == AllocateMaxAddress))
		snprintf(request, sizeof(request), "%s 0x%llx", allocate_type_name(how),
			 (unsigned long long)fw_arg_get_u64(memory, "AllocatePages()'s Memory"));
	else
		snprintf(request, sizeof(request), "%s", allocate_type_name(how));
	if (status == EFI_SUCCESS)
		status = allocate_pages(how, type, pages, memory);
	if (status == EFI_SUCCESS)
		FW_TRACE("# call %u: AllocatePages(%s, %s, %zu) -> %s at 0x%llx, %u descriptors, "
			 "key 0x%llx\n", fw.calls, request,
			 (uint32_t)type < 16 ? scn_memtype_names[type] : "OEM/OS type", (size_t)pages,
			 fw_status_name(status), (unsigned long long)fw.allocs[fw.n_allocs - 1].start,
			 fw.n_regions, (unsigned long long)fw.key);
	else
		FW_TRACE("# call %u: AllocatePages(%s, %s, %zu) -> %s\n", fw.calls, request,
			 (uint32_t)type < 16 ? scn_memtype_names[type] : "OEM/OS type", (size_t)pages,
			 fw_status_name(status));
	return fw_leave(SVC_AllocatePages, status);
}

/* Free all or part of a live page allocation, per UEFI 2.10 section 7.2.2. */
static void free_pages(struct fw_alloc *rec, uintptr_t at, UINTN pages)
{
	uint64_t first_page = (at - (uintptr_t)rec->host) / EFI_PAGE_SIZE;

	fw_map_free(rec->start + first_page * EFI_PAGE_SIZE, pages, false);
	if (rec->in_ram)
		fw_ram_unmap(at, pages);
	rec->pages_freed += pages;
	if (rec->in_ram) { /* when, from where: a later fault there names them */
		rec->free_call = fw.calls;
		rec->free_site = fw.caller;
	}
	if (rec->pages_freed >= rec->pages) {
		if (!rec->in_ram)
			fw_release_host(rec);
		rec->live = false;
	}
}

/* The most allocations one FreePages() may span. */
#define FREE_SPAN_MAX 16u

/* One live page allocation's part of a FreePages() range. */
struct free_piece {
	struct fw_alloc *rec;
	uintptr_t at;
	UINTN pages;
};

/*
 * The live page allocations [@at, @at + @pages pages) covers, end to end,
 * from @first, which @at lies in; UEFI 2.10 section 7.2.2 asks that the
 * pages were allocated with AllocatePages().  EDK2's CoreFreePages
 * (CoreConvertPagesEx(), one descriptor of its map after another) and
 * U-Boot's efi_free_pages() (efi_add_memory_map_pg() over the range) free
 * two allocations side by side in one call as well as one: Minoca's
 * descriptor list merges neighbouring allocations of one type and frees
 * them so (boot/lib/efi/memory.c).  Side by side is possible only in the
 * fake machine's RAM (in_ram), where a block's host address is its
 * address in the map; elsewhere gap pages lie between blocks.
 *
 * Return: the pieces in @out, or 0 if the range is not wholly live pages.
 */
static unsigned free_span(struct fw_alloc *first, uintptr_t at, UINTN pages,
			  struct free_piece out[FREE_SPAN_MAX])
{
	struct fw_alloc *a = first;
	unsigned n;

	if (a == NULL || !a->is_pages || (at - (uintptr_t)a->host) % EFI_PAGE_SIZE != 0 || pages == 0)
		return 0;
	for (n = 0; n < FREE_SPAN_MAX; n++) {
		UINTN room = (a->bytes - (at - (uintptr_t)a->host)) / EFI_PAGE_SIZE;

		out[n] = (struct free_piece){ a, at, pages < room ? pages : room };
		pages -= out[n].pages;
		if (pages == 0)
			return n + 1;
		at = (uintptr_t)a->host + a->bytes;
		if (!a->in_ram || a->bytes % EFI_PAGE_SIZE != 0)
			return 0;
		a = (struct fw_alloc *)fw_alloc_containing((const void *)at, true);
		if (a == NULL || !a->is_pages || (uintptr_t)a->host != at)
			return 0;
	}
	return 0;
}

static EFI_STATUS EFIAPI fw_FreePages(EFI_PHYSICAL_ADDRESS memory, UINTN pages)
{
	EFI_STATUS status = FW_ENTER(SVC_FreePages);
	struct fw_alloc *rec = (struct fw_alloc *)fw_alloc_containing((void *)(uintptr_t)memory, true);
	struct free_piece piece[FREE_SPAN_MAX];
	unsigned n = free_span(rec, (uintptr_t)memory, pages, piece), i;

	if (!oracle_check_free_pages(n > 0, pages)) {
		status = EFI_NOT_FOUND;
	} else {
		for (i = 0; i < n && status == EFI_SUCCESS; i++)
			status = fw_uboot_free_status(piece[i].rec->type);
		if (status != EFI_SUCCESS)
			for (i = 0; i < n; i++)
				piece[i].rec->free_refused = true;
		else
			for (i = 0; i < n; i++)
				free_pages(piece[i].rec, piece[i].at, piece[i].pages);
	}
	/* The address in the map, as AllocatePages() is traced: a block's
	 * host address changes from process to process. */
	if (n > 0)
		FW_TRACE("# call %u: FreePages(0x%llx, %zu) -> %s, %u descriptors, key 0x%llx\n",
			 fw.calls,
			 (unsigned long long)(piece[0].rec->start +
					      (piece[0].at - (uintptr_t)piece[0].rec->host)),
			 (size_t)pages, fw_status_name(status), fw.n_regions,
			 (unsigned long long)fw.key);
	else
		FW_TRACE("# call %u: FreePages(not a live page allocation, %zu) -> %s\n", fw.calls,
			 (size_t)pages, fw_status_name(status));
	return fw_leave(SVC_FreePages, status);
}

/**
 * fw_pages_install() - put the page services into a boot services table.
 * @bs: the table.
 */
void fw_pages_install(EFI_BOOT_SERVICES *bs)
{
	bs->AllocatePages = fw_AllocatePages;
	bs->FreePages = fw_FreePages;
}
