/* SPDX-License-Identifier: MIT */
/*
 * statics.h - the loader's statics, as at load time, before every run
 * (statics.c, scripts/loader-statics).
 */
#ifndef EBSFUZZ_FUZZ_STATICS_H
#define EBSFUZZ_FUZZ_STATICS_H

void loader_statics_restore(void);

#endif /* EBSFUZZ_FUZZ_STATICS_H */
