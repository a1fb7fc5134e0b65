/* SPDX-License-Identifier: MIT */
#ifndef NETLAB_NS_H
#define NETLAB_NS_H

#include <limits.h>
#include <sys/types.h>

#include "nl.h"

#define NS_RUN_DIR "/run/netns"
/* The namespace netlab started in; scripts call it "root". */
#define NS_ROOT "root"

/*
 * A namespace netlab works in: its nsfs file descriptor and the netlink
 * sockets opened inside it once, which stay bound there after netlab returns
 * home. Handles are cached by name and closed least-recently-used first, so a
 * lab of thousands of namespaces needs a bounded number of descriptors.
 */
struct ns {
	char name[NAME_MAX + 1];
	int fd;
	dev_t dev;
	ino_t ino;
	struct nl_sock rt; /* rtnetlink, .sk NULL until first use */
	struct nl_sock nf; /* nfnetlink, likewise */
	int pinned;	   /* >0: not to be evicted from the cache */
	pid_t pid;	   /* >0: "pid:PID", a process's namespace that has no name */
	struct ns *hnext;  /* hash chain */
	struct ns *prev, *next; /* LRU, most recent first */
};

/* Call once, in the namespace that is to be "root" (after any sandbox is entered). */
int ns_init(struct nl_err *err);
void ns_fini(void);
/*
 * Closes every cached handle but the root's. A handle (its descriptor and its
 * sockets) keeps its namespace alive after `ip netns del`: a long-lived
 * netlab (the REPL) lets go of them between commands.
 */
void ns_release(void);

struct ns *ns_root(void);
/* The name of the cached namespace whose nsfs descriptor is fd (the trace's), or NULL. */
const char *ns_fd_name(int fd);
/*
 * The one way an object's namespace is named in errors: ` in "purple"`, or
 * nothing for the root namespace. Writes buf (NS_WHERE_LEN holds any name)
 * and returns it.
 */
#define NS_WHERE_LEN (NAME_MAX + 8)
const char *ns_where(const struct ns *ns, char *buf, size_t len);
/*
 * "root" (or NULL) is the root; "pid:PID" the namespace process PID is in,
 * as `nsenter --target PID --net` (ns_pid_name); otherwise /run/netns/NAME.
 * -ENOENT when there is none, or no longer: a "pid:PID" handle holds the
 * namespace it first opened and is gone once PID is no longer in it.
 */
int ns_get(const char *name, struct ns **out, struct nl_err *err);
/* The process of a "pid:PID" name, or 0 when name is not of that form. */
pid_t ns_pid_name(const char *name);
#define NS_PID_PREFIX "pid:"
/* -EINVAL when name is of the "pid:PID" form, which no entry of /run/netns may take. */
int ns_check_runname(const char *name, struct nl_err *err);
/*
 * 0 when NAME is the root or /run/netns/NAME holds a namespace; -ENOENT with
 * the reason when it does not, or no longer does (a stale entry). Opens nothing.
 */
int ns_check(const char *name, struct nl_err *err);
/* As `ip netns add`: a new namespace bound at /run/netns/NAME. */
int ns_add(const char *name, struct ns **out, struct nl_err *err);
/* As `ip netns del`. Devices inside go with it, in one batch in the kernel. */
int ns_del(const char *name, struct nl_err *err);
/* Names under /run/netns, sorted; cb may stop the walk by returning <0. */
int ns_list(int (*cb)(const char *name, void *data), void *data, struct nl_err *err);

/* /run/netns made a shared mount point, once, as iproute2 does (for ns_add and ns_attach). */
int ns_run_dir_prepare(struct nl_err *err);

/*
 * Namespaces of processes (ns_pid.c), as `ip netns attach`, `ip netns pids`
 * and `ip netns identify`.
 *
 * ns_attach: the network namespace of process pid bound at /run/netns/NAME
 * (the bind mount keeps it, as ip's, after the process ends).
 */
int ns_attach(const char *name, pid_t pid, struct nl_err *err);
/* The processes in ns, in a malloc'd array (*pids, *n), ascending. */
int ns_pids(struct ns *ns, pid_t **pids, size_t *n, struct nl_err *err);
/* Sends sig to every process in ns but this one; *count gets how many got it. Not the root. */
int ns_kill(struct ns *ns, int sig, size_t *count, struct nl_err *err);
/*
 * The namespace process pid is in: the root, the one an entry of /run/netns
 * names, or else the anonymous "pid:PID" (as `nsenter --target PID --net`).
 */
int ns_of(pid_t pid, struct ns **out, struct nl_err *err);

/* Keeps a handle cached while other namespaces are opened (a walk over all of them). */
void ns_pin(struct ns *ns);
void ns_unpin(struct ns *ns);

/* The sockets, opened inside the namespace on first use. */
int ns_rtnl(struct ns *ns, struct nl_sock **out, struct nl_err *err);
int ns_nfnl(struct ns *ns, struct nl_sock **out, struct nl_err *err);

/* Switch this process into ns, and back to the root; used around /proc/sys and sockets. */
int ns_enter(struct ns *ns, struct nl_err *err);
void ns_leave(void);

/* The id the namespace `of` has for namespace `peer` (-1: none assigned), as in IFLA_LINK_NETNSID. */
int ns_peer_id(struct ns *of, struct ns *peer, int *id, struct nl_err *err);
/* The NETNSA_NSID of an RTM_NEWNSID answer into *id (left as is when absent); pure. */
int ns_parse_nsid(const struct nlmsghdr *nlh, int *id);

/*
 * Namespace ids are per namespace and only mean something to the one that
 * assigned them, so mapping one back to a name means asking `from` for the
 * id of each namespace netlab can name. The map is filled on lookups: the
 * first walk stops at the id wanted (a namespace's peers are most often in
 * one other, the root), a later miss walks the rest once. So a listing of
 * N namespaces each with a veth to the root asks about O(N) namespaces, not
 * O(N^2), and the root's own listing walks the others twice at most.
 */
struct ns_idmap {
	struct ns *from;
	int want;     /* >= 0: the walk stops at this id */
	int walks;    /* walks made so far */
	int complete; /* every namespace is in the map */
	size_t n, cap;
	struct ns_idmap_entry {
		int id;
		char name[NAME_MAX + 1];
	} *v;
};
#define NS_IDMAP_INIT(from_) { .from = (from_), .want = -1 }
/* The name of the namespace with this id as seen from m->from, "" when none is known. */
void ns_idmap_name(struct ns_idmap *m, int id, char *out, size_t len);
void ns_idmap_free(struct ns_idmap *m);

/* Per-namespace sysctl under /proc/sys/net, written from inside the namespace. */
int ns_sysctl_set(struct ns *ns, const char *key, const char *value, struct nl_err *err);
int ns_sysctl_get(struct ns *ns, const char *key, char *value, size_t len, struct nl_err *err);

/*
 * Runs argv inside the namespace as `ip netns exec` does. With out non-NULL
 * the child's standard output is collected into a malloc'd buffer (*out,
 * *outlen); *status gets the wait status. With wait 0 the child is left
 * running and *pid returned instead (status and out unused).
 */
struct ns_exec {
	char *const *argv;
	int wait;
	int capture;
	int quiet; /* standard error, and output not captured, to /dev/null */
	const char *log; /* or, when set, both appended to this file */
	/* results */
	int status;
	pid_t pid;
	char *out;
	size_t outlen;
};
int ns_exec(struct ns *ns, struct ns_exec *x, struct nl_err *err);

#endif
