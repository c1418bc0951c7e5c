/* SPDX-License-Identifier: MIT */
/*
 * personality.c - what each firmware personality does by default, and the
 * scenario's settings laid over it.
 */
#include "internal.h"

/**
 * struct personality - everything a firmware personality decides by
 * default: the scenario's settings override the first six fields, never
 * the exit sequence.
 */
struct personality {
	uint8_t revision;
	uint16_t desc_size;
	uint8_t over_report;
	uint64_t key;
	uint8_t map;
	uint32_t quirks;
	struct fw_exit_step exit[FW_EXIT_STEPS];
};

#define SIGNAL(group, when) { STEP_SIGNAL, group, when }
#define TIMERS_OFF(when) { STEP_TIMERS_OFF, 0, when }
#define KEY_CHECK { STEP_KEY_CHECK, 0, WHEN_EVERY_CALL }
#define END { STEP_END, 0, 0 }

/*
 * EDK2: DescriptorSize 48 (Page.c rounds sizeof up and adds 8), probes
 * over-report by 7 descriptors and OVMF claims UEFI 2.70 (ovmf.md section 3).
 * AMI Aptio is built on the EDK2 core; only its ExitBootServices() differs
 * as far as anyone has documented (Bobroff, LKML 2013-06-18).
 * U-Boot: DescriptorSize 40, MapKey written only on success, every pool
 * call a page call (efi_memory.c), reports UEFI 2.10 (exit-boot.md 2.6).
 * EDK2 starts from a compact OVMF-shaped map, so that a default run costs
 * little; the real 110- and 115-descriptor captures are "map ovmf-2025" and
 * "map ovmf-2022".  U-Boot starts from its map captured on QEMU's x86 pc,
 * the machine the loaders under test are built for (a boot is owed only
 * on a map with a PC's low memory, map_start.c); the ARM-shaped one is
 * "map uboot".
 *
 * Exit sequences (exit-boot.md sections 2.1, 2.2, 2.6):
 *   EDK2 <= 2022.11   timer off, key check, FAILED group or EXIT group
 *                     (DxeMain.c since 785b5f5a50 and 044824d960)
 *   EDK2 2023-2024    BEFORE group on every call, then as above (9d70d8f20d)
 *   EDK2 >= 2025.02   BEFORE group on the first call only, then as above
 *                     (e8668d2dee)
 *   AMI Aptio         timer off, BEFORE and EXIT groups on the first call
 *                     only, key check (Bobroff, LKML 2013-06-18)
 *   U-Boot            key check; on success BEFORE, timer off, EXIT
 *                     (efi_boottime.c efi_exit_boot_services)
 * The handlers-every-call quirk (Snapdragon X Elite, F7) turns every
 * first-call signal before the check into an every-call one, and gives
 * EDK2 2022 a BEFORE group too.
 */
static const struct personality personalities[PERS_COUNT] = {
	[PERS_EDK2_2025] = { REV_2_70, 48, 7, 0x43a, MAP_SMALL, 0,
			     { SIGNAL(GROUP_BEFORE_EXIT, WHEN_FIRST_CALL), TIMERS_OFF(WHEN_EVERY_CALL),
			       KEY_CHECK, SIGNAL(GROUP_EXIT_FAILED, WHEN_ON_FAILURE),
			       SIGNAL(GROUP_EXIT, WHEN_ON_SUCCESS), END } },
	[PERS_EDK2_2022] = { REV_2_70, 48, 7, 0x7ca, MAP_SMALL, 0,
			     { SIGNAL(GROUP_BEFORE_EXIT, WHEN_QUIRK_ONLY), TIMERS_OFF(WHEN_EVERY_CALL),
			       KEY_CHECK, SIGNAL(GROUP_EXIT_FAILED, WHEN_ON_FAILURE),
			       SIGNAL(GROUP_EXIT, WHEN_ON_SUCCESS), END } },
	[PERS_EDK2_2023] = { REV_2_70, 48, 7, 0x43a, MAP_SMALL, 0,
			     { SIGNAL(GROUP_BEFORE_EXIT, WHEN_EVERY_CALL), TIMERS_OFF(WHEN_EVERY_CALL),
			       KEY_CHECK, SIGNAL(GROUP_EXIT_FAILED, WHEN_ON_FAILURE),
			       SIGNAL(GROUP_EXIT, WHEN_ON_SUCCESS), END } },
	[PERS_AMI] = { REV_2_70, 48, 7, 0x7ca, MAP_SMALL, 0,
		       { TIMERS_OFF(WHEN_EVERY_CALL), SIGNAL(GROUP_BEFORE_EXIT, WHEN_FIRST_CALL),
			 SIGNAL(GROUP_EXIT, WHEN_FIRST_CALL), KEY_CHECK, END } },
	[PERS_UBOOT] = { REV_2_100, 40, 0, 1, MAP_UBOOT_X86,
			 (1u << QUIRK_KEY_UNWRITTEN_ON_TOO_SMALL) | (1u << QUIRK_POOL_IS_PAGES),
			 { KEY_CHECK, SIGNAL(GROUP_BEFORE_EXIT, WHEN_ON_SUCCESS),
			   TIMERS_OFF(WHEN_ON_SUCCESS), SIGNAL(GROUP_EXIT, WHEN_ON_SUCCESS), END } },
};

/**
 * fw_exit_sequence() - the ExitBootServices() steps of this run's personality.
 *
 * Return: steps in order, ending with STEP_END.
 */
const struct fw_exit_step *fw_exit_sequence(void)
{
	return personalities[fw.personality].exit;
}

/**
 * fw_exit_step_runs() - whether a step runs in this call.
 * @step: a step of fw_exit_sequence().
 * @first_call: this is the first ExitBootServices() call of the run.
 * @accepted: for steps after the key check, whether it accepted the key.
 *
 * Return: true if the firmware takes the step now.
 */
bool fw_exit_step_runs(const struct fw_exit_step *step, bool first_call, bool accepted)
{
	bool every = fw_quirk(QUIRK_HANDLERS_EVERY_CALL);

	switch (step->when) {
	case WHEN_EVERY_CALL:
		return true;
	case WHEN_FIRST_CALL:
		return first_call || every;
	case WHEN_QUIRK_ONLY:
		return every;
	case WHEN_ON_SUCCESS:
		return accepted;
	default: /* WHEN_ON_FAILURE */
		return !accepted;
	}
}

/*
 * Quirks that break what loaders may rely on.  A DescriptorSize withheld on
 * BUFFER_TOO_SMALL is among them: the spec's "On success" covers only the
 * MapKey, Linux, Xen and uefi-rs all size their buffer from it, and U-Boot
 * (b484296f6fd) and rust-hypervisor-firmware (#108) fixed it as their bug.
 * The hardened loader copes anyway; it is not a liveness failure not to.
 * A MapKey withheld there is compliant (U-Boot today).  EBSFUZZ_RULES=spec
 * holds firmware to the UEFI text's letter instead (fw_quirk_outside_rules).
 */
static const char *const noncompliant_quirk[QUIRK_COUNT] = {
	[QUIRK_DSIZE_UNWRITTEN_ON_TOO_SMALL] = "BUFFER_TOO_SMALL without DescriptorSize",
	[QUIRK_SIZE_UNWRITTEN_ON_TOO_SMALL] = "BUFFER_TOO_SMALL without the needed size",
	[QUIRK_NO_KEY_CHECK] = "ExitBootServices does not check the map key",
	[QUIRK_PERSISTENT_INVALID] = "ExitBootServices fails whatever the key",
};

/**
 * allowed() - map a choice onto the set the options allow.
 * @value: the input's choice, below @count.
 * @mask: allowed values as bits; 0 allows all.
 * @count: number of values.
 *
 * Return: @value if allowed, else the (@value mod n)-th allowed value.
 */
static unsigned allowed(unsigned value, uint32_t mask, unsigned count)
{
	unsigned n = 0, i;

	mask &= (1u << count) - 1;
	if (mask == 0 || (mask & (1u << value)))
		return value;
	for (i = 0; i < count; i++)
		n += (mask >> i) & 1;
	n = value % n;
	for (i = 0; i < count; i++)
		if (((mask >> i) & 1) && n-- == 0)
			break;
	return i;
}

/* Whether an action can change the map (a free-list pool cannot). */
static bool changes_map(const struct scn_action *action)
{
	return !(action->kind == ACT_ALLOC_POOL && action->delta == DELTA_NONE);
}

/* Whether @group is signalled again, before the key check, on every exit
 * attempt: read from the personality's exit sequence. */
static bool signalled_before_check_every_call(uint8_t group)
{
	const struct fw_exit_step *step;

	for (step = fw_exit_sequence(); step->action != STEP_KEY_CHECK; step++)
		if (step->action == STEP_SIGNAL && step->group == group &&
		    fw_exit_step_runs(step, false, false))
			return true;
	return false;
}

/* Whether timers still tick after a failed exit: no timers-off step comes
 * before the key check (U-Boot). */
static bool timers_outlive_failure(void)
{
	const struct fw_exit_step *step;

	for (step = fw_exit_sequence(); step->action != STEP_KEY_CHECK; step++)
		if (step->action == STEP_TIMERS_OFF)
			return false;
	return true;
}

/**
 * fw_handler_defeats_retry() - whether a handler changes the map again
 * after a failed exit, before the next key check: one that runs on every
 * attempt in a group signalled before the check on every call (EDK2
 * 2023-2024, 9d70d8f20d; the Snapdragon quirk, F7, F8).
 * @h: a handler of the scenario.
 */
bool fw_handler_defeats_retry(const struct scn_handler *h)
{
	return h->lifetime == LIFE_EVERY && changes_map(&h->action) &&
	       signalled_before_check_every_call(h->group);
}

/**
 * fw_timer_defeats_retry() - whether a timer may change the map after a
 * failed exit: timers that outlive it (U-Boot, whose key check comes first
 * and leaves timers on) firing periodically or at a call number.  After-map
 * one-shot timers fire at the call after the first read, before any retry.
 * @t: a timer of the scenario.
 */
bool fw_timer_defeats_retry(const struct scn_timer *t)
{
	return timers_outlive_failure() && changes_map(&t->action) &&
	       (t->period != 0 || t->trigger == TRIG_AT_CALL);
}

/*
 * Firmware that will change the map again after a failed exit, before the
 * next key check, defeats every loader.  Decided from the scenario, not
 * from how far a loader got: a loader that gives up before meeting the
 * second change is no worse than a correct one.
 */
static bool changes_map_after_failure(void)
{
	const struct scenario *scn = fw.scn;
	unsigned i;

	for (i = 0; i < scn->n_handlers; i++)
		if (fw_handler_defeats_retry(&scn->handlers[i]))
			return true;
	for (i = 0; i < scn->n_timers; i++)
		if (fw_timer_defeats_retry(&scn->timers[i]))
			return true;
	return false;
}

/**
 * fw_quirk_outside_rules() - whether a quirk breaks what loaders may rely on.
 * @q: enum scn_quirk.
 *
 * Under EBSFUZZ_RULES=spec only the UEFI text's letter counts: section
 * 7.2.3 promises MemoryMapSize on BUFFER_TOO_SMALL and nothing else, so a
 * DescriptorSize withheld there is within the rules.
 */
bool fw_quirk_outside_rules(unsigned q)
{
	if (q == QUIRK_DSIZE_UNWRITTEN_ON_TOO_SMALL && fw.opt->rules == RULES_SPEC)
		return false;
	return noncompliant_quirk[q] != NULL;
}

static void check_static_compliance(void)
{
	unsigned q;

	if (fw.desc_size < sizeof(EFI_MEMORY_DESCRIPTOR) || fw.desc_size % 8 != 0 ||
	    fw.desc_size > 1024)
		fw_not_compliant(true, "DescriptorSize is not a usable stride (a multiple of 8 from 40 "
				       "to 1024)");
	if (fw.desc_version != EFI_MEMORY_DESCRIPTOR_VERSION)
		fw_not_compliant(true, "DescriptorVersion is not 1");
	for (q = 0; q < QUIRK_COUNT; q++)
		if (fw_quirk_outside_rules(q) && fw_quirk(q))
			fw_not_compliant(true, noncompliant_quirk[q]);
	if (fw.scn->n_corruptions > 0)
		fw_not_compliant(true, "GetMemoryMap answers with corrupt fields");
	if (changes_map_after_failure())
		fw_not_compliant(true, "the firmware changes the map again after a failed exit");
}

/**
 * fw_settings_resolve() - settle the firmware's behaviour for one run.
 * @scn: the decoded input.
 * @opt: restrictions on personality and revision.
 */
void fw_settings_resolve(const struct scenario *scn, const struct fw_options *opt)
{
	const struct personality *d;
	unsigned revision;

	fw.personality = (uint8_t)allowed(scn->personality, opt->personalities, PERS_COUNT);
	d = &personalities[fw.personality];
	revision = scn->set & SET_REVISION ? scn->revision : d->revision;
	fw.revision = scn_revision_values[allowed(revision, opt->revisions, REV_COUNT)];
	fw.desc_size = scn->set & SET_DESC_SIZE ? scn->desc_size : d->desc_size;
	fw.desc_version = scn->set & SET_DESC_VERSION ? scn->desc_version
						      : EFI_MEMORY_DESCRIPTOR_VERSION;
	fw.over_report = scn->set & SET_OVER_REPORT ? scn->over_report : d->over_report;
	fw.key = scn->set & SET_MAP_KEY ? scn->map_key : d->key;
	fw.key_step = scn->set & SET_MAP_KEY ? scn->map_key_step : 1;
	fw.quirks = (d->quirks & ~scn->quirks_set) | (scn->quirks & scn->quirks_set);
	fw_envelope_apply();
	check_static_compliance();
}

/**
 * fw_default_map() - the starting map template of the personality.
 *
 * Return: an enum scn_map_template.
 */
uint8_t fw_default_map(void)
{
	return personalities[fw.personality].map;
}

bool fw_quirk(enum scn_quirk quirk)
{
	return (fw.quirks >> quirk) & 1;
}

/* UEFI 2.9 section 7.4.6 allows memory allocation services after a failed exit. */
bool fw_revision_at_least_2_9(void)
{
	return fw.revision >= EFI_2_90_SYSTEM_TABLE_REVISION;
}

/**
 * fw_trace_scenario() - describe the firmware of this run on the trace.
 * @scn: the decoded input.
 */
void fw_trace_scenario(const struct scenario *scn)
{
	unsigned q;

	fw_trace("# firmware %s, UEFI %u.%u, DescriptorSize %u, DescriptorVersion %u, "
		 "over-report %u, first key 0x%llx, %u descriptors, %u handlers, %u timers, "
		 "%u injections\n",
		 scn_personality_names[fw.personality], fw.revision >> 16, fw.revision & 0xffff,
		 fw.desc_size, fw.desc_version, fw.over_report, (unsigned long long)fw.key,
		 fw.n_regions, scn->n_handlers, scn->n_timers, scn->n_injects);
	if (fw.opt->envelope == ENVELOPE_COMPLIANT)
		fw_envelope_trace();
	if (fw.opt->rules == RULES_SPEC)
		fw_trace("# EBSFUZZ_RULES=spec: the UEFI text's letter is the bar\n");
	for (q = 0; q < QUIRK_COUNT; q++)
		if (fw_quirk(q))
			fw_trace("# quirk %s\n", scn_quirk_names[q]);
	for (q = 0; q < fw.n_reasons; q++)
		fw_trace("# %s: %s\n",
			 fw.reasons[q].outside_rules ? "firmware outside the rules"
						     : "liveness does not apply",
			 fw.reasons[q].why);
}
