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

/**
 * fw_violation() - report a broken invariant and abort.
 * @invariant: its name (buffer-bounds, termination, forbidden-call,
 *	stale-key, stale-map, leak, status, liveness).
 * @fmt: what happened, and at which call.
 */
_Noreturn void fw_violation(const char *invariant, const char *fmt, ...)
{
	va_list ap;

	if (fw.opt != NULL && fw.opt->trace != NULL)
		fflush(fw.opt->trace);
	fprintf(stderr, "ebsfuzz: invariant %s violated: ", invariant);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	abort();
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
		fw_violation("forbidden-call", "%s called after ExitBootServices succeeded (call %u)",
			     name, fw.calls + 1);
	if (fw.notifying == GROUP_EXIT && is_memory_service(svc))
		fw_violation("forbidden-call",
			     "%s called from an EXIT_BOOT_SERVICES notify function (call %u)", name,
			     fw.calls + 1);
	if (fw.notifying != FW_NO_GROUP || fw.phase != PHASE_EXIT_FAILED)
		return;
	if (svc == SVC_GetMemoryMap || svc == SVC_ExitBootServices)
		return;
	if (is_memory_service(svc) && fw_revision_at_least_2_9())
		return;
	fw_violation("forbidden-call",
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
			fw_violation("buffer-bounds",
				     "GetMemoryMap told %zu bytes at offset %zu of a %zu-byte %s "
				     "allocation (call %u)",
				     (size_t)size, offset, a->bytes, a->is_pages ? "page" : "pool",
				     fw.calls);
		return;
	}
	if (fw_alloc_containing(buf, false) != NULL)
		fw_violation("buffer-bounds",
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
	fw_violation("forbidden-call", "%s of %s (call %u)", service, what, fw.calls);
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
		fw_violation("stale-key",
			     "ExitBootServices(key 0x%llx) with no successful GetMemoryMap before it "
			     "(call %u)", (unsigned long long)key, fw.calls);
	if (key != (UINTN)fw.last_read_key)
		fw_violation("stale-key",
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
		fw_violation("stale-map",
			     "ExitBootServices succeeded but the loader freed the buffer holding its "
			     "map (call %u)", fw.calls);
	if (!fw_map_matches(buf, fw.last_read_size))
		fw_violation("stale-map",
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
		fw_violation("status", "the loader returned EFI_SUCCESS but ExitBootServices never "
			     "succeeded (%u exit attempts)", fw.exit_attempts);
	if (result->returned && result->status != EFI_SUCCESS && result->exited)
		fw_violation("status", "ExitBootServices succeeded but the loader returned %s",
			     fw_status_name(result->status));
	if (result->returned && result->status != EFI_SUCCESS && fw.exit_attempts == 0 &&
	    fw_live_loader_allocations() > 0)
		fw_violation("leak", "the loader returned %s before any exit attempt still holding "
			     "%u allocation(s)", fw_status_name(result->status),
			     fw_live_loader_allocations());
	if (result->compliant && !result->exited)
		fw_violation("liveness", "%s firmware, map growth %u of %u descriptors allowed, "
			     "nothing injected, yet the loader %s %s after %u exit attempt(s)",
			     scn_personality_names[fw.personality], growth, fw.opt->liveness_descs,
			     result->returned ? "returned" : "reset the system",
			     result->returned ? fw_status_name(result->status) : "",
			     fw.exit_attempts);
}
