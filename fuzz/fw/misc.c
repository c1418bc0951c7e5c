/* SPDX-License-Identifier: MIT */
/*
 * misc.c - the system table, and the boot services loaders call on their
 * way out that are not about memory (the console is conout.c's and
 * conin.c's, runtime services are in runtime.c).
 *
 * The benign services real loaders use before exiting work (OutputString,
 * Stall, SetWatchdogTimer, InstallConfigurationTable, GetNextMonotonicCount,
 * CopyMem, SetMem, CalculateCrc32, RaiseTPL/RestoreTPL), and Exit() ends
 * the run; every other slot answers EFI_UNSUPPORTED (unsupported.c), after
 * the same call accounting.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define UNUSED __attribute__((unused))

static uint8_t console_handle_object;
static CHAR16 vendor[] = u"ebsfuzz fake firmware";

/* ---- Benign boot services ---- */

static EFI_TPL EFIAPI bs_RaiseTPL(EFI_TPL tpl)
{
	EFI_TPL old = fw.tpl;

	FW_ENTER(SVC_RaiseTPL);
	fw.tpl = tpl;
	fw_leave(SVC_RaiseTPL, EFI_SUCCESS);
	return old;
}

static VOID EFIAPI bs_RestoreTPL(EFI_TPL tpl)
{
	FW_ENTER(SVC_RestoreTPL);
	fw.tpl = tpl;
	fw_leave(SVC_RestoreTPL, EFI_SUCCESS);
}

static EFI_STATUS EFIAPI bs_Stall(UINTN microseconds)
{
	EFI_STATUS status = FW_ENTER(SVC_Stall);

	FW_TRACE("# call %u: Stall(%zu) -> %s\n", fw.calls, (size_t)microseconds,
		 fw_status_name(status));
	fw_uboot_stall(microseconds);
	if (status == EFI_SUCCESS)
		fw_timer_events_stall(microseconds);
	return fw_leave(SVC_Stall, status);
}

static EFI_STATUS EFIAPI bs_SetWatchdogTimer(UINTN timeout UNUSED, UINT64 code UNUSED,
					     UINTN size UNUSED, CHAR16 *data UNUSED)
{
	return fw_leave(SVC_SetWatchdogTimer, FW_ENTER(SVC_SetWatchdogTimer));
}

/*
 * UEFI 2.10 section 7.4.5: Exit() ends the image with ExitStatus.  Loaders
 * halt through it on fatal errors (GRUB's and Linux's error paths), so the
 * run ends as if the loader had returned that status; the status invariant
 * judges it the same way.  After a failed exit it is a call like any other
 * (call-after-giving-up, normally); after a successful one, forbidden.
 */
static EFI_STATUS EFIAPI bs_Exit(EFI_HANDLE image UNUSED, EFI_STATUS exit_status, UINTN size,
				 CHAR16 *data)
{
	EFI_STATUS status = FW_ENTER(SVC_Exit);

	if (status != EFI_SUCCESS)
		return fw_leave(SVC_Exit, status);
	/* ExitData goes to StartImage()'s caller, with an error status only
	 * (fw_live_loader_allocations()). */
	if (exit_status != EFI_SUCCESS && size != 0)
		fw.exit_data = data;
	FW_TRACE("# call %u: Exit(%s): the run ends here\n", fw.calls, fw_status_name(exit_status));
	fw_leave(SVC_Exit, EFI_SUCCESS);
	fw.ended = END_EXIT;
	fw.exit_status = exit_status;
	longjmp(fw.reset_jump, 1);
}

static EFI_STATUS EFIAPI bs_GetNextMonotonicCount(UINT64 *count)
{
	EFI_STATUS status = FW_ENTER(SVC_GetNextMonotonicCount);

	if (status == EFI_SUCCESS && count == NULL)
		status = EFI_INVALID_PARAMETER;
	if (status == EFI_SUCCESS)
		fw_arg_put_u64(count, fw.monotonic++, "GetNextMonotonicCount()'s Count");
	return fw_leave(SVC_GetNextMonotonicCount, status);
}

static EFI_STATUS EFIAPI bs_CalculateCrc32(VOID *data, UINTN size, UINT32 *crc)
{
	EFI_STATUS status = FW_ENTER(SVC_CalculateCrc32);

	if (status == EFI_SUCCESS && (data == NULL || size == 0 || crc == NULL))
		status = EFI_INVALID_PARAMETER;
	if (status == EFI_SUCCESS)
		fw_arg_put_u32(crc,
			       fw_loader_range_reported(data, size, false) ? fw_crc32_unchecked(data, size)
									  : fw_crc32(data, size),
			       "CalculateCrc32()'s Crc32");
	return fw_leave(SVC_CalculateCrc32, status);
}

static VOID EFIAPI bs_CopyMem(VOID *dst, VOID *src, UINTN length)
{
	FW_ENTER(SVC_CopyMem);
	fw_loader_move(dst, src, length);
	fw_leave(SVC_CopyMem, EFI_SUCCESS);
}

static VOID EFIAPI bs_SetMem(VOID *buffer, UINTN size, UINT8 value)
{
	FW_ENTER(SVC_SetMem);
	fw_loader_fill(buffer, value, size);
	fw_leave(SVC_SetMem, EFI_SUCCESS);
}

/*
 * UEFI 2.10 section 7.3.16.  EDK2 grows its table 16 entries at a time with
 * AllocateRuntimePool, so installing can change the map; Linux installs its
 * table before GetMemoryMap for that reason (exit-boot.md 3.2).
 */
static EFI_STATUS install_configuration_table(const EFI_GUID *loader_guid, VOID *table)
{
	UINTN i, n = fw.st.NumberOfTableEntries;
	uint64_t start;
	EFI_GUID guid;

	if (loader_guid == NULL)
		return EFI_INVALID_PARAMETER;
	fw_loader_read(&guid, loader_guid, sizeof(guid)); /* read once (loader_access.c) */
	for (i = 0; i < n && !fw_same_bytes(&fw.config[i].VendorGuid, &guid, sizeof(guid)); i++)
		;
	if (table == NULL && i == n)
		return EFI_NOT_FOUND;
	if (table == NULL) {
		memmove(&fw.config[i], &fw.config[i + 1], (n - i - 1) * sizeof(fw.config[0]));
		fw.st.NumberOfTableEntries--;
	} else if (i < n) {
		fw.config[i].VendorTable = table;
	} else if (n == FW_MAX_CONFIG_TABLES) {
		fw_cannot_model("more configuration tables than the fake firmware keeps");
		return EFI_OUT_OF_RESOURCES;
	} else {
		if (n % 16 == 0)
			fw_map_alloc(EfiRuntimeServicesData, 1, DELTA_AUTO, UINT64_MAX, false, &start);
		fw.config[n].VendorGuid = guid;
		fw.config[n].VendorTable = table;
		fw.st.NumberOfTableEntries++;
	}
	fw_table_crc(&fw.st.Hdr, sizeof(fw.st));
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI bs_InstallConfigurationTable(EFI_GUID *guid, VOID *table)
{
	EFI_STATUS status = FW_ENTER(SVC_InstallConfigurationTable);

	if (status == EFI_SUCCESS)
		status = install_configuration_table(guid, table);
	FW_TRACE("# call %u: InstallConfigurationTable() -> %s\n", fw.calls,
		 fw_status_name(status));
	return fw_leave(SVC_InstallConfigurationTable, status);
}

static const EFI_SYSTEM_TABLE st_template = {
	.Hdr = { .Signature = EFI_SYSTEM_TABLE_SIGNATURE },
	.FirmwareVendor = vendor,
	.FirmwareRevision = 0x10000,
	.ConsoleInHandle = &console_handle_object,
	.ConIn = &fw.conin,
	.ConsoleOutHandle = &console_handle_object,
	.ConOut = &fw.conout,
	.StandardErrorHandle = &console_handle_object,
	.StdErr = &fw.conout,
	.RuntimeServices = &fw.rt,
	.BootServices = &fw.bs,
	.NumberOfTableEntries = 0,
	.ConfigurationTable = fw.config,
};

static EFI_BOOT_SERVICES bs_template = {
	.Hdr = { .Signature = EFI_BOOT_SERVICES_SIGNATURE },
	.RaiseTPL = bs_RaiseTPL,
	.RestoreTPL = bs_RestoreTPL,
	.InstallConfigurationTable = bs_InstallConfigurationTable,
	.GetNextMonotonicCount = bs_GetNextMonotonicCount,
	.Exit = bs_Exit,
	.Stall = bs_Stall,
	.SetWatchdogTimer = bs_SetWatchdogTimer,
	.CalculateCrc32 = bs_CalculateCrc32,
	.CopyMem = bs_CopyMem,
	.SetMem = bs_SetMem,
};

/* The tables differ between runs only in the revision: their CRCs are
 * computed once, not at every reset.  Once for every revision at the first
 * reset, not as revisions turn up: a cache filled on demand makes a run's
 * path depend on the runs before it in the same process, which AFL++
 * persistent mode reports as instability (and libFuzzer as noise). */
struct crc_cache_entry {
	uint32_t revision, st, bs, rt;
};

static struct crc_cache_entry crc_cache[REV_COUNT];
static bool crc_cache_ready;

static void set_header(EFI_TABLE_HEADER *hdr, size_t size, uint32_t crc)
{
	hdr->Revision = fw.revision;
	hdr->HeaderSize = (UINT32)size;
	hdr->CRC32 = crc;
}

static void crc_cache_fill(void)
{
	uint32_t revision = fw.revision;
	unsigned i;

	for (i = 0; i < REV_COUNT; i++) {
		fw.revision = scn_revision_values[i];
		set_header(&fw.rt.Hdr, sizeof(fw.rt), 0);
		set_header(&fw.bs.Hdr, sizeof(fw.bs), 0);
		set_header(&fw.st.Hdr, sizeof(fw.st), 0);
		fw_table_crc(&fw.st.Hdr, sizeof(fw.st));
		fw_table_crc(&fw.bs.Hdr, sizeof(fw.bs));
		fw_table_crc(&fw.rt.Hdr, sizeof(fw.rt));
		crc_cache[i] = (struct crc_cache_entry){ fw.revision, fw.st.Hdr.CRC32,
							 fw.bs.Hdr.CRC32, fw.rt.Hdr.CRC32 };
	}
	fw.revision = revision;
	crc_cache_ready = true;
}

static const struct crc_cache_entry *crcs_for(uint32_t revision)
{
	unsigned i;

	if (!crc_cache_ready)
		crc_cache_fill();
	for (i = 0; i < REV_COUNT; i++)
		if (crc_cache[i].revision == revision)
			return &crc_cache[i];
	/* fw_settings_resolve() takes the revision from scn_revision_values. */
	abort();
}

/*
 * @dst = @src, for the tables every run starts with: the firmware's own
 * memory on both sides, copied without a check.  A struct assignment is a
 * call of memcpy(), ASan's interceptor, which reads both ranges' shadow:
 * 1.5% of the time of runs of the fuzz target that made at most one map
 * change (perf, the corpus of a 20-second campaign from the seeds).  Clang
 * copies inline, in vector moves, in a function ASan leaves alone
 * (fresh_tables()); gcc, which has no such builtin, builds no ASan.
 */
#if defined(__has_builtin) && __has_builtin(__builtin_memcpy_inline)
#define FRESH_COPY(dst, src)                                                                   \
	do {                                                                                   \
		_Static_assert(sizeof(dst) == sizeof(src), "a table and its template");        \
		__builtin_memcpy_inline(&(dst), &(src), sizeof(dst));                          \
	} while (0)
#else
#define FRESH_COPY(dst, src) ((dst) = (src))
#endif

static __attribute__((no_sanitize("address"))) void fresh_tables(void)
{
	FRESH_COPY(fw.conout_mode, fw_conout_mode_template);
	FRESH_COPY(fw.conout, fw_conout_template);
	FRESH_COPY(fw.conin, fw_conin_template);
	FRESH_COPY(fw.rt, fw_runtime_template);
	FRESH_COPY(fw.bs, bs_template);
	FRESH_COPY(fw.st, st_template);
}

/**
 * fw_tables_reset() - fresh system table, boot services, runtime services
 * and console for a run, whatever the last loader did to them.
 *
 * The firmware revision is reported where loaders read it: the headers of
 * the system table and of both services tables.
 */
void fw_tables_reset(void)
{
	const struct crc_cache_entry *crc;

	if (bs_template.GetMemoryMap == NULL) {
		fw_unsupported_install(&bs_template);
		fw_protocols_install(&bs_template);
		fw_timer_events_install(&bs_template);
		fw_memory_install(&bs_template);
		fw_exit_install(&bs_template);
	}
	fw.tpl = TPL_APPLICATION;
	fw.monotonic = 0;
	fresh_tables();
	fw_protocols_reset();
	crc = crcs_for(fw.revision);
	set_header(&fw.rt.Hdr, sizeof(fw.rt), crc->rt);
	set_header(&fw.bs.Hdr, sizeof(fw.bs), crc->bs);
	set_header(&fw.st.Hdr, sizeof(fw.st), crc->st);
}
