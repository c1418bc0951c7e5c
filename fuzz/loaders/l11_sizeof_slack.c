/* SPDX-License-Identifier: MIT */
/*
 * l11_sizeof_slack.c - known-bad model L11 (exit-boot.md 3.13): the slack
 * is counted in sizeof(EFI_MEMORY_DESCRIPTOR), not in the firmware's
 * DescriptorSize.
 *
 * Stands for the sizing of the Linux x86 EFI stub v3.11 (eboot.c
 * exit_boot() after d3768d885c6c, 2013): start at 32 descriptors, and each
 * round add 2 x sizeof(efi_memory_desc_t) = 80 bytes to the size the
 * firmware asked for.  EDK2 reports DescriptorSize 48 on purpose "to
 * prevent people from having pointer math bugs" (exit-boot.md 2.3), so the
 * 80 bytes hold one descriptor and two thirds, not two.  uefi-rs users made
 * the same mistake (#317).  The v3.11 retry also passed a stale size (L2,
 * l2_stale_size.c); this model retries the way Linux does today (same
 * buffer, full capacity, one retry) so that only the unit is wrong.  v3.11
 * allocated pages below 4 GiB (efi_low_alloc()); GetMemoryMap() was told the
 * byte size, so the model uses AllocatePool.
 *
 * Caught by liveness (corpus/models/l11_sizeof_slack.scn): an AMI option
 * ROM adds two descriptors during the first exit, on the real OVMF 2022 map
 * (115 descriptors, so the 32-descriptor start is too small and the buffer
 * is sized from the firmware's answer).
 * EBSFUZZ_FIXED: count the two descriptors in DescriptorSize.
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
	UINTN size = 32 * sizeof(EFI_MEMORY_DESCRIPTOR), capacity, key, desc_size = 0;
	UINT32 version;
	EFI_STATUS status;
	VOID *map;

	for (;;) { /* "again:" - unbounded in v3.11 */
#ifdef EBSFUZZ_FIXED
		size += 2 * (desc_size ? desc_size : sizeof(EFI_MEMORY_DESCRIPTOR));
#else
		size += 2 * sizeof(EFI_MEMORY_DESCRIPTOR); /* L11: 80 bytes, whatever the stride */
#endif
		capacity = size;
		status = bs->AllocatePool(EfiLoaderData, capacity, &map);
		if (status != EFI_SUCCESS)
			return status;
		status = bs->GetMemoryMap(&size, map, &key, &desc_size, &version);
		if (status == EFI_SUCCESS)
			break;
		bs->FreePool(map);
		if (status != EFI_BUFFER_TOO_SMALL)
			return status;
	}
	/* setup_e820() would convert the map here. */
	status = bs->ExitBootServices(image, key);
	if (status != EFI_INVALID_PARAMETER)
		return status;
	size = capacity;
	status = bs->GetMemoryMap(&size, map, &key, &desc_size, &version);
	if (status != EFI_SUCCESS)
		return status; /* no free after a failed exit */
	return bs->ExitBootServices(image, key);
}
