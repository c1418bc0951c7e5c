# Citations of docs/ in code, scripts, makefiles and scenario comments
# resolve: documents, section numbers, catalogue codes (scripts/check-docs).
# Included by the top Makefile.

.PHONY: test-docs
test-docs:
	@scripts/check-docs

TEST_STEPS += test-docs
