/* SPDX-License-Identifier: MIT */
/*
 * probe.h - helpers of the probe loaders: small loaders that follow the
 * loader contract, make the calls that show one firmware fact, print what
 * they saw on ConOut (the differential compares printed lines, seq.c), and
 * then leave boot services through the hardened exit sequence.
 *
 * A probe runs unchanged on real firmware (UEFI image) and on the fake
 * firmware (fake_sequence), so it uses no libc: only core/ and the
 * system table.  Map reads go into a static buffer, so reading allocates
 * nothing and changes neither map nor key.
 */
#ifndef EBSFUZZ_OVMF_PROBE_H
#define EBSFUZZ_OVMF_PROBE_H

#include "../../../core/ebs.h"

static UINT8 probe_map[32768] __attribute__((aligned(8)));
static UINTN probe_map_size, probe_desc_size;

/* Read the whole map into probe_map; return its key (0 if the read failed).
 * U-Boot writes the key only on success, so the key needs a full read. */
static inline UINTN probe_read(EFI_BOOT_SERVICES *bs)
{
	UINTN key = 0;
	UINT32 version;

	probe_map_size = sizeof(probe_map);
	if (bs->GetMemoryMap(&probe_map_size, (EFI_MEMORY_DESCRIPTOR *)probe_map, &key,
			     &probe_desc_size, &version) != EFI_SUCCESS)
		probe_map_size = 0;
	return key;
}

/* Pages of @type in the map probe_read() last read. */
static inline UINT64 probe_pages_of(UINT32 type)
{
	UINT64 pages = 0;
	UINTN off;

	for (off = 0; probe_desc_size != 0 && off + probe_desc_size <= probe_map_size;
	     off += probe_desc_size) {
		const EFI_MEMORY_DESCRIPTOR *d = (const EFI_MEMORY_DESCRIPTOR *)(probe_map + off);

		if (d->Type == type)
			pages += d->NumberOfPages;
	}
	return pages;
}

/* Print "@label@sign@value" on ConOut, e.g. probe_say(st, "key", 1, 1)
 * prints "key +1"; @sign 0 prints the number without a sign. */
static inline void probe_say(EFI_SYSTEM_TABLE *st, const char *label, long long value, int sign)
{
	CHAR16 line[64];
	char digits[24];
	unsigned n = 0, d = 0;
	unsigned long long v = value < 0 ? 0ull - (unsigned long long)value : (unsigned long long)value;

	while (*label != 0 && n < 40)
		line[n++] = (CHAR16)*label++;
	line[n++] = ' ';
	if (sign)
		line[n++] = value < 0 ? '-' : '+';
	do {
		digits[d++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (d > 0)
		line[n++] = (CHAR16)digits[--d];
	line[n++] = '\r';
	line[n++] = '\n';
	line[n] = 0;
	st->ConOut->OutputString(st->ConOut, line);
}

static inline EFI_STATUS probe_keep_map(const struct mmap *map, VOID *ctx)
{
	(void)map;
	(void)ctx;
	return EFI_SUCCESS;
}

/* Leave boot services as the hardened loader does. */
static inline EFI_STATUS probe_exit(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct ebs_policy policy;
	struct mmap map;

	ebs_default_policy(&policy);
	return ebs_exit_boot_services(image, st, &policy, probe_keep_map, NULL, &map);
}

#endif /* EBSFUZZ_OVMF_PROBE_H */
