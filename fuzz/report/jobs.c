/* SPDX-License-Identifier: MIT */
/*
 * jobs.c - take the measurements of a sweep on several cores.
 *
 * Measurements are independent, each a sequence of forked runs, so worker
 * processes take them one at a time from a counter in shared memory and
 * write each result into its own slot.  The card is printed from the
 * slots in plan order, so it does not depend on the number of workers or
 * on which finished first.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sweep.h"

struct shared {
	unsigned next;
	struct measure m[];
};

static _Noreturn void worker(struct shared *s, unsigned n, const struct report_env *env)
{
	for (;;) {
		unsigned i = __atomic_fetch_add(&s->next, 1u, __ATOMIC_RELAXED);

		if (i >= n)
			break;
		sweep_measure(&s->m[i], env);
	}
	fflush(NULL);
	_exit(0);
}

/**
 * sweep_run_all() - take every measurement.
 * @m: the plan; results are written back in place.
 * @n: how many.
 * @jobs: worker processes (at least 1).
 * @env: firmware options and timeout.
 *
 * Return: 0, or -1 if a worker died and left measurements undone.
 */
int sweep_run_all(struct measure *m, unsigned n, unsigned jobs, const struct report_env *env)
{
	size_t size = sizeof(struct shared) + (size_t)n * sizeof(struct measure);
	struct shared *s;
	unsigned w, i;
	int err = 0;

	s = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (s == MAP_FAILED) {
		perror("loader-report: mmap");
		return -1;
	}
	s->next = 0;
	memcpy(s->m, m, (size_t)n * sizeof(*m));
	fflush(NULL);
	for (w = 0; w < jobs; w++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("loader-report: fork");
			break;
		}
		if (pid == 0)
			worker(s, n, env);
	}
	while (wait(NULL) > 0)
		;
	for (i = 0; i < n; i++)
		if (!s->m[i].done)
			err = -1;
	memcpy(m, s->m, (size_t)n * sizeof(*m));
	munmap(s, size);
	return err;
}
