// SPDX-License-Identifier: MIT
/*
 * The processes scripts started (ns.spawn): a registry of this netlab's
 * children, which alone may be signalled, and the ending of a process a lab
 * recorded by its pid and start time. Returns -errno; never prints.
 */
#ifndef NETLAB_PROC_H
#define NETLAB_PROC_H

#include <sys/types.h>

#include "core/nl.h"

/* Lists pid as a process a script started. 0, or -ENOMEM. */
int proc_adopt(pid_t pid, struct nl_err *err);
/* Whether pid is listed (started, and not yet waited for). */
int proc_known(pid_t pid);
/* Sends sig to a listed process still running. 0, or -errno (-ESRCH once it ended). */
int proc_signal(pid_t pid, int sig);
/* Ends a listed process: SIGTERM, then SIGKILL after a second, and reaps it. 0 or -errno. */
int proc_terminate(pid_t pid);
/*
 * Waits for a listed process to end, for up to seconds (forever when
 * negative). 1 with its wait status in *status (and it is no longer listed),
 * 0 while it still runs, or -errno.
 */
int proc_wait(pid_t pid, double seconds, int *status, struct nl_err *err);
/* Ends every listed process (a sandboxed run's exit) and empties the list. */
void proc_kill_all(void);

/* The start time (clock ticks after boot) of a live process: 0, or -ESRCH (gone, or a zombie). */
int proc_start(pid_t pid, unsigned long long *start);
/*
 * Ends the process pid that started at start, which need not be our child;
 * a pid used again by another process is left alone. SIGTERM, then SIGKILL
 * after a second. 1 when it was running, else 0.
 */
int proc_end(pid_t pid, unsigned long long start);

#endif
