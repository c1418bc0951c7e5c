# Scenario files and regressions: round trips, headers, and the replay of
# every regression with the loader it was found on.  Included by the top
# Makefile.

# Any loader source kept in the tree, linked with the harness and the replay
# driver (ASan + UBSan): build/replay-loader/<path without .c>.
$(BUILD)/asan/loader/%.o: %.c $(HEADERS)
	@mkdir -p $(@D)
	$(CC_asan) $(CFLAGS_asan) -c $< -o $@
$(BUILD)/replay-loader/%: $(BUILD)/asan/loader/%.o $(call HARNESS,asan) $(call objs,asan,fuzz/replay.c)
	@mkdir -p $(@D)
	$(CC_asan) $(LDFLAGS_asan) $^ -o $@

SCENARIO_FILES := $(wildcard corpus/*/scenarios/*.scn corpus/regressions/*.scn corpus/models/*.scn)
REGRESSION_BINS := $(wildcard corpus/regressions/*.bin)

# decode(encode(s)) is s for every scenario file; encode(decode(b)) replays
# like b for every committed input; every file says what it is for.
.PHONY: test-scenarios
test-scenarios: $(BUILD)/scn $(BUILD)/replay_ebs
	@scripts/check-scenarios $(BUILD)/scn $(BUILD)/replay_ebs $(SCENARIO_FILES) $(REGRESSION_BINS)

# Each regression replays with its loader and ends as its header expects.
.PHONY: test-regressions
test-regressions: $(BUILD)/scn $(BUILD)/replay_ebs
	@scripts/check-regressions corpus/regressions

# Merge the working corpus of `make fuzz` into a minimal one with the same
# coverage (libFuzzer -merge=1), and replace it.
.PHONY: cmin
cmin: $(BUILD)/fuzz_ebs
	@scripts/cmin $(BUILD)/fuzz_ebs $(BUILD)/fuzz-work/fuzz_ebs/corpus

TEST_STEPS += test-scenarios test-regressions

# The libFuzzer build of any loader source in the tree (for minimising its
# crashes): build/fuzz-loader/<path without .c>.
$(BUILD)/fuzz/loader/%.o: %.c $(HEADERS)
	@mkdir -p $(@D)
	$(CC_fuzz) $(CFLAGS_fuzz) -c $< -o $@
$(BUILD)/fuzz-loader/%: $(BUILD)/fuzz/loader/%.o $(call HARNESS,fuzz)
	@mkdir -p $(@D)
	$(CC_fuzz) $(LDFLAGS_fuzz) $^ -o $@
