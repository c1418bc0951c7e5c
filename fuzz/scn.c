/* SPDX-License-Identifier: MIT */
/*
 * scn.c - the scenario tool: text scenarios to fuzz inputs and back.
 *
 *   scn encode FILE.scn [-o FILE.bin]   text to bytes (stdout without -o)
 *   scn decode FILE.bin                 bytes to text, on stdout
 *   scn decode --effective FILE.bin     the same, with the directives that
 *                                       do not apply (a setting a later line
 *                                       sets again, a list entry past what
 *                                       the firmware keeps) as comments
 *   scn help                            the directives and their fields
 *
 * Both use the opcode table of script.c, the one definition of the format.
 * encode checks every line and writes nothing unless all are valid; decode
 * accepts any bytes (every byte string is a scenario) and says where the
 * input ran out if it ends inside a directive.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script_print.h"

#define MAX_INPUT (1u << 20)

static int usage(void)
{
	fprintf(stderr, "usage: scn encode FILE.scn [-o FILE.bin]\n"
			"       scn decode [--effective] FILE.bin\n"
			"       scn help\n");
	return 2;
}

/* The directive reference, from the opcode table itself. */
static int help(void)
{
	unsigned op, i, j;

	for (op = 0; op < OP_COUNT; op++) {
		const struct scn_op_def *def = &scn_ops[op];

		printf("%s", def->keyword);
		for (i = 0; i < def->n_fields; i++) {
			const struct scn_field *f = &def->fields[i];

			if (f->style == STYLE_BARE)
				printf(" <%s>", f->name);
			else
				printf(" %s=<%s>", f->name, f->kind == FIELD_ENUM ? f->name : "n");
		}
		printf("\n    %s (opcode %u, %zu bytes)\n", def->help, op, scn_directive_size(op));
		for (i = 0; i < def->n_fields; i++) {
			const struct scn_field *f = &def->fields[i];

			printf("    %s: ", f->name);
			if (f->kind == FIELD_ENUM) {
				for (j = 0; j < f->limit; j++)
					printf("%s%s", j ? " " : "", f->names[j]);
			} else if (f->kind == FIELD_COUNT) {
				printf("1..%u", f->limit);
			} else if (f->limit) {
				printf("0..%u", f->limit);
			} else {
				printf("%u-byte number", f->width);
			}
			printf("\n");
		}
	}
	return 0;
}

static uint8_t *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = malloc(MAX_INPUT);

	if (f == NULL || data == NULL) {
		fprintf(stderr, "scn: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	*size = fread(data, 1, MAX_INPUT, f);
	if (ferror(f) || !feof(f)) {
		fprintf(stderr, "scn: %s: unreadable or larger than %u bytes\n", path, MAX_INPUT);
		exit(1);
	}
	fclose(f);
	return data;
}

static int encode(const char *in_path, const char *out_path)
{
	size_t size, out_size = 0, line_no = 0;
	uint8_t *text = slurp(in_path, &size), *out = malloc(MAX_INPUT);
	char *line = (char *)text, error[600];
	struct scn_directive dir;
	FILE *f;

	if (out == NULL)
		abort();
	text[size < MAX_INPUT ? size : MAX_INPUT - 1] = 0;
	while (line != NULL && *line != 0) {
		char *next = strchr(line, '\n');
		int r;

		if (next != NULL)
			*next++ = 0;
		line_no++;
		r = scn_parse_line(line, &dir, error, sizeof(error));
		if (r < 0) {
			fprintf(stderr, "%s:%zu: %s\n", in_path, line_no, error);
			return 1;
		}
		if (r > 0) {
			if (out_size + scn_directive_size(dir.op) > MAX_INPUT) {
				fprintf(stderr, "%s:%zu: scenario too long\n", in_path, line_no);
				return 1;
			}
			out_size += scn_encode_directive(&dir, out + out_size);
		}
		line = next;
	}
	f = out_path != NULL ? fopen(out_path, "wb") : stdout;
	if (f == NULL || fwrite(out, 1, out_size, f) != out_size || fflush(f) != 0) {
		fprintf(stderr, "scn: cannot write %s\n", out_path ? out_path : "stdout");
		return 1;
	}
	if (f != stdout)
		fclose(f);
	free(out);
	free(text);
	return 0;
}

static int decode(const char *path, bool effective)
{
	size_t size;
	uint8_t *data = slurp(path, &size);
	struct scn_reader reader = { data, size, 0 };

	reader.offset = scn_print_directives(stdout, data, size, effective);
	if (reader.offset < size) {
		uint8_t op = data[reader.offset] % OP_COUNT;

		printf("# input ends inside a %s directive at byte %zu: %zu of its %zu bytes present\n",
		       scn_ops[op].keyword, reader.offset, size - reader.offset,
		       scn_directive_size(op));
	}
	free(data);
	return fflush(stdout) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "help") == 0)
		return help();
	if (argc == 3 && strcmp(argv[1], "decode") == 0)
		return decode(argv[2], false);
	if (argc == 4 && strcmp(argv[1], "decode") == 0 && strcmp(argv[2], "--effective") == 0)
		return decode(argv[3], true);
	if (argc == 3 && strcmp(argv[1], "encode") == 0)
		return encode(argv[2], NULL);
	if (argc == 5 && strcmp(argv[1], "encode") == 0 && strcmp(argv[3], "-o") == 0)
		return encode(argv[2], argv[4]);
	return usage();
}
