# Unit and invariant tests of the fake firmware, built with ASan and UBSan
# and linked with the hardened loader.  Included by the top Makefile.

TEST_LIB_SRC := fuzz/tests/testlib.c
TEST_PROGRAMS := test_invariants test_referee test_firmware test_uboot test_memory test_arena \
	test_arena_written test_exit_sequences test_script \
	test_halts test_heap test_timer_events test_placement test_protocols \
	test_loader_code test_machine

define test_program
$(BUILD)/$(1): $(call objs,asan,fuzz/tests/$(1).c $(TEST_LIB_SRC) $(FW_SRC) $(HARDENED_SRC))
	$$(CC_asan) $$(LDFLAGS_asan) $$^ -o $$@
endef
$(foreach t,$(TEST_PROGRAMS),$(eval $(call test_program,$(t))))
# The loader's heap is reached through the calls its renamed malloc() makes.
$(BUILD)/test_heap: $(call objs,asan,fuzz/loader_heap.c)
# The halt sampler, fed contexts by hand.
$(BUILD)/test_halts: $(call objs,asan,fuzz/halts.c fuzz/privileged.c fuzz/loader_code.c)
$(BUILD)/test_loader_code: $(call objs,asan,fuzz/loader_code.c)
$(BUILD)/test_arena: $(call objs,asan,fuzz/loader_code.c)

.PHONY: test-unit
test-unit: $(addprefix $(BUILD)/,$(TEST_PROGRAMS))
	@for t in $(TEST_PROGRAMS); do \
		$(BUILD)/$$t > $(BUILD)/$$t.log 2>&1 || { cat $(BUILD)/$$t.log; exit 1; }; \
		tail -n 1 $(BUILD)/$$t.log; \
	done

TEST_STEPS += test-unit

# The plain gcc replay under valgrind: memory errors and leaks outside ASan.
.PHONY: test-valgrind
test-valgrind: $(BUILD)/replay_ebs.gcc seeds
	@valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite \
		$(BUILD)/replay_ebs.gcc -n 2 $(BUILD)/seed/ebs $(BUILD)/seed/regressions \
		> $(BUILD)/valgrind.log 2>&1 || { cat $(BUILD)/valgrind.log; exit 1; }
	@echo "valgrind: $$(tail -n 1 $(BUILD)/valgrind.log)"

TEST_STEPS += test-valgrind
