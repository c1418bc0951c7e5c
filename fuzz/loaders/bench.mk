# fuzz/loaders/bench.mk - make bench: what users of the fuzz target feel
# (scripts/bench), and the harder bad models it times.  The benchmark itself
# is not part of make test: benchmarks are measurements, not tests.  Only
# test-models-hard is, a replay that keeps the harder models honest.
#
#   make bench [BENCH_RUNS=3] [BENCH_SEEDS_CAP=60] [BENCH_EMPTY_CAP=300]
#              [BENCH_EXEC_SECONDS=20] [BENCH_MODELS='h1_key_u32_retry ...']
#              [BENCH_AFL=0]
# prints "name: value unit" lines and writes $(BUILD)/bench.json.
#
#   fuzz/loaders/bench/empty.c       a target that does nothing, built like
#                                    the real one (exec_ratio's divisor)
#   fuzz/loaders/bench/halting.c     a good loader that halts wherever it
#                                    gives up (exec_per_cpu_s_halting)
#   fuzz/loaders/bench/input_cost.c  times each input through the libFuzzer
#                                    build's objects (input_us_*)
#   fuzz/loaders/bench/h<N>_*.c      harder bad models: each needs two or
#                                    more firmware conditions at once, and
#                                    corpus/bench/models/<model>.scn is a
#                                    scenario that catches it ("# expect:")
#   corpus/bench/corpus/             a fixed fuzz corpus for input_us_*

BENCH_HARD := $(sort $(basename $(notdir $(wildcard fuzz/loaders/bench/h[0-9]*.c))))

$(BUILD)/bench/fuzz_empty: $(BUILD)/fuzz/fuzz/loaders/bench/empty.o
	@mkdir -p $(@D)
	$(CC_fuzz) $(LDFLAGS_fuzz) $^ -o $@

# The libFuzzer runtime without its main: the comparison callbacks of the
# instrumented loader do the work they do while fuzzing.
FUZZER_NO_MAIN = $(shell $(CLANG) --print-runtime-dir)/libclang_rt.fuzzer_no_main-x86_64.a
# The timing driver is no loader: its statics (the costs it has measured)
# must not be put back before every run as a loader's are (fuzz/statics.c),
# which the fuzz/loaders/ pattern rule would arrange.
$(BUILD)/fuzz/fuzz/loaders/bench/input_cost.o: fuzz/loaders/bench/input_cost.c $(HEADERS) $(BUILD_STAMP)
	@mkdir -p $(@D)
	$(CC_fuzz) $(CFLAGS_fuzz) -c $< -o $@
$(BUILD)/bench/input_cost: $(BUILD)/fuzz/fuzz/loaders/bench/input_cost.o $(LOADER_HARNESS_FUZZ) \
		$(call objs,fuzz,$(HARDENED_SRC))
	@mkdir -p $(@D)
	$(CC_fuzz) $(SAN) $^ $(FUZZER_NO_MAIN) -lstdc++ -o $@

# build/bench/replay_<model>[.fixed] (ASan + UBSan replay) and
# build/bench/fuzz_<model> (libFuzzer), as every loader under test.
$(eval $(call loader_link,replay,$(BUILD)/bench/replay_%,$(BUILD)/asan/fuzz/loaders/bench/%.o))
$(eval $(call loader_link,fuzz,$(BUILD)/bench/fuzz_%,$(BUILD)/fuzz/fuzz/loaders/bench/%.o))

BENCH_MODEL_SEEDS := $(patsubst corpus/bench/models/%.scn,$(BUILD)/seed/bench-models/%.bin,\
	$(wildcard corpus/bench/models/*.scn))
$(BUILD)/seed/bench-models/%.bin: corpus/bench/models/%.scn $(BUILD)/scn
	@mkdir -p $(@D)
	$(BUILD)/scn encode $< -o $@
.PHONY: bench-model-seeds
bench-model-seeds: $(BENCH_MODEL_SEEDS)

BENCH_REPLAYS := $(foreach m,$(BENCH_HARD),$(BUILD)/bench/replay_$(m) $(BUILD)/bench/replay_$(m).fixed)
# The models make bench times: the harder ones unless BENCH_MODELS names
# others (a bad model of fuzz/loaders/l*.c is timed from build/models/).
BENCH_MODELS ?= $(BENCH_HARD)
bench_fuzzer = $(if $(wildcard fuzz/loaders/bench/$(1).c),$(BUILD)/bench/fuzz_$(1),$(BUILD)/models/fuzz_$(1))
# The time-to-find runs (scripts/fuzz-campaign --first) replay what they
# find: each model's replay driver too.
BENCH_FUZZERS := $(BUILD)/fuzz_ebs $(BUILD)/bench/fuzz_empty $(BUILD)/bench/fuzz_halting \
	$(BUILD)/bench/input_cost \
	$(foreach m,$(BENCH_MODELS),$(call bench_fuzzer,$(m)) $(subst /fuzz_,/replay_,$(call bench_fuzzer,$(m))))

.SECONDARY: $(foreach m,$(BENCH_HARD),$(BUILD)/asan/fuzz/loaders/bench/$(m).o \
	$(BUILD)/asan/fuzz/loaders/bench/$(m).fixed.o $(BUILD)/fuzz/fuzz/loaders/bench/$(m).o)

# Each harder model is caught by its scenario with the expected report,
# passes it with its fix and as the hardened loader, and is caught by no
# shipped input alone.
.PHONY: test-models-hard
test-models-hard: $(BENCH_REPLAYS) $(BENCH_MODEL_SEEDS) $(BUILD)/replay_ebs seeds model-seeds
	@fuzz/loaders/bench/check-hard-models $(BUILD) $(BENCH_HARD)
TEST_STEPS += test-models-hard

# The benchmark's timing driver still measures: every seed timed once, and
# the three figures make bench reports are numbers (they went blank once
# when the driver's own statics were restored between runs).
.PHONY: test-bench-driver
test-bench-driver: $(BUILD)/bench/input_cost seeds
	@$(BUILD)/bench/input_cost -n 1 $(BUILD)/seed/ebs > $(BUILD)/input_cost.log 2>&1 || \
		{ cat $(BUILD)/input_cost.log; exit 1; }
	@for q in median p90 max; do \
		grep -Eq "^input_us_$$q: [0-9]+\.[0-9] us$$" $(BUILD)/input_cost.log || \
			{ echo "test-bench-driver: no input_us_$$q figure:"; cat $(BUILD)/input_cost.log; exit 1; }; \
	done
	@echo "test-bench-driver: input_cost times $$(sed -n 's/^inputs: //p' $(BUILD)/input_cost.log) seeds" \
		"(median $$(sed -n 's/^input_us_median: //p' $(BUILD)/input_cost.log))"
TEST_STEPS += test-bench-driver

.PHONY: bench
bench: $(BENCH_FUZZERS) $(BUILD)/scn seeds
	@$(if $(and $(wildcard scripts/afl-run),$(filter-out 0,$(or $(BENCH_AFL),1))),$(MAKE) -s $(BUILD)/fuzz_ebs.afl &&) \
		BUILD=$(BUILD) scripts/bench $(BUILD)/bench.json $(BENCH_MODELS)
