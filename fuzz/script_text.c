/* SPDX-License-Identifier: MIT */
/*
 * script_text.c - scenarios as text: one directive per line, the keyword
 * then every field in order, as the opcode table of script.c defines them.
 *
 *   # an option ROM allocates when boot services end (AMI, LKML 2013)
 *   firmware ami
 *   handler exit once alloc-pages BootServicesData amount=3 delta=+1 repeat=1
 *
 * Enumerated fields are bare words; numbers are name=value (map-key in
 * hex).  Every field is required, so a file in this canonical form comes
 * back unchanged from encoding and decoding (comments and blank lines
 * aside).  Traces and `scn decode` print the same syntax.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script_print.h"

/**
 * scn_format_directive() - the canonical text of a directive, no newline.
 * @dir: a decoded directive.
 * @out: receives the text.
 * @size: its size.
 *
 * Return: the length snprintf would have written.
 */
int scn_format_directive(const struct scn_directive *dir, char *out, size_t size)
{
	const struct scn_op_def *def = &scn_ops[dir->op];
	size_t n;
	unsigned i;

	n = (size_t)snprintf(out, size, "%s", def->keyword);
	for (i = 0; i < def->n_fields; i++) {
		const struct scn_field *f = &def->fields[i];
		char *p = n < size ? out + n : NULL;
		size_t room = n < size ? size - n : 0;
		int w;

		if (f->kind == FIELD_ENUM && f->style == STYLE_BARE)
			w = snprintf(p, room, " %s", f->names[dir->v[i]]);
		else if (f->kind == FIELD_ENUM)
			w = snprintf(p, room, " %s=%s", f->name, f->names[dir->v[i]]);
		else if (f->style == STYLE_HEX)
			w = snprintf(p, room, " %s=0x%llx", f->name, (unsigned long long)dir->v[i]);
		else
			w = snprintf(p, room, " %s=%llu", f->name, (unsigned long long)dir->v[i]);
		n += (size_t)w;
	}
	return (int)n;
}

static int parse_enum(const struct scn_field *f, const char *token, uint64_t *value)
{
	uint32_t i;

	for (i = 0; i < f->limit; i++) {
		if (strcmp(token, f->names[i]) == 0) {
			*value = i;
			return 0;
		}
	}
	return -1;
}

static int parse_number(const struct scn_field *f, const char *token, uint64_t *value)
{
	char *end;

	if (!isdigit((unsigned char)token[0]))
		return -1;
	*value = strtoull(token, &end, 0);
	if (*end != 0)
		return -1;
	if (f->width < 8 && *value >> (8 * f->width) != 0)
		return -1;
	if (f->kind == FIELD_COUNT)
		return *value >= 1 && *value <= f->limit ? 0 : -1;
	return f->limit == 0 || *value <= f->limit ? 0 : -1;
}

/* Describe what a field accepts, for error messages. */
static void expected(const struct scn_field *f, char *out, size_t size)
{
	size_t n;
	uint32_t i;

	if (f->kind != FIELD_ENUM) {
		snprintf(out, size, "%s=<%s>", f->name,
			 f->kind == FIELD_COUNT ? "count from 1" : "number");
		return;
	}
	n = (size_t)snprintf(out, size, "%s%s (one of", f->style == STYLE_BARE ? "" : f->name,
			     f->style == STYLE_BARE ? f->name : "=");
	for (i = 0; i < f->limit && n < size; i++)
		n += (size_t)snprintf(out + n, size - n, " %s", f->names[i]);
	if (n < size)
		snprintf(out + n, size - n, ")");
}

static int parse_field(const struct scn_field *f, const char *token, uint64_t *value)
{
	size_t len = strlen(f->name);

	if (f->style != STYLE_BARE) {
		if (strncmp(token, f->name, len) != 0 || token[len] != '=')
			return -1;
		token += len + 1;
	}
	return f->kind == FIELD_ENUM ? parse_enum(f, token, value) : parse_number(f, token, value);
}

/**
 * scn_parse_line() - parse one line of a scenario file.
 * @line: the line, without its newline.
 * @dir: receives the directive.
 * @error: receives what was expected, on error.
 * @error_size: its size.
 *
 * Return: 1 for a directive, 0 for a blank or comment line, -1 on error.
 */
int scn_parse_line(const char *line, struct scn_directive *dir, char *error, size_t error_size)
{
	char buf[512], want[512], *save, *token;
	unsigned op, i;

	snprintf(buf, sizeof(buf), "%s", line);
	buf[strcspn(buf, "#")] = 0;
	token = strtok_r(buf, " \t\r", &save);
	if (token == NULL)
		return 0;
	for (op = 0; op < OP_COUNT && strcmp(token, scn_ops[op].keyword) != 0; op++)
		;
	if (op == OP_COUNT) {
		snprintf(error, error_size, "unknown directive '%s'", token);
		return -1;
	}
	dir->op = (uint8_t)op;
	for (i = 0; i < scn_ops[op].n_fields; i++) {
		const struct scn_field *f = &scn_ops[op].fields[i];

		token = strtok_r(NULL, " \t\r", &save);
		if (token == NULL || parse_field(f, token, &dir->v[i]) != 0) {
			expected(f, want, sizeof(want));
			snprintf(error, error_size, "%s: expected %s, found %s%s%s", scn_ops[op].keyword,
				 want, token ? "'" : "the end of the line", token ? token : "",
				 token ? "'" : "");
			return -1;
		}
	}
	token = strtok_r(NULL, " \t\r", &save);
	if (token != NULL) {
		snprintf(error, error_size, "%s: unexpected '%s' after the last field",
			 scn_ops[op].keyword, token);
		return -1;
	}
	return 1;
}

/* A setting's slot: of two directives in one slot the later applies
 * (scn_apply(): a map template and a synthetic map replace each other, a
 * quirk is set per quirk); -1 for the directives that add to a list. */
#define SLOTS (OP_COUNT + 64)
static int setting_slot(const struct scn_directive *dir)
{
	switch (dir->op) {
	case OP_FIRMWARE:
	case OP_REVISION:
	case OP_DESC_SIZE:
	case OP_DESC_VERSION:
	case OP_OVER_REPORT:
	case OP_MAP_KEY:
		return dir->op;
	case OP_MAP:
	case OP_MAP_SYNTHETIC:
		return OP_MAP;
	case OP_QUIRK:
		return dir->v[0] < 64 ? OP_COUNT + (int)dir->v[0] : -1;
	default:
		return -1;
	}
}

/* How many of a list directive the scenario keeps (scn_apply()). */
static unsigned list_cap(uint8_t op)
{
	switch (op) {
	case OP_MAP_ENTRY:
		return SCN_MAX_ENTRIES;
	case OP_HANDLER:
		return SCN_MAX_HANDLERS;
	case OP_TIMER:
		return SCN_MAX_TIMERS;
	case OP_INJECT:
		return SCN_MAX_INJECTS;
	case OP_ALLOC:
		return SCN_MAX_ALLOCS;
	default:
		return SCN_MAX_CORRUPTIONS;
	}
}

/**
 * scn_print_directives() - an input's directives as text, one a line.
 * @out: where to.
 * @data: the input.
 * @size: its length.
 * @effective: those that do not apply as comments (a setting a later line
 *	sets again, a list entry past what the scenario keeps), so that a
 *	reader (a finding's scenario.scn, its row in the campaign's table, a
 *	trace) sees the firmware the run had: minimised reproducers keep
 *	"firmware edk2-2025" before the "firmware uboot" that applies.
 *
 * Return: where the last whole directive ends.
 */
size_t scn_print_directives(FILE *out, const uint8_t *data, size_t size, bool effective)
{
	struct scn_reader reader = { data, size, 0 };
	struct scn_directive dir;
	size_t i, *last = calloc(SLOTS, sizeof(*last));
	unsigned kept[OP_COUNT] = { 0 };
	char line[600];
	int slot;

	if (last == NULL)
		abort();
	for (i = 1; effective && scn_next_directive(&reader, &dir); i++)
		if ((slot = setting_slot(&dir)) >= 0)
			last[slot] = i;
	reader.offset = 0;
	for (i = 1; scn_next_directive(&reader, &dir); i++) {
		scn_format_directive(&dir, line, sizeof(line));
		slot = setting_slot(&dir);
		if (effective && slot >= 0 && last[slot] != i)
			fprintf(out, "# overridden by a later line: %s\n", line);
		else if (effective && slot < 0 && ++kept[dir.op] > list_cap(dir.op))
			fprintf(out, "# beyond the %u the firmware keeps: %s\n", list_cap(dir.op),
				line);
		else
			fprintf(out, "%s\n", line);
	}
	free(last);
	return reader.offset;
}
