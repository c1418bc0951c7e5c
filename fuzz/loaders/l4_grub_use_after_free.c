/* SPDX-License-Identifier: MIT */
/*
 * l4_grub_use_after_free.c - known-bad model L4 (exit-boot.md 3.13): the
 * map buffer is freed after a failed exit but the pointer is kept, and the
 * next round hands it to GetMemoryMap(); the retry loop has no bound.
 *
 * Stands for GRUB 2.02 to 2.06, grub_efi_finish_boot_services() in
 * grub-core/kern/efi/mm.c from e75fdee42 (2013-03, the while(1) retry) to
 * 6f05a2779 (2023-05, "Set finish_mmap_buf to NULL"): each round starts
 * with a size query passing the previous buffer and size; if the map had
 * not grown the firmware wrote the new map into freed GRUB heap memory
 * (exit-boot.md 3.3).  grub_malloc() and grub_free() work on GRUB's own
 * heap, not on boot services, so they are legal after a failed exit; the
 * heap is modelled as a static arena whose freed block is poisoned for ASan.
 *
 * GRUB also printed "Trying to terminate EFI services again" before the
 * next round; that is L5 (l5_console_after_fail.c) and is left out here so
 * that this model shows the use-after-free alone.
 *
 * Caught by AddressSanitizer, use-after-poison in GetMemoryMap()
 * (corpus/models/l4_grub_use_after_free.scn): firmware whose size answers
 * are exact (no over-report, as U-Boot's always are) and a BEFORE handler
 * that moves a page between two neighbours during the first exit: the key
 * changes, the size does not, and the size query writes the whole map into
 * the freed block.
 * EBSFUZZ_FIXED: GRUB's own fix, 6f05a2779: the buffer is forgotten, its
 * size is not.  Where the bug wrote into freed memory, the fixed round asks
 * GetMemoryMap(&old_size, NULL), which a big enough size makes
 * EFI_INVALID_PARAMETER (UEFI 2.10 section 7.2.3, EDK2 and U-Boot alike),
 * and GRUB gives up: no corruption, no boot either (liveness; the
 * scenario's "# expect-fixed:" line).  l16_grub_null_retry.c is that
 * failure alone, on the GRUB of today.
 */
#include "../../core/efi.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GRUB_HEAP_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define GRUB_HEAP_ASAN 1
#endif
#ifdef GRUB_HEAP_ASAN
void __asan_poison_memory_region(void const volatile *addr, size_t size);
void __asan_unpoison_memory_region(void const volatile *addr, size_t size);
#define HEAP_POISON(p, n) __asan_poison_memory_region((p), (n))
#define HEAP_UNPOISON(p, n) __asan_unpoison_memory_region((p), (n))
#else
#define HEAP_POISON(p, n) ((void)(p), (void)(n))
#define HEAP_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* GRUB's heap, reduced to the one block this loop uses; large enough for
 * the largest map the fake firmware still calls sane (4 MiB). */
static _Alignas(16) UINT8 grub_heap[5u << 20];

static VOID *grub_malloc(UINTN size)
{
	if (size > sizeof(grub_heap))
		return NULL;
	HEAP_UNPOISON(grub_heap, sizeof(grub_heap));
	return grub_heap;
}

static void grub_free(VOID *ptr)
{
	if (ptr != NULL)
		HEAP_POISON(grub_heap, sizeof(grub_heap));
}

/* finish_mmap_buf and finish_mmap_size: file statics in GRUB, reset per run
 * here because the harness calls the loader once per input. */
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

	finish_mmap_buf = NULL;
	finish_mmap_size = 0;
	HEAP_UNPOISON(grub_heap, sizeof(grub_heap));
	for (;;) { /* L6 too: no bound, only EFI_INVALID_PARAMETER loops */
		/* The size query, with whatever buffer and size the last round left. */
		status = bs->GetMemoryMap(&finish_mmap_size, finish_mmap_buf, &key, &desc_size,
					  &version);
		if (status != EFI_SUCCESS && status != EFI_BUFFER_TOO_SMALL)
			return status; /* "couldn't retrieve memory map" */
		finish_mmap_buf = grub_malloc(finish_mmap_size); /* exact: no slack */
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
			return status; /* "couldn't terminate EFI services" */
#ifdef EBSFUZZ_FIXED
		finish_mmap_buf = NULL; /* 6f05a2779; finish_mmap_size is kept */
#endif
		/* L4: finish_mmap_buf still points at the freed block. */
	}
}
