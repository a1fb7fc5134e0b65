// SPDX-License-Identifier: MIT
/*
 * Running a user's command inside a namespace, the way `ip netns exec` does.
 * This is for the user's own programs (ping, a server, `ip` to compare);
 * netlab never configures anything through it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vec.h"
#include "change.h"
#include "ns.h"

/* /etc/netns/NAME/FILE is bound over /etc/FILE, so resolv.conf and hosts can differ per namespace. */
static void bind_etc(const char *name)
{
	char dir[sizeof("/etc/netns/") + NAME_MAX + 1], src[PATH_MAX], dst[PATH_MAX];
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "/etc/netns/%s", name);
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(src, sizeof(src), "%s/%s", dir, e->d_name);
		snprintf(dst, sizeof(dst), "/etc/%s", e->d_name);
		mount(src, dst, "none", MS_BIND, NULL);
	}
	closedir(d);
}

/*
 * Marks every descriptor above stderr close-on-exec. netlab's own C opens
 * are O_CLOEXEC, but the process also holds files Lua opened (io.open has no
 * way to ask for O_CLOEXEC; the lab engine's journal was one), and none of
 * them is the command's business. Marking rather than closing keeps what the
 * child still needs until the exec (the namespace's descriptor, the exec
 * error pipe, the log). Without close_range (before Linux 5.11), a walk of
 * /proc/self/fd does the same.
 */
static void cloexec_all(void)
{
	struct dirent *e;
	DIR *d;

	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return;
	d = opendir("/proc/self/fd");
	if (!d)
		return;
	while ((e = readdir(d))) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);

		if (*end || end == e->d_name || fd <= 2 || fd == dirfd(d))
			continue;
		fcntl((int)fd, F_SETFD, fcntl((int)fd, F_GETFD) | FD_CLOEXEC);
	}
	closedir(d);
}

/* In the child: the namespace, a private view of /sys for it, then the program. */
static void child(struct ns *ns, struct ns_exec *x, int out_fd, int err_pipe)
{
	int e;

	cloexec_all();
	if (out_fd >= 0 && dup2(out_fd, STDOUT_FILENO) < 0)
		goto fail;
	if (x->quiet || x->log) {
		int null = x->log ? open(x->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600) :
				    open("/dev/null", O_WRONLY | O_CLOEXEC);

		if (null < 0 && x->log)
			goto fail;
		if (null >= 0) {
			if (out_fd < 0)
				dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
	}
	if (ns != ns_root()) {
		if (setns(ns->fd, CLONE_NEWNET) < 0)
			goto fail;
		/*
		 * /sys/class/net shows the namespace of whoever mounted sysfs:
		 * remount it in a mount namespace of the child's own, slave to
		 * the host's so nothing propagates back.
		 */
		if (unshare(CLONE_NEWNS) == 0 &&
		    mount("", "/", "none", MS_SLAVE | MS_REC, NULL) == 0) {
			umount2("/sys", MNT_DETACH);
			mount(ns->name, "/sys", "sysfs", 0, NULL);
			bind_etc(ns->name);
		}
	}
	execvp(x->argv[0], x->argv);
fail:
	e = errno;
	if (write(err_pipe, &e, sizeof(e)) < 0)
		_exit(126);
	_exit(127);
}

static int collect(int fd, struct ns_exec *x)
{
	size_t cap = 4096;
	char *buf = malloc(cap);

	x->outlen = 0;
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;
		char *p = vec_room(buf, &cap, x->outlen + 1, 1);

		if (!p) {
			free(buf);
			return -ENOMEM;
		}
		buf = p;
		n = read(fd, buf + x->outlen, cap - 1 - x->outlen);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		x->outlen += (size_t)n;
	}
	buf[x->outlen] = '\0';
	x->out = buf;
	return 0;
}

int ns_exec(struct ns *ns, struct ns_exec *x, struct nl_err *err)
{
	int errp[2], outp[2] = { -1, -1 }, e = 0, r = 0;
	ssize_t n;
	pid_t pid;

	nl_obj(err, "\"%s\" in \"%s\"", x->argv[0], ns->name);
	x->out = NULL;
	x->outlen = 0;
	if (change_readonly())
		return nl_fail(err, EROFS, "a dry run runs no command");
	/* The exec error pipe closes on a successful exec, telling the parent it ran. */
	if (pipe2(errp, O_CLOEXEC) < 0)
		return nl_fail(err, errno, NULL);
	if (x->capture && pipe2(outp, O_CLOEXEC) < 0) {
		r = nl_fail(err, errno, NULL);
		goto out;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		r = nl_fail(err, errno, "cannot fork");
		goto out;
	}
	if (pid == 0)
		child(ns, x, outp[1], errp[1]);
	close(errp[1]);
	errp[1] = -1;
	if (outp[1] >= 0) {
		close(outp[1]);
		outp[1] = -1;
	}
	if (x->capture && collect(outp[0], x) < 0)
		r = nl_fail(err, ENOMEM, NULL);
	do
		n = read(errp[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	if (n == sizeof(e) || !x->wait) {
		if (n == sizeof(e)) {
			while (waitpid(pid, &x->status, 0) < 0 && errno == EINTR)
				;
			free(x->out);
			x->out = NULL;
			r = nl_fail(err, e, "cannot run it");
		}
		x->pid = pid;
		goto out;
	}
	while (waitpid(pid, &x->status, 0) < 0)
		if (errno != EINTR) {
			r = nl_fail(err, errno, NULL);
			break;
		}
out:
	close(errp[0]);
	if (errp[1] >= 0)
		close(errp[1]);
	if (outp[0] >= 0)
		close(outp[0]);
	if (outp[1] >= 0)
		close(outp[1]);
	return r;
}
