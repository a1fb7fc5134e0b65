// SPDX-License-Identifier: MIT
/*
 * Namespaces of processes: a running process's network namespace given a
 * name (`ip netns attach`), the processes in a namespace (`ip netns pids`),
 * a signal to all of them, and the name of the one a process is in (`ip
 * netns identify`). Two namespaces are the same when their nsfs files have
 * the same st_dev and st_ino, which is how iproute2 compares them too.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/nsfs.h>

#include "change.h"
#include "ns.h"
#include "parse.h"
#include "trace.h"
#include "vec.h"

/*
 * /proc/PID/ns/net of pid, stat'ed; -errno with words when there is no such
 * process or it may not be read.
 */
static int proc_netns(pid_t pid, struct stat *st, struct nl_err *err)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%ld/ns/net", (long)pid);
	if (stat(path, st) == 0)
		return 0;
	if (errno == ENOENT || errno == ESRCH)
		return nl_fail(err, ESRCH, "no such process");
	return nl_fail(err, errno, "cannot read %s", path);
}

static int check_pid(pid_t pid, struct nl_err *err)
{
	if (pid <= 0)
		return nl_fail(err, EINVAL, "a process id is a positive number, got %ld", (long)pid);
	return 0;
}

int ns_attach(const char *name, pid_t pid, struct nl_err *err)
{
	char path[sizeof(NS_RUN_DIR) + NAME_MAX + 2], from[64], why[PARSE_WHY];
	int fd, nsfd, r;

	nl_obj(err, "namespace \"%s\" of process %ld", name, (long)pid);
	if (parse_nsname(name, why) < 0)
		return nl_fail(err, EINVAL, "%s", why);
	if (!strcmp(name, NS_ROOT))
		return nl_fail(err, EINVAL, "\"" NS_ROOT "\" names the namespace netlab started in");
	r = ns_check_runname(name, err);
	if (r == 0)
		r = check_pid(pid, err);
	if (r < 0)
		return r;
	/*
	 * Opened first and bound through /proc/self/fd: should the process end
	 * and its PID be reused between the check and the mount, the name still
	 * goes to the namespace that was checked.
	 */
	snprintf(from, sizeof(from), "/proc/%ld/ns/net", (long)pid);
	nsfd = open(from, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		return nl_fail(err, errno == ENOENT ? ESRCH : errno,
			       errno == ENOENT ? "no such process" : "cannot open %s", from);
	r = change_check(err);
	if (r == 0)
		r = ns_run_dir_prepare(err);
	if (r < 0) {
		close(nsfd);
		return r;
	}
	snprintf(path, sizeof(path), NS_RUN_DIR "/%s", name);
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0) {
		r = nl_fail(err, errno, NULL);
		close(nsfd);
		return r;
	}
	close(fd);
	snprintf(from, sizeof(from), "/proc/self/fd/%d", nsfd);
	if (mount(from, path, "none", MS_BIND, NULL) < 0) {
		r = nl_fail(err, errno, "cannot bind the namespace to %s", path);
		unlink(path);
	}
	close(nsfd);
	if (r == 0 && trace_on()) {
		char line[TRACE_LINE];

		if (trace_netns_attach(name, (long)pid, line, sizeof(line)) > 0)
			trace_emit(line);
	}
	return r;
}

static int by_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

int ns_pids(struct ns *ns, pid_t **pids, size_t *n, struct nl_err *err)
{
	pid_t *v = NULL, *p;
	size_t cap = 0;
	struct dirent *e;
	struct stat st;
	DIR *d;

	*pids = NULL;
	*n = 0;
	nl_obj(err, "processes of namespace \"%s\"", ns->name);
	d = opendir("/proc");
	if (!d)
		return nl_fail(err, errno, "cannot read /proc");
	while ((e = readdir(d))) {
		char *end;
		long pid;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		pid = strtol(e->d_name, &end, 10);
		/*
		 * Gone since the listing, or not ours to read (another
		 * user's, under hidepid): not in it as far as we can say.
		 */
		if (*end || proc_netns((pid_t)pid, &st, err) < 0)
			continue;
		if (st.st_dev != ns->dev || st.st_ino != ns->ino)
			continue;
		p = vec_room(v, &cap, *n, sizeof(*v));
		if (!p) {
			closedir(d);
			free(v);
			*n = 0;
			return nl_fail(err, ENOMEM, NULL);
		}
		v = p;
		v[(*n)++] = (pid_t)pid;
	}
	closedir(d);
	if (*n)
		qsort(v, *n, sizeof(*v), by_pid);
	err->code = 0;
	err->msg[0] = '\0';
	*pids = v;
	return 0;
}

int ns_kill(struct ns *ns, int sig, size_t *count, struct nl_err *err)
{
	pid_t *v, self = getpid();
	size_t n, i;
	int r;

	*count = 0;
	if (ns == ns_root())
		return nl_fail(err, EINVAL, "the processes of the namespace netlab started in are the machine's: "
			       "not signalled all at once");
	r = ns_pids(ns, &v, &n, err);
	if (r < 0)
		return r;
	nl_obj(err, "processes of namespace \"%s\"", ns->name);
	r = n ? change_check(err) : 0;
	for (i = 0; r == 0 && i < n; i++) {
		if (v[i] == self)
			continue;
		/* One that ended meanwhile is not an error: it is what was asked. */
		if (kill(v[i], sig) == 0)
			(*count)++;
		else if (errno != ESRCH)
			r = nl_fail(err, errno, "cannot signal process %ld", (long)v[i]);
	}
	free(v);
	if (r == 0 && n && trace_on()) {
		char line[TRACE_LINE];

		if (trace_netns_kill(ns->name, sig, line, sizeof(line)) > 0)
			trace_emit(line);
	}
	return r;
}

int ns_of(pid_t pid, struct ns **out, struct nl_err *err)
{
	char path[sizeof(NS_RUN_DIR) + NAME_MAX + 2], anon[sizeof(NS_PID_PREFIX) + 24];
	struct stat st, at;
	struct dirent *e;
	struct ns *root = ns_root();
	DIR *d;
	int r;

	nl_obj(err, "process %ld", (long)pid);
	r = check_pid(pid, err);
	if (r == 0)
		r = proc_netns(pid, &st, err);
	if (r < 0)
		return r;
	if (st.st_dev == root->dev && st.st_ino == root->ino) {
		*out = root;
		return 0;
	}
	d = opendir(NS_RUN_DIR);
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), NS_RUN_DIR "/%s", e->d_name);
		if (stat(path, &at) == 0 && at.st_dev == st.st_dev && at.st_ino == st.st_ino) {
			char name[NAME_MAX + 1];

			/* The entry is closedir's to free. */
			snprintf(name, sizeof(name), "%s", e->d_name);
			closedir(d);
			return ns_get(name, out, err);
		}
	}
	if (d)
		closedir(d);
	/*
	 * No name: the process's own, held from now on. A handle held for an
	 * earlier process of this PID is gone (and let go) on the first try;
	 * the second opens this one's.
	 */
	snprintf(anon, sizeof(anon), NS_PID_PREFIX "%ld", (long)pid);
	r = ns_get(anon, out, err);
	if (r == -ENOENT)
		r = ns_get(anon, out, err);
	return r;
}
