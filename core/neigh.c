// SPDX-License-Identifier: MIT
/*
 * Neighbours (the ARP and NDP tables of a namespace): list, add a permanent
 * entry, delete one, as `ip neigh`. The tables are the kernel's, shared by
 * every namespace (see probe_neigh.c); a dump in a namespace shows that
 * namespace's entries only.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "dump.h"
#include "link.h"
#include "neigh.h"

struct nlmsghdr *neigh_msg(char *buf, size_t len, int type, int ifindex,
			   const struct neigh_spec *s, struct nl_err *err)
{
	uint16_t flags = NLM_F_REQUEST;
	struct ndmsg *nd;
	struct nl_msg m;

	/* As `ip neigh replace`: a static entry wins over one the kernel learnt. */
	if (type == RTM_NEWNEIGH)
		flags |= NLM_F_CREATE | NLM_F_REPLACE;
	nl_msg_start(&m, buf, len, (uint16_t)type, flags, err);
	nd = nl_put_extra(&m, sizeof(*nd));
	nd->ndm_family = (uint8_t)s->addr.family;
	nd->ndm_ifindex = ifindex;
	nd->ndm_state = NUD_PERMANENT;
	nl_put(&m, NDA_DST, s->addr.family == AF_INET ? 4 : 16, s->addr.a.b);
	if (type == RTM_NEWNEIGH)
		nl_put(&m, NDA_LLADDR, 6, s->mac);
	return nl_msg_done(&m);
}

static const enum mnl_attr_data_type neigh_types[NDA_MAX + 1] = {
	[NDA_DST] = MNL_TYPE_BINARY,
	[NDA_LLADDR] = MNL_TYPE_BINARY,
};
static const struct nl_attrs neigh_attrs = NL_ATTRS(neigh_types);

int neigh_parse_msg(const struct nlmsghdr *nlh, struct neigh_info *ni)
{
	const struct nlattr *tb[NDA_MAX + 1];
	/* An entry, or one going: a dump's, or a request as the trace reads it. */
	const struct ndmsg *nd = nl_msg_index(nlh, nlh->nlmsg_type == RTM_DELNEIGH ? RTM_DELNEIGH
						 : RTM_NEWNEIGH, sizeof(*nd), &neigh_attrs, tb);
	size_t n;

	if (!nd)
		return -EBADMSG;
	if (nd->ndm_family != AF_INET && nd->ndm_family != AF_INET6)
		return -EAFNOSUPPORT;
	memset(ni, 0, sizeof(*ni));
	ni->ifindex = nd->ndm_ifindex;
	ni->state = nd->ndm_state;
	if (!nl_attr_cidr(tb[NDA_DST], nd->ndm_family, &ni->addr))
		return -EBADMSG;
	if (tb[NDA_LLADDR]) {
		n = mnl_attr_get_payload_len(tb[NDA_LLADDR]);
		ni->maclen = n < sizeof(ni->mac) ? n : sizeof(ni->mac);
		memcpy(ni->mac, mnl_attr_get_payload(tb[NDA_LLADDR]), ni->maclen);
	}
	return 0;
}

const char *neigh_state_name(unsigned int state)
{
	/* ip-neighbour(8)'s words, most telling first when several bits are set. */
	static const struct {
		unsigned int bit;
		const char *name;
	} names[] = {
		{ NUD_PERMANENT, "PERMANENT" }, { NUD_NOARP, "NOARP" },
		{ NUD_REACHABLE, "REACHABLE" }, { NUD_STALE, "STALE" },
		{ NUD_DELAY, "DELAY" },		{ NUD_PROBE, "PROBE" },
		{ NUD_INCOMPLETE, "INCOMPLETE" }, { NUD_FAILED, "FAILED" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (state & names[i].bit)
			return names[i].name;
	return "NONE";
}

static int neigh_change(struct ns *ns, const char *dev, int type, const struct neigh_spec *s,
			struct nl_err *err)
{
	char buf[NL_REQSZ], a[INET6_ADDRSTRLEN + 8], w[NS_WHERE_LEN];
	struct nlmsghdr *nlh;
	struct nl_sock *sk;
	int index, r;

	r = ns_rtnl(ns, &sk, err);
	if (r < 0)
		return r;
	r = link_index(ns, dev, &index, err);
	if (r < 0)
		return r;
	inet_ntop(s->addr.family, s->addr.a.b, a, sizeof(a));
	nl_obj(err, "neighbour %s on \"%s\"%s", a, dev, ns_where(ns, w, sizeof(w)));
	nlh = neigh_msg(buf, sizeof(buf), type, index, s, err);
	if (!nlh)
		return -err->code;
	r = nl_talk(sk, nlh, NULL, NULL, err);
	if (r == -ENOENT && type == RTM_DELNEIGH && !err->msg[0])
		nl_fail(err, ENOENT, "no such neighbour on the link");
	return r;
}

int neigh_add(struct ns *ns, const char *dev, const struct neigh_spec *s, struct nl_err *err)
{
	return neigh_change(ns, dev, RTM_NEWNEIGH, s, err);
}

int neigh_del(struct ns *ns, const char *dev, const struct cidr *addr, struct nl_err *err)
{
	struct neigh_spec s = { .addr = *addr };

	return neigh_change(ns, dev, RTM_DELNEIGH, &s, err);
}

/* As `ip neigh show`: NOARP entries (loopback, multicast) are the kernel's, not the table's. */
static int keep(const struct nlmsghdr *nlh, void *rec, void *arg)
{
	struct neigh_info *ni = rec;

	(void)arg;
	return neigh_parse_msg(nlh, ni) == 0 && !(ni->state & NUD_NOARP);
}

int neigh_list(struct ns *ns, const char *dev, neigh_cb cb, void *data, struct nl_err *err)
{
	char buf[NL_REQSZ];
	struct dump d = { .size = sizeof(struct neigh_info), .keep = keep,
			  .ifindex_at = offsetof(struct neigh_info, ifindex),
			  .dev_at = offsetof(struct neigh_info, dev) };
	const struct neigh_info *v;
	struct ndmsg *nd;
	struct nl_msg m;
	size_t i;
	int r;

	nl_obj(err, "neighbours in \"%s\"", ns->name);
	nl_msg_start(&m, buf, sizeof(buf), RTM_GETNEIGH, NLM_F_REQUEST | NLM_F_DUMP, err);
	nd = nl_put_extra(&m, sizeof(*nd));
	nd->ndm_family = AF_UNSPEC;
	if (!nl_msg_done(&m))
		return -err->code;
	r = dump_read(ns, dev, m.nlh, &d, err);
	v = d.v;
	for (i = 0; r == 0 && i < d.n; i++)
		r = cb(&v[i], data);
	free(d.v);
	return r < 0 ? r : 0;
}
