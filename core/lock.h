// SPDX-License-Identifier: MIT
/* An exclusive lock on a file, held as long as its descriptor is open. */
#ifndef NETLAB_LOCK_H
#define NETLAB_LOCK_H

#include <sys/types.h>

#include "core/nl.h"

/*
 * Takes the lock on path (created, mode 0600, never through a symlink) and
 * writes our pid in it. Returns the close-on-exec descriptor that holds it;
 * -EWOULDBLOCK with the holder's pid in *holder (0 if unknown) when another
 * process holds it; or -errno with err filled.
 */
int lock_take(const char *path, pid_t *holder, struct nl_err *err);

#endif
