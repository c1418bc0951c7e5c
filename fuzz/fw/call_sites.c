/* SPDX-License-Identifier: MIT */
/*
 * call_sites.c - for a call the loader made in a function of its own that
 * it calls from several places (a wrapper: gnu-efi's FreePool(), GRUB's
 * grub_efi_get_memory_map()), the place that called that function, read
 * from the loader's frame records at every call and kept per call site for
 * the run, so that a finding there names both lines (fuzz/places.c).
 */
#include <limits.h>

#include "internal.h"

#if defined(__clang__)
#define UNCHECKED_READS __attribute__((no_sanitize("address", "memory")))
#else
#define UNCHECKED_READS __attribute__((no_sanitize_address))
#endif

/* Whether @upper can be the frame of a caller of the function whose frame
 * is @lower: above it on the stack, aligned, and no higher than fw_run()'s
 * own frame, above which no frame of the loader's lies.  A loader built
 * without frame pointers keeps anything in that register: read only
 * between two frames of this run, the words are on the stack. */
static bool frame_above(void *const *upper, void *const *lower)
{
	return (uintptr_t)upper > (uintptr_t)lower && (uintptr_t)upper <= (uintptr_t)fw.run_frame &&
	       (uintptr_t)upper % sizeof(void *) == 0;
}

/*
 * The return addresses into whoever called the loader's function that made
 * the call whose service function has frame @service_frame, and into their
 * callers in turn, up to @max, stopping at fw_run() (the loader's entry
 * point has no caller of the loader's).  A call made in a function the
 * loader calls from several places (gnu-efi's FreePool() and
 * LibMemoryMap(), GRUB's grub_efi_get_memory_map()) is placed at the line
 * in that function, the same line for every caller: the first says which
 * caller it was; the others, which the trace shows, where a wrapper calls
 * a wrapper (efilinux's malloc() calls allocate_pool(), Minoca's calls go
 * five functions down).  Frame records as the x86-64 and AArch64 ABIs lay
 * them out with frame pointers (every build of the loader keeps them,
 * fuzz/loader-build.mk): the saved frame pointer, then the return address.
 * Read unchecked: the words read may lie in a red zone of the loader's
 * stack, where a loader built without frame pointers leaves anything in
 * that register (frame_above() keeps them on the stack).
 *
 * Return: how many of @out were set.
 */
static UNCHECKED_READS unsigned callers_of(void *const *service_frame, const void **out, unsigned max)
{
	void *const *own, *const *outer;
	unsigned n = 0;

	if (service_frame == NULL)
		return 0;
	own = (void *const *)service_frame[0];
	if (!frame_above(own, service_frame))
		return 0;
	while (n < max) {
		outer = (void *const *)own[0];
		if ((const void *)outer == fw.run_frame || !frame_above(outer, own))
			break;
		out[n++] = own[1];
		own = outer;
	}
	return n;
}

/*
 * The slot of call site @site: its own, or the empty one it would take.
 * Probed in turn from a hash of the address, so that two sites never share
 * one: the table is read at the end of the run too (a leak placed at its
 * allocation, liveness at the last exit-boot call), and with one slot per
 * hash a later call elsewhere erased what an earlier one had noted (the
 * Limine port's leak was two rows, with and without its caller).
 *
 * Return: the slot, or FW_SITE_FROM_SLOTS if the table is full of others.
 */
static unsigned site_from_slot(const void *site)
{
	uintptr_t pc = (uintptr_t)site;
	unsigned slot = (unsigned)((pc ^ pc >> 6) % FW_SITE_FROM_SLOTS), n;

	for (n = 0; n < FW_SITE_FROM_SLOTS; n++, slot = (slot + 1) % FW_SITE_FROM_SLOTS)
		if (fw.site_from[slot].site == site || fw.site_from[slot].site == NULL)
			return slot;
	return FW_SITE_FROM_SLOTS;
}

/**
 * fw_note_site() - remember who called the loader's function that made the
 * call at @site (fw_enter(), at every call).
 * @site: the call: its return address and the service function's frame.
 */
void fw_note_site(struct fw_site site)
{
	unsigned slot = site_from_slot(site.caller), n;
	const void *callers[1 + FW_SITE_OUTER_CALLERS] = { NULL };

	/* Only the first unless the run is traced: the others are the trace's
	 * (every call pays for the walk). */
	n = site.caller == NULL ? 0
				: callers_of(site.frame, callers,
					     fw.opt->trace != NULL ? 1 + FW_SITE_OUTER_CALLERS : 1);
	fw.call_chain.from = callers[0];
	for (unsigned i = 0; i < FW_SITE_OUTER_CALLERS; i++)
		fw.call_chain.outer[i] = i + 1 < n ? callers[i + 1] : NULL;
	if (site.caller == NULL || slot == FW_SITE_FROM_SLOTS)
		return;
	if (fw.site_from[slot].site == NULL)
		fw.site_from[slot].first_call = fw.calls + 1;
	fw.site_from[slot].site = site.caller;
	fw.site_from[slot].chain = fw.call_chain;
}

/**
 * fw_note_halt_site() - remember who called the loader's function that
 * halts at @site: a panic() that every fatal path calls spins at one line
 * (Hyper's for (;;) in panic(), Haiku's), and the line that called it
 * tells the paths apart, as for a call in a wrapper.
 * @site: where the halt is placed (fw_end_run_halted()).
 * @frame: the halting function's frame record (its frame pointer when it
 *	was stopped), or NULL.
 * @sp: its stack pointer then: the frame record is read only if it lies
 *	between that and fw_run()'s frame, on the stack (a signal's handler
 *	may run on another).
 */
UNCHECKED_READS void fw_note_halt_site(const void *site, void *const *frame, const void *sp)
{
	unsigned slot = site_from_slot(site);
	void *const *outer;
	const void *from = NULL;

	if (site == NULL || slot == FW_SITE_FROM_SLOTS)
		return;
	if (frame != NULL && sp != NULL && (uintptr_t)frame >= (uintptr_t)sp &&
	    frame_above(frame, (void *const *)sp - 1)) {
		outer = (void *const *)frame[0];
		if ((const void *)outer != fw.run_frame && frame_above(outer, frame))
			from = frame[1];
	}
	if (fw.site_from[slot].site == NULL)
		fw.site_from[slot].first_call = fw.calls + 1;
	fw.site_from[slot].site = site;
	fw.site_from[slot].chain = (struct fw_chain){ .from = from };
}

/**
 * fw_site_from() - who called the loader's function that made the calls
 * at @site, the last time one was made there in this run.
 * @site: a call's return address in the loader.
 *
 * Return: a return address in the loader's caller of that function, or
 * NULL: the function is the loader's entry point, or nothing is known of
 * the site (no call there, or more call sites in the run than the table
 * keeps).
 */
const void *fw_site_from(const void *site)
{
	unsigned slot = site_from_slot(site);

	return site != NULL && slot < FW_SITE_FROM_SLOTS && fw.site_from[slot].site == site
		       ? fw.site_from[slot].chain.from
		       : NULL;
}

/**
 * fw_site_chain() - who called the loader's function that made the calls
 * at @site, the last time one was made there in this run.
 * @site: a call's return address in the loader.
 *
 * Return: the chain, or NULL if nothing is known of the site.
 */
const struct fw_chain *fw_site_chain(const void *site)
{
	unsigned slot = site_from_slot(site);

	return site != NULL && slot < FW_SITE_FROM_SLOTS && fw.site_from[slot].site == site
		       ? &fw.site_from[slot].chain
		       : NULL;
}

/**
 * fw_site_first_call() - the number of the run's first call made at @site.
 * @site: a call's return address in the loader.
 *
 * Return: it, or UINT_MAX if nothing is known of the site.
 */
unsigned fw_site_first_call(const void *site)
{
	unsigned slot = site_from_slot(site);

	return site != NULL && slot < FW_SITE_FROM_SLOTS && fw.site_from[slot].site == site
		       ? fw.site_from[slot].first_call
		       : UINT_MAX;
}

/**
 * fw_chain_callers() - the loader's callers in @chain, innermost first, as
 * far as the run's trace kept them.
 * @chain: a call's chain, or NULL.
 * @out: receives up to @max return addresses.
 * @max: room in @out.
 *
 * Return: how many were set.
 */
unsigned fw_chain_callers(const struct fw_chain *chain, const void **out, unsigned max)
{
	unsigned n = 0, i;

	if (chain == NULL || chain->from == NULL || max == 0)
		return 0;
	out[n++] = chain->from;
	for (i = 0; i < FW_SITE_OUTER_CALLERS && n < max && chain->outer[i] != NULL; i++)
		out[n++] = chain->outer[i];
	return n;
}
