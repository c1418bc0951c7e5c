# fuzz/loader-build.mk - the one way a loader under test is built.
#
# A loader under test is one or more C files that define loader_exit_boot()
# (core/efi.h).  This file says once how a loader's own sources are compiled
# for each variant, and what each variant links them with:
#
#   variant  binary                  its loader compiled with     linked with
#   replay   the replay driver       ASan + UBSan, or MSan        loader-harness-replay.o
#   fuzz     the libFuzzer target    the same + coverage          loader-harness.o, libFuzzer
#   afl      the AFL++ target        afl-clang-fast, ASan + UBSan the afl harness, libAFLDriver
#   cmplog   AFL++'s CMPLOG binary   afl-clang-fast CMPLOG        the cmplog harness, libAFLDriver
#   report   (an object only)        ASan + UBSan                 scripts/loader-report
#   ossfuzz  OSS-Fuzz's target       OSS-Fuzz's $(CC) $(CFLAGS)   fuzz/ossfuzz.mk: $(CXX), engine
#
# Every compile gathers the loader's writable statics (scripts/loader-statics)
# so that the fuzz target gives them back before every run (fuzz/statics.c),
# and marks its code and gives its copies and fills places of their own in
# ASan's reports (scripts/loader-code, fuzz/loader_code.c), except the
# report's: its driver runs each point in a forked child.
#
# Two faces, one table:
#
#   make -s loader-build LOADER_SRC='a.c b.c' LOADER_OUT=DIR
#        [LOADER_VARIANTS='replay fuzz'] [LOADER_CFLAGS=...]
#        [LOADER_SANITIZE=address,undefined] [LOADER_RECOVER=...] [LOADER_CWD=DIR]
#     a loader from anywhere (scripts/fuzz-loader, afl-build, loader-report):
#     DIR/replay, DIR/fuzzer, DIR/loader.afl, DIR/loader.cmplog (names set by
#     LOADER_BIN_<variant>), objects in DIR/objs/<variant>/ (LOADER_OBJS).
#     It is compiled -std=gnu11 -Wall -Wextra without -Werror: a loader from
#     elsewhere is judged by the fuzzer, not by our warning policy
#     (LOADER_CFLAGS=-Werror opts in).  Relative paths (sources, output,
#     -I in LOADER_CFLAGS) are the caller's, from LOADER_CWD.  The objects
#     are compiled afresh every time: LOADER_CFLAGS may have changed.
#     `make loader-objects`, then `make loader-link`, with the same
#     variables, do the same in two steps, so that a script can tell a
#     compile error from a link error.
#     LOADER_SANITIZE picks the replay and fuzz variants' sanitizers
#     (address,undefined, address, undefined, or memory: the harness is then
#     MSan's too); LOADER_RECOVER lists the sanitizers whose reports let a
#     run go on (address,undefined for the findings campaign; address for
#     --first, where UBSan must end the run; unset: the compiler's default).
#
#   $(eval $(call loader_link,VARIANT,TARGET-PATTERN,OBJECT-PATTERN))
#     an in-tree loader (fuzz/loaders/: models, probes, bench): its objects
#     come from $(BUILD)/<dir>/fuzz/loaders/%.o, compiled with the project's
#     own flags for that build directory (CFLAGS_<dir>: -std=c11 -Wall
#     -Wextra -Werror, the project's sanitizers), %.fixed.o with
#     -DEBSFUZZ_FIXED; the rule links them as the variant does.
#
# The UEFI image (fuzz/ovmf/ovmf.mk) is another toolchain (PE32+, lld-link,
# no sanitizer, our freestanding runtime) and builds its loader there.

comma := ,
lb_space := $(subst x, ,x)

# ---- The table ----
#
# LB_CC_<v>        the compiler of a loader from elsewhere
# LB_CFLAGS_<v>    its flags, before LOADER_CFLAGS
# LB_HARNESS_<v>   what it links with
# LB_LD_<v>        the link command before the objects, and
# LB_LDEND_<v>     what comes after them
# LB_LD_<v>_ours   the link command of an in-tree loader (whose objects
#                  are compiled with the project's CC_<dir> CFLAGS_<dir>)

# LOADER_SANITIZE as one word: address_undefined, address, undefined, memory.
LOADER_SANITIZE ?= address,undefined
lb_sanitizers = $(sort $(subst $(comma), ,$(LOADER_SANITIZE)))
lb_sanitize = $(subst $(lb_space),_,$(lb_sanitizers))
LB_SAN_address_undefined := -fsanitize=address,undefined
LB_SAN_address := -fsanitize=address
LB_SAN_undefined := -fsanitize=undefined
LB_SAN_memory := -fsanitize=memory -fsanitize-memory-track-origins
lb_memory = $(filter memory,$(lb_sanitize))
# What the replay and fuzz variants link with: MSan needs every object
# instrumented, the harness's included.
lb_ldsan = $(if $(lb_memory),-fsanitize=memory,-fsanitize=address,undefined)

# LOADER_RECOVER (if set): UBSan's reports end the run unless it names
# undefined; ASan's may let it go on if it names address (the campaign
# then asks with halt_on_error=0).
LOADER_RECOVER ?=
lb_recovers = $(subst $(comma), ,$(LOADER_RECOVER))
lb_recover_ub = $(if $(filter undefined,$(lb_recovers)),-fsanitize-recover=undefined,-fno-sanitize-recover=undefined)
lb_recover_asan = $(if $(filter address,$(lb_recovers)),-fsanitize-recover=address)
lb_recover = $(if $(LOADER_RECOVER),$(if $(filter undefined,$(lb_sanitizers)),$(lb_recover_ub)) \
	$(if $(filter address,$(lb_sanitizers)),$(lb_recover_asan)))

# A loader from elsewhere: gnu11 (gnu-efi and EDK2 code use its extensions),
# the warnings, no -Werror.  -fno-common (clang's default since 11, said
# anyway): an uninitialised global is a .bss object, which the statics
# gathering moves, not a common symbol, which it would miss.
LB_LANG := -std=gnu11 -Wall -Wextra
# Every call the loader writes stays a call of its own, at its own line:
# clang merges identical calls of different branches (SimplifyCFG's sinking
# of common instructions, the code generator's tail merging) into one,
# whose line is 0 or one of theirs, and a finding at the merged call was
# named "loader.c:0" (a probe calling FreePool() from two branches: 17
# call sites at their lines with these, 11 without).  Only the layout of
# the loader's code changes; ASan, UBSan and coverage see the same calls.
LB_CALL_SITES := -mllvm -simplifycfg-sink-common=false -mllvm -enable-tail-merge=false

LB_CC_replay = $(CLANG)
LB_CFLAGS_replay = $(LB_LANG) $(LB_CALL_SITES) $(OPT) -fno-common $(LB_SAN_$(lb_sanitize)) $(lb_recover)
LB_HARNESS_replay = $(BUILD)/$(if $(lb_memory),msan,asan)/loader-harness-replay.o
LB_LD_replay_ours = $(CC_asan) $(LDFLAGS_asan)
LB_LD_replay = $(CLANG) $(lb_ldsan)

# The loader alone is instrumented for coverage, edges and not comparisons
# (the Makefile says why), and its stores are traced, but under MSan, which
# has no arena (fuzz/fw/arena_written.c).
LB_CC_fuzz = $(CLANG)
LB_CFLAGS_fuzz = $(LB_CFLAGS_replay) $(FUZZ_COVERAGE) $(if $(lb_memory),,$(LOADER_STORES_fuzz))
LB_HARNESS_fuzz = $(BUILD)/$(if $(lb_memory),fuzzmsan,fuzz)/loader-harness.o
LB_LD_fuzz_ours = $(CC_fuzz) $(LDFLAGS_fuzz)
LB_LD_fuzz = $(CLANG) $(lb_ldsan) -fsanitize=fuzzer

# AFL++ runs with ASan and UBSan whatever LOADER_SANITIZE says; CMPLOG
# only reports comparison operands, so it has no sanitizer (afl.mk).  The
# language, warnings and -fno-common are the libFuzzer variants': one
# loader, compiled alike whichever engine fuzzes it.  The recover flags
# reach both (inert without UBSan).
LB_CC_afl = $(CC_afl)
LB_CFLAGS_afl = $(LB_LANG) $(LB_CALL_SITES) $(OPT) -fno-common $(SAN) $(lb_recover)
LB_HARNESS_afl = $(call HARNESS,afl)
LB_LD_afl_ours = $(CC_afl) $(LDFLAGS_afl)
LB_LD_afl = $(LB_LD_afl_ours)
LB_LDEND_afl = $(AFL_DRIVER)

LB_CC_cmplog = $(CC_cmplog)
LB_CFLAGS_cmplog = $(LB_LANG) $(LB_CALL_SITES) $(OPT) -fno-common $(lb_recover)
LB_HARNESS_cmplog = $(call HARNESS,cmplog)
LB_LD_cmplog_ours = $(CC_cmplog) $(LDFLAGS_cmplog)
LB_LD_cmplog = $(LB_LD_cmplog_ours)
LB_LDEND_cmplog = $(AFL_DRIVER)

# scripts/loader-report renames the object's loader_exit_boot and links it
# with the report driver itself.  UBSan halts: a report point is one run.
# No statics gathered (nor -fno-common): each run of the report is a
# forked child (fuzz/report/point.c), whose statics are as loaded.
LB_CC_report = $(CLANG)
LB_CFLAGS_report = $(LB_LANG) $(LB_CALL_SITES) $(OPT) $(SAN)
LB_NO_STATICS_report := 1

# OSS-Fuzz's compiler and flags (sanitizer and coverage from $SANITIZER),
# its C++ link and engine last: for AFL++ it is an archive whose main()
# needs the target.  The harness is the ossfuzz build of the firmware and
# the fuzz target (OSSFUZZ_SRC_<target>, fuzz/ossfuzz.mk).
LB_CC_ossfuzz = $(CC)
LB_CFLAGS_ossfuzz = $(CFLAGS) $(LOADER_STORES_ossfuzz)
LB_LD_ossfuzz = $(CXX) $(CXXFLAGS)
LB_LDEND_ossfuzz = $(LIB_FUZZING_ENGINE)

# ---- The harness a loader links with ----

# The firmware, invariants and fuzz target (and the replay driver),
# partially linked into one object per variant, so that a loader needs only
# its own objects and this one.
LOADER_HARNESS_FUZZ := $(BUILD)/fuzz/loader-harness.o
LOADER_HARNESS_REPLAY := $(BUILD)/asan/loader-harness-replay.o

$(LOADER_HARNESS_FUZZ): $(call HARNESS,fuzz)
	$(CC_fuzz) -r -nostdlib $^ -o $@
$(LOADER_HARNESS_REPLAY): $(call HARNESS,asan) $(BUILD)/asan/fuzz/replay.o
	$(CC_asan) -r -nostdlib $^ -o $@

# The same under MemorySanitizer, for LOADER_SANITIZE=memory: MSan needs
# every object built with it, the firmware's included.  Only the loader
# carries coverage, and the harness is at -O2 with the structure-aware
# mutator, as in the ASan build (the Makefile, HARNESS_UNCOVERED and
# HARNESS_OPT, says why); libFuzzer unpoisons the input before it hands it
# to the mutator.
CC_fuzzmsan := $(CLANG)
CFLAGS_fuzzmsan := $(WARN) $(OPT) -fsanitize=memory -fsanitize-memory-track-origins \
	$(FUZZ_COVERAGE)
$(eval $(call variant_rules,fuzzmsan))
HARNESS_EXTRA_fuzzmsan := fuzz/mutator.c
$(call HARNESS,fuzzmsan): CFLAGS_fuzzmsan := $(WARN) $(HARNESS_OPT) -fsanitize=memory \
	-fsanitize-memory-track-origins
$(BUILD)/fuzzmsan/loader-harness.o: $(call HARNESS,fuzzmsan)
	$(CC_fuzzmsan) -r -nostdlib $^ -o $@
$(BUILD)/msan/loader-harness-replay.o: $(call HARNESS,msan) $(BUILD)/msan/fuzz/replay.o
	$(CC_msan) -r -nostdlib $^ -o $@

# In both libFuzzer builds of the harness no object refers to
# SanitizerCoverage's callbacks (libFuzzer's counters, its tables, traced
# comparisons), and the hardened loader's objects do.  loader_stores.o
# defines the store callbacks; nm -u lists only what an object refers to.
.PHONY: test-uncovered
test-uncovered: $(call HARNESS,fuzz) $(call HARNESS,fuzzmsan) $(call objs,fuzz,$(HARDENED_SRC))
	@covered=$$(for o in $(call HARNESS,fuzz) $(call HARNESS,fuzzmsan); do \
		nm -u $$o | grep -q '__sanitizer_cov_' && echo $$o; done); \
	loader=$$(for o in $(call objs,fuzz,$(HARDENED_SRC)); do \
		nm -u $$o | grep -q '__sanitizer_cov_' && echo $$o; done); \
	if [ -n "$$covered" ] || [ -z "$$loader" ]; then \
		echo "test-uncovered: coverage in the harness ($$covered) or none in the loader"; exit 1; fi; \
	echo "test-uncovered: $(words $(call HARNESS,fuzz) $(call HARNESS,fuzzmsan)) objects of the" \
		"harness without coverage, $$(echo $$loader | wc -w) of the loader's $(words $(HARDENED_SRC)) with"
TEST_STEPS += test-uncovered

# What scripts/fuzz-loader builds first (under its lock), with the scenario
# tool and the seeds.
.PHONY: loader-harness loader-harness-msan
loader-harness: $(LOADER_HARNESS_FUZZ) $(LOADER_HARNESS_REPLAY) $(BUILD)/scn seeds model-seeds
loader-harness-msan: $(BUILD)/fuzzmsan/loader-harness.o $(BUILD)/msan/loader-harness-replay.o \
	$(BUILD)/scn seeds model-seeds

# Every loader object whose statics are gathered is compiled with
# -fdata-sections, so that UBSan's data, which its reports change, lies in
# sections of its own that scripts/loader-statics leaves alone.
LB_STATICS_CFLAGS := -fdata-sections

# ---- The in-tree loaders ----

# Every build directory compiles fuzz/loaders/ with its own flags and
# gathers the statics; a bad model with -DEBSFUZZ_FIXED carries its fix.
define loader_objects
$(BUILD)/$(1)/fuzz/loaders/%.o: fuzz/loaders/%.c $(HEADERS) $(BUILD_STAMP)
	@mkdir -p $$(@D)
	$$(CC_$(1)) $$(CFLAGS_$(1)) $$(LOADER_STORES_$(1)) $(LB_STATICS_CFLAGS) -c $$< -o $$@
	@scripts/loader-statics $$@ && scripts/loader-code $$@
endef
$(foreach d,gcc asan fuzz afl cmplog msan fuzzmsan ossfuzz,$(eval $(call loader_objects,$(d))))
$(BUILD)/asan/fuzz/loaders/%.fixed.o: fuzz/loaders/%.c $(HEADERS) $(BUILD_STAMP)
	@mkdir -p $(@D)
	$(CC_asan) $(CFLAGS_asan) $(LB_STATICS_CFLAGS) -DEBSFUZZ_FIXED -c $< -o $@
	@scripts/loader-statics $@ && scripts/loader-code $@

# loader_link(variant, target pattern, object pattern): link an in-tree
# loader's object with the variant's harness (replay, fuzz, afl, cmplog).
LB_MODEL_HARNESS_replay = $(LOADER_HARNESS_REPLAY)
LB_MODEL_HARNESS_fuzz = $(LOADER_HARNESS_FUZZ)
LB_MODEL_HARNESS_afl = $(call HARNESS,afl)
LB_MODEL_HARNESS_cmplog = $(call HARNESS,cmplog)
define loader_link
$(2): $(3) $(LB_MODEL_HARNESS_$(1))
	@mkdir -p $$(@D)
	$$(LB_LD_$(1)_ours) $$^ $$(LB_LDEND_$(1)) -o $$@
endef

# ---- A loader from anywhere: make loader-build ----

LOADER_CWD ?= $(CURDIR)
LOADER_VARIANTS ?= replay fuzz
LOADER_OUT ?=
LOADER_OBJS ?= $(LOADER_OUT)/objs
LOADER_BIN_replay ?= $(LOADER_OUT)/replay
LOADER_BIN_fuzz ?= $(LOADER_OUT)/fuzzer
LOADER_BIN_afl ?= $(LOADER_OUT)/loader.afl
LOADER_BIN_cmplog ?= $(basename $(LOADER_BIN_afl)).cmplog

# The AFL++ pair by its older name: make afl-loader AFL_LOADER_SRC='a.c'
# AFL_LOADER_OUT=x.afl [AFL_LOADER_CWD=DIR] gives x.afl and x.cmplog,
# objects in x.objs/.
ifneq ($(filter afl-loader,$(MAKECMDGOALS)),)
LOADER_SRC := $(AFL_LOADER_SRC)
LOADER_VARIANTS := afl cmplog
LOADER_CWD := $(or $(AFL_LOADER_CWD),$(CURDIR))
LOADER_OUT := $(if $(AFL_LOADER_OUT),$(dir $(AFL_LOADER_OUT)))
LOADER_BIN_afl := $(AFL_LOADER_OUT)
LOADER_OBJS := $(basename $(AFL_LOADER_OUT)).objs
endif

# lb_abs(paths): the caller's paths, from LOADER_CWD.
lb_abs = $(foreach p,$(1),$(if $(filter /%,$(p)),$(p),$(LOADER_CWD)/$(p)))
# lb_obj(variant, source): where its object goes.
lb_obj = $(call lb_abs,$(LOADER_OBJS))/$(1)/$(basename $(notdir $(2))).o
lb_objs = $(foreach s,$(LOADER_SRC),$(call lb_obj,$(1),$(s)))
# Compiled from the caller's directory, with the source as the caller
# named it: the debug information, and so the sanitizers' stack frames,
# name it as before.
lb_cd = $(if $(filter-out $(CURDIR),$(LOADER_CWD)),cd '$(LOADER_CWD)' && )

# loader_compile(variant, source, object, extra prerequisites, the
# caller's flags): one source of a loader.
define loader_compile
$(3): $(call lb_abs,$(2)) $(4)
	@mkdir -p $$(@D)
	$(lb_cd)$$(LB_CC_$(1)) $$(LB_CFLAGS_$(1)) $(if $(LB_NO_STATICS_$(1)),,$(LB_STATICS_CFLAGS)) $(5) -c $(2) -o $$@
	$(if $(LB_NO_STATICS_$(1)),,scripts/loader-statics $$@ && scripts/loader-code $$@)
endef

# loader_bin(variant): link the loader's objects, then the harness (by
# its absolute path, as the caller may look at the command).
define loader_bin
$(call lb_abs,$(LOADER_BIN_$(1))): $(call lb_objs,$(1)) $(LB_HARNESS_$(1))
	@mkdir -p $$(@D)
	$$(LB_LD_$(1)) $(call lb_objs,$(1)) $$(abspath $$(LB_HARNESS_$(1))) $$(LB_LDEND_$(1)) -o $$@
endef

# The objects are compiled afresh (lb-force: LOADER_CFLAGS or a header of
# the loader may have changed), except by loader-link, which links what
# loader-objects has just compiled.  LOADER_CFLAGS reaches the compiler as
# the scripts always gave it: split into words by the shell, from the
# environment, its quotes not re-read.
LB_LINKED := replay fuzz afl cmplog
lb_linked = $(filter $(LB_LINKED),$(LOADER_VARIANTS))
lb_force = $(if $(filter loader-link,$(MAKECMDGOALS)),,lb-force)
.PHONY: loader-build loader-objects loader-link afl-loader lb-force lb-usage
lb-force:
ifneq ($(LOADER_SRC),)
$(foreach v,$(LOADER_VARIANTS),$(foreach s,$(LOADER_SRC),$(eval $(call \
	loader_compile,$(v),$(s),$(call lb_obj,$(v),$(s)),$(lb_force),$$$${LOADER_CFLAGS}))))
$(foreach v,$(lb_linked),$(eval $(call loader_bin,$(v))))
endif
# The objects and the harness they link with; the binaries.
loader-objects: lb-usage $(foreach v,$(LOADER_VARIANTS),$(call lb_objs,$(v))) \
	$(foreach v,$(lb_linked),$(LB_HARNESS_$(v)))
loader-link: lb-usage $(foreach v,$(lb_linked),$(call lb_abs,$(LOADER_BIN_$(v))))
loader-build afl-loader: loader-objects loader-link
lb-usage:
	@if [ -z "$(LOADER_SRC)" ] || [ -z "$(LOADER_OUT)" ]; then \
		echo "usage: make loader-build LOADER_SRC='a.c ...' LOADER_OUT=DIR [LOADER_VARIANTS='replay fuzz afl cmplog report'] [LOADER_CFLAGS=...]"; \
		exit 2; fi
	@bad='$(filter-out $(LB_LINKED) report,$(LOADER_VARIANTS))$(if $(LB_SAN_$(lb_sanitize)),, LOADER_SANITIZE=$(LOADER_SANITIZE))'; \
	if [ -n "$$bad" ]; then echo "loader-build: unknown: $$bad"; exit 2; fi
