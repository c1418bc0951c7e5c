/* SPDX-License-Identifier: MIT */
/*
 * places.c - where in the loader a finding is: a return address or a
 * report's frame made "file:line", symbolized once each, for the findings'
 * identity and the campaign's table (findings.c, sanitizer_reports.c).
 *
 * A process that cannot symbolize (AFL++ and the campaign's libFuzzer
 * workers run with symbolize=0, plain builds have none) writes offsets in
 * its executable instead, which the campaign resolves with llvm-symbolizer
 * the same way (scripts/fuzz-campaign, resolve_place()).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "findings_internal.h"

/* The sanitizers' interface, present only in sanitized builds. */
void __sanitizer_symbolize_pc(void *pc, const char *fmt, char *out, size_t size)
	__attribute__((weak));

/* More call sites than any loader has: the cache starts over. */
#define MAX_PLACES 256u

/* Places in the loader, symbolized once each: as a call's place (with the
 * caller of the function it was made in, findings_call_place()) or as a
 * plain one (findings_where_is()), which names only the innermost line.
 * Apart: the Limine port's leak was two rows, its allocation named plainly
 * first (for an overflow's "allocated at") and then found in the cache
 * without the line that called the function. */
static struct {
	const void *pc, *from;
	bool call;
	char where[200];
} places[MAX_PLACES];
static unsigned n_places;

/* The slot for the place of @pc (called from @from) as @call names it,
 * and whether it is already symbolized. */
static unsigned place_slot(const void *pc, const void *from, bool call, bool *known)
{
	unsigned i;

	for (i = 0; i < n_places; i++)
		if (places[i].pc == pc && places[i].from == from && places[i].call == call) {
			*known = true;
			return i;
		}
	if (n_places == MAX_PLACES)
		n_places = 0; /* more call sites than any loader has: start over */
	places[n_places].pc = pc;
	places[n_places].from = from;
	places[n_places].call = call;
	places[n_places].where[0] = 0;
	*known = false;
	return n_places++;
}

/* "file:line" of the call at return address @pc, for dedup and the table. */
const char *findings_where_is(const void *pc)
{
	Dl_info info;
	unsigned i;
	bool known;

	if (pc == NULL)
		return "?";
	i = place_slot(pc, NULL, false, &known);
	if (known)
		return places[i].where;
	/* The call instruction ends one byte before its return address, and
	 * __sanitizer_symbolize_pc() looks up the byte before the address it
	 * is given itself (compiler-rt's GetPreviousInstructionPc()): given
	 * @pc - 1 it named the instruction before, the same line for a call,
	 * but for a halt (its site the interrupted instruction + 1,
	 * fuzz/halts.c) often the line before the loop, a second row for one
	 * halt. */
	if (__sanitizer_symbolize_pc != NULL)
		__sanitizer_symbolize_pc((void *)pc, "%s:%l", places[i].where,
					 sizeof(places[0].where));
	/* No symbolizer (AFL++ and the campaign's libFuzzer workers run with
	 * symbolize=0, plain builds have none): the offset in the executable,
	 * which the campaign resolves afterwards with llvm-symbolizer. */
	if ((places[i].where[0] == 0 || places[i].where[0] == '<') && dladdr(pc, &info) != 0)
		snprintf(places[i].where, sizeof(places[0].where), "pc:0x%lx",
			 (unsigned long)((uintptr_t)pc - 1 - (uintptr_t)info.dli_fbase));
	else if (places[i].where[0] == 0)
		snprintf(places[i].where, sizeof(places[0].where), "?");
	return places[i].where;
}

/**
 * findings_harness_file() - whether a source file is the harness's own.
 * @file: as a report or the symbolizer names it, relative or absolute.
 *
 * UBSan's reports about these are our bugs, not the loader's, and no
 * place of the loader's lies in them.
 */
bool findings_harness_file(const char *file)
{
	static const char *const prefixes[] = { "fuzz/fw/",	   "fuzz/fuzz_ebs.c",
						"fuzz/findings.c", "fuzz/places.c",
						"fuzz/crash_on.c",
						"fuzz/sanitizer_reports.c", "fuzz/signals.c",
						"fuzz/loader_code.c", "fuzz/loader_heap.c",
						"fuzz/statics.c",  "fuzz/script",
						"fuzz/replay.c" };
	unsigned i;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(file, prefixes[i], strlen(prefixes[i])) == 0 ||
		    strstr(file, prefixes[i]) != NULL)
			return true;
	return false;
}

/* Whether @place ("file:line", symbolized) is a line of the loader's. */
static bool loader_line(const char *place)
{
	const char *colon = strrchr(place, ':');

	return place[0] != 0 && place[0] != '?' && place[0] != '<' && colon != NULL &&
	       colon[1] >= '1' && colon[1] <= '9' && !findings_harness_file(place) &&
	       strstr(place, "compiler-rt") == NULL && strncmp(place, "/usr/", 5) != 0;
}

/* The first of the loader's lines among the frames __sanitizer_symbolize_pc()
 * wrote to @frames (one string per frame of an inlining chain, innermost
 * first; @size bytes, zeroed before), past the first if @past_first: the
 * line in the source that called the function, inlined or not. */
static const char *first_loader_line(const char *frames, size_t size, bool past_first)
{
	const char *at = frames;

	while ((size_t)(at - frames) < size && *at != 0) {
		if (loader_line(at) && !(past_first && at == frames))
			return at;
		at += strlen(at) + 1;
	}
	return NULL;
}

/* @place followed by " (from line N)", or " (from FILE:N)" with the file's
 * base name where @from is in another file than @place. */
static void append_from(char *place, size_t size, const char *from)
{
	const char *line = strrchr(from, ':'), *base;
	size_t file = strlen(place) - strlen(strrchr(place, ':'));
	size_t used = strlen(place);

	if ((size_t)(line - from) == file && strncmp(place, from, file) == 0) {
		snprintf(place + used, size - used, " (from line %s)", line + 1);
		return;
	}
	base = from;
	while (memchr(base, '/', (size_t)(line - base)) != NULL)
		base = (const char *)memchr(base, '/', (size_t)(line - base)) + 1;
	snprintf(place + used, size - used, " (from %s)", base);
}

/**
 * findings_inlined_lines() - every line of the source the return address
 * @pc stands for, innermost first, one per line of the text: the line of
 * the call, then, where the compiler inlined the function it is in, the
 * line that called that function, and so on out to a function of its own.
 * For the trace (fw_set_place_namer()): a chain of wrappers, most of them
 * inlined (efilinux's malloc() and allocate_pool() into its load_kernel()),
 * shows as the lines of the source.
 * @pc: a return address in the loader.
 *
 * Return: the lines, in a buffer the next call overwrites; "?" without a
 * symbolizer.
 */
const char *findings_inlined_lines(const void *pc)
{
	static char frames[1024], lines[1024];
	const char *at = frames;
	size_t n = 0;

	memset(frames, 0, sizeof(frames));
	lines[0] = 0;
	if (pc != NULL && __sanitizer_symbolize_pc != NULL)
		__sanitizer_symbolize_pc((void *)pc, "%s:%l", frames, sizeof(frames) - 1);
	/* One frame after another, each ended by a NUL, an empty one last. */
	while ((size_t)(at - frames) < sizeof(frames) && *at != 0) {
		if (loader_line(at) && n < sizeof(lines))
			n += (size_t)snprintf(lines + n, sizeof(lines) - n, "%s%s", n > 0 ? "\n" : "", at);
		at += strlen(at) + 1;
	}
	return lines[0] != 0 ? lines : "?";
}

/**
 * findings_call_place() - the place of the loader's call at return address
 * @pc, and where the function it is in was called from.
 * @pc: the call's return address.
 * @from: the return address into the caller of the loader's function that
 *	made the call (fw_site_from()), or NULL.
 *
 * A wrapper the loader calls from several places (gnu-efi's FreePool(),
 * GRUB's grub_efi_get_memory_map()) makes its calls on one line: every bad
 * free of a gnu-efi loader was one row at FreePool(), whichever free it
 * was.  So the place names the caller too: "file:line (from line N)", N
 * the line that called the function, and a call from each line is a
 * finding of its own.  Where the compiler inlined the function, the line
 * that called it comes with @pc's own symbol; otherwise from @from.  One
 * level, inlined or not: a line of the source, not the line the compiler
 * inlined its function into (the Limine port's exit function, inlined
 * into the entry point, named every call in it "from line 82", its
 * panic's among them, and merged the panics of its error paths).  The
 * loader's entry point, called by the harness, has no caller named.
 * Unsymbolized (see findings_where_is()), "call:0xPC[,0xFROM]", which the
 * campaign resolves the same way.
 *
 * Return: the place, for dedup and the table.
 */
const char *findings_call_place(const void *pc, const void *from)
{
	char frames[sizeof(places[0].where)] = { 0 }, caller[sizeof(places[0].where)] = { 0 };
	const char *parent = NULL;
	Dl_info info, from_info;
	unsigned i;
	bool known;

	if (pc == NULL)
		return "?";
	i = place_slot(pc, from, true, &known);
	if (known)
		return places[i].where;
	if (__sanitizer_symbolize_pc != NULL) {
		__sanitizer_symbolize_pc((void *)pc, "%s:%l", frames, sizeof(frames) - 1);
		parent = first_loader_line(frames, sizeof(frames), true);
		if (parent == NULL && from != NULL) {
			__sanitizer_symbolize_pc((void *)from, "%s:%l", caller, sizeof(caller) - 1);
			parent = first_loader_line(caller, sizeof(caller), false);
		}
	}
	if (frames[0] != 0 && frames[0] != '<') {
		snprintf(places[i].where, sizeof(places[0].where), "%s", frames);
		if (parent != NULL && loader_line(frames))
			append_from(places[i].where, sizeof(places[0].where), parent);
	} else if (dladdr(pc, &info) != 0 && from != NULL && dladdr(from, &from_info) != 0) {
		snprintf(places[i].where, sizeof(places[0].where), "call:0x%lx,0x%lx",
			 (unsigned long)((uintptr_t)pc - 1 - (uintptr_t)info.dli_fbase),
			 (unsigned long)((uintptr_t)from - 1 - (uintptr_t)from_info.dli_fbase));
	} else if (dladdr(pc, &info) != 0) {
		snprintf(places[i].where, sizeof(places[0].where), "call:0x%lx",
			 (unsigned long)((uintptr_t)pc - 1 - (uintptr_t)info.dli_fbase));
	} else {
		snprintf(places[i].where, sizeof(places[0].where), "?");
	}
	return places[i].where;
}
