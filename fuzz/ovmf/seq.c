/* SPDX-License-Identifier: MIT */
/*
 * seq.c - print a struct seq_record.
 *
 * Lines between "ebsfuzz-seq begin" and "ebsfuzz-seq end" are compared
 * between firmwares, except those starting with "info", which carry
 * numbers that legitimately differ (the real map is not the fake's).
 * Compared: each call and its status (and the text of a line printed),
 * how many calls, exit attempts,
 * success, the loader's status, DescriptorSize, whether the size probe
 * asked for more than the map then held (EDK2 counts unmerged entries,
 * exit-boot.md 2.3), and whether the map the loader exited with was still
 * current when ExitBootServices() returned (EDK2 lets EXIT_BOOT_SERVICES
 * handlers allocate after the key check, ovmf.md §4).
 */
#include "../script.h"
#include "seq.h"

/**
 * seq_status_name() - the UEFI name of a status (Appendix D).
 * @status: any EFI_STATUS.
 *
 * Return: a static string, or NULL for a status without a name here.
 */
const char *seq_status_name(EFI_STATUS status)
{
	static const char *const errors[] = {
		"EFI_SUCCESS",          "EFI_LOAD_ERROR",       "EFI_INVALID_PARAMETER",
		"EFI_UNSUPPORTED",      "EFI_BAD_BUFFER_SIZE",  "EFI_BUFFER_TOO_SMALL",
		"EFI_NOT_READY",        "EFI_DEVICE_ERROR",     "EFI_WRITE_PROTECTED",
		"EFI_OUT_OF_RESOURCES", "EFI_VOLUME_CORRUPTED", "EFI_VOLUME_FULL",
		"EFI_NO_MEDIA",         "EFI_MEDIA_CHANGED",    "EFI_NOT_FOUND",
		"EFI_ACCESS_DENIED",    "EFI_NO_RESPONSE",      "EFI_NO_MAPPING",
		"EFI_TIMEOUT",          "EFI_NOT_STARTED",      "EFI_ALREADY_STARTED",
		"EFI_ABORTED",          "EFI_ICMP_ERROR",       "EFI_TFTP_ERROR",
		"EFI_PROTOCOL_ERROR",   "EFI_INCOMPATIBLE_VERSION", "EFI_SECURITY_VIOLATION",
		"EFI_CRC_ERROR",        "EFI_END_OF_MEDIA",
	};
	UINTN code = status & ~EFI_ERROR_BIT;

	if (status == EFI_SUCCESS)
		return errors[0];
	if (EFI_ERROR(status) && code < sizeof(errors) / sizeof(errors[0]))
		return errors[code];
	return NULL;
}

/**
 * seq_format_uint() - an unsigned number as text.
 * @v: the number.
 * @base: 10, or 16 for 0x-prefixed hex.
 * @buf: room for the text, which is written at its end.
 *
 * Return: the text, inside @buf.
 */
const char *seq_format_uint(uint64_t v, unsigned base, char buf[24])
{
	char *p = buf + 23;

	*p = 0;
	do {
		*--p = "0123456789abcdef"[v % base];
		v /= base;
	} while (v != 0);
	if (base == 16) {
		*--p = 'x';
		*--p = '0';
	}
	return p;
}

static void put_uint(seq_put_fn put, void *ctx, uint64_t v)
{
	char buf[24];

	put(seq_format_uint(v, 10, buf), ctx);
}

static void put_status(seq_put_fn put, void *ctx, EFI_STATUS status)
{
	const char *name = seq_status_name(status);
	char buf[24];

	put(name != NULL ? name : seq_format_uint(status, 16, buf), ctx);
}

static void put_line_uint(seq_put_fn put, void *ctx, const char *label, uint64_t v)
{
	put(label, ctx);
	put(" ", ctx);
	put_uint(put, ctx, v);
	put("\n", ctx);
}

static void put_line_text(seq_put_fn put, void *ctx, const char *label, const char *text)
{
	put(label, ctx);
	put(" ", ctx);
	put(text, ctx);
	put("\n", ctx);
}

static const char *map_at_exit(const struct seq_record *rec)
{
	if (!rec->exited)
		return "none";
	if (rec->firmware_key_known && rec->firmware_key != rec->exit_key)
		return "stale";
	return "current";
}

static void put_calls(const struct seq_record *rec, seq_put_fn put, void *ctx)
{
	unsigned i;

	for (i = 0; i < rec->n_calls; i++) {
		const struct seq_call *c = &rec->calls[i];

		put("call ", ctx);
		put_uint(put, ctx, i + 1);
		put(" ", ctx);
		put(c->service < SVC_COUNT ? scn_service_names[c->service] : "unknown-service",
		    ctx);
		put(" ", ctx);
		put_status(put, ctx, c->status);
		if (c->text[0] != 0) {
			put(" \"", ctx);
			put(c->text, ctx);
			put("\"", ctx);
		}
		put("\n", ctx);
	}
}

/**
 * seq_print() - print a record in the format scripts/firmware-check compares.
 * @rec: the record.
 * @put: where to write.
 * @ctx: passed to @put.
 */
void seq_print(const struct seq_record *rec, seq_put_fn put, void *ctx)
{
	put("ebsfuzz-seq begin\n", ctx);
	put_calls(rec, put, ctx);
	put_line_uint(put, ctx, "calls", rec->total_calls);
	put_line_uint(put, ctx, "exit-attempts", rec->exit_attempts);
	put_line_text(put, ctx, "exited", rec->exited ? "yes" : "no");
	put("returned ", ctx);
	if (rec->returned)
		put_status(put, ctx, rec->status);
	else
		put("never", ctx);
	put("\n", ctx);
	put_line_uint(put, ctx, "descriptor-size", rec->desc_size);
	put_line_text(put, ctx, "probe-over-reports",
		      rec->probe_bytes > rec->first_read_bytes && rec->first_read_bytes != 0 ? "yes"
											      : "no");
	put_line_text(put, ctx, "map-at-exit", map_at_exit(rec));
	put_line_uint(put, ctx, "info probe-bytes", rec->probe_bytes);
	put_line_uint(put, ctx, "info first-read-bytes", rec->first_read_bytes);
	put_line_uint(put, ctx, "info last-read-bytes", rec->last_read_bytes);
	put("ebsfuzz-seq end\n", ctx);
}
