/* SPDX-License-Identifier: MIT */
/*
 * invariants.c - the rules the fake firmware holds loaders to: with
 * end_of_run.c (those judged once the loader is done), the one place that
 * decides a violation (violations.c reports it).
 *
 * None may ever fire for a correct loader: every rule below cites the UEFI
 * text or the firmware behaviour it rests on, and what the firmware did is
 * never blamed on the loader.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/**
 * oracle_check_argument_alignment() - argument-alignment: a scalar the
 * loader passes by reference lies on a multiple of its size (UEFI 2.10
 * section 2.3.1; fuzz/fw/args.c).
 * @p: the loader's pointer.
 * @align: the scalar's size.
 * @what: the service's name and the parameter's, for the message.
 *
 * Return: true if aligned; else the violation is recorded (once per place
 * in the loader) and the caller accesses @p byte-wise.
 */
bool oracle_check_argument_alignment(const void *p, size_t align, const char *what)
{
	if ((uintptr_t)p % align == 0)
		return true;
	oracle_violation(INV_ARGUMENT_ALIGNMENT,
			 "%s is misaligned by %zu byte(s) for its %zu-byte type; UEFI 2.10 "
			 "section 2.3.1 requires natural alignment (call %u)",
			 what, (size_t)((uintptr_t)p % align), align, fw.calls);
	return false;
}

/* How often the last FW_RECENT_CALLS calls were made from @site. */
static unsigned recent_count(const void *site)
{
	unsigned j, n = 0;

	for (j = 0; j < FW_RECENT_CALLS; j++)
		n += fw.recent_sites[j] == site;
	return n;
}

/* Whether loop call site @a comes before @b: made first in the run (the
 * order of execution, the same in every build), else at the lower return
 * address (the code's layout) where the table of sites did not keep them. */
static bool loop_site_before(const void *a, const void *b)
{
	unsigned first_a = fw_site_first_call(a), first_b = fw_site_first_call(b);

	if (first_a != first_b)
		return first_a < first_b;
	return (uintptr_t)a < (uintptr_t)b;
}

/*
 * The call a loop that ran the budget out is placed at: of the calls the
 * last FW_RECENT_CALLS made at least half as often as the most frequent
 * (the loop's body; each of its calls once an iteration, give or take the
 * window's edges), the one the run made first, the same whichever call of
 * the loop the budget ran out at, and in every build.  Placed at that last
 * call, one loop of gnu-efi's LibMemoryMap() in Syslinux's port was three
 * rows, at three lines; placed at the lowest return address, ReactOS's
 * FreeLoader's was two, the fuzzing build's layout putting another of its
 * calls first than the replay's.
 */
static unsigned loop_site(void)
{
	unsigned i, most = 0, best = 0;

	for (i = 0; i < FW_RECENT_CALLS; i++)
		if (recent_count(fw.recent_sites[i]) > most)
			most = recent_count(fw.recent_sites[i]);
	for (i = 1; i < FW_RECENT_CALLS; i++)
		if (2 * recent_count(fw.recent_sites[i]) >= most &&
		    (loop_site_before(fw.recent_sites[i], fw.recent_sites[best]) ||
		     2 * recent_count(fw.recent_sites[best]) < most))
			best = i;
	return best;
}

/**
 * oracle_check_call_budget() - termination: count a call.
 * @what: the service called, for the message.
 */
void oracle_check_call_budget(const char *what)
{
	unsigned at;

	fw.calls++;
	fw.recent_sites[fw.calls % FW_RECENT_CALLS] = fw.caller;
	fw.recent_names[fw.calls % FW_RECENT_CALLS] = what;
	if (fw.calls <= FW_MAX_CALLS)
		return;
	/* Polls for a key all the way to the budget, a timer armed (else the
	 * wait had ended sooner, conin.c): a wait for a key nobody presses,
	 * woken now and then by a timer it does not end on. */
	if (fw.key_polls >= FW_KEY_POLLS_TO_WAIT)
		fw_end_run_waiting(fw.caller, true);
	at = loop_site();
	fw.caller = fw.recent_sites[at]; /* the run ends here: where the finding is placed */
	oracle_fatal(INV_TERMINATION, "more than %u calls to boot services, in a loop: placed at "
		     "the first of its calls the run made (%s)", FW_MAX_CALLS, fw.recent_names[at]);
}

/**
 * oracle_check_exit_attempts() - termination: count an ExitBootServices() call.
 */
void oracle_check_exit_attempts(void)
{
	if (++fw.exit_attempts > FW_MAX_EXIT_ATTEMPTS)
		oracle_fatal(INV_TERMINATION, "more than %u ExitBootServices calls (call %u)",
			     FW_MAX_EXIT_ATTEMPTS, fw.calls);
}

/**
 * oracle_check_free_pages() - forbidden-call: FreePages() of live page
 * allocations only, whole pages inside them (UEFI 2.10 section 7.2.2).
 * @covered: the range lies wholly in live page allocations, page-aligned
 *	(pages.c says; two allocations side by side count, as on EDK2).
 * @pages: the count passed.
 *
 * Return: @covered; if not, it is recorded, and the firmware answers
 * EFI_NOT_FOUND ("not allocated with AllocatePages()"), as EDK2's
 * CoreFreePages does.
 */
bool oracle_check_free_pages(bool covered, UINTN pages)
{
	if (!covered)
		oracle_violation(INV_FORBIDDEN_CALL,
				 "FreePages(%zu pages) of memory that is not a live page allocation "
				 "(call %u)", (size_t)pages, fw.calls);
	return covered;
}

static bool is_memory_service(enum fw_service svc)
{
	return svc == SVC_AllocatePages || svc == SVC_FreePages || svc == SVC_AllocatePool ||
	       svc == SVC_FreePool;
}

static const char *allowed_after_failure(void)
{
	return fw_revision_at_least_2_9() ? "GetMemoryMap, the memory allocation services and "
					    "ExitBootServices"
					  : "GetMemoryMap and ExitBootServices";
}

/*
 * A forbidden call after a failed exit is judged once the run shows what
 * the loader did next: followed by another GetMemoryMap() or
 * ExitBootServices(), the loader was still trying to boot and the call can
 * break a boot that would otherwise succeed (GRUB's "Trying to terminate
 * EFI services again" before its retry, L5): forbidden-call.  Followed by
 * neither, the loader had given up and was on its way out (an error print
 * or a free before halting, as Xen and FreeBSD do): call-after-giving-up.
 * Both break UEFI <= 2.8's "should not" (section 7.4.6); only the first
 * can cost a boot.
 */
/**
 * oracle_resolve_pending() - judge the forbidden calls made since the last
 * failed exit.
 * @as: INV_FORBIDDEN_CALL if the loader tried again, INV_CALL_AFTER_GIVING_UP
 *	if the run ended without it doing so.
 */
void oracle_resolve_pending(enum fw_invariant as)
{
	const void *caller = fw.caller;
	unsigned i;

	for (i = 0; i < fw.n_pending; i++) {
		const struct fw_pending_call *p = &fw.pending[i];

		fw.caller = p->caller;
		/* The calls between a failed exit and the retry are one finding,
		 * at the first: esx-boot frees and allocates again at five lines
		 * there, five rows for one design a single change fixes. */
		if (as == INV_FORBIDDEN_CALL) {
			oracle_violation_at(as, p->caller, &p->chain,
					    "%s called after a failed ExitBootServices, before the "
					    "next attempt (call %u, and %u other call site(s) after it); "
					    "UEFI %u.%u allows only %s then",
					    scn_service_names[p->service], p->call, fw.n_pending - 1,
					    fw.revision >> 16, fw.revision & 0xffff,
					    allowed_after_failure());
			break;
		}
		/* The way out is one finding, at its first call: an error
		 * print, its frees and a prompt were a row each (Syslinux's
		 * port: five), for one behaviour that costs no boot. */
		oracle_violation_at(as, p->caller, &p->chain,
				    "%s called after the loader's last ExitBootServices failed, "
				    "on its way out (call %u, and %u other call site(s) after it); UEFI "
				    "%u.%u allows only %s then",
				    scn_service_names[p->service], p->call, fw.n_pending - 1,
				    fw.revision >> 16, fw.revision & 0xffff, allowed_after_failure());
		break;
	}
	fw.caller = caller;
	fw.n_pending = 0;
}

static void add_pending(enum fw_service svc)
{
	unsigned i;

	for (i = 0; i < fw.n_pending; i++)
		if (fw.pending[i].caller == fw.caller && fw.pending[i].service == svc)
			return; /* the first keeps its call's number and chain */
	if (fw.n_pending < FW_MAX_PENDING)
		fw.pending[fw.n_pending++] = (struct fw_pending_call){ (uint8_t)svc, fw.calls + 1,
								       fw.caller, fw.call_chain };
}

/**
 * oracle_check_call_allowed() - forbidden-call: is @svc allowed now?
 * @svc: the service being entered.
 *
 * UEFI 2.10 section 7.4.6: after a successful exit no boot service may be
 * called; EDK2 zeroes the whole table, so a cached pointer jumps to 0: the
 * run ends there.  After a failed one, up to 2.8 only GetMemoryMap() and
 * ExitBootServices(); from 2.9 also the memory allocation services.  Real
 * firmware answers such a call normally (OVMF 2022.11 and 2025.02 return
 * EFI_SUCCESS for OutputString, FreePool and AllocatePool after a failed
 * exit, ovmf.md section 4; U-Boot's failed exit returns before any shutdown
 * step, exit-boot.md 2.6), so every personality does too, and the run goes
 * on.  Section 7.1: notify functions of the EXIT_BOOT_SERVICES group may
 * not use the memory allocation services; firmware calls notify functions,
 * so the failed-exit rule (which binds the loader's own flow) does not
 * apply inside them.
 */
void oracle_check_call_allowed(enum fw_service svc)
{
	const char *name = scn_service_names[svc];

	if (fw.phase == PHASE_EXITED)
		oracle_fatal(INV_FORBIDDEN_CALL, "%s called after ExitBootServices succeeded (call %u)",
			     name, fw.calls + 1);
	if (fw.notifying == GROUP_EXIT && is_memory_service(svc))
		oracle_violation(INV_FORBIDDEN_CALL,
				 "%s called from an EXIT_BOOT_SERVICES notify function (call %u)",
				 name, fw.calls + 1);
	if (fw.notifying != FW_NO_GROUP || fw.phase != PHASE_EXIT_FAILED)
		return;
	if (svc == SVC_GetMemoryMap || svc == SVC_ExitBootServices) {
		oracle_resolve_pending(INV_FORBIDDEN_CALL);
		return;
	}
	if (is_memory_service(svc) && fw_revision_at_least_2_9())
		return;
	if (fw.opt->first)
		oracle_violation(INV_FORBIDDEN_CALL,
				 "%s called after a failed ExitBootServices; UEFI %u.%u allows only "
				 "%s then (call %u)",
				 name, fw.revision >> 16, fw.revision & 0xffff,
				 allowed_after_failure(), fw.calls + 1);
	add_pending(svc);
}

/**
 * oracle_check_map_buffer() - buffer-bounds: the capacity GetMemoryMap is
 * told must exist.
 * @buf: MemoryMap.
 * @size: *MemoryMapSize on entry.
 *
 * The firmware may fill every byte the caller claims (UEFI 2.10 section
 * 7.2.3), so claiming more than the allocation holds licenses an overflow
 * (U-Boot's EFI app since 2022 claims 1 KiB it never allocated, L10): the
 * claim is recorded and the firmware writes what the map needs (ASan sees
 * it if that is past the allocation).  A buffer in freed memory is fatal:
 * the firmware would write over whatever reuses it.  Checked here so both
 * fire without ASan.  Buffers outside firmware allocations (stack, static:
 * Xen, Limine) are left to ASan.
 */
void oracle_check_map_buffer(const void *buf, UINTN size)
{
	const struct fw_alloc *a = fw_alloc_containing(buf, true);

	if (a != NULL) {
		size_t offset = (size_t)((const uint8_t *)buf - a->host);

		if (size > a->bytes - offset)
			oracle_violation(INV_BUFFER_BOUNDS,
					 "GetMemoryMap told %zu bytes at offset %zu of a %zu-byte %s "
					 "allocation (call %u)%s",
					 (size_t)size, offset, a->bytes, a->is_pages ? "page" : "pool",
					 fw.calls,
					 size == (UINTN)FW_STACK_PAINT_UINTN
						 ? "; 0xbebebebebebebebe is what the stack held "
						   "before the loader ran: a size it never set"
						 : "");
		return;
	}
	if (fw_alloc_containing(buf, false) != NULL)
		oracle_fatal(INV_BUFFER_BOUNDS,
			     "GetMemoryMap given a buffer in memory the loader already freed (call %u)",
			     fw.calls);
}

/**
 * oracle_check_free() - forbidden-call: only live pool memory may be freed.
 * @ptr: the pointer passed to FreePool().
 * @service: for the message.
 *
 * Return: the live pool allocation starting at @ptr, or NULL: the free is
 * recorded and the firmware answers EFI_INVALID_PARAMETER, as EDK2's
 * CoreFreePool does for a buffer without a valid pool header.
 */
struct fw_alloc *oracle_check_free(const void *ptr, const char *service)
{
	const struct fw_alloc *inside = fw_alloc_containing(ptr, true);
	const char *what = "memory the firmware never handed out";
	unsigned i;

	for (i = 0; i < fw.n_allocs; i++)
		if (fw.allocs[i].live && fw.allocs[i].host == ptr && !fw.allocs[i].is_pages)
			return &fw.allocs[i];
	if (inside != NULL)
		what = inside->is_pages ? "memory from AllocatePages"
					: "a pointer into the middle of a pool allocation";
	else if (fw_alloc_containing(ptr, false) != NULL)
		what = "memory already freed";
	oracle_violation(INV_FORBIDDEN_CALL, "%s of %s (call %u)", service, what, fw.calls);
	return NULL;
}

/**
 * oracle_note_growth() - take the run out of liveness the moment the map
 * has grown past the bound, so that the trace says when.
 */
void oracle_note_growth(void)
{
	static char reason[80];

	if (!fw.size_queried || fw.growth_noted ||
	    fw.max_required - fw.first_required <= fw.opt->liveness_descs)
		return;
	fw.growth_noted = true;
	snprintf(reason, sizeof(reason), "the map grew by more than %u descriptors",
		 fw.opt->liveness_descs);
	fw_not_compliant(false, reason);
}

/**
 * oracle_note_size_query() - start or continue measuring map growth.
 *
 * Growth counts from the loader's first GetMemoryMap(), in descriptors of
 * the size the firmware demands, for the liveness invariant.
 */
void oracle_note_size_query(void)
{
	unsigned required = fw_map_required_descs();

	if (!fw.size_queried) {
		fw.size_queried = true;
		fw.first_required = fw.max_required = required;
	} else if (required > fw.max_required) {
		fw.max_required = required;
	}
	oracle_note_growth();
}

/**
 * oracle_note_map_read() - remember the map the loader now holds.
 * @buf: where GetMemoryMap() wrote it.
 * @size: the bytes the firmware both wrote and reported: a loader is never
 *	held to bytes it was not told were the map.
 * @told: the bytes it was told were the map, more than @size where the
 *	firmware reports more than it wrote: a loader sorting its map in place
 *	may move the written descriptors anywhere among those.
 */
void oracle_note_map_read(const void *buf, size_t size, size_t told)
{
	fw.last_read_valid = true;
	fw.last_read_buf = buf;
	fw.last_read_size = size;
	fw.last_read_told = told;
	fw.last_read_key = fw.key;
	fw.last_read_generation = fw.generation;
	fw.map_reads++;
}

/**
 * oracle_check_exit_key() - stale-key: the key must come from the loader's
 * latest successful GetMemoryMap().
 * @key: MapKey passed to ExitBootServices().
 *
 * UEFI 2.10 section 7.4.6: the loader "must ensure that it has the system's
 * current memory map at the time it calls ExitBootServices()".  A key taken
 * from a BUFFER_TOO_SMALL answer passes on EDK2, which writes the key on
 * every path, while the buffer holds an older map (Limine, L8).  The key
 * check itself then goes on as the firmware's would.
 */
void oracle_check_exit_key(UINTN key)
{
	if (!fw.last_read_valid && fw.last_getmap_call != 0)
		/* EDK2 LoadLinuxLib's RELEASE build: a re-read answered
		 * EFI_BUFFER_TOO_SMALL, its status unchecked, its key passed. */
		oracle_violation(INV_STALE_KEY,
				 "ExitBootServices(key 0x%llx) with no successful GetMemoryMap "
				 "before it: the last (call %u) answered %s, and no map the loader "
				 "holds goes with its key (call %u)",
				 (unsigned long long)key, fw.last_getmap_call,
				 fw_status_name(fw.last_getmap_status), fw.calls);
	else if (!fw.last_read_valid)
		oracle_violation(INV_STALE_KEY,
				 "ExitBootServices(key 0x%llx) with no GetMemoryMap before it "
				 "(call %u)", (unsigned long long)key, fw.calls);
	else if (key != (UINTN)fw.last_read_key)
		oracle_violation(INV_STALE_KEY,
				 "ExitBootServices(key 0x%llx) but the last successful GetMemoryMap "
				 "returned key 0x%llx%s (call %u)",
				 (unsigned long long)key, (unsigned long long)fw.last_read_key,
				 key == (UINTN)fw.key ? "; the key is current, the map in hand is not"
				 : key == (UINTN)FW_STACK_PAINT_UINTN
					 ? "; 0xbebebebebebebebe is what the stack held before the "
					   "loader ran: a key it never set"
					 : "",
				 fw.calls);
}

/**
 * oracle_check_map_current() - stale-map: when the key is accepted, the
 * buffer must still hold what GetMemoryMap() wrote there.
 *
 * Called right after the key check, before the EXIT_BOOT_SERVICES group
 * runs: EDK2 lets those handlers allocate, silently staling the map
 * (ovmf.md section 4), which is the firmware's fault.  So is a map changed
 * without a key change (the no-key-check quirk): the check only runs when
 * the firmware's map is exactly the one last read.  Only the descriptors
 * the firmware reported are compared (fw_map_matches()), and a map the
 * loader rewrote in place into a table of its own is not judged
 * (fw_map_replaced(): ToaruOS's multiboot map, Hyper's Ultra map).
 */
void oracle_check_map_current(void)
{
	const uint8_t *buf = fw.last_read_buf;

	if (!fw.last_read_valid || fw.generation != fw.last_read_generation)
		return;
	if (fw_alloc_containing(buf, true) == NULL && fw_alloc_containing(buf, false) != NULL)
		oracle_violation(INV_STALE_MAP,
				 "ExitBootServices succeeded but the loader freed the buffer holding "
				 "its map (call %u)", fw.calls);
	else if (!fw_map_matches(buf, fw.last_read_size, fw.last_read_told) &&
		 !fw_map_replaced(buf, fw.last_read_size))
		oracle_violation(INV_STALE_MAP,
				 "ExitBootServices succeeded but the loader's map buffer was "
				 "overwritten after GetMemoryMap (call %u)", fw.calls);
}
