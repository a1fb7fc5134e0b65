/* SPDX-License-Identifier: MIT */
#ifndef NETLAB_NEIGH_H
#define NETLAB_NEIGH_H

#include <net/if.h>

#include "ns.h"
#include "parse.h"

/* A neighbour entry to add or delete, as `ip neigh add ADDR lladdr MAC dev DEV nud permanent`. */
struct neigh_spec {
	struct cidr addr; /* a host address, IPv4 or IPv6 */
	unsigned char mac[6];
};

struct neigh_info {
	int ifindex;
	char dev[IFNAMSIZ];
	struct cidr addr;
	unsigned char mac[32]; /* link-layer address, maclen bytes (0: none yet) */
	size_t maclen;
	unsigned int state; /* NUD_* */
};

typedef int (*neigh_cb)(const struct neigh_info *ni, void *data);

/*
 * RTM_NEWNEIGH (a permanent entry; replaces one that is there, as `ip neigh
 * replace`) or RTM_DELNEIGH for s on link ifindex, in len bytes of buf;
 * NULL (err: EMSGSIZE) when it does not fit. Pure, as the link builders.
 */
struct nlmsghdr *neigh_msg(char *buf, size_t len, int type, int ifindex,
			   const struct neigh_spec *s, struct nl_err *err);
/* An RTM_NEWNEIGH (or RTM_DELNEIGH) message: 0, -EBADMSG, -EAFNOSUPPORT (not IPv4 or IPv6). */
int neigh_parse_msg(const struct nlmsghdr *nlh, struct neigh_info *ni);
/* The NUD state as ip-neighbour(8) words it: "REACHABLE", "STALE", "PERMANENT" … */
const char *neigh_state_name(unsigned int state);

int neigh_add(struct ns *ns, const char *dev, const struct neigh_spec *s, struct nl_err *err);
int neigh_del(struct ns *ns, const char *dev, const struct cidr *addr, struct nl_err *err);
/* Entries of ns (of one device when dev is non-NULL), IPv4 and IPv6. */
int neigh_list(struct ns *ns, const char *dev, neigh_cb cb, void *data, struct nl_err *err);

#endif
