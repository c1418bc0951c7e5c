# fuzz/report/report.mk - the report card of a loader (scripts/loader-report).
#
#   build/report/report-base.o     the sweep driver and the firmware (no fuzz
#                                  target, no replay driver), one object
#   build/report/loaders/NAME.o    a loader whose loader_exit_boot() is renamed
#                                  report_loader_NAME and whose other globals
#                                  are made local, so many link into one binary
#   build/report/report-models     the hardened loader, the good models, and
#                                  every bad model with and without its fix
#
# scripts/loader-report links a user's loader the same way, beside
# REPORT_REFERENCES.  make test runs test-report.

REPORT_SRC := $(addprefix fuzz/report/,report.c point.c outcome.c sweep_plan.c sweep.c jobs.c card.c \
	render_text.c render_json.c render_html.c)
REPORT_HEADERS := $(wildcard fuzz/report/*.h)
REPORT_DIR := $(BUILD)/report
REPORT_BASE := $(REPORT_DIR)/report-base.o

# The loaders the card of any loader is shown beside.
REPORT_REFERENCES := hardened good_linux good_xen good_uefi_rs
REPORT_MODELS := hardened $(LOADERS_GOOD) $(foreach m,$(LOADERS_BAD),$(m) $(m).fixed)

$(call objs,asan,$(REPORT_SRC)): $(REPORT_HEADERS)

$(REPORT_BASE): $(call objs,asan,$(REPORT_SRC) $(FW_SRC) fuzz/loader_code.c fuzz/loader_heap.c fuzz/halts.c fuzz/privileged.c)
	@mkdir -p $(@D)
	$(CC_asan) -r -nostdlib $^ -o $@

# report_rename(name): objcopy arguments that rename loader_exit_boot and
# keep it the only global symbol (a '.' in a name becomes '_').
report_rename = --keep-global-symbol=report_loader_$(subst .,_,$(1)) \
	--redefine-sym loader_exit_boot=report_loader_$(subst .,_,$(1))

$(REPORT_DIR)/loaders/hardened.o: $(call objs,asan,$(HARDENED_SRC))
	@mkdir -p $(@D)
	$(CC_asan) -r -nostdlib $^ -o $@.tmp
	objcopy $(call report_rename,hardened) $@.tmp $@
	@rm -f $@.tmp
$(REPORT_DIR)/loaders/%.o: $(BUILD)/asan/fuzz/loaders/%.o
	@mkdir -p $(@D)
	objcopy $(call report_rename,$*) $< $@

# The source a model's card names.
report_source = $(if $(filter hardened,$(1)),core/ (the hardened loader),$(if \
	$(filter %.fixed,$(1)),fuzz/loaders/$(basename $(1)).c -DEBSFUZZ_FIXED,fuzz/loaders/$(1).c))

$(REPORT_DIR)/models-table.c: fuzz/report/loader-table fuzz/report/report.mk \
		$(wildcard fuzz/loaders/*.c)
	@mkdir -p $(@D)
	fuzz/report/loader-table $(foreach m,$(REPORT_MODELS),'$(m)=$(call report_source,$(m))') > $@
$(REPORT_DIR)/%-table.o: $(REPORT_DIR)/%-table.c $(REPORT_HEADERS) $(BUILD_STAMP)
	$(CC_asan) $(CFLAGS_asan) -Ifuzz/report -c $< -o $@

$(REPORT_DIR)/report-models: $(REPORT_BASE) $(REPORT_DIR)/models-table.o \
		$(foreach m,$(REPORT_MODELS),$(REPORT_DIR)/loaders/$(m).o)
	$(CC_asan) $(LDFLAGS_asan) $^ -o $@

# What scripts/loader-report links a user's loader with.
.PHONY: report-harness
report-harness: $(REPORT_BASE) $(foreach m,$(REPORT_REFERENCES),$(REPORT_DIR)/loaders/$(m).o)

# The README's invariants, from its table: the rules every card lists.
REPORT_INVARIANTS = $(shell sed -n '/^\#\# Invariants/,/^\#\# /s/^| `\([a-z-]*\)` |.*/\1/p' \
	README.md | paste -sd, -)

.PHONY: test-report
TEST_STEPS += test-report
test-report: $(REPORT_DIR)/report-models report-harness
	@REPORT_INVARIANTS='$(REPORT_INVARIANTS)' fuzz/report/tests/check-report $(BUILD)

.SECONDARY: $(foreach m,$(REPORT_MODELS),$(REPORT_DIR)/loaders/$(m).o)
