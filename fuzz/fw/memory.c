/* SPDX-License-Identifier: MIT */
/*
 * memory.c - the loader's allocations and the pool services (UEFI 2.10
 * section 7.2): the record of every allocation, AllocatePool and FreePool,
 * and the allocations handlers and timers make inside the firmware
 * (AllocatePages and FreePages are in pages.c, GetMemoryMap in getmap.c).
 *
 * Pool allocations are blocks of exactly the requested size (in ASan
 * builds arena blocks poisoned by hand, arena.c; else heap blocks), so
 * ASan sees every overrun; their place in the firmware's map is modelled
 * separately (map.c).  Page allocations are the pages themselves, at their
 * address in the map (ram.c), wherever the fake machine can back them.
 * Heap addresses never steer the firmware, so a run is the same whatever
 * malloc returns.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static uint64_t pages_for(uint64_t bytes)
{
	return (bytes + EFI_PAGE_SIZE - 1) / EFI_PAGE_SIZE;
}

/* UEFI 2.10 section 7.2.1/7.2.4: types a caller may allocate; EDK2's
 * CoreAllocatePages/CoreAllocatePool reject the same set. */
bool fw_type_allocatable(EFI_MEMORY_TYPE type)
{
	uint32_t t = (uint32_t)type;
	bool ok;

	if (fw_uboot_allocatable(t, &ok))
		return ok;
	if (t >= EfiMaxMemoryType && t < 0x70000000u)
		return false;
	return t != EfiConventionalMemory && t != EfiPersistentMemory &&
	       t != EfiUnacceptedMemoryType;
}

/* The outcome the input chose for the loader's next allocation. */
uint8_t fw_next_alloc_outcome(void)
{
	const struct scenario *scn = fw.scn;

	if (fw.next_alloc_outcome < scn->n_allocs)
		return scn->allocs[fw.next_alloc_outcome++];
	return DELTA_AUTO;
}

/* Make room in the record table by forgetting freed allocations. */
bool fw_alloc_record_available(void)
{
	unsigned i, kept = 0;

	if (fw.n_allocs < FW_MAX_ALLOCS)
		return true;
	for (i = 0; i < fw.n_allocs; i++)
		if (fw.allocs[i].live)
			fw.allocs[kept++] = fw.allocs[i];
	fw.n_allocs = kept;
	return kept < FW_MAX_ALLOCS;
}

/**
 * fw_alloc_containing() - the loader allocation a pointer lies in.
 * @ptr: any pointer.
 * @live: look among live allocations (true) or freed ones (false).
 *
 * Return: the record, or NULL (stack, static or foreign memory).
 */
const struct fw_alloc *fw_alloc_containing(const void *ptr, bool live)
{
	uintptr_t p = (uintptr_t)ptr;
	unsigned i;

	for (i = fw.n_allocs; i-- > 0;) {
		const struct fw_alloc *a = &fw.allocs[i];
		uintptr_t base = (uintptr_t)a->host;

		if (a->live == live && p >= base && p - base < (a->bytes ? a->bytes : 1))
			return a;
	}
	return NULL;
}

/**
 * fw_alloc_view() - loader allocation @i as a bad access is explained.
 * @i: from 0.
 * @out: filled in when true is returned.
 *
 * Return: false past the last record.
 */
bool fw_alloc_view(unsigned i, struct fw_block_view *out)
{
	const struct fw_alloc *a;

	if (i >= fw.n_allocs)
		return false;
	a = &fw.allocs[i];
	out->start = (uintptr_t)a->host;
	out->bytes = a->bytes;
	out->live = a->live;
	out->in_arena = a->in_arena;
	out->alloc_service = a->is_pages ? "AllocatePages" : "AllocatePool";
	out->free_service = a->is_pages ? "FreePages" : "FreePool";
	out->alloc_call = a->alloc_call;
	out->free_call = a->free_call;
	out->alloc_site = a->alloc_site;
	out->free_site = a->free_site;
	out->bad_free = NULL;
	return true;
}

/**
 * fw_live_loader_allocations() - allocations the loader still holds.
 * @first: receives the earliest of them (NULL if none), or NULL.
 *
 * The pool block a loader passed to Exit() as its ExitData is not held:
 * UEFI 2.10 section 7.4.5 asks for it to come from AllocatePool(), for the
 * caller of StartImage() (EDK2's CoreExit() copies it for that caller).
 * efilinux hands over its error text so, and its run was a leak.
 *
 * Return: live records whose free was not refused by an injected failure.
 */
unsigned fw_live_loader_allocations(const struct fw_alloc **first)
{
	unsigned i, n = 0;

	if (first != NULL)
		*first = NULL;
	for (i = 0; i < fw.n_allocs; i++) {
		if (!fw.allocs[i].live || fw.allocs[i].free_refused)
			continue;
		if (fw.exit_data != NULL && fw.allocs[i].host == fw.exit_data && !fw.allocs[i].is_pages)
			continue;
		if (n++ == 0 && first != NULL)
			*first = &fw.allocs[i];
	}
	return n;
}

/**
 * pool_pages() - the pages a pool allocation takes from the map.
 * @type: pool type.
 * @bytes: requested size.
 * @delta: enum scn_delta chosen by the input.
 *
 * EDK2 serves small requests from per-type free lists, which changes
 * neither map nor key once the type has a pool page; larger ones take whole
 * pages (Pool.c, exit-boot.md 2.4; ovmf.md: a 16-byte BootServicesData pool
 * left the key alone, and scripts/ovmf-check saw the same from handlers and
 * timers on 2022.11 and 2025.02).  U-Boot makes every pool call a page
 * call (F18), with a header of its own size (fw_pool_overhead()), and 0
 * bytes no call at all.  DELTA_NONE serves a small request from a free
 * list even before its type has a pool page.
 *
 * Return: 0 if served from a free list, else the pages to convert.
 */
static uint64_t pool_pages(uint32_t type, uint64_t bytes, uint8_t delta)
{
	bool small = !fw_quirk(QUIRK_POOL_IS_PAGES) && bytes + FW_POOL_OVERHEAD <= FW_POOL_SMALL_MAX;
	bool has_page = type < 32 && ((fw.pool_page_types >> type) & 1);

	if (fw_uboot_pool_is_nothing(bytes))
		return 0;
	if (small && (delta == DELTA_NONE || (delta == DELTA_AUTO && has_page)))
		return 0;
	return small ? 1 : pages_for(bytes + fw_pool_overhead());
}

/* A small request just took a page: later ones of its type use its free list. */
static void note_pool_page(uint32_t type, uint64_t pages)
{
	if (pages == 1 && type < 32 && !fw_quirk(QUIRK_POOL_IS_PAGES))
		fw.pool_page_types |= 1u << type;
}

/* Put a loader's pool allocation into the map; false if there is no room. */
static bool place_pool(uint32_t type, size_t bytes, uint8_t delta, struct fw_alloc *rec)
{
	rec->pages = pool_pages(type, bytes, delta);
	if (rec->pages == 0)
		return true;
	if (!fw_map_alloc(type, rec->pages, delta, UINT64_MAX, false, &rec->start))
		return false;
	note_pool_page(type, rec->pages);
	return true;
}

/* A heap or arena block freed by the loader: when, from where. */
void fw_release_host(struct fw_alloc *rec)
{
	if (rec->in_arena)
		fw_arena_free(rec->host, rec->bytes);
	else
		free(rec->host);
	rec->free_call = fw.calls;
	rec->free_site = fw.caller;
}

/* What a failed AllocatePool() leaves in *Buffer.  EDK2's
 * CoreInternalAllocatePool() sets it to NULL once it has checked the type
 * and the pointer, before it looks for memory, so every
 * EFI_OUT_OF_RESOURCES hands back NULL (MdeModulePkg/Core/Dxe/Mem/Pool.c);
 * U-Boot's efi_allocate_pool() leaves it as it was; AMI's is not known,
 * and stays as it was.  A loader that frees its buffer and keeps the
 * pointer through a failed reallocation (ReactOS's FreeLoader) passes
 * GetMemoryMap() NULL on EDK2, its freed buffer on U-Boot: before, the
 * freed buffer on EDK2 too, a buffer-bounds finding EDK2 never gives. */
static void failed_pool_buffer(EFI_STATUS status, EFI_MEMORY_TYPE type, VOID **buffer)
{
	bool edk2 = fw.personality == PERS_EDK2_2025 || fw.personality == PERS_EDK2_2022 ||
		    fw.personality == PERS_EDK2_2023;

	if (status == EFI_OUT_OF_RESOURCES && buffer != NULL && fw_type_allocatable(type) && edk2)
		fw_arg_put_ptr(buffer, NULL, "AllocatePool()'s Buffer");
}

static EFI_STATUS EFIAPI fw_AllocatePool(EFI_MEMORY_TYPE type, UINTN size, VOID **buffer)
{
	EFI_STATUS status = FW_ENTER(SVC_AllocatePool);
	struct fw_alloc rec = { 0 };

	if (status == EFI_SUCCESS && (buffer == NULL || !fw_type_allocatable(type)))
		status = EFI_INVALID_PARAMETER;
	if (status == EFI_SUCCESS && fw_uboot_pool_zero(size, buffer))
		return fw_leave(SVC_AllocatePool, status);
	if (status == EFI_SUCCESS && size > FW_MAX_MACHINE_BYTES) {
		FW_TRACE("# more memory than any machine has: EFI_OUT_OF_RESOURCES, and still a "
			 "boot owed\n");
		fw_uboot_alloc_failed(false);
		status = EFI_OUT_OF_RESOURCES;
	}
	if (status == EFI_SUCCESS && (size > FW_MAX_ALLOC_BYTES || !fw_alloc_record_available())) {
		fw_cannot_model("the loader asked for more memory than the fake machine has");
		fw_uboot_alloc_failed(false);
		status = EFI_OUT_OF_RESOURCES;
	}
	if (status == EFI_SUCCESS && !place_pool(type, size, fw_next_alloc_outcome(), &rec)) {
		fw_not_compliant(false, "the firmware's map ran out of free memory");
		status = EFI_OUT_OF_RESOURCES;
	}
	if (status == EFI_SUCCESS) {
		/* Below 4 GiB where the map put it (arena.c). */
		rec.host = fw_arena_alloc(size, false,
					  rec.pages != 0
						  ? rec.start + rec.pages * EFI_PAGE_SIZE <= FW_4GIB
						  : fw.pool_pages_below_4g);
		rec.in_arena = rec.host != NULL;
		if (!rec.in_arena)
			rec.host = malloc(size ? size : 1);
		if (rec.host == NULL)
			abort();
		rec.alloc_call = fw.calls;
		rec.alloc_site = fw.caller;
		rec.alloc_chain = fw.call_chain;
		rec.bytes = size;
		rec.type = type;
		rec.live = true;
		fw.allocs[fw.n_allocs++] = rec;
		fw_arg_put_ptr(buffer, rec.host, "AllocatePool()'s Buffer");
	}
	failed_pool_buffer(status, type, buffer);
	FW_TRACE("# call %u: AllocatePool(%s, %zu) -> %s, %u descriptors, key 0x%llx\n", fw.calls,
		 (uint32_t)type < 16 ? scn_memtype_names[type] : "OEM/OS type", (size_t)size,
		 fw_status_name(status), fw.n_regions, (unsigned long long)fw.key);
	return fw_leave(SVC_AllocatePool, status);
}

static EFI_STATUS EFIAPI fw_FreePool(VOID *buffer)
{
	EFI_STATUS status = FW_ENTER(SVC_FreePool);
	struct fw_alloc *rec = NULL;

	if (buffer == NULL)
		status = EFI_INVALID_PARAMETER; /* UEFI 2.10 section 7.2.5 */
	else if ((rec = oracle_check_free(buffer, "FreePool")) == NULL)
		status = EFI_INVALID_PARAMETER;
	else if (status == EFI_SUCCESS)
		status = fw_uboot_free_status(rec->type);
	if (rec != NULL && status != EFI_SUCCESS) {
		rec->free_refused = true;
	} else if (rec != NULL) {
		fw_release_host(rec);
		rec->live = false;
		if (rec->pages != 0)
			fw_map_free(rec->start, rec->pages, false);
	}
	FW_TRACE("# call %u: FreePool() -> %s, %u descriptors, key 0x%llx\n", fw.calls,
		 fw_status_name(status), fw.n_regions, (unsigned long long)fw.key);
	return fw_leave(SVC_FreePool, status);
}

/**
 * fw_action_run() - what a handler or timer does, inside the firmware.
 * @action: allocate pool or pages, or free the latest firmware allocation.
 * @by_timer: a timer's action, not a handler's.
 *
 * Firmware allocations exist only in the map: there is no loader-visible
 * memory behind them.  They fail silently when the map is full or out of
 * free memory, as a driver's allocation would, and stop after
 * FW_MAX_FIRMWARE_CHANGES in a run, a timer's after FW_MAX_TIMER_CHANGES
 * of the timers'.
 *
 * Return: true if the map changed.
 */
bool fw_action_run(const struct scn_action *action, bool by_timer)
{
	bool changed = false;
	unsigned r;

	for (r = 0; r < action->repeat && fw.firmware_changes < FW_MAX_FIRMWARE_CHANGES &&
		    (!by_timer || fw.timer_changes < FW_MAX_TIMER_CHANGES);
	     r++) {
		struct fw_range range;

		if (!fw_envelope_allows_change())
			break;

		fw.firmware_changes++;
		fw.timer_changes += by_timer;

		if (action->kind == ACT_FREE) {
			if (fw.n_fw_allocs == 0)
				break;
			range = fw.fw_allocs[--fw.n_fw_allocs];
			if (fw_uboot_free_status(range.type) != EFI_SUCCESS)
				continue; /* U-Boot refuses: nothing changes */
			fw_map_free(range.start, range.pages, true);
			changed = true;
			continue;
		}
		range.pages = action->kind == ACT_ALLOC_POOL
				      ? pool_pages(action->mem_type, action->amount, action->delta)
				      : (action->amount ? action->amount : 1);
		if (range.pages == 0)
			continue; /* served from a free list: invisible */
		if (!fw_type_allocatable(action->mem_type) ||
		    !fw_map_alloc(action->mem_type, range.pages, action->delta, UINT64_MAX, true,
				  &range.start))
			continue;
		changed = true;
		range.type = action->mem_type;
		if (action->kind == ACT_ALLOC_POOL)
			note_pool_page(action->mem_type, range.pages);
		if (fw.n_fw_allocs < FW_MAX_FW_ALLOCS)
			fw.fw_allocs[fw.n_fw_allocs++] = range;
	}
	return changed;
}

/**
 * fw_note_firmware_took() - remember an allocation the firmware made for
 * itself (a handler's, a timer's, a quirk's) since the loader's last read
 * of the map; the oldest is forgotten past FW_TAKEN_RECORDS.  Those made
 * before that read are dropped here: fw_taken_since_read() never asks for
 * them (shifting a full array on every allocation of a run with hundreds
 * of timer allocations was 29% of the fuzz target's time).
 * @start: its model address.
 * @pages: its pages.
 */
void fw_note_firmware_took(uint64_t start, uint64_t pages)
{
	if (fw.fw_taken_reads != fw.map_reads) {
		fw.n_fw_taken = 0;
		fw.next_fw_taken = 0;
		fw.fw_taken_reads = fw.map_reads;
	}
	fw.fw_taken[fw.next_fw_taken].start = start;
	fw.fw_taken[fw.next_fw_taken].pages = pages;
	fw.next_fw_taken = (fw.next_fw_taken + 1) % FW_TAKEN_RECORDS;
	if (fw.n_fw_taken < FW_TAKEN_RECORDS)
		fw.n_fw_taken++;
}

/**
 * fw_taken_since_read() - whether the firmware's own allocations made
 * since the loader's last read of the map hold any of a range.
 * @start: page-aligned model address.
 * @pages: pages.
 *
 * Return: true if one of them overlaps [@start, @start + @pages pages).
 */
bool fw_taken_since_read(uint64_t start, uint64_t pages)
{
	uint64_t end = pages > (UINT64_MAX - start) / EFI_PAGE_SIZE ? UINT64_MAX
								      : start + pages * EFI_PAGE_SIZE;
	unsigned i;

	if (fw.fw_taken_reads != fw.map_reads)
		return false;
	for (i = 0; i < fw.n_fw_taken; i++) {
		uint64_t from = fw.fw_taken[i].start;
		uint64_t to = from + fw.fw_taken[i].pages * EFI_PAGE_SIZE;

		if (from < end && to > start)
			return true;
	}
	return false;
}

/**
 * fw_memory_reset() - nothing handed out yet; EDK2's pool free lists as at
 * boot: the types the firmware itself has already pooled have a pool page
 * (every later small pool of those types leaves the map alone).
 */
void fw_memory_reset(void)
{
	fw.n_allocs = 0;
	fw.n_fw_allocs = 0;
	fw.n_fw_taken = 0;
	fw.next_fw_taken = 0;
	fw.fw_taken_reads = 0;
	fw.firmware_changes = 0;
	fw.timer_changes = 0;
	fw.next_alloc_outcome = 0;
	fw.pool_page_types = 1u << EfiBootServicesData | 1u << EfiBootServicesCode |
			     1u << EfiRuntimeServicesData | 1u << EfiACPIMemoryNVS;
}

/**
 * fw_memory_install() - put the memory services into a boot services table.
 * @bs: the table.
 */
void fw_memory_install(EFI_BOOT_SERVICES *bs)
{
	fw_pages_install(bs);
	bs->GetMemoryMap = fw_GetMemoryMap;
	bs->AllocatePool = fw_AllocatePool;
	bs->FreePool = fw_FreePool;
}

/**
 * fw_memory_release() - free every host block still live at the end of a
 * run, so LeakSanitizer stays quiet and nothing reaches the next input.
 */
void fw_memory_release(void)
{
	unsigned i;

	for (i = 0; i < fw.n_allocs; i++) {
		const struct fw_alloc *a = &fw.allocs[i];

		if (a->live && a->in_ram)
			fw_ram_unmap(a->start, a->pages);
		else if (a->live && !a->in_arena)
			free(a->host);
	}
	fw_heap_release();
	fw_arena_reset();
	fw.n_allocs = 0;
}
