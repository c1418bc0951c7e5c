# fuzz/loaders/probes.mk - detection probes: tiny loaders with one memory
# bug each (fuzz/loaders/probes/p<N>_*.c, the report each must produce on
# its "expect:" line).  make test-probes (part of make test) runs each on
# the empty input, through the replay driver and the libFuzzer build: the
# fake firmware's memory must keep letting ASan, or the invariants, see
# every one of them, whatever the allocator underneath becomes.

PROBES := $(sort $(basename $(notdir $(wildcard fuzz/loaders/probes/p[0-9]*.c))))

$(eval $(call loader_link,replay,$(BUILD)/probes/replay_%,$(BUILD)/asan/fuzz/loaders/probes/%.o))
$(eval $(call loader_link,fuzz,$(BUILD)/probes/fuzz_%,$(BUILD)/fuzz/fuzz/loaders/probes/%.o))

.SECONDARY: $(foreach p,$(PROBES),$(BUILD)/asan/fuzz/loaders/probes/$(p).o \
	$(BUILD)/fuzz/fuzz/loaders/probes/$(p).o)

.PHONY: test-probes
test-probes: $(foreach p,$(PROBES),$(BUILD)/probes/replay_$(p) $(BUILD)/probes/fuzz_$(p))
	@fuzz/loaders/probes/check-probes $(BUILD) $(PROBES)

TEST_STEPS += test-probes
