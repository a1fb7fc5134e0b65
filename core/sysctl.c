// SPDX-License-Identifier: MIT
/*
 * Per-namespace sysctls. The kernel picks the namespace of /proc/sys/net
 * entries when the file is opened, by the opener's network namespace, so
 * netlab opens the file from inside and does the I/O after returning home.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "change.h"
#include "ns.h"
#include "trace.h"

static int sysctl_path(const char *key, char *path, size_t len, struct nl_err *err)
{
	const char *p;
	size_t n = strlen(key);
	int slashes = strchr(key, '/') != NULL;

	if (strncmp(key, slashes ? "net/" : "net.", 4) || n < 5)
		return nl_fail(err, EINVAL, "only keys under net. are per namespace");
	if (strstr(key, "..") || strstr(key, "//") || key[n - 1] == '/' || key[n - 1] == '.')
		return nl_fail(err, EINVAL, "malformed key");
	if (n + sizeof("/proc/sys/") > len)
		return nl_fail(err, ENAMETOOLONG, NULL);
	/* As sysctl(8): dots separate levels unless the key is written with slashes. */
	n = (size_t)snprintf(path, len, "/proc/sys/%s", key);
	if (!slashes)
		for (p = path + sizeof("/proc/sys/") - 1; *p; p++)
			if (*p == '.')
				path[p - path] = '/';
	return 0;
}

static int open_in(struct ns *ns, const char *key, int flags, struct nl_err *err)
{
	char path[512];
	int fd, e, r;

	nl_obj(err, "sysctl %s in \"%s\"", key, ns->name);
	r = sysctl_path(key, path, sizeof(path), err);
	if (r < 0)
		return r;
	r = ns_enter(ns, err);
	if (r < 0)
		return r;
	fd = open(path, flags | O_CLOEXEC);
	e = errno;
	if (ns != ns_root())
		ns_leave();
	if (fd < 0)
		return nl_fail(err, e, e == ENOENT ? "no such sysctl" : NULL);
	return fd;
}

int ns_sysctl_set(struct ns *ns, const char *key, const char *value, struct nl_err *err)
{
	char buf[256];
	int fd, n, r = 0;

	if (strlen(value) + 2 > sizeof(buf) || strchr(value, '\n')) {
		nl_obj(err, "sysctl %s in \"%s\"", key, ns->name);
		return nl_fail(err, EINVAL, "value must be one short line");
	}
	r = change_check(err);
	if (r < 0) {
		nl_obj(err, "sysctl %s in \"%s\"", key, ns->name);
		return r;
	}
	fd = open_in(ns, key, O_WRONLY, err);
	if (fd < 0)
		return fd;
	n = snprintf(buf, sizeof(buf), "%s\n", value);
	if (write(fd, buf, (size_t)n) != n)
		r = nl_fail(err, errno, NULL);
	close(fd);
	if (r == 0 && trace_on()) {
		char line[TRACE_LINE];

		if (trace_sysctl(ns->name, key, value, line, sizeof(line)) > 0)
			trace_emit(line);
	}
	return r;
}

int ns_sysctl_get(struct ns *ns, const char *key, char *value, size_t len, struct nl_err *err)
{
	ssize_t n;
	int fd = open_in(ns, key, O_RDONLY, err);

	if (fd < 0)
		return fd;
	n = read(fd, value, len - 1);
	if (n < 0) {
		int e = errno;

		close(fd);
		return nl_fail(err, e, NULL);
	}
	close(fd);
	while (n > 0 && (value[n - 1] == '\n' || value[n - 1] == ' '))
		n--;
	value[n] = '\0';
	return 0;
}
