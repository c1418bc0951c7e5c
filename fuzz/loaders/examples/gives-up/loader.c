/* SPDX-License-Identifier: MIT */
/*
 * loader.c - an example loader that is right but for its error path: after
 * a second failed exit it prints its error, as Xen's and FreeBSD's loaders
 * do (exit-boot.md 3.5, 3.6).  That call is the only finding, class
 * giving-up (a loader on its way out cannot break a boot that would have
 * succeeded), and only on firmware that refuses every key.  A loader
 * project's OSS-Fuzz target crashes only for compliant findings
 * (fuzz/ossfuzz.mk): make oss-fuzz-check builds this one as such a project
 * and requires the seeds to run clean; make test-lib builds it with other
 * defaults (fuzz/tests/defaults_target.c).
 */
#include "../../../../core/efi.h"

static CHAR16 giving_up[] = u"ExitBootServices failed\r\n";
static UINT8 map[1 << 16] __attribute__((aligned(8)));

/**
 * loader_exit_boot() - the loader contract (core/efi.h).
 * @image: the image handle.
 * @systab: the system table.
 *
 * Return: EFI_SUCCESS if boot services were exited, else the failing status.
 */
EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	EFI_BOOT_SERVICES *bs = systab->BootServices;
	UINTN size, key = 0, desc_size = 0, attempt;
	UINT32 version;
	EFI_STATUS status = EFI_LOAD_ERROR;

	for (attempt = 0; attempt < 2; attempt++) {
		size = sizeof(map);
		status = bs->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)(void *)map, &key,
					  &desc_size, &version);
		if (status != EFI_SUCCESS)
			return status;
		status = bs->ExitBootServices(image, key);
		if (status != EFI_INVALID_PARAMETER)
			break;
	}
	if (status != EFI_SUCCESS)
		systab->ConOut->OutputString(systab->ConOut, giving_up);
	return status;
}
