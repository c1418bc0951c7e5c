/* SPDX-License-Identifier: MIT */
/*
 * replay.c - run inputs through a fuzz target without a fuzzing engine:
 * the regression-corpus replay of `make test` and CI, and the way to read a
 * crash (-v prints the run call by call).
 *
 * Usage: replay [-v] [-n RUNS] [-t SECONDS] FILE|DIR...
 *
 * Every input runs RUNS times (default 4) in one process, which catches
 * state leaking from one run into the next, as persistent fuzzing needs.
 * Directories are walked in name order.  A crash, a sanitizer report, an
 * invariant violation or a hang (SECONDS per input, default 10) ends the
 * process with a line naming the input.  Builds with gcc or clang, with or
 * without sanitizers; includes nothing of the firmware's.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

/* Sanitizer runtimes provide this; plain builds do not. */
void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

static const char *current_input;
static unsigned runs_per_input = 4, timeout_seconds = 10;
static unsigned long inputs_done, runs_done;

static void name_failing_input(void)
{
	static const char prefix[] = "replay: failing input: ";

	if (current_input == NULL)
		return;
	/* Only async-signal-safe calls: this runs from signal handlers. */
	if (write(2, prefix, sizeof(prefix) - 1) < 0 ||
	    write(2, current_input, strlen(current_input)) < 0 || write(2, "\n", 1) < 0)
		return;
}

static void on_fatal_signal(int sig)
{
	if (sig == SIGALRM) {
		static const char msg[] = "replay: timeout: the loader did not finish\n";

		if (write(2, msg, sizeof(msg) - 1) < 0)
			sig = SIGALRM;
	}
	name_failing_input();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_handlers(void)
{
	static const int signals[] = { SIGABRT, SIGSEGV, SIGFPE, SIGBUS, SIGILL, SIGALRM };
	unsigned i;

	for (i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		signal(signals[i], on_fatal_signal);
	if (__sanitizer_set_death_callback != NULL)
		__sanitizer_set_death_callback(name_failing_input);
}

static int read_file(const char *path, uint8_t **data, size_t *size)
{
	FILE *f = fopen(path, "rb");
	long length;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (length = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		if (f != NULL)
			fclose(f);
		return -1;
	}
	/* An exact-size copy, so ASan sees any over-read of the input. */
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

static int run_file(const char *path)
{
	uint8_t *data;
	size_t size;
	unsigned r;

	if (read_file(path, &data, &size) != 0) {
		fprintf(stderr, "replay: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	current_input = path;
	alarm(timeout_seconds * runs_per_input);
	for (r = 0; r < runs_per_input; r++) {
		LLVMFuzzerTestOneInput(data, size);
		runs_done++;
	}
	alarm(0);
	current_input = NULL;
	inputs_done++;
	free(data);
	return 0;
}

static int run_path(const char *path);

static int skip_entry(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

static int run_dir(const char *path)
{
	struct dirent **entries;
	int n = scandir(path, &entries, skip_entry, alphasort), i, err = 0;

	if (n < 0) {
		fprintf(stderr, "replay: cannot list %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		size_t len = strlen(path) + strlen(entries[i]->d_name) + 2;
		char *child = malloc(len);

		if (child == NULL)
			abort();
		snprintf(child, len, "%s/%s", path, entries[i]->d_name);
		if (err == 0)
			err = run_path(child);
		free(child);
		free(entries[i]);
	}
	free(entries);
	return err;
}

static int run_path(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode))
		return run_dir(path);
	if (!S_ISREG(st.st_mode))
		return 0;
	return run_file(path);
}

static void usage(void)
{
	fprintf(stderr, "usage: replay [-v] [-n RUNS] [-t SECONDS] FILE|DIR...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int opt, i;

	while ((opt = getopt(argc, argv, "vn:t:")) != -1) {
		switch (opt) {
		case 'v':
			setenv("EBSFUZZ_TRACE", "1", 1);
			break;
		case 'n':
			runs_per_input = (unsigned)atoi(optarg);
			break;
		case 't':
			timeout_seconds = (unsigned)atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (optind >= argc || runs_per_input == 0)
		usage();
	install_handlers();
	LLVMFuzzerInitialize(&argc, &argv);
	for (i = optind; i < argc; i++)
		if (run_path(argv[i]) != 0)
			return 1;
	fprintf(stderr, "replay: %lu inputs, %lu runs, no violation\n", inputs_done, runs_done);
	return 0;
}
