/* SPDX-License-Identifier: MIT */
/*
 * l13_success_size.c - known-bad model L13 (exit-boot.md 3.13): the next
 * buffer is sized from the size a successful GetMemoryMap() returned.
 *
 * Stands for VMware esx-boot as reported in vmware/esx-boot#11 (2023): each
 * read of the map allocates twice the size the last read returned.  EDK2
 * checks the caller's size against its unmerged entry count plus GCD
 * extras, but returns the merged size on success (exit-boot.md 2.3, F11);
 * on an xFusion 2288H V7 after a BIOS update it asked for 10704 bytes and
 * returned 5136, so 2 x 5136 = 10272 never fit and the loader looped for
 * ever.  esx-boot reads the map once while building its boot info and again
 * just before exiting; the model's exit is today's Linux one (one retry into
 * the same buffer at full capacity), since only the sizing is at fault.
 *
 * Caught by termination (corpus/models/l13_success_size.scn): the size
 * check counts 32 descriptors more than the map has.
 * EBSFUZZ_FIXED: size the next buffer from the BUFFER_TOO_SMALL answer.
 */
#include "../../core/efi.h"

/**
 * struct esx_map - the map esx-boot keeps between reads.
 * @buf: current buffer, or NULL.
 * @capacity: its size.
 * @size: bytes of descriptors the last successful read returned.
 * @key: its map key.
 */
struct esx_map {
	VOID *buf;
	UINTN capacity;
	UINTN size;
	UINTN key;
};

/**
 * read_map() - free the old buffer, allocate twice the last size, read.
 * @bs: boot services.
 * @m: the map; on success holds the new read.
 *
 * Return: EFI_SUCCESS, or the failing status with nothing allocated.
 */
static EFI_STATUS read_map(EFI_BOOT_SERVICES *bs, struct esx_map *m)
{
	UINTN size, desc_size;
	UINT32 version;
	EFI_STATUS status;

	if (m->buf != NULL)
		bs->FreePool(m->buf);
	m->buf = NULL;
	for (;;) { /* unbounded */
		m->capacity = 2 * m->size;
		status = bs->AllocatePool(EfiLoaderData, m->capacity, &m->buf);
		if (status != EFI_SUCCESS) {
			m->buf = NULL;
			return status;
		}
		size = m->capacity;
		status = bs->GetMemoryMap(&size, m->buf, &m->key, &desc_size, &version);
		if (status == EFI_SUCCESS) {
			m->size = size;
			return EFI_SUCCESS;
		}
		bs->FreePool(m->buf);
		m->buf = NULL;
		if (status != EFI_BUFFER_TOO_SMALL)
			return status;
#ifdef EBSFUZZ_FIXED
		m->size = size;
#endif
		/* L13: round again with twice the last successful size. */
	}
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
	struct esx_map m = { NULL, 0, 0, 0 };
	UINTN desc_size, size;
	UINT32 version;
	EFI_STATUS status;

	/* The first size is the firmware's answer to a size query. */
	status = bs->GetMemoryMap(&m.size, NULL, &m.key, &desc_size, &version);
	if (status != EFI_BUFFER_TOO_SMALL)
		return status == EFI_SUCCESS ? EFI_LOAD_ERROR : status;
	status = read_map(bs, &m); /* for the boot info */
	if (status == EFI_SUCCESS)
		status = read_map(bs, &m); /* just before exiting */
	if (status != EFI_SUCCESS)
		return status;
	status = bs->ExitBootServices(image, m.key);
	if (status != EFI_INVALID_PARAMETER)
		return status;
	size = m.capacity;
	status = bs->GetMemoryMap(&size, m.buf, &m.key, &desc_size, &version);
	if (status != EFI_SUCCESS)
		return status;
	return bs->ExitBootServices(image, m.key);
}
