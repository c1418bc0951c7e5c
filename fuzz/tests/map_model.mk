# The map model against the implementation it replaced (test_map_model.c):
# random maps, allocations and frees must leave identical maps.  Included
# by the top Makefile; part of make test.

$(BUILD)/test_map_model: $(call objs,asan,fuzz/tests/test_map_model.c $(FW_SRC))
	$(CC_asan) $(LDFLAGS_asan) $^ -o $@

.PHONY: test-map-model
test-map-model: $(BUILD)/test_map_model
	@$(BUILD)/test_map_model

TEST_STEPS += test-map-model
