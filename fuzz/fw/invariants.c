/* SPDX-License-Identifier: MIT */
/*
 * invariants.c - the invariants the fake firmware holds loaders to.
 *
 * Each violation prints one line, "ebsfuzz: invariant <name> violated:
 * <what, which call>", and aborts, so that fuzzers record a crash and
 * crashes deduplicate by invariant.  None of them may ever fire for a
 * correct loader: every rule below cites the UEFI text or the firmware
 * behaviour it rests on, and staleness the firmware causes is never blamed
 * on the loader.
 */
#include <stdarg.h>
#include <stdlib.h>

#include "internal.h"

/*
 * The invariants, as the README's table lists them.  Each rule below cites
 * what it rests on; this is the only module that raises them.
 */
const char *const fw_invariant_names[INV_COUNT] = {
	[INV_BUFFER_BOUNDS] = "buffer-bounds",
	[INV_TERMINATION] = "termination",
	[INV_FORBIDDEN_CALL] = "forbidden-call",
	[INV_STALE_KEY] = "stale-key",
	[INV_STALE_MAP] = "stale-map",
	[INV_LEAK] = "leak",
	[INV_STATUS] = "status",
	[INV_LIVENESS] = "liveness",
};

/**
 * violation() - report a broken invariant and abort.
 * @inv: which one.
 * @fmt: what happened, and at which call.
 */
static _Noreturn __attribute__((format(printf, 2, 3))) void violation(enum fw_invariant inv,
								     const char *fmt, ...)
{
	va_list ap;

	if (fw.opt != NULL && fw.opt->trace != NULL)
		fflush(fw.opt->trace);
	fprintf(stderr, "ebsfuzz: invariant %s violated: ", fw_invariant_names[inv]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	abort();
}

/**
 * oracle_reset() - forget what the last run's loader held and did.
 */
void oracle_reset(void)
{
	fw.why_not_compliant = NULL;
	fw.last_read_valid = false;
	fw.size_queried = false;
	fw.first_required = fw.max_required = 0;
}

/**
 * oracle_check_call_budget() - termination: count a call.
 * @what: the service, for the message.
 *
 * A loader sizing, printing and exiting needs tens of calls, not thousands.
 */
void oracle_check_call_budget(const char *what)
{
	if (++fw.calls > FW_MAX_CALLS)
		violation(INV_TERMINATION, "more than %u calls to boot services (the last: %s)",
			  FW_MAX_CALLS, what);
}

/**
 * oracle_check_exit_attempts() - termination: count an ExitBootServices() call.
 */
void oracle_check_exit_attempts(void)
{
	if (++fw.exit_attempts > FW_MAX_EXIT_ATTEMPTS)
		violation(INV_TERMINATION, "more than %u ExitBootServices calls (call %u)",
			  FW_MAX_EXIT_ATTEMPTS, fw.calls);
}

/**
 * oracle_check_free_pages() - forbidden-call: FreePages() of a live page
 * allocation only, whole pages inside it (UEFI 2.10 section 7.2.2).
 * @rec: the live allocation @at lies in, or NULL.
 * @at: the address passed.
 * @pages: the count passed.
 */
void oracle_check_free_pages(const struct fw_alloc *rec, uintptr_t at, UINTN pages)
{
	if (rec == NULL || !rec->is_pages || (at - (uintptr_t)rec->host) % EFI_PAGE_SIZE != 0 ||
	    pages == 0 || pages > (rec->bytes - (at - (uintptr_t)rec->host)) / EFI_PAGE_SIZE)
		violation(INV_FORBIDDEN_CALL,
			  "FreePages(%zu pages) of memory that is not a live page allocation "
			  "(call %u)", (size_t)pages, fw.calls);
}

static bool is_memory_service(enum fw_service svc)
{
	return svc == SVC_AllocatePages || svc == SVC_FreePages || svc == SVC_AllocatePool ||
	       svc == SVC_FreePool;
}

/**
 * oracle_check_call_allowed() - forbidden-call: is @svc allowed now?
 * @svc: the service being entered.
 *
 * UEFI 2.10 section 7.4.6: after a successful exit no boot service may be
 * called (EDK2 zeroes the whole table, so a cached pointer jumps to 0).
 * After a failed one, up to 2.8 only GetMemoryMap() and ExitBootServices();
 * from 2.9 also the memory allocation services.  Section 7.1: notify
 * functions of the EXIT_BOOT_SERVICES group may not use the memory
 * allocation services; firmware calls notify functions, so the failed-exit
 * rule (which binds the loader's own flow) does not apply inside them.
 */
void oracle_check_call_allowed(enum fw_service svc)
{
	const char *name = scn_service_names[svc];

	if (fw.phase == PHASE_EXITED)
		violation(INV_FORBIDDEN_CALL, "%s called after ExitBootServices succeeded (call %u)",
			     name, fw.calls + 1);
	if (fw.notifying == GROUP_EXIT && is_memory_service(svc))
		violation(INV_FORBIDDEN_CALL,
			     "%s called from an EXIT_BOOT_SERVICES notify function (call %u)", name,
			     fw.calls + 1);
	if (fw.notifying != FW_NO_GROUP || fw.phase != PHASE_EXIT_FAILED)
		return;
	if (svc == SVC_GetMemoryMap || svc == SVC_ExitBootServices)
		return;
	if (is_memory_service(svc) && fw_revision_at_least_2_9())
		return;
	violation(INV_FORBIDDEN_CALL,
		     "%s called after a failed ExitBootServices; UEFI %u.%u allows only "
		     "GetMemoryMap%s and ExitBootServices then (call %u)",
		     name, fw.revision >> 16, fw.revision & 0xffff,
		     fw_revision_at_least_2_9() ? ", the memory allocation services" : "",
		     fw.calls + 1);
}

/**
 * oracle_check_map_buffer() - buffer-bounds: the capacity GetMemoryMap is
 * told must exist.
 * @buf: MemoryMap.
 * @size: *MemoryMapSize on entry.
 *
 * The firmware may fill every byte the caller claims (UEFI 2.10 section
 * 7.2.3), so claiming more than the allocation holds licenses an overflow
 * (U-Boot's EFI app since 2022 claims 1 KiB it never allocated, L10).
 * Checked here so it fires without ASan.  Buffers outside firmware
 * allocations (stack, static: Xen, Limine) are left to ASan.
 */
void oracle_check_map_buffer(const void *buf, UINTN size)
{
	const struct fw_alloc *a = fw_alloc_containing(buf, true);

	if (a != NULL) {
		size_t offset = (size_t)((const uint8_t *)buf - a->host);

		if (size > a->bytes - offset)
			violation(INV_BUFFER_BOUNDS,
				     "GetMemoryMap told %zu bytes at offset %zu of a %zu-byte %s "
				     "allocation (call %u)",
				     (size_t)size, offset, a->bytes, a->is_pages ? "page" : "pool",
				     fw.calls);
		return;
	}
	if (fw_alloc_containing(buf, false) != NULL)
		violation(INV_BUFFER_BOUNDS,
			     "GetMemoryMap given a buffer in memory the loader already freed (call %u)",
			     fw.calls);
}

/**
 * oracle_check_free() - forbidden-call: only live pool memory may be freed.
 * @ptr: the pointer passed to FreePool().
 * @service: for the message.
 *
 * Return: the live pool allocation starting at @ptr.
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
	violation(INV_FORBIDDEN_CALL, "%s of %s (call %u)", service, what, fw.calls);
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
}

/**
 * oracle_note_map_read() - remember the map the loader now holds.
 * @buf: where GetMemoryMap() wrote it.
 * @size: the size it returned.
 */
void oracle_note_map_read(const void *buf, size_t size)
{
	fw.last_read_valid = true;
	fw.last_read_buf = buf;
	fw.last_read_size = size;
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
 * every path, while the buffer holds an older map (Limine, L8).
 */
void oracle_check_exit_key(UINTN key)
{
	if (!fw.last_read_valid)
		violation(INV_STALE_KEY,
			     "ExitBootServices(key 0x%llx) with no successful GetMemoryMap before it "
			     "(call %u)", (unsigned long long)key, fw.calls);
	if (key != (UINTN)fw.last_read_key)
		violation(INV_STALE_KEY,
			     "ExitBootServices(key 0x%llx) but the last successful GetMemoryMap "
			     "returned key 0x%llx%s (call %u)",
			     (unsigned long long)key, (unsigned long long)fw.last_read_key,
			     key == (UINTN)fw.key ? "; the key is current, the map in hand is not" : "",
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
 * the firmware's map is exactly the one last read.
 */
void oracle_check_map_current(void)
{
	const uint8_t *buf = fw.last_read_buf;

	if (fw.generation != fw.last_read_generation)
		return;
	if (fw_alloc_containing(buf, true) == NULL && fw_alloc_containing(buf, false) != NULL)
		violation(INV_STALE_MAP,
			     "ExitBootServices succeeded but the loader freed the buffer holding its "
			     "map (call %u)", fw.calls);
	if (!fw_map_matches(buf, fw.last_read_size))
		violation(INV_STALE_MAP,
			     "ExitBootServices succeeded but the loader's map buffer was overwritten "
			     "after GetMemoryMap (call %u)", fw.calls);
}

/**
 * oracle_check_end() - status, leak and liveness, once the loader is done.
 * @result: what happened; @result->compliant is filled in here.
 */
void oracle_check_end(struct fw_result *result)
{
	static char growth_reason[96];
	unsigned growth = fw.max_required - fw.first_required;

	if (fw.why_not_compliant == NULL && growth > fw.opt->liveness_descs) {
		snprintf(growth_reason, sizeof(growth_reason),
			 "the map grew by %u descriptors, more than %u", growth,
			 fw.opt->liveness_descs);
		fw_not_compliant(growth_reason);
	}
	result->compliant = fw.why_not_compliant == NULL;
	result->why_not_compliant = fw.why_not_compliant;
	if (result->returned && result->status == EFI_SUCCESS && !result->exited)
		violation(INV_STATUS, "the loader returned EFI_SUCCESS but ExitBootServices never "
			     "succeeded (%u exit attempts)", fw.exit_attempts);
	if (result->returned && result->status != EFI_SUCCESS && result->exited)
		violation(INV_STATUS, "ExitBootServices succeeded but the loader returned %s",
			     fw_status_name(result->status));
	if (result->returned && result->status != EFI_SUCCESS && fw.exit_attempts == 0 &&
	    fw_live_loader_allocations() > 0)
		violation(INV_LEAK, "the loader returned %s before any exit attempt still holding "
			     "%u allocation(s)", fw_status_name(result->status),
			     fw_live_loader_allocations());
	if (result->compliant && !result->exited)
		violation(INV_LIVENESS, "%s firmware, map growth %u of %u descriptors allowed, "
			     "nothing injected, yet the loader %s %s after %u exit attempt(s)",
			     scn_personality_names[fw.personality], growth, fw.opt->liveness_descs,
			     result->returned ? "returned" : "reset the system",
			     result->returned ? fw_status_name(result->status) : "",
			     fw.exit_attempts);
}
