# The dictionary corpus/ebs.dict, generated from the format (fuzz/mkdict.c:
# every named value of the opcode table, the heads of the other directives,
# and the directives of corpus/ebs.dict.scn).  Included by the top Makefile.
#
#   make dict          rewrite corpus/ebs.dict
#   make check-dict    fail if corpus/ebs.dict is not what make dict writes
#                      (part of make test)

$(BUILD)/mkdict: fuzz/mkdict.c fuzz/script.c fuzz/script_text.c fuzz/script.h
	@mkdir -p $(@D)
	$(GCC) $(CFLAGS_gcc) fuzz/mkdict.c fuzz/script.c fuzz/script_text.c -o $@

.PHONY: dict check-dict
dict: $(BUILD)/mkdict
	$(BUILD)/mkdict corpus/ebs.dict.scn > $(BUILD)/ebs.dict.new
	mv $(BUILD)/ebs.dict.new corpus/ebs.dict

check-dict: $(BUILD)/mkdict
	@$(BUILD)/mkdict corpus/ebs.dict.scn > $(BUILD)/ebs.dict.new
	@cmp -s $(BUILD)/ebs.dict.new corpus/ebs.dict || \
		{ echo "check-dict: corpus/ebs.dict is stale (make dict rewrites it):"; \
		  diff corpus/ebs.dict $(BUILD)/ebs.dict.new | head -n 20; exit 1; }
	@echo "check-dict: corpus/ebs.dict is the format's, $$(grep -c '^[^#]' corpus/ebs.dict) entries"

TEST_STEPS += check-dict
