/* SPDX-License-Identifier: MIT */
/*
 * test_firmware.c - the fake firmware follows the rules it claims to model.
 *
 * Each test is a probe loader that calls the services, CHECKs the answers
 * against the UEFI text or the measured firmware behaviour it cites, and
 * then leaves boot services properly through the hardened loader so that no
 * invariant fires.
 */
#include <string.h>

#include "../fw/internal.h"
#include "testlib.h"

/* The compact default map: 18 descriptors, EDK2 asks for 7 more. */
#define SMALL_MAP_DESCS 18u
#define EDK2_OVER_REPORT 7u

static UINTN probe(EFI_BOOT_SERVICES *bs, UINTN *key, UINTN *dsize, EFI_STATUS *status)
{
	UINTN size = 0;
	UINT32 version = 0;

	*status = bs->GetMemoryMap(&size, NULL, key, dsize, &version);
	return size;
}

/* UEFI 2.10 7.2.3; EDK2 Page.c writes key, size and version on every path. */
static EFI_STATUS probe_edk2(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	UINTN size = 0, key = 0xdead, dsize = 0, big;
	UINT32 version = 0;
	EFI_STATUS status;

	CHECK(bs->GetMemoryMap(NULL, NULL, &key, &dsize, &version) == EFI_INVALID_PARAMETER);
	status = bs->GetMemoryMap(&size, NULL, &key, &dsize, &version);
	CHECK(status == EFI_BUFFER_TOO_SMALL);
	CHECK(size == (SMALL_MAP_DESCS + EDK2_OVER_REPORT) * 48);
	CHECK(dsize == 48 && version == 1);
	CHECK(key == 0x43a);
	big = size * 2;
	key = 0;
	CHECK(bs->GetMemoryMap(&big, NULL, &key, &dsize, &version) == EFI_INVALID_PARAMETER);
	CHECK(key == 0x43a);
	return loader_exit_boot(image, st);
}

/* U-Boot efi_get_memory_map: key only on success, DescriptorSize 40. */
static EFI_STATUS probe_uboot(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	UINTN key = 0xdead, dsize = 0;
	EFI_STATUS status;
	UINTN size = probe(st->BootServices, &key, &dsize, &status);

	CHECK(status == EFI_BUFFER_TOO_SMALL && size % 40 == 0 && size > 0);
	CHECK(dsize == 40);
	CHECK(key == 0xdead);
	CHECK(st->Hdr.Revision == EFI_2_100_SYSTEM_TABLE_REVISION);
	return loader_exit_boot(image, st);
}

/* Old U-Boot (F12, F13): DescriptorSize and the size left alone. */
static EFI_STATUS probe_unwritten(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	UINTN size = 8, key = 0, dsize = 77;
	UINT32 version = 0;

	(void)image;
	CHECK(st->BootServices->GetMemoryMap(&size, NULL, &key, &dsize, &version) ==
	      EFI_BUFFER_TOO_SMALL);
	CHECK(size == 8 && dsize == 77);
	return EFI_LOAD_ERROR; /* non-compliant firmware: giving up is allowed */
}

/* A successful read: merged count, stride DescriptorSize, sorted, disjoint,
 * padding zeroed, and GetMemoryMap itself never changes the key. */
static EFI_STATUS read_and_inspect(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	UINTN key, key2, dsize, size, i, n;
	UINT32 version;
	EFI_STATUS status;
	UINTN need = probe(bs, &key, &dsize, &status);
	UINT8 *buf;

	CHECK(bs->AllocatePool(EfiLoaderData, need + 4 * dsize, (VOID **)&buf) == EFI_SUCCESS);
	size = need + 4 * dsize;
	CHECK(bs->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)buf, &key, &dsize, &version) ==
	      EFI_SUCCESS);
	n = size / dsize;
	CHECK(size % dsize == 0 && size < need); /* over-report: success is smaller */
	for (i = 0; i < n; i++) {
		const EFI_MEMORY_DESCRIPTOR *d = (const void *)(buf + i * dsize);
		UINT8 pad[64] = { 0 };

		CHECK(d->NumberOfPages > 0 && d->PhysicalStart % EFI_PAGE_SIZE == 0);
		CHECK(memcmp(buf + i * dsize + 4, pad, 4) == 0);
		CHECK(dsize <= 40 || memcmp(buf + i * dsize + 40, pad, dsize - 40) == 0);
		if (i > 0) {
			const EFI_MEMORY_DESCRIPTOR *p = (const void *)(buf + (i - 1) * dsize);

			CHECK(p->PhysicalStart + p->NumberOfPages * EFI_PAGE_SIZE <= d->PhysicalStart);
		}
	}
	size = need + 4 * dsize;
	CHECK(bs->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)buf, &key2, &dsize, &version) ==
	      EFI_SUCCESS);
	CHECK(key2 == key);
	bs->FreePool(buf);
	return loader_exit_boot(image, st);
}

static UINTN descriptors_now(EFI_BOOT_SERVICES *bs, UINTN *key)
{
	UINTN dsize;
	EFI_STATUS status;
	UINTN size = probe(bs, key, &dsize, &status);

	return size / dsize;
}

/* ovmf.md 3: a 16-byte BootServicesData pool leaves the key alone; the first
 * LoaderData pool page bumps it; FreePool of a page bumps it again. */
static EFI_STATUS pool_and_key_edk2(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	UINTN k0, k1, k2, k3;
	VOID *small, *loader;

	descriptors_now(bs, &k0);
	CHECK(bs->AllocatePool(EfiBootServicesData, 16, &small) == EFI_SUCCESS);
	descriptors_now(bs, &k1);
	CHECK(k1 == k0);
	CHECK(bs->AllocatePool(EfiLoaderData, 16, &loader) == EFI_SUCCESS);
	descriptors_now(bs, &k2);
	CHECK(k2 == k1 + 1);
	bs->FreePool(loader);
	descriptors_now(bs, &k3);
	CHECK(k3 == k2 + 1);
	bs->FreePool(small);
	CHECK(bs->AllocatePool(EfiConventionalMemory, 16, &small) == EFI_INVALID_PARAMETER);
	CHECK(bs->AllocatePool(EfiLoaderData, 16, NULL) == EFI_INVALID_PARAMETER);
	return loader_exit_boot(image, st);
}

/*
 * The input chooses how many descriptors an allocation adds or removes.
 * The map: free 4096 | LoaderData 16 | free 5 | LoaderData 16 | free 64 |
 * BootServicesCode 300 | free 5 | LoaderData 16 | (gap) ACPINVS 8.
 * Placements are searched from the top, as EDK2 allocates.
 */
#define DELTA_MAP                                                                              \
	"firmware edk2-2025\nmap empty\n"                                                      \
	"map-entry Conventional pages=4096 gap=0\nmap-entry LoaderData pages=16 gap=0\n"       \
	"map-entry Conventional pages=5 gap=0\nmap-entry LoaderData pages=16 gap=0\n"          \
	"map-entry Conventional pages=64 gap=0\nmap-entry BootServicesCode pages=300 gap=0\n"  \
	"map-entry Conventional pages=5 gap=0\nmap-entry LoaderData pages=16 gap=0\n"          \
	"map-entry ACPINVS pages=8 gap=16\n"

static int expected_deltas[] = { -2, -1, 2, 1, 0 };

static EFI_STATUS deltas_as_chosen(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	EFI_PHYSICAL_ADDRESS pages[5];
	UINTN key, before, after, i;

	for (i = 0; i < 5; i++) {
		UINTN n = expected_deltas[i] < 0 ? 5 : 1;

		before = descriptors_now(bs, &key);
		CHECK(bs->AllocatePages(AllocateAnyPages, EfiLoaderData, n, &pages[i]) == EFI_SUCCESS);
		CHECK(pages[i] % EFI_PAGE_SIZE == 0);
		after = descriptors_now(bs, &key);
		CHECK((long)after - (long)before == expected_deltas[i]);
		if (expected_deltas[i] == -2) /* give the hole back: the count returns */
			CHECK(bs->FreePages(pages[i], n) == EFI_SUCCESS &&
			      descriptors_now(bs, &key) == before);
	}
	for (i = 1; i < 5; i++)
		bs->FreePages(pages[i], expected_deltas[i] < 0 ? 5 : 1);
	CHECK(bs->AllocatePages(AllocateAnyPages, EfiConventionalMemory, 1, &pages[0]) ==
	      EFI_INVALID_PARAMETER);
	return loader_exit_boot(image, st);
}


/* Exit once, and note what the first call returned. */
static EFI_STATUS first_exit_status;

static EFI_STATUS exit_twice(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	static UINT8 buf[1 << 15] __attribute__((aligned(8)));
	UINTN size = sizeof(buf), key, dsize, attempt;
	UINT32 version;
	EFI_STATUS status = EFI_LOAD_ERROR;

	for (attempt = 0; attempt < 2; attempt++) {
		size = sizeof(buf);
		CHECK(bs->GetMemoryMap(&size, (VOID *)buf, &key, &dsize, &version) == EFI_SUCCESS);
		status = bs->ExitBootServices(image, key);
		if (attempt == 0)
			first_exit_status = status;
		if (status != EFI_INVALID_PARAMETER)
			break;
	}
	return status;
}

/* Build a prober that expects the first exit to succeed or fail. */
#define EXIT_PROBE(name, first_ok)                                                             \
	static EFI_STATUS name(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)                         \
	{                                                                                      \
		EFI_STATUS status = exit_twice(image, st);                                     \
		CHECK((first_exit_status == EFI_SUCCESS) == (first_ok));                      \
		return status;                                                                 \
	}
EXIT_PROBE(first_exit_succeeds, true)
EXIT_PROBE(first_exit_fails, false)

/* Whether the system table's CRC is right for its bytes: CRC-32 by hand,
 * independent of the firmware's implementation. */
static bool system_table_crc_right(EFI_SYSTEM_TABLE *st)
{
	UINT32 crc = st->Hdr.CRC32, expected = 0xffffffffu;

	st->Hdr.CRC32 = 0;
	for (size_t i = 0; i < sizeof(*st); i++) {
		expected ^= ((const UINT8 *)st)[i];
		for (int b = 0; b < 8; b++)
			expected = (expected >> 1) ^ (0xedb88320u & (0u - (expected & 1)));
	}
	st->Hdr.CRC32 = crc;
	return crc == ~expected;
}

/* UEFI 2.10 7.4.6: on success the console and boot services pointers are
 * NULL and the CRC is recomputed; the revision is in both table headers. */
static EFI_STATUS tables_after_exit(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	EFI_STATUS status;

	CHECK(st->Hdr.Revision == EFI_2_90_SYSTEM_TABLE_REVISION);
	CHECK(bs->Hdr.Revision == EFI_2_90_SYSTEM_TABLE_REVISION);
	CHECK(bs->Hdr.Signature == EFI_BOOT_SERVICES_SIGNATURE);
	status = loader_exit_boot(image, st);
	CHECK(status == EFI_SUCCESS);
	CHECK(st->BootServices == NULL && st->ConOut == NULL && st->ConIn == NULL &&
	      st->StdErr == NULL && st->ConsoleOutHandle == NULL);
	CHECK(system_table_crc_right(st));
	return status;
}

/* The same after a configuration table was installed, in a run after one
 * without: the firmware sums a table it has summed before only from its
 * bytes (misc.c keeps the last sum). */
static EFI_STATUS tables_after_exit_with_a_config_table(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	static const EFI_GUID guid = { 0x12345678, 0x1234, 0x5678,
				       { 1, 2, 3, 4, 5, 6, 7, 8 } };
	static UINT8 table[16];
	EFI_STATUS status;

	CHECK(st->BootServices->InstallConfigurationTable((EFI_GUID *)&guid, table) ==
	      EFI_SUCCESS);
	CHECK(system_table_crc_right(st));
	status = loader_exit_boot(image, st);
	CHECK(status == EFI_SUCCESS && st->NumberOfTableEntries == 1);
	CHECK(system_table_crc_right(st));
	return status;
}

/* UEFI 2.10 8.4.1, as EDK2's RuntimeDxe and U-Boot answer it:
 * SetVirtualAddressMap() is refused before the exit, with a bad
 * DescriptorSize or version, and a second time; once after the exit, it
 * succeeds. */
static EFI_STATUS virtual_map_after_exit(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_RUNTIME_SERVICES *rt = st->RuntimeServices;
	EFI_MEMORY_DESCRIPTOR d = { 0 };
	EFI_STATUS status;

	CHECK(rt->SetVirtualAddressMap(sizeof(d), sizeof(d), 1, &d) == EFI_UNSUPPORTED);
	status = loader_exit_boot(image, st);
	CHECK(status == EFI_SUCCESS);
	CHECK(rt->SetVirtualAddressMap(sizeof(d), 32, 1, &d) == EFI_INVALID_PARAMETER);
	CHECK(rt->SetVirtualAddressMap(sizeof(d), sizeof(d), 2, &d) == EFI_INVALID_PARAMETER);
	CHECK(rt->SetVirtualAddressMap(sizeof(d), sizeof(d), 1, &d) == EFI_SUCCESS);
	CHECK(rt->SetVirtualAddressMap(sizeof(d), sizeof(d), 1, &d) == EFI_UNSUPPORTED);
	return status;
}

/* Benign services work before the exit (CRC test vector from the CRC-32
 * catalogue: "123456789" gives 0xCBF43926). */
static EFI_STATUS benign_services(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	static EFI_GUID guid = { 1, 2, 3, { 4, 5, 6, 7, 8, 9, 10, 11 } };
	static CHAR16 hello[] = u"hello\r\n";
	static _Alignas(2) UINT8 odd_text[] = { 0, 'o', 0, 'k', 0, 0, 0 };
	UINT8 text[] = "123456789", copy[9];
	UINT32 crc = 0;
	UINT64 count;
	EFI_INPUT_KEY key;

	CHECK(bs->CalculateCrc32(text, 9, &crc) == EFI_SUCCESS && crc == 0xcbf43926u);
	CHECK(bs->Stall(1) == EFI_SUCCESS && bs->SetWatchdogTimer(0, 0, 0, NULL) == EFI_SUCCESS);
	CHECK(bs->GetNextMonotonicCount(&count) == EFI_SUCCESS);
	bs->CopyMem(copy, text, 9);
	CHECK(memcmp(copy, text, 9) == 0);
	bs->SetMem(copy, 9, 0);
	CHECK(copy[0] == 0 && copy[8] == 0);
	CHECK(st->ConOut->OutputString(st->ConOut, hello) == EFI_SUCCESS);
	/* A string at an odd address ("ok"), as a loader's corrupted heap
	 * hands one over: read as x86 firmware reads it, no UBSan stop. */
	CHECK(st->ConOut->OutputString(st->ConOut, (CHAR16 *)(void *)(odd_text + 1)) == EFI_SUCCESS);
	CHECK(bs->InstallConfigurationTable(&guid, copy) == EFI_SUCCESS);
	CHECK(st->NumberOfTableEntries == 1 && st->ConfigurationTable[0].VendorTable == copy);
	CHECK(bs->InstallConfigurationTable(&guid, NULL) == EFI_SUCCESS);
	CHECK(st->NumberOfTableEntries == 0);
	CHECK(bs->LocateProtocol(&guid, NULL, NULL) == EFI_INVALID_PARAMETER);
	/* Nobody at the keyboard (UEFI 2.10 12.3.3). */
	CHECK(st->ConIn->Reset(st->ConIn, 0) == EFI_SUCCESS);
	CHECK(st->ConIn->ReadKeyStroke(st->ConIn, &key) == EFI_NOT_READY);
	CHECK(st->ConIn->WaitForKey != NULL);
	return loader_exit_boot(image, st);
}

/* Events a loader creates are signalled with their group. */
static unsigned notified_before, notified_exit;

static VOID EFIAPI count_before(EFI_EVENT e, VOID *c)
{
	(void)e;
	(void)c;
	notified_before++;
}

static VOID EFIAPI count_exit(EFI_EVENT e, VOID *c)
{
	(void)e;
	(void)c;
	notified_exit++;
}

static EFI_STATUS loader_events(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	static const EFI_GUID before = EFI_EVENT_GROUP_BEFORE_EXIT_BOOT_SERVICES;
	EFI_BOOT_SERVICES *bs = st->BootServices;
	EFI_EVENT e1, e2;
	EFI_STATUS status;

	CHECK(bs->CreateEventEx(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, count_before, NULL, &before, &e1) ==
	      EFI_SUCCESS);
	CHECK(bs->CreateEvent(EVT_SIGNAL_EXIT_BOOT_SERVICES, TPL_CALLBACK, count_exit, NULL, &e2) ==
	      EFI_SUCCESS);
	CHECK(bs->CreateEventEx(EVT_SIGNAL_EXIT_BOOT_SERVICES, TPL_CALLBACK, count_exit, NULL, &before,
				&e2) == EFI_INVALID_PARAMETER);
	status = loader_exit_boot(image, st);
	CHECK(notified_before == 1 && notified_exit == 1);
	return status;
}

/* Injection: the nth call of a service fails; other calls do not. */
static EFI_STATUS injected_second_pool(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	VOID *a, *b, *c;

	CHECK(bs->AllocatePool(EfiLoaderData, 8, &a) == EFI_SUCCESS);
	CHECK(bs->AllocatePool(EfiLoaderData, 8, &b) == EFI_DEVICE_ERROR);
	CHECK(bs->AllocatePool(EfiLoaderData, 8, &c) == EFI_SUCCESS);
	bs->FreePool(a);
	bs->FreePool(c);
	(void)image;
	return EFI_ABORTED;
}

/* What a failed AllocatePool() leaves in *Buffer: NULL on EDK2 (its
 * Pool.c sets it before looking for memory), as it was on U-Boot. */
static UINT8 stale_marker;

static EFI_STATUS failed_pool_leaves(EFI_SYSTEM_TABLE *st, VOID *expected)
{
	VOID *p = &stale_marker;

	CHECK(st->BootServices->AllocatePool(EfiLoaderData, 8, &p) == EFI_OUT_OF_RESOURCES);
	CHECK(p == expected);
	return EFI_ABORTED;
}

static EFI_STATUS failed_pool_edk2(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	(void)image;
	return failed_pool_leaves(st, NULL);
}

static EFI_STATUS failed_pool_uboot(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	(void)image;
	return failed_pool_leaves(st, &stale_marker);
}

/* The same reason twice, from two copies of its text, and another. */
static char reason_text[] = "reason kept once";
static char reason_copy[] = "reason kept once";

static EFI_STATUS repeat_a_reason(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	fw_not_compliant(false, reason_text);
	fw_not_compliant(false, reason_copy);
	fw_not_compliant(false, "reason kept once, and another");
	fw_not_compliant(false, reason_text);
	return loader_exit_boot(image, st);
}

/* Count the lines of @output that contain @text. */
static unsigned lines_with(const char *output, const char *text)
{
	unsigned n = 0;

	for (const char *p = output; (p = strstr(p, text)) != NULL; p += strlen(text))
		if (p[strlen(text)] == '\n')
			n++;
	return n;
}

/* A reason is kept, and traced, once by its text, not by its pointer. */
static void reason_kept_once(void)
{
	struct run_outcome out;
	bool ok;

	testlib_trace = true;
	run_forked("firmware edk2-2025\n", repeat_a_reason, &out);
	testlib_trace = false;
	ok = lines_with(out.output, ": reason kept once") == 1 &&
	     lines_with(out.output, ": reason kept once, and another") == 1 &&
	     out.violation[0] == 0 && out.exited;
	test_result("a reason repeated from a copy of its text is kept once", ok, &out);
}

/* Timers make at most FW_MAX_TIMER_CHANGES map changes in a run, handlers
 * go on to FW_MAX_FIRMWARE_CHANGES (fuzz/fw/internal.h); each change moves
 * EDK2's key by one, and a size query reports the key.  The timer makes 16
 * changes before every call, so its 128 run out before the eighth query;
 * the handler makes 16 at every exit attempt (EDK2 2023 signals the BEFORE
 * group at every call), so its 128 fail eight attempts, and the ninth
 * exits. */
static EFI_STATUS budgets_of_timers_and_handlers(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	UINTN keys[12], key = 0, dsize, size, i, failures = 0;
	UINT32 version;
	EFI_STATUS status;
	VOID *buffer = NULL;

	for (i = 0; i < 12; i++) {
		probe(bs, &keys[i], &dsize, &status);
		CHECK(status == EFI_BUFFER_TOO_SMALL);
	}
	CHECK(keys[7] - keys[0] == 7 * 16);
	CHECK(keys[11] == keys[7]);
	CHECK(bs->AllocatePool(EfiLoaderData, 65536, &buffer) == EFI_SUCCESS);
	for (i = 0; i < 12; i++) {
		size = 65536;
		CHECK(bs->GetMemoryMap(&size, buffer, &key, &dsize, &version) == EFI_SUCCESS);
		status = bs->ExitBootServices(image, key);
		if (status == EFI_SUCCESS)
			break;
		failures++;
	}
	CHECK(failures == 8 && status == EFI_SUCCESS);
	return status;
}

int main(void)
{
	reason_kept_once();
	expect_clean("GetMemoryMap probe on EDK2", "firmware edk2-2025\n", probe_edk2, true);
	expect_clean("GetMemoryMap probe on U-Boot", "firmware uboot\n", probe_uboot, true);
	expect_clean("BUFFER_TOO_SMALL leaving size and DescriptorSize unwritten",
		     "firmware uboot\nquirk dsize-unwritten-on-too-small on\n"
		     "quirk size-unwritten-on-too-small on\n",
		     probe_unwritten, false);
	expect_clean("a read is sorted, strided, padded, and keeps the key",
		     "firmware edk2-2025\ndescriptor-size bytes=64\n", read_and_inspect, true);
	expect_clean("EDK2 pools and the key", "firmware edk2-2025\n", pool_and_key_edk2, true);
	expect_clean("allocation deltas as chosen",
		     DELTA_MAP "alloc -2\nalloc -1\nalloc +2\nalloc +1\nalloc 0\n", deltas_as_chosen,
		     true);
	expect_clean("EDK2 2025: BEFORE group on the first call only",
		     "firmware edk2-2025\nhandler before-exit every alloc-pages LoaderData amount=1 "
		     "delta=+1 repeat=1\n",
		     first_exit_fails, true);
	expect_clean("EDK2 2022: no BEFORE group at all",
		     "firmware edk2-2022\nhandler before-exit every alloc-pages LoaderData amount=1 "
		     "delta=+1 repeat=1\n",
		     first_exit_succeeds, true);
	expect_clean("EDK2: EXIT group after the key check",
		     "firmware edk2-2025\nhandler exit every alloc-pages LoaderData amount=1 "
		     "delta=+1 repeat=1\n",
		     first_exit_succeeds, true);
	expect_clean("AMI: EXIT group before the key check, once",
		     "firmware ami\nhandler exit every alloc-pages LoaderData amount=1 delta=+1 "
		     "repeat=1\n",
		     first_exit_fails, true);
	expect_clean("U-Boot: key check before any event",
		     "firmware uboot\nhandler before-exit every alloc-pages LoaderData amount=1 "
		     "delta=+1 repeat=1\n",
		     first_exit_succeeds, true);
	expect_clean("EDK2 2023: BEFORE group on every call",
		     "firmware edk2-2023\nhandler before-exit every alloc-pages LoaderData amount=1 "
		     "delta=+1 repeat=1\n",
		     first_exit_fails, false);
	expect_clean("a timer between GetMemoryMap and the exit, then timers off",
		     "firmware edk2-2022\ntimer after-map at=1 period=1 alloc-pages LoaderData "
		     "amount=1 delta=+1 repeat=1\n",
		     first_exit_fails, true);
	expect_clean("U-Boot: a timer after the read does not fire without a poll",
		     "firmware uboot\ntimer after-map at=1 period=0 alloc-pages LoaderData "
		     "amount=1 delta=+1 repeat=1\n",
		     first_exit_succeeds, true);
	expect_clean("persistent EFI_INVALID_PARAMETER",
		     "firmware edk2-2025\nquirk persistent-invalid-parameter on\n", first_exit_fails,
		     false);
	expect_clean("tables after a successful exit", "firmware edk2-2025\nrevision 2.90\n",
		     tables_after_exit, true);
	expect_clean("tables after a successful exit, a configuration table installed",
		     "firmware edk2-2025\nrevision 2.90\n", tables_after_exit_with_a_config_table, true);
	expect_clean("SetVirtualAddressMap once, after the exit", "firmware edk2-2025\n",
		     virtual_map_after_exit, true);
	expect_clean("SetVirtualAddressMap once, after the exit (U-Boot)", "firmware uboot\n",
		     virtual_map_after_exit, true);
	expect_clean("benign services", "firmware edk2-2025\n", benign_services, true);
	expect_clean("loader events in the exit groups", "firmware edk2-2025\n", loader_events, true);
	expect_clean("injected failure of the second AllocatePool",
		     "firmware edk2-2025\ninject AllocatePool nth=2 status=EFI_DEVICE_ERROR\n",
		     injected_second_pool, false);
	expect_clean("a failed AllocatePool hands back NULL on EDK2",
		     "firmware edk2-2025\ninject AllocatePool nth=1 status=EFI_OUT_OF_RESOURCES\n",
		     failed_pool_edk2, false);
	expect_clean("a failed AllocatePool leaves Buffer as it was on U-Boot",
		     "firmware uboot\ninject AllocatePool nth=1 status=EFI_OUT_OF_RESOURCES\n",
		     failed_pool_uboot, false);
	expect_clean("timers stop at their budget of changes, handlers go on to the run's",
		     "firmware edk2-2023\ntimer at-call at=1 period=1 alloc-pages BootServicesData "
		     "amount=1 delta=+2 repeat=16\nhandler before-exit every alloc-pages "
		     "BootServicesData amount=1 delta=+2 repeat=16\n",
		     budgets_of_timers_and_handlers, true);
	return test_summary("test_firmware");
}
