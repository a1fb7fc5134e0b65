// SPDX-License-Identifier: MIT
/*
 * Requests as commands (see trace.h). Each request is read back attribute by
 * attribute, as the kernel will read it, into the words of ip(8), nft(8) and
 * sysctl(8), so that the line run by sh makes the same change: a veth's peer
 * and its namespace, a link's master by name, a macvlan's parent and a
 * vxlan's options (read as netlab.state reads them, link_data.c), a route's
 * table and metric, a static neighbour, a rule through the same decoder
 * `nat.list` uses (nft_text.c).
 *
 * Names come from the caller (trace_names): the namespace the request goes
 * to, an ifindex's name, the namespace behind a descriptor. A command names
 * the root namespace by leaving it out; where a command must name it from
 * inside another (a veth whose peer goes to the root, a link moved there),
 * it says `netns $$`: the pid of the shell running the lines, which is in
 * the root namespace, while `ip -n` moves only ip itself.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>

#include "link.h"
#include "neigh.h"
#include "nft_int.h"
#include "nl.h"
#include "text.h"
#include "trace.h"

struct out {
	char *buf;
	size_t len, k;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	text_vappend(o->buf, o->len, &o->k, fmt, ap);
	va_end(ap);
}

#define SH_PLAIN "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-./:=,+@%"

/*
 * " WORD", single-quoted unless every character is one sh reads as itself;
 * with spaces_too, spaces count as such (words nft joins back anyway).
 */
static void words(struct out *o, const char *w, int spaces_too)
{
	const char *p;

	if (*w && strspn(w, spaces_too ? SH_PLAIN " " : SH_PLAIN) == strlen(w) && *w != ' ') {
		put(o, " %s", w);
		return;
	}
	put(o, " '");
	for (p = w; *p; p++) {
		if (*p == '\'')
			put(o, "'\\''");
		else
			put(o, "%c", *p);
	}
	put(o, "'");
}

static void word(struct out *o, const char *w)
{
	words(o, w, 0);
}

void trace_word(char *buf, size_t len, size_t *k, const char *w)
{
	struct out o = { buf, len, *k };

	word(&o, w);
	*k = o.k;
}

/* The length, or -EMSGSIZE when the line was cut (a cut command is a wrong one). */
static int done(struct out *o)
{
	if (o->len == 0 || o->k + 1 >= o->len)
		return -EMSGSIZE;
	return (int)o->k;
}

static int is_root(const char *ns)
{
	return !ns || !strcmp(ns, "root");
}

/*
 * A command run inside ns: `ip netns exec NS `, or for a process's
 * namespace, which has no name ip knows, `nsenter --target PID --net `.
 */
static void in_ns(struct out *o, const char *ns)
{
	pid_t pid = ns_pid_name(ns);

	if (is_root(ns))
		return;
	if (pid) {
		put(o, "nsenter --target %ld --net ", (long)pid);
		return;
	}
	put(o, "ip netns exec");
	word(o, ns);
	put(o, " ");
}

static void ip_cmd(struct out *o, const char *ns)
{
	if (ns_pid_name(ns)) {
		in_ns(o, ns);
		put(o, "ip");
		return;
	}
	put(o, "ip");
	if (!is_root(ns)) {
		put(o, " -n");
		word(o, ns);
	}
}

/* Namespaces and sysctls ------------------------------------------------------ */

int trace_netns(int add, const char *name, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };

	buf[0] = '\0';
	put(&o, "ip netns %s", add ? "add" : "del");
	word(&o, name);
	return done(&o);
}

int trace_netns_attach(const char *name, long pid, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };

	buf[0] = '\0';
	put(&o, "ip netns attach");
	word(&o, name);
	put(&o, " %ld", pid);
	return done(&o);
}

int trace_netns_kill(const char *name, int sig, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };
	const char *abbrev = sigabbrev_np(sig);

	buf[0] = '\0';
	put(&o, "ip netns pids");
	word(&o, name);
	if (abbrev)
		put(&o, " | xargs -r kill -%s", abbrev);
	else
		put(&o, " | xargs -r kill -%d", sig);
	return done(&o);
}

int trace_sysctl(const char *ns, const char *key, const char *value, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };
	char kv[512];

	buf[0] = '\0';
	in_ns(&o, ns);
	put(&o, "sysctl -w");
	snprintf(kv, sizeof(kv), "%s=%s", key, value);
	word(&o, kv);
	return done(&o);
}

/* Links ------------------------------------------------------------------------ */

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

static int if_name(const struct trace_names *n, int index, char *buf)
{
	if (!n->ifname || index <= 0)
		return -ENODEV;
	return n->ifname(n->data, index, buf);
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
	ip_cmd(o, here);
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
	ip_cmd(o, n->ns);
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

static int trace_link(struct out *o, const struct nlmsghdr *nlh, const struct trace_names *n)
{
	const struct nlattr *tb[IFLA_MAX + 1];
	const struct ifinfomsg *ifm;
	char name[IF_NAMESIZE];
	int r;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifm))
		return -EBADMSG;
	ifm = mnl_nlmsg_get_payload(nlh);
	if (ifm->ifi_family == AF_BRIDGE) /* a bridge's VLANs */
		return trace_brvlan(nlh, n, o->buf, o->len, &o->k);
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
	ip_cmd(o, n->ns);
	put(o, " link del");
	word(o, name);
	return 0;
}

/* Addresses and routes ----------------------------------------------------------- */

static int addr_text(int family, const struct nlattr *a, char *buf, size_t len)
{
	size_t want = family == AF_INET ? 4 : 16;

	if (!a || mnl_attr_get_payload_len(a) != want)
		return -EBADMSG;
	return inet_ntop(family, mnl_attr_get_payload(a), buf, (socklen_t)len) ? 0 : -EBADMSG;
}

static const enum mnl_attr_data_type addr_types[IFA_MAX + 1] = {
	[IFA_LOCAL] = MNL_TYPE_BINARY,
	[IFA_ADDRESS] = MNL_TYPE_BINARY,
	[IFA_BROADCAST] = MNL_TYPE_BINARY,
};
static const struct nl_attrs addr_attrs = NL_ATTRS(addr_types);

static int trace_addr(struct out *o, const struct nlmsghdr *nlh, const struct trace_names *n)
{
	const struct nlattr *tb[IFA_MAX + 1];
	const struct ifaddrmsg *ifa;
	char a[INET6_ADDRSTRLEN], p[INET6_ADDRSTRLEN], dev[IF_NAMESIZE];
	int r;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa))
		return -EBADMSG;
	ifa = mnl_nlmsg_get_payload(nlh);
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return -EOPNOTSUPP;
	if (nl_attr_index(nlh, sizeof(*ifa), &addr_attrs, tb) < 0)
		return -EBADMSG;
	r = addr_text(ifa->ifa_family, tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS], a, sizeof(a));
	if (r < 0)
		return r;
	r = if_name(n, (int)ifa->ifa_index, dev);
	if (r < 0)
		return r;
	ip_cmd(o, n->ns);
	put(o, " addr %s %s/%u", nlh->nlmsg_type == RTM_NEWADDR ? "add" : "del", a,
	    ifa->ifa_prefixlen);
	/* A point-to-point address names its peer; netlab's never do. */
	if (tb[IFA_LOCAL] && tb[IFA_ADDRESS] &&
	    addr_text(ifa->ifa_family, tb[IFA_ADDRESS], p, sizeof(p)) == 0 && strcmp(a, p))
		put(o, " peer %s", p);
	if (tb[IFA_BROADCAST] && addr_text(AF_INET, tb[IFA_BROADCAST], p, sizeof(p)) == 0)
		put(o, " broadcast %s", p);
	put(o, " dev");
	word(o, dev);
	return 0;
}

static const enum mnl_attr_data_type route_types[RTA_MAX + 1] = {
	[RTA_DST] = MNL_TYPE_BINARY,
	[RTA_GATEWAY] = MNL_TYPE_BINARY,
	[RTA_PREFSRC] = MNL_TYPE_BINARY,
	[RTA_OIF] = MNL_TYPE_U32,
	[RTA_PRIORITY] = MNL_TYPE_U32,
	[RTA_TABLE] = MNL_TYPE_U32,
};
static const struct nl_attrs route_attrs = NL_ATTRS(route_types);

static const char *route_type_name(unsigned int t)
{
	switch (t) {
	case RTN_UNICAST: return "";
	case RTN_BLACKHOLE: return "blackhole ";
	case RTN_UNREACHABLE: return "unreachable ";
	case RTN_PROHIBIT: return "prohibit ";
	case RTN_LOCAL: return "local ";
	case RTN_BROADCAST: return "broadcast ";
	default: return NULL;
	}
}

static int trace_route(struct out *o, const struct nlmsghdr *nlh, const struct trace_names *n)
{
	const struct nlattr *tb[RTA_MAX + 1];
	const struct rtmsg *rtm;
	char a[INET6_ADDRSTRLEN], dev[IF_NAMESIZE];
	const char *verb = "del", *type = "";
	int del = nlh->nlmsg_type == RTM_DELROUTE, r;
	unsigned int table;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm))
		return -EBADMSG;
	rtm = mnl_nlmsg_get_payload(nlh);
	if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6)
		return -EOPNOTSUPP;
	if (nl_attr_index(nlh, sizeof(*rtm), &route_attrs, tb) < 0)
		return -EBADMSG;
	if (!del) {
		verb = nlh->nlmsg_flags & NLM_F_REPLACE ? "replace" : "add";
		type = route_type_name(rtm->rtm_type);
		if (!type)
			return -EOPNOTSUPP;
	}
	ip_cmd(o, n->ns);
	put(o, "%s route %s %s", rtm->rtm_family == AF_INET6 ? " -6" : "", verb, type);
	if (rtm->rtm_dst_len) {
		r = addr_text(rtm->rtm_family, tb[RTA_DST], a, sizeof(a));
		if (r < 0)
			return r;
		put(o, "%s/%u", a, rtm->rtm_dst_len);
	} else {
		put(o, "default");
	}
	if (tb[RTA_GATEWAY]) {
		r = addr_text(rtm->rtm_family, tb[RTA_GATEWAY], a, sizeof(a));
		if (r < 0)
			return r;
		put(o, " via %s", a);
	}
	if (tb[RTA_OIF]) {
		r = if_name(n, (int)mnl_attr_get_u32(tb[RTA_OIF]), dev);
		if (r < 0)
			return r;
		put(o, " dev");
		word(o, dev);
	}
	if (tb[RTA_PRIORITY])
		put(o, " metric %u", mnl_attr_get_u32(tb[RTA_PRIORITY]));
	if (tb[RTA_PREFSRC] && addr_text(rtm->rtm_family, tb[RTA_PREFSRC], a, sizeof(a)) == 0)
		put(o, " src %s", a);
	table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	if (table && table != RT_TABLE_MAIN)
		put(o, " table %u", table);
	/* ip(8) picks link scope for a route without a gateway, universe with one. */
	if (!del && rtm->rtm_scope != (tb[RTA_GATEWAY] ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK) &&
	    rtm->rtm_type == RTN_UNICAST)
		put(o, " scope %u", rtm->rtm_scope);
	if (!del && rtm->rtm_protocol != RTPROT_BOOT)
		put(o, " proto %u", rtm->rtm_protocol);
	if (rtm->rtm_flags & RTNH_F_ONLINK)
		put(o, " onlink");
	return 0;
}

/* Neighbours ---------------------------------------------------------------------- */

/* The verb of ip neigh whose request has these flags (iproute2's ipneigh_modify). */
static const char *neigh_verb(const struct nlmsghdr *nlh)
{
	uint16_t f = nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_REPLACE | NLM_F_EXCL);

	if (nlh->nlmsg_type == RTM_DELNEIGH)
		return "del";
	if (f == (NLM_F_CREATE | NLM_F_REPLACE))
		return "replace";
	if (f == (NLM_F_CREATE | NLM_F_EXCL) || f == NLM_F_CREATE)
		return "add";
	if (f == NLM_F_REPLACE)
		return "change";
	return NULL;
}

static int trace_neigh(struct out *o, const struct nlmsghdr *nlh, const struct trace_names *n)
{
	const struct ndmsg *nd;
	struct neigh_info ni;
	char a[INET6_ADDRSTRLEN], dev[IF_NAMESIZE];
	const char *verb = neigh_verb(nlh), *state;
	size_t i;
	int r;

	r = neigh_parse_msg(nlh, &ni);
	if (r < 0)
		return r == -EAFNOSUPPORT ? -EOPNOTSUPP : r;
	nd = mnl_nlmsg_get_payload(nlh);
	/* Proxy and router entries, a type: words netlab never sends. */
	if (!verb || nd->ndm_flags || nd->ndm_type)
		return -EOPNOTSUPP;
	state = neigh_state_name(ni.state);
	/* One state, as nud takes: a request names no mix of them. */
	if (nlh->nlmsg_type == RTM_NEWNEIGH && (!ni.state || (ni.state & (ni.state - 1))))
		return -EOPNOTSUPP;
	inet_ntop(ni.addr.family, ni.addr.a.b, a, sizeof(a));
	r = if_name(n, ni.ifindex, dev);
	if (r < 0)
		return r;
	ip_cmd(o, n->ns);
	put(o, " neigh %s %s", verb, a);
	if (nlh->nlmsg_type == RTM_NEWNEIGH && ni.maclen) {
		put(o, " lladdr ");
		for (i = 0; i < ni.maclen; i++)
			put(o, "%s%02x", i ? ":" : "", ni.mac[i]);
	}
	put(o, " dev");
	word(o, dev);
	if (nlh->nlmsg_type == RTM_NEWNEIGH) {
		put(o, " nud ");
		for (; *state; state++)
			put(o, "%c", tolower((unsigned char)*state));
	}
	return 0;
}

int trace_rtnl(const struct nlmsghdr *nlh, const struct trace_names *n, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };
	int r;

	buf[0] = '\0';
	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
	case RTM_SETLINK:
		r = trace_link(&o, nlh, n);
		break;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		r = trace_addr(&o, nlh, n);
		break;
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		r = trace_route(&o, nlh, n);
		break;
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH:
		r = trace_neigh(&o, nlh, n);
		break;
	default:
		r = -EOPNOTSUPP;
	}
	if (r < 0) {
		buf[0] = '\0';
		return r;
	}
	return done(&o);
}

/* nftables ---------------------------------------------------------------------- */

/* nft_names.c's name of a family or hook, NULL for its "?" (no command names it). */
static const char *known(const char *name)
{
	return strcmp(name, "?") ? name : NULL;
}

/* The names nft(8) gives the usual priorities, where they mean the number. */
static void put_prio(struct out *o, const char *type, uint32_t hook, int32_t prio)
{
	if (!strcmp(type, "nat") && prio == 100 &&
	    (hook == NF_INET_POST_ROUTING || hook == NF_INET_LOCAL_IN))
		put(o, " priority srcnat;");
	else if (!strcmp(type, "nat") && prio == -100 &&
		 (hook == NF_INET_PRE_ROUTING || hook == NF_INET_LOCAL_OUT))
		put(o, " priority dstnat;");
	else if (prio == 0)
		put(o, " priority filter;");
	else
		put(o, " priority %d;", (int)prio);
}

static void nft_cmd(struct out *o, const char *ns, const char *verb, const char *what,
		    const char *family, const char *table)
{
	in_ns(o, ns);
	put(o, "nft %s %s %s", verb, what, family);
	word(o, table);
}

/* " '{ … }'": nft's block as one word, since sh would split it at ';'. */
static int nft_table(struct out *o, const struct nlmsghdr *nlh, const char *ns)
{
	struct nftnl_table *t = nftnl_table_alloc();
	const char *fam, *c;
	char block[320];
	int r = -EBADMSG;

	if (!t)
		return -ENOMEM;
	if (nftnl_table_nlmsg_parse(nlh, t) < 0)
		goto out;
	fam = known(nft_family_name(nftnl_table_get_u32(t, NFTNL_TABLE_FAMILY)));
	r = -EOPNOTSUPP;
	if (!fam || (nftnl_table_is_set(t, NFTNL_TABLE_FLAGS) && nftnl_table_get_u32(t, NFTNL_TABLE_FLAGS)))
		goto out;
	r = 0;
	nft_cmd(o, ns, (nlh->nlmsg_type & 0xff) == NFT_MSG_NEWTABLE ? "add" : "delete", "table",
		fam, nftnl_table_get_str(t, NFTNL_TABLE_NAME));
	c = (nlh->nlmsg_type & 0xff) == NFT_MSG_NEWTABLE ? nft_table_comment(t) : NULL;
	if (c) {
		if (strchr(c, '"')) {
			r = -EOPNOTSUPP;
			goto out;
		}
		snprintf(block, sizeof(block), "{ comment \"%s\"; }", c);
		word(o, block);
	}
out:
	nftnl_table_free(t);
	return r;
}

static int nft_chain(struct out *o, const struct nlmsghdr *nlh, const char *ns)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	const char *fam, *type = "filter", *hook;
	char block[256];
	struct out b = { block, sizeof(block), 0 };
	int r = -EBADMSG, add = (nlh->nlmsg_type & 0xff) == NFT_MSG_NEWCHAIN;

	if (!c)
		return -ENOMEM;
	if (nftnl_chain_nlmsg_parse(nlh, c) < 0)
		goto out;
	r = -EOPNOTSUPP;
	fam = known(nft_family_name(nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY)));
	if (!fam)
		goto out;
	if (add && nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM)) {
		uint32_t h = nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM);

		hook = known(nft_hook_name(nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY), h));
		if (!hook)
			goto out;
		if (nftnl_chain_is_set(c, NFTNL_CHAIN_TYPE))
			type = nftnl_chain_get_str(c, NFTNL_CHAIN_TYPE);
		put(&b, "{ type %s hook %s", type, hook);
		put_prio(&b, type, h, nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO));
		if (nftnl_chain_is_set(c, NFTNL_CHAIN_POLICY))
			put(&b, " policy %s;",
			    nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY) == NF_DROP ? "drop" : "accept");
		put(&b, " }");
	}
	r = 0;
	nft_cmd(o, ns, add ? "add" : "delete", "chain", fam, nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE));
	word(o, nftnl_chain_get_str(c, NFTNL_CHAIN_NAME));
	if (b.k)
		word(o, block);
out:
	nftnl_chain_free(c);
	return r;
}

static int nft_rule(struct out *o, const struct nlmsghdr *nlh, const char *ns)
{
	struct nftnl_rule *rl = nftnl_rule_alloc();
	struct nlmsghdr *copy = NULL;
	const char *fam, *c;
	char *text = NULL;
	int r, add = (nlh->nlmsg_type & 0xff) == NFT_MSG_NEWRULE;

	if (!rl)
		return -ENOMEM;
	r = nft_msg_readable(nlh, &copy);
	if (r < 0)
		goto out;
	r = -EBADMSG;
	if (nftnl_rule_nlmsg_parse(copy, rl) < 0)
		goto out;
	r = -EOPNOTSUPP;
	fam = known(nft_family_name(nftnl_rule_get_u32(rl, NFTNL_RULE_FAMILY)));
	if (!fam)
		goto out;
	if (!add) {
		if (!nftnl_rule_is_set(rl, NFTNL_RULE_HANDLE))
			goto out;
		nft_cmd(o, ns, "delete", "rule", fam, nftnl_rule_get_str(rl, NFTNL_RULE_TABLE));
		word(o, nftnl_rule_get_str(rl, NFTNL_RULE_CHAIN));
		put(o, " handle %llu", (unsigned long long)nftnl_rule_get_u64(rl, NFTNL_RULE_HANDLE));
		r = 0;
		goto out;
	}
	text = malloc(TRACE_LINE);
	r = -ENOMEM;
	if (!text)
		goto out;
	r = nft_rule_text(rl, text, TRACE_LINE);
	if (r < 0)
		goto out;
	/* The decoder names what it cannot read in brackets: no command says that. */
	r = -EOPNOTSUPP;
	if (strchr(text, '['))
		goto out;
	nft_cmd(o, ns, nlh->nlmsg_flags & NLM_F_APPEND ? "add" : "insert", "rule", fam,
		nftnl_rule_get_str(rl, NFTNL_RULE_TABLE));
	word(o, nftnl_rule_get_str(rl, NFTNL_RULE_CHAIN));
	if (nftnl_rule_is_set(rl, NFTNL_RULE_POSITION) && nftnl_rule_get_u64(rl, NFTNL_RULE_POSITION))
		put(o, " position %llu",
		    (unsigned long long)nftnl_rule_get_u64(rl, NFTNL_RULE_POSITION));
	c = nft_rule_comment(rl);
	if (c) {
		size_t k = strlen(text);

		if (strchr(c, '"'))
			goto out;
		text_append(text, TRACE_LINE, &k, " comment \"%s\"", c);
	}
	/* nft joins its arguments: a rule of plain words needs no quotes. */
	words(o, text, 1);
	r = 0;
out:
	free(text);
	free(copy);
	nftnl_rule_free(rl);
	return r;
}

int trace_nft(const struct nlmsghdr *nlh, const char *ns, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };
	int r;

	buf[0] = '\0';
	if (nlh->nlmsg_type == NFNL_MSG_BATCH_BEGIN || nlh->nlmsg_type == NFNL_MSG_BATCH_END)
		return 0;
	if ((nlh->nlmsg_type >> 8) != NFNL_SUBSYS_NFTABLES || nft_msg_check(nlh) < 0)
		return -EBADMSG;
	switch (nlh->nlmsg_type & 0xff) {
	case NFT_MSG_NEWTABLE:
	case NFT_MSG_DELTABLE:
		r = nft_table(&o, nlh, ns);
		break;
	case NFT_MSG_NEWCHAIN:
	case NFT_MSG_DELCHAIN:
		r = nft_chain(&o, nlh, ns);
		break;
	case NFT_MSG_NEWRULE:
	case NFT_MSG_DELRULE:
		r = nft_rule(&o, nlh, ns);
		break;
	default:
		r = -EOPNOTSUPP;
	}
	if (r < 0) {
		buf[0] = '\0';
		return r;
	}
	return done(&o);
}

/* The sink ------------------------------------------------------------------------ */

static trace_sink sink;
static void *sink_data;

void trace_set(trace_sink fn, void *data)
{
	sink = fn;
	sink_data = data;
}

int trace_on(void)
{
	return sink != NULL;
}

void trace_emit(const char *line)
{
	if (sink)
		sink(line, sink_data);
}
