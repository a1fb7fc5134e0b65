// SPDX-License-Identifier: MIT
/*
 * The processes scripts started with ns.spawn; only those may be signalled by
 * netlab.kill. Kept outside Lua so that a sandboxed run can still end them
 * at exit when the script leaves through os.exit. A process proc_terminate
 * has ended and reaped stays listed with its wait status until proc_wait asks
 * for it: once reaped, waitpid() knows it no more (ECHILD).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "vec.h"
#include "core/proc.h"

struct child {
	pid_t pid;
	int reaped; /* 1: status holds its wait status */
	int status;
};
static struct child *children;
static size_t nchildren, capchildren;

static struct child *child_at(pid_t pid)
{
	size_t i;

	for (i = 0; i < nchildren; i++)
		if (children[i].pid == pid)
			return &children[i];
	return NULL;
}

int proc_adopt(pid_t pid, struct nl_err *err)
{
	struct child *p = vec_room(children, &capchildren, nchildren, sizeof(*p));

	if (!p)
		return nl_fail(err, ENOMEM, NULL);
	children = p;
	children[nchildren++] = (struct child){ .pid = pid };
	return 0;
}

int proc_known(pid_t pid)
{
	return child_at(pid) != NULL;
}

static void forget(pid_t pid)
{
	struct child *c = child_at(pid);

	if (c)
		*c = children[--nchildren];
}

/* Waits up to ms for c to end; 1 and its status kept when it has. */
static int reap(struct child *c, int ms)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };

	for (; ms >= 0 && !c->reaped; ms -= 10) {
		if (waitpid(c->pid, &c->status, WNOHANG) == c->pid)
			c->reaped = 1;
		else if (ms)
			nanosleep(&tick, NULL);
	}
	return c->reaped;
}

static int terminate(struct child *c)
{
	if (c->reaped)
		return 0;
	if (kill(c->pid, SIGTERM) < 0)
		return -errno;
	if (!reap(c, 1000)) {
		kill(c->pid, SIGKILL);
		reap(c, 1000);
	}
	return 0;
}

int proc_terminate(pid_t pid)
{
	struct child *c = child_at(pid);

	return c ? terminate(c) : -ESRCH;
}

int proc_signal(pid_t pid, int sig)
{
	struct child *c = child_at(pid);

	/* An ended process's pid may already be someone else's. */
	if (!c || c->reaped)
		return -ESRCH;
	return kill(pid, sig) < 0 ? -errno : 0;
}

int proc_wait(pid_t pid, double s, int *status, struct nl_err *err)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	struct child *c = child_at(pid);

	if (!c)
		return nl_fail(err, ESRCH, NULL);
	*status = c->status;
	while (!c->reaped) {
		pid_t r = waitpid(pid, status, s < 0 ? 0 : WNOHANG);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return nl_fail(err, errno, NULL);
		if (r == 0) {
			if (s <= 0)
				return 0;
			nanosleep(&tick, NULL);
			s -= 0.01;
		}
	}
	forget(pid);
	return 1;
}

void proc_kill_all(void)
{
	while (nchildren)
		terminate(&children[--nchildren]);
	free(children);
	children = NULL;
	capchildren = 0;
}

/*
 * The state letter and start time (clock ticks after boot) of a process, from
 * /proc/PID/stat; the command may hold spaces and parentheses, so the fields
 * are counted after its last ')'. Returns 0, or -1 when there is no such process.
 */
static int proc_stat(pid_t pid, char *state, unsigned long long *start)
{
	char path[64], buf[1024], *p;
	size_t n;
	int field;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %c", state) != 1)
		return -1;
	/* ") S ppid ..." : the state is field 3, the start time field 22. */
	for (field = 2; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p, " %llu", start) != 1)
		return -1;
	return 0;
}

int proc_start(pid_t pid, unsigned long long *start)
{
	char state;

	if (pid <= 0 || proc_stat(pid, &state, start) < 0 || state == 'Z' || state == 'X')
		return -ESRCH;
	return 0;
}

/* Whether the process that started at start is still there (not a zombie). */
static int still_running(pid_t pid, unsigned long long start)
{
	unsigned long long now;
	char state;

	waitpid(pid, NULL, WNOHANG); /* our own child: reaped, so it goes */
	return proc_stat(pid, &state, &now) == 0 && now == start && state != 'Z' && state != 'X';
}

static int gone_within(pid_t pid, unsigned long long start, int ms)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };

	for (; ms >= 0; ms -= 10) {
		if (!still_running(pid, start))
			return 1;
		nanosleep(&tick, NULL);
	}
	return 0;
}

int proc_end(pid_t pid, unsigned long long start)
{
	if (pid <= 0 || !still_running(pid, start))
		return 0;
	forget(pid);
	kill(pid, SIGTERM);
	if (!gone_within(pid, start, 1000)) {
		kill(pid, SIGKILL);
		gone_within(pid, start, 1000);
	}
	return 1;
}
