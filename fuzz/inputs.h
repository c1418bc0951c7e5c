/* SPDX-License-Identifier: MIT */
/*
 * inputs.h - the inputs a command line names, for the drivers that run
 * them outside a fuzzing engine (replay.c; the benchmark's input_cost.c):
 * files as they are, directories walked in name order with hidden entries
 * skipped, as libFuzzer reads a corpus.  Header-only, because each driver
 * is a program of its own that every build variant links differently.
 */
#ifndef EBSFUZZ_FUZZ_INPUTS_H
#define EBSFUZZ_FUZZ_INPUTS_H

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/**
 * inputs_read() - a whole file, in a block of exactly its size, so that
 * ASan sees any read past the end of an input.
 * @path: the file.
 * @data: receives the block (free() it).
 * @size: receives its size.
 *
 * Return: 0, or -1 with errno set.
 */
static inline int inputs_read(const char *path, uint8_t **data, size_t *size)
{
	FILE *f = fopen(path, "rb");
	long length;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (length = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		if (f != NULL)
			fclose(f);
		return -1;
	}
	*data = malloc(length ? (size_t)length : 1);
	*size = (size_t)length;
	if (*data == NULL || fread(*data, 1, *size, f) != *size) {
		free(*data);
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

static inline int inputs_not_hidden(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

/**
 * inputs_each() - call @fn on every regular file @path names.
 * @who: the program, for messages.
 * @path: a file or a directory.
 * @fn: called with each file's path and @ctx; a non-zero return stops.
 * @ctx: passed on.
 *
 * Return: 0, or the first non-zero return of @fn, or -1 (a message says
 * which path could not be read).
 */
static inline int inputs_each(const char *who, const char *path,
			      int (*fn)(const char *path, void *ctx), void *ctx)
{
	struct dirent **entries;
	struct stat st;
	int n, i, err = 0;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "%s: %s: %s\n", who, path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return S_ISREG(st.st_mode) ? fn(path, ctx) : 0;
	n = scandir(path, &entries, inputs_not_hidden, alphasort);
	if (n < 0) {
		fprintf(stderr, "%s: cannot list %s: %s\n", who, path, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		size_t len = strlen(path) + strlen(entries[i]->d_name) + 2;
		char *child = malloc(len);

		if (child == NULL)
			abort();
		snprintf(child, len, "%s/%s", path, entries[i]->d_name);
		if (err == 0)
			err = inputs_each(who, child, fn, ctx);
		free(child);
		free(entries[i]);
	}
	free(entries);
	return err;
}

#endif /* EBSFUZZ_FUZZ_INPUTS_H */
