// SPDX-License-Identifier: MIT
/* Addresses on links: add, delete and list, IPv4 and IPv6. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "addr.h"
#include "dump.h"
#include "link.h"

int addr_brd_plus(const struct cidr *local, struct cidr *brd)
{
	uint32_t host;

	if (local->family != AF_INET || local->plen > 30)
		return 0;
	*brd = *local;
	host = local->plen == 0 ? 0xffffffffu : (1u << (32 - local->plen)) - 1;
	brd->a.v4.s_addr |= htonl(host);
	brd->plen = 32;
	return 1;
}

struct nlmsghdr *addr_msg(char *buf, size_t len, int type, int ifindex, const struct addr_spec *a,
			  struct nl_err *err)
{
	uint16_t flags = NLM_F_REQUEST;
	size_t alen = a->local.family == AF_INET ? 4 : 16;
	struct ifaddrmsg *ifa;
	struct nl_msg m;
	struct cidr brd;

	if (type == RTM_NEWADDR)
		flags |= NLM_F_CREATE | NLM_F_EXCL;
	nl_msg_start(&m, buf, len, (uint16_t)type, flags, err);
	ifa = nl_put_extra(&m, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)a->local.family;
	ifa->ifa_prefixlen = (uint8_t)a->local.plen;
	ifa->ifa_index = (uint32_t)ifindex;
	/* As ip(8): host scope for loopback addresses, global otherwise. */
	ifa->ifa_scope = (a->local.family == AF_INET && a->local.a.b[0] == 127) ||
				 (a->local.family == AF_INET6 &&
				  IN6_IS_ADDR_LOOPBACK(&a->local.a.v6)) ?
			 RT_SCOPE_HOST : RT_SCOPE_UNIVERSE;
	nl_put(&m, IFA_LOCAL, alen, a->local.a.b);
	nl_put(&m, IFA_ADDRESS, alen, a->local.a.b);
	if (type == RTM_NEWADDR && a->local.family == AF_INET) {
		if (a->brd == ADDR_BRD_PLUS && addr_brd_plus(&a->local, &brd))
			nl_put(&m, IFA_BROADCAST, 4, brd.a.b);
		else if (a->brd == ADDR_BRD_GIVEN)
			nl_put(&m, IFA_BROADCAST, 4, a->broadcast.a.b);
	}
	return nl_msg_done(&m);
}

static const enum mnl_attr_data_type addr_types[IFA_MAX + 1] = {
	[IFA_ADDRESS] = MNL_TYPE_BINARY,
	[IFA_LOCAL] = MNL_TYPE_BINARY,
	[IFA_BROADCAST] = MNL_TYPE_BINARY,
	[IFA_FLAGS] = MNL_TYPE_U32,
};
static const struct nl_attrs addr_attrs = NL_ATTRS(addr_types);

int addr_parse_msg(const struct nlmsghdr *nlh, struct addr_info *ai)
{
	const struct nlattr *tb[IFA_MAX + 1];
	const struct ifaddrmsg *ifa = nl_msg_index(nlh, RTM_NEWADDR, sizeof(*ifa), &addr_attrs, tb);

	if (!ifa)
		return -EBADMSG;
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return -EAFNOSUPPORT;
	memset(ai, 0, sizeof(*ai));
	ai->ifindex = (int)ifa->ifa_index;
	ai->scope = ifa->ifa_scope;
	ai->flags = tb[IFA_FLAGS] ? mnl_attr_get_u32(tb[IFA_FLAGS]) : ifa->ifa_flags;
	/* IFA_LOCAL is the address itself; IFA_ADDRESS is the peer on point-to-point links. */
	if (!nl_attr_cidr(tb[IFA_LOCAL], ifa->ifa_family, &ai->local) &&
	    !nl_attr_cidr(tb[IFA_ADDRESS], ifa->ifa_family, &ai->local))
		return -EBADMSG;
	ai->local.plen = ifa->ifa_prefixlen;
	ai->has_brd = nl_attr_cidr(tb[IFA_BROADCAST], ifa->ifa_family, &ai->broadcast);
	ai->broadcast.plen = 32;
	return 0;
}

void addr_obj(struct nl_err *err, const struct cidr *c, const char *dev, struct ns *ns)
{
	char a[INET6_ADDRSTRLEN + 8], w[NS_WHERE_LEN];

	cidr_fmt(c, a, sizeof(a));
	nl_obj(err, "%s on \"%s\"%s", a, dev, ns_where(ns, w, sizeof(w)));
}

static int addr_change(struct ns *ns, const char *dev, int type, const struct addr_spec *a,
		       struct nl_err *err)
{
	char buf[NL_REQSZ];
	struct nlmsghdr *nlh;
	struct nl_sock *s;
	int index, r;

	r = ns_rtnl(ns, &s, err);
	if (r < 0)
		return r;
	r = link_index(ns, dev, &index, err);
	if (r < 0)
		return r;
	addr_obj(err, &a->local, dev, ns);
	nlh = addr_msg(buf, sizeof(buf), type, index, a, err);
	if (!nlh)
		return -err->code;
	r = nl_talk(s, nlh, NULL, NULL, err);
	if (r == -EADDRNOTAVAIL && type == RTM_DELADDR && !err->msg[0])
		nl_fail(err, EADDRNOTAVAIL, "no such address on the link");
	return r;
}

int addr_add(struct ns *ns, const char *dev, const struct addr_spec *a, struct nl_err *err)
{
	return addr_change(ns, dev, RTM_NEWADDR, a, err);
}

int addr_del(struct ns *ns, const char *dev, const struct cidr *local, struct nl_err *err)
{
	struct addr_spec a = { .local = *local };

	return addr_change(ns, dev, RTM_DELADDR, &a, err);
}

static int keep(const struct nlmsghdr *nlh, void *rec, void *arg)
{
	(void)arg;
	return addr_parse_msg(nlh, rec) == 0;
}

int addr_list(struct ns *ns, const char *dev, int family, addr_cb cb, void *data,
	      struct nl_err *err)
{
	char buf[NL_REQSZ];
	struct dump d = { .size = sizeof(struct addr_info), .keep = keep,
			  .ifindex_at = offsetof(struct addr_info, ifindex),
			  .dev_at = offsetof(struct addr_info, dev) };
	const struct addr_info *v;
	struct ifaddrmsg *ifa;
	struct nl_msg m;
	size_t i;
	int r;

	nl_obj(err, "addresses in \"%s\"", ns->name);
	nl_msg_start(&m, buf, sizeof(buf), RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, err);
	ifa = nl_put_extra(&m, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)family;
	if (!nl_msg_done(&m))
		return -err->code;
	r = dump_read(ns, dev, m.nlh, &d, err);
	v = d.v;
	for (i = 0; r == 0 && i < d.n; i++)
		r = cb(&v[i], data);
	free(d.v);
	return r < 0 ? r : 0;
}
