# fuzz/ovmf/ovmf.mk - the real-firmware differential (included by the top
# Makefile).  The same loader runs on real EDK2 (OVMF) and U-Boot under QEMU
# and on the fake firmware, and scripts/firmware-check compares them.
#
#   make ovmf-build    the UEFI image and its ESP, and the fake's side
#   make firmware-check  boot every fuzz/ovmf/scenarios/*.scn on each real
#                      firmware (EDK2 2022.11, 2025.02, U-Boot 2023.01)
#                      and compare (part of `make test`; alias ovmf-check)
#   make sample-check  the same for SAMPLE inputs of the fuzz corpus
#
# OVMF_LOADER picks the sources of the loader under test (anything that
# defines loader_exit_boot, core/efi.h), OVMF_NAME its build directory:
#   make firmware-check OVMF_LOADER="my_loader.c core/memmap.c" OVMF_NAME=mine
# A loader from outside core/ and fuzz/ gets -std=gnu11 and the warnings,
# not -Werror, as it does for fuzzing.
#
# The UEFI image is built with clang and lld-link for a PE32+ target, from
# our own headers (ovmf.md §1 (b)): -mno-stack-arg-probe avoids __chkstk,
# -fshort-wchar makes L"" CHAR16, -mno-red-zone because firmware interrupts
# share the stack, -mgeneral-regs-only because U-Boot runs applications
# with SSE off (uboot.md).  memcpy/memset come from fuzz/ovmf/libc.c.

OVMF_LOADER ?= $(HARDENED_SRC)
OVMF_NAME ?= hardened
OVMF_OUT := $(BUILD)/ovmf/$(OVMF_NAME)
LLD_LINK ?= lld-link

OVMF_DRIVER_SRC := fuzz/ovmf/efi_main.c fuzz/ovmf/actions.c fuzz/ovmf/shim.c fuzz/ovmf/seq.c \
	fuzz/ovmf/fwcfg.c fuzz/ovmf/uart.c fuzz/ovmf/libc.c fuzz/script.c
OVMF_FAKE_SRC := $(FW_SRC) fuzz/script_text.c fuzz/ovmf/fake_sequence.c fuzz/ovmf/shim.c \
	fuzz/ovmf/seq.c
OVMF_HEADERS := $(HEADERS) $(wildcard fuzz/ovmf/*.h)
CFLAGS_efi := -target x86_64-unknown-windows -ffreestanding -fshort-wchar -mno-red-zone \
	-fno-stack-protector -mno-stack-arg-probe -fno-builtin -mgeneral-regs-only -O2 $(WARN)

$(BUILD)/efi/%.obj: %.c $(OVMF_HEADERS) $(BUILD_STAMP)
	@mkdir -p $(@D)
	$(CLANG) $(CFLAGS_efi) -c $< -o $@

# A loader from outside core/ and fuzz/ is judged by the firmware, not by
# our warning policy, as fuzz/loader-build.mk builds it for fuzzing:
# -std=gnu11 and the warnings, without -Werror, in the UEFI image and on
# the fake's side.
OVMF_FOREIGN := $(filter-out core/% fuzz/%,$(OVMF_LOADER))
FOREIGN_LANG := -std=gnu11 -Wall -Wextra
$(patsubst %.c,$(BUILD)/efi/%.obj,$(OVMF_FOREIGN)): \
	CFLAGS_efi := $(filter-out $(WARN),$(CFLAGS_efi)) $(FOREIGN_LANG)
$(call objs,asan,$(OVMF_FOREIGN)): CFLAGS_asan := $(filter-out $(WARN),$(CFLAGS_asan)) $(FOREIGN_LANG)

$(OVMF_OUT)/BOOTX64.EFI: $(patsubst %.c,$(BUILD)/efi/%.obj,$(OVMF_DRIVER_SRC) $(OVMF_LOADER))
	@mkdir -p $(@D)
	$(LLD_LINK) /nologo /subsystem:efi_application /entry:efi_main /nodefaultlib /out:$@ $^

# A FAT "superfloppy" ESP with the removable-media path, which OVMF boots
# with blank NVRAM (ovmf.md §2).  Read-only at run time, so boots share it.
$(OVMF_OUT)/esp.img: $(OVMF_OUT)/BOOTX64.EFI
	rm -f $@.tmp
	mformat -i $@.tmp -C -T 32768 -h 64 -s 32 ::
	mmd -i $@.tmp ::/EFI ::/EFI/BOOT
	mcopy -i $@.tmp $< ::/EFI/BOOT/BOOTX64.EFI
	mv $@.tmp $@

$(call objs,asan,fuzz/ovmf/fake_sequence.c fuzz/ovmf/shim.c fuzz/ovmf/seq.c): \
	$(wildcard fuzz/ovmf/*.h)
$(OVMF_OUT)/fake_sequence: $(call objs,asan,$(OVMF_FAKE_SRC) $(OVMF_LOADER))
	@mkdir -p $(@D)
	$(CC_asan) $(LDFLAGS_asan) $^ -o $@

.PHONY: ovmf-build firmware-check ovmf-check sample-check
ovmf-build: $(OVMF_OUT)/esp.img $(OVMF_OUT)/fake_sequence $(BUILD)/scn

# A loader from elsewhere (scripts/confirm-on-real, firmware-check
# --loader) builds with its warnings as warnings: the own-header example,
# copied out of fuzz/, with an unused function added.
FOREIGN_DIR := $(BUILD)/foreign
.PHONY: ovmf-foreign-check
# After ovmf-build: both would build the driver's objects.
ovmf-foreign-check: ovmf-build
	@rm -rf $(FOREIGN_DIR) && mkdir -p $(FOREIGN_DIR)
	@cp fuzz/loaders/examples/own-header/loader.c fuzz/loaders/examples/own-header/my_efi.h \
		$(FOREIGN_DIR)/
	@printf '\nstatic int never_called(void) { return 0; }\n' >>$(FOREIGN_DIR)/loader.c
	@$(MAKE) -s ovmf-build OVMF_LOADER=$(FOREIGN_DIR)/loader.c OVMF_NAME=foreign \
		>$(FOREIGN_DIR)/build.log 2>&1 || { cat $(FOREIGN_DIR)/build.log; exit 1; }
	@grep -q 'Wunused-function' $(FOREIGN_DIR)/build.log || \
		{ echo "ovmf-foreign-check: the loader's warning was not reported"; exit 1; }

firmware-check: ovmf-build ovmf-foreign-check
	scripts/firmware-check --built --out $(OVMF_OUT) --scn $(BUILD)/scn

# Its name from before U-Boot joined.
ovmf-check: firmware-check

# Fuzzer-made inputs on real firmware (never part of make test: about ten
# minutes for 200 inputs on each of the three firmwares, 2 cores).
SAMPLE ?= 200
SAMPLE_SEED ?= 1
sample-check: ovmf-build seeds
	scripts/sample-check -n $(SAMPLE) --seed $(SAMPLE_SEED)

TEST_STEPS += firmware-check
