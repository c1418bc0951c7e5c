/* SPDX-License-Identifier: MIT */
/*
 * script.c - the opcode table and the total decoder of fuzz inputs.
 *
 * No libc: the real-firmware driver decodes the same bytes in a UEFI
 * application.  Decoding never fails and never allocates; limits are the
 * SCN_MAX_* constants of script.h.
 */
#include "script.h"

const char *const scn_personality_names[PERS_COUNT] = {
	"edk2-2025", "edk2-2022", "edk2-2023", "ami", "uboot",
};

const char *const scn_quirk_names[QUIRK_COUNT] = {
	"key-unwritten-on-too-small",
	"dsize-unwritten-on-too-small",
	"size-unwritten-on-too-small",
	"no-merge",
	"pool-is-pages",
	"no-key-check",
	"persistent-invalid-parameter",
	"handlers-every-call",
	"console-changes-map",
};

const char *const scn_revision_names[REV_COUNT] = {
	"1.10", "2.00", "2.31", "2.70", "2.80", "2.90", "2.100",
};

const uint32_t scn_revision_values[REV_COUNT] = {
	(1u << 16) | 10, (2u << 16) | 0, (2u << 16) | 31, (2u << 16) | 70,
	(2u << 16) | 80, (2u << 16) | 90, (2u << 16) | 100,
};

const char *const scn_map_names[MAP_COUNT] = {
	"ovmf-2025", "ovmf-2022", "uboot", "small", "empty", "uboot-x86",
};

const char *const scn_group_names[GROUP_COUNT] = { "before-exit", "exit", "exit-failed" };
const char *const scn_lifetime_names[LIFE_COUNT] = { "once", "every" };
const char *const scn_action_names[ACT_COUNT] = { "alloc-pool", "alloc-pages", "free" };
const char *const scn_delta_names[DELTA_COUNT] = { "auto", "-2", "-1", "0", "+1", "+2", "none" };
const char *const scn_trigger_names[TRIG_COUNT] = { "at-call", "after-map", "after-query" };

static const char *const on_off_names[2] = { "on", "off" };

const char *const scn_corrupt_names[CORRUPT_COUNT] = {
	"type", "start", "pages", "attribute", "size", "needed",
};

const char *const scn_service_names[SVC_COUNT] = {
#define SCN_SERVICE_NAME(name, kind) #name,
	SCN_SERVICES(SCN_SERVICE_NAME)
#undef SCN_SERVICE_NAME
};

const char *const scn_status_names[ST_COUNT] = {
#define SCN_STATUS_NAME(name) "EFI_" #name,
	SCN_STATUSES(SCN_STATUS_NAME)
#undef SCN_STATUS_NAME
};

const char *const scn_memtype_names[16] = {
	"Reserved",       "LoaderCode",     "LoaderData",          "BootServicesCode",
	"BootServicesData", "RuntimeServicesCode", "RuntimeServicesData", "Conventional",
	"Unusable",       "ACPIReclaim",    "ACPINVS",             "MMIO",
	"MMIOPortSpace",  "PalCode",        "Persistent",          "Unaccepted",
};

#define COUNT_OF(table) (sizeof(table) / sizeof((table)[0]))
#define ENUM_FIELD(label, table) { label, 1, FIELD_ENUM, table, COUNT_OF(table), STYLE_BARE }
#define LABELLED_ENUM_FIELD(label, table)                                                      \
	{ label, 1, FIELD_ENUM, table, COUNT_OF(table), STYLE_LABEL }
#define UINT_FIELD(label, width, limit) { label, width, FIELD_UINT, NULL, limit, STYLE_LABEL }
#define HEX_FIELD(label, width) { label, width, FIELD_UINT, NULL, 0, STYLE_HEX }
#define COUNT_FIELD(label, width, limit) { label, width, FIELD_COUNT, NULL, limit, STYLE_LABEL }

/* The action fields shared by handlers and timers. */
#define ACTION_FIELDS                                                                          \
	ENUM_FIELD("action", scn_action_names), ENUM_FIELD("type", scn_memtype_names),         \
		UINT_FIELD("amount", 2, 0), LABELLED_ENUM_FIELD("delta", scn_delta_names),     \
		COUNT_FIELD("repeat", 1, 16)

const struct scn_op_def scn_ops[OP_COUNT] = {
	[OP_FIRMWARE] = { "firmware", "firmware personality", 1,
			  { ENUM_FIELD("personality", scn_personality_names) } },
	[OP_REVISION] = { "revision", "UEFI revision in the system table", 1,
			  { ENUM_FIELD("revision", scn_revision_names) } },
	[OP_DESC_SIZE] = { "descriptor-size", "DescriptorSize in bytes", 1,
			   { UINT_FIELD("bytes", 2, 2048) } },
	[OP_DESC_VERSION] = { "descriptor-version", "DescriptorVersion", 1,
			      { UINT_FIELD("version", 1, 0) } },
	[OP_QUIRK] = { "quirk", "turn a firmware quirk on or off", 2,
		       { ENUM_FIELD("name", scn_quirk_names), ENUM_FIELD("state", on_off_names) } },
	[OP_OVER_REPORT] = { "over-report", "extra descriptors BUFFER_TOO_SMALL asks for", 1,
			     { UINT_FIELD("descriptors", 1, 0) } },
	[OP_MAP_KEY] = { "map-key", "first MapKey, and how it changes (step 0: a new value each time)",
			 2, { HEX_FIELD("key", 8), HEX_FIELD("step", 4) } },
	[OP_MAP] = { "map", "starting memory map", 1, { ENUM_FIELD("template", scn_map_names) } },
	[OP_MAP_SYNTHETIC] = { "map-synthetic", "generated starting map", 2,
			       { COUNT_FIELD("descriptors", 2, SCN_MAX_ENTRIES),
				 UINT_FIELD("seed", 1, 0) } },
	[OP_MAP_ENTRY] = { "map-entry", "append a descriptor to the starting map", 3,
			   { ENUM_FIELD("type", scn_memtype_names), UINT_FIELD("pages", 4, 0),
			     UINT_FIELD("gap", 2, 0) } },
	[OP_HANDLER] = { "handler", "an exit-boot event handler installed by a driver", 7,
			 { ENUM_FIELD("group", scn_group_names),
			   ENUM_FIELD("lifetime", scn_lifetime_names), ACTION_FIELDS } },
	[OP_TIMER] = { "timer", "a timer event that changes the map", 8,
		       { ENUM_FIELD("trigger", scn_trigger_names), UINT_FIELD("at", 1, 0),
			 UINT_FIELD("period", 1, 0), ACTION_FIELDS } },
	[OP_INJECT] = { "inject", "make the nth call of a service fail", 3,
			{ ENUM_FIELD("service", scn_service_names), UINT_FIELD("nth", 1, 0),
			  LABELLED_ENUM_FIELD("status", scn_status_names) } },
	[OP_ALLOC] = { "alloc", "outcome of the loader's next allocation", 1,
		       { ENUM_FIELD("delta", scn_delta_names) } },
	[OP_CORRUPT] = { "corrupt", "nonsense in GetMemoryMap's answers", 3,
			 { ENUM_FIELD("target", scn_corrupt_names), UINT_FIELD("index", 2, 0),
			   HEX_FIELD("value", 8) } },
};

/**
 * scn_directive_size() - bytes a directive occupies, opcode included.
 * @op: an enum scn_op.
 *
 * Return: 1 plus the widths of its fields.
 */
size_t scn_directive_size(uint8_t op)
{
	/* Asked for every directive decoded and every one the mutator steps
	 * over (fuzz/mutator.c): each opcode's sum is made once.  0: not yet
	 * (every directive has its opcode byte). */
	static uint8_t sizes[OP_COUNT];
	const struct scn_op_def *def = &scn_ops[op];
	size_t size = 1;
	unsigned i;

	if (sizes[op] != 0)
		return sizes[op];
	for (i = 0; i < def->n_fields; i++)
		size += def->fields[i].width;
	sizes[op] = (uint8_t)size;
	return size;
}

/**
 * field_value() - the canonical value of a field's raw bytes.
 * @field: its definition.
 * @raw: the little-endian bytes, assembled.
 *
 * Return: the value the firmware will use.
 */
static uint64_t field_value(const struct scn_field *field, uint64_t raw)
{
	switch (field->kind) {
	case FIELD_ENUM:
		return raw % field->limit;
	case FIELD_COUNT:
		return raw % field->limit + 1;
	default:
		return field->limit ? raw % ((uint64_t)field->limit + 1) : raw;
	}
}

/**
 * scn_next_directive() - decode the directive at the reader's position.
 * @reader: advanced past the directive.
 * @out: the opcode and canonical field values.
 *
 * Return: 1 if a whole directive was decoded; 0 at the end of the input,
 * including when the last directive is cut short (its bytes are left
 * unconsumed so that a caller can say where the input ran out).
 */
int scn_next_directive(struct scn_reader *reader, struct scn_directive *out)
{
	const struct scn_op_def *def;
	const uint8_t *p;
	unsigned i, b;
	size_t size;

	if (reader->offset >= reader->size)
		return 0;
	out->op = reader->data[reader->offset] % OP_COUNT;
	size = scn_directive_size(out->op);
	if (reader->size - reader->offset < size)
		return 0;
	def = &scn_ops[out->op];
	p = reader->data + reader->offset + 1;
	for (i = 0; i < def->n_fields; i++) {
		uint64_t raw = 0;

		for (b = 0; b < def->fields[i].width; b++)
			raw |= (uint64_t)p[b] << (8 * b);
		out->v[i] = field_value(&def->fields[i], raw);
		p += def->fields[i].width;
	}
	reader->offset += size;
	return 1;
}

/**
 * scn_encode_directive() - write a directive's bytes.
 * @dir: opcode and values; values must be canonical (as decoded).
 * @out: at least scn_directive_size(@dir->op) bytes.
 *
 * Return: bytes written.
 */
size_t scn_encode_directive(const struct scn_directive *dir, uint8_t *out)
{
	const struct scn_op_def *def = &scn_ops[dir->op];
	size_t n = 0;
	unsigned i, b;

	out[n++] = dir->op;
	for (i = 0; i < def->n_fields; i++) {
		uint64_t raw = dir->v[i];

		if (def->fields[i].kind == FIELD_COUNT)
			raw -= 1;
		for (b = 0; b < def->fields[i].width; b++)
			out[n++] = (uint8_t)(raw >> (8 * b));
	}
	return n;
}

static void action_from(struct scn_action *action, const uint64_t *v)
{
	action->kind = (uint8_t)v[0];
	action->mem_type = (uint8_t)v[1];
	action->amount = (uint16_t)v[2];
	action->delta = (uint8_t)v[3];
	action->repeat = (uint8_t)v[4];
}

static void apply_list(struct scenario *scn, const struct scn_directive *dir)
{
	const uint64_t *v = dir->v;

	switch (dir->op) {
	case OP_MAP_ENTRY:
		if (scn->n_entries < SCN_MAX_ENTRIES)
			scn->entries[scn->n_entries++] =
				(struct scn_map_entry){ (uint8_t)v[0], (uint32_t)v[1], (uint16_t)v[2] };
		break;
	case OP_HANDLER:
		if (scn->n_handlers < SCN_MAX_HANDLERS) {
			struct scn_handler *h = &scn->handlers[scn->n_handlers++];

			h->group = (uint8_t)v[0];
			h->lifetime = (uint8_t)v[1];
			action_from(&h->action, v + 2);
		}
		break;
	case OP_TIMER:
		if (scn->n_timers < SCN_MAX_TIMERS) {
			struct scn_timer *t = &scn->timers[scn->n_timers++];

			t->trigger = (uint8_t)v[0];
			t->at = (uint8_t)v[1];
			t->period = (uint8_t)v[2];
			action_from(&t->action, v + 3);
		}
		break;
	case OP_INJECT:
		if (scn->n_injects < SCN_MAX_INJECTS)
			scn->injects[scn->n_injects++] =
				(struct scn_inject){ (uint8_t)v[0], (uint8_t)v[1], (uint8_t)v[2] };
		break;
	case OP_ALLOC:
		if (scn->n_allocs < SCN_MAX_ALLOCS)
			scn->allocs[scn->n_allocs++] = (uint8_t)v[0];
		break;
	default: /* OP_CORRUPT */
		if (scn->n_corruptions < SCN_MAX_CORRUPTIONS)
			scn->corruptions[scn->n_corruptions++] =
				(struct scn_corruption){ (uint8_t)v[0], (uint16_t)v[1], v[2] };
		break;
	}
}

/**
 * scn_apply() - fold one directive into a scenario.
 * @scn: the scenario being built.
 * @dir: a decoded directive.
 */
void scn_apply(struct scenario *scn, const struct scn_directive *dir)
{
	const uint64_t *v = dir->v;

	switch (dir->op) {
	case OP_FIRMWARE:
		scn->personality = (uint8_t)v[0];
		break;
	case OP_REVISION:
		scn->revision = (uint8_t)v[0];
		scn->set |= SET_REVISION;
		break;
	case OP_DESC_SIZE:
		scn->desc_size = (uint16_t)v[0];
		scn->set |= SET_DESC_SIZE;
		break;
	case OP_DESC_VERSION:
		scn->desc_version = (uint8_t)v[0];
		scn->set |= SET_DESC_VERSION;
		break;
	case OP_QUIRK:
		scn->quirks_set |= 1u << v[0];
		if (v[1] == 0)
			scn->quirks |= 1u << v[0];
		else
			scn->quirks &= ~(1u << v[0]);
		break;
	case OP_OVER_REPORT:
		scn->over_report = (uint8_t)v[0];
		scn->set |= SET_OVER_REPORT;
		break;
	case OP_MAP_KEY:
		scn->map_key = v[0];
		scn->map_key_step = (uint32_t)v[1];
		scn->set |= SET_MAP_KEY;
		break;
	case OP_MAP:
		scn->map_template = (uint8_t)v[0];
		scn->synthetic_count = 0;
		scn->set |= SET_MAP;
		break;
	case OP_MAP_SYNTHETIC:
		scn->synthetic_count = (uint16_t)v[0];
		scn->synthetic_seed = (uint8_t)v[1];
		scn->set |= SET_MAP;
		break;
	default:
		apply_list(scn, dir);
		break;
	}
}

/**
 * scn_decode() - decode a whole input into a scenario.
 * @data: the input.
 * @size: its length.
 * @scn: filled in; only the counted prefix of each array is written.
 */
void scn_decode(const uint8_t *data, size_t size, struct scenario *scn)
{
	struct scn_reader reader = { data, size, 0 };
	struct scn_directive dir;

	scn->personality = PERS_EDK2_2025;
	scn->set = 0;
	scn->quirks_set = 0;
	scn->quirks = 0;
	scn->synthetic_count = 0;
	scn->n_entries = 0;
	scn->n_handlers = 0;
	scn->n_timers = 0;
	scn->n_injects = 0;
	scn->n_allocs = 0;
	scn->n_corruptions = 0;
	while (scn_next_directive(&reader, &dir))
		scn_apply(scn, &dir);
}
