/* SPDX-License-Identifier: MIT */
/*
 * fixtures.h - the firmware scenarios and the correct map handling the
 * broken-loader fixtures of test_invariants.c and test_referee.c share.
 */
#ifndef EBSFUZZ_TESTS_FIXTURES_H
#define EBSFUZZ_TESTS_FIXTURES_H

#include "testlib.h"

/* An option ROM's exit handler grows the map during the first exit (F1). */
#define AMI_OPTION_ROM                                                                         \
	"firmware ami\n"                                                                       \
	"handler exit once alloc-pages BootServicesData amount=3 delta=+1 repeat=1\n"
#define EDK2_QUIET "firmware edk2-2025\n"

/* A map the fixtures hold: their buffer, its capacity, the last answer. */
struct held_map {
	EFI_BOOT_SERVICES *bs;
	UINT8 *buf;
	UINTN capacity, size, key, dsize;
};

/* Read into the held buffer at full capacity.  Correct. */
static inline EFI_STATUS reread(struct held_map *m)
{
	UINT32 version;

	m->size = m->capacity;
	return m->bs->GetMemoryMap(&m->size, (EFI_MEMORY_DESCRIPTOR *)(void *)m->buf, &m->key,
				   &m->dsize, &version);
}

/* Probe, allocate with 32 descriptors of headroom, read.  Correct. */
static inline EFI_STATUS read_map(EFI_SYSTEM_TABLE *st, struct held_map *m)
{
	UINTN need = 0, k = 0, d = 0;
	UINT32 version;
	EFI_STATUS status;

	m->bs = st->BootServices;
	status = m->bs->GetMemoryMap(&need, NULL, &k, &d, &version);
	if (status != EFI_BUFFER_TOO_SMALL)
		return EFI_LOAD_ERROR;
	m->capacity = need + 32 * d;
	status = m->bs->AllocatePool(EfiLoaderData, m->capacity, (VOID **)&m->buf);
	if (status != EFI_SUCCESS)
		return status;
	return reread(m);
}

static inline EFI_STATUS reread_and_exit(EFI_HANDLE image, struct held_map *m)
{
	reread(m);
	return m->bs->ExitBootServices(image, m->key);
}

/* GRUB's message before its retry (L5). */
static inline void print_retry_message(EFI_SYSTEM_TABLE *st)
{
	static CHAR16 message[] = u"Trying to terminate EFI services again\r\n";

	st->ConOut->OutputString(st->ConOut, message);
}

/* Prints after a failed exit, then retries, like GRUB's grub_printf (L5). */
static inline EFI_STATUS prints_after_failure(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct held_map m;

	read_map(st, &m);
	if (m.bs->ExitBootServices(image, m.key) == EFI_SUCCESS)
		return EFI_SUCCESS;
	print_retry_message(st);
	return reread_and_exit(image, &m);
}

#endif /* EBSFUZZ_TESTS_FIXTURES_H */
