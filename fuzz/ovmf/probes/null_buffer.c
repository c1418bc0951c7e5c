/* SPDX-License-Identifier: MIT */
/*
 * null_buffer.c - probe: GetMemoryMap with a NULL buffer and a size that
 * is large enough.  Both answer EFI_INVALID_PARAMETER (UEFI 2.10 section
 * 7.2.3); the probe prints whether the size and the key were written.
 * U-Boot 2023.01 writes the needed size there and no key (uboot.md).
 */
#include "probe.h"

EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

#define LARGE_SIZE 0x100000u
#define KEY_SENTINEL 0x5a5a5a5au

EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	UINTN size = LARGE_SIZE, key = KEY_SENTINEL, desc_size = 0;
	UINT32 version = 0;
	EFI_STATUS status;

	status = bs->GetMemoryMap(&size, NULL, &key, &desc_size, &version);
	probe_say(st, "NULL buffer: invalid-parameter", status == EFI_INVALID_PARAMETER, 0);
	probe_say(st, "NULL buffer: size written", size != LARGE_SIZE, 0);
	probe_say(st, "NULL buffer: size is a map size", size != LARGE_SIZE && desc_size != 0 &&
		  size % desc_size == 0, 0);
	probe_say(st, "NULL buffer: key written", key != KEY_SENTINEL, 0);
	return probe_exit(image, st);
}
