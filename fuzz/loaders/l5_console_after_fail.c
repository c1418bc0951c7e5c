/* SPDX-License-Identifier: MIT */
/*
 * l5_console_after_fail.c - known-bad model L5 (exit-boot.md 3.13): console
 * output after a failed ExitBootServices().
 *
 * Stands for GRUB 2.12, grub_efi_finish_boot_services() in
 * grub-core/kern/efi/mm.c after 6f05a2779 (2023-05, use-after-free fixed):
 * on EFI_INVALID_PARAMETER it frees the map on its own heap, prints
 * "Trying to terminate EFI services again" through the EFI console, and
 * loops (e75fdee42).  UEFI 2.10 section 7.4.6 allows only GetMemoryMap()
 * and ExitBootServices() (plus, from 2.9, the memory allocation services)
 * after a failed exit; on an HP Elitebook 840 G10 console output that
 * scrolls changes the map again (iPXE 6e4196baf, F4).  The same mistake is
 * in U-Boot's stub, FreeBSD's loader and the error paths of Xen and Limine.
 * GRUB's heap is its own, so grub_malloc()/grub_free() are legal; the model
 * keeps them on a static arena.
 *
 * Caught by forbidden-call (corpus/models/l5_console_after_fail.scn): one map
 * change during the first exit, and GRUB writes to ConOut; the map grew, so
 * the old size is too small and the retry itself works (the firmware
 * answers the print as OVMF does, and the run goes on to a second exit).
 * EBSFUZZ_FIXED: no message before the next round (not a GRUB commit: GRUB
 * 2.14 still prints).
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

/**
 * grub_printf() - GRUB's terminal, which ends in the EFI console.
 * @systab: the system table.
 * @message: what to print.
 */
static void grub_printf(EFI_SYSTEM_TABLE *systab, CHAR16 *message)
{
	systab->ConOut->OutputString(systab->ConOut, message);
}

/**
 * loader_exit_boot() - the loader contract (core/efi.h).
 * @image: the image handle.
 * @systab: the system table.
 *
 * Return: EFI_SUCCESS if boot services were exited, else the failing status.
 */
EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	static CHAR16 again[] = u"Trying to terminate EFI services again\r\n";
	EFI_BOOT_SERVICES *bs = systab->BootServices;
	EFI_MEMORY_DESCRIPTOR *finish_mmap_buf = NULL;
	UINTN finish_mmap_size = 0, key, desc_size;
	UINT32 version;
	EFI_STATUS status;

	for (;;) { /* L6 too: no bound, only EFI_INVALID_PARAMETER loops */
		status = bs->GetMemoryMap(&finish_mmap_size, finish_mmap_buf, &key, &desc_size,
					  &version);
		if (status != EFI_SUCCESS && status != EFI_BUFFER_TOO_SMALL)
			return status;
		finish_mmap_buf = grub_malloc(finish_mmap_size);
		if (finish_mmap_buf == NULL)
			return EFI_OUT_OF_RESOURCES;
		status = bs->GetMemoryMap(&finish_mmap_size, finish_mmap_buf, &key, &desc_size,
					  &version);
		if (status != EFI_SUCCESS) {
			grub_free(finish_mmap_buf);
			return status;
		}
		status = systab->BootServices->ExitBootServices(image, key);
		if (status == EFI_SUCCESS)
			return EFI_SUCCESS;
		grub_free(finish_mmap_buf);
		if (status != EFI_INVALID_PARAMETER)
			return status;
		finish_mmap_buf = NULL; /* 6f05a2779: the size is kept (l16) */
#ifndef EBSFUZZ_FIXED
		grub_printf(systab, again); /* L5: the console after a failed exit */
#else
		(void)grub_printf;
		(void)again;
#endif
	}
}
