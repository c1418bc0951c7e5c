/* SPDX-License-Identifier: MIT */
/*
 * envelope.c - EBSFUZZ_FIRMWARE=compliant: every input mapped onto
 * firmware that keeps the rules, so that a loader author can spend a whole
 * campaign on the findings that matter.
 *
 * What personality.c and invariants.c count as outside the rules is taken
 * away: injected failures, corrupt answers, the quirks that break what
 * loaders may rely on, a DescriptorSize that is no usable stride, a
 * DescriptorVersion other than 1, zero-page descriptors, an empty map,
 * handlers run again on every call before the key check (F7, F8), timers
 * that outlive a failed exit; and firmware allocations stop short of
 * growing the map past the liveness bound.  The rest of the input keeps its
 * meaning, so the fuzzer still steers the personality, the map, the
 * handlers and timers within the rules, and every run owes a boot.
 */
#include <string.h>

#include "internal.h"

static struct scenario within;

/* What this run's mapping took away, for the trace (fw_envelope_trace()). */
static struct {
	uint32_t desc_size, desc_version; /* as the input had them; 0: kept */
	unsigned injects, corruptions, empty_pages, quirks, handlers_once, timers;
	bool empty_map;
} left_out;

/* The usable stride nearest to @bytes: a multiple of 8 from 40 to 1024. */
static uint32_t usable_stride(uint32_t bytes)
{
	bytes = (bytes + 7) / 8 * 8;
	if (bytes < sizeof(EFI_MEMORY_DESCRIPTOR))
		return sizeof(EFI_MEMORY_DESCRIPTOR);
	return bytes > 1024 ? 1024 : bytes;
}

static void drop_quirks_outside_rules(void)
{
	uint32_t before = fw.quirks;
	unsigned q;

	for (q = 0; q < QUIRK_COUNT; q++)
		if (fw_quirk_outside_rules(q))
			fw.quirks &= ~(1u << q);
	fw.quirks &= ~(1u << QUIRK_HANDLERS_EVERY_CALL);
	left_out.quirks = (unsigned)__builtin_popcount(before & ~fw.quirks);
}

static void keep_handlers_and_timers_within_rules(struct scenario *scn)
{
	unsigned i, kept = 0;

	for (i = 0; i < scn->n_handlers; i++)
		if (fw_handler_defeats_retry(&scn->handlers[i])) {
			scn->handlers[i].lifetime = LIFE_ONCE;
			left_out.handlers_once++;
		}
	for (i = 0; i < scn->n_timers; i++)
		if (!fw_timer_defeats_retry(&scn->timers[i]))
			scn->timers[kept++] = scn->timers[i];
	left_out.timers = scn->n_timers - kept;
	scn->n_timers = (uint8_t)kept;
}

/**
 * fw_envelope_apply() - map this run's firmware into the rules, if asked.
 *
 * Called while the settings are resolved, after the personality's defaults
 * and before the static compliance check; fw.scn then points to the mapped
 * copy, which the trace's header describes.
 */
void fw_envelope_apply(void)
{
	unsigned i;

	if (fw.opt->envelope != ENVELOPE_COMPLIANT)
		return;
	memset(&left_out, 0, sizeof(left_out));
	within = *fw.scn;
	left_out.injects = within.n_injects;
	left_out.corruptions = within.n_corruptions;
	within.n_injects = 0;
	within.n_corruptions = 0;
	for (i = 0; i < within.n_entries; i++)
		if (within.entries[i].pages == 0) {
			within.entries[i].pages = 1;
			left_out.empty_pages++;
		}
	if ((within.set & SET_MAP) && within.synthetic_count == 0 &&
	    within.map_template == MAP_EMPTY && within.n_entries == 0) {
		within.set &= ~(uint32_t)SET_MAP;
		left_out.empty_map = true;
	}
	fw.scn = &within;
	drop_quirks_outside_rules();
	if (usable_stride(fw.desc_size) != fw.desc_size)
		left_out.desc_size = fw.desc_size;
	fw.desc_size = usable_stride(fw.desc_size);
	if (fw.desc_version != EFI_MEMORY_DESCRIPTOR_VERSION)
		left_out.desc_version = fw.desc_version;
	fw.desc_version = EFI_MEMORY_DESCRIPTOR_VERSION;
	keep_handlers_and_timers_within_rules(&within);
}

/* One item of fw_envelope_trace()'s list, if @count is not 0. */
static void item(bool *any, unsigned count, const char *one, const char *many)
{
	if (count == 0)
		return;
	fw_trace("%s%u %s", *any ? ", " : " ", count, count == 1 ? one : many);
	*any = true;
}

/**
 * fw_envelope_trace() - say on the trace what EBSFUZZ_FIRMWARE=compliant
 * changed in this run's input: the scenario a reproducer decodes to shows
 * the input's directives, and without this line a reader saw
 * "descriptor-size bytes=2048" above a header saying DescriptorSize 1024.
 */
void fw_envelope_trace(void)
{
	bool any = false;

	fw_trace("# EBSFUZZ_FIRMWARE=compliant (envelope.c): left out of this firmware:");
	if (left_out.desc_size != 0) {
		fw_trace(" DescriptorSize %u (%u instead)", left_out.desc_size, fw.desc_size);
		any = true;
	}
	if (left_out.desc_version != 0) {
		fw_trace("%sDescriptorVersion %u (1 instead)", any ? ", " : " ",
			 left_out.desc_version);
		any = true;
	}
	item(&any, left_out.injects, "injected failure", "injected failures");
	item(&any, left_out.corruptions, "corrupt answer", "corrupt answers");
	item(&any, left_out.quirks, "quirk outside the rules", "quirks outside the rules");
	item(&any, left_out.timers, "timer outliving a failed exit",
	     "timers outliving a failed exit");
	item(&any, left_out.handlers_once, "handler's every-call lifetime (once instead)",
	     "handlers' every-call lifetimes (once instead)");
	item(&any, left_out.empty_pages, "zero-page descriptor (one page instead)",
	     "zero-page descriptors (one page instead)");
	if (left_out.empty_map) {
		fw_trace("%san empty map (the personality's instead)", any ? ", " : " ");
		any = true;
	}
	fw_trace("%s; firmware allocations stop short of the liveness bound\n",
		 any ? "" : " nothing");
}

/**
 * fw_envelope_allows_change() - whether a handler or timer may change the
 * map now: within EBSFUZZ_FIRMWARE=compliant, not if one more change (at
 * most two descriptors) could take the growth past the liveness bound.
 *
 * Return: true to go ahead.
 */
bool fw_envelope_allows_change(void)
{
	unsigned now = fw_map_required_descs();
	unsigned high = now > fw.max_required ? now : fw.max_required;

	return fw.opt->envelope != ENVELOPE_COMPLIANT || !fw.size_queried ||
	       high - fw.first_required + 2 <= fw.opt->liveness_descs;
}
