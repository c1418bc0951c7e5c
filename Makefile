# ebsfuzz - fuzz the ExitBootServices logic of UEFI loaders.
#
#   make             build the hardened loader's fuzz target and replay drivers
#   make test        unit tests, invariant tests, corpus replay (ASan+UBSan, gcc)
#   make fuzz        fuzz the hardened loader for FUZZ_SECONDS (default 60) with
#                    JOBS workers (libFuzzer fork mode when JOBS > 1)
#   make check-boundaries   core/ stays freestanding and never reaches into fuzz/
#
# Objects are built once per variant, each in its own directory under build/:
#   build/gcc/    gcc, no sanitizer        -> build/replay_ebs.gcc
#   build/asan/   clang, ASan + UBSan      -> build/replay_ebs
#   build/fuzz/   clang, libFuzzer + ASan + UBSan -> build/fuzz_ebs
# Other makefiles (fuzz/*.mk, fuzz/*/*.mk) add targets with the same helpers.

CLANG ?= clang
GCC ?= gcc
BUILD ?= build
FUZZ_SECONDS ?= 60
JOBS ?= 1

WARN := -std=c11 -Wall -Wextra -Werror
OPT := -O1 -g -fno-omit-frame-pointer
SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
# core/ is loader code: freestanding, as it is in a UEFI image.
CORE_FLAGS := -ffreestanding

CORE_SRC := core/ebs.c core/memmap.c core/e820.c
HARDENED_SRC := $(CORE_SRC) core/loader.c
FW_SRC := fuzz/script.c fuzz/script_text.c fuzz/fw_core.c fuzz/fw_settings.c fuzz/fw_options.c \
	fuzz/fw_map.c fuzz/fw_map_start.c fuzz/fw_maps_ovmf.c fuzz/fw_memory.c fuzz/fw_getmap.c \
	fuzz/fw_exit.c fuzz/fw_misc.c fuzz/fw_runtime.c fuzz/fw_unsupported.c fuzz/fw_uboot.c \
	fuzz/oracle.c
TARGET_SRC := fuzz/fuzz_ebs.c
HEADERS := $(wildcard core/*.h fuzz/*.h)

CC_gcc := $(GCC)
CFLAGS_gcc := $(WARN) $(OPT)
LDFLAGS_gcc :=
CC_asan := $(CLANG)
CFLAGS_asan := $(WARN) $(OPT) $(SAN)
LDFLAGS_asan := $(SAN)
CC_fuzz := $(CLANG)
CFLAGS_fuzz := $(WARN) $(OPT) $(SAN) -fsanitize=fuzzer-no-link
LDFLAGS_fuzz := $(SAN) -fsanitize=fuzzer

# objs(variant, sources) -> object paths
objs = $(patsubst %.c,$(BUILD)/$(1)/%.o,$(2))

# variant_rules(variant): compile rules into $(BUILD)/<variant>/ with
# CC_<variant> and CFLAGS_<variant>; core/ gets CORE_FLAGS on top.
define variant_rules
$(BUILD)/$(1)/core/%.o: core/%.c $(HEADERS)
	@mkdir -p $$(@D)
	$$(CC_$(1)) $$(CFLAGS_$(1)) $(CORE_FLAGS) -c $$< -o $$@
$(BUILD)/$(1)/%.o: %.c $(HEADERS)
	@mkdir -p $$(@D)
	$$(CC_$(1)) $$(CFLAGS_$(1)) -c $$< -o $$@
endef
$(foreach v,gcc asan fuzz,$(eval $(call variant_rules,$(v))))

# The firmware is the referee, not the code under test.  libFuzzer's
# comparison tracing in its map model (scans over hundreds of regions) cost
# more than half of every run, and it guides little: inputs are decoded
# modulo, with no magic values to match.  Its edges are still counted.
$(call objs,fuzz,$(FW_SRC)): CFLAGS_fuzz += -fno-sanitize-coverage=trace-cmp

HARNESS = $(call objs,$(1),$(FW_SRC) $(TARGET_SRC))

$(BUILD)/fuzz_ebs: $(call HARNESS,fuzz) $(call objs,fuzz,$(HARDENED_SRC))
	$(CC_fuzz) $(LDFLAGS_fuzz) $^ -o $@
$(BUILD)/replay_ebs: $(call HARNESS,asan) $(call objs,asan,$(HARDENED_SRC) fuzz/replay.c)
	$(CC_asan) $(LDFLAGS_asan) $^ -o $@
$(BUILD)/replay_ebs.gcc: $(call HARNESS,gcc) $(call objs,gcc,$(HARDENED_SRC) fuzz/replay.c)
	$(CC_gcc) $(LDFLAGS_gcc) $^ -o $@

# Included makefiles append to these: ALL_TARGETS are built by `make`,
# TEST_STEPS are phony targets `make test` runs before the corpus replay.
ALL_TARGETS := $(BUILD)/fuzz_ebs $(BUILD)/replay_ebs $(BUILD)/replay_ebs.gcc $(BUILD)/scn
TEST_STEPS :=

.PHONY: all test fuzz check-boundaries clean
.DEFAULT_GOAL := all

-include $(wildcard fuzz/*.mk fuzz/*/*.mk)

# Replay every shipped input through the hardened loader, sanitized and not.
.PHONY: test-replay
test-replay: $(BUILD)/replay_ebs $(BUILD)/replay_ebs.gcc seeds
	$(BUILD)/replay_ebs $(BUILD)/seed/ebs $(BUILD)/seed/regressions
	$(BUILD)/replay_ebs.gcc $(BUILD)/seed/ebs $(BUILD)/seed/regressions

all: $(ALL_TARGETS) seeds

test: check-boundaries $(TEST_STEPS) test-replay
	@echo "make test: all passed"

# core/ may include only core/ headers and freestanding ones, and its
# objects may need nothing from outside but memcpy and memset (the
# compiler's own calls); the UEFI image supplies exactly those.
# (_GLOBAL_OFFSET_TABLE_ is the linker's, referenced by position-independent code.)
check-boundaries: $(call objs,gcc,$(CORE_SRC) core/loader.c)
	@bad=$$(grep -nE '#[[:space:]]*include[[:space:]]*[<"]' core/*.[ch] | \
		grep -vE '[<"](efi|ebs|memmap|e820)\.h[>"]|<(stdint|stddef|stdbool)\.h>'); \
	if [ -n "$$bad" ]; then echo "core/ includes outside its boundary:"; echo "$$bad"; exit 1; fi
	@$(GCC) -r -nostdlib $^ -o $(BUILD)/gcc/core-linked.o
	@undef=$$(nm -u $(BUILD)/gcc/core-linked.o | awk '{print $$2}' | grep -vE '^(memcpy|memset|_GLOBAL_OFFSET_TABLE_)$$'); \
	if [ -n "$$undef" ]; then echo "core/ objects need symbols from outside:"; echo "$$undef"; exit 1; fi
	@echo "check-boundaries: core/ is freestanding"

# Fuzz the hardened loader; a violation stops the run and names the crash file.
fuzz: $(BUILD)/fuzz_ebs seeds
	@scripts/fuzz-run $(BUILD)/fuzz_ebs $(FUZZ_SECONDS) $(JOBS)

clean:
	rm -rf $(BUILD)

# The scenario tool and the seeds it encodes from corpus/ebs/scenarios/*.scn,
# the source of truth (seeds are build output).
$(BUILD)/scn: fuzz/scn.c fuzz/script.c fuzz/script_text.c fuzz/script.h
	@mkdir -p $(@D)
	$(GCC) $(CFLAGS_gcc) fuzz/scn.c fuzz/script.c fuzz/script_text.c -o $@

SCENARIOS := $(wildcard corpus/ebs/scenarios/*.scn)
SEEDS := $(patsubst corpus/ebs/scenarios/%.scn,$(BUILD)/seed/ebs/%.bin,$(SCENARIOS))

$(BUILD)/seed/ebs/%.bin: corpus/ebs/scenarios/%.scn $(BUILD)/scn
	@mkdir -p $(@D)
	$(BUILD)/scn encode $< -o $@

# Regressions are committed bytes; their .scn beside them is for people.
# Fuzzers and replays take them from build/seed/regressions/, .bin only.
REGRESSIONS := $(wildcard corpus/regressions/*.bin)
REGRESSION_SEEDS := $(patsubst corpus/regressions/%,$(BUILD)/seed/regressions/%,$(REGRESSIONS))

$(BUILD)/seed/regressions/%.bin: corpus/regressions/%.bin
	@mkdir -p $(@D)
	cp $< $@

.PHONY: seeds
seeds: $(SEEDS) $(REGRESSION_SEEDS)
	@mkdir -p $(BUILD)/seed/regressions
