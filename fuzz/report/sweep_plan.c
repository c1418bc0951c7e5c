/* SPDX-License-Identifier: MIT */
/*
 * sweep_plan.c - what a report card measures: the cells of its grid (each
 * personality's trigger, DescriptorSize and pool or page growth), the
 * sizing, range and retry measures, and what the environment rules out.
 * sweep.c measures them.
 */
#include <stdio.h>
#include <string.h>

#include "sweep.h"

const unsigned report_dsizes[REPORT_N_DSIZES] = { 40, 48, 64, 96, 256 };

const char *const report_trigger_names[TRIGGER_COUNT] = {
	[TRIGGER_BEFORE_EXIT] = "before-exit handler, once",
	[TRIGGER_EXIT] = "exit handler, before the key check",
	[TRIGGER_AFTER_READ] = "timer after the last read",
	[TRIGGER_AFTER_QUERY] = "timer after the size query",
	[TRIGGER_NONE] = "none on this firmware",
};

/*
 * The step that changes the map between the loader's read and the key
 * check, in each personality (fw_exit.c; exit-boot.md 2.1, 2.2, 2.6):
 * EDK2 2025 signals BEFORE_EXIT on the first call only; EDK2 2023 on every
 * call, so its handler must close itself after one run (as SnpDxe does,
 * 89d413731d); EDK2 2022 has no BEFORE group, so a one-shot timer fires
 * between the read and the exit (OVMF: docs/ovmf.md); AMI runs the EXIT
 * group's handlers before its key check (F1).  U-Boot checks the key first
 * and signals nothing on failure, and has no timer interrupt: its timers
 * fire only in the services that poll them (fuzz/fw/uboot.c), so nothing
 * changes its map between a read and the exit, and a U-Boot cell only
 * says whether the loader exits at all.
 */
static uint8_t trigger_of(uint8_t personality)
{
	switch (personality) {
	case PERS_UBOOT:
		return TRIGGER_NONE;
	case PERS_EDK2_2022:
		return TRIGGER_AFTER_READ;
	case PERS_AMI:
		return TRIGGER_EXIT;
	default:
		return TRIGGER_BEFORE_EXIT;
	}
}

static bool personality_allowed(const struct report_env *env, uint8_t p)
{
	return env->opt.personalities == 0 || (env->opt.personalities >> p) & 1;
}

static bool revision_allowed(const struct report_env *env, const char *name)
{
	unsigned r;

	for (r = 0; r < REV_COUNT; r++)
		if (strcmp(scn_revision_names[r], name) == 0)
			return env->opt.revisions == 0 || (env->opt.revisions >> r) & 1;
	return false;
}

/* A measurement's firmware: personality, DescriptorSize, then @extra. */
static struct measure *add(struct measure *m, unsigned *n, unsigned max, uint8_t kind,
			   uint8_t section, uint8_t p, unsigned dsize, const char *extra)
{
	struct measure *x;

	if (*n >= max)
		return NULL;
	x = &m[(*n)++];
	memset(x, 0, sizeof(*x));
	x->kind = kind;
	x->section = section;
	x->personality = p;
	x->trigger = trigger_of(p);
	x->dsize = (uint16_t)dsize;
	snprintf(x->base, sizeof(x->base), "firmware %s\ndescriptor-size bytes=%u\n%s",
		 scn_personality_names[p], dsize, extra);
	return x;
}

static void name(struct measure *x, const char *id, const char *label)
{
	if (x == NULL)
		return;
	snprintf(x->id, sizeof(x->id), "%s", id);
	snprintf(x->label, sizeof(x->label), "%s", label);
}

static void plan_cell(struct measure *m, unsigned *n, unsigned max, const struct report_env *env,
		      uint8_t p, unsigned dsize, bool pool)
{
	struct measure *x = add(m, n, max, KIND_HEADROOM, SEC_GRID, p, dsize, "");
	char id[40];

	if (x == NULL)
		return;
	x->pool = pool;
	snprintf(id, sizeof(id), "%s/%u/%s", scn_personality_names[p], dsize,
		 pool ? "pool" : "pages");
	name(x, id, scn_personality_names[p]);
	if (!personality_allowed(env, p)) {
		x->skipped = true;
		snprintf(x->na, sizeof(x->na), "EBSFUZZ_PERSONALITIES");
	}
}

static void plan_grid(struct measure *m, unsigned *n, unsigned max, const struct report_env *env)
{
	unsigned p, d;

	for (p = 0; p < PERS_COUNT; p++)
		for (d = 0; d < REPORT_N_DSIZES; d++) {
			plan_cell(m, n, max, env, (uint8_t)p, report_dsizes[d], false);
			plan_cell(m, n, max, env, (uint8_t)p, report_dsizes[d], true);
		}
}

static void plan_sizing(struct measure *m, unsigned *n, unsigned max)
{
	struct measure *x;

	x = add(m, n, max, KIND_HEADROOM, SEC_SIZING, PERS_EDK2_2025, 48, "");
	name(x, "query-read/edk2-2025/48", "growth between size query and read, edk2-2025/48");
	if (x != NULL)
		x->trigger = TRIGGER_AFTER_QUERY;
	/* On U-Boot only the loader's own allocation grows the map there. */
	x = add(m, n, max, KIND_HEADROOM, SEC_SIZING, PERS_UBOOT, 40, "");
	name(x, "query-read/uboot/40", "growth between size query and read, uboot/40");
	/* EDK2 asks for 7 more than it returns (ovmf.md section 3), U-Boot for
	 * none, esx-boot#11's xFusion for 116 (F11). */
	x = add(m, n, max, KIND_HEADROOM, SEC_SIZING, PERS_EDK2_2025, 48,
		"over-report descriptors=0\n");
	name(x, "over-report-0", "over-report 0, edk2-2025/48");
	x = add(m, n, max, KIND_HEADROOM, SEC_SIZING, PERS_EDK2_2025, 48,
		"over-report descriptors=7\n");
	name(x, "over-report-7", "over-report 7, edk2-2025/48");
	x = add(m, n, max, KIND_HEADROOM, SEC_SIZING, PERS_EDK2_2025, 48,
		"over-report descriptors=116\n");
	name(x, "over-report-116", "over-report 116, edk2-2025/48");
}

static void plan_revisions(struct measure *m, unsigned *n, unsigned max,
			   const struct report_env *env)
{
	static const char *const revisions[] = { "2.70", "2.90", "2.100" };
	unsigned i;

	for (i = 0; i < 3; i++) {
		char extra[40], id[40], label[64];
		struct measure *x;

		snprintf(extra, sizeof(extra), "revision %s\n", revisions[i]);
		x = add(m, n, max, KIND_HEADROOM, SEC_RANGE, PERS_EDK2_2025, 48, extra);
		snprintf(id, sizeof(id), "revision-%s", revisions[i]);
		snprintf(label, sizeof(label), "UEFI %s, edk2-2025/48", revisions[i]);
		name(x, id, label);
		if (x != NULL && !revision_allowed(env, revisions[i])) {
			x->skipped = true;
			snprintf(x->na, sizeof(x->na), "EBSFUZZ_REVISIONS");
		}
	}
}

static void plan_range(struct measure *m, unsigned *n, unsigned max, const struct report_env *env)
{
	struct measure *x;

	plan_revisions(m, n, max, env);
	/* U-Boot before 2020 (F12), and EDK2's 48 where sizeof() guesses short. */
	x = add(m, n, max, KIND_HEADROOM, SEC_RANGE, PERS_UBOOT, 40,
		"quirk dsize-unwritten-on-too-small on\n");
	name(x, "dsize-withheld/uboot/40", "DescriptorSize withheld on BUFFER_TOO_SMALL, uboot/40");
	x = add(m, n, max, KIND_HEADROOM, SEC_RANGE, PERS_EDK2_2025, 48,
		"quirk dsize-unwritten-on-too-small on\n");
	name(x, "dsize-withheld/edk2-2025/48",
	     "DescriptorSize withheld on BUFFER_TOO_SMALL, edk2-2025/48");
	/* The spec's "On success" covers the key: U-Boot writes it only then. */
	x = add(m, n, max, KIND_HEADROOM, SEC_RANGE, PERS_EDK2_2025, 48,
		"quirk key-unwritten-on-too-small on\n");
	name(x, "key-withheld/edk2-2025/48", "MapKey withheld on BUFFER_TOO_SMALL, edk2-2025/48");
	/* UINTN keys: a loader that keeps them in 32 bits passes a stale one. */
	x = add(m, n, max, KIND_HEADROOM, SEC_RANGE, PERS_EDK2_2025, 48,
		"map-key key=0x10000043a step=0x1\n");
	name(x, "key-above-2^32", "MapKey 0x10000043a (above 2^32), edk2-2025/48");
	x = add(m, n, max, KIND_HEADROOM, SEC_RANGE, PERS_EDK2_2025, 48,
		"map-synthetic descriptors=512 seed=1\n");
	name(x, "map-512", "a 512-descriptor map, edk2-2025/48");
}

static void plan_retries(struct measure *m, unsigned *n, unsigned max)
{
	struct measure *x;

	x = add(m, n, max, KIND_RETRIES, SEC_RETRIES, PERS_EDK2_2022, 48, "");
	name(x, "refusals-in-a-row", "failed exits in a row it survives, edk2-2022/48");
	/* EDK2 with a misaligned runtime region (F20); U-Boot too, since
	 * EDK2's over-report ends a retry that passes a stale size early. */
	x = add(m, n, max, KIND_ALWAYS_REFUSES, SEC_RETRIES, PERS_EDK2_2025, 48,
		"quirk persistent-invalid-parameter on\n");
	name(x, "always-refuses/edk2-2025/48", "firmware that refuses every key, edk2-2025/48");
	x = add(m, n, max, KIND_ALWAYS_REFUSES, SEC_RETRIES, PERS_UBOOT, 40,
		"quirk persistent-invalid-parameter on\n");
	name(x, "always-refuses/uboot/40", "firmware that refuses every key, uboot/40");
}

/**
 * sweep_plan() - the measurements of one loader's card, in card order.
 * @m: receives them.
 * @max: room in @m.
 * @loader: index in report_loaders.
 * @env: the personalities and revisions allowed (others are skipped).
 *
 * Return: how many were written.
 */
unsigned sweep_plan(struct measure *m, unsigned max, unsigned loader, const struct report_env *env)
{
	unsigned n = 0, i;

	plan_grid(m, &n, max, env);
	plan_sizing(m, &n, max);
	plan_range(m, &n, max, env);
	plan_retries(m, &n, max);
	for (i = 0; i < n; i++) {
		m[i].loader = loader;
		if (!m[i].skipped && !personality_allowed(env, m[i].personality)) {
			m[i].skipped = true;
			snprintf(m[i].na, sizeof(m[i].na), "EBSFUZZ_PERSONALITIES");
		}
	}
	return n;
}
