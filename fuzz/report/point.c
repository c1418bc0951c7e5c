/* SPDX-License-Identifier: MIT */
/*
 * point.c - one point of the sweep: run a loader once against one scenario
 * in a forked child, and read how it ended from what the child printed.
 *
 * The child runs the firmware with its trace on (fw_options.trace), so a
 * run that the referee aborts still tells how far it got.  The parent
 * reads, line by line:
 *   "# firmware ..., UEFI X.Y, ..., N descriptors, ..."   the start
 *   "#   map changed by ...: N descriptors, ..."           every change
 *   "# call N: Service(...) -> STATUS, ..."                every call
 *   "#   -> STATUS"                                        an exit's result
 *   "# loader returned STATUS"
 *   "ebsfuzz: invariant NAME violated: ..."                each violation
 *   "ERROR: AddressSanitizer: KIND ...", "... runtime error: ..."
 * Nothing else of the referee's wording is relied on, and no invariant
 * name is known here: a run may print several, and new ones are recorded
 * like the others.  This file must never decide a violation itself.
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../halts.h"
#include "report.h"

/* The line the child prints when fw_run() came back: no abort. */
#define END_LINE "report: the run ended"

/**
 * point_scenario() - turn scn text into the scenario a fuzz input would
 * decode to, the path every input takes (text, bytes, decode).
 * @text: directive lines.
 * @scn: the decoded scenario.
 * @canonical: receives the canonical text of the directives (scn decode's).
 * @size: its size.
 *
 * Return: the input's size in bytes, or -1 if a line does not parse (a bug
 * of the sweep, reported by the caller).
 */
int point_scenario(const char *text, struct scenario *scn, char *canonical, size_t size)
{
	static uint8_t bytes[4096];
	size_t n = 0, used = 0;
	char line[512], error[256];
	struct scn_directive dir;

	canonical[0] = 0;
	while (*text != 0) {
		size_t len = strcspn(text, "\n");
		int r;

		snprintf(line, sizeof(line), "%.*s", (int)len, text);
		text += len + (text[len] == '\n');
		r = scn_parse_line(line, &dir, error, sizeof(error));
		if (r < 0) {
			fprintf(stderr, "loader-report: bad sweep line '%s': %s\n", line, error);
			return -1;
		}
		if (r == 0)
			continue;
		if (n + scn_directive_size(dir.op) > sizeof(bytes))
			return -1;
		n += scn_encode_directive(&dir, bytes + n);
		used += (size_t)scn_format_directive(&dir, canonical + used, size - used);
		used += (size_t)snprintf(canonical + used, size - used, "\n");
		if (used >= size)
			return -1;
	}
	scn_decode(bytes, n, scn);
	return (int)n;
}

/* Parser state: the run as the lines so far describe it. */
struct reader {
	struct outcome *o;
	bool queried, in_exit, after_fail, finished;
	unsigned descs, first_descs, max_descs;
	char line[1024];
	size_t len;
};

/* A rule broken, once per name: the first message and class stay. */
static void add_name(struct outcome *o, const char *name, const char *message, size_t len,
		     const char *class, size_t class_len)
{
	unsigned i;

	for (i = 0; i < o->n_names; i++)
		if (strcmp(o->names[i], name) == 0)
			return;
	if (o->n_names == REPORT_MAX_NAMES)
		return;
	snprintf(o->names[o->n_names], REPORT_NAME_MAX, "%s", name);
	snprintf(o->messages[o->n_names], REPORT_MSG_MAX, "%.*s", (int)len, message);
	snprintf(o->classes[o->n_names++], REPORT_CLASS_MAX, "%.*s", (int)class_len, class);
}

/* "ebsfuzz: invariant NAME violated: MESSAGE [CLASS]": MESSAGE and CLASS. */
static void add_invariant(struct outcome *o, const char *name, const char *line)
{
	const char *message = strstr(line, " violated: ") + 11;
	const char *class = strrchr(message, '[');
	size_t len = strlen(message), class_len = 0;

	if (class != NULL && class > message && class[-1] == ' ' && line[strlen(line) - 1] == ']') {
		len = (size_t)(class - 1 - message);
		class_len = strlen(class + 1) - 1;
		class++;
	}
	add_name(o, name, message, len, class, class_len);
}

static void note_descriptors(struct reader *r, unsigned n)
{
	r->descs = n;
	if (r->queried && n > r->max_descs)
		r->max_descs = n;
}

/* The firmware's header: its revision and the starting map's size. */
static void read_header(struct reader *r, const char *line)
{
	const char *uefi = strstr(line, ", UEFI ");
	const char *d = strstr(line, " descriptors,");
	unsigned n;

	if (uefi != NULL)
		sscanf(uefi + 7, "%7[0-9.]", r->o->revision);
	while (d != NULL && d > line && d[-1] >= '0' && d[-1] <= '9')
		d--;
	if (d != NULL && sscanf(d, "%u", &n) == 1)
		note_descriptors(r, n);
}

static bool is_memory_service(const char *svc)
{
	return strcmp(svc, "AllocatePool") == 0 || strcmp(svc, "AllocatePages") == 0 ||
	       strcmp(svc, "FreePool") == 0 || strcmp(svc, "FreePages") == 0;
}

/* "# call N: Service(...) -> STATUS, ...": one call of the loader. */
static void read_call(struct reader *r, const char *line)
{
	struct outcome *o = r->o;
	unsigned number;
	char svc[48];
	const char *arrow;

	if (sscanf(line, "# call %u: %47[A-Za-z0-9]", &number, svc) != 2)
		return;
	arrow = strstr(line, "-> ");
	if (strcmp(svc, "GetMemoryMap") == 0) {
		bool ok = arrow != NULL && strncmp(arrow + 3, "EFI_SUCCESS", 11) == 0;

		/* The firmware counts growth from the loader's first call. */
		if (!r->queried) {
			r->queried = true;
			r->first_descs = r->max_descs = r->descs;
			o->first_map_call = number;
			o->first_map_too_small =
				arrow != NULL && strncmp(arrow + 3, "EFI_BUFFER_TOO_SMALL", 20) == 0;
		}
		if (ok && o->exit_attempts == 0)
			o->reads_before_exit++;
	} else if (strcmp(svc, "ExitBootServices") == 0) {
		o->exit_attempts++;
		r->in_exit = true;
	} else if (strcmp(svc, "ResetSystem") == 0) {
		o->reset = true;
	} else if (strcmp(svc, "Exit") == 0 && strstr(line, ": the run ends here") != NULL) {
		/* "# call N: Exit(STATUS): the run ends here" (fw/misc.c) */
		o->called_exit = true;
		sscanf(line, "# call %*u: Exit(%39[A-Z_0-9]", o->status);
	} else if (r->after_fail && is_memory_service(svc)) {
		o->mem_after_fail++;
	}
}

/* "#   -> STATUS": how an ExitBootServices() call ended. */
static void read_exit_status(struct reader *r, const char *status)
{
	r->in_exit = false;
	if (strncmp(status, "EFI_SUCCESS", 11) == 0) {
		r->o->exited = true;
		return;
	}
	r->o->failed_exits++;
	r->after_fail = true;
}

/* Sanitizer reports: the kind only, with addresses taken out, so that the
 * same bug gives the same name on any machine. */
static void read_sanitizer(struct reader *r, const char *line)
{
	char name[REPORT_NAME_MAX], kind[REPORT_NAME_MAX - 8];
	const char *p;

	if ((p = strstr(line, "ERROR: AddressSanitizer: ")) != NULL &&
	    sscanf(p + 25, "%55s", kind) == 1) {
		snprintf(name, sizeof(name), "AddressSanitizer: %s", kind);
		add_name(r->o, name, "", 0, "", 0);
	} else if ((p = strstr(line, "runtime error: ")) != NULL) {
		size_t k = 0;

		for (p += 15; *p != 0 && k + 1 < sizeof(kind); p++) {
			if (p[0] == '0' && p[1] == 'x') /* an address: drop its digits */
				for (p += 2; p[1] != 0 && strchr("0123456789abcdef", p[1]); p++)
					;
			else
				kind[k++] = *p;
		}
		kind[k] = 0;
		snprintf(name, sizeof(name), "UBSan: %s", kind);
		add_name(r->o, name, "", 0, "", 0);
	}
}

static void read_line(struct reader *r, const char *line)
{
	char name[REPORT_NAME_MAX];
	unsigned n;

	if (strncmp(line, "# firmware ", 11) == 0) {
		read_header(r, line);
	} else if (strstr(line, "map changed by ") != NULL) {
		const char *colon = strstr(line, ": ");

		if (colon != NULL && sscanf(colon + 2, "%u descriptors", &n) == 1)
			note_descriptors(r, n);
	} else if (strncmp(line, "# call ", 7) == 0) {
		read_call(r, line);
	} else if (r->in_exit && strncmp(line, "#   -> ", 7) == 0) {
		read_exit_status(r, line + 7);
	} else if (strncmp(line, "# loader returned ", 18) == 0) {
		r->o->returned = true;
		snprintf(r->o->status, sizeof(r->o->status), "%s", line + 18);
	} else if (sscanf(line, "ebsfuzz: invariant %63s violated:", name) == 1 &&
		   strstr(line, " violated: ") != NULL) {
		add_invariant(r->o, name, line);
	} else if (strncmp(line, "# the loader halts", 18) == 0) {
		r->o->halted = true; /* fuzz/fw/run.c, fw_end_run_halted() */
	} else if (strcmp(line, END_LINE) == 0) {
		r->finished = true;
	} else {
		read_sanitizer(r, line);
	}
}

static void read_bytes(struct reader *r, const char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (buf[i] != '\n') {
			if (r->len + 1 < sizeof(r->line))
				r->line[r->len++] = buf[i];
			continue;
		}
		r->line[r->len] = 0;
		read_line(r, r->line);
		r->len = 0;
	}
}

static _Noreturn void child(const struct report_env *env, fw_loader_fn fn,
			    const struct scenario *scn, int fd)
{
	struct fw_options opt = env->opt;
	struct fw_result result;
	int null = open("/dev/null", O_WRONLY);

	/* The firmware's trace and reports go to stderr, read by the parent.
	 * A loader that prints with stdio rather than ConOut must neither
	 * reach the card nor pass for the firmware. */
	if (null < 0 || dup2(null, 1) < 0 || dup2(fd, 2) < 0)
		_exit(3);
	close(null);
	close(fd);
	opt.trace = stderr;
	halts_watch(); /* in this child: a halt is a stop, not a hang */
	alarm(env->timeout);
	fw_run(scn, fn, &opt, &result);
	fprintf(stderr, "\n%s\n", END_LINE);
	fflush(stderr);
	_exit(0);
}

/* How much a run that broke a rule says of the loader, by the class the
 * referee gave it: compliant firmware first (the bugs that break boots),
 * then firmware outside the rules, then the way out after giving up, then
 * reports without a class (sanitizers, crashes). */
static unsigned class_rank(const char *class)
{
	static const char *const order[] = { "compliant", "noncompliant", "giving-up", "loader-ub" };
	unsigned i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (strcmp(class, order[i]) == 0)
			return i;
	return i;
}

/* Whether a run of @class and @bytes makes a better example of a rule
 * than the trip's: the higher class, then the fewer input bytes; the
 * earlier on a tie. */
static bool better_example(const char *class, unsigned bytes, const struct trip *t)
{
	unsigned a = class_rank(class), b = class_rank(t->class);

	return a < b || (a == b && bytes < t->bytes);
}

/* Record every rule @o broke in @trips, keeping the best example
 * (better_example()). */
static void trips_note(struct trips *trips, const struct outcome *o, const char *text,
		       unsigned bytes)
{
	char extra[REPORT_NAME_MAX] = "";
	unsigned i, k;

	if (o->hang)
		snprintf(extra, sizeof(extra), "hang");
	else if (o->signal == -1)
		snprintf(extra, sizeof(extra), "process ended");
	else if (o->signal != 0 && o->n_names == 0)
		snprintf(extra, sizeof(extra), "crash: %s", outcome_signal_name(o->signal));
	for (i = 0; i <= o->n_names; i++) {
		const char *name = i < o->n_names ? o->names[i] : extra;
		struct trip *t = NULL;

		if (name[0] == 0)
			continue;
		for (k = 0; k < trips->n && t == NULL; k++)
			if (strcmp(trips->t[k].name, name) == 0)
				t = &trips->t[k];
		if (t == NULL && trips->n == REPORT_MAX_TRIPS)
			continue;
		if (t == NULL) {
			t = &trips->t[trips->n++];
			snprintf(t->name, sizeof(t->name), "%s", name);
			t->points = 0;
			t->bytes = ~0u;
			t->class[0] = 0;
		}
		t->points++;
		if (better_example(i < o->n_names ? o->classes[i] : "", bytes, t)) {
			t->bytes = bytes;
			snprintf(t->scenario, sizeof(t->scenario), "%s", text);
			snprintf(t->message, sizeof(t->message), "%s",
				 i < o->n_names ? o->messages[i] : "");
			snprintf(t->class, sizeof(t->class), "%s",
				 i < o->n_names ? o->classes[i] : "");
		}
	}
}

/**
 * trips_merge() - add the rules one measurement broke to another's.
 * @into: accumulates; the better example wins (better_example()).
 * @from: one measurement's.
 */
void trips_merge(struct trips *into, const struct trips *from)
{
	unsigned i, k;

	for (i = 0; i < from->n; i++) {
		const struct trip *f = &from->t[i];
		struct trip *t = NULL;

		for (k = 0; k < into->n && t == NULL; k++)
			if (strcmp(into->t[k].name, f->name) == 0)
				t = &into->t[k];
		if (t == NULL && into->n < REPORT_MAX_TRIPS) {
			into->t[into->n++] = *f;
			continue;
		}
		if (t == NULL)
			continue;
		t->points += f->points;
		if (better_example(f->class, f->bytes, t)) {
			t->bytes = f->bytes;
			memcpy(t->scenario, f->scenario, sizeof(t->scenario));
			memcpy(t->message, f->message, sizeof(t->message));
			memcpy(t->class, f->class, sizeof(t->class));
		}
	}
}

static void collect(struct reader *r, int fd, pid_t pid)
{
	char buf[4096];
	ssize_t n;
	int status;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		read_bytes(r, buf, (size_t)n);
	read_bytes(r, "\n", 1);
	close(fd);
	waitpid(pid, &status, 0);
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
		r->o->hang = true;
	else if (WIFSIGNALED(status) && WTERMSIG(status) != SIGABRT)
		r->o->signal = WTERMSIG(status);
	else if (!r->finished && r->o->n_names == 0 && WIFSIGNALED(status))
		r->o->signal = WTERMSIG(status); /* an abort nobody explained */
	else if (!r->finished && r->o->n_names == 0) {
		r->o->signal = -1; /* ended the process without a report */
		r->o->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
	}
	r->o->growth = r->queried ? r->max_descs - r->first_descs : 0;
}

/**
 * point_run() - run @fn on the scenario @text in a forked child.
 * @env: firmware options and the timeout.
 * @fn: the loader.
 * @text: scn text.
 * @out: how it ended.
 * @trips: the rules it broke are added here, with this scenario.
 */
void point_run(const struct report_env *env, fw_loader_fn fn, const char *text,
	       struct outcome *out, struct trips *trips)
{
	static struct scenario scn;
	static char canonical[REPORT_SCN_MAX];
	struct reader r = { .o = out };
	int fds[2], bytes;
	pid_t pid;

	memset(out, 0, sizeof(*out));
	bytes = point_scenario(text, &scn, canonical, sizeof(canonical));
	if (bytes < 0)
		abort();
	fflush(NULL);
	if (pipe(fds) != 0 || (pid = fork()) < 0) {
		perror("loader-report");
		exit(2);
	}
	if (pid == 0) {
		close(fds[0]);
		child(env, fn, &scn, fds[1]);
	}
	close(fds[1]);
	collect(&r, fds[0], pid);
	trips_note(trips, out, canonical, (unsigned)bytes);
}
