# The structure-aware mutator without libFuzzer (test_mutator.c).  Included
# by the top Makefile; part of make test.

$(BUILD)/test_mutator: $(call objs,asan,fuzz/tests/test_mutator.c fuzz/mutator.c fuzz/script.c)
	$(CC_asan) $(LDFLAGS_asan) $^ -o $@

.PHONY: test-mutator
test-mutator: $(BUILD)/test_mutator
	@$(BUILD)/test_mutator

TEST_STEPS += test-mutator
