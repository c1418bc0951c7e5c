/* SPDX-License-Identifier: MIT */
/*
 * test_halts.c - how the referee judges a loader that halts in a loop of
 * its own code, the way real loaders stop on a fatal error.  In a fuzzing
 * or replay process fuzz/signals.c sees the loop and ends the run with
 * fw_end_run_halted(); the loaders here call it themselves where their
 * loop would be.  Liveness judges a halt where a boot was owed; the hang
 * invariant any other, with the class the run has: giving-up where no
 * boot was owed, noncompliant on firmware outside the rules, compliant
 * after a successful exit (the contract asks the loader to return).
 */
#include "fixtures.h"

/* A map grown by 16 descriptors during the first exit: no boot owed. */
#define OUTGROWN                                                                               \
	"firmware ami\n"                                                                       \
	"handler exit once alloc-pages BootServicesData amount=1 delta=+1 repeat=16\n"

static _Noreturn void halt(void)
{
	fw_end_run_halted(__builtin_return_address(0));
}

/* Halts when the size query is not answered as it should be, or after
 * its first exit attempt fails; returns after a successful one. */
static EFI_STATUS halts_on_failure(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;

	if (read_map(st, &m) != EFI_SUCCESS)
		halt();
	if (m.bs->ExitBootServices(image, m.key) != EFI_SUCCESS)
		halt();
	return EFI_SUCCESS;
}

/* Exits, then halts instead of returning. */
static EFI_STATUS halts_after_exit(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;

	if (read_map(st, &m) == EFI_SUCCESS && m.bs->ExitBootServices(image, m.key) == EFI_SUCCESS)
		halt();
	return EFI_LOAD_ERROR;
}

int main(void)
{
	static const char *const owed[] = {
		"ebsfuzz: invariant liveness violated",
		"the loader halted in a loop after 1 exit attempt(s)", NULL
	};
	static const char *const not_owed[] = {
		"ebsfuzz: invariant hang violated: the loader halts in a loop of its own code that "
		"changes nothing, after 1 exit attempt(s) [giving-up]", NULL
	};
	static const char *const outside[] = {
		"ebsfuzz: invariant hang violated: the loader halts in a loop of its own code that "
		"changes nothing, after 0 exit attempt(s) [noncompliant]", NULL
	};
	static const char *const exited[] = {
		"ebsfuzz: invariant hang violated: the loader halts in a loop of its own code that "
		"changes nothing, after 1 exit attempt(s), boot services exited [compliant]", NULL
	};

	expect_reports("a halt where a boot was owed is liveness's", AMI_OPTION_ROM,
		       halts_on_failure, owed);
	expect_absent("a halt where a boot was owed is no hang as well", AMI_OPTION_ROM,
		      halts_on_failure, "invariant hang");
	expect_reports("a halt where no boot was owed is a giving-up hang", OUTGROWN,
		       halts_on_failure, not_owed);
	expect_absent("a halt where no boot was owed is no liveness violation", OUTGROWN,
		      halts_on_failure, "invariant liveness");
	expect_reports("a halt on firmware outside the rules is a noncompliant hang",
		       EDK2_QUIET "inject GetMemoryMap nth=1 status=EFI_DEVICE_ERROR\n",
		       halts_on_failure, outside);
	expect_reports("a halt after a successful exit is a compliant hang", EDK2_QUIET,
		       halts_after_exit, exited);
	expect_clean("the same loader, never halting, boots", EDK2_QUIET, halts_on_failure, true);
	return test_summary("test_halts");
}
