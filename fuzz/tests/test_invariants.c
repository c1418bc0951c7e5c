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

#include "testlib.h"

#define AMI_OPTION_ROM                                                                         \
	"firmware ami\n"                                                                       \
	"handler exit once alloc-pages BootServicesData amount=3 delta=+1 repeat=1\n"
#define EDK2_QUIET "firmware edk2-2025\n"

static UINT8 static_buffer[1 << 16] __attribute__((aligned(8)));

/* A map the fixtures hold: their buffer, its capacity, the last answer. */
struct held_map {
	EFI_BOOT_SERVICES *bs;
	UINT8 *buf;
	UINTN capacity, size, key, dsize;
};

/* Read into the held buffer at full capacity.  Correct. */
static EFI_STATUS reread(struct held_map *m)
{
	UINT32 version;

	m->size = m->capacity;
	return m->bs->GetMemoryMap(&m->size, (EFI_MEMORY_DESCRIPTOR *)(void *)m->buf, &m->key,
				   &m->dsize, &version);
}

/* Probe, allocate with 32 descriptors of headroom, read.  Correct. */
static EFI_STATUS read_map(EFI_SYSTEM_TABLE *st, struct held_map *m)
{
	UINTN need = 0, k = 0, d = 0;
	UINT32 version;
	EFI_STATUS status;

	m->bs = st->BootServices;
	status = m->bs->GetMemoryMap(&need, NULL, &k, &d, &version);
	if (status != EFI_BUFFER_TOO_SMALL)
		return EFI_LOAD_ERROR;
	m->capacity = need + 32 * d;
	status = m->bs->AllocatePool(EfiLoaderData, m->capacity, (VOID **)&m->buf);
	if (status != EFI_SUCCESS)
		return status;
	return reread(m);
}

static EFI_STATUS reread_and_exit(EFI_HANDLE image, struct held_map *m)
{
	reread(m);
	return m->bs->ExitBootServices(image, m->key);
}

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

static CHAR16 retry_message[] = u"Trying to terminate EFI services again\r\n";

/* Prints after a failed exit, like GRUB's grub_printf (L5). */
static EFI_STATUS prints_after_failure(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;

	read_map(st, &m);
	if (m.bs->ExitBootServices(image, m.key) == EFI_SUCCESS)
		return EFI_SUCCESS;
	st->ConOut->OutputString(st->ConOut, retry_message);
	return reread_and_exit(image, &m);
}

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

/* ---- status ---- */

static EFI_STATUS claims_success(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;

	(void)image;
	read_map(st, &m);
	m.bs->FreePool(m.buf);
	return EFI_SUCCESS;
}

static EFI_STATUS hides_success(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;

	read_map(st, &m);
	m.bs->ExitBootServices(image, m.key);
	return EFI_LOAD_ERROR;
}

/* ---- liveness ---- */

/* Calls ExitBootServices once; any failure is fatal (Linux arm64 <= 4.8, L1). */
static EFI_STATUS never_retries(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;

	read_map(st, &m);
	return m.bs->ExitBootServices(image, m.key);
}

/* ---- the firmware envelope and the rules ---- */

/* Divides by DescriptorSize without a check (Linux v5.8's helper, L12). */
static EFI_STATUS divides_by_dsize(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	UINTN size = 0, key = 0, dsize = 0;
	UINT32 version;
	volatile UINTN descriptors;

	bs->GetMemoryMap(&size, NULL, &key, &dsize, &version);
	descriptors = size / dsize;
	(void)descriptors;
	return loader_exit_boot(image, st);
}

/* Sizes its buffer from the DescriptorSize of a BUFFER_TOO_SMALL answer,
 * 8 of them, as Linux, Xen and uefi-rs do, and retries once. */
static EFI_STATUS sizes_from_dsize(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;
	UINTN need = 0, k = 0, d = 0, attempt;
	UINT32 version;
	EFI_STATUS status;

	m.bs = st->BootServices;
	if (m.bs->GetMemoryMap(&need, NULL, &k, &d, &version) != EFI_BUFFER_TOO_SMALL)
		return EFI_LOAD_ERROR;
	m.capacity = need + 8 * d;
	if (m.bs->AllocatePool(EfiLoaderData, m.capacity, (VOID **)&m.buf) != EFI_SUCCESS)
		return EFI_OUT_OF_RESOURCES;
	for (attempt = 0; attempt < 2; attempt++) {
		if (reread(&m) != EFI_SUCCESS) {
			if (attempt == 0)
				m.bs->FreePool(m.buf); /* no exit attempted yet */
			return EFI_LOAD_ERROR;
		}
		status = m.bs->ExitBootServices(image, m.key);
		if (status != EFI_INVALID_PARAMETER)
			return status;
	}
	return EFI_INVALID_PARAMETER;
}

/* Runs @loader on @scenario with @opt; passes if it ends without violation
 * (@clean) or with one (!@clean), and, if @compliant >= 0, liveness applied
 * (1) or not (0). */
static void expect_with(const char *name, const struct fw_options *opt, const char *scenario,
			fw_loader_fn loader, bool clean, int compliant)
{
	struct run_outcome out;
	bool ok;

	testlib_options = *opt;
	run_forked(scenario, loader, &out);
	testlib_options = (struct fw_options){ .liveness_descs = FW_DEFAULT_LIVENESS_DESCS };
	ok = clean ? out.signal == 0 && !out.checks_failed && out.violation[0] == 0
		   : out.signal != 0 || out.checks_failed;
	if (compliant >= 0)
		ok = ok && out.compliant == (compliant == 1);
	if (getenv("TESTLIB_VERBOSE") != NULL)
		printf("     %.*s\n", (int)strcspn(out.output, "\n"), out.output);
	test_result(name, ok, &out);
}

static void envelope_and_rules_tests(void)
{
	static const struct fw_options all = { .liveness_descs = 8 };
	static const struct fw_options compliant = { .liveness_descs = 8,
						     .envelope = ENVELOPE_COMPLIANT };
	static const struct fw_options spec = { .liveness_descs = 8, .rules = RULES_SPEC };
	static const char nonsense[] =
		"firmware uboot\ndescriptor-size bytes=0\ninject AllocatePool nth=1 "
		"status=EFI_DEVICE_ERROR\ncorrupt pages index=0 value=0x0\n"
		"quirk persistent-invalid-parameter on\n";
	static const char withheld[] = "firmware uboot\nquirk dsize-unwritten-on-too-small on\n";
	static const char growing[] =
		"firmware ami\nhandler exit once alloc-pages BootServicesData amount=1 delta=+1 "
		"repeat=16\n";

	expect_with("all firmware: DescriptorSize 0 crashes a loader dividing by it", &all,
		    nonsense, divides_by_dsize, false, -1);
	expect_with("EBSFUZZ_FIRMWARE=compliant: the same input is compliant firmware", &compliant,
		    nonsense, divides_by_dsize, true, 1);
	expect_with("all firmware: growth by 16 takes the run out of liveness", &all, growing,
		    loader_exit_boot, true, 0);
	expect_with("EBSFUZZ_FIRMWARE=compliant: growth stops at the bound, a boot is owed",
		    &compliant, growing, loader_exit_boot, true, 1);
	expect_with("de-facto rules: DescriptorSize withheld on BUFFER_TOO_SMALL is outside them",
		    &all, withheld, sizes_from_dsize, true, 0);
	expect_with("EBSFUZZ_RULES=spec: within the letter, so a loader relying on it fails",
		    &spec, withheld, sizes_from_dsize, false, -1);
	expect_with("EBSFUZZ_RULES=spec: the hardened loader copes", &spec, withheld,
		    loader_exit_boot, true, 1);
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

/* ---- one run, every violation ---- */

void __asan_poison_memory_region(void const volatile *addr, size_t size);
void __asan_unpoison_memory_region(void const volatile *addr, size_t size);

/* GRUB 2.06: its own heap (freed blocks poisoned), a print after a failed
 * exit, and the next round's size query with the freed buffer and the old
 * size (L4 and L5 in one loop). */
static UINT8 grub_heap[1 << 16] __attribute__((aligned(8)));

static EFI_STATUS grub_206(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	EFI_MEMORY_DESCRIPTOR *buf = NULL;
	UINTN size = 0, key, dsize;
	UINT32 version;
	EFI_STATUS status;
	int round;

	for (round = 0; round < 4; round++) {
		status = bs->GetMemoryMap(&size, buf, &key, &dsize, &version);
		if (status != EFI_SUCCESS && status != EFI_BUFFER_TOO_SMALL)
			return status;
		__asan_unpoison_memory_region(grub_heap, sizeof(grub_heap));
		buf = (EFI_MEMORY_DESCRIPTOR *)(void *)grub_heap;
		if (bs->GetMemoryMap(&size, buf, &key, &dsize, &version) != EFI_SUCCESS)
			return EFI_LOAD_ERROR;
		status = bs->ExitBootServices(image, key);
		if (status != EFI_INVALID_PARAMETER)
			return status;
		__asan_poison_memory_region(grub_heap, sizeof(grub_heap));
		st->ConOut->OutputString(st->ConOut, retry_message);
	}
	return EFI_ABORTED;
}

static CHAR16 fatal_message[] = u"Failed to exit boot services\r\n";

/* Gives up after one failed exit and says so on the console (Xen's and
 * FreeBSD's error paths): a forbidden call, but on the way out. */
static EFI_STATUS prints_when_giving_up(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;
	EFI_STATUS status;

	read_map(st, &m);
	status = m.bs->ExitBootServices(image, m.key);
	if (status != EFI_SUCCESS)
		st->ConOut->OutputString(st->ConOut, fatal_message);
	return status;
}

/* Halts through Exit() on a failed exit, as loaders' fatal paths do; the
 * code after Exit() must never run. */
static EFI_STATUS halts_with_exit(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;

	read_map(st, &m);
	if (m.bs->ExitBootServices(image, m.key) == EFI_SUCCESS)
		return EFI_SUCCESS;
	m.bs->Exit(image, EFI_ABORTED, 0, NULL);
	return EFI_SUCCESS; /* not reached: would be a status violation */
}

/* Calls Exit(EFI_SUCCESS) without ever exiting boot services. */
static EFI_STATUS exits_image_claiming_success(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	st->BootServices->Exit(image, EFI_SUCCESS, 0, NULL);
	return EFI_LOAD_ERROR;
}

/* Retries a refused exit up to @retry_bound times, then gives up. */
static unsigned retry_bound;

static EFI_STATUS bounded_retries(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;
	EFI_STATUS status;
	unsigned attempt;

	read_map(st, &m);
	for (attempt = 0;; attempt++) {
		status = m.bs->ExitBootServices(image, m.key);
		if (status != EFI_INVALID_PARAMETER || attempt == retry_bound)
			return status;
		reread(&m);
	}
}

static EFI_STATUS retries_128_times(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	retry_bound = 128; /* Limine, CSMWrap */
	return bounded_retries(image, st);
}

static EFI_STATUS retries_300_times(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	retry_bound = 300;
	return bounded_retries(image, st);
}

/* Writes an all-zero end tag right after the map it was told it holds;
 * @inside: one descriptor earlier, over the map. */
static EFI_STATUS writes_end_tag(EFI_HANDLE image, EFI_SYSTEM_TABLE *st, bool inside)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	UINTN size = sizeof(static_buffer), key = 0, dsize = 0;
	UINT32 version;

	if (bs->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)(void *)static_buffer, &key, &dsize,
			     &version) != EFI_SUCCESS || size < dsize || size + dsize > sizeof(static_buffer))
		return EFI_LOAD_ERROR;
	memset(static_buffer + size - (inside ? dsize : 0), 0, dsize);
	return bs->ExitBootServices(image, key);
}

static EFI_STATUS end_tag_after_map(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	return writes_end_tag(image, st, false);
}

static EFI_STATUS end_tag_over_map(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	return writes_end_tag(image, st, true);
}

/* Looks for a free range for its buffer and gives up, cleanly, when the
 * largest is under 16 pages (Linux <= 3.12's low_alloc scans the same way). */
static EFI_STATUS needs_room(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	UINTN size = sizeof(static_buffer), key = 0, dsize = 0, i;
	UINT32 version;
	UINT64 largest = 0;

	if (bs->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)(void *)static_buffer, &key, &dsize,
			     &version) != EFI_SUCCESS)
		return EFI_LOAD_ERROR;
	for (i = 0; i + dsize <= size; i += dsize) {
		const EFI_MEMORY_DESCRIPTOR *d = (const void *)(static_buffer + i);

		if (d->Type == EfiConventionalMemory && d->NumberOfPages > largest)
			largest = d->NumberOfPages;
	}
	if (largest < 16)
		return EFI_OUT_OF_RESOURCES;
	return loader_exit_boot(image, st);
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
	/* A small map, so the buffer is a small pool block from a free list whose
	 * free changes neither map nor key: only the oracle can notice. */
	{ "stale-map", EDK2_QUIET "map empty\nmap-entry Conventional pages=4096 gap=0\nalloc none\n",
	  frees_map_then_exits, "map freed" },
	{ "leak", EDK2_QUIET, leaks_on_error, "error return holding memory" },
	{ "status", EDK2_QUIET, claims_success, "success without exit" },
	{ "status", EDK2_QUIET, hides_success, "exit without success" },
	{ "liveness", AMI_OPTION_ROM, never_retries, "no retry on compliant firmware" },
	{ "termination", EDK2_QUIET "quirk persistent-invalid-parameter on\n", retries_300_times,
	  "more retries than any bounded policy needs" },
	{ "stale-map", EDK2_QUIET "corrupt size index=0 value=0x330\n", end_tag_over_map,
	  "end tag written over the map it was told it holds" },
	{ "status", EDK2_QUIET, exits_image_claiming_success, "Exit(EFI_SUCCESS) without exiting" },
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
	{ "EDK2 exit handler allocating after the key check is the firmware's fault",
	  "firmware edk2-2022\nhandler exit every alloc-pool LoaderData amount=4096 delta=+1 repeat=1\n",
	  loader_exit_boot, true },
	/* No loader exits here, whether it stops at the first failure or not. */
	{ "EDK2 2023 changing the map on every attempt defeats any loader",
	  "firmware edk2-2023\nhandler before-exit every alloc-pages BootServicesData amount=1 "
	  "delta=+1 repeat=1\n",
	  never_retries, false },
	{ "U-Boot timers that outlive a failed exit defeat any loader",
	  "firmware uboot\ntimer at-call at=4 period=2 alloc-pages BootServicesData amount=1 "
	  "delta=+1 repeat=1\n",
	  never_retries, false },
	{ "a bounded retry policy (128, Limine) ends: no termination",
	  EDK2_QUIET "quirk persistent-invalid-parameter on\n", retries_128_times, false },
	{ "an end tag right after the map it was told it holds is its own buffer",
	  EDK2_QUIET "corrupt size index=0 value=0x330\n", end_tag_after_map, true },
	{ "no liveness owed to a machine without a free range for a map buffer",
	  EDK2_QUIET "map empty\nmap-entry BootServicesData pages=4096 gap=0\n"
		     "map-entry Conventional pages=8 gap=0\n",
	  needs_room, false },
	{ "a map changed without a key change is the firmware's fault",
	  EDK2_QUIET "quirk no-key-check on\ntimer after-map at=1 period=0 alloc-pages LoaderData "
		     "amount=1 delta=+1 repeat=1\n",
	  never_retries, true },
};

/* Runs whose every violation must be reported, in order. */
static const struct {
	const char *name, *scenario;
	fw_loader_fn loader;
	const char *reports[4];
} report_cases[] = {
	{ "GRUB 2.06: the print after a failed exit and the use-after-free, one run",
	  EDK2_QUIET "over-report descriptors=0\nhandler before-exit once alloc-pages "
		     "BootServicesData amount=1 delta=0 repeat=1\n",
	  grub_206,
	  { "ebsfuzz: invariant forbidden-call violated: ConOut called after a failed "
	    "ExitBootServices, before the next attempt",
	    "ERROR: AddressSanitizer: use-after-poison", NULL } },
	{ "a print after the last exit attempt is call-after-giving-up; liveness too",
	  AMI_OPTION_ROM, prints_when_giving_up,
	  { "ebsfuzz: invariant call-after-giving-up violated: ConOut called after the loader's "
	    "last ExitBootServices failed",
	    "ebsfuzz: invariant liveness violated", "ebsfuzz: the run ended with 2 violations",
	    NULL } },
	{ "Exit() ends the run as the loader giving up", AMI_OPTION_ROM, halts_with_exit,
	  { "ebsfuzz: invariant call-after-giving-up violated: Exit called",
	    "ebsfuzz: invariant liveness violated", "called Exit(EFI_ABORTED)", NULL } },
	{ "a print before the retry still fails a run that boots", AMI_OPTION_ROM,
	  prints_after_failure,
	  { "ebsfuzz: invariant forbidden-call violated: ConOut called",
	    "ebsfuzz: the run ended with 1 violation", NULL } },
};

int main(void)
{
	char name[160];
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(name, sizeof(name), "%s fires: %s", cases[i].invariant, cases[i].why);
		expect_violation(name, cases[i].scenario, cases[i].broken, cases[i].invariant);
		snprintf(name, sizeof(name), "%s silent for the hardened loader: %s",
			 cases[i].invariant, cases[i].why);
		expect_clean(name, cases[i].scenario, loader_exit_boot, false);
	}
	for (i = 0; i < sizeof(report_cases) / sizeof(report_cases[0]); i++)
		expect_reports(report_cases[i].name, report_cases[i].scenario, report_cases[i].loader,
			       report_cases[i].reports);
	expect_absent("a print on the way out is not a forbidden-call", AMI_OPTION_ROM,
		      prints_when_giving_up, "invariant forbidden-call");
	expect_absent("nothing runs after Exit()", AMI_OPTION_ROM, halts_with_exit,
		      "invariant status");
	envelope_and_rules_tests();
	for (i = 0; i < sizeof(clean_cases) / sizeof(clean_cases[0]); i++)
		expect_clean(clean_cases[i].name, clean_cases[i].scenario, clean_cases[i].loader,
			     clean_cases[i].must_exit);
	return test_summary("test_invariants");
}
