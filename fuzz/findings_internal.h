/* SPDX-License-Identifier: MIT */
/*
 * findings_internal.h - between the findings recorder (findings.c), the
 * places it names (places.c), the aim of a minimiser's process
 * (crash_on.c) and the naming of sanitizer reports (sanitizer_reports.c);
 * not the harness's interface, which is findings.h.
 */
#ifndef EBSFUZZ_FUZZ_FINDINGS_INTERNAL_H
#define EBSFUZZ_FUZZ_FINDINGS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "fw/fw.h"

/* findings.c */
bool findings_recording(void);
void findings_prove(const char *kind, const char *where, uint8_t class, const char *message);

/* places.c: where in the loader, as text */
const char *findings_where_is(const void *pc);
const char *findings_inlined_lines(const void *pc);
const char *findings_call_place(const void *pc, const void *from);
bool findings_harness_file(const char *file);
_Noreturn void findings_end_run_now(const char *why);
void findings_write_down_now(void);
void findings_note_write_astray(void);
bool findings_wrote_astray(void);
void findings_note_slow_run(void);

/* crash_on.c: EBSFUZZ_CRASH_ON, a process aimed at one finding */
void crash_on_parse(const char *value);
bool crash_on_aimed(void);
bool crash_on_matches(const char *kind, const char *where, uint8_t class);
void crash_on_elsewhere(void);
void crash_on_arm(void);

/* sanitizer_reports.c */
void sanitizer_reports_init(void);
void sanitizer_reports_write_went_on(uintptr_t addr, size_t size);

/* signals.c: a deadly signal ends the loader's run, not the process */
void signals_init(void);
bool signals_end_runs(void);
/* A faulting write at @addr runs on past the loader's memory after a bad
 * write there was let go on: the code of a finding already made. */
bool signals_write_ran_off(uintptr_t addr);
void signals_run_starts(void);

#endif /* EBSFUZZ_FUZZ_FINDINGS_INTERNAL_H */
