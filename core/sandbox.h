/* SPDX-License-Identifier: MIT */
#ifndef NETLAB_SANDBOX_H
#define NETLAB_SANDBOX_H

#include <stddef.h>

#include "nl.h"

/*
 * The throwaway world `--sandbox` runs in: a new network and mount namespace
 * with a private tmpfs on /run (so /run/netns is its own) and sysfs remounted.
 * Call sandbox_enter() before ns_init(), sandbox_uplink() after it.
 */
int sandbox_enter(struct nl_err *err);

/*
 * For a caller without privileges: a new user namespace in which it is root
 * (mapped to its own uid and gid), so that sandbox_enter() can follow and
 * what runs inside can read its throwaway network as root can.
 */
int sandbox_user(struct nl_err *err);

/*
 * Why the kernel refused an ordinary user a user namespace (code: EPERM,
 * ENOSPC), read from the settings under sys (/proc/sys, or a test's fake):
 * one line into buf naming the setting and what to do. Returns 1 when a
 * setting explains it, 0 when buf holds only the general advice.
 */
int sandbox_userns_why(int code, const char *sys, char *buf, size_t len);

/*
 * The simulated internet: namespace "internet" holding 203.0.113.1/24, joined
 * to the sandbox root by veth wan0 (203.0.113.254/24) <-> eth0, the root's
 * default route via 203.0.113.1, and no route back to private ranges, so only
 * NAT brings replies home.
 */
#define SANDBOX_INTERNET "internet"
#define SANDBOX_WAN "wan0"
#define SANDBOX_INTERNET_ADDR "203.0.113.1"

/*
 * With SANDBOX_LAN (--sandbox=lan) also a neighbour on a simulated LAN, as
 * tutorial 004's "another host" (172.17.0.3, with the host at 172.17.0.2/16):
 * namespace "lan" holding 172.17.0.3/16 on eth0, joined to the sandbox root
 * by veth lan0 (172.17.0.2/16), with no route beyond its own network, so a
 * lab's private addresses reach it only through NAT.
 */
#define SANDBOX_LAN 2
#define SANDBOX_LAN_NS "lan"
#define SANDBOX_LAN_DEV "lan0"
#define SANDBOX_LAN_ADDR "172.17.0.3"
#define SANDBOX_LAN_HOST "172.17.0.2"
int sandbox_uplink(int parts, struct nl_err *err);

/*
 * Whether this process is in a sandbox's network namespace, the one with the
 * simulated internet (1, or 1 | SANDBOX_LAN when it has the LAN too, else 0): true for `netlab --sandbox` and for every netlab run
 * inside it (a test's, a script's), false anywhere else, a namespace made
 * inside the sandbox included. sandbox_uplink() leaves the mark it reads.
 */
#define SANDBOX_MARK "/run/netlab-sandbox"
int sandbox_inside(void);

#endif
