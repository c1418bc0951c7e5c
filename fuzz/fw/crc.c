/* SPDX-License-Identifier: MIT */
/*
 * crc.c - the CRC-32 of UEFI 2.10 section 4.2: the tables' headers
 * (fw_table_crc()) and CalculateCrc32 (misc.c).
 */
#include <stddef.h>
#include <string.h>

#include "internal.h"

static uint32_t crc_table[256];

static void crc_table_init(void)
{
	uint32_t n, c, bit;

	for (n = 0; n < 256; n++) {
		for (c = n, bit = 0; bit < 8; bit++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
		crc_table[n] = c;
	}
}

/* @crc carried over @size bytes at @p. */
static uint32_t crc_update(uint32_t crc, const uint8_t *p, size_t size)
{
	if (crc_table[1] == 0)
		crc_table_init();
	while (size--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}

/**
 * fw_crc32() - the CRC-32 of UEFI tables and CalculateCrc32 (IEEE 802.3,
 * reflected, as UEFI 2.10 section 4.2 and EDK2's CalculateCrc32 use).
 * @data: bytes.
 * @size: their number.
 *
 * Return: the CRC.
 */
uint32_t fw_crc32(const void *data, size_t size)
{
	return ~crc_update(0xffffffffu, data, size);
}

/* fw_crc32() of the loader's bytes where one is bad, read unchecked
 * through a buffer of the firmware's: the bad byte was reported at the
 * loader's call (loader_access.c). */
uint32_t fw_crc32_unchecked(const void *data, size_t size)
{
	uintptr_t at = (uintptr_t)data;
	uint32_t crc = 0xffffffffu;
	uint8_t chunk[256];
	size_t n;

	for (; size > 0; at += n, size -= n) {
		n = size < sizeof(chunk) ? size : sizeof(chunk);
		fw_copy_unchecked(chunk, (const void *)at, n);
		crc = crc_update(crc, chunk, n);
	}
	return ~crc;
}

/* The last table fw_table_crc() summed, as it was summed, and its CRC: at
 * every exit the system table is summed again, nearly always the same
 * bytes as in the run before (the byte-wise sum of its 120 bytes was 4.3%
 * of the seeds' run time; perf, input_cost). */
static struct {
	size_t size;
	uint8_t bytes[512];
	uint32_t crc;
} last_table;

/* UEFI 2.10 section 4.2: CRC32 of HeaderSize bytes with the field zeroed. */
void fw_table_crc(EFI_TABLE_HEADER *hdr, size_t size)
{
	hdr->HeaderSize = (UINT32)size;
	hdr->CRC32 = 0;
	if (size <= sizeof(last_table.bytes) && size == last_table.size &&
	    fw_same_bytes(last_table.bytes, hdr, size)) {
		hdr->CRC32 = last_table.crc;
		return;
	}
	hdr->CRC32 = fw_crc32(hdr, size);
	if (size <= sizeof(last_table.bytes)) {
		last_table.size = size;
		memcpy(last_table.bytes, hdr, size);
		/* as summed: its CRC32 field zero */
		memset(last_table.bytes + offsetof(EFI_TABLE_HEADER, CRC32), 0, sizeof(hdr->CRC32));
		last_table.crc = hdr->CRC32;
	}
}
