/* SPDX-License-Identifier: MIT */
/*
 * h3_resize_double_free.c - harder bench model H3: a failed allocation in
 * the second sizing round frees the first round's buffer again.
 *
 * A sizing loop in the manner of the Linux stub's "goto again": read into
 * the buffer held (none at first); on BUFFER_TOO_SMALL free it, allocate
 * the size asked for plus eight descriptors, read again.  The error path
 * frees the buffer held, but an AllocatePool() that fails leaves the
 * pointer to the buffer just freed in place, so the error path frees it a
 * second time.  Before the map it allocates its boot parameters and command
 * line, as the x86 stub does.  The exit is today's Linux one: one retry into
 * the same buffer at full capacity.
 *
 * Needs two firmware conditions at once: a second sizing round (the map
 * grows past the eight spare descriptors and the over-report between the
 * size query and the read: a timer), and an AllocatePool() that fails in
 * that round, the fourth of the run.
 * Caught by forbidden-call, FreePool of memory already freed
 * (corpus/bench/models/h3_resize_double_free.scn).
 * EBSFUZZ_FIXED: forget the buffer once it is freed.
 */
#include "../../../core/efi.h"

#define SPARE_DESCS 8 /* EFI_MMAP_NR_SLACK_SLOTS before v6.14 */
#define SIZING_ROUNDS 4
#define BOOT_PARAMS_SIZE 4096
#define CMDLINE_SIZE 256
#define MAX_MAP_BYTES 0x1000000u

struct memmap {
	UINTN map_size, buff_size, desc_size, key;
	UINT32 desc_ver;
	UINT8 *map;
};

/**
 * get_memory_map() - read the map, growing the buffer until it fits.
 * @bs: boot services.
 * @m: out, the map and its buffer.
 *
 * Return: EFI_SUCCESS with @m->map allocated, or the failing status with
 * nothing allocated (EFI_LOAD_ERROR for an impossible size or stride).
 */
static EFI_STATUS get_memory_map(EFI_BOOT_SERVICES *bs, struct memmap *m)
{
	EFI_STATUS status;
	UINTN round, size;
	VOID *buf;

	m->map = NULL;
	m->desc_size = 0; /* left alone by firmware that withholds it */
	m->buff_size = 0;
	for (round = 0; round < SIZING_ROUNDS; round++) {
		m->map_size = m->buff_size;
		status = bs->GetMemoryMap(&m->map_size, (EFI_MEMORY_DESCRIPTOR *)m->map, &m->key,
					  &m->desc_size, &m->desc_ver);
		if (status == EFI_SUCCESS)
			return EFI_SUCCESS;
		if (status != EFI_BUFFER_TOO_SMALL)
			goto free_map;
		if (m->desc_size < sizeof(EFI_MEMORY_DESCRIPTOR) ||
		    __builtin_mul_overflow(m->desc_size, SPARE_DESCS, &size) ||
		    __builtin_add_overflow(m->map_size, size, &size) || size > MAX_MAP_BYTES) {
			status = EFI_LOAD_ERROR;
			goto free_map;
		}
		if (m->map != NULL) {
			bs->FreePool(m->map);
#ifdef EBSFUZZ_FIXED
			m->map = NULL;
#endif
		}
		status = bs->AllocatePool(EfiLoaderData, size, &buf);
		if (status != EFI_SUCCESS)
			goto free_map; /* H3: m->map is the buffer just freed */
		m->map = buf;
		m->buff_size = size;
	}
	status = EFI_BUFFER_TOO_SMALL;
free_map:
	if (m->map != NULL)
		bs->FreePool(m->map);
	return status;
}

/**
 * check_map() - the map callback: the answer must fit the buffer as whole
 * descriptors.
 * @m: the map just read.
 *
 * Return: EFI_SUCCESS or EFI_LOAD_ERROR.
 */
static EFI_STATUS check_map(const struct memmap *m)
{
	if (m->desc_size < sizeof(EFI_MEMORY_DESCRIPTOR) || m->map_size > m->buff_size ||
	    m->map_size % m->desc_size != 0)
		return EFI_LOAD_ERROR;
	return EFI_SUCCESS;
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
	VOID *boot_params, *cmdline;
	struct memmap m;
	EFI_STATUS status;

	status = bs->AllocatePool(EfiLoaderData, BOOT_PARAMS_SIZE, &boot_params);
	if (status != EFI_SUCCESS)
		return status;
	status = bs->AllocatePool(EfiLoaderData, CMDLINE_SIZE, &cmdline);
	if (status != EFI_SUCCESS)
		goto free_params;
	status = get_memory_map(bs, &m);
	if (status != EFI_SUCCESS)
		goto free_cmdline;
	status = check_map(&m);
	if (status != EFI_SUCCESS) {
		bs->FreePool(m.map);
		goto free_cmdline;
	}
	status = bs->ExitBootServices(image, m.key);
	if (status != EFI_INVALID_PARAMETER)
		return status;
	m.map_size = m.buff_size;
	status = bs->GetMemoryMap(&m.map_size, (EFI_MEMORY_DESCRIPTOR *)m.map, &m.key,
				  &m.desc_size, &m.desc_ver);
	if (status != EFI_SUCCESS)
		return status;
	status = check_map(&m);
	if (status != EFI_SUCCESS)
		return status;
	return bs->ExitBootServices(image, m.key);

free_cmdline:
	bs->FreePool(cmdline);
free_params:
	bs->FreePool(boot_params);
	return status;
}
