# make coverage: clang source-based coverage of the shipped corpus (seeds
# and regressions) through the hardened loader.  HTML under build/coverage/,
# llvm-cov's summary table on stdout.

CC_cov := $(CLANG)
CFLAGS_cov := $(WARN) -O0 -g -fprofile-instr-generate -fcoverage-mapping
LDFLAGS_cov := -fprofile-instr-generate -fcoverage-mapping

$(eval $(call variant_rules,cov))

$(BUILD)/replay_ebs.cov: $(call HARNESS,cov) $(call objs,cov,$(HARDENED_SRC) fuzz/replay.c)
	$(CC_cov) $(LDFLAGS_cov) $^ -o $@

.PHONY: coverage
coverage: $(BUILD)/replay_ebs.cov seeds
	@rm -rf $(BUILD)/coverage && mkdir -p $(BUILD)/coverage
	LLVM_PROFILE_FILE=$(BUILD)/coverage/replay.profraw $(BUILD)/replay_ebs.cov -n 1 \
		$(BUILD)/seed/ebs $(BUILD)/seed/regressions
	llvm-profdata merge -sparse $(BUILD)/coverage/replay.profraw -o $(BUILD)/coverage/corpus.profdata
	llvm-cov show $(BUILD)/replay_ebs.cov -instr-profile=$(BUILD)/coverage/corpus.profdata \
		-format=html -output-dir=$(BUILD)/coverage/html -show-branches=count core fuzz
	llvm-cov report $(BUILD)/replay_ebs.cov -instr-profile=$(BUILD)/coverage/corpus.profdata \
		-show-region-summary=false core fuzz
	@echo "coverage: HTML report in $(BUILD)/coverage/html/index.html"
