# OSS-Fuzz and ClusterFuzzLite, checked here without docker; and the MSan
# build of the whole project.
#
#   make oss-fuzz CC=.. CXX=.. CFLAGS=.. CXXFLAGS=.. LIB_FUZZING_ENGINE=.. OUT=..
#               what .clusterfuzzlite/build.sh runs inside OSS-Fuzz's
#               `compile`: every target in OSSFUZZ_TARGETS into $(OUT) with
#               its seed corpus zip, dictionary and options
#   make oss-fuzz-check    scripts/oss-fuzz-check: libfuzzer x {address,
#               undefined, memory, coverage} and afl x address, built and
#               checked as check_build would (part of make test, ~30 s)
#   make msan-test         clang -fsanitize=memory build of the harness, the
#               hardened loader, the replay driver and scn; every corpus
#               through both (part of make test)
#   make check-all         make test, the engine-less OSS-Fuzz build, 60 s of
#               make afl on every core, 30 s of make fuzz JOBS=2

# Targets for OSS-Fuzz, each with its sources, the inputs of its seed corpus
# (expanded in the recipe: SEEDS is defined after this file is included) and
# its dictionary.
OSSFUZZ_TARGETS := fuzz_ebs
# The structure-aware mutator (fuzz/mutator.c) goes in too: libFuzzer,
# OSS-Fuzz's main engine, picks up LLVMFuzzerCustomMutator and
# LLVMFuzzerCustomCrossOver by name; the other engines ignore them
# (LLVMFuzzerMutate is weak there).
OSSFUZZ_HARNESS_SRC := $(FW_SRC) $(TARGET_SRC) fuzz/mutator.c

# Whether $(CFLAGS) asks for clang's SanitizerCoverage: libFuzzer's
# -fsanitize=fuzzer-no-link or an explicit -fsanitize-coverage= (AFL++'s
# compiler instruments by its own passes, without either).
OSSFUZZ_SANCOV := $(filter -fsanitize-coverage=%,$(CFLAGS))$(findstring fuzzer,$(filter -fsanitize=%,$(CFLAGS)))
# With libFuzzer's -fsanitize=fuzzer-no-link and ASan, the loader's
# stores are traced, as in our libFuzzer builds (the Makefile,
# LOADER_STORES_fuzz): the arena, which exists only under ASan, then
# zeroes only the lines something wrote (fuzz/fw/arena_written.c).
# fuzz/loader_stores.c, which defines the callbacks and tells the arena to
# trust them, goes in only then: a loader whose stores go unseen must not
# be trusted.  Other engines are left as they were: afl-clang-fast drops
# -fsanitize-coverage=trace-stores, and no other engine's runtime is known
# to leave the store callbacks to us.
OSSFUZZ_STORES := $(if $(findstring fuzzer,$(filter -fsanitize=%,$(CFLAGS))),$(if \
	$(findstring address,$(filter -fsanitize=%,$(CFLAGS))),-fsanitize-coverage=trace-stores))
LOADER_STORES_ossfuzz := $(OSSFUZZ_STORES)
OSSFUZZ_HARNESS_SRC += $(if $(OSSFUZZ_STORES),fuzz/loader_stores.c)
OSSFUZZ_SRC_fuzz_ebs := $(OSSFUZZ_HARNESS_SRC) $(HARDENED_SRC)
OSSFUZZ_SEEDS_fuzz_ebs = $(SEEDS) $(REGRESSIONS)
OSSFUZZ_DICT_fuzz_ebs := corpus/ebs.dict

# A loader project's own target (scripts/oss-fuzz/README.md): its
# exit-boot code instead of ours, its flags instead of our -Werror.
#   OSSFUZZ_LOADER=name OSSFUZZ_LOADER_SRC='/src/x/a.c ...' [LOADER_CFLAGS=...]
# makes fuzz_<name> the only target, with our seeds and dictionary.
ifneq ($(OSSFUZZ_LOADER),)
OSSFUZZ_TARGETS := fuzz_$(OSSFUZZ_LOADER)
OSSFUZZ_SEEDS_fuzz_$(OSSFUZZ_LOADER) = $(OSSFUZZ_SEEDS_fuzz_ebs)
OSSFUZZ_DICT_fuzz_$(OSSFUZZ_LOADER) := $(OSSFUZZ_DICT_fuzz_ebs)
OSSFUZZ_LOADER_OBJS := $(patsubst %.c,$(BUILD)/ossfuzz-loader/%.o,$(notdir $(OSSFUZZ_LOADER_SRC)))
OSSFUZZ_SRC_fuzz_$(OSSFUZZ_LOADER) := $(OSSFUZZ_HARNESS_SRC)
OSSFUZZ_EXTRA_fuzz_$(OSSFUZZ_LOADER) := $(OSSFUZZ_LOADER_OBJS)
# The ossfuzz variant of fuzz/loader-build.mk: OSS-Fuzz's $(CC) $(CFLAGS),
# then LOADER_CFLAGS; the statics gathered.
$(foreach f,$(OSSFUZZ_LOADER_SRC),$(eval $(call loader_compile,ossfuzz,$(f),\
	$(BUILD)/ossfuzz-loader/$(basename $(notdir $(f))).o,,$$(LOADER_CFLAGS))))
endif

# A loader project's target crashes, by default, only where the loader
# breaks a boot on firmware that keeps the rules: every input mapped onto
# compliant firmware, and a violation ends the process only if compliant
# (a print after giving up, say, is traced, not filed as a crash).
# OSS-Fuzz runs a target without the project's environment, so the
# defaults are built in (fuzz/target.c); EBSFUZZ_DEFAULTS='' in the
# environment of build.sh widens them to every class, or names others.
ifneq ($(OSSFUZZ_LOADER),)
EBSFUZZ_DEFAULTS ?= EBSFUZZ_FIRMWARE=compliant EBSFUZZ_FAIL_ON=compliant
endif

# OSS-Fuzz's flags first, ours after: -Werror holds there too.
CC_ossfuzz = $(CC)
CFLAGS_ossfuzz = $(CFLAGS) $(WARN) $(if $(EBSFUZZ_DEFAULTS),-DEBSFUZZ_DEFAULTS='"$(EBSFUZZ_DEFAULTS)"')
$(eval $(call variant_rules,ossfuzz))

# Only the loader carries coverage here too, as in our libFuzzer builds
# (the Makefile, HARNESS_UNCOVERED, says why): the harness's files are
# compiled with fuzz/uncovered.list as clang's ignore list, where
# $(CFLAGS) asks for SanitizerCoverage (clang rejects the list as an unused
# argument otherwise, in the coverage build say), and as AFL++'s deny list,
# which AFL++ reads from the environment and other compilers ignore.
# Without it, fuzz_ebs built as OSS-Fuzz's libfuzzer-address builds it had
# 3996 counters, nearly all the harness's, and traced the comparisons of
# the firmware's map model.
$(call objs,ossfuzz,$(OSSFUZZ_HARNESS_SRC)): CC_ossfuzz = AFL_LLVM_DENYLIST=$(abspath fuzz/uncovered.list) $(CC)
$(call objs,ossfuzz,$(OSSFUZZ_HARNESS_SRC)): CFLAGS_ossfuzz += \
	$(if $(OSSFUZZ_SANCOV),-fsanitize-coverage-ignorelist=$(abspath fuzz/uncovered.list))
# The store callbacks run at every store of the loader's and touch only
# the harness's table of written lines: no sanitizer, as in our builds.
$(BUILD)/ossfuzz/fuzz/loader_stores.o: CFLAGS_ossfuzz += -fno-sanitize=address,undefined
# And as in our libFuzzer builds (the Makefile, HARNESS_OPT and
# FW_OWN_STATE_SRC, says why): the harness at -O2 (the loader keeps
# OSS-Fuzz's -O1), and without ASan the firmware's objects that touch
# only its own state: fixed arrays in one struct, where ASan sees only the
# outer edges and OSS-Fuzz's undefined build checks every index.  MSan and
# UBSan stay everywhere they were.  fuzz_ebs as the libfuzzer-address row
# of scripts/oss-fuzz-check builds it ran 300,000 inputs from the seeds in
# 3.3 CPU seconds against 3.8 (medians of 3, side by side).
$(call objs,ossfuzz,$(OSSFUZZ_HARNESS_SRC)): CFLAGS_ossfuzz += -O2
$(call objs,ossfuzz,$(FW_OWN_STATE_SRC)): CFLAGS_ossfuzz += -fno-sanitize=address

# OSS-Fuzz links with $(CXX) even for C (new_project_guide.md), and the
# engine comes last: for AFL++ it is an archive whose main() needs the
# target (LB_LD_ossfuzz, LB_LDEND_ossfuzz of fuzz/loader-build.mk).
define ossfuzz_target
$(OUT)/$(1): $(call objs,ossfuzz,$(OSSFUZZ_SRC_$(1))) $(OSSFUZZ_EXTRA_$(1))
	$$(LB_LD_ossfuzz) $$^ $$(LB_LDEND_ossfuzz) -o $$@
$(OUT)/$(1)_seed_corpus.zip: seeds
	rm -f $$@ && zip -q -j $$@ $$(OSSFUZZ_SEEDS_$(1))
$(OUT)/$(1).dict: $(OSSFUZZ_DICT_$(1))
	cp $$< $$@
$(OUT)/$(1).options: fuzz/ossfuzz.mk
	printf '[libfuzzer]\ndict = $(1).dict\n' >$$@
endef
ifneq ($(OUT),)
$(foreach t,$(OSSFUZZ_TARGETS),$(eval $(call ossfuzz_target,$(t))))
endif

.PHONY: oss-fuzz oss-fuzz-check check-all msan-test
oss-fuzz: $(if $(OUT),$(foreach t,$(OSSFUZZ_TARGETS),$(OUT)/$(t) $(OUT)/$(t)_seed_corpus.zip \
		$(OUT)/$(t).dict $(OUT)/$(t).options))
	@test -n "$(OUT)" || { echo "oss-fuzz: set OUT (and CC, CFLAGS, ...) as OSS-Fuzz's compile does"; exit 2; }

# Then a loader project's target, as scripts/oss-fuzz/README.md sets one
# up, on the example loader whose only finding is giving-up: with the
# built-in defaults its seeds run clean under check_build.
oss-fuzz-check:
	@OSSFUZZ_CHECK_DIR=$(abspath $(BUILD))/oss-fuzz scripts/oss-fuzz-check
	@OSSFUZZ_CHECK_DIR=$(abspath $(BUILD))/oss-fuzz-loader OSSFUZZ_LOADER=gives_up \
		OSSFUZZ_LOADER_SRC=$(abspath fuzz/loaders/examples/gives-up/loader.c) \
		scripts/oss-fuzz-check libfuzzer-address

# Longer than CI wants on every change: the engine-less build, a two-core
# AFL++ campaign and libFuzzer's fork mode, a minute each at most.
check-all: test
	@OSSFUZZ_CHECK_DIR=$(abspath $(BUILD))/oss-fuzz scripts/oss-fuzz-check none-address
	@$(MAKE) --no-print-directory afl AFL_SECONDS=60
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=30 JOBS=2

# MSan needs every instrumented byte to be initialised, so it sees what
# ASan cannot: a loader or the firmware model reading memory no one wrote.
CC_msan := $(CLANG)
CFLAGS_msan := $(WARN) $(OPT) -fsanitize=memory -fsanitize-memory-track-origins
LDFLAGS_msan := -fsanitize=memory
$(eval $(call variant_rules,msan))
$(BUILD)/replay_ebs.msan: $(call HARNESS,msan) $(call objs,msan,$(HARDENED_SRC) fuzz/replay.c)
	$(CC_msan) $(LDFLAGS_msan) $^ -o $@

$(BUILD)/scn.msan: $(call objs,msan,fuzz/scn.c fuzz/script.c fuzz/script_text.c)
	$(CC_msan) $(LDFLAGS_msan) $^ -o $@

# Every seed and regression through the loader (4 runs each) and through the
# scenario tool's decoder.
msan-test: $(BUILD)/replay_ebs.msan $(BUILD)/scn.msan seeds
	$(BUILD)/replay_ebs.msan $(BUILD)/seed/ebs $(BUILD)/seed/regressions
	@for f in $(SEEDS) $(REGRESSIONS); do \
		$(BUILD)/scn.msan decode $$f >/dev/null || { echo "msan-test: scn decode $$f"; exit 1; }; \
	done
	@echo "msan-test: scn decodes $(words $(SEEDS) $(REGRESSIONS)) inputs"

TEST_STEPS += msan-test oss-fuzz-check
