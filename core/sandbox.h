/* SPDX-License-Identifier: MIT */
#ifndef NETLAB_SANDBOX_H
#define NETLAB_SANDBOX_H

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
 * The simulated internet: namespace "internet" holding 203.0.113.1/24, joined
 * to the sandbox root by veth wan0 (203.0.113.254/24) <-> eth0, the root's
 * default route via 203.0.113.1, and no route back to private ranges, so only
 * NAT brings replies home.
 */
#define SANDBOX_INTERNET "internet"
#define SANDBOX_WAN "wan0"
int sandbox_uplink(struct nl_err *err);

/*
 * Whether this process is in a sandbox's network namespace, the one with the
 * simulated internet: true for `netlab --sandbox` and for every netlab run
 * inside it (a test's, a script's), false anywhere else, a namespace made
 * inside the sandbox included. sandbox_uplink() leaves the mark it reads.
 */
#define SANDBOX_MARK "/run/netlab-sandbox"
int sandbox_inside(void);

#endif
