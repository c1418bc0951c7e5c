/* SPDX-License-Identifier: MIT */
/*
 * fwcfg.c - QEMU's fw_cfg through its legacy I/O ports (QEMU
 * docs/specs/fw_cfg.rst): write a selector to 0x510, read bytes from 0x511.
 * The file directory (selector 0x19) lists the -fw_cfg name=...,file=...
 * blobs the host passed; multi-byte fields there are big-endian.
 */
#include "fwcfg.h"
#include "port.h"

#define FW_CFG_PORT_SEL 0x510u
#define FW_CFG_PORT_DATA 0x511u
#define FW_CFG_SIGNATURE 0x0000u
#define FW_CFG_FILE_DIR 0x0019u
#define FW_CFG_NAME_SIZE 56u

static void select_item(uint16_t key)
{
	port_out16(FW_CFG_PORT_SEL, key);
}

static uint32_t read_be(unsigned bytes)
{
	uint32_t v = 0;

	while (bytes-- > 0)
		v = (v << 8) | port_in8(FW_CFG_PORT_DATA);
	return v;
}

static int same_name(const char *a, const char *b)
{
	unsigned i;

	for (i = 0; i < FW_CFG_NAME_SIZE; i++) {
		if (a[i] != b[i])
			return 0;
		if (a[i] == 0)
			return 1;
	}
	return 1;
}

/**
 * fwcfg_read_file() - copy a fw_cfg file into @buf.
 * @name: its name, e.g. "opt/ebsfuzz/scenario".
 * @buf: destination.
 * @capacity: bytes available at @buf.
 *
 * Return: the file's size (at most @capacity bytes were copied), or -1 if
 * there is no fw_cfg device or no such file.
 */
long fwcfg_read_file(const char *name, uint8_t *buf, size_t capacity)
{
	uint32_t count, i, size = 0, key = 0;
	char entry_name[FW_CFG_NAME_SIZE];
	unsigned n;

	select_item(FW_CFG_SIGNATURE);
	if (read_be(1) != 'Q' || read_be(1) != 'E' || read_be(1) != 'M' || read_be(1) != 'U')
		return -1;
	select_item(FW_CFG_FILE_DIR);
	count = read_be(4);
	for (i = 0; i < count; i++) {
		uint32_t entry_size = read_be(4), entry_key = read_be(2);

		(void)read_be(2); /* reserved */
		for (n = 0; n < FW_CFG_NAME_SIZE; n++)
			entry_name[n] = (char)port_in8(FW_CFG_PORT_DATA);
		if (key == 0 && same_name(entry_name, name)) {
			size = entry_size;
			key = entry_key;
		}
	}
	if (key == 0)
		return -1;
	select_item((uint16_t)key);
	for (i = 0; i < size && i < capacity; i++)
		buf[i] = port_in8(FW_CFG_PORT_DATA);
	return (long)size;
}
