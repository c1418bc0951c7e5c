/* SPDX-License-Identifier: MIT */
/*
 * l6_unbounded_retry.c - known-bad model L6 (exit-boot.md 3.13): the
 * ExitBootServices() retry has no bound.
 *
 * Stands for tboot's EFI port (efiboot.c, 2017): a pre-allocated memmap,
 * GetMemoryMap() with memmap->size, and "goto again" on
 * EFI_INVALID_PARAMETER without any count (exit-boot.md 3.11).  GRUB's
 * while(1) (e75fdee42), esx-boot and FreeBSD's inner loop are unbounded
 * too.  EDK2 refuses every key while a runtime region is misaligned (64 KiB
 * on AArch64, CoreTerminateMemoryMap since 7d17a6a119, F20); the UEFI text
 * promises that exit events "are only signaled once", so one retry is all a
 * stale key can need (Linux, Xen: exit-boot.md 3.2, 3.5).
 *
 * tboot also passes the size the last call returned (L2, see
 * l2_stale_size.c); on U-Boot, which asks for no more than it returns, that
 * size still fits an unchanged map, so the loop runs.  Its printk on other
 * errors (L5) is left out.
 *
 * Caught by termination (corpus/models/l6_unbounded_retry.scn): U-Boot
 * firmware that refuses every key.
 * EBSFUZZ_FIXED: one retry, as Linux and Xen do.
 */
#include "../../core/efi.h"

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
	UINTN memmap_size = 0, key = 0, desc_size = 0, tries = 0;
	UINT32 version;
	EFI_STATUS status;
	VOID *memmap;

	/* The memmap tboot allocated while loading, sized with room to spare. */
	status = bs->GetMemoryMap(&memmap_size, NULL, &key, &desc_size, &version);
	if (status != EFI_BUFFER_TOO_SMALL)
		return status == EFI_SUCCESS ? EFI_LOAD_ERROR : status;
	memmap_size += 16 * (desc_size ? desc_size : sizeof(EFI_MEMORY_DESCRIPTOR));
	status = bs->AllocatePool(EfiLoaderData, memmap_size, &memmap);
	if (status != EFI_SUCCESS)
		return status;
	for (;;) {
		status = bs->GetMemoryMap(&memmap_size, memmap, &key, &desc_size, &version);
		if (status != EFI_SUCCESS) {
			if (tries == 0)
				bs->FreePool(memmap); /* no exit attempted yet */
			return status;
		}
		status = bs->ExitBootServices(image, key);
		tries++;
		if (status != EFI_INVALID_PARAMETER)
			return status;
#ifdef EBSFUZZ_FIXED
		if (tries > 1)
			return status;
#endif
		/* L6: "goto again", however often the firmware refuses. */
	}
}
