/* SPDX-License-Identifier: MIT */
/*
 * test_memory.c - the fake machine's memory and its map key: pages at
 * their address in the map (AllocateAddress, AllocateMaxAddress,
 * AnyPages), what the loader's uninitialised locals read, and a key that
 * changes by the chosen step or to a new value at every change (the
 * arena's blocks are test_arena.c's).  Each probe CHECKs the answers,
 * then exits through the hardened loader.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "../fw/internal.h"
#include "../sanitizers.h"
#include "fixtures.h"

/* The type of the descriptor holding @addr in a fresh map read. */
static UINT32 type_at(EFI_BOOT_SERVICES *bs, EFI_PHYSICAL_ADDRESS addr)
{
	static UINT8 buf[1 << 15] __attribute__((aligned(8)));
	UINTN size = sizeof(buf), key, dsize, i;
	UINT32 version;

	if (bs->GetMemoryMap(&size, (VOID *)buf, &key, &dsize, &version) != EFI_SUCCESS)
		return 0xffffffffu;
	for (i = 0; i + dsize <= size; i += dsize) {
		const EFI_MEMORY_DESCRIPTOR *d = (const void *)(buf + i);

		if (addr >= d->PhysicalStart && addr - d->PhysicalStart < d->NumberOfPages * EFI_PAGE_SIZE)
			return d->Type;
	}
	return 0xffffffffu;
}

/* UEFI 2.10 7.2.3: the key is opaque; it changes with the map by the
 * step the input chose (here 0x10), or to a new value each time (step 0). */
static UINTN key_of_map(EFI_BOOT_SERVICES *bs)
{
	static UINT8 buf[1 << 15] __attribute__((aligned(8)));
	UINTN size = sizeof(buf), key = 0, dsize;
	UINT32 version;

	bs->GetMemoryMap(&size, (VOID *)buf, &key, &dsize, &version);
	return key;
}

static EFI_STATUS key_steps(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	EFI_PHYSICAL_ADDRESS page;
	UINTN k0 = key_of_map(bs), k1, k2;

	CHECK(k0 == 0x100000000ull);
	CHECK(bs->AllocatePages(AllocateAnyPages, EfiLoaderData, 1, &page) == EFI_SUCCESS);
	k1 = key_of_map(bs);
	CHECK(bs->FreePages(page, 1) == EFI_SUCCESS);
	k2 = key_of_map(bs);
	CHECK(k1 == k0 + 0x10 && k2 == k1 + 0x10);
	return loader_exit_boot(image, st);
}

static EFI_STATUS key_new_each_time(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	EFI_PHYSICAL_ADDRESS page[4];
	UINTN keys[9], i, j;

	keys[0] = key_of_map(bs);
	for (i = 0; i < 4; i++) {
		CHECK(bs->AllocatePages(AllocateAnyPages, EfiLoaderData, 1, &page[i]) == EFI_SUCCESS);
		keys[1 + i] = key_of_map(bs);
	}
	for (i = 0; i < 4; i++) {
		CHECK(bs->FreePages(page[i], 1) == EFI_SUCCESS);
		keys[5 + i] = key_of_map(bs);
	}
	for (i = 0; i < 9; i++)
		for (j = i + 1; j < 9; j++)
			CHECK(keys[i] != keys[j]);
	CHECK(keys[2] - keys[1] != keys[1] - keys[0]); /* not a counter */
	return loader_exit_boot(image, st);
}

/* UEFI 2.10 7.2.1: AllocateAddress gets exactly the pages asked for, if
 * free, usable at that address (Linux <= 3.12's low_alloc picks them from
 * the map); a taken or misaligned address is EFI_NOT_FOUND, as in EDK2.
 * AllocateMaxAddress stays below its limit; AnyPages memory is a heap
 * block, where ASan names what goes wrong. */
static EFI_STATUS allocate_address(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	EFI_PHYSICAL_ADDRESS at = 0x1600000, got = at, max = 0x2000000 - 1, any;

	CHECK(type_at(bs, at) == EfiConventionalMemory);
	CHECK(bs->AllocatePages(AllocateAddress, EfiLoaderData, 3, &got) == EFI_SUCCESS);
	CHECK(got == at && type_at(bs, at) == EfiLoaderData);
	((volatile UINT8 *)(UINTN)at)[3 * EFI_PAGE_SIZE - 1] = 0x5a; /* usable, all of it */
	got = at + EFI_PAGE_SIZE;
	CHECK(bs->AllocatePages(AllocateAddress, EfiLoaderData, 1, &got) == EFI_NOT_FOUND);
	got = at + 3 * EFI_PAGE_SIZE + 1;
	CHECK(bs->AllocatePages(AllocateAddress, EfiLoaderData, 1, &got) == EFI_NOT_FOUND);
	got = 0x900000; /* BootServicesData in the small map */
	CHECK(bs->AllocatePages(AllocateAddress, EfiLoaderData, 1, &got) == EFI_NOT_FOUND);
	CHECK(bs->FreePages(at, 3) == EFI_SUCCESS && type_at(bs, at) == EfiConventionalMemory);
	got = max;
	CHECK(bs->AllocatePages(AllocateMaxAddress, EfiLoaderData, 2, &got) == EFI_SUCCESS);
	CHECK(got + 2 * EFI_PAGE_SIZE - 1 <= max && type_at(bs, got) == EfiLoaderData);
	CHECK(bs->AllocatePages(AllocateAnyPages, EfiLoaderCode, 1, &any) == EFI_SUCCESS);
	((volatile UINT8 *)(UINTN)any)[EFI_PAGE_SIZE - 1] = 0x5a; /* a heap block, all usable */
	CHECK(bs->FreePages(got, 2) == EFI_SUCCESS && bs->FreePages(any, 1) == EFI_SUCCESS);
	return loader_exit_boot(image, st);
}

/* An x86 loader's trampoline below 1 MiB (ACRN's stub): AllocateMaxAddress
 * 0xFFFFF gets pages there, usable at their address; then it gives up
 * without exiting, and the boot it owed is missed (liveness). */
static EFI_STATUS trampoline_below_1mib_then_gives_up(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	EFI_PHYSICAL_ADDRESS got = 0xfffff;

	(void)image;
	CHECK(bs->AllocatePages(AllocateMaxAddress, EfiLoaderData, 1, &got) == EFI_SUCCESS);
	CHECK(got + EFI_PAGE_SIZE - 1 <= 0xfffff && type_at(bs, got) == EfiLoaderData);
	((volatile UINT8 *)(UINTN)got)[EFI_PAGE_SIZE - 1] = 0x5a; /* usable, all of it */
	return EFI_LOAD_ERROR;
}

/* Tilck: its multiboot info below 64 KiB (AllocateMaxAddress 0xFFFF),
 * where the fake machine has no memory to back: the block lies above the
 * limit.  @exits: then the map read and one exit attempt, no retry. */
static EFI_STATUS below_64kib(EFI_HANDLE image, EFI_SYSTEM_TABLE *st, bool exits)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	EFI_PHYSICAL_ADDRESS got = 0xffff;
	struct held_map m;

	if (bs->AllocatePages(AllocateMaxAddress, EfiLoaderData, 1, &got) != EFI_SUCCESS ||
	    !exits || read_map(st, &m) != EFI_SUCCESS)
		return EFI_LOAD_ERROR;
	return bs->ExitBootServices(image, m.key);
}

static EFI_STATUS below_64kib_then_gives_up(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	return below_64kib(image, st, false);
}

static EFI_STATUS below_64kib_then_exits_once(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	return below_64kib(image, st, true);
}

/* Exits with a key it never set, read from the painted stack (ToaruOS
 * passes GetMemoryMap() no key on its first call, then this one). */
static EFI_STATUS exits_with_painted_key(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	static UINT8 map[64 * 1024];
	UINTN size = sizeof(map), key, dsize;
	UINT32 version;

	if (st->BootServices->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)(void *)map, &key, &dsize,
					   &version) != EFI_SUCCESS)
		return EFI_LOAD_ERROR;
	return st->BootServices->ExitBootServices(image, (UINTN)0xbebebebebebebebeull);
}

/* Insists on pages at an address it was built with, taken in this map,
 * before (@after_read false) or after reading the map; then gives up. */
static EFI_STATUS fixed_address(EFI_SYSTEM_TABLE *st, bool after_read)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	EFI_PHYSICAL_ADDRESS at = 0x900000; /* BootServicesData in the small map */
	static UINT8 map[64 * 1024];
	UINTN size = sizeof(map), key, dsize;
	UINT32 version;

	if (after_read && bs->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)(void *)map, &key, &dsize,
					   &version) != EFI_SUCCESS)
		return EFI_LOAD_ERROR;
	CHECK(bs->AllocatePages(AllocateAddress, EfiLoaderData, 1, &at) == EFI_NOT_FOUND);
	return EFI_LOAD_ERROR;
}

static EFI_STATUS fixed_address_first(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	(void)image;
	return fixed_address(st, false);
}

static EFI_STATUS fixed_address_after_read(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	(void)image;
	return fixed_address(st, true);
}

/* Syslinux: the kernel's preferred address first, taken in this map, then
 * pages anywhere; then one exit attempt and no retry (L1). */
static EFI_STATUS fixed_address_then_relocates(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	EFI_PHYSICAL_ADDRESS at = 0x900000; /* BootServicesData in the small map */
	struct held_map m;

	CHECK(bs->AllocatePages(AllocateAddress, EfiLoaderData, 1, &at) == EFI_NOT_FOUND);
	if (bs->AllocatePages(AllocateAnyPages, EfiLoaderData, 1, &at) != EFI_SUCCESS)
		return EFI_OUT_OF_RESOURCES;
	if (read_map(st, &m) != EFI_SUCCESS)
		return EFI_LOAD_ERROR;
	return bs->ExitBootServices(image, m.key);
}

/* Where the pointers lie: below 4 GiB when the map places the memory
 * there (every shipped map), above it when the map's free memory reaches
 * above (arena.c): a small pool from a free list, a pool of its own pages,
 * pages anywhere.  memtest86+ and Syslinux keep a pool pointer in 32 bits. */
static EFI_STATUS pointers_where(EFI_SYSTEM_TABLE *st, bool high)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	EFI_PHYSICAL_ADDRESS pages = 0;
	VOID *small = NULL, *large = NULL;

	CHECK(bs->AllocatePool(EfiBootServicesData, 64, &small) == EFI_SUCCESS);
	CHECK(bs->AllocatePool(EfiLoaderData, 64 * 1024, &large) == EFI_SUCCESS);
	CHECK(bs->AllocatePages(AllocateAnyPages, EfiLoaderData, 4, &pages) == EFI_SUCCESS);
	CHECK(((uintptr_t)small > 0xffffffffu) == high);
	CHECK(((uintptr_t)large > 0xffffffffu) == high);
	CHECK((pages > 0xffffffffu) == high);
	return EFI_LOAD_ERROR;
}

static EFI_STATUS pointers_low(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	(void)image;
	return pointers_where(st, false);
}

static EFI_STATUS pointers_high(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	(void)image;
	return pointers_where(st, true);
}

/* ReactOS's FreeLoader: the largest free range of the map it read, all of
 * it, at its address (here one of more than 64 MiB, in the part of the map
 * the fake RAM backs); then the exit, owed. */
static EFI_STATUS takes_largest_free_range(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_PHYSICAL_ADDRESS at = 0;
	UINT64 pages = 0;
	struct held_map m;
	UINTN off;

	CHECK(read_map(st, &m) == EFI_SUCCESS);
	for (off = 0; off + m.dsize <= m.size; off += m.dsize) {
		const EFI_MEMORY_DESCRIPTOR *d = (const void *)(m.buf + off);

		if (d->Type == EfiConventionalMemory && d->NumberOfPages > pages &&
		    d->PhysicalStart + d->NumberOfPages * EFI_PAGE_SIZE <= 0x58000000) {
			at = d->PhysicalStart;
			pages = d->NumberOfPages;
		}
	}
	CHECK(pages > 64u * 1024 * 1024 / EFI_PAGE_SIZE);
	CHECK(st->BootServices->AllocatePages(AllocateAddress, EfiLoaderData, pages, &at) ==
	      EFI_SUCCESS);
	((volatile UINT8 *)(UINTN)at)[pages * EFI_PAGE_SIZE - 1] = 0x5a;
	return loader_exit_boot(image, st);
}

/* ReactOS's FreeLoader: page 0 at its address (refused: below what a
 * process can map), then, if @goes_on, the exit, once, whatever it says
 * (its second call with the refused key is no retry either); else a stop,
 * its map buffer held, as FreeLoader's error path holds its. */
static EFI_STATUS page_zero_then(EFI_HANDLE image, EFI_SYSTEM_TABLE *st, bool goes_on)
{
	EFI_PHYSICAL_ADDRESS at = 0;
	struct held_map m;

	CHECK(read_map(st, &m) == EFI_SUCCESS);
	CHECK(st->BootServices->AllocatePages(AllocateAddress, EfiLoaderData, 1, &at) ==
	      EFI_NOT_FOUND);
	if (!goes_on)
		return EFI_OUT_OF_RESOURCES; /* its map buffer held: no leak row either */
	reread(&m);
	if (m.bs->ExitBootServices(image, m.key) == EFI_SUCCESS)
		return EFI_SUCCESS;
	return m.bs->ExitBootServices(image, m.key);
}

static EFI_STATUS page_zero_then_stops(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	return page_zero_then(image, st, false);
}

static EFI_STATUS page_zero_then_exits(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	return page_zero_then(image, st, true);
}

/* Asked for more than any machine has (a size made of an unset
 * DescriptorSize): refused, and the boot still owed. */
static EFI_STATUS asks_for_more_than_any_machine(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	VOID *p = NULL;
	EFI_PHYSICAL_ADDRESS at = 0;

	(void)image;
	CHECK(st->BootServices->AllocatePool(EfiLoaderData, (UINTN)1 << 62, &p) ==
	      EFI_OUT_OF_RESOURCES);
	CHECK(st->BootServices->AllocatePages(AllocateAnyPages, EfiLoaderData, (UINTN)1 << 50,
					      &at) == EFI_OUT_OF_RESOURCES);
	return EFI_OUT_OF_RESOURCES;
}

/* MikanOS: its kernel, linked at 1 MiB, loaded there with AllocateAddress
 * after the map is read, as on every PC's map we have; a generated map
 * keeps that memory free too (map_start.c). */
static EFI_STATUS loads_kernel_at_1mib(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_PHYSICAL_ADDRESS at = 0x100000;
	struct held_map m;

	CHECK(read_map(st, &m) == EFI_SUCCESS);
	CHECK(st->BootServices->AllocatePages(AllocateAddress, EfiLoaderData, 1024, &at) ==
	      EFI_SUCCESS);
	return loader_exit_boot(image, st);
}

/* MikanOS: the map read, then its kernel's pages at 1 MiB, which a
 * timer's allocation took in between (the count change it asks for puts
 * it at the bottom of the x86 U-Boot map's free range, from 1 MiB).
 * @reread: the loader read the map again first, and saw them taken. */
static bool reread_before_kernel;
#define TAKES_1MIB_AFTER_READ                                                                 \
	"firmware edk2-2025\nmap uboot-x86\n"                                                  \
	"timer after-map at=1 period=0 alloc-pages BootServicesData amount=1 delta=+1 repeat=2\n"

static EFI_STATUS kernel_after_timer(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_PHYSICAL_ADDRESS at = 0x100000;
	struct held_map m;

	(void)image;
	CHECK(read_map(st, &m) == EFI_SUCCESS);
	if (reread_before_kernel)
		CHECK(read_map(st, &m) == EFI_SUCCESS);
	CHECK(st->BootServices->AllocatePages(AllocateAddress, EfiLoaderData, 16, &at) ==
	      EFI_NOT_FOUND);
	return EFI_LOAD_ERROR;
}

/* A fault in the fake machine's memory that no allocation of the
 * loader's holds (zefi's port copied its kernel to its link address): the
 * explanation names what the map has there; pages it freed are named as
 * before, with the calls. */
static EFI_STATUS asks_what_faults_would_be(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	EFI_PHYSICAL_ADDRESS at = 0x1600000;
	struct fw_bad_access bad;

	CHECK(bs->AllocatePages(AllocateAddress, EfiLoaderData, 1, &at) == EFI_SUCCESS);
	CHECK(fw_explain_fault(0x1601010, &bad) && bad.free_service == NULL &&
	      strstr(bad.what, "0x1601010 lies in a Conventional descriptor of the map, free") != NULL);
	CHECK(!fw_explain_fault(0x1600010, &bad));
	CHECK(bs->FreePages(at, 1) == EFI_SUCCESS);
	CHECK(fw_explain_fault(0x1600010, &bad) && bad.free_service != NULL &&
	      strcmp(bad.kind, "use-after-free") == 0);
	return loader_exit_boot(image, st);
}

/* UEFI 2.10 7.2.2: FreePages() of pages allocated with AllocatePages().
 * Two allocations side by side, freed by one call, as EDK2 and U-Boot
 * allow (Minoca frees its merged neighbours so); a range running past
 * them, into free memory, is not (EFI_NOT_FOUND, a forbidden call). */
static bool free_past_neighbours;

static EFI_STATUS frees_neighbours_at_once(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	EFI_PHYSICAL_ADDRESS at = 0x1600000, next = at + 4 * EFI_PAGE_SIZE;

	CHECK(bs->AllocatePages(AllocateAddress, EfiLoaderData, 4, &at) == EFI_SUCCESS);
	CHECK(bs->AllocatePages(AllocateAddress, EfiLoaderData, 2, &next) == EFI_SUCCESS);
	if (free_past_neighbours) {
		CHECK(bs->FreePages(at, 7) == EFI_NOT_FOUND);
		return loader_exit_boot(image, st);
	}
	CHECK(bs->FreePages(at, 6) == EFI_SUCCESS);
	CHECK(type_at(bs, at) == EfiConventionalMemory && type_at(bs, next) == EfiConventionalMemory);
	return loader_exit_boot(image, st);
}

/* AllocateAddress after a change lower in the map: the regions above it
 * have moved up in the firmware's table (map.c keeps a gap where the map
 * last changed), and a free range there must still be found free. */
static EFI_STATUS allocate_address_after_low_change(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	EFI_PHYSICAL_ADDRESS low = 0x1000000 - 1, at = 0x1600000, got = at;
	UINTN n;

	for (n = 0; n < 4; n++) { /* each splits a region below @at */
		low = 0x1000000 - 1;
		CHECK(bs->AllocatePages(AllocateMaxAddress, EfiLoaderData, 1, &low) == EFI_SUCCESS);
		CHECK(low < 0x1000000 && type_at(bs, low) == EfiLoaderData);
		low = 0x1000000 - 1;
		CHECK(bs->AllocatePages(AllocateMaxAddress, EfiLoaderCode, 1, &low) == EFI_SUCCESS);
	}
	CHECK(type_at(bs, at) == EfiConventionalMemory);
	CHECK(bs->AllocatePages(AllocateAddress, EfiLoaderData, 3, &got) == EFI_SUCCESS);
	CHECK(got == at && type_at(bs, at) == EfiLoaderData);
	got = at + EFI_PAGE_SIZE;
	CHECK(bs->AllocatePages(AllocateAddress, EfiLoaderData, 1, &got) == EFI_NOT_FOUND);
	return loader_exit_boot(image, st);
}

/* The stack below the loader's first frame, where its uninitialised
 * locals lie, reads the same at every run: fuzz/fw/run.c paints it. */
static EFI_STATUS reads_stack_below(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
#if defined(__x86_64__)
	UINT64 below;

	__asm__ volatile("mov -4096(%%rsp), %0" : "=r"(below));
	CHECK(below == 0xbebebebebebebebeull);
#endif
	return loader_exit_boot(image, st);
}

/* Tells GetMemoryMap the size an uninitialised local holds on the painted
 * stack (ReactOS's FreeLoader passes one). */
static EFI_STATUS tells_painted_size(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	UINTN size = (UINTN)0xbebebebebebebebeull, key, dsize;
	UINT32 version;
	VOID *buf;

	if (bs->AllocatePool(EfiLoaderData, 64, &buf) != EFI_SUCCESS)
		return EFI_OUT_OF_RESOURCES;
	bs->GetMemoryMap(&size, buf, &key, &dsize, &version);
	bs->FreePool(buf);
	return loader_exit_boot(image, st);
}

int main(void)
{
	static const char *const owed[] = { "ebsfuzz: invariant liveness violated", NULL };
	static const char *const painted_key[] = {
		"; 0xbebebebebebebebe is what the stack held before the loader ran: a key it never "
		"set",
		NULL
	};
	static const char *const painted_trace[] = {
		"# call 2: GetMemoryMap's MemoryMapSize is 0xbebebebebebebebe, what the stack held "
		"before the loader ran (fuzz/fw/run.c): a size it never set",
		NULL
	};
	static const char *const painted_size[] = {
		"ebsfuzz: invariant buffer-bounds violated: GetMemoryMap told 13744632839234567870 "
		"bytes at offset 0 of a 64-byte pool allocation (call 2); 0xbebebebebebebebe is what "
		"the stack held before the loader ran: a size it never set",
		NULL
	};

	expect_clean("AllocateAddress of a free range of more than 64 MiB, at its address",
		     "firmware edk2-2025\nmap ovmf-2025\n", takes_largest_free_range, true);
	expect_clean("page 0 at its address, refused, then a stop: no boot owed",
		     "firmware edk2-2025\nmap ovmf-2025\n", page_zero_then_stops, false);
	expect_reports("page 0 at its address, refused, then an exit not tried again: owed",
		       AMI_OPTION_ROM "map ovmf-2025\n", page_zero_then_exits, owed);
	expect_reports("more memory than any machine has is refused, and the boot still owed",
		       "firmware edk2-2025\n", asks_for_more_than_any_machine, owed);
	expect_clean("the stack below the loader reads alike at every run", "firmware edk2-2025\n",
		     reads_stack_below, true);
	expect_reports("a size the loader never set is named so", "firmware edk2-2025\n",
		       tells_painted_size, painted_size);
	expect_reports("a key the loader never set is named so", "firmware edk2-2025\n",
		       exits_with_painted_key, painted_key);
	testlib_trace = true;
	expect_reports("and its trace says so at the call", "firmware edk2-2025\n",
		       tells_painted_size, painted_trace);
	testlib_trace = false;
	expect_clean("a key that counts by the chosen step",
		     "firmware edk2-2025\nmap-key key=0x100000000 step=0x10\n", key_steps, true);
	expect_clean("a key that is a new value at every change",
		     "firmware edk2-2025\nmap-key key=0x1 step=0x0\n", key_new_each_time, true);
	expect_clean("AllocateAddress and AllocateMaxAddress at the map's addresses",
		     "firmware edk2-2025\n", allocate_address, true);
	expect_clean("a kernel linked at 1 MiB is loaded there on a generated map",
		     "firmware edk2-2025\nmap-synthetic descriptors=241 seed=1\n", loads_kernel_at_1mib,
		     true);
	expect_clean("a kernel linked at 1 MiB is loaded there on a small generated map",
		     "firmware edk2-2025\nmap-synthetic descriptors=3 seed=9\n", loads_kernel_at_1mib,
		     true);
	reread_before_kernel = false;
	expect_absent("an address the firmware took after the loader read it free: no boot owed",
		      TAKES_1MIB_AFTER_READ, kernel_after_timer, "invariant liveness");
	reread_before_kernel = true;
	expect_reports("the same address, taken before the loader's last read: owed",
		       TAKES_1MIB_AFTER_READ, kernel_after_timer, owed);
	expect_clean("a fault where the loader has no allocation names what the map has there",
		     "firmware edk2-2025\n", asks_what_faults_would_be, true);
	free_past_neighbours = false;
	expect_clean("FreePages of two allocations side by side, in one call",
		     "firmware edk2-2025\n", frees_neighbours_at_once, true);
	free_past_neighbours = true;
	expect_violation("FreePages of two allocations side by side and a page past them",
			 "firmware edk2-2025\n", frees_neighbours_at_once, "forbidden-call");
	expect_reports("AllocateMaxAddress below 1 MiB: pages there, and the boot still owed",
		       "firmware edk2-2025\n", trampoline_below_1mib_then_gives_up, owed);
	expect_absent("AllocateMaxAddress below the fake RAM, then a give-up: no boot owed",
		      "firmware edk2-2025\n", below_64kib_then_gives_up, "invariant liveness");
	expect_violation("AllocateMaxAddress below the fake RAM, then one exit, no retry: owed",
			 "firmware edk2-2025\n"
			 "handler before-exit once alloc-pages BootServicesData amount=1 delta=+1 "
			 "repeat=1\n",
			 below_64kib_then_exits_once, "liveness");
	expect_absent("a built-in address the map has in use, before any read: no boot owed",
		      "firmware edk2-2025\n", fixed_address_first, "invariant liveness");
	expect_reports("the same address after reading the map: the boot still owed",
		       "firmware edk2-2025\n", fixed_address_after_read, owed);
	expect_violation("a built-in address refused, then relocated and on to an exit: owed",
			 "firmware edk2-2025\n"
			 "handler before-exit once alloc-pages BootServicesData amount=1 delta=+1 "
			 "repeat=1\n",
			 fixed_address_then_relocates, "liveness");
	expect_absent("a map with its memory below 4 GiB: pointers below 4 GiB",
		      "firmware edk2-2025\n", pointers_low, "check failed");
	expect_absent("a map whose free memory reaches above 4 GiB: pointers above it",
		      "firmware edk2-2025\nmap empty\nmap-entry Conventional pages=160 gap=0\n"
		      "map-entry Conventional pages=1100000 gap=96\n",
		      pointers_high, "check failed");
	expect_clean("AllocateAddress of a free range above an earlier change",
		     "firmware edk2-2025\n", allocate_address_after_low_change, true);
	return test_summary("test_memory");
}
