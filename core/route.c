// SPDX-License-Identifier: MIT
/* Routes: add, replace, delete and list, IPv4 and IPv6, in any table. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "dump.h"
#include "link.h"
#include "route.h"
#include "text.h"

int route_fmt(const struct route_spec *r, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN + 8];
	size_t n = 0;

	if (r->dst.plen == 0) {
		text_append(buf, len, &n, "default");
	} else {
		cidr_fmt(&r->dst, a, sizeof(a));
		text_append(buf, len, &n, "%s", a);
	}
	if (r->has_via) {
		inet_ntop(r->via.family, r->via.a.b, a, sizeof(a));
		text_append(buf, len, &n, " via %s", a);
	}
	if (r->dev)
		text_append(buf, len, &n, " dev %s", r->dev);
	if (r->has_metric)
		text_append(buf, len, &n, " metric %u", r->metric);
	if (r->table)
		text_append(buf, len, &n, " table %u", r->table);
	return (int)n;
}

struct nlmsghdr *route_msg(char *buf, size_t len, enum route_op op, const struct route_spec *r,
			   int oif, struct nl_err *err)
{
	size_t alen = r->dst.family == AF_INET ? 4 : 16;
	unsigned int table = r->table ? r->table : RT_TABLE_MAIN;
	uint16_t flags = NLM_F_REQUEST;
	struct rtmsg *rtm;
	struct nl_msg m;

	if (op == ROUTE_ADD)
		flags |= NLM_F_CREATE | NLM_F_EXCL;
	else if (op == ROUTE_REPLACE)
		flags |= NLM_F_CREATE | NLM_F_REPLACE;
	nl_msg_start(&m, buf, len, op == ROUTE_DEL ? RTM_DELROUTE : RTM_NEWROUTE, flags, err);
	rtm = nl_put_extra(&m, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)r->dst.family;
	rtm->rtm_dst_len = (uint8_t)r->dst.plen;
	rtm->rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	if (op == ROUTE_DEL) {
		/* As `ip route del`: match whatever scope, protocol and type it has. */
		rtm->rtm_scope = RT_SCOPE_NOWHERE;
	} else {
		rtm->rtm_protocol = RTPROT_BOOT;
		rtm->rtm_type = RTN_UNICAST;
		/* A route with no gateway is on the link itself, as ip(8) decides. */
		rtm->rtm_scope = r->has_via ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	}
	if (r->onlink)
		rtm->rtm_flags |= RTNH_F_ONLINK;
	if (r->dst.plen)
		nl_put(&m, RTA_DST, alen, r->dst.a.b);
	if (r->has_via)
		nl_put(&m, RTA_GATEWAY, alen, r->via.a.b);
	if (oif)
		nl_put_u32(&m, RTA_OIF, (uint32_t)oif);
	if (r->has_metric)
		nl_put_u32(&m, RTA_PRIORITY, r->metric);
	if (r->has_src)
		nl_put(&m, RTA_PREFSRC, alen, r->src.a.b);
	if (table >= 256)
		nl_put_u32(&m, RTA_TABLE, table);
	return nl_msg_done(&m);
}

static const enum mnl_attr_data_type route_types[RTA_MAX + 1] = {
	[RTA_DST] = MNL_TYPE_BINARY,
	[RTA_GATEWAY] = MNL_TYPE_BINARY,
	[RTA_PREFSRC] = MNL_TYPE_BINARY,
	[RTA_OIF] = MNL_TYPE_U32,
	[RTA_PRIORITY] = MNL_TYPE_U32,
	[RTA_TABLE] = MNL_TYPE_U32,
	[RTA_IIF] = MNL_TYPE_U32,
};
static const struct nl_attrs route_attrs = NL_ATTRS(route_types);

int route_parse(const struct nlmsghdr *nlh, struct route_info *ri)
{
	const struct nlattr *tb[RTA_MAX + 1];
	const struct rtmsg *rtm = nl_msg_index(nlh, RTM_NEWROUTE, sizeof(*rtm), &route_attrs, tb);

	if (!rtm)
		return -EBADMSG;
	if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6)
		return -EAFNOSUPPORT;
	memset(ri, 0, sizeof(*ri));
	ri->dst.family = rtm->rtm_family;
	nl_attr_cidr(tb[RTA_DST], rtm->rtm_family, &ri->dst);
	ri->dst.plen = rtm->rtm_dst_len;
	ri->has_via = nl_attr_cidr(tb[RTA_GATEWAY], rtm->rtm_family, &ri->via);
	ri->has_src = nl_attr_cidr(tb[RTA_PREFSRC], rtm->rtm_family, &ri->src);
	ri->oif = tb[RTA_OIF] ? (int)mnl_attr_get_u32(tb[RTA_OIF]) : 0;
	ri->metric = tb[RTA_PRIORITY] ? mnl_attr_get_u32(tb[RTA_PRIORITY]) : 0;
	ri->table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	ri->protocol = rtm->rtm_protocol;
	ri->scope = rtm->rtm_scope;
	ri->type = rtm->rtm_type;
	ri->onlink = !!(rtm->rtm_flags & RTNH_F_ONLINK);
	if (rtm->rtm_flags & RTM_F_CLONED)
		return -EAGAIN; /* a cache entry, not a route anyone added */
	return 0;
}

static void obj_route(struct nl_err *err, const struct route_spec *r, struct ns *ns)
{
	char b[160], w[NS_WHERE_LEN];

	route_fmt(r, b, sizeof(b));
	nl_obj(err, "%s%s", b, ns_where(ns, w, sizeof(w)));
}

int route_change(struct ns *ns, enum route_op op, const struct route_spec *r, struct nl_err *err)
{
	char buf[NL_REQSZ];
	struct nlmsghdr *nlh;
	struct nl_sock *s;
	int oif = 0, rc;

	obj_route(err, r, ns);
	rc = ns_rtnl(ns, &s, err);
	if (rc < 0)
		return rc;
	if (r->dev) {
		rc = link_index(ns, r->dev, &oif, err);
		if (rc < 0) {
			if (rc == -ENODEV)
				nl_fail(err, ENODEV, "no link \"%s\"", r->dev);
			obj_route(err, r, ns);
			return rc;
		}
	}
	obj_route(err, r, ns);
	nlh = route_msg(buf, sizeof(buf), op, r, oif, err);
	if (!nlh)
		return -err->code;
	rc = nl_talk(s, nlh, NULL, NULL, err);
	if (rc == -ESRCH && op == ROUTE_DEL && !err->msg[0])
		nl_fail(err, ESRCH, "no such route");
	return rc;
}

/* arg: the table listed, or ROUTE_TABLE_ALL. */
static int keep(const struct nlmsghdr *nlh, void *rec, void *arg)
{
	struct route_info *ri = rec;
	unsigned int table = *(unsigned int *)arg;

	return route_parse(nlh, ri) == 0 && (table == ROUTE_TABLE_ALL || ri->table == table);
}

int route_list(struct ns *ns, int family, unsigned int table, route_cb cb, void *data,
	       struct nl_err *err)
{
	char buf[NL_REQSZ];
	unsigned int t = table ? table : RT_TABLE_MAIN;
	struct dump d = { .size = sizeof(struct route_info), .keep = keep, .arg = &t,
			  .ifindex_at = offsetof(struct route_info, oif),
			  .dev_at = offsetof(struct route_info, dev) };
	const struct route_info *v;
	struct rtmsg *rtm;
	struct nl_msg m;
	size_t i;
	int r;

	nl_obj(err, "routes in \"%s\"", ns->name);
	nl_msg_start(&m, buf, sizeof(buf), RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, err);
	rtm = nl_put_extra(&m, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)family;
	if (!nl_msg_done(&m))
		return -err->code;
	r = dump_read(ns, NULL, m.nlh, &d, err);
	v = d.v;
	for (i = 0; r == 0 && i < d.n; i++)
		r = cb(&v[i], data);
	free(d.v);
	return r < 0 ? r : 0;
}

struct nlmsghdr *route_msg_get(char *buf, size_t len, const struct route_query *q, int iif,
			       int oif, struct nl_err *err)
{
	size_t alen = q->dst.family == AF_INET ? 4 : 16;
	struct rtmsg *rtm;
	struct nl_msg m;

	nl_msg_start(&m, buf, len, RTM_GETROUTE, NLM_F_REQUEST, err);
	rtm = nl_put_extra(&m, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)q->dst.family;
	/* One address, not a prefix: the lookup is for a packet. */
	rtm->rtm_dst_len = (uint8_t)(alen * 8);
	nl_put(&m, RTA_DST, alen, q->dst.a.b);
	if (q->has_src) {
		rtm->rtm_src_len = (uint8_t)(alen * 8);
		nl_put(&m, RTA_SRC, alen, q->src.a.b);
	}
	if (iif)
		nl_put_u32(&m, RTA_IIF, (uint32_t)iif);
	if (oif)
		nl_put_u32(&m, RTA_OIF, (uint32_t)oif);
	return nl_msg_done(&m);
}

struct got {
	struct route_info *ri;
	int n;
};

static int got_cb(const struct nlmsghdr *nlh, void *data)
{
	struct got *g = data;
	int r = route_parse(nlh, g->ri);

	/* The answer is a cache entry (RTM_F_CLONED) by nature: what route_parse
	 * refuses from a dump is what is asked for here. */
	if (r == 0 || r == -EAGAIN)
		g->n++;
	return 0;
}

static void obj_get(struct nl_err *err, const struct route_query *q, struct ns *ns)
{
	char a[INET6_ADDRSTRLEN], b[160], w[NS_WHERE_LEN];
	size_t n = 0;

	inet_ntop(q->dst.family, q->dst.a.b, a, sizeof(a));
	text_append(b, sizeof(b), &n, "route to %s", a);
	if (q->has_src) {
		inet_ntop(q->src.family, q->src.a.b, a, sizeof(a));
		text_append(b, sizeof(b), &n, " from %s", a);
	}
	if (q->iif)
		text_append(b, sizeof(b), &n, " iif %s", q->iif);
	if (q->oif)
		text_append(b, sizeof(b), &n, " oif %s", q->oif);
	nl_obj(err, "%s%s", b, ns_where(ns, w, sizeof(w)));
}

static int index_of(struct ns *ns, const char *name, int *index, const struct route_query *q,
		    struct nl_err *err)
{
	int r;

	*index = 0;
	if (!name)
		return 0;
	r = link_index(ns, name, index, err);
	if (r == -ENODEV)
		nl_fail(err, ENODEV, "no link \"%s\"", name);
	if (r < 0)
		obj_get(err, q, ns);
	return r;
}

int route_get(struct ns *ns, const struct route_query *q, struct route_info *ri, int *answered,
	      struct nl_err *err)
{
	char buf[NL_REQSZ];
	struct got g = { .ri = ri };
	struct link_info li;
	struct nl_sock *s;
	int iif, oif, r;

	*answered = 0;
	memset(ri, 0, sizeof(*ri));
	obj_get(err, q, ns);
	r = ns_rtnl(ns, &s, err);
	if (r < 0)
		return r;
	if ((r = index_of(ns, q->iif, &iif, q, err)) < 0 ||
	    (r = index_of(ns, q->oif, &oif, q, err)) < 0)
		return r;
	obj_get(err, q, ns);
	if (!route_msg_get(buf, sizeof(buf), q, iif, oif, err))
		return -err->code;
	r = nl_talk(s, (struct nlmsghdr *)buf, got_cb, &g, err);
	if (r < 0) {
		*answered = 1;
		return r;
	}
	if (!g.n)
		return nl_fail(err, EBADMSG, "the kernel's answer holds no route");
	if (ri->oif && link_getlink(s, NULL, ri->oif, -1, &li, err) == 0)
		snprintf(ri->dev, sizeof(ri->dev), "%s", li.name);
	obj_get(err, q, ns);
	return 0;
}
