/* SPDX-License-Identifier: MIT */
/*
 * test_placement.c - where a finding is placed and what it says, so that
 * one behaviour is one row at the line to fix: a loop that runs out the
 * call budget (termination) at one place, whichever of its calls the
 * budget ran out at; a way out after the last failed exit (a print, frees,
 * another print) one call-after-giving-up, at its first call; liveness at
 * the exit-boot call that failed, naming EDK2's over-report where a re-read
 * came back too small.
 */
#include <stdio.h>
#include <string.h>

#include "fixtures.h"

/* U-Boot before 2020 leaves the size unwritten on EFI_BUFFER_TOO_SMALL:
 * gnu-efi's LibMemoryMap() (Syslinux) grows its buffer by nothing, for
 * ever.  Here with a print and a stall in the loop, after @prefix prints,
 * so that the budget runs out at each of the loop's calls in turn. */
static EFI_STATUS grows_by_nothing(EFI_SYSTEM_TABLE *st, int prefix)
{
	static CHAR16 dot[] = u".";
	EFI_BOOT_SERVICES *bs = st->BootServices;
	UINTN size = 0, key, dsize = 0;
	UINT32 version;
	int i;

	for (i = 0; i < prefix; i++)
		st->ConOut->OutputString(st->ConOut, dot);
	for (;;) {
		if (bs->GetMemoryMap(&size, NULL, &key, &dsize, &version) != EFI_BUFFER_TOO_SMALL)
			return EFI_LOAD_ERROR;
		st->ConOut->OutputString(st->ConOut, dot);
		bs->Stall(1);
	}
}

static EFI_STATUS prefix0(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	(void)image;
	return grows_by_nothing(st, 0);
}

static EFI_STATUS prefix1(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	(void)image;
	return grows_by_nothing(st, 1);
}

static EFI_STATUS prefix2(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	(void)image;
	return grows_by_nothing(st, 2);
}

/* Syslinux: "Failed to exit boot services", frees, then its prompt. */
static EFI_STATUS gives_up_with_prints_and_frees(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	static CHAR16 failed[] = u"Failed to exit boot services\r\n", prompt[] = u"boot: ";
	struct held_map m;

	if (read_map(st, &m) != EFI_SUCCESS)
		return EFI_LOAD_ERROR;
	if (m.bs->ExitBootServices(image, m.key) == EFI_SUCCESS)
		return EFI_SUCCESS;
	st->ConOut->OutputString(st->ConOut, failed);
	m.bs->FreePool(m.buf);
	st->ConOut->OutputString(st->ConOut, prompt);
	return EFI_LOAD_ERROR;
}

/* memtest86+: the buffer sized from a read's answer plus 8 descriptors,
 * a failed exit, a re-read into it, then the error message. */
static EFI_STATUS sizes_from_read_answer(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	static CHAR16 failed[] = u"failed to exit boot services\r\n";
	EFI_BOOT_SERVICES *bs = st->BootServices;
	static UINT8 probe[64 * 1024];
	UINTN size = sizeof(probe), key, dsize;
	UINT32 version;
	UINT8 *buf;

	if (bs->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)(void *)probe, &key, &dsize,
			     &version) != EFI_SUCCESS)
		return EFI_LOAD_ERROR;
	size += 8 * dsize;
	if (bs->AllocatePool(EfiLoaderData, size, (VOID **)&buf) != EFI_SUCCESS ||
	    bs->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)(void *)buf, &key, &dsize,
			     &version) != EFI_SUCCESS)
		return EFI_LOAD_ERROR;
	if (bs->ExitBootServices(image, key) == EFI_SUCCESS)
		return EFI_SUCCESS;
	if (bs->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)(void *)buf, &key, &dsize,
			     &version) == EFI_SUCCESS &&
	    bs->ExitBootServices(image, key) == EFI_SUCCESS)
		return EFI_SUCCESS;
	st->ConOut->OutputString(st->ConOut, failed);
	return EFI_LOAD_ERROR;
}

/* Unikraft: the map read, its region table full, the crash message; no
 * exit attempt.  Its last exit-boot call succeeded: the liveness row is at
 * the loader's own give-up, its last call. */
static EFI_STATUS gives_up_after_good_read(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	static CHAR16 full[] = u"Failed to insert mrd\r\n";
	struct held_map m;

	(void)image;
	if (read_map(st, &m) != EFI_SUCCESS)
		return EFI_LOAD_ERROR;
	st->ConOut->OutputString(st->ConOut, full);
	return EFI_OUT_OF_RESOURCES;
}

/* OpenBSD's efiboot: the size asked for, then its heap too small for the
 * map (libsa's alloc() draws on pages taken earlier), a panic message and
 * a reset.  Its last exit-boot call was a size query, answered as asked:
 * the row belongs at its own give-up. */
static EFI_STATUS gives_up_after_size_query(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	static CHAR16 heap_full[] = u"heap full\r\n";
	EFI_BOOT_SERVICES *bs = st->BootServices;
	UINTN size = 0, key, dsize;
	UINT32 version;

	(void)image;
	if (bs->GetMemoryMap(&size, NULL, &key, &dsize, &version) != EFI_BUFFER_TOO_SMALL)
		return EFI_LOAD_ERROR;
	st->ConOut->OutputString(st->ConOut, heap_full);
	st->RuntimeServices->ResetSystem(EfiResetCold, EFI_OUT_OF_RESOURCES, 0, NULL);
	return EFI_LOAD_ERROR;
}

/* gnu-efi's FreePool(), out of line: every bad free of a loader built on
 * it is made on this one line.  Called after the loader's last failed
 * exit, from one of two places. */
static __attribute__((noinline)) void lib_free_pool(EFI_BOOT_SERVICES *bs, void *buffer)
{
	bs->FreePool(buffer);
}

/* The map read into a buffer and the exit refused: the buffer, or NULL. */
static void *exit_refused(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;

	if (read_map(st, &m) != EFI_SUCCESS || m.bs->ExitBootServices(image, m.key) == EFI_SUCCESS)
		return NULL;
	return m.buf;
}

static EFI_STATUS frees_one_way(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	void *buf = exit_refused(image, st);

	if (buf != NULL)
		lib_free_pool(st->BootServices, buf);
	return EFI_LOAD_ERROR;
}

static EFI_STATUS frees_other_way(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	void *buf = exit_refused(image, st);

	if (buf != NULL)
		lib_free_pool(st->BootServices, buf);
	return EFI_ABORTED;
}

/* The same, FreePool called in the loader's entry point itself. */
static EFI_STATUS frees_in_entry(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;

	if (read_map(st, &m) != EFI_SUCCESS)
		return EFI_LOAD_ERROR;
	if (m.bs->ExitBootServices(image, m.key) == EFI_SUCCESS)
		return EFI_SUCCESS;
	m.bs->FreePool(m.buf);
	return EFI_LOAD_ERROR;
}

/* efilinux: the map read and the exit refused, not tried again; its error
 * text allocated (a call of the exit dance, and it succeeds) and printed,
 * then an error returned.  Against the same loader returning at once, its
 * last exit-boot call the refused exit: the liveness row is at the exit in
 * both, the one call that went wrong. */
static __attribute__((noinline)) EFI_STATUS try_exit(EFI_HANDLE image, struct held_map *m)
{
	return m->bs->ExitBootServices(image, m->key);
}

static EFI_STATUS exit_not_retried(EFI_HANDLE image, EFI_SYSTEM_TABLE *st, bool explains)
{
	static CHAR16 failed[] = u"exit_boot_services: Invalid Parameter\r\n";
	struct held_map m;
	VOID *text;

	if (read_map(st, &m) != EFI_SUCCESS)
		return EFI_LOAD_ERROR;
	if (try_exit(image, &m) == EFI_SUCCESS)
		return EFI_SUCCESS;
	if (explains && m.bs->AllocatePool(EfiLoaderData, sizeof(failed), &text) == EFI_SUCCESS) {
		memcpy(text, failed, sizeof(failed));
		st->ConOut->OutputString(st->ConOut, text);
	}
	return EFI_INVALID_PARAMETER;
}

static EFI_STATUS exit_not_retried_quietly(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	return exit_not_retried(image, st, false);
}

static EFI_STATUS exit_not_retried_explained(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	return exit_not_retried(image, st, true);
}

/* Hyper: every fatal path calls panic(), whose for (;;) halts at one line
 * of it; the line that called panic() tells the paths apart.  The halt is
 * ended here where fuzz/halts.c would see the loop, with panic()'s frame
 * record, as its sample has the frame pointer. */
static __attribute__((noinline)) _Noreturn void spin_in(void *const *frame)
{
	fw_end_run_halted(__builtin_return_address(0), frame, __builtin_frame_address(0));
}

static __attribute__((noinline)) _Noreturn void panic(void)
{
	spin_in(__builtin_frame_address(0));
}

static EFI_STATUS panics_one_way(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;

	if (read_map(st, &m) != EFI_SUCCESS || m.bs->ExitBootServices(image, m.key) != EFI_SUCCESS)
		panic();
	return EFI_SUCCESS;
}

static EFI_STATUS panics_other_way(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;

	if (read_map(st, &m) != EFI_SUCCESS)
		return EFI_LOAD_ERROR;
	if (m.bs->ExitBootServices(image, m.key) != EFI_SUCCESS)
		panic();
	return EFI_SUCCESS;
}

/* efilinux: its malloc() calls allocate_pool(), which calls the firmware:
 * a wrapper calling a wrapper, here called by a function of the loader's
 * that its entry point calls.  The row names the call and one caller; the
 * trace names them all. */
static __attribute__((noinline)) void lib_free(EFI_BOOT_SERVICES *bs, void *buffer)
{
	lib_free_pool(bs, buffer);
}

static __attribute__((noinline)) void frees_on_the_way_out(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	void *buf = exit_refused(image, st);

	if (buf != NULL)
		lib_free(st->BootServices, buf);
}

static EFI_STATUS frees_through_two_wrappers(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	frees_on_the_way_out(image, st);
	return EFI_LOAD_ERROR;
}

/* Names every return address "line" (a symbolizer's job in a campaign). */
static const char *every_pc_a_line(const void *pc)
{
	(void)pc;
	return "line";
}

/* The trace of @loader's run on firmware that refuses every exit. */
static void traced_run(fw_loader_fn loader, char *text, size_t size)
{
	static struct scenario scn;
	static struct fw_result result;
	struct fw_options opt = testlib_options;
	FILE *trace = tmpfile();
	size_t n = 0;

	text[0] = 0;
	if (trace == NULL)
		return;
	opt.keep_going = true;
	opt.trace = trace;
	fw_set_place_namer(every_pc_a_line);
	scenario_from_text("quirk persistent-invalid-parameter on\n", &scn);
	fw_run(&scn, loader, &opt, &result);
	fw_set_place_namer(NULL);
	rewind(trace);
	n = fread(text, 1, size - 1, trace);
	text[n] = 0;
	fclose(trace);
}

/* MikanOS: the map read, the kernel's AllocateAddress refused, the error
 * printed through EDK2's Print() (an AllocatePool() and a FreePool() that
 * succeed), then a halt: liveness is at the refused allocation. */
static __attribute__((noinline)) EFI_STATUS load_kernel_at(EFI_BOOT_SERVICES *bs,
							    EFI_PHYSICAL_ADDRESS at)
{
	return bs->AllocatePages(AllocateAddress, EfiLoaderData, 16, &at);
}

static EFI_STATUS kernel_address_refused(EFI_HANDLE image, EFI_SYSTEM_TABLE *st, bool prints)
{
	static CHAR16 failed[] = u"failed to allocate pages\r\n";
	struct held_map m;
	VOID *text;

	(void)image;
	if (read_map(st, &m) != EFI_SUCCESS)
		return EFI_LOAD_ERROR;
	if (load_kernel_at(m.bs, 0x900000) == EFI_SUCCESS) /* BootServicesData in the small map */
		return EFI_SUCCESS;
	if (prints && m.bs->AllocatePool(EfiBootServicesData, sizeof(failed), &text) == EFI_SUCCESS) {
		memcpy(text, failed, sizeof(failed));
		st->ConOut->OutputString(st->ConOut, text);
		m.bs->FreePool(text);
	}
	return EFI_LOAD_ERROR;
}

static EFI_STATUS kernel_address_refused_quietly(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	return kernel_address_refused(image, st, false);
}

static EFI_STATUS kernel_address_refused_printed(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	return kernel_address_refused(image, st, true);
}

/* gnu-efi's AllocatePool(), out of line. */
static __attribute__((noinline)) VOID *lib_allocate_pool(EFI_BOOT_SERVICES *bs, UINTN size)
{
	VOID *p = NULL;

	return bs->AllocatePool(EfiLoaderData, size, &p) == EFI_SUCCESS ? p : NULL;
}

/* A block from the wrapper, then calls from 128 places of its own (more
 * than the table of call sites holds), then a give-up still holding the
 * block: the leak is placed at the wrapper's call, found at the run's end
 * with the caller noted at the allocation. */
#define ATTR(st) (st)->ConOut->SetAttribute((st)->ConOut, 0)
#define ATTR8(st) ATTR(st); ATTR(st); ATTR(st); ATTR(st); ATTR(st); ATTR(st); ATTR(st); ATTR(st)
#define ATTR64(st) ATTR8(st); ATTR8(st); ATTR8(st); ATTR8(st); ATTR8(st); ATTR8(st); ATTR8(st); ATTR8(st)
static EFI_STATUS leaks_after_many_calls(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	(void)image;
	if (lib_allocate_pool(st->BootServices, 64) == NULL)
		return EFI_LOAD_ERROR;
	ATTR64(st);
	ATTR64(st);
	return EFI_LOAD_ERROR;
}

/* A block from the wrapper at one line, held; then, if @again, another
 * through the same wrapper from another line, freed; then a give-up.  The
 * leak is the first block's, and its row names the first line, whatever
 * the wrapper was called from after it (U-Boot's EFI stub: a leak named
 * the line of a later, failed allocation). */
static __attribute__((noinline)) EFI_STATUS leaks_first_block(EFI_SYSTEM_TABLE *st, bool again)
{
	VOID *later;

	if (lib_allocate_pool(st->BootServices, 64) == NULL)
		return EFI_LOAD_ERROR;
	if (again && (later = lib_allocate_pool(st->BootServices, 32)) != NULL)
		st->BootServices->FreePool(later);
	return EFI_LOAD_ERROR;
}

static EFI_STATUS leaks_then_allocates_again(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	(void)image;
	return leaks_first_block(st, true);
}

static EFI_STATUS leaks_only(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	(void)image;
	return leaks_first_block(st, false);
}

/* Two calls of a loop, each in a function of its own: the one defined
 * first lies lower in the code. */
static __attribute__((noinline)) void loop_call_low(EFI_BOOT_SERVICES *bs)
{
	bs->Stall(1);
}

static __attribute__((noinline)) void loop_call_high(EFI_BOOT_SERVICES *bs)
{
	bs->SetWatchdogTimer(0, 0, 0, NULL);
}

/* A loop that runs the budget out, entered at the higher call. */
static EFI_STATUS loops_high_first(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	(void)image;
	for (;;) {
		loop_call_high(st->BootServices);
		loop_call_low(st->BootServices);
	}
}

/* The same loop, entered at the lower. */
static EFI_STATUS loops_low_first(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	(void)image;
	for (;;) {
		loop_call_low(st->BootServices);
		loop_call_high(st->BootServices);
	}
}

/* @loader's run on @scenario, in this process, every violation kept. */
static const struct fw_result *run_keeping_going(fw_loader_fn loader, const char *scenario)
{
	static struct scenario scn;
	static struct fw_result result;
	struct fw_options opt = testlib_options;

	opt.keep_going = true;
	scenario_from_text(scenario, &scn);
	fw_run(&scn, loader, &opt, &result);
	return &result;
}

/* The first @invariant violation of @loader's run on @scenario. */
static struct fw_violation violation_of(fw_loader_fn loader, const char *scenario,
					enum fw_invariant invariant)
{
	const struct fw_result *result = run_keeping_going(loader, scenario);
	struct fw_violation none = { 0 };
	unsigned i;

	for (i = 0; i < result->n_violations; i++)
		if (result->violations[i].invariant == invariant)
			return result->violations[i];
	return none;
}

/* How many @invariant violations @loader's run on @scenario had. */
static unsigned count_of(fw_loader_fn loader, const char *scenario, enum fw_invariant invariant)
{
	const struct fw_result *result = run_keeping_going(loader, scenario);
	unsigned i, n = 0;

	for (i = 0; i < result->n_violations; i++)
		n += result->violations[i].invariant == invariant;
	return n;
}

/* esx-boot's retry: after a failed exit it frees its buffer at one line
 * and allocates another at the next, then reads and tries again. */
static EFI_STATUS frees_and_allocates_before_retry(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;
	VOID *again = NULL;

	if (read_map(st, &m) != EFI_SUCCESS)
		return EFI_LOAD_ERROR;
	if (m.bs->ExitBootServices(image, m.key) == EFI_SUCCESS)
		return EFI_SUCCESS;
	m.bs->FreePool(m.buf);
	if (m.bs->AllocatePool(EfiLoaderData, m.capacity, &again) != EFI_SUCCESS)
		return EFI_LOAD_ERROR;
	m.buf = again;
	return reread_and_exit(image, &m);
}

/* The call-after-giving-up violation of @loader's run on firmware that
 * refuses every exit. */
static struct fw_violation given_up(fw_loader_fn loader)
{
	return violation_of(loader, "quirk persistent-invalid-parameter on\n",
			    INV_CALL_AFTER_GIVING_UP);
}

/* How many lines of @output contain @text. */
static unsigned lines_with(const char *output, const char *text)
{
	unsigned n = 0;

	for (const char *p = output; (p = strstr(p, text)) != NULL; p += strlen(text))
		n++;
	return n;
}

/* The termination line of a run's output, or "". */
static void termination_line(const char *output, char *line, size_t size)
{
	const char *at = strstr(output, "ebsfuzz: invariant termination violated:");
	size_t n = 0;

	if (at != NULL)
		while (at[n] != '\0' && at[n] != '\n')
			n++;
	snprintf(line, size, "%.*s", (int)n, at != NULL ? at : "");
}

int main(void)
{
	static const fw_loader_fn loaders[] = { prefix0, prefix1, prefix2 };
	static const char scenario[] =
		"firmware uboot\nquirk size-unwritten-on-too-small on\n";
	char first[300], line[300];
	struct run_outcome out;
	bool same = true;
	unsigned i;

	for (i = 0; i < sizeof(loaders) / sizeof(loaders[0]); i++) {
		run_forked(scenario, loaders[i], &out);
		termination_line(out.output, i == 0 ? first : line, sizeof(line));
		if (i > 0 && strcmp(first, line) != 0) {
			fprintf(stderr, "%s\n%s\n", first, line);
			same = false;
		}
	}
	test_result("a loop that runs out the budget: one finding, whichever call it ran out at",
		    same && first[0] != '\0' && strstr(first, "in a loop") != NULL, &out);
	/* The map grows past the bound during the exit: no boot owed. */
	run_forked("firmware ami\n"
		   "handler exit once alloc-pages BootServicesData amount=1 delta=+1 repeat=16\n",
		   gives_up_with_prints_and_frees, &out);
	test_result("a way out of a print, a free and a print: one call-after-giving-up",
		    lines_with(out.output, "invariant call-after-giving-up violated") == 1 &&
			    strstr(out.output, "ConOut called after the loader's last "
					       "ExitBootServices failed, on its way out (call 5, and 2 "
					       "other call site(s) after it)") != NULL,
		    &out);
	run_forked("firmware edk2-2025\n"
		   "handler before-exit once alloc-pages BootServicesData amount=1 delta=+2 repeat=1\n",
		   sizes_from_read_answer, &out);
	test_result("liveness at a re-read too small names EDK2's over-report",
		    strstr(out.output, "its last exit-boot call: GetMemoryMap (call 5) -> "
				       "EFI_BUFFER_TOO_SMALL (it asks for 7 descriptor(s) more than a "
				       "read returns: the map before merging") != NULL,
		    &out);
	run_forked("firmware edk2-2025\n", gives_up_after_good_read, &out);
	test_result("liveness after a good read names it as such",
		    strstr(out.output, "its last exit-boot call: GetMemoryMap (call 3) -> "
				       "EFI_SUCCESS") != NULL,
		    &out);
	run_forked("firmware edk2-2025\n", gives_up_after_size_query, &out);
	test_result("liveness after a size query is placed at the give-up and says so",
		    strstr(out.output, "its last exit-boot call: GetMemoryMap size query (call 1) "
				       "-> EFI_BUFFER_TOO_SMALL") != NULL &&
			    strstr(out.output, "more than a read returns") == NULL,
		    &out);
	{
		static const char refused_once[] =
			"firmware edk2-2025\nhandler before-exit once alloc-pages BootServicesData "
			"amount=1 delta=+1 repeat=1\n";
		struct fw_violation quiet = violation_of(exit_not_retried_quietly, refused_once,
							 INV_LIVENESS);
		struct fw_violation explained = violation_of(exit_not_retried_explained,
							     refused_once, INV_LIVENESS);

		test_result("liveness after an exit not tried again is at the exit, whatever the "
			    "loader allocated on its way out",
			    quiet.caller != NULL && explained.caller == quiet.caller &&
				    strstr(explained.message, "; its last call that failed: "
							      "ExitBootServices (call 4) -> "
							      "EFI_INVALID_PARAMETER") != NULL,
			    &out);
	}
	{
		struct fw_violation quiet = violation_of(kernel_address_refused_quietly,
							 "firmware edk2-2025\n", INV_LIVENESS);
		struct fw_violation printed = violation_of(kernel_address_refused_printed,
							   "firmware edk2-2025\n", INV_LIVENESS);

		test_result("liveness after a refused allocation is at it, not at the print after it",
			    quiet.caller != NULL && printed.caller == quiet.caller &&
				    strstr(printed.message, "; its last call that failed: "
							    "AllocatePages") != NULL,
			    &out);
	}
	{
		/* No boot owed (every exit refused): the halts are hangs. */
		struct fw_violation one = violation_of(panics_one_way,
						       "quirk persistent-invalid-parameter on\n",
						       INV_HANG);
		struct fw_violation other = violation_of(panics_other_way,
							 "quirk persistent-invalid-parameter on\n",
							 INV_HANG);

		test_result("a halt in a function every fatal path calls names who called it",
			    one.caller != NULL && one.caller == other.caller &&
				    one.caller_from != NULL && other.caller_from != NULL &&
				    one.caller_from != other.caller_from,
			    &out);
	}
	{
		static char trace[1 << 16];
		const char *chain;

		/* The call, the wrapper's call, the function's call of it, and
		 * the entry point's call of that function. */
		traced_run(frees_through_two_wrappers, trace, sizeof(trace));
		chain = strstr(trace, "#   the loader's calls that led there, innermost first:\n"
				      "#     line\n#     line\n#     line\n#     line\n");
		test_result("a call through a wrapper of a wrapper: the trace names every call that led "
			    "there",
			    chain != NULL && strstr(trace, "# violation: call-after-giving-up") != NULL &&
				    strstr(trace, "# violation: call-after-giving-up") < chain,
			    &out);
	}
	{
		struct fw_violation one = given_up(frees_one_way), other = given_up(frees_other_way);
		struct fw_violation entry = given_up(frees_in_entry);

		/* Both frees are made on lib_free_pool()'s line; what tells
		 * them apart is the line each called it from. */
		test_result("a call in a wrapper names who called the wrapper",
			    one.caller != NULL && one.caller == other.caller &&
				    one.caller_from != NULL && other.caller_from != NULL &&
				    one.caller_from != other.caller_from &&
				    entry.caller != NULL && entry.caller_from == NULL,
			    &out);
	}
	{
		struct fw_violation leak = violation_of(leaks_after_many_calls, "firmware edk2-2025\n",
							INV_LEAK);

		test_result("a leak through a wrapper, found at the end of a run of many call "
			    "sites, names who called the wrapper",
			    leak.caller != NULL && leak.caller_from != NULL, &out);
	}
	{
		struct fw_violation first = violation_of(frees_and_allocates_before_retry,
							 AMI_OPTION_ROM, INV_FORBIDDEN_CALL);

		test_result("calls between a failed exit and the retry at two lines: one finding, at "
			    "the first",
			    count_of(frees_and_allocates_before_retry, AMI_OPTION_ROM,
				     INV_FORBIDDEN_CALL) == 1 &&
				    strstr(first.message, "FreePool called after a failed "
							  "ExitBootServices, before the next attempt "
							  "(call ") != NULL &&
				    strstr(first.message, "and 1 other call site(s) after it") != NULL,
			    &out);
	}
	{
		struct fw_violation high = violation_of(loops_high_first, "firmware edk2-2025\n",
							INV_TERMINATION);
		struct fw_violation low = violation_of(loops_low_first, "firmware edk2-2025\n",
						       INV_TERMINATION);

		/* Not at the lower of the two in the code, which another build
		 * may lay out the other way round. */
		test_result("a loop that runs the budget out is placed at the call it made first",
			    high.caller != NULL && low.caller != NULL && high.caller != low.caller,
			    &out);
	}
	{
		struct fw_violation alone = violation_of(leaks_only, "firmware edk2-2025\n", INV_LEAK);
		struct fw_violation again = violation_of(leaks_then_allocates_again,
							 "firmware edk2-2025\n", INV_LEAK);

		test_result("a leak through a wrapper names the line of the block's allocation, not "
			    "of a later call through the wrapper",
			    alone.caller != NULL && alone.caller_from != NULL &&
				    again.caller == alone.caller &&
				    again.caller_from == alone.caller_from,
			    &out);
	}
	return test_summary("test_placement");
}
