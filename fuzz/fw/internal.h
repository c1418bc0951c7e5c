/* SPDX-License-Identifier: MIT */
/*
 * internal.h - state and helpers shared by the modules of the fake
 * firmware.  Not for loaders: they see only the tables in core/efi.h.
 *
 * There is one firmware, a global reset at the start of every run, so that
 * nothing survives from one input to the next (libFuzzer and AFL++ persistent
 * mode run millions of inputs in one process).
 */
#ifndef EBSFUZZ_FUZZ_FW_INTERNAL_H
#define EBSFUZZ_FUZZ_FW_INTERNAL_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>

#include "arena_written.h"
#include "fw.h"

/*
 * Budgets of the termination invariant, which reports only loops that never
 * end.  The UEFI text sets no retry limit, and bounded policies are legal:
 * Limine and CSMWrap retry up to 128 times (exit-boot.md 3.8; one machine
 * is known to need several calls).  256 exit attempts is twice the largest
 * bounded policy known; 4096 calls leaves such a policy 16 calls per
 * attempt (a read, a print, a free and an allocation need 4).  An endless
 * loader reaches either bound in about a millisecond, so its inputs stay
 * cheap to fuzz.
 */
#define FW_MAX_CALLS 4096u
#define FW_4GIB (4ull << 30)
/* Calls a termination by the budget looks back over (invariants.c). */
#define FW_RECENT_CALLS 64u
/* Call sites whose callers fw_site_from() remembers in a run, by address:
 * more than any loader's exit path has. */
#define FW_SITE_FROM_SLOTS 64u
/* Callers further out kept for each, for the trace (fw_site_callers()). */
#define FW_SITE_OUTER_CALLERS 3u
#define FW_MAX_EXIT_ATTEMPTS 256u

#define FW_MAX_REGIONS 1024u   /* internal map entries; the starting map has at most 512 */
#define FW_MAX_ALLOCS 256u     /* loader allocation records, live or freed */
#define FW_MAX_FW_ALLOCS 256u  /* allocations made by handlers and timers */
#define FW_TAKEN_RECORDS 64u   /* the firmware's latest allocations, for pages.c */
#define FW_MAX_EVENTS 32u      /* events the loader creates */
#define FW_MAX_CONFIG_TABLES 32u

/* Map changes handlers and timers may make in one run.  Nothing reported
 * comes near it (F10: "more than 8"); the cap keeps every run fast. */
#define FW_MAX_FIRMWARE_CHANGES 256u
/*
 * Of them, the changes timers may make.  Timers' map changes were 23% of
 * a 20-second campaign's time from the seeds (perf), most of it in runs of
 * a timer firing at every call with 16 allocations of +2 (the first
 * corpus/ebs/scenarios/sizing-rounds-exhausted.scn) and its mutants, which
 * went on to the cap: 20-second campaigns ran 6.7% more executions per CPU
 * second with this budget (three seeds, side by side).  128 changes still
 * grow a map by up to 256 descriptors: eight times the 32 slack slots
 * Linux found some machines need (F10), three times the largest slack of
 * the loaders we know (Limine's 4096 bytes, 85 descriptors of 48 bytes),
 * each of which reads its map once or loops until it fits
 * (docs/exit-boot.md 3.12); four rounds of 32 slack descriptors, as the
 * hardened loader keeps, run out within it.  Handlers keep the whole
 * budget: one changing the map at every exit attempt still meets a loader
 * that retries for ever (termination, FW_MAX_EXIT_ATTEMPTS).
 */
#define FW_MAX_TIMER_CHANGES 128u

/* A firmware asking for more room than this for its map is answering
 * nonsense: real maps run to kilobytes (the largest reported, esx-boot#11,
 * asked for 10704 bytes).  Loaders may refuse it; liveness no longer holds. */
#define FW_MAX_SANE_MAP_BYTES (4u * 1024u * 1024u)
/* What the stack below the loader's first frame holds at every run's start
 * (run.c): an uninitialised local reads it. */
#define FW_STACK_PAINT_BYTE 0xbe
#define FW_STACK_PAINT_UINTN 0xbebebebebebebebeull

/* The fake machine is small: no single allocation above 64 MiB. */
#define FW_MAX_ALLOC_BYTES (64u * 1024u * 1024u)
/* More than any machine has: x86-64 and AArch64 address at most 2^52
 * bytes of physical memory.  A request beyond is refused with no excuse:
 * no machine could grant it (seL4's elfloader asked for 13.7 EB, a size
 * made of a DescriptorSize it never got). */
#define FW_MAX_MACHINE_BYTES (1ull << 52)

/* EDK2 Pool.c: a request whose size plus pool overhead exceeds the 2688-byte
 * size class is served from whole pages; smaller ones from free lists. */
#define FW_POOL_OVERHEAD 48u
#define FW_POOL_SMALL_MAX 2688u

/* One entry of the firmware's own memory map. */
struct fw_region {
	uint32_t type;
	uint64_t start;
	uint64_t pages;
	uint64_t attr;
};

/* Who called the loader's function that made a call, and their callers in
 * turn (call_sites.c): kept with a call a finding may be placed at later
 * (an allocation, the last failed call of the dance, a call after a failed
 * exit), since a later call through the same wrapper notes its own. */
struct fw_chain {
	const void *from;			   /* NULL: the loader's entry made it */
	const void *outer[FW_SITE_OUTER_CALLERS]; /* from's caller, and so on (traced runs) */
};

/* A loader allocation, kept after it is freed to recognise stale pointers. */
struct fw_alloc {
	uint8_t *host;  /* heap memory of exactly @bytes, so ASan sees overruns,
			 * or the pages at their model address (@in_ram) */
	size_t bytes;
	uint64_t start; /* model range in the map; @pages == 0 if from a pool free list */
	uint64_t pages;
	uint64_t pages_freed; /* FreePages of part of a page allocation */
	uint32_t type;
	bool is_pages;
	bool in_ram;       /* @host is the model address itself (ram.c) */
	bool in_arena;     /* @host is an arena block (arena.c) */
	bool live;
	bool free_refused; /* an injected failure refused to free it */
	unsigned alloc_call, free_call; /* the calls that made and freed it */
	const void *alloc_site, *free_site; /* from where in the loader */
	struct fw_chain alloc_chain;	    /* and who called the allocating function */
};

/* A range allocated by a handler or timer (no host memory behind it). */
struct fw_range {
	uint64_t start;
	uint64_t pages;
	uint32_t type;
};

enum fw_phase { PHASE_BOOT, PHASE_EXIT_FAILED, PHASE_EXITED };

#define FW_NO_GROUP 0xffu

/* A call made after a failed exit, judged once the run shows whether the
 * loader tried again (forbidden-call) or was on its way out. */
struct fw_pending_call {
	uint8_t service; /* enum fw_service */
	unsigned call;
	const void *caller;
	struct fw_chain chain;
};

#define FW_MAX_PENDING 16u

/* An event created by the loader through CreateEvent(Ex). */
struct fw_event {
	EFI_EVENT_NOTIFY notify;
	VOID *context;
	uint32_t type;
	uint8_t group; /* enum scn_group or FW_NO_GROUP */
	bool open;
	uint64_t start, pages; /* its page in the map (U-Boot), or pages 0 */
	/* A timer (timer_events.c): armed unless TimerCancel; times are
	 * fw.clock's, in 100 ns units. */
	uint8_t timer; /* EFI_TIMER_DELAY */
	bool signaled;
	uint64_t deadline, period;
};

struct fw {
	const struct scenario *scn;
	const struct fw_options *opt;

	/* Settings: the scenario over the personality's defaults. */
	uint8_t personality;
	uint32_t revision;
	uint32_t desc_size;
	uint32_t desc_version;
	uint32_t quirks;
	uint32_t over_report;
	/* Descriptors from this index on are never corrupted (map_render.c). */
	unsigned corrupted_below;

	/* The tables handed to the loader. */
	EFI_SYSTEM_TABLE st;
	EFI_BOOT_SERVICES bs;
	EFI_RUNTIME_SERVICES rt;
	EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL conout;
	SIMPLE_TEXT_OUTPUT_MODE conout_mode;
	EFI_SIMPLE_TEXT_INPUT_PROTOCOL conin;
	EFI_CONFIGURATION_TABLE config[FW_MAX_CONFIG_TABLES];

	/* The memory map. */
	struct fw_region map[FW_MAX_REGIONS];
	unsigned n_regions;
	unsigned map_gap;         /* map_table.h: the first region above the gap */
	uint64_t key;
	uint32_t key_step;        /* added per change; 0: a new pseudo-random key */
	uint64_t generation;      /* bumped with the key; never seen by loaders */
	uint32_t pool_page_types; /* memory types with a pool page (EDK2 free lists) */
	bool pool_pages_below_4g; /* and those pages lie below 4 GiB (map_start.c) */

	/* Memory handed out. */
	struct fw_alloc allocs[FW_MAX_ALLOCS];
	unsigned n_allocs;
	struct fw_range fw_allocs[FW_MAX_FW_ALLOCS];
	unsigned n_fw_allocs;
	unsigned firmware_changes;
	unsigned timer_changes; /* of them, by timers */
	unsigned next_alloc_outcome;

	/* Events. */
	struct fw_event events[FW_MAX_EVENTS];
	unsigned n_events;
	bool handler_closed[SCN_MAX_HANDLERS];
	bool timers_enabled;
	bool timer_done[SCN_MAX_TIMERS];
	bool timer_armed[SCN_MAX_TIMERS];
	unsigned timer_next[SCN_MAX_TIMERS];
	uint8_t notifying; /* group whose notify functions are running, or FW_NO_GROUP */
	uint64_t monotonic;
	EFI_TPL tpl;
	uint64_t clock;            /* 100 ns units; moves only while the loader waits */
	bool timer_notifying;      /* a timer's notify function runs: no timer fires */

	/* Call accounting. */
	unsigned calls;
	unsigned svc_calls[SVC_COUNT];
	unsigned exit_attempts;
	unsigned map_reads; /* successful GetMemoryMap calls by the loader */
	unsigned size_answers; /* its GetMemoryMap calls answered EFI_BUFFER_TOO_SMALL */
	struct fw_call log[FW_LOG_CALLS];
	unsigned n_log;
	enum fw_phase phase;
	bool first_exit_returned;
	bool past_key_check; /* inside a successful ExitBootServices, key accepted */
	bool past_refusal;   /* inside an ExitBootServices whose key check refused */
	bool virtual_mode; /* SetVirtualAddressMap() succeeded */
	const void *exit_data; /* what the loader passed Exit() as ExitData */

	/* Oracle state (invariants.c). */
	bool last_read_valid;
	const uint8_t *last_read_buf;
	size_t last_read_size;     /* bytes of the map both written and reported */
	size_t last_read_told;     /* bytes the loader was told are the map */
	uint64_t last_read_key;
	uint64_t last_read_generation;
	bool size_queried;
	unsigned last_getmap_call;     /* the loader's last GetMemoryMap(), 0: none */
	EFI_STATUS last_getmap_status; /* and its answer */
	unsigned first_required, max_required; /* descriptors, over-report included */
	bool growth_noted;
	bool run_started;          /* the scenario is built; the loader runs */
	volatile bool in_loader;   /* between the loader's entry and its end */
	const void *caller;        /* return address in the loader of the current call */
	const void *run_frame;     /* fw_run()'s frame, the loader's entry's caller */
	/* For a call made in a function the loader calls itself (a wrapper such
	 * as gnu-efi's FreePool()), the return address of that function's
	 * caller, by the call's return address (fw_site_from()). */
	struct {
		const void *site;
		struct fw_chain chain;
		unsigned first_call; /* the run's first call made there */
	} site_from[FW_SITE_FROM_SLOTS];
	struct fw_chain call_chain; /* the call being made's (fw_note_site()) */
	struct fw_violation violations[FW_MAX_VIOLATIONS];
	unsigned n_violations;
	struct fw_reason reasons[FW_MAX_REASONS];
	unsigned n_reasons;
	unsigned outside_rules;    /* reasons that break the rules, among them */
	bool built_in_address_refused; /* AllocateAddress refused before any map read (pages.c) */
	bool address_taken_by_firmware; /* AllocateAddress refused: the firmware took it since */
	/* The firmware's own allocations since the loader's last read of the
	 * map (the latest FW_TAKEN_RECORDS, a ring: next_fw_taken is the
	 * oldest once it is full), and the read count they belong to (memory.c). */
	struct {
		uint64_t start, pages;
	} fw_taken[FW_TAKEN_RECORDS];
	unsigned n_fw_taken, next_fw_taken, fw_taken_reads;
	bool max_address_unbacked; /* AllocateMaxAddress below the fake RAM: given memory above */
	bool address_unbacked;	   /* AllocateAddress refused where the fake RAM is not */
	bool low_memory_missing; /* no free 64 KiB below 1 MiB at some point (map_start.c) */
	struct fw_pending_call pending[FW_MAX_PENDING];
	unsigned n_pending;

	/* How the run ends (run.c). */
	uint8_t ended;             /* enum fw_end */
	EFI_STATUS exit_status;    /* passed to Exit() */
	jmp_buf reset_jump;
	const void *halt_site;     /* where a halt spins (fw_end_run_halted()) */
	uint8_t halt_wait;         /* enum fw_halt_wait: what a halt waits for (fw_end_run_waiting()) */
	unsigned key_polls;        /* ReadKeyStroke() answers in a row with nothing else done */
	unsigned idle_polls;       /* polls of any kind in a row with nothing else done */
	const void *recent_sites[FW_RECENT_CALLS]; /* the last calls' callers, by call % size */
	const char *recent_names[FW_RECENT_CALLS]; /* and their services' names */
	uint64_t traced[FW_MAX_CALLS / 64 + 1]; /* calls with a line in the trace (tracing only) */
	/* The loader's last call of the exit dance (run.c, is_exit_dance()). */
	const void *dance_caller;
	struct fw_chain dance_chain;
	uint8_t dance_svc;  /* enum fw_service */
	unsigned dance_call;
	EFI_STATUS dance_status; /* its answer */
	/* It was a GetMemoryMap() with no room (a NULL buffer or a size of 0):
	 * a size query, whose EFI_BUFFER_TOO_SMALL is the answer it asks for. */
	bool dance_size_query;
	/* Its last call of the dance that failed, since its last successful
	 * GetMemoryMap(); a size query's EFI_BUFFER_TOO_SMALL is no failure
	 * (run.c, fw_leave()). */
	const void *failed_caller;
	struct fw_chain failed_chain;
	uint8_t failed_svc;  /* enum fw_service */
	unsigned failed_call;
	EFI_STATUS failed_status;
};

extern struct fw fw;

/* What a halt waits for: nothing (a loop of the loader's own), a key
 * nobody presses (conin.c), or events nothing will signal (timer_events.c). */
enum fw_halt_wait { HALT_LOOP, HALT_FOR_KEY, HALT_FOR_EVENTS };

/* FW_KEY_POLLS_TO_WAIT polls for a key in a row, with nothing else done
 * between them, are a wait for a key (conin.c). */
#define FW_KEY_POLLS_TO_WAIT 64u

_Noreturn void fw_end_run_waiting(const void *site, bool for_key);
bool fw_is_key_event(EFI_EVENT event);
void fw_key_polled(void);
bool fw_timer_events_armed(void);
void fw_timer_events_polled(void);
void fw_timer_events_stall(UINTN microseconds);
void fw_timer_events_install(EFI_BOOT_SERVICES *bs);
extern const EFI_SIMPLE_TEXT_INPUT_PROTOCOL fw_conin_template;

/* conout.c */
extern const SIMPLE_TEXT_OUTPUT_MODE fw_conout_mode_template;
extern const EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL fw_conout_template;

/*
 * An ExitBootServices() sequence, as data: what each personality does, in
 * order, read by the firmware (exit.c) and by the liveness predictor
 * (personality.c).  Steps before STEP_KEY_CHECK run on every call (or on
 * the first only); the ones after it on success or on failure only.
 */
enum fw_exit_action { STEP_TIMERS_OFF, STEP_SIGNAL, STEP_KEY_CHECK, STEP_END };

enum fw_exit_when {
	WHEN_EVERY_CALL,  /* before the check: on every call */
	WHEN_FIRST_CALL,  /* before the check: first call only (every call with
			   * the handlers-every-call quirk) */
	WHEN_QUIRK_ONLY,  /* before the check: only with handlers-every-call */
	WHEN_ON_SUCCESS,  /* after the check, if the key was accepted */
	WHEN_ON_FAILURE,  /* after the check, if it was refused */
};

struct fw_exit_step {
	uint8_t action; /* enum fw_exit_action */
	uint8_t group;  /* enum scn_group, for STEP_SIGNAL */
	uint8_t when;   /* enum fw_exit_when */
};

#define FW_EXIT_STEPS 8

/* personality.c */
const struct fw_exit_step *fw_exit_sequence(void);
bool fw_exit_step_runs(const struct fw_exit_step *step, bool first_call, bool accepted);
void fw_settings_resolve(const struct scenario *scn, const struct fw_options *opt);
bool fw_quirk(enum scn_quirk quirk);
uint8_t fw_default_map(void);
bool fw_revision_at_least_2_9(void);
bool fw_quirk_outside_rules(unsigned q);
bool fw_handler_defeats_retry(const struct scn_handler *h);
bool fw_timer_defeats_retry(const struct scn_timer *t);

/* envelope.c */
void fw_envelope_apply(void);
void fw_envelope_trace(void);
bool fw_envelope_allows_change(void);
void fw_trace_scenario(const struct scenario *scn);

/* map.c, map_start.c, maps_ovmf.c */
void fw_map_reset(void);
void fw_map_normalize(void);
void fw_map_adopt(void);
/* Descriptors a buffer must have room for: the current ones plus the
 * over-report (EDK2 checks the caller's size against its unmerged entry
 * count plus GCD extras, an upper bound above what it then returns,
 * exit-boot.md 2.3, F11).  Inline: asked at every map change. */
static inline unsigned fw_map_required_descs(void)
{
	return fw.n_regions + fw.over_report;
}
bool fw_map_alloc(uint32_t type, uint64_t pages, uint8_t delta, uint64_t max_end, bool by_firmware,
		  uint64_t *start);
bool fw_map_range_free(uint64_t start, uint64_t pages);
const struct fw_region *fw_map_region(unsigned i);
void fw_map_check_low_memory(void);
void fw_map_firmware_took_low(uint64_t start);
bool fw_map_alloc_at(uint32_t type, uint64_t start, uint64_t pages);
void fw_map_free(uint64_t start, uint64_t pages, bool by_firmware);
void fw_map_render(unsigned index, EFI_MEMORY_DESCRIPTOR *desc);
void fw_map_render_unchecked(uint8_t *out, size_t stride);
void fw_map_corruptions_reset(void);
/* loader_access.c */
bool fw_loader_range_reported(const void *at, size_t size, bool write);
bool fw_loader_scalar_reported(const void *at, size_t size, bool write);
void fw_loader_read(void *to, const void *from, size_t size);
void fw_loader_write(void *to, const void *from, size_t size);
void fw_loader_move(void *to, const void *from, size_t size);
void fw_loader_fill(void *to, uint8_t value, size_t size);
uint8_t *fw_first_bad_byte(uint8_t *to, size_t size);
void fw_copy_unchecked(void *to, const void *from, size_t size);
void fw_fill_unchecked(void *to, uint8_t value, size_t size);
bool fw_map_matches(const uint8_t *buf, size_t size, size_t told);
bool fw_map_replaced(const uint8_t *buf, size_t size);
extern const struct fw_region fw_map_ovmf_2025[], fw_map_ovmf_2022[];
extern const unsigned fw_map_ovmf_2025_count, fw_map_ovmf_2022_count;

/* One of the loader's blocks as bad_access.c explains a bad access to it:
 * a pool or pages block (memory.c, pages.c) or a block of its heap (heap.c). */
struct fw_block_view {
	uintptr_t start;
	size_t bytes;
	bool live;
	bool in_arena;
	const char *alloc_service, *free_service; /* "AllocatePool", "malloc()" */
	unsigned alloc_call, free_call; /* the firmware's call count; 0: none */
	const void *alloc_site, *free_site;
	const char *bad_free; /* "double-free" or "bad-free" while a free() of it is reported */
};
bool fw_alloc_view(unsigned i, struct fw_block_view *out);

/* heap.c */
bool fw_heap_block_view(unsigned i, struct fw_block_view *out);
void fw_heap_release(void);

/* arena.c (its ranges: arena_written.h) */
void *fw_arena_alloc(size_t bytes, bool whole_pages, bool below_4g);
void *fw_arena_heap_alloc(size_t bytes);
bool fw_arena_owns(const void *ptr);
void fw_arena_free(void *block, size_t bytes);
void fw_arena_reset(void);
void fw_arena_after_fault(void);

/* arena_fill.c */
void fw_arena_refill(uint8_t *p, size_t bytes, uint8_t byte);
void fw_arena_fill(uint8_t *p, size_t bytes, uint8_t byte);
bool fw_arena_fill_width(unsigned bits);

/* arena_written.c */
void fw_written_arena(unsigned id, uint8_t *base);
void fw_written_zero(unsigned id, uint8_t *from, size_t bytes);
void fw_arena_zero(uint8_t *p, size_t bytes);
void fw_arena_wrote_each(const void *p, size_t count, size_t stride, size_t size);
bool fw_arena_trust_writes(bool on);
void fw_arena_check_writes(unsigned period);

/* ram.c */
bool fw_ram_covers(uint64_t start, uint64_t pages);
void *fw_ram_map(uint64_t start, uint64_t pages);
void fw_ram_unmap(uint64_t start, uint64_t pages);
bool fw_ram_contains(uintptr_t addr, size_t size);
bool fw_ram_in_machine(uintptr_t addr);

/* args.c: scalars through the loader's pointers */
UINTN fw_arg_get_uintn(const UINTN *p, const char *what);
void fw_arg_put_uintn(UINTN *p, UINTN v, const char *what);
UINT64 fw_arg_get_u64(const UINT64 *p, const char *what);
void fw_arg_put_u64(UINT64 *p, UINT64 v, const char *what);
void fw_arg_put_u32(UINT32 *p, UINT32 v, const char *what);
void fw_arg_put_ptr(VOID **p, VOID *v, const char *what);

/* getmap.c */
EFI_STATUS EFIAPI fw_GetMemoryMap(UINTN *size, EFI_MEMORY_DESCRIPTOR *map, UINTN *key,
				 UINTN *desc_size, UINT32 *desc_version);

/* memory.c */
void fw_memory_reset(void);
void fw_memory_install(EFI_BOOT_SERVICES *bs);
void fw_memory_release(void);
const struct fw_alloc *fw_alloc_containing(const void *ptr, bool live);
void fw_note_firmware_took(uint64_t start, uint64_t pages);
bool fw_taken_since_read(uint64_t start, uint64_t pages);
unsigned fw_live_loader_allocations(const struct fw_alloc **first);
bool fw_action_run(const struct scn_action *action, bool by_timer);
/* ... and what it shares with pages.c */
bool fw_type_allocatable(EFI_MEMORY_TYPE type);
uint8_t fw_next_alloc_outcome(void);
bool fw_alloc_record_available(void);
void fw_release_host(struct fw_alloc *rec);

/* pages.c */
void fw_pages_install(EFI_BOOT_SERVICES *bs);

/* exit.c */
void fw_exit_install(EFI_BOOT_SERVICES *bs);
void fw_exit_reset(void);
void fw_timers_tick(void);

/* uboot.c: the uboot personality's own rules */
bool fw_timers_fire_at(enum fw_service svc);
void fw_uboot_stall(UINTN microseconds);
bool fw_uboot_event_alloc(struct fw_event *event);
void fw_uboot_event_free(struct fw_event *event);
bool fw_uboot_pool_zero(UINTN size, VOID **buffer);
unsigned fw_pool_overhead(void);
bool fw_uboot_key_on_success_only(const EFI_MEMORY_DESCRIPTOR *map);
EFI_STATUS fw_uboot_null_buffer(UINTN *size, size_t required);
void fw_uboot_alloc_failed(bool by_firmware);
bool fw_uboot_pool_is_nothing(uint64_t bytes);
bool fw_uboot_allocatable(uint32_t type, bool *ok);
EFI_STATUS fw_uboot_free_status(uint32_t type);

/* misc.c */
void fw_tables_reset(void);

/* compare.c: without libFuzzer's hooks on memcmp() and strcmp() */
bool fw_same_bytes(const void *a, const void *b, size_t n);
bool fw_same_text(const char *a, const char *b);

/* crc.c */
uint32_t fw_crc32(const void *data, size_t size);
uint32_t fw_crc32_unchecked(const void *data, size_t size);
void fw_table_crc(EFI_TABLE_HEADER *hdr, size_t size);

/* runtime.c, unsupported.c */
extern const EFI_RUNTIME_SERVICES fw_runtime_template;
void fw_unsupported_install(EFI_BOOT_SERVICES *bs);
void fw_protocols_install(EFI_BOOT_SERVICES *bs);
void fw_protocols_reset(void);
EFI_HANDLE fw_image_handle(void);

/* run.c */
/*
 * Where in the loader a service was called: the loader's return address,
 * and the frame of the service function it called, whose saved frame
 * pointer is that of the loader's function (fw_note_site() finds who called
 * that function).  Taken by the function in the loader's table itself
 * (FW_HERE), and handed on by any helper it calls.
 */
struct fw_site {
	const void *caller;
	void *const *frame;
};
#define FW_HERE ((struct fw_site){ __builtin_return_address(0), __builtin_frame_address(0) })
EFI_STATUS fw_enter(enum fw_service svc, struct fw_site site);
/* Every service starts with FW_ENTER: the loader's return address says where
 * in the loader a violation happened. */
#define FW_ENTER(svc) fw_enter((svc), FW_HERE)

/* call_sites.c */
void fw_note_site(struct fw_site site);
const void *fw_site_from(const void *site);
void fw_note_halt_site(const void *site, void *const *frame, const void *sp);
const struct fw_chain *fw_site_chain(const void *site);
unsigned fw_site_first_call(const void *site);
unsigned fw_chain_callers(const struct fw_chain *chain, const void **out, unsigned max);

/* run.c */
EFI_STATUS fw_leave(enum fw_service svc, EFI_STATUS status);
void fw_map_changed(bool by_firmware);
void fw_not_compliant(bool outside_rules, const char *why);
void fw_cannot_model(const char *why);
void fw_trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define FW_TRACE(...)                                                                          \
	do {                                                                                   \
		if (fw.opt->trace != NULL)                                                     \
			fw_trace(__VA_ARGS__);                                                 \
	} while (0)
const char *fw_status_name(EFI_STATUS status);

/* violations.c */
void oracle_reset(void);
void oracle_violation(enum fw_invariant inv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void oracle_violation_at(enum fw_invariant inv, const void *site, const struct fw_chain *chain,
			 const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
_Noreturn void oracle_fatal(enum fw_invariant inv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void oracle_end_run(struct fw_result *result);

/* invariants.c */
void oracle_resolve_pending(enum fw_invariant as);
void oracle_check_call_allowed(enum fw_service svc);
void oracle_check_call_budget(const char *what);
bool oracle_check_argument_alignment(const void *p, size_t align, const char *what);
void oracle_check_exit_attempts(void);
bool oracle_check_free_pages(bool covered, UINTN pages);
void oracle_check_map_buffer(const void *buf, UINTN size);
void oracle_note_size_query(void);
void oracle_note_map_read(const void *buf, size_t size, size_t told);
void oracle_check_exit_key(UINTN key);
void oracle_check_map_current(void);
void oracle_note_growth(void);
struct fw_alloc *oracle_check_free(const void *ptr, const char *service);

/* end_of_run.c */
void oracle_check_end(struct fw_result *result);

#endif /* EBSFUZZ_FUZZ_FW_INTERNAL_H */
