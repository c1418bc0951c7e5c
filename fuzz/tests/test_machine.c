/* SPDX-License-Identifier: MIT */
/*
 * test_machine.c - EBSFUZZ_MACHINE=arm: a loader built for an ARM machine
 * meets ARM-shaped maps only (RAM in one range from 1 GiB), whatever map
 * the input names; the PC's low-memory excuse is not made for it.
 */
#include "../fw/internal.h"
#include "fixtures.h"
#include "testlib.h"

#define ARM_RAM_BASE 0x40000000u

/* The lowest free address of the map @m holds, or UINT64_MAX. */
static EFI_PHYSICAL_ADDRESS lowest_free(const struct held_map *m)
{
	EFI_PHYSICAL_ADDRESS lowest = UINT64_MAX;
	UINTN off;

	for (off = 0; off + m->dsize <= m->size; off += m->dsize) {
		const EFI_MEMORY_DESCRIPTOR *d = (const void *)(m->buf + off);

		if (d->Type == EfiConventionalMemory && d->PhysicalStart < lowest)
			lowest = d->PhysicalStart;
	}
	return lowest;
}

/* HelenOS's arm64 loader (boot/arch/arm64/src/main.c): its components at
 * the start of RAM + 512 KiB, 4 MiB of them, with AllocateAddress; then
 * the exit, tried again after a fresh read. */
static EFI_STATUS components_at_ram_start(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;
	EFI_PHYSICAL_ADDRESS at;

	if (read_map(st, &m) != EFI_SUCCESS)
		return EFI_LOAD_ERROR;
	at = lowest_free(&m) + 0x80000;
	if (m.bs->AllocatePages(AllocateAddress, EfiLoaderData, 1024, &at) != EFI_SUCCESS) {
		m.bs->FreePool(m.buf);
		return EFI_LOAD_ERROR;
	}
	if (reread_and_exit(image, &m) == EFI_SUCCESS)
		return EFI_SUCCESS;
	return reread_and_exit(image, &m);
}

/* The map's free memory starts at an ARM machine's RAM. */
static EFI_STATUS ram_from_1gib(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;

	CHECK(read_map(st, &m) == EFI_SUCCESS);
	CHECK(lowest_free(&m) == ARM_RAM_BASE);
	return reread_and_exit(image, &m);
}

int main(void)
{
	static const char *const owed[] = { "ebsfuzz: invariant liveness violated", NULL };

	expect_reports("an arm64 loader on a PC's map: its components run into the hole below "
		       "1 MiB, and no boot",
		       "firmware edk2-2025\n", components_at_ram_start, owed);
	testlib_options.machine = MACHINE_ARM;
	expect_clean("EBSFUZZ_MACHINE=arm: the same loader on the input's OVMF map, as ARM's, boots",
		     "firmware edk2-2025\n", components_at_ram_start, true);
	expect_clean("EBSFUZZ_MACHINE=arm: a generated map's RAM starts at 1 GiB",
		     "firmware edk2-2025\nmap-synthetic descriptors=40 seed=3\n", ram_from_1gib, true);
	expect_clean("EBSFUZZ_MACHINE=arm: a map the scenario builds starts at 1 GiB",
		     "firmware uboot\nmap empty\nmap-entry Conventional pages=4096 gap=0\n",
		     ram_from_1gib, true);
	testlib_options.machine = MACHINE_PC;
	return test_summary("test_machine");
}
