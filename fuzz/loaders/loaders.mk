# fuzz/loaders/loaders.mk - loader models and the harness any loader links to.
#
#   fuzz/loaders/l<N>_*.c     known-bad models, one per bug class of
#                             exit-boot.md 3.13; corpus/models/<model>.scn is
#                             the scenario that catches each, its "# expect:"
#                             line the report it must produce
#   fuzz/loaders/good_*.c     good models: nothing may ever fire for them
#   scripts/fuzz-loader       fuzz any loader source file (this harness)
#
# make test runs test-models-bad, test-models-good and test-fuzz-loader.
# Models are linked against the same firmware objects as the hardened
# loader; built with -DEBSFUZZ_FIXED a bad model carries its historical fix.

LOADERS_BAD := $(sort $(basename $(notdir $(wildcard fuzz/loaders/l[0-9]*.c))))
LOADERS_GOOD := $(sort $(basename $(notdir $(wildcard fuzz/loaders/good_*.c))))

# Models are compiled and linked as every loader under test is
# (fuzz/loader-build.mk: loader_link, the harness objects, make
# loader-harness).

# Scenarios of the bad models, encoded like the seeds.
MODEL_SEEDS := $(patsubst corpus/models/%.scn,$(BUILD)/seed/models/%.bin,\
	$(wildcard corpus/models/*.scn))
$(BUILD)/seed/models/%.bin: corpus/models/%.scn $(BUILD)/scn
	@mkdir -p $(@D)
	$(BUILD)/scn encode $< -o $@
.PHONY: model-seeds
model-seeds: $(MODEL_SEEDS)

# build/models/replay_<model>[.fixed]: the replay driver, ASan + UBSan.
$(eval $(call loader_link,replay,$(BUILD)/models/replay_%,$(BUILD)/asan/fuzz/loaders/%.o))
# build/models/fuzz_<model>: libFuzzer, ASan + UBSan (make bench).
$(eval $(call loader_link,fuzz,$(BUILD)/models/fuzz_%,$(BUILD)/fuzz/fuzz/loaders/%.o))

# Any loader source kept in the tree, by its path without .c (for
# scripts/add-regression and check-regressions): the replay driver as
# build/loader/replay/<path>, the libFuzzer target as build/loader/fuzz/<path>.
$(eval $(call loader_link,replay,$(BUILD)/loader/replay/%,$(BUILD)/asan/%.o))
$(eval $(call loader_link,fuzz,$(BUILD)/loader/fuzz/%,$(BUILD)/fuzz/%.o))

MODEL_REPLAYS := $(foreach m,$(LOADERS_BAD),$(BUILD)/models/replay_$(m) \
	$(BUILD)/models/replay_$(m).fixed) $(foreach m,$(LOADERS_GOOD),$(BUILD)/models/replay_$(m))


.PHONY: test-models-bad test-models-good test-fuzz-loader
TEST_STEPS += test-models-bad test-models-good test-findings-merge test-fuzz-loader

# Each bad model is caught by its scenario with the expected report; with
# its fix, and as the hardened loader, the same scenario passes.
test-models-bad: $(MODEL_REPLAYS) $(MODEL_SEEDS) $(BUILD)/replay_ebs
	@fuzz/loaders/tests/check-bad-models $(BUILD) $(LOADERS_BAD)

# Each good model passes every shipped input and a short fuzz run.
GOOD_SMOKE_SECONDS ?= 5
test-models-good: $(MODEL_REPLAYS) $(MODEL_SEEDS) loader-harness
	@fuzz/loaders/tests/check-good-models $(BUILD) $(GOOD_SMOKE_SECONDS) $(LOADERS_GOOD)

# The campaign's rows from its workers' records (scripts/findings-merge.awk),
# on records made by hand: no campaign runs.
.PHONY: test-findings-merge
test-findings-merge:
	@fuzz/loaders/tests/check-findings-merge

# scripts/fuzz-loader: exit codes, report, gnu-efi and out-of-tree loaders.
test-fuzz-loader: loader-harness
	@fuzz/loaders/tests/check-fuzz-loader $(BUILD)

# Keep the model objects: make would delete them as intermediates.
.SECONDARY: $(foreach m,$(LOADERS_BAD) $(LOADERS_GOOD),$(BUILD)/asan/fuzz/loaders/$(m).o \
	$(BUILD)/fuzz/fuzz/loaders/$(m).o) \
	$(foreach m,$(LOADERS_BAD),$(BUILD)/asan/fuzz/loaders/$(m).fixed.o)

# The library face: a loader project's own target, linked with
# build/libebsfuzz.a, the mutator and the store callbacks (its loader's
# stores traced), runs every shipped input clean, with every piece of the
# arena believed zero read back (EBSFUZZ_CHECK_WRITES=1).
OWN_TARGET_EXTRAS := $(BUILD)/libebsfuzz-mutator.o $(BUILD)/libebsfuzz-stores.o
$(BUILD)/own-target: fuzz/loaders/examples/own-target/target.c $(BUILD)/libebsfuzz.a $(OWN_TARGET_EXTRAS) \
		$(HEADERS) $(BUILD_STAMP)
	$(CC_fuzz) $(WARN) $(OPT) $(SAN) -fsanitize=fuzzer -fsanitize-coverage=trace-stores -Ifuzz $< \
		$(OWN_TARGET_EXTRAS) $(BUILD)/libebsfuzz.a -o $@
# The defaults a build gives its target (EBSFUZZ_DEFAULTS, as fuzz/ossfuzz.mk
# gives a loader project's): fuzz/target.c compiled with them, ahead of
# the library's own copy (blanks doubled and trailing, as a hand-written
# list may have them).
DEFAULTS_TEST :=  EBSFUZZ_FAIL_ON=compliant,noncompliant  EBSFUZZ_LIVENESS=9 
$(BUILD)/defaults/target.o: fuzz/target.c $(HEADERS) $(BUILD_STAMP)
	@mkdir -p $(@D)
	$(CC_fuzz) $(CFLAGS_fuzz) -DEBSFUZZ_DEFAULTS='"$(DEFAULTS_TEST)"' -c $< -o $@
$(BUILD)/defaults-target: fuzz/tests/defaults_target.c fuzz/loaders/examples/gives-up/loader.c \
		$(BUILD)/defaults/target.o \
		$(BUILD)/libebsfuzz.a $(HEADERS) $(BUILD_STAMP)
	$(CC_fuzz) $(WARN) $(OPT) $(SAN) -fsanitize=fuzzer -Ifuzz $< $(BUILD)/defaults/target.o \
		$(BUILD)/libebsfuzz.a -o $@
.PHONY: test-lib
TEST_STEPS += test-lib
test-lib: $(BUILD)/own-target $(BUILD)/defaults-target seeds
	@EBSFUZZ_CHECK_WRITES=1 $(BUILD)/own-target -runs=0 $(BUILD)/seed/ebs >$(BUILD)/own-target.log 2>&1 || \
		{ cat $(BUILD)/own-target.log; exit 1; }
	@grep -q 'found LLVMFuzzerCustomMutator' $(BUILD)/own-target.log || \
		{ echo "test-lib: FAIL: the own target has no structure-aware mutator"; exit 1; }
	@nm $(BUILD)/own-target | grep -q ' ebsfuzz_loader_stores_traced$$' || \
		{ echo "test-lib: FAIL: the own target's arena does not trust its stores"; exit 1; }
	@$(BUILD)/defaults-target $(BUILD)/seed/ebs/persistent-invalid.bin >$(BUILD)/defaults.log 2>&1 || \
		{ cat $(BUILD)/defaults.log; echo "test-lib: FAIL: the built-in EBSFUZZ_FAIL_ON did not spare a giving-up finding"; exit 1; }
	@! EBSFUZZ_FAIL_ON=giving-up $(BUILD)/defaults-target $(BUILD)/seed/ebs/persistent-invalid.bin \
		>$(BUILD)/defaults-env.log 2>&1 || \
		{ cat $(BUILD)/defaults-env.log; echo "test-lib: FAIL: EBSFUZZ_FAIL_ON in the environment did not win over the built-in one"; exit 1; }
	@grep -q '^ebsfuzz: invariant call-after-giving-up violated' $(BUILD)/defaults-env.log || \
		{ cat $(BUILD)/defaults-env.log; echo "test-lib: FAIL: no call-after-giving-up report"; exit 1; }
	@echo "test-lib: a target of its own on build/libebsfuzz.a, with the mutator and its stores traced," \
		"runs $$(ls $(BUILD)/seed/ebs | wc -l) inputs clean, none unseen;" \
		"built-in defaults spare a giving-up finding, the environment's EBSFUZZ_FAIL_ON wins"

# The arena's lines named as written (fuzz/fw/arena_written.c): no write of
# the hardened loader's or of a model's goes unseen on the shipped inputs.
.PHONY: test-arena-writes
test-arena-writes: $(BUILD)/fuzz_ebs seeds model-seeds \
		$(foreach m,$(LOADERS_GOOD) $(LOADERS_BAD),$(BUILD)/models/fuzz_$(m))
	@fuzz/tests/check-arena-writes $(BUILD) $(LOADERS_GOOD) $(LOADERS_BAD)
TEST_STEPS += test-arena-writes
