/* SPDX-License-Identifier: MIT */
/*
 * good_xen.c - good model: Xen's efi_exit_boot() since 2015.
 *
 * Stands for xen/common/efi/boot.c efi_exit_boot() on x86 (exit-boot.md
 * 3.5; retry 0540b854f6, full-capacity fix 8a753b3f1c, efi_bs = NULL after
 * the first call d4300db3a0): a size query whose status is ignored, room
 * for 8 more descriptors, the buffer from ebmalloc() - Xen's static
 * early-boot allocator, no EFI call - then at most two rounds of
 * GetMemoryMap() at full capacity through SystemTable->BootServices,
 * efi_arch_process_memory_map(), ExitBootServices(); a second round only
 * after EFI_INVALID_PARAMETER.  A static buffer is legal: the loader owns it.
 *
 * Deviations: Xen prints (PrintErrMesg) and halts when a round fails, which
 * after a failed exit is L5; the model returns the status.  And for
 * firmware that does not write DescriptorSize on BUFFER_TOO_SMALL (U-Boot
 * before 2020, F12) Xen's slack was 8 x 0 - the reason for U-Boot's fix
 * b484296f6fd.  The fake firmware counts such firmware as non-compliant, so
 * the model keeps Xen's behaviour there.
 */
#include "../../core/efi.h"


/* ebmalloc()'s arena.  Xen's is 1 MiB (EBMALLOC_SIZE); the model's holds
 * the largest map the fake firmware still calls sane (4 MiB) plus slack. */
static _Alignas(16) UINT8 ebmalloc_mem[5u << 20];
static UINTN ebmalloc_allocated;

/**
 * ebmalloc() - Xen's early-boot allocator: carve from a static arena.
 * @size: bytes wanted.
 *
 * Return: the memory, or NULL when the arena is exhausted (Xen panics).
 */
static VOID *ebmalloc(UINTN size)
{
	VOID *ptr;

	if (size > sizeof(ebmalloc_mem))
		return NULL;
	size = (size + 15) & ~(UINTN)15;
	if (size > sizeof(ebmalloc_mem) - ebmalloc_allocated)
		return NULL;
	ptr = ebmalloc_mem + ebmalloc_allocated;
	ebmalloc_allocated += size;
	return ptr;
}

/* What the walk found; kept so that it is not optimised away. */
static UINT64 conventional_pages;

/**
 * efi_arch_process_memory_map() - build the e820 from the map; the model
 * only walks it, stepping by DescriptorSize, and must be re-runnable.
 * @map: the descriptors.
 * @map_size: their bytes.
 * @capacity: the buffer's size.
 * @desc_size: DescriptorSize.
 *
 * Xen trusts the sizes; the model checks them first, so that firmware
 * answering nonsense makes it fail, not read out of bounds.
 *
 * Return: EFI_SUCCESS, or EFI_LOAD_ERROR for an answer that does not fit
 * the buffer as whole descriptors.
 */
static EFI_STATUS efi_arch_process_memory_map(const UINT8 *map, UINTN map_size, UINTN capacity,
					      UINTN desc_size)
{
	UINT64 pages = 0;
	UINTN off;

	if (desc_size < sizeof(EFI_MEMORY_DESCRIPTOR) || map_size > capacity ||
	    map_size % desc_size != 0)
		return EFI_LOAD_ERROR;
	for (off = 0; off < map_size; off += desc_size) {
		EFI_MEMORY_DESCRIPTOR d;

		__builtin_memcpy(&d, map + off, sizeof(d));
		if (d.Type == EfiConventionalMemory)
			pages += d.NumberOfPages;
	}
	conventional_pages = pages;
	return EFI_SUCCESS;
}

/**
 * loader_exit_boot() - the loader contract (core/efi.h), as efi_exit_boot().
 * @image: the image handle.
 * @systab: the system table.
 *
 * Return: EFI_SUCCESS if boot services were exited, else the failing status.
 */
EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	EFI_BOOT_SERVICES *efi_bs = systab->BootServices;
	UINTN info_size = 0, efi_memmap_size, map_key = 0, efi_mdesc_size = 0, retry, slack;
	UINT32 efi_mdesc_ver = 0;
	EFI_STATUS status;
	UINT8 *efi_memmap;

	ebmalloc_allocated = 0; /* one boot per run in the harness */
	efi_bs->GetMemoryMap(&info_size, NULL, &map_key, &efi_mdesc_size, &efi_mdesc_ver);
	/* Xen adds the slack to whatever size the firmware asked for; the model
	 * refuses a sum that wraps (corrupt firmware), rather than overflow. */
	if (__builtin_mul_overflow(efi_mdesc_size, (UINTN)8, &slack) ||
	    __builtin_add_overflow(info_size, slack, &info_size))
		return EFI_LOAD_ERROR;
	efi_memmap = ebmalloc(info_size);
	if (efi_memmap == NULL)
		return EFI_OUT_OF_RESOURCES; /* "Out of static memory" */
	for (retry = 0;; retry++) {
		efi_memmap_size = info_size;
		status = systab->BootServices->GetMemoryMap(&efi_memmap_size,
							    (EFI_MEMORY_DESCRIPTOR *)efi_memmap,
							    &map_key, &efi_mdesc_size,
							    &efi_mdesc_ver);
		if (status != EFI_SUCCESS)
			return status; /* Xen: PrintErrMesg, see the file comment */
		status = efi_arch_process_memory_map(efi_memmap, efi_memmap_size, info_size,
						     efi_mdesc_size);
		if (status != EFI_SUCCESS)
			return status; /* Xen: PrintErrMesg */
		status = systab->BootServices->ExitBootServices(image, map_key);
		efi_bs = NULL; /* d4300db3a0: error paths must not call boot services */
		if (status != EFI_INVALID_PARAMETER || retry > 0)
			break;
	}
	(void)efi_bs;
	return status;
}
