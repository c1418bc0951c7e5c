/* SPDX-License-Identifier: MIT */
/*
 * seq.h - the observable sequence of one loader run, recorded the same way
 * on real firmware (the UEFI test driver) and on the fake firmware (the
 * host program fake_sequence), and printed in one format by one function,
 * so that scripts/firmware-check can compare the two line by line.
 *
 * No libc: seq.c is linked into the UEFI image as well.
 */
#ifndef EBSFUZZ_OVMF_SEQ_H
#define EBSFUZZ_OVMF_SEQ_H

#include "../../core/efi.h"

/* As many calls as the fake firmware logs (FW_LOG_CALLS in fuzz/fw/fw.h). */
#define SEQ_MAX_CALLS 64u

/* Characters kept of a line the loader printed (OutputString). */
#define SEQ_TEXT_MAX 48u

struct seq_call {
	uint8_t service; /* enum fw_service (fuzz/script.h) */
	EFI_STATUS status;
	char text[SEQ_TEXT_MAX]; /* OutputString's text, printable ASCII; else empty */
};

/**
 * struct seq_record - what a run showed of the loader.
 * @calls: the loader's boot-service calls with their status, in the order
 *	they returned (a call made by a notify function inside
 *	ExitBootServices() would come before ExitBootServices() itself), and
 *	the text of each line it printed: a probe loader prints what it
 *	measured, so that both firmwares' answers are compared.
 * @n_calls: entries in @calls.
 * @total_calls: calls made, which may exceed SEQ_MAX_CALLS.
 * @exit_attempts: ExitBootServices() calls.
 * @returned: the loader returned (it did not reset the system).
 * @status: what it returned.
 * @exited: an ExitBootServices() call succeeded.
 * @desc_size: the last DescriptorSize GetMemoryMap() wrote, 0 if none.
 * @probe_bytes: the size the first EFI_BUFFER_TOO_SMALL answer asked for.
 * @first_read_bytes: the size the first successful GetMemoryMap() after
 *	that returned.
 * @last_read_bytes: the size the last successful GetMemoryMap() returned.
 * @exit_key: the MapKey of the successful ExitBootServices() call.
 * @firmware_key_known: @firmware_key is known (set by whoever ran the
 *	firmware's own actions during the successful call).
 * @firmware_key: the firmware's MapKey after the successful call returned.
 */
struct seq_record {
	struct seq_call calls[SEQ_MAX_CALLS];
	unsigned n_calls;
	unsigned total_calls;
	unsigned exit_attempts;
	bool returned;
	EFI_STATUS status;
	bool exited;
	UINTN desc_size;
	UINTN probe_bytes;
	UINTN first_read_bytes;
	UINTN last_read_bytes;
	UINTN exit_key;
	bool firmware_key_known;
	UINT64 firmware_key;
};

/* Where seq_print() writes: a NUL-terminated piece of text. */
typedef void (*seq_put_fn)(const char *text, void *ctx);

void seq_print(const struct seq_record *rec, seq_put_fn put, void *ctx);
const char *seq_status_name(EFI_STATUS status);
const char *seq_format_uint(uint64_t v, unsigned base, char buf[24]);

#endif /* EBSFUZZ_OVMF_SEQ_H */
