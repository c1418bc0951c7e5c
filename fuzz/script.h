/* SPDX-License-Identifier: MIT */
/*
 * script.h - the fuzz input format, defined once.
 *
 * An input is a sequence of directives.  Each starts with an opcode byte
 * (taken modulo the number of opcodes) followed by the fixed-size fields of
 * that opcode; a directive cut short by the end of the input is dropped.
 * Every byte string is therefore a valid scenario, and the empty string is
 * compliant EDK2.  Settings directives override the personality's defaults
 * whatever their order; list directives (map entries, handlers, timers,
 * injections, allocation outcomes) accumulate in order, up to fixed limits,
 * beyond which they are ignored.
 *
 * The same tables drive the binary decoder (script.c), the text form of
 * scenarios and traces (script_text.c) and the scn tool, so there is no
 * second copy of the format to keep in sync.
 *
 * script.c uses no libc, so the real-firmware test driver can decode the
 * same bytes inside a UEFI application.
 */
#ifndef EBSFUZZ_FUZZ_SCRIPT_H
#define EBSFUZZ_FUZZ_SCRIPT_H

#include <stddef.h>
#include <stdint.h>

/* Firmware personalities (exit-boot.md sections 2.1, 2.2, 2.6). */
enum scn_personality {
	PERS_EDK2_2025, /* BEFORE group on the first call only (edk2 e8668d2dee) */
	PERS_EDK2_2022, /* no BEFORE group; timer off, key check (OVMF in Debian 12) */
	PERS_EDK2_2023, /* BEFORE group on every call (edk2 9d70d8f20d..e8668d2dee) */
	PERS_AMI,       /* exit handlers before the key check, first call only (F1) */
	PERS_UBOOT,     /* key check first; events only on success (efi_boottime.c) */
	PERS_COUNT
};

/* Deviations from a personality; some are its defaults (see fw/personality.c). */
enum scn_quirk {
	QUIRK_KEY_UNWRITTEN_ON_TOO_SMALL,   /* U-Boot (spec says "On success") */
	QUIRK_DSIZE_UNWRITTEN_ON_TOO_SMALL, /* U-Boot < 2020, F12 */
	QUIRK_SIZE_UNWRITTEN_ON_TOO_SMALL,  /* U-Boot < 2017, F13: non-compliant */
	QUIRK_NO_MERGE,                     /* U-Boot < 2018, F17 */
	QUIRK_POOL_IS_PAGES,                /* U-Boot, F18; EDK2 with heap guard */
	QUIRK_NO_KEY_CHECK,                 /* U-Boot < 2018, F16: non-compliant */
	QUIRK_PERSISTENT_INVALID,           /* EDK2 misaligned runtime region, F20 */
	QUIRK_HANDLERS_EVERY_CALL,          /* Snapdragon X Elite, F7 */
	QUIRK_CONSOLE_CHANGES_MAP,          /* HP Elitebook 840 G10, F4 */
	QUIRK_COUNT
};

enum scn_revision { REV_1_10, REV_2_00, REV_2_31, REV_2_70, REV_2_80, REV_2_90, REV_2_100, REV_COUNT };

enum scn_map_template {
	MAP_OVMF_2025,
	MAP_OVMF_2022,
	MAP_UBOOT,     /* arm virt shaped, not a capture */
	MAP_SMALL,
	MAP_EMPTY,
	MAP_UBOOT_X86, /* U-Boot 2023.01 on QEMU pc, 256 MiB: a capture */
	MAP_COUNT
};

/* Event groups a firmware handler can belong to. */
enum scn_group {
	GROUP_BEFORE_EXIT, /* EFI_EVENT_GROUP_BEFORE_EXIT_BOOT_SERVICES (UEFI 2.9) */
	GROUP_EXIT,        /* EFI_EVENT_GROUP_EXIT_BOOT_SERVICES / EVT_SIGNAL_EXIT_BOOT_SERVICES */
	GROUP_EXIT_FAILED, /* EDK2's gEventExitBootServicesFailedGuid */
	GROUP_COUNT
};

enum scn_lifetime { LIFE_ONCE, LIFE_EVERY, LIFE_COUNT };

enum scn_action_kind { ACT_ALLOC_POOL, ACT_ALLOC_PAGES, ACT_FREE, ACT_COUNT };

/* How an allocation changes the descriptor count. */
enum scn_delta {
	DELTA_AUTO,     /* where the personality's allocator would put it */
	DELTA_MINUS_2,  /* fills a hole between two neighbours of its type */
	DELTA_MINUS_1,
	DELTA_ZERO,
	DELTA_PLUS_1,
	DELTA_PLUS_2,   /* carved from the middle of a free range */
	DELTA_NONE,     /* small pool from a free list: no map change, no key change */
	DELTA_COUNT
};

/* A timer's first firing: at a call's entry, right after the Nth
 * successful GetMemoryMap (between a read and the exit), or right after
 * the Nth GetMemoryMap answered EFI_BUFFER_TOO_SMALL (between a size query
 * and the read it sizes a buffer for). */
enum scn_trigger { TRIG_AT_CALL, TRIG_AFTER_MAP, TRIG_AFTER_QUERY, TRIG_COUNT };

/*
 * Boot services and protocol calls the firmware counts, traces and injects,
 * in the order their codes encode them (one list: the enum, the names and
 * the real-firmware shim's boot services table are made from it).  ConOut
 * is any EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL call, ConIn any
 * EFI_SIMPLE_TEXT_INPUT_PROTOCOL call (last: the codes before it keep
 * their meaning).  The second column is what
 * fuzz/ovmf/shim.c does with the service on real firmware: REC wraps and
 * records it (the shim has a shim_<name>); FW leaves the firmware's
 * pointer (the protocol, image and driver services, which the two
 * firmwares cannot be compared on); PROTO is no boot service (the shim
 * wraps ConOut and ConIn function by function).
 */
#define SCN_SERVICES(X) \
	X(RaiseTPL, REC) X(RestoreTPL, REC) X(AllocatePages, REC) X(FreePages, REC) \
	X(GetMemoryMap, REC) X(AllocatePool, REC) X(FreePool, REC) X(CreateEvent, REC) \
	X(SetTimer, REC) X(WaitForEvent, REC) X(SignalEvent, REC) X(CloseEvent, REC) \
	X(CheckEvent, REC) X(InstallProtocolInterface, FW) X(ReinstallProtocolInterface, FW) \
	X(UninstallProtocolInterface, FW) X(HandleProtocol, FW) X(RegisterProtocolNotify, FW) \
	X(LocateHandle, FW) X(LocateDevicePath, FW) X(InstallConfigurationTable, REC) \
	X(LoadImage, FW) X(StartImage, FW) X(Exit, FW) X(UnloadImage, FW) \
	X(ExitBootServices, REC) X(GetNextMonotonicCount, REC) X(Stall, REC) \
	X(SetWatchdogTimer, REC) X(ConnectController, FW) X(DisconnectController, FW) \
	X(OpenProtocol, FW) X(CloseProtocol, FW) X(OpenProtocolInformation, FW) \
	X(ProtocolsPerHandle, FW) X(LocateHandleBuffer, FW) X(LocateProtocol, FW) \
	X(InstallMultipleProtocolInterfaces, FW) X(UninstallMultipleProtocolInterfaces, FW) \
	X(CalculateCrc32, REC) X(CopyMem, REC) X(SetMem, REC) X(CreateEventEx, REC) \
	X(ConOut, PROTO) X(ConIn, PROTO)

enum fw_service {
#define SCN_SERVICE_ENUM(name, kind) SVC_##name,
	SCN_SERVICES(SCN_SERVICE_ENUM)
#undef SCN_SERVICE_ENUM
	SVC_COUNT
};

/* Status codes an injection can return, by their UEFI names without EFI_
 * (one list: the enum, the names and the firmware's values are made from
 * it). */
#define SCN_STATUSES(X) \
	X(INVALID_PARAMETER) X(OUT_OF_RESOURCES) X(DEVICE_ERROR) X(BUFFER_TOO_SMALL) \
	X(UNSUPPORTED) X(NOT_FOUND) X(ACCESS_DENIED) X(NOT_READY) X(LOAD_ERROR) X(ABORTED) \
	X(SECURITY_VIOLATION) X(TIMEOUT)

enum scn_status {
#define SCN_STATUS_ENUM(name) ST_##name,
	SCN_STATUSES(SCN_STATUS_ENUM)
#undef SCN_STATUS_ENUM
	ST_COUNT
};

enum scn_op {
	OP_FIRMWARE,
	OP_REVISION,
	OP_DESC_SIZE,
	OP_DESC_VERSION,
	OP_QUIRK,
	OP_OVER_REPORT,
	OP_MAP_KEY,
	OP_MAP,
	OP_MAP_SYNTHETIC,
	OP_MAP_ENTRY,
	OP_HANDLER,
	OP_TIMER,
	OP_INJECT,
	OP_ALLOC,
	OP_CORRUPT,
	OP_COUNT
};

/* What a corrupt directive overwrites in GetMemoryMap's answers. */
enum scn_corrupt_target {
	CORRUPT_TYPE,      /* Type of descriptor @index */
	CORRUPT_START,     /* PhysicalStart of descriptor @index */
	CORRUPT_PAGES,     /* NumberOfPages of descriptor @index */
	CORRUPT_ATTRIBUTE, /* Attribute of descriptor @index */
	CORRUPT_SIZE,      /* the MemoryMapSize reported (nothing more is written) */
	CORRUPT_NEEDED,    /* the MemoryMapSize a BUFFER_TOO_SMALL answer asks for */
	CORRUPT_COUNT
};

/* How the bytes of a field turn into its value. */
enum scn_field_kind {
	FIELD_ENUM,  /* little-endian raw value modulo the number of names */
	FIELD_UINT,  /* little-endian raw value, modulo @limit + 1 if @limit */
	FIELD_COUNT, /* raw modulo @limit, plus one: 1..@limit */
};

#define SCN_MAX_FIELDS 8

/* How a field is written in text: bare value, name=value, name=0xvalue. */
enum scn_field_style { STYLE_BARE, STYLE_LABEL, STYLE_HEX };

struct scn_field {
	const char *name;
	uint8_t width;
	uint8_t kind;
	const char *const *names; /* FIELD_ENUM */
	uint32_t limit;           /* FIELD_UINT, FIELD_COUNT; number of names for FIELD_ENUM */
	uint8_t style;            /* enum scn_field_style */
};

struct scn_op_def {
	const char *keyword;
	const char *help;
	uint8_t n_fields;
	struct scn_field fields[SCN_MAX_FIELDS];
};

extern const struct scn_op_def scn_ops[OP_COUNT];

/* Name tables, indexed by the enums above. */
extern const char *const scn_personality_names[PERS_COUNT];
extern const char *const scn_quirk_names[QUIRK_COUNT];
extern const char *const scn_revision_names[REV_COUNT];
extern const uint32_t scn_revision_values[REV_COUNT];
extern const char *const scn_map_names[MAP_COUNT];
extern const char *const scn_group_names[GROUP_COUNT];
extern const char *const scn_lifetime_names[LIFE_COUNT];
extern const char *const scn_action_names[ACT_COUNT];
extern const char *const scn_delta_names[DELTA_COUNT];
extern const char *const scn_trigger_names[TRIG_COUNT];
extern const char *const scn_service_names[SVC_COUNT];
extern const char *const scn_status_names[ST_COUNT];
extern const char *const scn_memtype_names[16];
extern const char *const scn_corrupt_names[CORRUPT_COUNT];

/* One decoded directive: its opcode and canonical field values. */
struct scn_directive {
	uint8_t op;
	uint64_t v[SCN_MAX_FIELDS];
};

/* A firmware action: what a handler or timer does when it runs. */
struct scn_action {
	uint8_t kind;     /* enum scn_action_kind */
	uint8_t mem_type; /* EFI_MEMORY_TYPE */
	uint16_t amount;  /* bytes for pool, pages for pages */
	uint8_t delta;    /* enum scn_delta */
	uint8_t repeat;   /* 1..16 */
};

struct scn_handler {
	uint8_t group;    /* enum scn_group */
	uint8_t lifetime; /* enum scn_lifetime */
	struct scn_action action;
};

struct scn_timer {
	uint8_t trigger; /* enum scn_trigger */
	uint8_t at;      /* call number, or count of successful GetMemoryMap calls */
	uint8_t period;  /* 0: one-shot; else fires again every @period calls */
	struct scn_action action;
};

struct scn_inject {
	uint8_t service; /* enum fw_service */
	uint8_t nth;     /* 1-based call number; 0: every call */
	uint8_t status;  /* enum scn_status */
};

struct scn_corruption {
	uint8_t target; /* enum scn_corrupt_target */
	uint16_t index;
	uint64_t value;
};

struct scn_map_entry {
	uint8_t type; /* EFI_MEMORY_TYPE */
	uint32_t pages;
	uint16_t gap_pages; /* unlisted pages before this entry */
};

#define SCN_MAX_ENTRIES 512
#define SCN_MAX_HANDLERS 16
#define SCN_MAX_TIMERS 8
#define SCN_MAX_INJECTS 16
#define SCN_MAX_ALLOCS 64
#define SCN_MAX_CORRUPTIONS 4

/* Bits of struct scenario.set: which settings were given explicitly. */
enum scn_setting {
	SET_REVISION = 1u << 0,
	SET_DESC_SIZE = 1u << 1,
	SET_DESC_VERSION = 1u << 2,
	SET_OVER_REPORT = 1u << 3,
	SET_MAP_KEY = 1u << 4,
	SET_MAP = 1u << 5,
};

/**
 * struct scenario - everything an input decides.
 * @personality: enum scn_personality.
 * @set: enum scn_setting bits for the settings below given explicitly;
 *	the others take the personality's defaults.
 * @quirks_set: quirks given explicitly; @quirks: their values.
 * @map_template: enum scn_map_template, or synthetic if @synthetic_count.
 */
struct scenario {
	uint8_t personality;
	uint32_t set;
	uint8_t revision;
	uint16_t desc_size;
	uint8_t desc_version;
	uint8_t over_report;
	uint64_t map_key;
	uint32_t map_key_step; /* 0: a new pseudo-random key per change */
	uint8_t map_template;
	uint16_t synthetic_count;
	uint8_t synthetic_seed;
	uint32_t quirks_set;
	uint32_t quirks;

	uint16_t n_entries;
	uint8_t n_handlers, n_timers, n_injects, n_allocs, n_corruptions;
	struct scn_map_entry entries[SCN_MAX_ENTRIES];
	struct scn_handler handlers[SCN_MAX_HANDLERS];
	struct scn_timer timers[SCN_MAX_TIMERS];
	struct scn_inject injects[SCN_MAX_INJECTS];
	uint8_t allocs[SCN_MAX_ALLOCS]; /* enum scn_delta, consumed in order */
	struct scn_corruption corruptions[SCN_MAX_CORRUPTIONS];
};

/**
 * struct scn_reader - position in an input being decoded.
 * @data: the input.
 * @size: its length.
 * @offset: bytes consumed so far.
 */
struct scn_reader {
	const uint8_t *data;
	size_t size;
	size_t offset;
};

int scn_next_directive(struct scn_reader *reader, struct scn_directive *out);
void scn_apply(struct scenario *scn, const struct scn_directive *dir);
void scn_decode(const uint8_t *data, size_t size, struct scenario *scn);
size_t scn_encode_directive(const struct scn_directive *dir, uint8_t *out);
size_t scn_directive_size(uint8_t op);

/* script_text.c: the text form (libc needed). */
int scn_format_directive(const struct scn_directive *dir, char *out, size_t size);
int scn_parse_line(const char *line, struct scn_directive *dir, char *error, size_t error_size);

#endif /* EBSFUZZ_FUZZ_SCRIPT_H */
