# ebsfuzz - fuzz the ExitBootServices logic of UEFI loaders.
#
#   make             build the hardened loader's fuzz target and replay drivers
#   make check       the fast steps: unit, invariant, firmware, format, replay
#   make test        everything the README promises, one line per step
#   make help        the user-facing targets and scripts
#   make fuzz        fuzz the hardened loader for FUZZ_SECONDS (default 60) with
#                    JOBS libFuzzer fork-mode workers: every finding, classified
#   make check-boundaries   core/ stays freestanding and never reaches into fuzz/
#
# Objects are built once per variant, each in its own directory under build/:
#   build/gcc/    gcc, no sanitizer        -> build/replay_ebs.gcc
#   build/asan/   clang, ASan + UBSan      -> build/replay_ebs
#   build/fuzz/   clang, libFuzzer + ASan + UBSan -> build/fuzz_ebs
# Other makefiles (fuzz/*.mk, fuzz/*/*.mk) add targets with the same helpers.

CLANG ?= clang
GCC ?= gcc
BUILD ?= build
FUZZ_SECONDS ?= 60
JOBS ?= 1

WARN := -std=c11 -Wall -Wextra -Werror
OPT := -O1 -g -fno-omit-frame-pointer
SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
# core/ is loader code: freestanding, as it is in a UEFI image.
CORE_FLAGS := -ffreestanding

CORE_SRC := core/ebs.c core/memmap.c core/e820.c
HARDENED_SRC := $(CORE_SRC) core/loader.c
FW_SRC := fuzz/script.c fuzz/script_text.c $(sort $(wildcard fuzz/fw/*.c))
TARGET_SRC := fuzz/fuzz_ebs.c fuzz/target.c fuzz/statics.c fuzz/findings.c fuzz/places.c fuzz/crash_on.c \
	fuzz/sanitizer_reports.c fuzz/signals.c fuzz/halts.c fuzz/privileged.c fuzz/loader_code.c fuzz/loader_heap.c \
	fuzz/asan_pool.c
HEADERS := $(wildcard core/*.h fuzz/*.h fuzz/fw/*.h)
# The build's description, which every object depends on (its text is
# written at the end of this file).
BUILD_STAMP := $(BUILD)/build-description

CC_gcc := $(GCC)
CFLAGS_gcc := $(WARN) $(OPT)
LDFLAGS_gcc :=
CC_asan := $(CLANG)
CFLAGS_asan := $(WARN) $(OPT) $(SAN)
LDFLAGS_asan := $(SAN)
CC_fuzz := $(CLANG)
# -fsanitize-recover=address: ASan may report and go on when the findings
# campaign runs with ASAN_OPTIONS=halt_on_error=0 (fuzz/findings.c); by
# default it still halts.
FUZZ_SAN := $(SAN) -fsanitize-recover=address
# Coverage for libFuzzer: edges, not comparisons.  libFuzzer reads traced
# comparisons only to mutate an input's bytes towards the operands it saw
# (its CMP mutation), and the loader compares values the firmware decoded
# from the input, never its bytes, and the structure-aware mutator makes
# nearly every step: in two 20-second runs of fuzz_ebs from the seeds, 1 of
# 543 and 2 of 519 mutation sequences that found new coverage used CMP (5
# of 573 without the tracing: libFuzzer also takes operands from the
# memcmp() calls it intercepts).  Yet the tracing cost the hardened target
# about 15% of its CPU time (perf: the e820 pass's traced 64-bit
# comparisons alone 10%): 105,000 to 110,000 executions per CPU second
# without it against 86,000 to 96,000 with it, and the harder bench models'
# times to find from the seeds and from empty within the spread of five
# runs either way.  The six ports of real loaders
# (45-second campaigns, same session) found as much or more without it:
# FreeBSD 17 findings against 15, Linux 3.11 49 against 45, GRUB 19
# against 18, Xen 21 against 20, Limine 13 and Linux today 3 on both sides.
# The AFL++ builds (CMPLOG is AFL++'s own) and the OSS-Fuzz builds keep
# their engines' defaults.
FUZZ_COVERAGE := -fsanitize=fuzzer-no-link -fno-sanitize-coverage=trace-cmp
CFLAGS_fuzz := $(WARN) $(OPT) $(FUZZ_SAN) $(FUZZ_COVERAGE)
LDFLAGS_fuzz := $(SAN) -fsanitize=fuzzer
# The loader's code, in the libFuzzer builds, says where it stores, so that
# the arena zeroes only the lines something wrote (fuzz/fw/arena_written.c:
# 51,000 to 75,000 executions per CPU second of the hardened target, same
# binary, same seed).  Its harness defines the callbacks and trusts them
# (fuzz/loader_stores.c, in HARNESS_EXTRA_fuzz).
LOADER_STORES_fuzz := -fsanitize-coverage=trace-stores

# objs(variant, sources) -> object paths
objs = $(patsubst %.c,$(BUILD)/$(1)/%.o,$(2))

# variant_rules(variant): compile rules into $(BUILD)/<variant>/ with
# CC_<variant> and CFLAGS_<variant>; core/ gets CORE_FLAGS on top.  The
# loader models of fuzz/loaders/ are compiled as every loader under test is
# (fuzz/loader-build.mk).
define variant_rules
$(BUILD)/$(1)/core/%.o: core/%.c $(HEADERS) $(BUILD_STAMP)
	@mkdir -p $$(@D)
	$$(CC_$(1)) $$(CFLAGS_$(1)) $(CORE_FLAGS) $$(LOADER_STORES_$(1)) -c $$< -o $$@
$(BUILD)/$(1)/%.o: %.c $(HEADERS) $(BUILD_STAMP)
	@mkdir -p $$(@D)
	$$(CC_$(1)) $$(CFLAGS_$(1)) -c $$< -o $$@
endef
$(foreach v,gcc asan fuzz,$(eval $(call variant_rules,$(v))))

# The firmware is the referee, not the code under test.  libFuzzer's
# comparison tracing in its map model (scans over hundreds of regions) cost
# more than half of every run, and it guided little: inputs are decoded
# modulo, with no magic values to match (no libFuzzer build traces
# comparisons now, FUZZ_COVERAGE).
#
# Nor do its edges guide the search for loader bugs: in the libFuzzer
# builds the firmware objects have no coverage instrumentation at all (ASan
# and UBSan stay), only the loader under test does.  Measured on the harder
# bench models from an empty corpus (median seconds to find, 3 to 6 runs
# each): with every firmware object instrumented h3 13.7 s and h5 20.8 s;
# without those that only read the scenario (decoder, settings, starting
# map) 10.4 and 4.6; without the map model too 5.8 and 9.2; without any
# 1.4 and 1.7, the others within a second either way.  Firmware edges grow
# the corpus with firmware variety (3000 features against 235) that the
# loader's own edges do not need.
#
# Nor do the harness's own objects (TARGET_SRC: the target, the restore of
# the loader's statics, the findings and their places, the sanitizers'
# reports, the signals): 773 of the 937 counters, whose branches follow the
# harness's bookkeeping, and which libFuzzer walked after every run.  Same
# run of make bench, without them against with: the hardened target 93,249
# against 85,554 executions per CPU second (median of 3 seeds), the harder
# models found as fast or faster (h6 from the seeds 0.95 s against 4.18 s,
# from empty 1.45 s against 2.71 s; the others within 0.2 s either way),
# and scripts/fuzz-loader on fuzz/loaders/examples/two-bugs made 5.8
# million runs in 60 s against 1.1 million, with the same four findings.
# Among them the loader's copies and heap (loader_code.c, loader_heap.c),
# which run on its behalf: their branches (a good or a bad range, a block
# or NULL) say nothing the loader's own edges and ASan's reports do not,
# and instrumented they made the corpus grow with variety the search did
# not need (h6 from the seeds in 6.1 and 10.7 s, medians of 3, against 1.6
# and 1.6 s without, an earlier session).
# The AFL++ and OSS-Fuzz builds leave the same files out, by a list
# (fuzz/uncovered.list, fuzz/afl.mk, fuzz/ossfuzz.mk).
# HARNESS_UNCOVERED may be set to measure another choice.
HARNESS_UNCOVERED ?= $(FW_SRC) $(TARGET_SRC)
# They are compiled at -O2 (the loader under test keeps OPT, as its own
# build would): build/bench/input_cost ran the seeds, the bench corpus and
# a 20-second campaign's corpus in 2.31 CPU seconds against 2.39 at -O1
# (the fastest of 3 each), the same traces.
HARNESS_OPT := -O2 -g -fno-omit-frame-pointer
$(call objs,fuzz,$(HARNESS_UNCOVERED)): CFLAGS_fuzz := $(WARN) $(HARNESS_OPT) $(FUZZ_SAN)

# Nor do the sanitizers guard anything in the objects that touch only the
# firmware's own state (its region table, starting maps, settings, the run's
# bookkeeping): one global struct of fixed arrays, where ASan sees only the
# outer edges.  In the libFuzzer builds they go without ASan: 5.5% more
# executions per CPU second from the seeds (median of 3, same session).
# So do the allocation records and the handlers' and timers' actions
# (memory.c), the events and the exit sequence (exit.c) and the table of
# call sites (call_sites.c, which reads the loader's frame records with its
# own unchecked reads): the loader's pointers they take or give go through
# args.c, loader_access.c and the arena.  Without ASan in those three as
# well, build/bench/input_cost ran the seeds, the bench corpus and a
# 20-second campaign's corpus in 2.53 CPU seconds against 2.81 (each the
# fastest of 3).  Everything that reads or writes memory it does not own
# keeps ASan: the services' reads and writes of the loader's buffers and
# pointers, the oracle that reads its map, the arena, and the decoder (the
# input's bytes).
# They go without UBSan too, whose checks there (indexing, shifts,
# overflow) are of the referee's own arithmetic, never of the loader's: a
# 20-second campaign from the seeds ran 105,964 to 112,125 executions per
# CPU second against 99,130 to 104,062 with them (three seeds, each pair
# side by side).
# The replay driver and the unit tests keep both sanitizers everywhere
# (test_map_model runs the map model against a simpler one over random
# maps), every finding is replayed by the replay driver, and OSS-Fuzz's
# undefined build keeps UBSan everywhere.  map.c's MODEL_ONLY functions go
# without ASan in every build (fuzz/fw/map_table.h).
FW_OWN_STATE_SRC := fuzz/fw/map.c fuzz/fw/map_start.c fuzz/fw/maps_ovmf.c fuzz/fw/options.c \
	fuzz/fw/personality.c fuzz/fw/run.c fuzz/fw/envelope.c fuzz/fw/memory.c fuzz/fw/exit.c \
	fuzz/fw/call_sites.c
$(call objs,fuzz,$(FW_OWN_STATE_SRC)): CFLAGS_fuzz += -fno-sanitize=address,undefined

# The libFuzzer builds add the structure-aware mutator (fuzz/mutator.c):
# whole directives inserted, removed, swapped and retyped, fields changed
# within their ranges, alongside libFuzzer's byte-level mutations.
# It runs between inputs, so it is built without coverage instrumentation.
HARNESS_EXTRA_fuzz := fuzz/mutator.c fuzz/loader_stores.c
HARNESS = $(call objs,$(1),$(FW_SRC) $(TARGET_SRC) $(HARNESS_EXTRA_$(1)))
$(BUILD)/fuzz/fuzz/mutator.o: CFLAGS_fuzz := $(WARN) $(HARNESS_OPT) $(FUZZ_SAN)
# fuzz/loader_stores.c runs at every store of the loader's and touches only
# the harness's table of written lines: no coverage, no sanitizer (with
# ASan and UBSan its mark was not inlined, and was a tenth of the time of
# the seeds' runs; perf).
$(BUILD)/fuzz/fuzz/loader_stores.o: CFLAGS_fuzz := $(WARN) $(HARNESS_OPT)

$(BUILD)/fuzz_ebs: $(call HARNESS,fuzz) $(call objs,fuzz,$(HARDENED_SRC))
	$(CC_fuzz) $(LDFLAGS_fuzz) $^ -o $@
$(BUILD)/replay_ebs: $(call HARNESS,asan) $(call objs,asan,$(HARDENED_SRC) fuzz/replay.c)
	$(CC_asan) $(LDFLAGS_asan) $^ -o $@
$(BUILD)/replay_ebs.gcc: $(call HARNESS,gcc) $(call objs,gcc,$(HARDENED_SRC) fuzz/replay.c)
	$(CC_gcc) $(LDFLAGS_gcc) $^ -o $@

# The library face (fuzz/ebsfuzz.h): the firmware, its referee and the body
# of a fuzz target, for a loader project's own target; built like the fuzz
# variant (libFuzzer, ASan, UBSan).
LIB_SRC := $(FW_SRC) fuzz/target.c fuzz/statics.c fuzz/findings.c fuzz/places.c fuzz/crash_on.c \
	fuzz/sanitizer_reports.c fuzz/signals.c fuzz/halts.c fuzz/privileged.c fuzz/loader_code.c fuzz/loader_heap.c \
	fuzz/asan_pool.c
$(BUILD)/libebsfuzz.a: $(call objs,fuzz,$(LIB_SRC))
	rm -f $@ && ar rcs $@ $^
# Two objects a target links beside it, since an archive's member comes in
# only for a symbol someone refers to, and libFuzzer looks for its hooks
# without referring to them: the structure-aware mutator (libFuzzer finds
# LLVMFuzzerCustomMutator and LLVMFuzzerCustomCrossOver by name), and the
# store callbacks, only for a loader compiled with
# -fsanitize-coverage=trace-stores (the arena then trusts its named writes,
# fuzz/fw/arena_written.c; with the loader's stores untraced, it would
# trust lines nobody named until its check found one).
$(BUILD)/libebsfuzz-mutator.o: $(BUILD)/fuzz/fuzz/mutator.o
	cp $< $@
$(BUILD)/libebsfuzz-stores.o: $(BUILD)/fuzz/fuzz/loader_stores.o
	cp $< $@
.PHONY: lib
lib: $(BUILD)/libebsfuzz.a $(BUILD)/libebsfuzz-mutator.o $(BUILD)/libebsfuzz-stores.o

# Included makefiles append to these: ALL_TARGETS are built by `make`,
# TEST_STEPS are phony targets `make test` runs before the corpus replay.
ALL_TARGETS := $(BUILD)/fuzz_ebs $(BUILD)/replay_ebs $(BUILD)/replay_ebs.gcc $(BUILD)/scn
TEST_STEPS :=

.PHONY: all test check help fuzz check-boundaries clean
.DEFAULT_GOAL := all

# How a loader under test is built, first: the others use its templates.
include fuzz/loader-build.mk
-include $(filter-out fuzz/loader-build.mk,$(wildcard fuzz/*.mk fuzz/*/*.mk docs/*.mk))

# Replay every shipped input through the hardened loader, sanitized and not.
.PHONY: test-replay
test-replay: $(BUILD)/replay_ebs $(BUILD)/replay_ebs.gcc seeds
	$(BUILD)/replay_ebs $(BUILD)/seed/ebs $(BUILD)/seed/regressions
	$(BUILD)/replay_ebs.gcc $(BUILD)/seed/ebs $(BUILD)/seed/regressions

all: $(ALL_TARGETS) seeds

# The same -seed makes the same campaign in any process: nothing that
# differs from one process to the next (addresses, which address-space
# randomisation moves) reaches libFuzzer's choices.  The firmware's own
# comparisons stay out of its tables (fuzz/fw/compare.c); before, two such
# campaigns of 100,000 runs never left the same corpus.
SAME_CAMPAIGN := $(BUILD)/same-campaign
.PHONY: test-same-campaign
test-same-campaign: $(BUILD)/fuzz_ebs seeds
	@for i in 1 2; do rm -rf $(SAME_CAMPAIGN)/$$i && mkdir -p $(SAME_CAMPAIGN)/$$i && \
		$(BUILD)/fuzz_ebs -seed=7 -runs=100000 -dict=corpus/ebs.dict $(SAME_CAMPAIGN)/$$i \
			$(BUILD)/seed/ebs >$(SAME_CAMPAIGN)/$$i.log 2>&1 || \
			{ tail -n 20 $(SAME_CAMPAIGN)/$$i.log; exit 1; }; done
	@diff -rq $(SAME_CAMPAIGN)/1 $(SAME_CAMPAIGN)/2 >/dev/null || \
		{ echo "test-same-campaign: two campaigns with -seed=7 left different corpora" \
			"($(SAME_CAMPAIGN)/1, $(SAME_CAMPAIGN)/2)"; exit 1; }
	@echo "test-same-campaign: two campaigns of 100,000 runs with -seed=7 left the same" \
		"$$(ls $(SAME_CAMPAIGN)/1 | wc -l) inputs"
TEST_STEPS += test-same-campaign

# make check: the fast, host-only steps (unit, invariant, firmware, format,
# replay; well under a minute once built).  make test: everything the
# README promises, fast steps first, then the fuzzing smoke runs, the other
# sanitizers and builds, and real firmware last.  Steps an included
# makefile adds but the lists do not name run at the end.
CHECK_ORDER := check-boundaries test-build test-docs check-dict test-unit test-map-model test-mutator \
	test-scenarios test-regressions test-models-bad test-models-hard test-probes test-arena-writes \
	test-same-campaign test-replay test-lib test-bench-driver test-findings-merge
TEST_ORDER := $(CHECK_ORDER) test-models-good test-fuzz-loader test-uncovered test-report msan-test \
	test-valgrind afl-test oss-fuzz-check firmware-check
ALL_STEPS := check-boundaries test-build test-replay $(TEST_STEPS)
ordered = $(filter $(ALL_STEPS),$(1))

check:
	@scripts/run-steps "make check" $(call ordered,$(CHECK_ORDER))
test:
	@scripts/run-steps "make test" $(call ordered,$(TEST_ORDER)) \
		$(filter-out $(TEST_ORDER),$(ALL_STEPS))

help:
	@echo "make                build the fuzz target, the replay drivers and the scenario tool"
	@echo "make fuzz           the findings campaign on the hardened loader (FUZZ_SECONDS, JOBS, FUZZ_FLAGS)"
	@echo "make check          the fast steps: unit, invariant, firmware, format, replay"
	@echo "make test           every step the README promises, one line each (logs in build/test-logs)"
	@echo "make afl            an AFL++ campaign on the hardened loader (AFL_SECONDS, AFL_JOBS)"
	@echo "make bench          benchmarks (never part of make test)"
	@echo "make coverage       llvm-cov of the shipped corpus"
	@echo "make cmin           shrink make fuzz's corpus"
	@echo "make firmware-check the differential against real EDK2 and U-Boot under QEMU"
	@echo "make oss-fuzz-check the OSS-Fuzz build and check_build, emulated"
	@echo "scripts/fuzz-loader LOADER.c [S]   the findings campaign on any loader"
	@echo "make loader-build LOADER_SRC=a.c LOADER_OUT=DIR [LOADER_VARIANTS='replay fuzz afl cmplog']"
	@echo "                   build any loader without fuzzing it (fuzz/loader-build.mk)"
	@echo "scripts/loader-report LOADER.c     its report card"
	@echo "scripts/add-regression REPRO NAME [LOADER.c]   keep a finding as a regression"
	@echo "build/scn encode|decode|help       the scenario tool"
	@echo "build/replay_ebs -v INPUT          one run, call by call"

# core/ may include only core/ headers and freestanding ones, and its
# objects may need nothing from outside but memcpy and memset (the
# compiler's own calls); the UEFI image supplies exactly those.
# (_GLOBAL_OFFSET_TABLE_ is the linker's, referenced by position-independent code.)
check-boundaries: $(call objs,gcc,$(CORE_SRC) core/loader.c)
	@bad=$$(grep -nE '#[[:space:]]*include[[:space:]]*[<"]' core/*.[ch] | \
		grep -vE '[<"](efi|ebs|memmap|e820)\.h[>"]|<(stdint|stddef|stdbool)\.h>'); \
	if [ -n "$$bad" ]; then echo "core/ includes outside its boundary:"; echo "$$bad"; exit 1; fi
	@$(GCC) -r -nostdlib $^ -o $(BUILD)/gcc/core-linked.o
	@undef=$$(nm -u $(BUILD)/gcc/core-linked.o | awk '{print $$2}' | grep -vE '^(memcpy|memset|_GLOBAL_OFFSET_TABLE_)$$'); \
	if [ -n "$$undef" ]; then echo "core/ objects need symbols from outside:"; echo "$$undef"; exit 1; fi
	@echo "check-boundaries: core/ is freestanding"

# A change of flags rebuilds what they compile (BUILD_STAMP).
.PHONY: test-build
test-build:
	@fuzz/tests/check-build-description

# Fuzz the hardened loader for the whole budget: the findings campaign
# (scripts/fuzz-campaign), its corpus kept in build/fuzz-work/ for the
# next run and make cmin.  FUZZ_FLAGS passes options (-q, --fail-on=...).
FUZZ_FLAGS ?=
fuzz: $(BUILD)/fuzz_ebs $(BUILD)/replay_ebs $(BUILD)/scn seeds
	@mkdir -p $(BUILD)/fuzz-work/fuzz_ebs/corpus
	@CAMPAIGN_CORPUS=$(BUILD)/fuzz-work/fuzz_ebs/corpus scripts/fuzz-campaign --jobs=$(JOBS) \
		--work=$(BUILD)/fuzz-work/fuzz_ebs/run-$$(date +%Y%m%d-%H%M%S)-$$$$ $(FUZZ_FLAGS) \
		$(BUILD)/fuzz_ebs $(BUILD)/replay_ebs $(FUZZ_SECONDS) core

clean:
	rm -rf $(BUILD)

# The scenario tool and the seeds it encodes from corpus/ebs/scenarios/*.scn,
# the source of truth (seeds are build output).
$(BUILD)/scn: fuzz/scn.c fuzz/script.c fuzz/script_text.c fuzz/script.h $(BUILD_STAMP)
	@mkdir -p $(@D)
	$(GCC) $(CFLAGS_gcc) fuzz/scn.c fuzz/script.c fuzz/script_text.c -o $@

SCENARIOS := $(wildcard corpus/ebs/scenarios/*.scn)
SEEDS := $(patsubst corpus/ebs/scenarios/%.scn,$(BUILD)/seed/ebs/%.bin,$(SCENARIOS))

$(BUILD)/seed/ebs/%.bin: corpus/ebs/scenarios/%.scn $(BUILD)/scn
	@mkdir -p $(@D)
	$(BUILD)/scn encode $< -o $@

# Regressions are committed bytes; their .scn beside them is for people.
# Fuzzers and replays take them from build/seed/regressions/, .bin only.
REGRESSIONS := $(wildcard corpus/regressions/*.bin)
REGRESSION_SEEDS := $(patsubst corpus/regressions/%,$(BUILD)/seed/regressions/%,$(REGRESSIONS))

$(BUILD)/seed/regressions/%.bin: corpus/regressions/%.bin
	@mkdir -p $(@D)
	cp $< $@

.PHONY: seeds
seeds: $(SEEDS) $(REGRESSION_SEEDS)
	@mkdir -p $(BUILD)/seed/regressions

# The build's description: make sees only files' times, so a change of
# flags (an edit of a makefile, a variable on the command line, a pull)
# left objects compiled with the old ones in place: an existing build kept
# an instrumented fuzz/loader_code.o after a makefile change did away with
# that.  Its text is the compiler and flags of every build directory, the
# files compiled without coverage, and the checksum of the makefiles and
# of the scripts every loader object goes through (per-object flags are
# set there); every make rewrites the file
# when the text differs, before any rule runs, and every object depends on
# it, so what the change touches is built again, as after an edit.  The
# text goes to a file of the shell's own first: makes run side by side
# (make test's steps) each write theirs, and a move replaces the stamp
# whole.
BUILD_DESCRIBED_BY := $(sort Makefile $(wildcard fuzz/*.mk fuzz/*/*.mk docs/*.mk) fuzz/uncovered.list \
	scripts/loader-statics scripts/loader-code)
build_description = $(foreach v,gcc asan fuzz afl cmplog cov fuzzmsan ossfuzz msan efi, \
	$(v): $(CC_$(v)) $(CFLAGS_$(v)) ;) core: $(CORE_FLAGS) ; \
	uncovered: $(HARNESS_UNCOVERED) $(AFL_UNCOVERED) ; \
	$(shell cat $(BUILD_DESCRIBED_BY) | cksum)
$(shell mkdir -p $(BUILD) && new=$(BUILD_STAMP).$$$$ && \
	printf '%s\n' '$(subst ','"'"',$(strip $(build_description)))' >"$$new" && \
	{ cmp -s "$$new" $(BUILD_STAMP) && rm -f "$$new" || mv "$$new" $(BUILD_STAMP); })
