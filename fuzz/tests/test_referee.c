/* SPDX-License-Identifier: MIT */
/*
 * test_referee.c - how the referee judges a run as a whole: every
 * violation of one run reported (recorded ones, then what real firmware
 * lets the loader do next), forbidden calls before a retry and on the way
 * out told apart, Exit() ending the run, bounded retry policies, the map a
 * loader was told it holds, machines that owe no boot, and the firmware
 * envelope and rules options.
 */
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"

static UINT8 static_buffer[1 << 16] __attribute__((aligned(8)));
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
		print_retry_message(st);
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

/* On a failed exit waits for a key and resets, as NetBSD's efiboot
 * reboot() does: no key comes, and nothing reads through a NULL ConIn. */
static EFI_STATUS waits_for_key_when_giving_up(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;
	EFI_INPUT_KEY key;
	UINTN index;

	read_map(st, &m);
	if (m.bs->ExitBootServices(image, m.key) == EFI_SUCCESS)
		return EFI_SUCCESS;
	st->ConIn->Reset(st->ConIn, 0);
	m.bs->WaitForEvent(1, &st->ConIn->WaitForKey, &index);
	if (st->ConIn->ReadKeyStroke(st->ConIn, &key) != EFI_NOT_READY)
		return EFI_LOAD_ERROR; /* a key nobody pressed: a status violation */
	st->RuntimeServices->ResetSystem(EfiResetCold, EFI_ABORTED, 0, NULL);
	return EFI_SUCCESS; /* not reached */
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

/* Calls Exit(EFI_SUCCESS) without ever exiting boot services, as Xen's
 * blexit() does on a fatal error: the image's status is its own to choose
 * (UEFI 2.10 7.4.5), so no status violation; a halt owes the boot. */
static EFI_STATUS exits_image_claiming_success(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	st->BootServices->Exit(image, EFI_SUCCESS, 0, NULL);
	return EFI_LOAD_ERROR;
}

/* Gives up before any exit attempt without freeing its buffer, as
 * Limine's panic path does: hygiene on the way out, class giving-up. */
static EFI_STATUS gives_up_holding_memory(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	VOID *buf;

	(void)image;
	if (st->BootServices->AllocatePool(EfiLoaderData, 4096, &buf) != EFI_SUCCESS)
		return EFI_LOAD_ERROR;
	return EFI_OUT_OF_RESOURCES;
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

/* Gives up, cleanly, unless the map has @need bytes of free memory
 * ending at or below 1 MiB, at the top of a descriptor and not at address
 * 0, as Xen looks for its trampoline before the exit
 * (docs/real-loaders.md section 1). */
static EFI_STATUS needs_low_memory(EFI_HANDLE image, EFI_SYSTEM_TABLE *st, UINT64 need)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	UINTN size = sizeof(static_buffer), key = 0, dsize = 0, i;
	UINT32 version;

	if (bs->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)(void *)static_buffer, &key, &dsize,
			     &version) != EFI_SUCCESS)
		return EFI_LOAD_ERROR;
	for (i = 0; i + dsize <= size; i += dsize) {
		const EFI_MEMORY_DESCRIPTOR *d = (const void *)(static_buffer + i);
		UINT64 len = d->NumberOfPages * EFI_PAGE_SIZE;

		if (d->Type == EfiConventionalMemory && d->PhysicalStart + len <= 0x100000 &&
		    len >= need && ((d->PhysicalStart + len - need) & ~(UINT64)0xfff) != 0)
			return loader_exit_boot(image, st);
	}
	return EFI_OUT_OF_RESOURCES;
}

/* Xen's trampoline: 64 KiB. */
static EFI_STATUS needs_trampoline(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	return needs_low_memory(image, st, 0x10000);
}

/* More than a PC has below 1 MiB: no machine owes that. */
static EFI_STATUS needs_700k_low(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	return needs_low_memory(image, st, 700 * 1024);
}

/* Hyper: needs no low memory; one exit, refused, and no retry.  On a map
 * without a PC's low memory its missing retry is still owed a boot: the
 * loader was not stopped by what that map lacks. */
/* esx-boot's retry loop (vmware/esx-boot#11): after a failed exit it
 * frees its buffer, allocates another and reads again, sizing it from a
 * stale size, for ever.  Broken: the call budget ends the run; whether
 * the frees were a way out is not known. */
static EFI_STATUS retries_for_ever(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;
	VOID *again = NULL;

	if (read_map(st, &m) != EFI_SUCCESS ||
	    m.bs->ExitBootServices(image, m.key) == EFI_SUCCESS)
		return EFI_SUCCESS;
	for (;;) {
		m.bs->FreePool(m.buf);
		if (m.bs->AllocatePool(EfiLoaderData, 16, &again) == EFI_SUCCESS)
			m.buf = again;
	}
}

static EFI_STATUS exits_once(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;

	if (read_map(st, &m) != EFI_SUCCESS)
		return EFI_LOAD_ERROR;
	return m.bs->ExitBootServices(image, m.key);
}

/* Claims the room a corrupt answer reported, on a buffer that much
 * smaller (a stale size, L2): buffer-bounds, and the firmware's own stale
 * fill must not overrun the buffer on its behalf (it did, so a campaign
 * reported a second, harness-made heap-buffer-overflow). */
static EFI_STATUS claims_reported_size(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	UINTN size = 0, key = 0, dsize = 0;
	UINT32 version;
	VOID *buf;

	(void)image;
	bs->GetMemoryMap(&size, NULL, &key, &dsize, &version);
	size += 8 * dsize;
	if (bs->AllocatePool(EfiLoaderData, size, &buf) != EFI_SUCCESS)
		return EFI_OUT_OF_RESOURCES;
	if (bs->GetMemoryMap(&size, buf, &key, &dsize, &version) == EFI_SUCCESS)
		bs->GetMemoryMap(&size, buf, &key, &dsize, &version);
	bs->FreePool(buf);
	return EFI_LOAD_ERROR;
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

/* The trace says what EBSFUZZ_FIRMWARE=compliant left out of the input's
 * firmware, and its header describes what ran: the reproducer's scenario
 * shows the input's directives (DescriptorSize 2048 above a header saying
 * 1024 read as a contradiction). */
static void envelope_trace_test(const struct fw_options *compliant)
{
	static const char input[] = "firmware edk2-2025\ndescriptor-size bytes=2048\n"
				    "inject AllocatePool nth=1 status=EFI_DEVICE_ERROR\n"
				    "quirk persistent-invalid-parameter on\n";
	struct run_outcome out;
	bool ok;

	testlib_options = *compliant;
	testlib_trace = true;
	run_forked(input, loader_exit_boot, &out);
	testlib_trace = false;
	testlib_options = (struct fw_options){ .liveness_descs = FW_DEFAULT_LIVENESS_DESCS };
	ok = strstr(out.output, "# EBSFUZZ_FIRMWARE=compliant (envelope.c): left out of this "
				"firmware: DescriptorSize 2048 (1024 instead), 1 injected failure, "
				"1 quirk outside the rules;") != NULL &&
	     strstr(out.output, "DescriptorSize 1024, DescriptorVersion 1") != NULL &&
	     strstr(out.output, " 0 injections\n") != NULL && out.violation[0] == 0 && out.exited;
	test_result("EBSFUZZ_FIRMWARE=compliant: the trace names what it left out", ok, &out);
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
	envelope_trace_test(&compliant);
}

/* EBSFUZZ_FAIL_ON (fw_options.lenient_classes): a violation of a class left
 * out ends no process, fatal or not; the others still do, and a run's
 * report counts only them.  Firmware that refuses every key takes the runs
 * out of liveness. */
static void fail_on_tests(void)
{
	static const char refuses[] = EDK2_QUIET "quirk persistent-invalid-parameter on\n";
	static const char *const liveness_only[] = {
		"ebsfuzz: invariant liveness violated",
		"ebsfuzz: the run ended with 1 violation (the first: liveness)", NULL
	};
	const struct fw_options saved = testlib_options;

	testlib_options.lenient_classes = 1u << CLASS_GIVING_UP;
	expect_clean("EBSFUZZ_FAIL_ON without giving-up: a print after giving up ends no process",
		     refuses, prints_when_giving_up, false);
	expect_reports("EBSFUZZ_FAIL_ON without giving-up: liveness still ends the process",
		       AMI_OPTION_ROM, prints_when_giving_up, liveness_only);
	expect_absent("EBSFUZZ_FAIL_ON without giving-up: the print is not reported",
		      AMI_OPTION_ROM, prints_when_giving_up, "invariant call-after-giving-up");
	testlib_options.lenient_classes = 1u << CLASS_NONCOMPLIANT;
	expect_clean("EBSFUZZ_FAIL_ON without noncompliant: a fatal termination ends the run only",
		     refuses, retries_300_times, false);
	testlib_options = saved;
	expect_violation("every class fails by default: the same termination", refuses,
			 retries_300_times, "termination");
}

/* Verdicts on single runs: must fail with, must be clean. */
static const struct {
	const char *invariant, *scenario;
	fw_loader_fn broken;
	const char *why;
} cases[] = {
	{ "termination", EDK2_QUIET "quirk persistent-invalid-parameter on\n", retries_300_times,
	  "more retries than any bounded policy needs" },
	{ "stale-map", EDK2_QUIET "corrupt size index=0 value=0x330\n", end_tag_over_map,
	  "end tag written over the map it was told it holds" },
};

static const struct {
	const char *name, *scenario;
	fw_loader_fn loader;
	bool must_exit;
} clean_cases[] = {
	{ "a bounded retry policy (128, Limine) ends: no termination",
	  EDK2_QUIET "quirk persistent-invalid-parameter on\n", retries_128_times, false },
	{ "an end tag right after the map it was told it holds is its own buffer",
	  EDK2_QUIET "corrupt size index=0 value=0x330\n", end_tag_after_map, true },
	{ "no liveness owed to a machine without a free range for a map buffer",
	  EDK2_QUIET "map empty\nmap-entry BootServicesData pages=4096 gap=0\n"
		     "map-entry Conventional pages=8 gap=0\n",
	  needs_room, false },
	{ "no liveness owed on a map without a PC's low memory (Xen's trampoline)",
	  "firmware uboot\nmap uboot\n", needs_trampoline, false },
	{ "U-Boot's default map is the x86 one: the trampoline is found, the loader exits",
	  "firmware uboot\n", needs_trampoline, true },
	{ "a generated map starts with a PC's low memory: the loader exits",
	  EDK2_QUIET "map-synthetic descriptors=40 seed=7\n", needs_trampoline, true },
	{ "and keeps a PC's hole above it, two descriptors too (it merged across 1 MiB)",
	  EDK2_QUIET "map-synthetic descriptors=2 seed=0\n", needs_trampoline, true },
	{ "no liveness owed when the only 64 KiB below 1 MiB is at address 0 (Xen: none)",
	  EDK2_QUIET "map empty\nmap-entry Conventional pages=16 gap=0\n"
		     "map-entry Conventional pages=4096 gap=1658\n",
	  needs_trampoline, false },
	{ "no liveness owed once the firmware's own allocation took the low memory",
	  EDK2_QUIET "map empty\nmap-entry Conventional pages=17 gap=0\n"
		     "map-entry Reserved pages=1 gap=239\nmap-entry Conventional pages=20000 gap=0\n"
		     "map-entry Reserved pages=1 gap=0\ntimer at-call at=1 period=0 alloc-pages "
		     "BootServicesData amount=17 delta=0 repeat=1\n",
	  needs_trampoline, false },
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
	{ "a wait for a key on the way out: no key, call-after-giving-up, no crash",
	  AMI_OPTION_ROM, waits_for_key_when_giving_up,
	  { "ebsfuzz: invariant call-after-giving-up violated: ConIn called after the loader's "
	    "last ExitBootServices failed",
	    "ebsfuzz: invariant liveness violated", NULL } },
	{ "a leak on the way out is giving-up, not compliant", EDK2_QUIET, gives_up_holding_memory,
	  { "ebsfuzz: invariant leak violated: the loader returned EFI_OUT_OF_RESOURCES before any "
	    "exit attempt still holding 1 allocation(s), the first from AllocatePool (call 1) "
	    "[giving-up]",
	    "ebsfuzz: invariant liveness violated", NULL } },
	{ "Exit(EFI_SUCCESS) without exiting: a halt, which owes the boot", EDK2_QUIET,
	  exits_image_claiming_success,
	  { "ebsfuzz: invariant liveness violated", "called Exit(EFI_SUCCESS)", NULL } },
	{ "Exit() cannot be made to fail: it ends the run, and the firmware kept the rules",
	  AMI_OPTION_ROM "inject Exit nth=0 status=EFI_INVALID_PARAMETER\n", halts_with_exit,
	  { "ebsfuzz: invariant call-after-giving-up violated: Exit called",
	    "ebsfuzz: invariant liveness violated", "called Exit(EFI_ABORTED)", NULL } },
	{ "Exit() ends the run as the loader giving up", AMI_OPTION_ROM, halts_with_exit,
	  { "ebsfuzz: invariant call-after-giving-up violated: Exit called",
	    "ebsfuzz: invariant liveness violated", "called Exit(EFI_ABORTED)", NULL } },
	{ "a claim past the buffer is buffer-bounds, not a firmware overrun as well",
	  EDK2_QUIET "corrupt size index=0 value=0x100000\n", claims_reported_size,
	  { "ebsfuzz: invariant buffer-bounds violated: GetMemoryMap told 1048576 bytes at offset 0",
	    "ebsfuzz: the run ended with 1 violation", NULL } },
	{ "a print before the retry still fails a run that boots", AMI_OPTION_ROM,
	  prints_after_failure,
	  { "ebsfuzz: invariant forbidden-call violated: ConOut called",
	    "ebsfuzz: the run ended with 1 violation", NULL } },
};

int main(void)
{
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_fires_and_silent(cases[i].invariant, cases[i].why, cases[i].scenario,
					cases[i].broken);
	for (i = 0; i < sizeof(report_cases) / sizeof(report_cases[0]); i++)
		expect_reports(report_cases[i].name, report_cases[i].scenario, report_cases[i].loader,
			       report_cases[i].reports);
	expect_absent("a print on the way out is not a forbidden-call", AMI_OPTION_ROM,
		      prints_when_giving_up, "invariant forbidden-call");
	expect_absent("nothing runs after Exit()", AMI_OPTION_ROM, halts_with_exit,
		      "invariant status");
	{
		static const char *const budget[] = { "ebsfuzz: invariant termination violated",
						      NULL };

		expect_reports("a retry loop after a failed exit runs out the call budget",
			       AMI_OPTION_ROM, retries_for_ever, budget);
		expect_absent("a run the call budget ends after a failed exit was on no way out",
			      AMI_OPTION_ROM, retries_for_ever, "invariant call-after-giving-up");
	}
	expect_absent("Exit(EFI_SUCCESS) without exiting is no status violation", EDK2_QUIET,
		      exits_image_claiming_success, "invariant status");
	expect_absent("the firmware's stale fill stays inside the loader's buffer",
		      EDK2_QUIET "corrupt size index=0 value=0x100000\n", claims_reported_size,
		      "AddressSanitizer");
	expect_violation("liveness still owed to a loader asking more of low memory than a PC has",
			 "firmware uboot\n", needs_700k_low, "liveness");
	expect_violation("liveness owed on a map without a PC's low memory once the loader tried "
			 "to exit",
			 "firmware edk2-2025\nmap uboot\nhandler before-exit once alloc-pages "
			 "BootServicesData amount=1 delta=+1 repeat=1\n",
			 exits_once, "liveness");
	envelope_and_rules_tests();
	fail_on_tests();
	for (i = 0; i < sizeof(clean_cases) / sizeof(clean_cases[0]); i++)
		expect_clean(clean_cases[i].name, clean_cases[i].scenario, clean_cases[i].loader,
			     clean_cases[i].must_exit);
	return test_summary("test_referee");
}
