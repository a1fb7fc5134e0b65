// SPDX-License-Identifier: MIT
/*
 * Link requests as ip-link(8) commands (see trace.h, trace_int.h): ip link
 * add with a veth's peer and its namespace, a link's master and parent by
 * name, a kind's options (read as netlab.state reads them, link_data.c);
 * ip link set; ip link del. A bridge's VLAN requests go to trace_brvlan.c.
 */
#include <errno.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <libmnl/libmnl.h>

#include "link.h"
#include "nl.h"
#include "ns.h"
#include "trace_int.h"

static const enum mnl_attr_data_type link_types[IFLA_MAX + 1] = {
	[IFLA_IFNAME] = MNL_TYPE_NUL_STRING,
	[IFLA_MTU] = MNL_TYPE_U32,
	[IFLA_MASTER] = MNL_TYPE_U32,
	[IFLA_LINK] = MNL_TYPE_U32,
	[IFLA_IFALIAS] = MNL_TYPE_NUL_STRING,
	[IFLA_NET_NS_FD] = MNL_TYPE_U32,
	[IFLA_NET_NS_PID] = MNL_TYPE_U32,
	[IFLA_NUM_TX_QUEUES] = MNL_TYPE_U32,
	[IFLA_NUM_RX_QUEUES] = MNL_TYPE_U32,
	[IFLA_LINKINFO] = MNL_TYPE_NESTED,
	[IFLA_AF_SPEC] = MNL_TYPE_NESTED,
};
static const struct nl_attrs link_attrs = NL_ATTRS(link_types);

static const enum mnl_attr_data_type info_types[IFLA_INFO_MAX + 1] = {
	[IFLA_INFO_KIND] = MNL_TYPE_NUL_STRING,
	[IFLA_INFO_DATA] = MNL_TYPE_NESTED,
};
static const struct nl_attrs info_attrs = NL_ATTRS(info_types);

static const enum mnl_attr_data_type veth_types[VETH_INFO_MAX + 1] = {
	[VETH_INFO_PEER] = MNL_TYPE_BINARY,
};
static const struct nl_attrs veth_attrs = NL_ATTRS(veth_types);

static const enum mnl_attr_data_type inet6_types[IFLA_INET6_MAX + 1] = {
	[IFLA_INET6_ADDR_GEN_MODE] = MNL_TYPE_U8,
};
static const struct nl_attrs inet6_attrs = NL_ATTRS(inet6_types);

/* A namespace a request names by descriptor: 0 and *name (NULL for the root), or -errno. */
static int fd_ns(const struct trace_names *n, const struct nlattr *a, const char **name)
{
	const char *s = n->nsname ? n->nsname(n->data, (int)mnl_attr_get_u32(a)) : NULL;

	if (!s)
		return -EOPNOTSUPP;
	*name = is_root(s) ? NULL : s;
	return 0;
}

static const char *addrgen_name(unsigned int mode)
{
	static const char *const names[] = { "eui64", "none", "stable_secret", "random" };

	return mode < sizeof(names) / sizeof(names[0]) ? names[mode] : NULL;
}

/* " addrgenmode MODE" from IFLA_AF_SPEC, or -EOPNOTSUPP for what ip cannot say. */
static int put_afspec(struct out *o, const struct nlattr *af)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, af) {
		const struct nlattr *tb[IFLA_INET6_MAX + 1];
		const char *m;

		if (mnl_attr_get_type(a) != AF_INET6)
			return -EOPNOTSUPP;
		nl_attr_index_nested(a, &inet6_attrs, tb);
		if (!tb[IFLA_INET6_ADDR_GEN_MODE])
			return -EOPNOTSUPP;
		m = addrgen_name(mnl_attr_get_u8(tb[IFLA_INET6_ADDR_GEN_MODE]));
		if (!m)
			return -EOPNOTSUPP;
		put(o, " addrgenmode %s", m);
	}
	return 0;
}

/*
 * A veth's queues (link.veth{queues =}). netlab asks for one each way when
 * a script says nothing, which the line leaves out as the tutorials do.
 */
static void put_queues(struct out *o, const struct nlattr **tb)
{
	if (tb[IFLA_NUM_TX_QUEUES] && mnl_attr_get_u32(tb[IFLA_NUM_TX_QUEUES]) != 1)
		put(o, " numtxqueues %u", mnl_attr_get_u32(tb[IFLA_NUM_TX_QUEUES]));
	if (tb[IFLA_NUM_RX_QUEUES] && mnl_attr_get_u32(tb[IFLA_NUM_RX_QUEUES]) != 1)
		put(o, " numrxqueues %u", mnl_attr_get_u32(tb[IFLA_NUM_RX_QUEUES]));
}

/* The peer of a veth: its own ifinfomsg, then its attributes. */
static int put_veth_peer(struct out *o, const struct nlattr *peer, const struct trace_names *n,
			 const char **peer_ns, int *peer_moved)
{
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	size_t hl = MNL_ALIGN(sizeof(struct ifinfomsg));
	const char *p = mnl_attr_get_payload(peer);
	size_t plen = mnl_attr_get_payload_len(peer);
	const struct nlattr *attr;
	const void *attrs = p + hl;

	if (plen < hl)
		return -EBADMSG;
	mnl_attr_for_each_payload(attrs, plen - hl) {
		uint16_t t = mnl_attr_get_type(attr);

		if (t <= IFLA_MAX && link_types[t] && mnl_attr_validate(attr, link_types[t]) == 0)
			tb[t] = attr;
	}
	if (!tb[IFLA_IFNAME])
		return -EOPNOTSUPP;
	put(o, " peer name");
	word(o, mnl_attr_get_str(tb[IFLA_IFNAME]));
	if (tb[IFLA_MTU])
		put(o, " mtu %u", mnl_attr_get_u32(tb[IFLA_MTU]));
	put_queues(o, tb);
	*peer_moved = 0;
	if (tb[IFLA_NET_NS_FD]) {
		int r = fd_ns(n, tb[IFLA_NET_NS_FD], peer_ns);

		if (r < 0)
			return r;
		*peer_moved = 1;
	}
	return 0;
}

/* " netns T" for a link that lands in T (NULL: the root) seen from here. */
static void put_netns(struct out *o, const char *to, const char *here)
{
	if (to == here || (to && here && !strcmp(to, here)))
		return;
	if (to && ns_pid_name(to)) {
		/* ip takes a PID for the namespace that process is in. */
		put(o, " netns %ld", (long)ns_pid_name(to));
	} else if (to) {
		put(o, " netns");
		word(o, to);
	} else {
		put(o, " netns $$");
	}
}

/*
 * A kind's IFLA_INFO_DATA in ip-link(8)'s words. The attributes are read by
 * link_data.c, the reader of `ip -j -d link` (its fields are named as ip -j
 * names them); this table says each field as the option that sets it, in
 * the order tutorials write them (`id 42 remote A local B dev D dstport
 * 4789`), which ip takes in any order. A field it has no row for (one only
 * the kernel reports) or an attribute link_data.c does not read makes the
 * request one no command says.
 */
enum say {
	SAY_VALUE,	/* " opt VALUE" */
	SAY_DEV,	/* " opt NAME" of an ifindex in the request's namespace */
	SAY_FLAG,	/* " opt" when true (the field is there only then) */
	SAY_ONOFF,	/* " opt" when true, " noopt" when false */
};

struct option_word {
	const char *kind, *field, *opt;
	enum say say;
};

static const struct option_word option_words[] = {
	{ "macvlan", "mode", "mode", SAY_VALUE },
	{ "macvlan", "nopromisc", "nopromisc", SAY_FLAG },
	{ "macvlan", "bcqueuelen", "bcqueuelen", SAY_VALUE },
	{ "ipvlan", "mode", "mode", SAY_VALUE },
	{ "ipvlan", "bridge", "bridge", SAY_FLAG },
	{ "ipvlan", "private", "private", SAY_FLAG },
	{ "ipvlan", "vepa", "vepa", SAY_FLAG },
	{ "vlan", "id", "id", SAY_VALUE },
	{ "vlan", "protocol", "protocol", SAY_VALUE },
	{ "vxlan", "id", "id", SAY_VALUE },
	{ "vxlan", "remote", "remote", SAY_VALUE },
	{ "vxlan", "remote6", "remote", SAY_VALUE },
	{ "vxlan", "group", "group", SAY_VALUE },
	{ "vxlan", "group6", "group", SAY_VALUE },
	{ "vxlan", "local", "local", SAY_VALUE },
	{ "vxlan", "local6", "local", SAY_VALUE },
	{ "vxlan", "link", "dev", SAY_DEV },
	{ "vxlan", "port", "dstport", SAY_VALUE },
	{ "vxlan", "learning", "learning", SAY_ONOFF },
	{ "vxlan", "proxy", "proxy", SAY_FLAG },
	{ "vxlan", "rsc", "rsc", SAY_FLAG },
	{ "vxlan", "l2miss", "l2miss", SAY_FLAG },
	{ "vxlan", "l3miss", "l3miss", SAY_FLAG },
	{ "vxlan", "ttl", "ttl", SAY_VALUE },
	{ "vxlan", "df", "df", SAY_VALUE },
	{ "vxlan", "ageing", "ageing", SAY_VALUE },
	{ "vxlan", "limit", "maxaddress", SAY_VALUE },
	{ "vxlan", "udp_csum", "udpcsum", SAY_ONOFF },
	{ "vxlan", "udp_zero_csum6_tx", "udp6zerocsumtx", SAY_ONOFF },
	{ "vxlan", "udp_zero_csum6_rx", "udp6zerocsumrx", SAY_ONOFF },
	{ "vxlan", "remcsum_tx", "remcsumtx", SAY_FLAG },
	{ "vxlan", "remcsum_rx", "remcsumrx", SAY_FLAG },
	{ "vxlan", "gbp", "gbp", SAY_FLAG },
	{ "vxlan", "gpe", "gpe", SAY_FLAG },
	/* A bridge's options are named as ip -j names its fields. */
	{ "bridge", "forward_delay", "forward_delay", SAY_VALUE },
	{ "bridge", "hello_time", "hello_time", SAY_VALUE },
	{ "bridge", "max_age", "max_age", SAY_VALUE },
	{ "bridge", "ageing_time", "ageing_time", SAY_VALUE },
	{ "bridge", "stp_state", "stp_state", SAY_VALUE },
	{ "bridge", "priority", "priority", SAY_VALUE },
	{ "bridge", "vlan_filtering", "vlan_filtering", SAY_VALUE },
	{ "bridge", "vlan_protocol", "vlan_protocol", SAY_VALUE },
	{ "bridge", "vlan_default_pvid", "vlan_default_pvid", SAY_VALUE },
	{ "bridge", "mcast_snooping", "mcast_snooping", SAY_VALUE },
};

static int say_datum(struct out *o, const struct option_word *w, const struct link_datum *d,
		     const struct trace_names *n, int *by_name)
{
	char dev[IF_NAMESIZE];
	int r;

	switch (w->say) {
	case SAY_VALUE:
		if (d->type == LINK_DV_NUM) {
			put(o, " %s %lld", w->opt, d->num);
			return 0;
		}
		/* link_data.c's word for a value it has no name for */
		if (d->type != LINK_DV_STR || !strcmp(d->str, "unknown"))
			return -EOPNOTSUPP;
		put(o, " %s", w->opt);
		word(o, d->str);
		return 0;
	case SAY_DEV:
		if (d->type != LINK_DV_IFINDEX)
			return -EOPNOTSUPP;
		r = if_name(n, (int)d->num, dev);
		if (r < 0)
			return r;
		put(o, " %s", w->opt);
		word(o, dev);
		*by_name = 1;
		return 0;
	case SAY_FLAG:
	case SAY_ONOFF:
		if (d->type != LINK_DV_BOOL || (!d->num && w->say == SAY_FLAG))
			return -EOPNOTSUPP;
		put(o, " %s%s", d->num ? "" : "no", w->opt);
		return 0;
	}
	return -EOPNOTSUPP;
}

/* *by_name: whether a link of the request's namespace is named (a vxlan's dev). */
static int put_kind_data(struct out *o, const char *kind, const struct nlattr *data,
			 const struct trace_names *n, int *by_name)
{
	struct link_info li;
	size_t i, said = 0;
	unsigned int j;
	int r;

	if (link_data_unread(kind, data))
		return -EOPNOTSUPP;
	if (link_data_parse(kind, data, &li) < 0)
		return -EBADMSG;
	for (i = 0; i < sizeof(option_words) / sizeof(option_words[0]); i++) {
		const struct option_word *w = &option_words[i];

		if (strcmp(w->kind, kind))
			continue;
		for (j = 0; j < li.ndata; j++) {
			if (strcmp(li.data[j].name, w->field))
				continue;
			r = say_datum(o, w, &li.data[j], n, by_name);
			if (r < 0)
				return r;
			said++;
		}
	}
	return said == li.ndata ? 0 : -EOPNOTSUPP;
}

/*
 * ip link add. netlab sends a veth to the namespace of the end that has a
 * master or is to be up; the command sends it from there too (`ip -n X`),
 * unless the peer goes to the root, where the tutorials' form says it:
 * `ip link add veth-purple netns purple type veth peer name veth-purple-br`.
 */
static int link_add_cmd(struct out *o, const struct nlmsghdr *nlh, const struct ifinfomsg *ifm,
			const struct nlattr **tb, const struct trace_names *n)
{
	const struct nlattr *ti[IFLA_INFO_MAX + 1], *tv[VETH_INFO_MAX + 1];
	const char *kind, *peer_ns = NULL, *dev_ns = NULL;
	char master[IF_NAMESIZE] = "", parent[IF_NAMESIZE] = "", peer[TRACE_LINE / 2] = "";
	struct out po = { peer, sizeof(peer), 0 };
	const char *here;
	int r, peer_moved = 0, veth, from_root, by_name = 0;

	(void)nlh;
	if (!tb[IFLA_IFNAME] || !tb[IFLA_LINKINFO] || tb[IFLA_AF_SPEC] || tb[IFLA_IFALIAS])
		return -EOPNOTSUPP;
	nl_attr_index_nested(tb[IFLA_LINKINFO], &info_attrs, ti);
	if (!ti[IFLA_INFO_KIND])
		return -EOPNOTSUPP;
	kind = mnl_attr_get_str(ti[IFLA_INFO_KIND]);
	veth = !strcmp(kind, "veth");
	if (tb[IFLA_MASTER]) {
		r = if_name(n, (int)mnl_attr_get_u32(tb[IFLA_MASTER]), master);
		if (r < 0)
			return r;
	}
	/* A veth's IFLA_LINK would be its peer's index: netlab never sends one. */
	if (tb[IFLA_LINK]) {
		if (veth)
			return -EOPNOTSUPP;
		r = if_name(n, (int)mnl_attr_get_u32(tb[IFLA_LINK]), parent);
		if (r < 0)
			return r;
	}
	if (tb[IFLA_NET_NS_FD]) {
		r = fd_ns(n, tb[IFLA_NET_NS_FD], &dev_ns);
		if (r < 0)
			return r;
	} else {
		dev_ns = is_root(n->ns) ? NULL : n->ns;
	}
	if (ti[IFLA_INFO_DATA]) {
		if (veth) {
			nl_attr_index_nested(ti[IFLA_INFO_DATA], &veth_attrs, tv);
			if (!tv[VETH_INFO_PEER])
				return -EOPNOTSUPP;
			r = put_veth_peer(&po, tv[VETH_INFO_PEER], n, &peer_ns, &peer_moved);
		} else {
			r = put_kind_data(&po, kind, ti[IFLA_INFO_DATA], n, &by_name);
		}
		if (r < 0)
			return r;
		if (po.k + 1 >= sizeof(peer))
			return -EMSGSIZE;
	}
	/* A peer that stays beside its end is in the request's namespace. */
	if (veth && !peer_moved)
		peer_ns = is_root(n->ns) ? NULL : n->ns;
	/*
	 * From the root when the link or its peer lands there and no master
	 * must be looked up by name in the request's namespace (nor a parent,
	 * nor a vxlan's dev: the kind data of a veth is its peer's).
	 */
	from_root = !is_root(n->ns) && !master[0] && !parent[0] && !by_name &&
		    (!dev_ns || (veth && !peer_ns));
	here = from_root || is_root(n->ns) ? NULL : n->ns;
	trace_ip_cmd(o, here);
	put(o, " link add");
	word(o, mnl_attr_get_str(tb[IFLA_IFNAME]));
	if (parent[0]) {
		put(o, " link");
		word(o, parent);
	}
	put_netns(o, dev_ns, here);
	if (tb[IFLA_MTU])
		put(o, " mtu %u", mnl_attr_get_u32(tb[IFLA_MTU]));
	put_queues(o, tb);
	if (master[0]) {
		put(o, " master");
		word(o, master);
	}
	if ((ifm->ifi_change & IFF_UP || !ifm->ifi_change) && ifm->ifi_flags & IFF_UP)
		put(o, " up");
	put(o, " type");
	word(o, kind);
	put(o, "%s", peer);
	if (veth)
		put_netns(o, peer_ns, here);
	return 0;
}

/* ip link set: one request, so one command (ip sends it as one too). */
static int link_set_cmd(struct out *o, const struct ifinfomsg *ifm, const struct nlattr **tb,
			const struct trace_names *n)
{
	char name[IF_NAMESIZE], master[IF_NAMESIZE];
	const char *rename = NULL;
	int r;

	if (tb[IFLA_LINKINFO] || tb[IFLA_NET_NS_PID])
		return -EOPNOTSUPP;
	if (ifm->ifi_index) {
		r = if_name(n, ifm->ifi_index, name);
		if (r < 0)
			return r;
		if (tb[IFLA_IFNAME])
			rename = mnl_attr_get_str(tb[IFLA_IFNAME]);
	} else if (tb[IFLA_IFNAME]) {
		snprintf(name, sizeof(name), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	} else {
		return -EOPNOTSUPP;
	}
	trace_ip_cmd(o, n->ns);
	put(o, " link set dev");
	word(o, name);
	if (rename) {
		put(o, " name");
		word(o, rename);
	}
	if (tb[IFLA_MTU])
		put(o, " mtu %u", mnl_attr_get_u32(tb[IFLA_MTU]));
	if (tb[IFLA_IFALIAS]) {
		put(o, " alias");
		word(o, mnl_attr_get_str(tb[IFLA_IFALIAS]));
	}
	if (tb[IFLA_AF_SPEC]) {
		r = put_afspec(o, tb[IFLA_AF_SPEC]);
		if (r < 0)
			return r;
	}
	if (tb[IFLA_MASTER]) {
		int m = (int)mnl_attr_get_u32(tb[IFLA_MASTER]);

		if (!m) {
			put(o, " nomaster");
		} else {
			r = if_name(n, m, master);
			if (r < 0)
				return r;
			put(o, " master");
			word(o, master);
		}
	}
	if (tb[IFLA_NET_NS_FD]) {
		const char *to;

		r = fd_ns(n, tb[IFLA_NET_NS_FD], &to);
		if (r < 0)
			return r;
		put_netns(o, to, is_root(n->ns) ? NULL : n->ns);
	}
	if (ifm->ifi_change & IFF_UP)
		put(o, ifm->ifi_flags & IFF_UP ? " up" : " down");
	return 0;
}

int trace_link(struct out *o, const struct nlmsghdr *nlh, const struct trace_names *n)
{
	const struct nlattr *tb[IFLA_MAX + 1];
	const struct ifinfomsg *ifm;
	char name[IF_NAMESIZE];
	int r;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifm))
		return -EBADMSG;
	ifm = mnl_nlmsg_get_payload(nlh);
	if (ifm->ifi_family == AF_BRIDGE) /* a bridge's VLANs */
		return trace_brvlan(o, nlh, n);
	if (nl_attr_index(nlh, sizeof(*ifm), &link_attrs, tb) < 0)
		return -EBADMSG;
	if (nlh->nlmsg_type == RTM_NEWLINK)
		return nlh->nlmsg_flags & NLM_F_CREATE ? link_add_cmd(o, nlh, ifm, tb, n)
						       : link_set_cmd(o, ifm, tb, n);
	if (tb[IFLA_IFNAME]) {
		snprintf(name, sizeof(name), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	} else {
		r = if_name(n, ifm->ifi_index, name);
		if (r < 0)
			return r;
	}
	trace_ip_cmd(o, n->ns);
	put(o, " link del");
	word(o, name);
	return 0;
}
