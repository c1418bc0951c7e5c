/* SPDX-License-Identifier: MIT */
/*
 * l16_grub_null_retry.c - known-bad model L16: after a failed exit the
 * next round's size query passes a NULL buffer with the old, big enough
 * size, and the firmware refuses it.
 *
 * Stands for GRUB from 6f05a2779 (2023-05, "Set finish_mmap_buf to NULL",
 * the fix of L4) to 2.14, grub_efi_finish_boot_services() in
 * grub-core/kern/efi/mm.c: on EFI_INVALID_PARAMETER the map is freed on
 * GRUB's own heap and the pointer cleared, but finish_mmap_size keeps the
 * size the last successful read returned.  The next round starts with
 * GetMemoryMap(&finish_mmap_size, NULL, ...).  UEFI 2.10 section 7.2.3
 * answers EFI_INVALID_PARAMETER when "the MemoryMap buffer is not too small
 * and MemoryMap is NULL", and EDK2 and U-Boot do (exit-boot.md 2.3, 2.6),
 * so whenever the map did not grow past the size GRUB remembers, GRUB's
 * grub_efi_get_memory_map() sees an error and GRUB gives up
 * ("couldn't retrieve memory map"): the boot fails on compliant firmware.
 * EDK2's over-report (7 descriptors on OVMF) usually hides it; firmware
 * whose size answers are exact (U-Boot always) shows it whenever the first
 * exit fails without the map growing.  GRUB also prints before the next
 * round (L5, l5_console_after_fail.c), left out here.
 *
 * Caught by liveness (corpus/models/l16_grub_null_retry.scn): exact sizes
 * and a BEFORE handler that changes the key but not the descriptor count.
 * EBSFUZZ_FIXED: forget the size with the buffer (not a GRUB commit).
 */
#include "../../core/efi.h"

/* GRUB's heap, reduced to the one block this loop uses; large enough for
 * the largest map the fake firmware still calls sane (4 MiB). */
static _Alignas(16) UINT8 grub_heap[5u << 20];

static VOID *grub_malloc(UINTN size)
{
	return size <= sizeof(grub_heap) ? grub_heap : NULL;
}

static void grub_free(VOID *ptr)
{
	(void)ptr;
}

/* GRUB's file statics. */
static EFI_MEMORY_DESCRIPTOR *finish_mmap_buf;
static UINTN finish_mmap_size;

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
	UINTN key, desc_size;
	UINT32 version;
	EFI_STATUS status;

	for (;;) { /* L6 too: no bound, only EFI_INVALID_PARAMETER loops */
		status = bs->GetMemoryMap(&finish_mmap_size, finish_mmap_buf, &key, &desc_size,
					  &version);
		if (status != EFI_SUCCESS && status != EFI_BUFFER_TOO_SMALL)
			return status; /* "couldn't retrieve memory map" */
		finish_mmap_buf = grub_malloc(finish_mmap_size);
		if (finish_mmap_buf == NULL)
			return EFI_OUT_OF_RESOURCES;
		status = bs->GetMemoryMap(&finish_mmap_size, finish_mmap_buf, &key, &desc_size,
					  &version);
		if (status != EFI_SUCCESS) {
			grub_free(finish_mmap_buf);
			finish_mmap_buf = NULL;
			return status;
		}
		status = bs->ExitBootServices(image, key);
		if (status == EFI_SUCCESS)
			return EFI_SUCCESS;
		grub_free(finish_mmap_buf);
		finish_mmap_buf = NULL;
		if (status != EFI_INVALID_PARAMETER)
			return status; /* "couldn't terminate EFI services" */
#ifdef EBSFUZZ_FIXED
		finish_mmap_size = 0;
#endif
		/* L16: finish_mmap_size is still the size of the last map read. */
	}
}
