// SPDX-License-Identifier: MIT
/*
 * The files a lab keeps under /run/netlab, opened so that nobody else's
 * symlink or file can stand in for them.
 */
#ifndef NETLAB_LABFILE_H
#define NETLAB_LABFILE_H

/* Opens (creating it, mode 0755, when missing) a directory that must be ours:
 * a real directory, not a symlink, owned by our effective uid and writable by
 * nobody else. Returns a close-on-exec descriptor or -errno. */
int labfile_dir(const char *path);

/* Opens NAME in the directory DIRFD without following a symlink, close-on-exec,
 * mode 0600 when created. MODE: 'r' read, 'a' append (created), 'w' a new file
 * (an old one, or a symlink in its place, is unlinked first). Only regular
 * files are opened. Returns a descriptor or -errno. */
int labfile_open(int dirfd, const char *name, char mode);

/* Whether /run/netns/NAME is the empty placeholder `ip netns add` or
 * ns.add leaves when killed between creating it and bind-mounting the
 * namespace on it: removed if so. Returns 1 removed, 0 not a placeholder,
 * or -errno. */
int labfile_ns_placeholder(const char *name);

#endif
