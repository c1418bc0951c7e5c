/* SPDX-License-Identifier: MIT */
/*
 * good_linux.c - good model: the Linux EFI stub today.
 *
 * Stands for drivers/firmware/efi/libstub as of v6.14 (exit-boot.md 3.2):
 * efi_get_memory_map() makes one size query, allocates the needed size plus
 * EFI_MMAP_NR_SLACK_SLOTS = 32 descriptors (ec4696925da6, Dec 2024: "Recent
 * platforms require more slack slots"), and reads once; no BUFFER_TOO_SMALL
 * loop.  efi_exit_boot_services() runs the map callback, calls
 * ExitBootServices(), and only after EFI_INVALID_PARAMETER re-reads into the
 * same buffer at full capacity ("we cannot alloc so efi_get_memory_map()
 * cannot be used, and we must reuse the buffer"), runs the callback again
 * and exits a second and last time.
 *
 * On firmware that does not write DescriptorSize on BUFFER_TOO_SMALL (U-Boot
 * before 2020, fixed there as a bug in b484296f6fd; F12) Linux multiplies
 * whatever tmp.desc_size holds, 0 here, and gets no slack.  The fake
 * firmware counts such firmware as non-compliant, so failing to boot there
 * is not a liveness violation; the model keeps Linux's behaviour.
 */
#include "../../core/efi.h"

#define EFI_MMAP_NR_SLACK_SLOTS 32

/**
 * struct efi_boot_memmap - the map and the sizes the stub keeps with it.
 * @map_size: bytes of descriptors.
 * @desc_size: DescriptorSize.
 * @desc_ver: DescriptorVersion.
 * @map_key: MapKey.
 * @buff_size: bytes allocated for @map.
 * @map: the descriptors.
 */
struct efi_boot_memmap {
	UINTN map_size;
	UINTN desc_size;
	UINT32 desc_ver;
	UINTN map_key;
	UINTN buff_size;
	UINT8 map[];
};

/**
 * efi_get_memory_map() - allocate a buffer with 32 spare slots and read.
 * @bs: boot services.
 * @map: out, the allocated map.
 *
 * Linux adds the slack to whatever size the firmware asks for; the model
 * refuses sizes the addition or the allocation header would wrap, so that
 * firmware answering nonsense makes it fail rather than overflow a short
 * buffer.
 *
 * Return: EFI_SUCCESS with @map allocated; EFI_LOAD_ERROR if the size query
 * did not answer BUFFER_TOO_SMALL or asked for an impossible size; or the
 * failing status, nothing allocated.
 */
static EFI_STATUS efi_get_memory_map(EFI_BOOT_SERVICES *bs, struct efi_boot_memmap **map)
{
	struct efi_boot_memmap tmp = { 0 }, *m;
	EFI_STATUS status;
	UINTN size;

	status = bs->GetMemoryMap(&tmp.map_size, NULL, &tmp.map_key, &tmp.desc_size,
				  &tmp.desc_ver);
	if (status != EFI_BUFFER_TOO_SMALL)
		return EFI_LOAD_ERROR;
	if (__builtin_mul_overflow(tmp.desc_size, EFI_MMAP_NR_SLACK_SLOTS, &size) ||
	    __builtin_add_overflow(tmp.map_size, size, &size) || size > SIZE_MAX - sizeof(*m))
		return EFI_LOAD_ERROR;
	status = bs->AllocatePool(EfiLoaderData, sizeof(*m) + size, (VOID **)&m);
	if (status != EFI_SUCCESS)
		return status;
	m->buff_size = m->map_size = size;
	status = bs->GetMemoryMap(&m->map_size, (EFI_MEMORY_DESCRIPTOR *)m->map, &m->map_key,
				  &m->desc_size, &m->desc_ver);
	if (status != EFI_SUCCESS) {
		bs->FreePool(m);
		return status;
	}
	*map = m;
	return EFI_SUCCESS;
}

/* What the map callback found; kept so that the walk is not optimised away. */
static UINT64 conventional_pages;

/**
 * exit_boot_func() - the map callback: walk the map as setup_e820() does,
 * stepping by DescriptorSize and never writing to it.
 * @map: the map just read.
 *
 * Linux trusts map_size and desc_size here; the model checks them first,
 * so that firmware answering nonsense (a size beyond the buffer, a stride
 * smaller than a descriptor) makes it fail, not read out of bounds.
 *
 * Return: EFI_SUCCESS; EFI_LOAD_ERROR for an answer that does not fit the
 * buffer as whole descriptors.
 */
static EFI_STATUS exit_boot_func(const struct efi_boot_memmap *map)
{
	UINT64 pages = 0;
	UINTN off;

	if (map->desc_size < sizeof(EFI_MEMORY_DESCRIPTOR) || map->map_size > map->buff_size ||
	    map->map_size % map->desc_size != 0)
		return EFI_LOAD_ERROR;
	for (off = 0; off < map->map_size; off += map->desc_size) {
		EFI_MEMORY_DESCRIPTOR d;

		__builtin_memcpy(&d, map->map + off, sizeof(d));
		if (d.Type == EfiConventionalMemory)
			pages += d.NumberOfPages;
	}
	conventional_pages = pages;
	return EFI_SUCCESS;
}

/**
 * loader_exit_boot() - the loader contract (core/efi.h), as
 * efi_exit_boot_services().
 * @image: the image handle.
 * @systab: the system table.
 *
 * Return: EFI_SUCCESS if boot services were exited, else the failing status.
 */
EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	EFI_BOOT_SERVICES *bs = systab->BootServices;
	struct efi_boot_memmap *map;
	EFI_STATUS status;

	status = efi_get_memory_map(bs, &map);
	if (status != EFI_SUCCESS)
		return status;
	status = exit_boot_func(map);
	if (status != EFI_SUCCESS) {
		bs->FreePool(map);
		return status;
	}
	status = bs->ExitBootServices(image, map->map_key);
	if (status != EFI_INVALID_PARAMETER)
		return status;
	/* The firmware may have changed the map: read it again into the same
	 * buffer.  Nothing may be allocated or freed any more, so on failure
	 * the buffer is left to leak. */
	map->map_size = map->buff_size;
	status = bs->GetMemoryMap(&map->map_size, (EFI_MEMORY_DESCRIPTOR *)map->map,
				  &map->map_key, &map->desc_size, &map->desc_ver);
	if (status != EFI_SUCCESS)
		return status;
	status = exit_boot_func(map);
	if (status != EFI_SUCCESS)
		return status;
	return bs->ExitBootServices(image, map->map_key);
}
