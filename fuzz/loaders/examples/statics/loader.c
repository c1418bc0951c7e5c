/* SPDX-License-Identifier: MIT */
/*
 * A correct loader whose state lives in statics, as real loaders' does
 * (GRUB keeps its map buffer and size in file statics; Linux v4.8's exit
 * callback has a function-local "static bool first"): the buffer is
 * allocated on the first call only, and a function-local flag remembers
 * that the map was read.  It is written for one boot.  The harness gives
 * it its load-time statics before every run (fuzz/statics.c); without
 * that, the second input in a process would find the first input's freed
 * buffer and a set flag.
 */
#include "../../../../core/efi.h"

#define SLACK_DESCS 32

static EFI_MEMORY_DESCRIPTOR *map_buf;
static UINTN map_capacity;

static EFI_STATUS read_map(EFI_BOOT_SERVICES *bs, UINTN *key)
{
	static BOOLEAN sized; /* set once the buffer is sized for this boot */
	UINTN size = 0, dsize = 0;
	UINT32 version;
	EFI_STATUS status;

	if (!sized) {
		status = bs->GetMemoryMap(&size, NULL, key, &dsize, &version);
		if (status != EFI_BUFFER_TOO_SMALL || dsize < sizeof(EFI_MEMORY_DESCRIPTOR) ||
		    dsize > 1024 || size > (1u << 24))
			return EFI_LOAD_ERROR;
		map_capacity = size + SLACK_DESCS * dsize;
		status = bs->AllocatePool(EfiLoaderData, map_capacity, (VOID **)&map_buf);
		if (status != EFI_SUCCESS)
			return status;
		sized = 1;
	}
	size = map_capacity;
	return bs->GetMemoryMap(&size, map_buf, key, &dsize, &version);
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
	EFI_BOOT_SERVICES *bs = systab->BootServices;
	UINTN key = 0, attempt;
	EFI_STATUS status;

	status = read_map(bs, &key);
	if (status != EFI_SUCCESS) {
		if (map_buf != NULL)
			bs->FreePool(map_buf);
		return status;
	}
	for (attempt = 0; attempt < 2; attempt++) {
		status = bs->ExitBootServices(image, key);
		if (status != EFI_INVALID_PARAMETER)
			return status;
		status = read_map(bs, &key); /* into the same buffer: no allocation */
		if (status != EFI_SUCCESS)
			return status;
	}
	return EFI_INVALID_PARAMETER;
}
