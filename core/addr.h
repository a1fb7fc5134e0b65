/* SPDX-License-Identifier: MIT */
#ifndef NETLAB_ADDR_H
#define NETLAB_ADDR_H

#include <net/if.h>

#include "ns.h"
#include "parse.h"

/* Broadcast choices for an IPv4 address, as `ip addr add … brd`. */
enum addr_brd {
	ADDR_BRD_NONE, /* what `ip addr add` does without brd */
	ADDR_BRD_PLUS, /* `brd +`: host bits set */
	ADDR_BRD_GIVEN,
};

struct addr_spec {
	struct cidr local;
	enum addr_brd brd;
	struct cidr broadcast; /* with ADDR_BRD_GIVEN */
};

struct addr_info {
	int ifindex;
	char dev[IFNAMSIZ];
	struct cidr local;
	int has_brd;
	struct cidr broadcast;
	int scope; /* RT_SCOPE_* */
	unsigned int flags; /* IFA_F_* */
};

typedef int (*addr_cb)(const struct addr_info *ai, void *data);

/*
 * RTM_NEWADDR or RTM_DELADDR for a on link ifindex, in len bytes of buf;
 * NULL (err: EMSGSIZE) when it does not fit. Pure, as the link builders.
 */
struct nlmsghdr *addr_msg(char *buf, size_t len, int type, int ifindex, const struct addr_spec *a,
			  struct nl_err *err);
int addr_parse_msg(const struct nlmsghdr *nlh, struct addr_info *ai);
/* The broadcast `brd +` computes, for prefixes up to /30 (none for /31 and /32). */
int addr_brd_plus(const struct cidr *local, struct cidr *brd);

/* Names an address in errors: `10.0.0.2/16 on "eth0" in "h1"`. */
void addr_obj(struct nl_err *err, const struct cidr *c, const char *dev, struct ns *ns);

int addr_add(struct ns *ns, const char *dev, const struct addr_spec *a, struct nl_err *err);
int addr_del(struct ns *ns, const char *dev, const struct cidr *local, struct nl_err *err);
/* Addresses of ns (of one device when dev is non-NULL; family AF_UNSPEC for both). */
int addr_list(struct ns *ns, const char *dev, int family, addr_cb cb, void *data,
	      struct nl_err *err);

#endif
