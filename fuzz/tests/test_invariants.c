/* SPDX-License-Identifier: MIT */
/*
 * test_invariants.c - every invariant fires on a loader broken in exactly
 * that way, and stays silent for the hardened loader (and for correct
 * loaders that do unusual but legal things) on the same scenario.
 *
 * The broken loaders here are minimal fixtures, not models of real
 * loaders (those live in fuzz/loaders/).
 */
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"

static UINT8 static_buffer[1 << 16] __attribute__((aligned(8)));

/* ---- buffer-bounds ---- */

/* Claims 1 KiB it never allocated, like U-Boot's EFI app (L10). */
static EFI_STATUS claims_too_much(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	UINTN size = 0, key = 0, dsize = 0;
	UINT32 version;
	VOID *buf;

	bs->GetMemoryMap(&size, NULL, &key, &dsize, &version);
	bs->AllocatePool(EfiLoaderData, size, &buf);
	size += 1024;
	bs->GetMemoryMap(&size, buf, &key, &dsize, &version);
	return bs->ExitBootServices(image, key);
}

/* Frees its map, keeps the pointer and reads into it again (GRUB, L4). */
static EFI_STATUS reads_into_freed(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;

	read_map(st, &m);
	m.bs->FreePool(m.buf);
	return reread_and_exit(image, &m);
}

/* ---- termination ---- */

/* Retries for ever on EFI_INVALID_PARAMETER (GRUB's while (1), L6). */
static EFI_STATUS retries_for_ever(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;

	read_map(st, &m);
	while (m.bs->ExitBootServices(image, m.key) == EFI_INVALID_PARAMETER)
		reread(&m);
	return EFI_SUCCESS;
}

/* Probes until the firmware asks for more than zero bytes (spins on F13). */
static EFI_STATUS probes_for_ever(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	UINTN size = 0, key = 0, dsize = 0;
	UINT32 version;

	(void)image;
	do
		bs->GetMemoryMap(&size, NULL, &key, &dsize, &version);
	while (size == 0);
	return EFI_LOAD_ERROR;
}

/* ---- forbidden-call ---- */

/* Frees and reallocates after a failed exit (Linux 3.13-4.8, L3): legal
 * from UEFI 2.9 on, forbidden before. */
static EFI_STATUS reallocates_after_failure(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;

	read_map(st, &m);
	if (m.bs->ExitBootServices(image, m.key) == EFI_SUCCESS)
		return EFI_SUCCESS;
	m.bs->FreePool(m.buf);
	if (m.bs->AllocatePool(EfiLoaderData, m.capacity, (VOID **)&m.buf) != EFI_SUCCESS)
		return EFI_OUT_OF_RESOURCES;
	return reread_and_exit(image, &m);
}

/* Calls a boot service through a cached table pointer after exiting. */
static EFI_STATUS calls_after_exit(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;
	EFI_STATUS status;

	read_map(st, &m);
	status = m.bs->ExitBootServices(image, m.key);
	m.bs->Stall(10);
	return status;
}

/* Frees its buffer twice before giving up. */
static EFI_STATUS frees_twice(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;

	(void)image;
	read_map(st, &m);
	m.bs->FreePool(m.buf);
	m.bs->FreePool(m.buf);
	return EFI_ABORTED;
}

static EFI_BOOT_SERVICES *notify_bs;

static VOID EFIAPI allocating_notify(EFI_EVENT event, VOID *context)
{
	VOID *p;

	(void)event;
	(void)context;
	notify_bs->AllocatePool(EfiLoaderData, 64, &p);
}

/* Its EVT_SIGNAL_EXIT_BOOT_SERVICES notify function allocates, which UEFI
 * 2.10 section 7.1 forbids there. */
static EFI_STATUS exit_notify_allocates(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	EFI_EVENT event;

	notify_bs = bs;
	bs->CreateEvent(EVT_SIGNAL_EXIT_BOOT_SERVICES, TPL_CALLBACK, allocating_notify, NULL, &event);
	return loader_exit_boot(image, st);
}

/* ---- stale-key ---- */

/* Exits with the key of a BUFFER_TOO_SMALL probe; EDK2 writes one there. */
static EFI_STATUS exits_with_probe_key(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	UINTN size = 0, key = 0, dsize = 0;
	UINT32 version;

	bs->GetMemoryMap(&size, NULL, &key, &dsize, &version);
	return bs->ExitBootServices(image, key);
}

/* Retries with the last returned size and ignores the status, then exits
 * with whatever key came back (Limine, L8). */
static EFI_STATUS ignores_retry_status(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;
	UINT32 version;

	read_map(st, &m);
	if (m.bs->ExitBootServices(image, m.key) == EFI_SUCCESS)
		return EFI_SUCCESS;
	m.bs->GetMemoryMap(&m.size, (EFI_MEMORY_DESCRIPTOR *)(void *)m.buf, &m.key, &m.dsize,
			   &version);
	return m.bs->ExitBootServices(image, m.key);
}

/* Keeps 32 bits of the key, as a loader storing it in a UINT32 would. */
static EFI_STATUS truncates_key(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;
	UINT32 key32;

	read_map(st, &m);
	key32 = (UINT32)m.key;
	return m.bs->ExitBootServices(image, key32);
}

/* ---- stale-map ---- */

/* Overwrites a descriptor of the map it is about to hand over. */
static EFI_STATUS scribbles_on_map(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;

	read_map(st, &m);
	((EFI_MEMORY_DESCRIPTOR *)(void *)m.buf)->NumberOfPages = 0;
	return m.bs->ExitBootServices(image, m.key);
}

/* Frees the buffer holding its map before exiting. */
static EFI_STATUS frees_map_then_exits(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;

	read_map(st, &m);
	m.bs->FreePool(m.buf);
	return m.bs->ExitBootServices(image, m.key);
}

/* ---- leak ---- */

static EFI_STATUS leaks_on_error(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;

	(void)image;
	read_map(st, &m);
	return EFI_ABORTED;
}

/* Gives up through Exit(), its error text in a pool block as ExitData
 * (efilinux): UEFI 2.10 7.4.5 hands that block to StartImage()'s caller.
 * @as_exit_data: false: the same block, Exit() without it (a leak). */
static EFI_STATUS exits_with_error_text(EFI_SYSTEM_TABLE *st, EFI_HANDLE image, bool as_exit_data)
{
	static const CHAR16 text[] = u"Out of Resources";
	VOID *data;

	if (st->BootServices->AllocatePool(EfiLoaderData, sizeof(text), &data) != EFI_SUCCESS)
		return EFI_OUT_OF_RESOURCES;
	memcpy(data, text, sizeof(text));
	return st->BootServices->Exit(image, EFI_OUT_OF_RESOURCES, as_exit_data ? sizeof(text) : 0,
				      as_exit_data ? data : NULL);
}

static EFI_STATUS hands_over_exit_data(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	return exits_with_error_text(st, image, true);
}

static EFI_STATUS keeps_its_error_text(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	return exits_with_error_text(st, image, false);
}

/* ---- status ---- */

static EFI_STATUS claims_success(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;

	(void)image;
	read_map(st, &m);
	m.bs->FreePool(m.buf);
	return EFI_SUCCESS;
}

/* U-Boot's EFI stub keeps statuses in an int: EFI_BUFFER_TOO_SMALL
 * becomes 5, EFI_WARN_STALE_DATA, returned as the image's status. */
static EFI_STATUS truncates_status(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;
	int ret;

	(void)image;
	read_map(st, &m);
	m.bs->FreePool(m.buf);
	ret = (int)EFI_BUFFER_TOO_SMALL;
	return (EFI_STATUS)ret & 0xffffffffu;
}

static EFI_STATUS hides_success(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;

	read_map(st, &m);
	m.bs->ExitBootServices(image, m.key);
	return EFI_LOAD_ERROR;
}

/* ---- argument-alignment ---- */

/* Keeps its map state in a packed structure and passes its members: every
 * scalar the firmware reads or writes lies one byte off its alignment.
 * Otherwise correct: it must still boot, with the values it was given.
 * The compiler warns of it (-Waddress-of-packed-member, in -Wall), and a
 * loader under test is built without -Werror; this file is, hence the
 * pragma. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Waddress-of-packed-member"
static struct __attribute__((packed)) {
	UINT8 flags;
	UINTN size, key, dsize;
	UINT32 version;
	VOID *buf;
} packed_state;

static EFI_STATUS passes_packed_members(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	EFI_STATUS status;
	UINTN capacity, attempt;

	packed_state.size = 0;
	status = bs->GetMemoryMap(&packed_state.size, NULL, &packed_state.key, &packed_state.dsize,
				  &packed_state.version);
	if (status != EFI_BUFFER_TOO_SMALL)
		return EFI_LOAD_ERROR;
	capacity = packed_state.size + 32 * packed_state.dsize;
	status = bs->AllocatePool(EfiLoaderData, capacity, &packed_state.buf);
	if (status != EFI_SUCCESS)
		return status;
	for (attempt = 0; attempt < 2; attempt++) {
		packed_state.size = capacity;
		status = bs->GetMemoryMap(&packed_state.size, packed_state.buf, &packed_state.key,
					  &packed_state.dsize, &packed_state.version);
		if (status != EFI_SUCCESS)
			return status;
		status = bs->ExitBootServices(image, packed_state.key);
		if (status != EFI_INVALID_PARAMETER)
			return status;
	}
	return status;
}
#pragma GCC diagnostic pop

/* ---- liveness ---- */

/* Calls ExitBootServices once; any failure is fatal (Linux arm64 <= 4.8, L1). */
static EFI_STATUS never_retries(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;

	read_map(st, &m);
	return m.bs->ExitBootServices(image, m.key);
}

/* OpenBSD's efiboot (efi_memprobe_internal()): the size asked for, a
 * buffer of exactly that size from its own heap (no firmware call), the
 * read; on EFI_BUFFER_TOO_SMALL it panics.  A map grown between the query
 * and the read leaves it no room. */
static EFI_STATUS sizes_exactly(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	UINTN size = 0, key = 0, dsize = 0;
	UINT32 version;

	if (bs->GetMemoryMap(&size, NULL, &key, &dsize, &version) != EFI_BUFFER_TOO_SMALL ||
	    size > sizeof(static_buffer))
		return EFI_LOAD_ERROR;
	if (bs->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)(void *)static_buffer, &key, &dsize,
			     &version) != EFI_SUCCESS)
		return EFI_LOAD_ERROR;
	return bs->ExitBootServices(image, key);
}

/* ---- correct loaders doing unusual things ---- */

/* Xen and Limine read into memory they own, not into a pool allocation. */
static EFI_STATUS uses_static_buffer(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	UINTN size, key = 0, dsize = 0, attempt;
	UINT32 version;
	EFI_STATUS status = EFI_LOAD_ERROR;

	for (attempt = 0; attempt < 2; attempt++) {
		size = sizeof(static_buffer);
		status = bs->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)(void *)static_buffer, &key,
					  &dsize, &version);
		if (status != EFI_SUCCESS)
			return status;
		status = bs->ExitBootServices(image, key);
		if (status != EFI_INVALID_PARAMETER)
			break;
	}
	return status;
}

/* Picks its buffer's pages from the map and allocates exactly there, as
 * Linux <= 3.12's low_alloc() does (a free range at or above 1 MiB, below
 * 4 GiB), then uses them as its map buffer. */
static EFI_STATUS low_alloc_buffer(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	UINTN size = sizeof(static_buffer), key = 0, dsize = 0, i, pages, attempt;
	EFI_PHYSICAL_ADDRESS at = 0;
	UINT32 version;
	EFI_STATUS status;
	UINT8 *buf;

	if (bs->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)(void *)static_buffer, &key, &dsize,
			     &version) != EFI_SUCCESS)
		return EFI_LOAD_ERROR;
	pages = (size + 32 * dsize + EFI_PAGE_SIZE - 1) / EFI_PAGE_SIZE;
	for (i = 0; i + dsize <= size && at == 0; i += dsize) {
		const EFI_MEMORY_DESCRIPTOR *d = (const void *)(static_buffer + i);
		EFI_PHYSICAL_ADDRESS start = d->PhysicalStart < 0x100000 ? 0x100000 : d->PhysicalStart;

		if (d->Type == EfiConventionalMemory &&
		    start + pages * EFI_PAGE_SIZE <= d->PhysicalStart + d->NumberOfPages * EFI_PAGE_SIZE &&
		    start + pages * EFI_PAGE_SIZE <= 0x100000000ull)
			at = start;
	}
	if (at == 0 || bs->AllocatePages(AllocateAddress, EfiLoaderData, pages, &at) != EFI_SUCCESS)
		return EFI_OUT_OF_RESOURCES;
	buf = (UINT8 *)(UINTN)at;
	for (attempt = 0; attempt < 2; attempt++) {
		size = pages * EFI_PAGE_SIZE;
		status = bs->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)(void *)buf, &key, &dsize,
					  &version);
		if (status != EFI_SUCCESS)
			return status;
		status = bs->ExitBootServices(image, key);
		if (status != EFI_INVALID_PARAMETER)
			break;
	}
	return status;
}

/* Writes a multiboot map over its EFI map, entry by entry, before
 * exiting, as ToaruOS's finish_boot() does: 24-byte entries where the
 * descriptors were, the kernel given the current map in its own form. */
static EFI_STATUS converts_map_in_place(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;
	UINTN i, n;

	if (read_map(st, &m) != EFI_SUCCESS)
		return EFI_LOAD_ERROR;
	n = m.size / m.dsize;
	for (i = 0; i < n; i++) {
		EFI_MEMORY_DESCRIPTOR d;
		UINT32 entry_size = 20, type;
		UINT64 length;

		memcpy(&d, m.buf + i * m.dsize, sizeof(d));
		length = d.NumberOfPages * EFI_PAGE_SIZE;
		type = d.Type == EfiConventionalMemory ? 1 : 2;
		memcpy(m.buf + i * 24, &entry_size, 4);
		memcpy(m.buf + i * 24 + 4, &d.PhysicalStart, 8);
		memcpy(m.buf + i * 24 + 12, &length, 8);
		memcpy(m.buf + i * 24 + 20, &type, 4);
	}
	return m.bs->ExitBootServices(image, m.key);
}

/* Writes its kernel's map over its EFI map before exiting, as Hyper's
 * UEFI memory services do: 24-byte entries (start, bytes, kind), every
 * kind but free memory one kind, neighbours of one kind merged.  The
 * table is shorter than the map: descriptors past it stay in place, and
 * the starts of the merged ones are nowhere. */
static EFI_STATUS converts_and_merges_map(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;
	UINTN i, n, out = 0;
	UINT64 prev_end = 0, prev_kind = 0;

	if (read_map(st, &m) != EFI_SUCCESS)
		return EFI_LOAD_ERROR;
	n = m.size / m.dsize;
	for (i = 0; i < n; i++) {
		EFI_MEMORY_DESCRIPTOR d;
		UINT64 bytes, kind;

		memcpy(&d, m.buf + i * m.dsize, sizeof(d));
		bytes = d.NumberOfPages * EFI_PAGE_SIZE;
		kind = d.Type == EfiConventionalMemory ? 1 : 2;
		if (out > 0 && kind == prev_kind && d.PhysicalStart == prev_end) {
			UINT64 merged;

			memcpy(&merged, m.buf + (out - 1) * 24 + 8, 8);
			merged += bytes;
			memcpy(m.buf + (out - 1) * 24 + 8, &merged, 8);
		} else {
			memcpy(m.buf + out * 24, &d.PhysicalStart, 8);
			memcpy(m.buf + out * 24 + 8, &bytes, 8);
			memcpy(m.buf + out * 24 + 16, &kind, 8);
			out++;
		}
		prev_end = d.PhysicalStart + bytes;
		prev_kind = kind;
	}
	return m.bs->ExitBootServices(image, m.key);
}

/* Sorts its map in place, descending, and sets VirtualStart, as Linux's
 * efi_get_virtmap() does, before exiting: the map is still the map. */
static EFI_STATUS rearranges_map(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;
	UINTN i, n, d, attempt;
	UINT8 tmp[1024];
	EFI_STATUS status = EFI_LOAD_ERROR;

	if (read_map(st, &m) != EFI_SUCCESS || m.dsize > sizeof(tmp))
		return EFI_LOAD_ERROR;
	for (attempt = 0; attempt < 2; attempt++) {
		n = m.size / m.dsize;
		d = m.dsize;
		for (i = 0; i < n / 2; i++) {
			memcpy(tmp, m.buf + i * d, d);
			memcpy(m.buf + i * d, m.buf + (n - 1 - i) * d, d);
			memcpy(m.buf + (n - 1 - i) * d, tmp, d);
		}
		for (i = 0; i < n; i++)
			((EFI_MEMORY_DESCRIPTOR *)(void *)(m.buf + i * d))->VirtualStart =
				0xffff800000000000ULL;
		status = m.bs->ExitBootServices(image, m.key);
		if (status != EFI_INVALID_PARAMETER)
			break;
		if (reread(&m) != EFI_SUCCESS)
			return EFI_LOAD_ERROR;
	}
	return status;
}

/* argument-alignment is loader-ub and ends no run: the packed loader gets
 * the right values through its misaligned pointers (the key check accepts
 * the key it read) and boots. */
static void expect_packed_members_boot(void)
{
	static const char *const reports[] = {
		"ebsfuzz: invariant argument-alignment violated: GetMemoryMap()'s MemoryMapSize is "
		"misaligned by 1 byte(s) for its 8-byte type",
		"[loader-ub]",
		"AllocatePool()'s Buffer is misaligned by 5 byte(s)",
		"#   key check: refused",
		"#   key check: accepted",
		"# loader returned EFI_SUCCESS",
		NULL,
	};

	testlib_trace = true;
	expect_reports("argument-alignment is loader-ub, and the run goes on to a boot",
		       AMI_OPTION_ROM, passes_packed_members, reports);
	testlib_trace = false;
}

static const struct {
	const char *invariant, *scenario;
	fw_loader_fn broken;
	const char *why;
} cases[] = {
	{ "buffer-bounds", EDK2_QUIET, claims_too_much, "capacity larger than the allocation" },
	{ "buffer-bounds", EDK2_QUIET, reads_into_freed, "reads into freed memory" },
	{ "termination", EDK2_QUIET "quirk persistent-invalid-parameter on\n", retries_for_ever,
	  "endless retry" },
	{ "termination", "firmware uboot\nquirk size-unwritten-on-too-small on\n", probes_for_ever,
	  "endless probing" },
	{ "forbidden-call", AMI_OPTION_ROM, prints_after_failure, "console after a failed exit" },
	{ "forbidden-call", AMI_OPTION_ROM "revision 2.80\n", reallocates_after_failure,
	  "allocation after a failed exit on 2.80" },
	{ "forbidden-call", EDK2_QUIET, calls_after_exit, "call after a successful exit" },
	{ "forbidden-call", EDK2_QUIET, frees_twice, "double free" },
	{ "forbidden-call", EDK2_QUIET, exit_notify_allocates, "allocation in an exit notify" },
	{ "stale-key", EDK2_QUIET, exits_with_probe_key, "key from BUFFER_TOO_SMALL" },
	{ "stale-key", AMI_OPTION_ROM, ignores_retry_status, "retry status ignored" },
	{ "stale-key", EDK2_QUIET "map-key key=0x1fffffff0 step=0x1\n", truncates_key,
	  "32 bits of a key above 2^32" },
	{ "stale-key", EDK2_QUIET "map-key key=0x1 step=0x0\n", truncates_key,
	  "32 bits of a key that is a new value each time" },
	{ "stale-map", EDK2_QUIET, scribbles_on_map, "map overwritten" },
	{ "stale-map", EDK2_QUIET "corrupt size index=0 value=0xc0\nmap-synthetic descriptors=3 seed=16\n",
	  scribbles_on_map, "map overwritten, a size reported past what was written" },
	/* A small map, so the buffer is a small pool block from a free list whose
	 * free changes neither map nor key: only the oracle can notice. */
	{ "stale-map", EDK2_QUIET "map empty\nmap-entry Conventional pages=4096 gap=0\nalloc none\n",
	  frees_map_then_exits, "map freed" },
	{ "leak", EDK2_QUIET, leaks_on_error, "error return holding memory" },
	{ "leak", EDK2_QUIET "quirk persistent-invalid-parameter on\n", keeps_its_error_text,
	  "Exit() holding a block it did not pass as ExitData" },
	{ "status", EDK2_QUIET "quirk persistent-invalid-parameter on\n",
	  claims_success, "success without exit, where no boot was owed" },
	{ "status", EDK2_QUIET "quirk persistent-invalid-parameter on\n",
	  truncates_status, "a warning without exit, where no boot was owed" },
	{ "status", EDK2_QUIET, hides_success, "exit without success" },
	{ "liveness", AMI_OPTION_ROM, never_retries, "no retry on compliant firmware" },
	/* Eight descriptors: one more than EDK2's over-report absorbs. */
	{ "liveness",
	  EDK2_QUIET "timer after-query at=1 period=0 alloc-pages BootServicesData amount=1 "
		     "delta=+2 repeat=4\n",
	  sizes_exactly, "a buffer of just the size asked for, the map grown before the read" },
	{ "argument-alignment", AMI_OPTION_ROM, passes_packed_members,
	  "out-parameters in a packed structure" },
};

static const struct {
	const char *name, *scenario;
	fw_loader_fn loader;
	bool must_exit;
} clean_cases[] = {
	{ "2.90 allows allocation after a failed exit", AMI_OPTION_ROM "revision 2.90\n",
	  reallocates_after_failure, true },
	{ "static map buffer", AMI_OPTION_ROM, uses_static_buffer, true },
	{ "a buffer at an address picked from the map (AllocateAddress)", AMI_OPTION_ROM,
	  low_alloc_buffer, true },
	{ "map sorted in place, VirtualStart set", AMI_OPTION_ROM, rearranges_map, true },
	{ "map rewritten in place into the loader's own table (ToaruOS)", EDK2_QUIET,
	  converts_map_in_place, true },
	{ "map rewritten in place into a shorter table, neighbours merged (Hyper)", EDK2_QUIET,
	  converts_and_merges_map, true },
	/* Its table within the first descriptor of 760 bytes, whose
	 * PhysicalStart field then holds the first entry's size: 64 MiB at
	 * 64 MiB on the U-Boot map, the start it replaced. */
	{ "the same table over the first descriptor only, a size equal to the start there",
	  EDK2_QUIET "descriptor-size bytes=760\nmap uboot\n", converts_and_merges_map, true },
	/* No boot owed (every exit refused), so nothing but the leak to judge. */
	{ "a pool block passed to Exit() as ExitData is handed over, not leaked",
	  EDK2_QUIET "quirk persistent-invalid-parameter on\n", hands_over_exit_data, false },
	/* A size reported past what was written: the loader was told the
	 * stale bytes were a fourth descriptor, and its sort moves the three
	 * the firmware wrote among all four (not a stale map: noncompliant
	 * firmware, but no fault of the loader's). */
	{ "map sorted in place, a size reported past what was written",
	  "corrupt size index=0 value=0xc0\nmap-synthetic descriptors=3 seed=16\n", rearranges_map,
	  true },
	/* A reported size of 2^36 descriptors and a corrupt type (the in-order
	 * comparison fails): counted in 32 bits, the told descriptors were
	 * none, and good_limine_retry's map stale (make test-models-good). */
	{ "a corrupt type, a size reported past 2^32 descriptors",
	  "corrupt size index=64728 value=0x30000000000\ncorrupt type index=4 value=0x80000000d\n",
	  never_retries, true },
	{ "EDK2 exit handler allocating after the key check is the firmware's fault",
	  "firmware edk2-2022\nhandler exit every alloc-pool LoaderData amount=4096 delta=+1 repeat=1\n",
	  loader_exit_boot, true },
	/* No loader exits here, whether it stops at the first failure or not. */
	{ "EDK2 2023 changing the map on every attempt defeats any loader",
	  "firmware edk2-2023\nhandler before-exit every alloc-pages BootServicesData amount=1 "
	  "delta=+1 repeat=1\n",
	  never_retries, false },
	/* U-Boot polls its timers only where fuzz/fw/uboot.c says; a loader that
	 * reads the map and exits never gives them a chance. */
	{ "U-Boot timers a loader never polls never change its map",
	  "firmware uboot\ntimer at-call at=1 period=1 alloc-pages BootServicesData amount=1 "
	  "delta=+1 repeat=1\n",
	  never_retries, true },
	{ "a map changed without a key change is the firmware's fault",
	  EDK2_QUIET "quirk no-key-check on\ntimer after-map at=1 period=0 alloc-pages LoaderData "
		     "amount=1 delta=+1 repeat=1\n",
	  never_retries, true },
};

int main(void)
{
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_fires_and_silent(cases[i].invariant, cases[i].why, cases[i].scenario,
					cases[i].broken);
	/* Owed a boot, it is the liveness finding alone, whose message says
	 * the loader returned EFI_SUCCESS. */
	expect_violation("success without exit, where a boot was owed: liveness", EDK2_QUIET,
			 claims_success, "liveness");
	expect_absent("... and no status finding beside it", EDK2_QUIET, claims_success,
		      "invariant status");
	for (i = 0; i < sizeof(clean_cases) / sizeof(clean_cases[0]); i++)
		expect_clean(clean_cases[i].name, clean_cases[i].scenario, clean_cases[i].loader,
			     clean_cases[i].must_exit);
	{
		static const char *const names_failed_read[] = {
			"with no successful GetMemoryMap before it: the last (call 1) answered "
			"EFI_BUFFER_TOO_SMALL", NULL
		};

		expect_reports("stale-key names the failed GetMemoryMap the key came from",
			       EDK2_QUIET, exits_with_probe_key, names_failed_read);
	}
	expect_packed_members_boot();
	return test_summary("test_invariants");
}
