# AFL++: every fuzz target also builds with afl-clang-fast and libAFLDriver
# (the same LLVMFuzzerTestOneInput, run in persistent mode from shared
# memory), plus a CMPLOG build for AFL++'s comparison feedback (-c).
#
#   build/fuzz_ebs.afl      afl-clang-fast, ASan + UBSan, libAFLDriver
#   build/fuzz_ebs.cmplog   afl-clang-fast with AFL_LLVM_CMPLOG, no sanitizer
#   build/models/<model>.afl, .cmplog   the same for a fuzz/loaders model
#   make afl [AFL_SECONDS=60] [AFL_JOBS=N]
#                           campaign on the hardened loader: one main and N-1
#                           secondary afl-fuzz instances (N = cores by
#                           default), seeds and dictionary, a summary at the
#                           end; fails on a crash, a hang or stability < 100%
#   make afl-test           CI: both builds replay the seeds, then 10 s of one
#                           instance must keep 100% stability
#   make afl-loader AFL_LOADER_SRC='a.c b.c' AFL_LOADER_OUT=x.afl [LOADER_CFLAGS=...]
#                           the same pair for any loader (x.afl, x.cmplog),
#                           built by fuzz/loader-build.mk; scripts/afl-build
#                           wraps it
#
# The AFL++ binary is sanitized: with a target this small AFL++'s per-run
# cost is its own bookkeeping, not the sanitizers (fuzzing.md 2.2: 47k/s
# plain, 46k/s with ASan + UBSan).  The CMPLOG binary only reports
# comparison operands, so it is built without sanitizers, as README.cmplog.md
# builds it.

AFL_CC ?= afl-clang-fast
AFL_DRIVER ?= /usr/lib/afl/libAFLDriver.a
AFL_SECONDS ?= 60
AFL_JOBS ?=

# AFL_QUIET: afl-cc's banner on every compile buries the warnings.
CC_afl := AFL_QUIET=1 $(AFL_CC)
CFLAGS_afl := $(WARN) $(OPT) $(SAN)
LDFLAGS_afl := $(SAN)
CC_cmplog := AFL_QUIET=1 AFL_LLVM_CMPLOG=1 $(AFL_CC)
CFLAGS_cmplog := $(WARN) $(OPT)
LDFLAGS_cmplog :=

$(foreach v,afl cmplog,$(eval $(call variant_rules,$(v))))

# Only the loader carries coverage, as in the libFuzzer builds (the
# Makefile, HARNESS_UNCOVERED, says why): AFL++ leaves every function of
# the harness's files out of its edges and its CMPLOG alike, since
# AFL_LLVM_DENYLIST names them all (fuzz/uncovered.list).
AFL_UNCOVERED := AFL_LLVM_DENYLIST=$(abspath fuzz/uncovered.list)
$(call HARNESS,afl): CC_afl := $(AFL_UNCOVERED) $(CC_afl)
$(call HARNESS,cmplog): CC_cmplog := $(AFL_UNCOVERED) $(CC_cmplog)
# And, as there (the Makefile, HARNESS_OPT and FW_OWN_STATE_SRC): the
# harness at -O2, the loader at OPT, and the firmware's objects that touch
# only its own state without ASan or UBSan.
$(call HARNESS,afl): CFLAGS_afl := $(WARN) $(HARNESS_OPT) $(SAN)
$(call objs,afl,$(FW_OWN_STATE_SRC)): CFLAGS_afl += -fno-sanitize=address,undefined
$(call HARNESS,cmplog): CFLAGS_cmplog := $(WARN) $(HARNESS_OPT)
# What an object AFL++ instrumented refers to (afl-test checks the lists).
AFL_RUNTIME_SYMBOLS := __sanitizer_cov_|__afl_|__cmplog_

# afl_target(name, loader sources): build/<name>.afl and build/<name>.cmplog.
# The driver comes last so that its main() finds LLVMFuzzerTestOneInput.
define afl_target
$(BUILD)/$(1).afl: $(call HARNESS,afl) $(call objs,afl,$(2))
	$$(CC_afl) $$(LDFLAGS_afl) $$^ $$(AFL_DRIVER) -o $$@
$(BUILD)/$(1).cmplog: $(call HARNESS,cmplog) $(call objs,cmplog,$(2))
	$$(CC_cmplog) $$(LDFLAGS_cmplog) $$^ $$(AFL_DRIVER) -o $$@
ALL_TARGETS += $(BUILD)/$(1).afl $(BUILD)/$(1).cmplog
endef
$(eval $(call afl_target,fuzz_ebs,$(HARDENED_SRC)))

# The loader models of fuzz/loaders/ too, on demand (fuzz/loader-build.mk):
# make build/models/<model>.afl build/models/<model>.cmplog
$(eval $(call loader_link,afl,$(BUILD)/models/%.afl,$(BUILD)/afl/fuzz/loaders/%.o))
$(eval $(call loader_link,cmplog,$(BUILD)/models/%.cmplog,$(BUILD)/cmplog/fuzz/loaders/%.o))
.PRECIOUS: $(BUILD)/afl/fuzz/loaders/%.o $(BUILD)/cmplog/fuzz/loaders/%.o

.PHONY: afl afl-test
afl: $(BUILD)/fuzz_ebs.afl $(BUILD)/fuzz_ebs.cmplog seeds
	@AFL_MIN_STABILITY=100 scripts/afl-run $(BUILD)/fuzz_ebs.afl $(AFL_SECONDS) $(AFL_JOBS)

# libAFLDriver runs the files it is given when not under afl-fuzz: a replay
# of the seeds proves both builds start and pass them.  The short campaign
# catches state leaking between runs (instability) as soon as it appears.
afl-test: $(BUILD)/fuzz_ebs.afl $(BUILD)/fuzz_ebs.cmplog seeds
	@$(BUILD)/fuzz_ebs.afl $(SEEDS) $(REGRESSIONS) >$(BUILD)/afl-test.log 2>&1 || \
		{ cat $(BUILD)/afl-test.log; exit 1; }
	@$(BUILD)/fuzz_ebs.cmplog $(SEEDS) $(REGRESSIONS) >>$(BUILD)/afl-test.log 2>&1 || \
		{ cat $(BUILD)/afl-test.log; exit 1; }
	@echo "afl-test: fuzz_ebs.afl and fuzz_ebs.cmplog replay $(words $(SEEDS) $(REGRESSIONS)) inputs"
	@covered=$$(for o in $(call HARNESS,afl) $(call HARNESS,cmplog); do \
		nm -u $$o | grep -qE '$(AFL_RUNTIME_SYMBOLS)' && echo $$o; done); \
	loader=$$(for o in $(call objs,afl,$(HARDENED_SRC)) $(call objs,cmplog,$(HARDENED_SRC)); do \
		nm -u $$o | grep -qE '$(AFL_RUNTIME_SYMBOLS)' && echo $$o; done); \
	if [ -n "$$covered" ] || [ -z "$$loader" ]; then \
		echo "afl-test: AFL++ instruments the harness ($$covered) or not the loader"; exit 1; fi
	@echo "afl-test: AFL++ instruments the loader's objects, none of the harness's"
	@AFL_MIN_STABILITY=100 AFL_WORK=$(BUILD)/afl-work/afl-test scripts/afl-run $(BUILD)/fuzz_ebs.afl 10 1

# Any loader: make afl-loader (scripts/afl-build) is the afl and cmplog
# variants of make loader-build (fuzz/loader-build.mk).

TEST_STEPS += afl-test
