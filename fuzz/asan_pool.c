/* SPDX-License-Identifier: MIT */
/*
 * asan_pool.c - room in ASan's pool of reported places, in processes that
 * go on after its reports.
 *
 * Told to go on (halt_on_error=0, as the campaign's workers run), ASan
 * reports each place in the code once: it keeps the program counters it
 * has reported in a pool of 25 (kAsanBuggyPcPoolSize in compiler-rt's
 * asan_report.cpp), and when a 26th place goes wrong with the pool full it
 * ends the process (Die()) without a report.  A loader with more than 25
 * bad places in one worker's life then lost every worker at the 26th and
 * never had the rest named: a loader reading past its block at 30 lines
 * of one run gave 25 findings and 160 crashed workers in 10 s (221 runs).
 *
 * The pool is a static of ASan's runtime, linked into the executable: its
 * address is read from the executable's symbol table once, and the pool is
 * emptied when it is nearly full.  The places reported before may then be
 * reported again, once each, which costs a report but loses nothing (the
 * campaign counts a place once per run anyway).  Where the symbol is not
 * there (a stripped executable, another runtime), nothing changes.
 *
 * Once per process also let the first run that met a place decide its
 * class for the worker's life: a loader reading past its pool block on
 * every run, met first on a seed whose firmware breaks the rules, was
 * never reported on compliant firmware by that worker (one worker, that
 * seed then OVMF's map: noncompliant only).  So each class of run has a
 * pool of its own: ASan's holds the places reported in runs of the class
 * in progress, and the other class's wait here until the firmware's
 * conduct changes the class (fw_set_class_hook()).  A place is reported
 * once per class per process.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <stdbool.h>
#include <fcntl.h>
#include <link.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "asan_pool.h"

/* The pool's name in LLVM's runtime: __asan::AsanBuggyPcPool, file-static. */
#define POOL_SYMBOL "_ZN6__asanL15AsanBuggyPcPoolE"
/* Emptied with this many places to spare, before a report can find it full. */
#define POOL_SPARE 2u

/* The most slots the other class's pool is kept for (LLVM's has 25). */
#define MAX_POOL_SLOTS 64u

static uintptr_t *pool;
static size_t pool_slots, reported_since_emptied;
static enum { POOL_UNLOOKED, POOL_FOUND, POOL_ABSENT } pool_state;
/* The other class's places, and its reports since its pool was emptied. */
static uintptr_t waiting[MAX_POOL_SLOTS];
static size_t waiting_reported;
static bool outside_rules_now;

/* The main program's load address (a PIE's bias), dl_iterate_phdr()'s first. */
static int first_object(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	*(uintptr_t *)data = (uintptr_t)info->dlpi_addr;
	return 1;
}

/* POOL_SYMBOL's address and size from the executable's .symtab, mapped. */
static bool find_in_symtab(const uint8_t *image, size_t bytes, uintptr_t *value, size_t *size)
{
	const Elf64_Ehdr *eh = (const void *)image;
	const Elf64_Shdr *sh;
	unsigned i;

	if (bytes < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_shentsize != sizeof(*sh) ||
	    eh->e_shoff > bytes || eh->e_shnum > (bytes - eh->e_shoff) / sizeof(*sh))
		return false;
	sh = (const void *)(image + eh->e_shoff);
	for (i = 0; i < eh->e_shnum; i++) {
		const Elf64_Shdr *strs;
		const Elf64_Sym *sym;
		size_t n, k;

		if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum ||
		    sh[i].sh_offset > bytes || sh[i].sh_size > bytes - sh[i].sh_offset)
			continue;
		strs = &sh[sh[i].sh_link];
		if (strs->sh_offset > bytes || strs->sh_size > bytes - strs->sh_offset)
			continue;
		sym = (const void *)(image + sh[i].sh_offset);
		n = sh[i].sh_size / sizeof(*sym);
		for (k = 0; k < n; k++) {
			size_t name = sym[k].st_name;

			if (name >= strs->sh_size ||
			    strs->sh_size - name < sizeof(POOL_SYMBOL) ||
			    memcmp(image + strs->sh_offset + name, POOL_SYMBOL, sizeof(POOL_SYMBOL)) != 0)
				continue;
			*value = (uintptr_t)sym[k].st_value;
			*size = (size_t)sym[k].st_size;
			return true;
		}
	}
	return false;
}

static void look_up_pool(void)
{
	uintptr_t value = 0, bias = 0;
	size_t size = 0;
	struct stat st;
	void *image;
	int fd;

	pool_state = POOL_ABSENT;
	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (fstat(fd, &st) != 0 || st.st_size <= 0) {
		close(fd);
		return;
	}
	image = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (image == MAP_FAILED)
		return;
	if (find_in_symtab(image, (size_t)st.st_size, &value, &size) && value != 0 &&
	    size >= sizeof(uintptr_t) && size % sizeof(uintptr_t) == 0) {
		dl_iterate_phdr(first_object, &bias);
		pool = (uintptr_t *)(bias + value);
		pool_slots = size / sizeof(uintptr_t);
		pool_state = POOL_FOUND;
	}
	munmap(image, (size_t)st.st_size);
}

/**
 * asan_pool_note_report() - ASan has reported a place it had not (each
 * report it makes is one): empty its pool before the next could find it
 * full.  Call at the end of every report, in processes that go on.
 */
void asan_pool_note_report(void)
{
	if (pool_state == POOL_UNLOOKED)
		look_up_pool();
	if (pool_state != POOL_FOUND || ++reported_since_emptied + POOL_SPARE < pool_slots)
		return;
	/* Slots are atomics ASan reads relaxed; this process has one thread
	 * that reports (the fuzzer's). */
	for (size_t i = 0; i < pool_slots; i++)
		__atomic_store_n(&pool[i], 0, __ATOMIC_RELAXED);
	reported_since_emptied = 0;
}

/**
 * asan_pool_switch_class() - runs of the other class from here on: ASan's
 * pool is swapped for that class's.  A hook for fw_set_class_hook().
 * @outside_rules: whether the firmware of the run in progress has broken a
 *	rule (fw_outside_rules_so_far()).
 */
void asan_pool_switch_class(bool outside_rules)
{
	size_t reported = reported_since_emptied;

	if (outside_rules == outside_rules_now)
		return;
	outside_rules_now = outside_rules;
	/* Before the first report of the process (it looks the pool up)
	 * both pools are empty. */
	if (pool_state != POOL_FOUND || pool_slots > MAX_POOL_SLOTS)
		return;
	for (size_t i = 0; i < pool_slots; i++) {
		uintptr_t place = __atomic_load_n(&pool[i], __ATOMIC_RELAXED);

		__atomic_store_n(&pool[i], waiting[i], __ATOMIC_RELAXED);
		waiting[i] = place;
	}
	reported_since_emptied = waiting_reported;
	waiting_reported = reported;
}
