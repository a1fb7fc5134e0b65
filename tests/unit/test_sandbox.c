// SPDX-License-Identifier: MIT
/*
 * Why an ordinary user got no user namespace (core/sandbox.c
 * sandbox_userns_why): the settings read from a fake /proc/sys, as each
 * distribution leaves them, choose the one line.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "core/sandbox.h"

static char sys[] = "/tmp/netlab-test-sys-XXXXXX";

/* SYS/NAME holds text, or is gone (text NULL). */
static void set(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", sys, name);
	if (!text) {
		unlink(path);
		return;
	}
	f = fopen(path, "w");
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

static size_t longest;

/* The line for code, and whether a setting explained it. */
static int why(int code, char *buf, size_t len)
{
	int r = sandbox_userns_why(code, sys, buf, len);

	if (len > 40 && strlen(buf) > longest)
		longest = strlen(buf);
	return r;
}

static void choices(void)
{
	char buf[256], small[40];

	/* A kernel that allows them, and a refusal nothing here explains (a chroot, seccomp). */
	set("kernel/unprivileged_userns_clone", "1\n");
	set("user/max_user_namespaces", "96369\n");
	set("kernel/apparmor_restrict_unprivileged_userns", "0\n");
	CHECK(why(EPERM, buf, sizeof(buf)) == 0, "no setting explains EPERM: %s", buf);
	CHECK(strstr(buf, "cannot create a user namespace") && strstr(buf, "run netlab as root"),
	      "the general advice: %s", buf);

	set("kernel/unprivileged_userns_clone", "0\n");
	CHECK(why(EPERM, buf, sizeof(buf)) == 1 &&
	      !strncmp(buf, "kernel.unprivileged_userns_clone is 0: ", 39) &&
	      strstr(buf, "sudo sysctl -w kernel.unprivileged_userns_clone=1"),
	      "Debian's switch off: %s", buf);
	set("kernel/unprivileged_userns_clone", NULL);

	set("user/max_user_namespaces", "0\n");
	CHECK(why(ENOSPC, buf, sizeof(buf)) == 1 && !strncmp(buf, "user.max_user_namespaces is 0: ", 31) &&
	      strstr(buf, "sudo sysctl -w user.max_user_namespaces=10000"),
	      "no user namespaces at all: %s", buf);
	set("user/max_user_namespaces", "3\n");
	CHECK(why(ENOSPC, buf, sizeof(buf)) == 1 &&
	      !strncmp(buf, "user.max_user_namespaces is 3, and that many are in use", 55),
	      "the limit reached: %s", buf);
	CHECK(why(EPERM, buf, sizeof(buf)) == 0, "a limit above 0 does not explain EPERM: %s", buf);

	set("kernel/apparmor_restrict_unprivileged_userns", "1\n");
	CHECK(why(EPERM, buf, sizeof(buf)) == 1 &&
	      !strncmp(buf, "kernel.apparmor_restrict_unprivileged_userns is 1: ", 51) &&
	      strstr(buf, "userns,") && strstr(buf, "netlab(1)"),
	      "Ubuntu's AppArmor restriction: %s", buf);
	/* Where both hold, the switch that forbids outright comes first. */
	set("kernel/unprivileged_userns_clone", "0\n");
	CHECK(why(EPERM, buf, sizeof(buf)) == 1 && !strncmp(buf, "kernel.unprivileged_userns_clone", 32),
	      "the sysctl before AppArmor: %s", buf);

	CHECK(why(EPERM, small, sizeof(small)) == 1 && strlen(small) == sizeof(small) - 1,
	      "the line is cut to its buffer: %s", small);

	/* No /proc/sys at all (a kernel without user namespaces, a bare chroot). */
	set("kernel/unprivileged_userns_clone", NULL);
	set("kernel/apparmor_restrict_unprivileged_userns", NULL);
	set("user/max_user_namespaces", NULL);
	CHECK(why(EPERM, buf, sizeof(buf)) == 0, "nothing to read: the general advice: %s", buf);
	CHECK(why(ENOSPC, buf, sizeof(buf)) == 0 && !strstr(buf, "max_user_namespaces"),
	      "ENOSPC with no limit to read names none: %s", buf);
	CHECK(longest < sizeof(((struct nl_err *)0)->msg), "each line fits an error's message (%zu)",
	      longest);
}

int main(void)
{
	char dir[sizeof(sys) + 16];

	if (!mkdtemp(sys)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s/kernel", sys);
	mkdir(dir, 0700);
	snprintf(dir, sizeof(dir), "%s/user", sys);
	mkdir(dir, 0700);
	choices();
	snprintf(dir, sizeof(dir), "%s/kernel", sys);
	rmdir(dir);
	snprintf(dir, sizeof(dir), "%s/user", sys);
	rmdir(dir);
	rmdir(sys);
	return check_done();
}
