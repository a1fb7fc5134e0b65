// SPDX-License-Identifier: MIT
/*
 * Network namespaces, made and removed exactly as iproute2 does so that
 * `ip netns` and netlab see the same ones, and the cache of handles that lets
 * netlab open one netlink socket per namespace and keep it.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "change.h"
#include "dir.h"
#include "ns.h"
#include "parse.h"
#include "trace.h"

/*
 * Each cached namespace costs up to three descriptors (nsfs, rtnetlink,
 * nfnetlink). 128 keeps a lab of any size well inside the usual 1024 limit
 * while every namespace a single operation needs (at most three) stays open.
 */
#define NS_CACHE_MAX 128
#define NS_HASH 256

static struct ns root = { .name = NS_ROOT, .fd = -1 };
static struct ns *hash[NS_HASH];
static struct ns *lru_head, *lru_tail;
static int cached;
static int run_dir_ready;

static unsigned int hash_name(const char *s)
{
	unsigned int h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h % NS_HASH;
}

static void lru_unlink(struct ns *n)
{
	if (n->prev)
		n->prev->next = n->next;
	else
		lru_head = n->next;
	if (n->next)
		n->next->prev = n->prev;
	else
		lru_tail = n->prev;
	n->prev = n->next = NULL;
}

static void lru_front(struct ns *n)
{
	n->next = lru_head;
	n->prev = NULL;
	if (lru_head)
		lru_head->prev = n;
	lru_head = n;
	if (!lru_tail)
		lru_tail = n;
}

static void handle_close(struct ns *n)
{
	nl_close(&n->rt);
	nl_close(&n->nf);
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
}

static void forget(struct ns *n)
{
	struct ns **p = &hash[hash_name(n->name)];

	while (*p && *p != n)
		p = &(*p)->hnext;
	if (*p)
		*p = n->hnext;
	lru_unlink(n);
	handle_close(n);
	free(n);
	cached--;
}

static struct ns *lookup(const char *name)
{
	struct ns *n;

	for (n = hash[hash_name(name)]; n; n = n->hnext)
		if (!strcmp(n->name, name))
			return n;
	return NULL;
}

static struct ns *remember(const char *name, int fd, const struct stat *st)
{
	struct ns *n = calloc(1, sizeof(*n));
	unsigned int h = hash_name(name);

	if (!n)
		return NULL;
	snprintf(n->name, sizeof(n->name), "%s", name);
	n->fd = fd;
	n->dev = st->st_dev;
	n->ino = st->st_ino;
	n->hnext = hash[h];
	hash[h] = n;
	lru_front(n);
	if (++cached > NS_CACHE_MAX) {
		struct ns *old = lru_tail;

		/* A process's namespace is held, not cached: see pid_get. */
		while (old && (old->pinned || old->pid))
			old = old->prev;
		if (old && old != n)
			forget(old);
	}
	return n;
}

void ns_pin(struct ns *ns)
{
	ns->pinned++;
}

void ns_unpin(struct ns *ns)
{
	ns->pinned--;
}

int ns_init(struct nl_err *err)
{
	struct stat st;

	root.fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (root.fd < 0)
		return nl_fail(err, errno, "cannot open /proc/self/ns/net");
	fstat(root.fd, &st);
	root.dev = st.st_dev;
	root.ino = st.st_ino;
	return 0;
}

/* Whether process n->pid is still in the namespace n holds (st: what it is in now). */
static int pid_holds(const struct ns *n, struct stat *st)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%ld/ns/net", (long)n->pid);
	if (stat(path, st) < 0)
		return 0;
	return st->st_dev == n->dev && st->st_ino == n->ino;
}

void ns_release(void)
{
	struct ns *n = lru_head;
	struct stat st;

	while (n) {
		struct ns *next = n->next;

		/* A process's namespace stays held while the process is in it. */
		if (!n->pinned && !(n->pid && pid_holds(n, &st)))
			forget(n);
		n = next;
	}
}

void ns_fini(void)
{
	ns_release();
	handle_close(&root);
}

struct ns *ns_root(void)
{
	return &root;
}

const char *ns_where(const struct ns *ns, char *buf, size_t len)
{
	if (ns == &root)
		buf[0] = '\0';
	else
		snprintf(buf, len, " in \"%s\"", ns->name);
	return buf;
}

static void ns_path(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, NS_RUN_DIR "/%s", name);
}

/*
 * Whether /run/netns/NAME still holds a namespace (st gets what it is).
 * Entries outlive what they stood for: a symlink to /proc/PID/ns/net after
 * the container PID stopped (tutorial 002's way to name Docker's
 * namespaces), or the plain file left when its bind mount went (a failed
 * add, an unmount). Those read as gone, in words, with ENOENT as for a name
 * that is not there at all.
 */
static int entry_check(const char *path, struct stat *st, struct nl_err *err)
{
	struct statfs fs;
	char target[PATH_MAX];
	ssize_t n;

	if (stat(path, st) < 0) {
		if (errno != ENOENT)
			return nl_fail(err, errno, NULL);
		n = readlink(path, target, sizeof(target) - 1);
		if (n < 0)
			return nl_fail(err, ENOENT, "no such namespace");
		target[n] = '\0';
		return nl_fail(err, ENOENT, "the namespace is gone: %s links to %s, which is no more",
			       path, target);
	}
	if (statfs(path, &fs) == 0 && fs.f_type != NSFS_MAGIC)
		return nl_fail(err, ENOENT, "the namespace is gone: %s is left over, bound to no namespace",
			       path);
	return 0;
}

pid_t ns_pid_name(const char *name)
{
	const char *p = name + sizeof(NS_PID_PREFIX) - 1;
	char *end;
	long v;

	if (!name || strncmp(name, NS_PID_PREFIX, sizeof(NS_PID_PREFIX) - 1) || !isdigit((unsigned char)*p))
		return 0;
	errno = 0;
	v = strtol(p, &end, 10);
	if (*end || errno || v <= 0 || v > INT_MAX)
		return 0;
	return (pid_t)v;
}

/*
 * "pid:PID": the namespace of a process, as `nsenter --target PID --net`.
 * The first use opens /proc/PID/ns/net and holds it; later uses check that
 * PID is still in that namespace. So a container that stopped reads as gone,
 * and a PID reused by another process never lends its namespace to a handle
 * made for the first. The root's own is the root.
 */
static int pid_get(const char *name, pid_t pid, struct ns **out, struct nl_err *err)
{
	char path[64];
	struct stat st;
	struct ns *n = lookup(name);
	int fd;

	nl_obj(err, "namespace of PID %ld", (long)pid);
	if (n) {
		if (pid_holds(n, &st)) {
			lru_unlink(n);
			lru_front(n);
			*out = n;
			return 0;
		}
		forget(n);
		return nl_fail(err, ENOENT, "gone: the process ended");
	}
	snprintf(path, sizeof(path), "/proc/%ld/ns/net", (long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ESRCH)
			return nl_fail(err, ENOENT, "gone: no such process");
		return nl_fail(err, errno, "cannot open %s", path);
	}
	fstat(fd, &st);
	if (st.st_dev == root.dev && st.st_ino == root.ino) {
		close(fd);
		*out = &root;
		return 0;
	}
	n = remember(name, fd, &st);
	if (!n) {
		close(fd);
		return nl_fail(err, ENOMEM, NULL);
	}
	n->pid = pid;
	*out = n;
	return 0;
}

/* ns_add, ns_attach, ns_del: "pid:PID" is no name in /run/netns. */
int ns_check_runname(const char *name, struct nl_err *err)
{
	if (ns_pid_name(name))
		return nl_fail(err, EINVAL, "\"" NS_PID_PREFIX "PID\" names the namespace of a process, "
			       "not one in " NS_RUN_DIR);
	return 0;
}

int ns_check(const char *name, struct nl_err *err)
{
	char path[sizeof(NS_RUN_DIR) + NAME_MAX + 2], why[PARSE_WHY];
	struct stat st;

	struct ns *n;

	if (!name || !strcmp(name, NS_ROOT))
		return 0;
	if (ns_pid_name(name))
		return pid_get(name, ns_pid_name(name), &n, err);
	nl_obj(err, "namespace \"%s\"", name);
	if (parse_nsname(name, why) < 0)
		return nl_fail(err, EINVAL, "%s", why);
	ns_path(name, path, sizeof(path));
	return entry_check(path, &st, err);
}

int ns_get(const char *name, struct ns **out, struct nl_err *err)
{
	char path[sizeof(NS_RUN_DIR) + NAME_MAX + 2], why[PARSE_WHY];
	struct stat st;
	struct ns *n;
	int fd, r;

	if (!name || !strcmp(name, NS_ROOT)) {
		*out = &root;
		return 0;
	}
	if (ns_pid_name(name))
		return pid_get(name, ns_pid_name(name), out, err);
	nl_obj(err, "namespace \"%s\"", name);
	if (parse_nsname(name, why) < 0)
		return nl_fail(err, EINVAL, "%s", why);
	ns_path(name, path, sizeof(path));
	n = lookup(name);
	/*
	 * A cached handle is only good while /run/netns/NAME is still the same
	 * namespace: someone may have run `ip netns del` and `add` meanwhile,
	 * and a stale descriptor would keep a ghost namespace alive.
	 */
	r = entry_check(path, &st, err);
	if (r < 0) {
		if (n)
			forget(n);
		return r;
	}
	if (n) {
		if (n->dev == st.st_dev && n->ino == st.st_ino) {
			lru_unlink(n);
			lru_front(n);
			*out = n;
			return 0;
		}
		forget(n);
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return nl_fail(err, errno, NULL);
	/* Another kind of namespace bound there (entry_check saw nsfs). */
	if (ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET) {
		close(fd);
		return nl_fail(err, ENOENT, "%s is not a network namespace", path);
	}
	fstat(fd, &st);
	n = remember(name, fd, &st);
	if (!n) {
		close(fd);
		return nl_fail(err, ENOMEM, NULL);
	}
	*out = n;
	return 0;
}

int ns_enter(struct ns *ns, struct nl_err *err)
{
	if (ns == &root)
		return 0;
	if (setns(ns->fd, CLONE_NEWNET) < 0)
		return nl_fail(err, errno, "cannot enter the namespace");
	return 0;
}

void ns_leave(void)
{
	/* Cannot fail for a namespace we held a descriptor to since start. */
	setns(root.fd, CLONE_NEWNET);
}

static int open_in(struct ns *ns, struct nl_sock *s, int bus, struct nl_err *err)
{
	int r;

	if (s->sk)
		return 0;
	r = ns_enter(ns, err);
	if (r < 0)
		return r;
	/* The socket is bound to the namespace it is created in, for good. */
	r = nl_open(s, bus, err);
	s->ns = ns->name;
	if (ns != &root)
		ns_leave();
	return r;
}

const char *ns_fd_name(int fd)
{
	struct ns *n;

	if (fd == root.fd)
		return root.name;
	for (n = lru_head; n; n = n->next)
		if (n->fd == fd)
			return n->name;
	return NULL;
}

int ns_rtnl(struct ns *ns, struct nl_sock **out, struct nl_err *err)
{
	*out = &ns->rt;
	return open_in(ns, &ns->rt, NETLINK_ROUTE, err);
}

int ns_nfnl(struct ns *ns, struct nl_sock **out, struct nl_err *err)
{
	*out = &ns->nf;
	return open_in(ns, &ns->nf, NETLINK_NETFILTER, err);
}

/*
 * /run/netns is made a shared mount point once, as iproute2 does, so that a
 * namespace unmounted in one mount namespace goes away in all of them and
 * the kernel can free it sooner. The flock keeps parallel runs from stacking
 * mounts on each other.
 */
int ns_run_dir_prepare(struct nl_err *err)
{
	int lock, made = 0, r = 0;

	if (run_dir_ready)
		return 0;
	if (mkdir(NS_RUN_DIR, 0755) < 0 && errno != EEXIST)
		return nl_fail(err, errno, "cannot create " NS_RUN_DIR);
	lock = open(NS_RUN_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lock >= 0)
		flock(lock, LOCK_EX);
	while (mount("", NS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL) < 0) {
		if (errno != EINVAL || made) {
			r = nl_fail(err, errno, "cannot make " NS_RUN_DIR " a shared mount");
			break;
		}
		if (mount(NS_RUN_DIR, NS_RUN_DIR, "none", MS_BIND | MS_REC, NULL) < 0) {
			r = nl_fail(err, errno, "cannot bind-mount " NS_RUN_DIR);
			break;
		}
		made = 1;
	}
	if (lock >= 0)
		close(lock);
	if (r == 0)
		run_dir_ready = 1;
	return r;
}

int ns_add(const char *name, struct ns **out, struct nl_err *err)
{
	char path[sizeof(NS_RUN_DIR) + NAME_MAX + 2], why[PARSE_WHY];
	struct stat st;
	struct ns *n;
	int fd, nsfd, r;

	nl_obj(err, "namespace \"%s\"", name);
	if (parse_nsname(name, why) < 0)
		return nl_fail(err, EINVAL, "%s", why);
	if (!strcmp(name, NS_ROOT))
		return nl_fail(err, EINVAL, "\"" NS_ROOT "\" names the namespace netlab started in");
	r = ns_check_runname(name, err);
	if (r == 0)
		r = change_check(err);
	if (r < 0)
		return r;
	r = ns_run_dir_prepare(err);
	if (r < 0)
		return r;
	ns_path(name, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0)
		return nl_fail(err, errno, NULL);
	close(fd);
	if (unshare(CLONE_NEWNET) < 0) {
		r = nl_fail(err, errno, "cannot create a network namespace");
		unlink(path);
		return r;
	}
	nsfd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (nsfd < 0 || mount("/proc/self/ns/net", path, "none", MS_BIND, NULL) < 0) {
		r = nl_fail(err, errno, "cannot bind the namespace to %s", path);
		if (nsfd >= 0)
			close(nsfd);
		ns_leave();
		unlink(path);
		return r;
	}
	fstat(nsfd, &st);
	n = lookup(name);
	if (n)
		forget(n);
	n = remember(name, nsfd, &st);
	if (!n) {
		ns_leave();
		close(nsfd);
		umount2(path, MNT_DETACH);
		unlink(path);
		return nl_fail(err, ENOMEM, NULL);
	}
	/*
	 * Almost every new namespace is configured next: open its socket while
	 * inside. Should that fail, ns_rtnl() tries again on first use.
	 */
	nl_open(&n->rt, NETLINK_ROUTE, err);
	n->rt.ns = n->name;
	ns_leave();
	if (trace_on()) {
		char line[TRACE_LINE];

		if (trace_netns(1, name, line, sizeof(line)) > 0)
			trace_emit(line);
	}
	if (out)
		*out = n;
	return 0;
}

int ns_del(const char *name, struct nl_err *err)
{
	char path[sizeof(NS_RUN_DIR) + NAME_MAX + 2], why[PARSE_WHY];
	struct ns *n;
	int r;

	nl_obj(err, "namespace \"%s\"", name);
	if (parse_nsname(name, why) < 0)
		return nl_fail(err, EINVAL, "%s", why);
	if (!strcmp(name, NS_ROOT))
		return nl_fail(err, EINVAL, "the namespace netlab started in cannot be deleted");
	r = ns_check_runname(name, err);
	if (r == 0)
		r = change_check(err);
	if (r < 0)
		return r;
	/* Our own descriptors would keep the namespace alive: drop them first. */
	n = lookup(name);
	if (n)
		forget(n);
	ns_path(name, path, sizeof(path));
	/*
	 * UMOUNT_NOFOLLOW: an entry that is a symbolic link (a container's
	 * /proc/PID/ns/net, or one pointing at any mount point) is unlinked,
	 * never followed to unmount what it points to.
	 */
	umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW);
	if (unlink(path) < 0)
		return nl_fail(err, errno, errno == ENOENT ? "no such namespace" : NULL);
	if (trace_on()) {
		char line[TRACE_LINE];

		if (trace_netns(0, name, line, sizeof(line)) > 0)
			trace_emit(line);
	}
	return 0;
}

int ns_list(int (*cb)(const char *name, void *data), void *data, struct nl_err *err)
{
	return dir_list(NS_RUN_DIR, cb, data, err);
}
