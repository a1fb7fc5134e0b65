/* SPDX-License-Identifier: MIT */
#ifndef NETLAB_ROUTE_H
#define NETLAB_ROUTE_H

#include <net/if.h>

#include "ns.h"
#include "parse.h"

struct route_spec {
	struct cidr dst;	/* plen 0: default */
	int has_via;
	struct cidr via;
	const char *dev;	/* NULL: the kernel finds it from via */
	int onlink;
	int has_metric;
	unsigned int metric;
	unsigned int table;	/* 0: main */
	int has_src;
	struct cidr src;
};

struct route_info {
	struct cidr dst;
	int has_via;
	struct cidr via;
	int oif;
	char dev[IFNAMSIZ];
	unsigned int metric;
	unsigned int table;
	int protocol, scope, type;
	int onlink;
	int has_src;
	struct cidr src;
};

typedef int (*route_cb)(const struct route_info *ri, void *data);

enum route_op { ROUTE_ADD, ROUTE_REPLACE, ROUTE_DEL };

/* The request for op on r, through link oif (0: none), in len bytes of buf; NULL (err) when it does not fit. */
struct nlmsghdr *route_msg(char *buf, size_t len, enum route_op op, const struct route_spec *r,
			   int oif, struct nl_err *err);
int route_parse(const struct nlmsghdr *nlh, struct route_info *ri);
/* "default via 10.0.0.1 dev eth0 metric 10", for messages and listings; cut to len, its length. */
int route_fmt(const struct route_spec *r, char *buf, size_t len);

int route_change(struct ns *ns, enum route_op op, const struct route_spec *r, struct nl_err *err);
/* Routes of one family (AF_UNSPEC: both) in table (0: main, RT_TABLE_UNSPEC+all: every table). */
#define ROUTE_TABLE_ALL 0xffffffffu
int route_list(struct ns *ns, int family, unsigned int table, route_cb cb, void *data,
	       struct nl_err *err);

/*
 * The kernel's own lookup, as `ip route get DST [from SRC] [iif DEV] [oif DEV]`:
 * with iif the packet is one arriving on that link (forwarding, rp_filter and
 * martian checks apply), without it one sent from the namespace itself.
 */
struct route_query {
	struct cidr dst;
	int has_src;
	struct cidr src;
	const char *iif;	/* NULL: a locally sent packet */
	const char *oif;	/* NULL: the kernel chooses */
};

/* RTM_GETROUTE for q, the links already resolved to indexes; NULL (err) when it does not fit. */
struct nlmsghdr *route_msg_get(char *buf, size_t len, const struct route_query *q, int iif,
			       int oif, struct nl_err *err);
/*
 * The route the kernel picks, in ri (dev named). A lookup the kernel refuses
 * (no route: ENETUNREACH, forwarding off: EHOSTUNREACH, rp_filter: EXDEV,
 * prohibit: EACCES, …) is -errno with *answered set: the kernel's answer, not
 * a failure to ask; an unknown namespace or link leaves *answered 0.
 */
int route_get(struct ns *ns, const struct route_query *q, struct route_info *ri, int *answered,
	      struct nl_err *err);

#endif
