# fuzz/loaders/bench.mk - make bench: speed of the fuzz target and time for
# the fuzzer to find each known-bad loader model (scripts/bench).  Not part
# of make test: benchmarks are measurements, not tests.
#
#   make bench [BENCH_RUNS=3] [BENCH_SEEDS_CAP=60] [BENCH_EMPTY_CAP=300]
#              [BENCH_EXEC_SECONDS=20] [BENCH_MODELS='l1_no_retry ...']
# prints "name: value unit" lines and writes $(BUILD)/bench.json.

$(BUILD)/bench/fuzz_empty: $(BUILD)/fuzz/fuzz/loaders/bench/empty.o
	@mkdir -p $(@D)
	$(CC_fuzz) $(LDFLAGS_fuzz) $^ -o $@

BENCH_FUZZERS := $(BUILD)/fuzz_ebs $(BUILD)/bench/fuzz_empty \
	$(foreach m,$(LOADERS_BAD),$(BUILD)/models/fuzz_$(m))

.PHONY: bench
bench: $(BENCH_FUZZERS) seeds
	@$(if $(wildcard scripts/afl-run),$(MAKE) -s $(BUILD)/fuzz_ebs.afl &&) \
		BUILD=$(BUILD) scripts/bench $(BUILD)/bench.json $(LOADERS_BAD)
