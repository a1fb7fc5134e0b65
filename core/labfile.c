// SPDX-License-Identifier: MIT
/*
 * Lab files. /run/netlab holds what `netlab down` deletes and restores, so a
 * file there must be the one netlab wrote: every name is opened relative to
 * a directory checked to be ours (openat), never through a symlink
 * (O_NOFOLLOW), and never inherited by a child (O_CLOEXEC).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "labfile.h"
#include "ns.h"

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

int labfile_dir(const char *path)
{
	struct stat st;
	int fd;

	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return -errno;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	/* Anyone else who can write here could swap a file under us. */
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

int labfile_open(int dirfd, const char *name, char mode)
{
	int flags = O_NOFOLLOW | O_CLOEXEC, fd;
	struct stat st;

	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return -EINVAL;
	switch (mode) {
	case 'r':
		flags |= O_RDONLY;
		break;
	case 'a':
		flags |= O_WRONLY | O_APPEND | O_CREAT;
		break;
	case 'w':
		/* A new inode: whatever was there (a symlink too) is only unlinked. */
		if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
			return -errno;
		flags |= O_WRONLY | O_CREAT | O_EXCL;
		break;
	default:
		return -EINVAL;
	}
	fd = openat(dirfd, name, flags | O_NONBLOCK, 0600);
	if (fd < 0)
		return -errno;
	/* Not a FIFO or a device that would block or talk back. */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		int r = fstat(fd, &st) < 0 ? -errno : -EINVAL;

		close(fd);
		return r;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

int labfile_ns_placeholder(const char *name)
{
	char path[PATH_MAX];
	struct statfs sf;
	struct stat st;

	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return -EINVAL;
	snprintf(path, sizeof(path), NS_RUN_DIR "/%s", name);
	if (lstat(path, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_size != 0)
		return 0;
	/* A bind-mounted namespace reads as nsfs; the bare file as its directory's fs. */
	if (statfs(path, &sf) < 0)
		return -errno;
	if ((unsigned long)sf.f_type == (unsigned long)NSFS_MAGIC)
		return 0;
	if (unlink(path) < 0)
		return -errno;
	return 1;
}
