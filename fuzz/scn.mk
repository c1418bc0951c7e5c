# Scenario files and regressions: round trips, headers, and the replay of
# every regression with the loader it was found on.  Included by the top
# Makefile.

SCENARIO_FILES := $(wildcard corpus/*/scenarios/*.scn corpus/regressions/*.scn corpus/models/*.scn \
	corpus/bench/models/*.scn fuzz/ovmf/scenarios/*.scn)

# decode(encode(s)) is s for every scenario file; encode(decode(b)) replays
# like b for every committed input; every file says what it is for, in the
# one header grammar (corpus/README.md), whose reader is tested first.
.PHONY: test-scenarios
test-scenarios: $(BUILD)/scn $(BUILD)/replay_ebs
	@fuzz/tests/check-corpus-header
	@scripts/check-scenarios $(BUILD)/scn $(BUILD)/replay_ebs $(SCENARIO_FILES) $(REGRESSIONS)

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
