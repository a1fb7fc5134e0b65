// SPDX-License-Identifier: MIT
/*
 * Link messages: the requests netlab sends about links and the parser of
 * what the kernel answers. Pure: they write into the caller's buffer and
 * touch no socket, so the unit tests and fuzzers run them without a kernel.
 * The kind-specific attributes live in link_<kind>.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "link.h"

static const struct link_kind kinds[] = {
	{ .name = "veth", .pair = 1, .put_link = link_veth_queues, .put_data = link_veth_put,
	  .swap = link_veth_swap },
	{ .name = "bridge", .put_data = link_bridge_put, .check = link_bridge_check,
	  .refused = link_bridge_refused, .verify = link_bridge_verify },
	{ .name = "dummy", .config = "dummy (CONFIG_DUMMY)" },
	{ .name = "macvlan", .parent = 1, .put_link = link_parent_put, .put_data = link_macvlan_put,
	  .check = link_macvlan_check, .config = "macvlan (CONFIG_MACVLAN)" },
	{ .name = "ipvlan", .parent = 1, .put_link = link_parent_put, .put_data = link_ipvlan_put,
	  .check = link_ipvlan_check, .config = "ipvlan (CONFIG_IPVLAN)" },
	{ .name = "vlan", .parent = 1, .put_link = link_parent_put, .put_data = link_vlan_put,
	  .check = link_vlan_check, .config = "802.1Q VLAN support (CONFIG_VLAN_8021Q)" },
	{ .name = "vxlan", .put_data = link_vxlan_put, .check = link_vxlan_check,
	  .config = "vxlan (CONFIG_VXLAN)" },
};

const struct link_kind *link_kind(const char *name)
{
	static const struct link_kind other = { 0 };
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kinds[i].name, name))
			return &kinds[i];
	return &other;
}

/* The link a macvlan, ipvlan or vlan sits on, looked up by link_add(). */
void link_parent_put(struct nl_msg *m, const struct link_spec *spec)
{
	if (spec->parent_index)
		nl_put_u32(m, IFLA_LINK, (uint32_t)spec->parent_index);
}

const char *link_state_name(int operstate)
{
	static const char *const names[] = {
		[IF_OPER_UNKNOWN] = "UNKNOWN", [IF_OPER_NOTPRESENT] = "NOTPRESENT",
		[IF_OPER_DOWN] = "DOWN", [IF_OPER_LOWERLAYERDOWN] = "LOWERLAYERDOWN",
		[IF_OPER_TESTING] = "TESTING", [IF_OPER_DORMANT] = "DORMANT",
		[IF_OPER_UP] = "UP",
	};

	if (operstate < 0 || operstate > IF_OPER_UP)
		return "UNKNOWN";
	return names[operstate];
}

static struct ifinfomsg *put_ifinfo(struct nl_msg *m, int index, int up)
{
	struct ifinfomsg *ifm = nl_put_extra(m, sizeof(*ifm));

	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = index;
	if (up >= 0) {
		ifm->ifi_change = IFF_UP;
		ifm->ifi_flags = up ? IFF_UP : 0;
	}
	return ifm;
}

struct nlmsghdr *link_msg_add(char *buf, size_t len, const struct link_spec *spec,
			      int master_index, struct nl_err *err)
{
	const struct link_kind *k = link_kind(spec->kind);
	struct nl_msg m;
	struct nlattr *info;

	/*
	 * No NLM_F_ECHO: with a veth peer in another namespace the kernel fails
	 * the echo with ENOTCONN after creating the link.
	 */
	nl_msg_start(&m, buf, len, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL, err);
	put_ifinfo(&m, 0, spec->dev.up ? 1 : -1);
	nl_put_strz(&m, IFLA_IFNAME, spec->dev.name, IFNAMSIZ, "interface name");
	if (spec->dev.mtu)
		nl_put_u32(&m, IFLA_MTU, spec->dev.mtu);
	if (master_index)
		nl_put_u32(&m, IFLA_MASTER, (uint32_t)master_index);
	if (k->put_link)
		k->put_link(&m, spec);
	info = nl_nest_start(&m, IFLA_LINKINFO);
	nl_put_strz(&m, IFLA_INFO_KIND, spec->kind, LINK_KIND_MAX, "link kind");
	if (k->put_data)
		k->put_data(&m, spec);
	nl_nest_end(&m, info);
	return nl_msg_done(&m);
}

/*
 * The IPv6 link-local mode. The kernel takes it only on an existing link
 * (a create request carrying it fails with EAFNOSUPPORT), and applies it
 * after the up flag of the same request: see link_msg_changes().
 */
static void put_addrgen(struct nl_msg *m, int mode)
{
	struct nlattr *af = nl_nest_start(m, IFLA_AF_SPEC);
	struct nlattr *in6 = nl_nest_start(m, AF_INET6);

	nl_put_u8(m, IFLA_INET6_ADDR_GEN_MODE, (uint8_t)mode);
	nl_nest_end(m, in6);
	nl_nest_end(m, af);
}

static void put_change(struct nl_msg *m, const char *name, const struct link_change *c,
		       int index, int master)
{
	put_ifinfo(m, index, c->up);
	/* By index, IFLA_IFNAME is a new name; without one it names the link. */
	if (c->rename)
		nl_put_strz(m, IFLA_IFNAME, c->rename, IFNAMSIZ, "interface name");
	else if (!index)
		nl_put_strz(m, IFLA_IFNAME, name, IFNAMSIZ, "interface name");
	if (c->mtu)
		nl_put_u32(m, IFLA_MTU, c->mtu);
	if (c->alias)
		nl_put_strz(m, IFLA_IFALIAS, c->alias, IFALIASZ, "alias");
	if (c->netns)
		nl_put_u32(m, IFLA_NET_NS_FD, (uint32_t)c->netns->fd);
	if (c->addrgen >= 0)
		put_addrgen(m, c->addrgen);
	if (master >= 0)
		nl_put_u32(m, IFLA_MASTER, (uint32_t)master);
}

struct nlmsghdr *link_msg_change(char *buf, size_t len, const char *name,
				 const struct link_change *c, int index, struct nl_err *err)
{
	struct nl_msg m;

	nl_msg_start(&m, buf, len, RTM_NEWLINK, NLM_F_REQUEST, err);
	put_change(&m, name, c, index, -1);
	return nl_msg_done(&m);
}

size_t link_msg_changes(char *buf, size_t buflen, const char *name, const struct link_change *c,
			int index, int master, int *count, struct nl_err *err)
{
	struct link_change first = *c;
	struct nl_msg m;
	size_t len;

	/*
	 * A link that is up with carrier makes its link-local address as the
	 * up flag is applied, before IFLA_AF_SPEC of the same request is read:
	 * "none" must reach it in a request of its own, just before.
	 */
	if (c->addrgen >= 0 && c->up == 1)
		first.up = -1;
	*count = 0;
	nl_msg_start(&m, buf, buflen, RTM_NEWLINK, NLM_F_REQUEST, err);
	put_change(&m, name, &first, index, master);
	if (!nl_msg_done(&m))
		return 0;
	len = MNL_ALIGN(m.nlh->nlmsg_len);
	*count = 1;
	if (first.up != c->up) {
		struct link_change up = LINK_CHANGE_INIT;

		up.up = 1;
		/* After a rename in the first request, only the index still names the link. */
		nl_msg_start(&m, buf + len, len < buflen ? buflen - len : 0, RTM_NEWLINK,
			     NLM_F_REQUEST, err);
		put_change(&m, c->rename ? c->rename : name, &up, index, -1);
		if (!nl_msg_done(&m))
			return 0;
		len += MNL_ALIGN(m.nlh->nlmsg_len);
		*count = 2;
	}
	return len;
}

/* The attributes netlab reads, with the type each must validate as. */
static const enum mnl_attr_data_type link_types[IFLA_MAX + 1] = {
	[IFLA_IFNAME] = MNL_TYPE_NUL_STRING,
	[IFLA_MTU] = MNL_TYPE_U32,
	[IFLA_OPERSTATE] = MNL_TYPE_U8,
	[IFLA_MASTER] = MNL_TYPE_U32,
	[IFLA_LINK] = MNL_TYPE_U32,
	[IFLA_LINK_NETNSID] = MNL_TYPE_U32,
	[IFLA_IFALIAS] = MNL_TYPE_NUL_STRING,
	[IFLA_ADDRESS] = MNL_TYPE_BINARY,
	[IFLA_LINKINFO] = MNL_TYPE_NESTED,
};
static const struct nl_attrs link_attrs = NL_ATTRS(link_types);

static const enum mnl_attr_data_type linkinfo_types[IFLA_INFO_MAX + 1] = {
	[IFLA_INFO_KIND] = MNL_TYPE_NUL_STRING,
	[IFLA_INFO_DATA] = MNL_TYPE_NESTED,
};
static const struct nl_attrs linkinfo_attrs = NL_ATTRS(linkinfo_types);

int link_parse(const struct nlmsghdr *nlh, struct link_info *li)
{
	const struct nlattr *tb[IFLA_MAX + 1];
	const struct ifinfomsg *ifm = nl_msg_index(nlh, RTM_NEWLINK, sizeof(*ifm), &link_attrs, tb);

	if (!ifm)
		return -EBADMSG;
	memset(li, 0, sizeof(*li));
	li->index = ifm->ifi_index;
	li->flags = ifm->ifi_flags;
	li->link_nsid = -1;
	if (!tb[IFLA_IFNAME])
		return -EBADMSG;
	snprintf(li->name, sizeof(li->name), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	if (tb[IFLA_MTU])
		li->mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
	li->operstate = tb[IFLA_OPERSTATE] ? mnl_attr_get_u8(tb[IFLA_OPERSTATE]) : IF_OPER_UNKNOWN;
	if (tb[IFLA_MASTER])
		li->master = (int)mnl_attr_get_u32(tb[IFLA_MASTER]);
	if (tb[IFLA_LINK])
		li->link = (int)mnl_attr_get_u32(tb[IFLA_LINK]);
	if (tb[IFLA_LINK_NETNSID])
		li->link_nsid = (int)mnl_attr_get_u32(tb[IFLA_LINK_NETNSID]);
	if (tb[IFLA_IFALIAS])
		snprintf(li->alias, sizeof(li->alias), "%s", mnl_attr_get_str(tb[IFLA_IFALIAS]));
	if (tb[IFLA_ADDRESS] && mnl_attr_get_payload_len(tb[IFLA_ADDRESS]) == 6)
		memcpy(li->mac, mnl_attr_get_payload(tb[IFLA_ADDRESS]), 6);
	if (tb[IFLA_LINKINFO]) {
		const struct nlattr *ti[IFLA_INFO_MAX + 1];

		nl_attr_index_nested(tb[IFLA_LINKINFO], &linkinfo_attrs, ti);
		if (ti[IFLA_INFO_KIND])
			snprintf(li->kind, sizeof(li->kind), "%s",
				 mnl_attr_get_str(ti[IFLA_INFO_KIND]));
		/* Details that do not parse are left out: the link is still one. */
		link_data_parse(li->kind, ti[IFLA_INFO_DATA], li);
	}
	if (!li->kind[0] && (li->flags & IFF_LOOPBACK))
		snprintf(li->kind, sizeof(li->kind), "loopback");
	return 0;
}

int link_info_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_info li;

	/* An answer that does not parse (no name) leaves data as it was: half a link is none. */
	if (link_parse(nlh, &li) == 0)
		*(struct link_info *)data = li;
	return 0;
}

struct nlmsghdr *link_msg_get(char *buf, size_t len, const char *name, int index, int nsid,
			      struct nl_err *err)
{
	struct nl_msg m;

	nl_msg_start(&m, buf, len, RTM_GETLINK, NLM_F_REQUEST, err);
	put_ifinfo(&m, index, -1);
	if (name)
		nl_put_strz(&m, IFLA_IFNAME, name, IFNAMSIZ, "interface name");
	if (nsid >= 0)
		nl_put_u32(&m, IFLA_TARGET_NETNSID, (uint32_t)nsid);
	/* Skip statistics and VF data: a listing reads only names and state. */
	nl_put_u32(&m, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	return nl_msg_done(&m);
}

struct nlmsghdr *link_msg_dump(char *buf, size_t len, struct nl_err *err)
{
	struct nl_msg m;

	nl_msg_start(&m, buf, len, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, err);
	put_ifinfo(&m, 0, -1);
	nl_put_u32(&m, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	return nl_msg_done(&m);
}

struct nlmsghdr *link_msg_del(char *buf, size_t len, const char *name, struct nl_err *err)
{
	struct nl_msg m;

	nl_msg_start(&m, buf, len, RTM_DELLINK, NLM_F_REQUEST, err);
	put_ifinfo(&m, 0, -1);
	nl_put_strz(&m, IFLA_IFNAME, name, IFNAMSIZ, "interface name");
	return nl_msg_done(&m);
}
