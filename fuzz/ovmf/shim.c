/* SPDX-License-Identifier: MIT */
/*
 * shim.c - forwarding boot services that record the loader's calls.
 *
 * Wrapped: the services the fake firmware models with real behaviour
 * (memory, events and timers, TPL, ExitBootServices, the miscellaneous
 * services, InstallConfigurationTable: those SCN_SERVICES in fuzz/script.h
 * marks REC), every ConOut function (each must translate This back to the
 * firmware's protocol) and ResetSystem.  The protocol, image and driver
 * services keep the firmware's pointers and are not recorded: the fake
 * answers them EFI_UNSUPPORTED, so they cannot be compared anyway, and
 * fake_sequence fails loudly if a loader calls one.
 *
 * Calls are recorded when they return, as fuzz/fw/run.c fw_leave() logs
 * them.  After a successful ExitBootServices() the firmware's table is
 * gone (EDK2 zeroes it, exit-boot.md 2.1 step 10): on real firmware a late
 * call is recorded as EFI_UNSUPPORTED and not forwarded; on the fake
 * firmware it is forwarded, so that the fake's forbidden-call invariant
 * judges it.
 */
#include "../script.h"
#include "shim.h"

static struct {
	EFI_SYSTEM_TABLE st;
	EFI_BOOT_SERVICES bs;
	EFI_RUNTIME_SERVICES rt;
	EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL conout;
	EFI_SIMPLE_TEXT_INPUT_PROTOCOL conin;
	EFI_SYSTEM_TABLE *real_st;
	EFI_BOOT_SERVICES real;                    /* a copy: EDK2 zeroes its own */
	EFI_RUNTIME_SERVICES *real_rt;
	EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *real_con; /* NULL if the firmware has none */
	EFI_SIMPLE_TEXT_INPUT_PROTOCOL *real_conin; /* NULL if the firmware has none */
	struct shim_config config;
	unsigned map_reads;
	unsigned size_answers;
	struct seq_record rec;
} shim;

/* UEFI 2.10 section 4.2: CRC32 (IEEE 802.3, reflected) of a table with
 * its CRC32 field zero; bitwise, as the shim computes it twice per run. */
static UINT32 crc32(const void *data, UINTN size)
{
	const UINT8 *p = data;
	UINT32 crc = 0xffffffffu;
	unsigned bit;

	while (size-- > 0) {
		crc ^= *p++;
		for (bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

static void set_crc(EFI_TABLE_HEADER *hdr)
{
	hdr->CRC32 = 0;
	hdr->CRC32 = crc32(hdr, hdr->HeaderSize);
}

/**
 * enter() - account for a call of the loader.
 * @svc: the service.
 *
 * Return: true to forward it, false if boot services are gone.
 */
static bool enter(enum fw_service svc)
{
	(void)svc;
	shim.rec.total_calls++;
	if (shim.rec.exited)
		return shim.config.forward_after_exit;
	if (shim.config.before_call != NULL)
		shim.config.before_call(shim.rec.total_calls, shim.map_reads, shim.size_answers);
	return true;
}

static EFI_STATUS leave(enum fw_service svc, EFI_STATUS status)
{
	if (shim.rec.n_calls < SEQ_MAX_CALLS)
		shim.rec.calls[shim.rec.n_calls++] = (struct seq_call){ (uint8_t)svc, status, { 0 } };
	return status;
}

/* Keep the text of the line just recorded: printable ASCII, line breaks
 * dropped, at most SEQ_TEXT_MAX - 1 characters. */
static void note_text(const CHAR16 *s)
{
	struct seq_call *c;
	unsigned n = 0;

	if (shim.rec.n_calls == 0 || s == NULL)
		return;
	c = &shim.rec.calls[shim.rec.n_calls - 1];
	for (; *s != 0 && n + 1 < SEQ_TEXT_MAX; s++)
		if (*s >= 0x20 && *s < 0x7f && *s != '"')
			c->text[n++] = (char)*s;
	c->text[n] = 0;
}

#define FORWARD(svc, call) leave(SVC_##svc, enter(SVC_##svc) ? shim.real.call : EFI_UNSUPPORTED)

/* ---- Memory services (UEFI 2.10 section 7.2) ---- */

static EFI_STATUS EFIAPI shim_AllocatePages(EFI_ALLOCATE_TYPE type, EFI_MEMORY_TYPE mem_type,
					    UINTN pages, EFI_PHYSICAL_ADDRESS *memory)
{
	return FORWARD(AllocatePages, AllocatePages(type, mem_type, pages, memory));
}

static EFI_STATUS EFIAPI shim_FreePages(EFI_PHYSICAL_ADDRESS memory, UINTN pages)
{
	return FORWARD(FreePages, FreePages(memory, pages));
}

static EFI_STATUS EFIAPI shim_AllocatePool(EFI_MEMORY_TYPE type, UINTN size, VOID **buffer)
{
	return FORWARD(AllocatePool, AllocatePool(type, size, buffer));
}

static EFI_STATUS EFIAPI shim_FreePool(VOID *buffer)
{
	return FORWARD(FreePool, FreePool(buffer));
}

/* Note what the firmware told the loader: DescriptorSize (written on
 * EFI_BUFFER_TOO_SMALL too by EDK2, exit-boot.md 2.3), the probe's size
 * and the sizes of successful reads. */
static void note_map_answer(EFI_STATUS status, const UINTN *size, const EFI_MEMORY_DESCRIPTOR *map,
			    const UINTN *desc_size)
{
	struct seq_record *rec = &shim.rec;

	if (status != EFI_SUCCESS && status != EFI_BUFFER_TOO_SMALL)
		return;
	if (desc_size != NULL && *desc_size != 0)
		rec->desc_size = *desc_size;
	if (status == EFI_BUFFER_TOO_SMALL) {
		shim.size_answers++;
		if (rec->probe_bytes == 0)
			rec->probe_bytes = *size;
		return;
	}
	if (map == NULL)
		return;
	shim.map_reads++;
	if (rec->probe_bytes != 0 && rec->first_read_bytes == 0)
		rec->first_read_bytes = *size;
	rec->last_read_bytes = *size;
}

static EFI_STATUS EFIAPI shim_GetMemoryMap(UINTN *size, EFI_MEMORY_DESCRIPTOR *map, UINTN *key,
					   UINTN *desc_size, UINT32 *desc_version)
{
	EFI_STATUS status = EFI_UNSUPPORTED;

	if (enter(SVC_GetMemoryMap)) {
		status = shim.real.GetMemoryMap(size, map, key, desc_size, desc_version);
		if (size != NULL)
			note_map_answer(status, size, map, desc_size);
	}
	return leave(SVC_GetMemoryMap, status);
}

/* ---- Events, timers, TPL (section 7.1) ---- */

static EFI_TPL EFIAPI shim_RaiseTPL(EFI_TPL tpl)
{
	EFI_TPL old = 0;

	if (enter(SVC_RaiseTPL))
		old = shim.real.RaiseTPL(tpl);
	leave(SVC_RaiseTPL, EFI_SUCCESS);
	return old;
}

static VOID EFIAPI shim_RestoreTPL(EFI_TPL tpl)
{
	if (enter(SVC_RestoreTPL))
		shim.real.RestoreTPL(tpl);
	leave(SVC_RestoreTPL, EFI_SUCCESS);
}

static EFI_STATUS EFIAPI shim_CreateEvent(UINT32 type, EFI_TPL tpl, EFI_EVENT_NOTIFY notify,
					  VOID *context, EFI_EVENT *event)
{
	return FORWARD(CreateEvent, CreateEvent(type, tpl, notify, context, event));
}

static EFI_STATUS EFIAPI shim_CreateEventEx(UINT32 type, EFI_TPL tpl, EFI_EVENT_NOTIFY notify,
					    const VOID *context, const EFI_GUID *group,
					    EFI_EVENT *event)
{
	return FORWARD(CreateEventEx, CreateEventEx(type, tpl, notify, context, group, event));
}

static EFI_STATUS EFIAPI shim_SetTimer(EFI_EVENT event, EFI_TIMER_DELAY type, UINT64 time)
{
	return FORWARD(SetTimer, SetTimer(event, type, time));
}

static EFI_STATUS EFIAPI shim_WaitForEvent(UINTN n, EFI_EVENT *events, UINTN *index)
{
	return FORWARD(WaitForEvent, WaitForEvent(n, events, index));
}

static EFI_STATUS EFIAPI shim_SignalEvent(EFI_EVENT event)
{
	return FORWARD(SignalEvent, SignalEvent(event));
}

static EFI_STATUS EFIAPI shim_CloseEvent(EFI_EVENT event)
{
	return FORWARD(CloseEvent, CloseEvent(event));
}

static EFI_STATUS EFIAPI shim_CheckEvent(EFI_EVENT event)
{
	return FORWARD(CheckEvent, CheckEvent(event));
}

/* ---- ExitBootServices (section 7.4.6) ---- */

/* UEFI 2.10 section 7.4.6: on success the console fields and BootServices
 * "are set to NULL" and the CRC recomputed.  The loader's table says what
 * the firmware's now says, keeping only the shim's own runtime services
 * and the revision it claims. */
static void clear_after_exit(void)
{
	EFI_RUNTIME_SERVICES *rt = shim.st.RuntimeServices;
	UINT32 revision = shim.st.Hdr.Revision;

	shim.st = *shim.real_st;
	shim.st.RuntimeServices = rt;
	shim.st.Hdr.Revision = revision;
	set_crc(&shim.st.Hdr);
}

static EFI_STATUS EFIAPI shim_ExitBootServices(EFI_HANDLE image, UINTN key)
{
	EFI_STATUS status = EFI_UNSUPPORTED;

	if (enter(SVC_ExitBootServices)) {
		shim.rec.exit_attempts++;
		/* Only what the firmware's own actions do inside this call counts. */
		shim.rec.firmware_key_known = false;
		status = shim.real.ExitBootServices(image, key);
		if (status == EFI_SUCCESS && !shim.rec.exited) {
			shim.rec.exited = true;
			shim.rec.exit_key = key;
			clear_after_exit();
		}
	}
	return leave(SVC_ExitBootServices, status);
}

/* ---- Miscellaneous services (sections 7.3.16, 7.5) ---- */

static EFI_STATUS EFIAPI shim_InstallConfigurationTable(EFI_GUID *guid, VOID *table)
{
	return FORWARD(InstallConfigurationTable, InstallConfigurationTable(guid, table));
}

static EFI_STATUS EFIAPI shim_GetNextMonotonicCount(UINT64 *count)
{
	return FORWARD(GetNextMonotonicCount, GetNextMonotonicCount(count));
}

static EFI_STATUS EFIAPI shim_Stall(UINTN microseconds)
{
	return FORWARD(Stall, Stall(microseconds));
}

static EFI_STATUS EFIAPI shim_SetWatchdogTimer(UINTN timeout, UINT64 code, UINTN size,
					       CHAR16 *data)
{
	return FORWARD(SetWatchdogTimer, SetWatchdogTimer(timeout, code, size, data));
}

static EFI_STATUS EFIAPI shim_CalculateCrc32(VOID *data, UINTN size, UINT32 *crc)
{
	return FORWARD(CalculateCrc32, CalculateCrc32(data, size, crc));
}

static VOID EFIAPI shim_CopyMem(VOID *dst, VOID *src, UINTN length)
{
	if (enter(SVC_CopyMem))
		shim.real.CopyMem(dst, src, length);
	leave(SVC_CopyMem, EFI_SUCCESS);
}

static VOID EFIAPI shim_SetMem(VOID *buffer, UINTN size, UINT8 value)
{
	if (enter(SVC_SetMem))
		shim.real.SetMem(buffer, size, value);
	leave(SVC_SetMem, EFI_SUCCESS);
}

/* ---- ConOut (section 12.4): every function, This translated ---- */

#define CON_FORWARD(call) leave(SVC_ConOut, enter(SVC_ConOut) ? shim.real_con->call : EFI_UNSUPPORTED)

static EFI_STATUS EFIAPI con_Reset(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *This, BOOLEAN verify)
{
	(void)This;
	return CON_FORWARD(Reset(shim.real_con, verify));
}

static EFI_STATUS EFIAPI con_OutputString(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *This, CHAR16 *s)
{
	unsigned recorded = shim.rec.n_calls;
	EFI_STATUS status;

	(void)This;
	status = CON_FORWARD(OutputString(shim.real_con, s));
	if (shim.rec.n_calls > recorded)
		note_text(s);
	return status;
}

static EFI_STATUS EFIAPI con_TestString(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *This, CHAR16 *s)
{
	(void)This;
	return CON_FORWARD(TestString(shim.real_con, s));
}

static EFI_STATUS EFIAPI con_QueryMode(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *This, UINTN mode,
				       UINTN *columns, UINTN *rows)
{
	(void)This;
	return CON_FORWARD(QueryMode(shim.real_con, mode, columns, rows));
}

static EFI_STATUS EFIAPI con_SetMode(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *This, UINTN mode)
{
	(void)This;
	return CON_FORWARD(SetMode(shim.real_con, mode));
}

static EFI_STATUS EFIAPI con_SetAttribute(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *This, UINTN attribute)
{
	(void)This;
	return CON_FORWARD(SetAttribute(shim.real_con, attribute));
}

static EFI_STATUS EFIAPI con_ClearScreen(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *This)
{
	(void)This;
	return CON_FORWARD(ClearScreen(shim.real_con));
}

static EFI_STATUS EFIAPI con_SetCursorPosition(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *This, UINTN column,
					       UINTN row)
{
	(void)This;
	return CON_FORWARD(SetCursorPosition(shim.real_con, column, row));
}

static EFI_STATUS EFIAPI con_EnableCursor(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *This, BOOLEAN visible)
{
	(void)This;
	return CON_FORWARD(EnableCursor(shim.real_con, visible));
}

static void install_conout(void)
{
	shim.real_con = shim.real_st->ConOut;
	if (shim.real_con == NULL)
		return;
	shim.conout = *shim.real_con; /* Mode is shared with the firmware's */
	shim.conout.Reset = con_Reset;
	shim.conout.OutputString = con_OutputString;
	shim.conout.TestString = con_TestString;
	shim.conout.QueryMode = con_QueryMode;
	shim.conout.SetMode = con_SetMode;
	shim.conout.SetAttribute = con_SetAttribute;
	shim.conout.ClearScreen = con_ClearScreen;
	shim.conout.SetCursorPosition = con_SetCursorPosition;
	shim.conout.EnableCursor = con_EnableCursor;
	shim.st.ConOut = &shim.conout;
}

/* ---- ConIn (section 12.3): both functions, This translated; WaitForKey
 * is the firmware's own event ---- */

#define CONIN_FORWARD(call)                                                                    \
	leave(SVC_ConIn, enter(SVC_ConIn) ? shim.real_conin->call : EFI_UNSUPPORTED)

static EFI_STATUS EFIAPI conin_Reset(EFI_SIMPLE_TEXT_INPUT_PROTOCOL *This, BOOLEAN verify)
{
	(void)This;
	return CONIN_FORWARD(Reset(shim.real_conin, verify));
}

static EFI_STATUS EFIAPI conin_ReadKeyStroke(EFI_SIMPLE_TEXT_INPUT_PROTOCOL *This,
					     EFI_INPUT_KEY *key)
{
	(void)This;
	return CONIN_FORWARD(ReadKeyStroke(shim.real_conin, key));
}

static void install_conin(void)
{
	shim.real_conin = shim.real_st->ConIn;
	if (shim.real_conin == NULL)
		return;
	shim.conin = *shim.real_conin;
	shim.conin.Reset = conin_Reset;
	shim.conin.ReadKeyStroke = conin_ReadKeyStroke;
	shim.st.ConIn = &shim.conin;
}

/* ---- ResetSystem (section 8.5.1), the one runtime service wrapped ----
 * Loaders reset when they give up (uefi-rs does).  The fake firmware counts
 * the call and ends the run; on real firmware the run must end too, but
 * with the record on COM1 rather than a reboot.  Not in the call list: the
 * fake firmware logs boot services only; "returned never" says it. */

static VOID EFIAPI shim_ResetSystem(EFI_RESET_TYPE type, EFI_STATUS status, UINTN size,
				    VOID *data)
{
	shim.rec.total_calls++;
	if (shim.config.on_reset != NULL)
		shim.config.on_reset();
	shim.real_rt->ResetSystem(type, status, size, data);
}

static void install_runtime_services(void)
{
	shim.real_rt = shim.real_st->RuntimeServices;
	if (shim.real_rt == NULL)
		return;
	shim.rt = *shim.real_rt;
	shim.rt.ResetSystem = shim_ResetSystem;
	set_crc(&shim.rt.Hdr);
	shim.st.RuntimeServices = &shim.rt;
}

/*
 * The boot services the shim wraps are those the one list of services
 * (SCN_SERVICES, fuzz/script.h) marks REC; the compiler keeps the two in
 * step: a REC service without its shim_<name> does not compile, a
 * shim_<name> the list does not mark REC is an unused function (-Werror),
 * and a boot service missing from the list fails the assertion below.
 */
#define SHIM_INSTALL_REC(name) bs->name = shim_##name;
#define SHIM_INSTALL_FW(name)
#define SHIM_INSTALL_PROTO(name)
#define SHIM_INSTALL(name, kind) SHIM_INSTALL_##kind(name)
#define SHIM_SLOT_REC 1
#define SHIM_SLOT_FW 1
#define SHIM_SLOT_PROTO 0
#define SHIM_SLOT(name, kind) +SHIM_SLOT_##kind

/* Every slot of the table after its header is a pointer: the listed boot
 * services and the one Reserved. */
_Static_assert(sizeof(EFI_BOOT_SERVICES) ==
		       sizeof(EFI_TABLE_HEADER) + (1 SCN_SERVICES(SHIM_SLOT)) * sizeof(VOID *),
	       "SCN_SERVICES must list every boot service");

static void install_boot_services(void)
{
	EFI_BOOT_SERVICES *bs = &shim.bs;

	*bs = shim.real;
	SCN_SERVICES(SHIM_INSTALL)
	set_crc(&bs->Hdr);
	shim.st.BootServices = bs;
}

/**
 * shim_install() - build the shim's system table over the firmware's.
 * @real: the firmware's system table, with boot services.
 * @config: hooks and policy, copied.
 *
 * Makes no call itself, so the firmware counts only the loader's.  Only
 * one shim exists; installing again starts a new record.
 *
 * Return: the table to give the loader.
 */
EFI_SYSTEM_TABLE *shim_install(EFI_SYSTEM_TABLE *real, const struct shim_config *config)
{
	shim.real_st = real;
	shim.real = *real->BootServices;
	shim.config = *config;
	shim.map_reads = 0;
	shim.size_answers = 0;
	shim.rec = (struct seq_record){ 0 };
	shim.st = *real;
	install_boot_services();
	install_runtime_services();
	install_conout();
	install_conin();
	set_crc(&shim.st.Hdr);
	return &shim.st;
}

/**
 * shim_set_revision() - the UEFI revision the loader's table claims.
 * @revision: e.g. EFI_2_90_SYSTEM_TABLE_REVISION.
 *
 * A scenario's "revision" directive: the firmware keeps behaving as it
 * does, only the claim changes (EDK2 accepts allocations after a failed
 * exit whatever it claims, ovmf.md §4).
 */
void shim_set_revision(UINT32 revision)
{
	shim.st.Hdr.Revision = revision;
	set_crc(&shim.st.Hdr);
}

/**
 * shim_record() - what the shim saw since it was installed.
 *
 * Return: the record; the caller fills in @returned and @status, and the
 * firmware's key after the exit if it knows it.
 */
struct seq_record *shim_record(void)
{
	return &shim.rec;
}

/**
 * shim_note_firmware_key() - the firmware's MapKey as one of its own
 * actions (a notify function) left it during ExitBootServices().
 * @key: the key GetMemoryMap() reported after the action.
 */
void shim_note_firmware_key(UINT64 key)
{
	shim.rec.firmware_key_known = true;
	shim.rec.firmware_key = key;
}
