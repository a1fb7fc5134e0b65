// SPDX-License-Identifier: MIT
/* The lock file that keeps two netlabs from changing one lab at once. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/lock.h"

int lock_take(const char *path, pid_t *holder, struct nl_err *err)
{
	char buf[32];

	for (;;) {
		struct stat a, b;
		/* Never through a symlink: a planted one would have us truncate its target. */
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		ssize_t n;

		if (fd < 0)
			return nl_fail(err, errno, "cannot open %s", path);
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			n = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			*holder = n > 0 ? (buf[n] = '\0', (pid_t)atoi(buf)) : 0;
			return -EWOULDBLOCK;
		}
		/* Whoever held it may have removed the file meanwhile: lock the file that is there. */
		if (fstat(fd, &a) == 0 && lstat(path, &b) == 0 && a.st_ino == b.st_ino) {
			n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
			if (ftruncate(fd, 0) < 0 || write(fd, buf, (size_t)n) != n)
				(void)0; /* the pid is only informative */
			return fd;
		}
		close(fd);
	}
}
