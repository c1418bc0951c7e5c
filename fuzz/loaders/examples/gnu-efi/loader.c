/* SPDX-License-Identifier: MIT */
/*
 * loader.c - a loader written against Debian's gnu-efi headers, as a
 * gnu-efi application would end boot services: the test that
 * scripts/fuzz-loader runs such code unchanged.
 *
 *   LOADER_CFLAGS="-I/usr/include/efi -I/usr/include/efi/x86_64" \
 *       scripts/fuzz-loader fuzz/loaders/examples/gnu-efi/loader.c
 *
 * The design is Linux's today (good_linux.c): one size query, 32 spare
 * descriptors, one retry after EFI_INVALID_PARAMETER into the same buffer
 * at full capacity.  GNU_EFI_USE_MS_ABI makes gnu-efi's EFIAPI ms_abi and
 * uefi_call_wrapper() a plain call, as in a gnu-efi build with clang.
 */
#define GNU_EFI_USE_MS_ABI 1
#include <efi.h>

#define SLACK_SLOTS 32

/**
 * read_map() - read the map into the buffer at its full capacity.
 * @bs: boot services.
 * @map: the buffer.
 * @capacity: its size.
 * @key: out, the map key.
 *
 * Return: the status of GetMemoryMap().
 */
static EFI_STATUS read_map(EFI_BOOT_SERVICES *bs, EFI_MEMORY_DESCRIPTOR *map, UINTN capacity,
			   UINTN *key)
{
	UINTN size = capacity, desc_size = 0;
	UINT32 version = 0;

	return uefi_call_wrapper(bs->GetMemoryMap, 5, &size, map, key, &desc_size, &version);
}

/**
 * loader_exit_boot() - the loader contract of ebsfuzz (core/efi.h).
 * @image: the image handle.
 * @systab: the system table.
 *
 * Return: EFI_SUCCESS if boot services were exited, else the failing status.
 */
EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	EFI_BOOT_SERVICES *bs = systab->BootServices;
	UINTN size = 0, key = 0, desc_size = 0, capacity;
	UINT32 version = 0;
	EFI_MEMORY_DESCRIPTOR *map;
	EFI_STATUS status;

	status = uefi_call_wrapper(bs->GetMemoryMap, 5, &size, NULL, &key, &desc_size, &version);
	if (status != EFI_BUFFER_TOO_SMALL)
		return EFI_LOAD_ERROR;
	/* DescriptorSize unwritten on BUFFER_TOO_SMALL (U-Boot < 2020): the
	 * needed size is a whole number of descriptors, none larger than it. */
	if (desc_size == 0)
		desc_size = size < 1024 ? size : 1024;
	capacity = size + SLACK_SLOTS * desc_size;
	status = uefi_call_wrapper(bs->AllocatePool, 3, EfiLoaderData, capacity, (VOID **)&map);
	if (EFI_ERROR(status))
		return status;
	status = read_map(bs, map, capacity, &key);
	if (EFI_ERROR(status)) {
		uefi_call_wrapper(bs->FreePool, 1, map);
		return status;
	}
	status = uefi_call_wrapper(bs->ExitBootServices, 2, image, key);
	if (status != EFI_INVALID_PARAMETER)
		return status;
	/* Only GetMemoryMap and ExitBootServices from here on. */
	status = read_map(bs, map, capacity, &key);
	if (EFI_ERROR(status))
		return status;
	return uefi_call_wrapper(bs->ExitBootServices, 2, image, key);
}
