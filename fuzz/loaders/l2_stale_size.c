/* SPDX-License-Identifier: MIT */
/*
 * l2_stale_size.c - known-bad model L2 (exit-boot.md 3.13): the retry
 * reuses the buffer but passes the size the previous GetMemoryMap()
 * returned instead of the buffer's capacity.
 *
 * Stands for Xen 4.5's efi_exit_boot() (retry added in 0540b854f6, 2014;
 * stale size fixed in 8a753b3f1c, 2015-06), as built for Arm, where
 * efi_arch_allocate_mmap_buffer() gave the buffer a page of room: the
 * buffer would hold the grown map, only the size passed is stale.  Seen on
 * a Supermicro X10SLE-F, AMI BIOS 2.00 with iscsidxe, whose first exit
 * always failed (exit-boot.md 3.5, F2).  Linux 3.11, FreeBSD, Limine and
 * tboot shipped the same retry.
 *
 * Xen printed (PrintErrMesg) when the retry failed; that is L5, modelled in
 * its own file, so this model returns the status.
 *
 * Caught by liveness (corpus/models/l2_stale_size.scn): the map grows by two
 * descriptors during the first exit; the retry's GetMemoryMap() says
 * BUFFER_TOO_SMALL for a size the buffer could have absorbed.
 * EBSFUZZ_FIXED: pass the capacity on every call (8a753b3f1c).
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
	UINTN info_size = 0, map_size, capacity, key = 0, desc_size = 0, retry;
	UINT32 version;
	EFI_STATUS status;
	VOID *map;

	/* Xen ignores the status of the size query. */
	bs->GetMemoryMap(&info_size, NULL, &key, &desc_size, &version);
	capacity = info_size + EFI_PAGE_SIZE;
	status = bs->AllocatePool(EfiLoaderData, capacity, &map);
	if (status != EFI_SUCCESS)
		return status;
	map_size = capacity;
	for (retry = 0;; retry++) {
#ifdef EBSFUZZ_FIXED
		map_size = capacity;
#endif
		/* L2: on the retry map_size is what the first call returned. */
		status = systab->BootServices->GetMemoryMap(&map_size, map, &key, &desc_size,
							    &version);
		if (status != EFI_SUCCESS) {
			if (retry == 0)
				bs->FreePool(map); /* no exit attempted yet */
			return status;
		}
		/* efi_arch_process_memory_map() would build the e820 here. */
		status = systab->BootServices->ExitBootServices(image, key);
		if (status != EFI_INVALID_PARAMETER || retry > 0)
			return status;
	}
}
