// SPDX-License-Identifier: MIT
/* --sandbox: a private network and /run for one netlab process, gone when it exits. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <linux/rtnetlink.h>

#include "addr.h"
#include "link.h"
#include "ns.h"
#include "route.h"
#include "sandbox.h"

/* Whether / is the root of a mount; before Linux 5.8 statx cannot say, and EINVAL can only mean no. */
static int root_is_mount(void)
{
#ifdef STATX_ATTR_MOUNT_ROOT
	struct statx stx;

	if (statx(AT_FDCWD, "/", AT_NO_AUTOMOUNT, STATX_BASIC_STATS, &stx) == 0 &&
	    (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
		return !!(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
#endif
	return 0;
}

int sandbox_enter(struct nl_err *err)
{
	nl_obj(err, "sandbox");
	if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0)
		return nl_fail(err, errno, "cannot create the sandbox's namespaces");
	/*
	 * Nothing mounted from here on may reach the host's mount table. The
	 * kernel changes the propagation only of a mount's root, so this fails
	 * with EINVAL when / is a plain directory of a bigger mount, as in a
	 * chroot: mounting on / first would itself propagate to the host.
	 */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		if (errno == EINVAL && !root_is_mount())
			return nl_fail(err, errno, "/ is not a mount point (a chroot?), and the "
				       "kernel keeps only a mount point's mounts from the host; "
				       "enter the chroot with unshare -m sh -c "
				       "'mount --rbind DIR DIR && exec chroot DIR'");
		return nl_fail(err, errno, "cannot make the sandbox's mounts private");
	}
	/* /run itself, not /run/netns: a mkdir before this mount would land on the host. */
	if (mount("netlab-sandbox", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
		return nl_fail(err, errno, "cannot mount a private /run");
	if (mkdir("/run/netns", 0755) < 0)
		return nl_fail(err, errno, "cannot create /run/netns in the sandbox");
	/*
	 * So that /sys/class/net shows the sandbox's devices to programs run
	 * inside. In a user namespace the host's /sys is locked to its mount
	 * namespace (EINVAL): the new sysfs goes over it instead.
	 */
	if (umount2("/sys", MNT_DETACH) == 0 || errno == EINVAL)
		mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	return 0;
}

static int write_proc(const char *path, const char *text, struct nl_err *err)
{
	size_t len = strlen(text);
	int fd = open(path, O_WRONLY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return nl_fail(err, errno, "cannot open %s", path);
	if (write(fd, text, len) != (ssize_t)len)
		r = nl_fail(err, errno, "cannot write %s", path);
	close(fd);
	return r;
}

/* The number in SYS/NAME (a /proc/sys file), or -1 when there is none. */
static long sys_read(const char *sys, const char *name)
{
	char path[PATH_MAX];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", sys, name);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

int sandbox_userns_why(int code, const char *sys, char *buf, size_t len)
{
	long max = sys_read(sys, "user/max_user_namespaces");

	/* Debian's and older Ubuntu's switch, then the kernel's own. */
	if (sys_read(sys, "kernel/unprivileged_userns_clone") == 0) {
		snprintf(buf, len, "kernel.unprivileged_userns_clone is 0: ordinary users may not "
			 "create user namespaces; allow them with `sudo sysctl -w "
			 "kernel.unprivileged_userns_clone=1`, or run netlab as root");
		return 1;
	}
	if (max == 0) {
		snprintf(buf, len, "user.max_user_namespaces is 0: no one may create user namespaces; "
			 "allow them with `sudo sysctl -w user.max_user_namespaces=10000`, or run "
			 "netlab as root");
		return 1;
	}
	/* Ubuntu 23.10 on: the namespace is made, but what it needs is denied. */
	if (code == EPERM && sys_read(sys, "kernel/apparmor_restrict_unprivileged_userns") == 1) {
		snprintf(buf, len, "kernel.apparmor_restrict_unprivileged_userns is 1: AppArmor lets "
			 "only programs with a profile saying `userns,` create user namespaces; add "
			 "one for netlab (netlab(1), WITHOUT ROOT) or run netlab as root");
		return 1;
	}
	if ((code == ENOSPC || code == EUSERS) && max > 0) {
		snprintf(buf, len, "user.max_user_namespaces is %ld, and that many are in use; raise it "
			 "with `sudo sysctl -w user.max_user_namespaces=N`, or run netlab as root", max);
		return 1;
	}
	snprintf(buf, len, "cannot create a user namespace (in a chroot, or in a container whose "
		 "seccomp filter forbids it, the kernel refuses); run netlab as root");
	return 0;
}

/* Whether a setting may explain the refusal: then the line that names it. */
static int userns_fail(struct nl_err *err, int code)
{
	char why[sizeof(err->msg)];

	if (code != EPERM && code != ENOSPC && code != EUSERS)
		return -code;
	sandbox_userns_why(code, "/proc/sys", why, sizeof(why));
	return nl_fail(err, code, "%s", why);
}

int sandbox_user(struct nl_err *err)
{
	char map[64];
	unsigned int uid = (unsigned int)geteuid(), gid = (unsigned int)getegid();
	int r;

	nl_obj(err, "sandbox");
	if (unshare(CLONE_NEWUSER) < 0) {
		nl_fail(err, errno, "cannot create a user namespace");
		return userns_fail(err, err->code);
	}
	snprintf(map, sizeof(map), "0 %u 1\n", uid);
	r = write_proc("/proc/self/uid_map", map, err);
	/* The kernel takes a gid map from an unprivileged writer only after this. */
	if (r == 0)
		r = write_proc("/proc/self/setgroups", "deny", err);
	snprintf(map, sizeof(map), "0 %u 1\n", gid);
	if (r == 0)
		r = write_proc("/proc/self/gid_map", map, err);
	/* Where AppArmor restricts user namespaces, the first map is what it refuses. */
	return r < 0 ? userns_fail(err, err->code) : 0;
}

/*
 * The mark sandbox_inside() reads: the identity of the network namespace
 * that has the simulated internet, in a file on the sandbox's own /run. A
 * process sees it only in the sandbox's mount namespace (the host's /run is
 * not that tmpfs), and it names only the sandbox's network namespace.
 */
static int mark_write(int parts, struct nl_err *err)
{
	char text[96];
	struct stat st;
	int fd, k, r = 0;

	if (stat("/proc/self/ns/net", &st) < 0)
		return nl_fail(err, errno, "cannot read /proc/self/ns/net");
	/* Then what the sandbox has besides the internet: SANDBOX_LAN. */
	k = snprintf(text, sizeof(text), "%llu %llu %d\n", (unsigned long long)st.st_dev,
		     (unsigned long long)st.st_ino, parts);
	fd = open(SANDBOX_MARK, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return nl_fail(err, errno, "cannot create %s", SANDBOX_MARK);
	errno = EIO; /* what a short write leaves unsaid */
	if (k < 0 || (size_t)k >= sizeof(text) || write(fd, text, (size_t)k) != k)
		r = nl_fail(err, errno, "cannot write %s", SANDBOX_MARK);
	close(fd);
	return r;
}

static int parse(const char *s, struct cidr *c)
{
	char why[PARSE_WHY];

	return parse_cidr(s, 1, c, why);
}

/*
 * The LAN neighbour: namespace "lan" with 172.17.0.3/16 on eth0, veth lan0
 * (172.17.0.2/16) in the root. Its only route is its own network's: no
 * default, nothing back to private ranges, as a host on the LAN knows
 * nothing of the namespaces behind the machine.
 */
static int lan_add(struct nl_err *err)
{
	struct link_spec veth = { .kind = "veth", .stp = -1, .vlan_filtering = -1, .mcast_snooping = -1 };
	struct link_change up = LINK_CHANGE_INIT;
	struct addr_spec a = { 0 };
	struct ns *lan;
	int r;

	up.up = 1;
	r = ns_add(SANDBOX_LAN_NS, &lan, err);
	if (r < 0)
		return r;
	r = link_set(lan, "lo", &up, err);
	if (r < 0)
		return r;
	veth.dev = (struct link_end){ .name = SANDBOX_LAN_DEV, .ns = ns_root(), .up = 1 };
	veth.peer = (struct link_end){ .name = "eth0", .ns = lan, .up = 1 };
	r = link_add(&veth, err);
	if (r < 0)
		return r;
	parse(SANDBOX_LAN_HOST "/16", &a.local);
	r = addr_add(ns_root(), SANDBOX_LAN_DEV, &a, err);
	if (r < 0)
		return r;
	parse(SANDBOX_LAN_ADDR "/16", &a.local);
	return addr_add(lan, "eth0", &a, err);
}

int sandbox_uplink(int parts, struct nl_err *err)
{
	struct link_spec wan = { .kind = "veth", .stp = -1, .vlan_filtering = -1, .mcast_snooping = -1 };
	struct link_change up = LINK_CHANGE_INIT;
	struct addr_spec a = { 0 };
	struct route_spec def = { 0 };
	struct ns *inet;
	int r;

	up.up = 1;
	/* A host's loopback is up; a new namespace's is not. */
	r = link_set(ns_root(), "lo", &up, err);
	if (r < 0)
		return r;
	r = ns_add(SANDBOX_INTERNET, &inet, err);
	if (r < 0)
		return r;
	r = link_set(inet, "lo", &up, err);
	if (r < 0)
		return r;
	wan.dev = (struct link_end){ .name = SANDBOX_WAN, .ns = ns_root(), .up = 1 };
	wan.peer = (struct link_end){ .name = "eth0", .ns = inet, .up = 1 };
	r = link_add(&wan, err);
	if (r < 0)
		return r;
	parse("203.0.113.254/24", &a.local);
	r = addr_add(ns_root(), SANDBOX_WAN, &a, err);
	if (r < 0)
		return r;
	parse(SANDBOX_INTERNET_ADDR "/24", &a.local);
	r = addr_add(inet, "eth0", &a, err);
	if (r < 0)
		return r;
	def.dst.family = AF_INET;
	def.has_via = 1;
	parse(SANDBOX_INTERNET_ADDR "/32", &def.via);
	r = route_change(ns_root(), ROUTE_ADD, &def, err);
	if (r < 0)
		return r;
	if (parts & SANDBOX_LAN) {
		r = lan_add(err);
		if (r < 0)
			return r;
	}
	return mark_write(parts, err);
}

int sandbox_inside(void)
{
	unsigned long long dev, ino;
	struct stat st;
	FILE *f = fopen(SANDBOX_MARK, "re");
	int n, parts = 0;

	if (!f)
		return 0;
	n = fscanf(f, "%llu %llu %d", &dev, &ino, &parts);
	fclose(f);
	if (n < 2 || stat("/proc/self/ns/net", &st) < 0 || (unsigned long long)st.st_dev != dev ||
	    (unsigned long long)st.st_ino != ino)
		return 0;
	return 1 | (parts & SANDBOX_LAN);
}
