// SPDX-License-Identifier: MIT
/* Requests built and parsed back, and kernel answers parsed, with no kernel. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <libmnl/libmnl.h>

#include "check.h"
#include "core/addr.h"
#include "core/link.h"
#include "core/nl.h"
#include "core/route.h"
#include "core/text.h"

static const struct nlattr *find(const struct nlattr *start, size_t len, int type)
{
	const struct nlattr *a;

	for (a = start; mnl_attr_ok(a, (int)len); a = mnl_attr_next(a)) {
		if (mnl_attr_get_type(a) == type)
			return a;
		len -= MNL_ALIGN(a->nla_len);
	}
	return NULL;
}

static const struct nlattr *attr(const struct nlmsghdr *nlh, size_t hdr, int type)
{
	return find(mnl_nlmsg_get_payload_offset(nlh, hdr),
		    nlh->nlmsg_len - MNL_NLMSG_HDRLEN - MNL_ALIGN(hdr), type);
}

static const struct nlattr *nested(const struct nlattr *n, size_t skip, int type)
{
	return find((const struct nlattr *)((const char *)mnl_attr_get_payload(n) + MNL_ALIGN(skip)),
		    mnl_attr_get_payload_len(n) - MNL_ALIGN(skip), type);
}

static void veth_request(void)
{
	static char buf[NL_BUFSZ];
	struct ns a = { .name = "purple", .fd = 7 }, b = { .name = "root", .fd = 3 };
	struct link_spec spec = { .kind = "veth", .stp = -1, .vlan_filtering = -1,
				  .mcast_snooping = -1 };
	const struct nlattr *li, *data, *peer;
	const struct ifinfomsg *ifm, *pifm;
	struct nlmsghdr *nlh;
	struct nl_err err;

	spec.dev = (struct link_end){ .name = "veth-purple", .ns = &a, .up = 1, .mtu = 1400 };
	spec.peer = (struct link_end){ .name = "veth-purple-br", .ns = &b };
	nlh = link_msg_add(buf, sizeof(buf), &spec, 5, &err);
	ifm = mnl_nlmsg_get_payload(nlh);
	CHECK(nlh->nlmsg_type == RTM_NEWLINK, "veth: RTM_NEWLINK");
	CHECK((nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL)) == (NLM_F_CREATE | NLM_F_EXCL),
	      "veth: create exclusively");
	CHECK(ifm->ifi_flags == IFF_UP && ifm->ifi_change == IFF_UP, "veth: up in the same request");
	CHECK_STR(mnl_attr_get_str(attr(nlh, sizeof(*ifm), IFLA_IFNAME)), "veth-purple", "veth: name");
	CHECK(mnl_attr_get_u32(attr(nlh, sizeof(*ifm), IFLA_MTU)) == 1400, "veth: mtu");
	CHECK(mnl_attr_get_u32(attr(nlh, sizeof(*ifm), IFLA_MASTER)) == 5, "veth: master index");
	li = attr(nlh, sizeof(*ifm), IFLA_LINKINFO);
	CHECK(li != NULL, "veth: IFLA_LINKINFO");
	CHECK_STR(mnl_attr_get_str(nested(li, 0, IFLA_INFO_KIND)), "veth", "veth: kind");
	data = nested(li, 0, IFLA_INFO_DATA);
	peer = data ? nested(data, 0, VETH_INFO_PEER) : NULL;
	CHECK(peer != NULL, "veth: VETH_INFO_PEER");
	if (!peer)
		return;
	pifm = mnl_attr_get_payload(peer);
	CHECK(pifm->ifi_flags == 0, "veth: the peer's flags stay clear (kernel rejects them)");
	CHECK_STR(mnl_attr_get_str(nested(peer, sizeof(struct ifinfomsg), IFLA_IFNAME)),
		  "veth-purple-br", "veth: peer name");
	CHECK(mnl_attr_get_u32(nested(peer, sizeof(struct ifinfomsg), IFLA_NET_NS_FD)) == 3,
	      "veth: peer created in place through its namespace's fd");
	CHECK(mnl_attr_get_u32(attr(nlh, sizeof(*ifm), IFLA_NUM_TX_QUEUES)) == 1 &&
	      mnl_attr_get_u32(attr(nlh, sizeof(*ifm), IFLA_NUM_RX_QUEUES)) == 1,
	      "veth: one queue each way, given (else the kernel shrinks them, an RCU wait)");
	CHECK(mnl_attr_get_u32(nested(peer, sizeof(struct ifinfomsg), IFLA_NUM_TX_QUEUES)) == 1 &&
	      mnl_attr_get_u32(nested(peer, sizeof(struct ifinfomsg), IFLA_NUM_RX_QUEUES)) == 1,
	      "veth: the peer's queues too");

	spec.peer.ns = &a;
	nlh = link_msg_add(buf, sizeof(buf), &spec, 0, &err);
	li = attr(nlh, sizeof(*ifm), IFLA_LINKINFO);
	peer = nested(nested(li, 0, IFLA_INFO_DATA), 0, VETH_INFO_PEER);
	CHECK(!nested(peer, sizeof(struct ifinfomsg), IFLA_NET_NS_FD),
	      "veth: no namespace fd when both ends share one");
	spec.queues = 4;
	nlh = link_msg_add(buf, sizeof(buf), &spec, 0, &err);
	CHECK(mnl_attr_get_u32(attr(nlh, sizeof(*ifm), IFLA_NUM_TX_QUEUES)) == 4, "veth: queues = 4");
	CHECK(!attr(nlh, sizeof(*ifm), IFLA_MASTER), "veth: no master attribute without a master");
}

static void bridge_request(void)
{
	static char buf[NL_BUFSZ];
	struct ns a = { .name = "root", .fd = 3 };
	struct link_spec spec = { .kind = "bridge", .stp = 1, .vlan_filtering = -1,
				  .mcast_snooping = 0 };
	const struct nlattr *data;
	struct nlmsghdr *nlh;
	struct nl_err err;

	spec.dev = (struct link_end){ .name = "br0", .ns = &a };
	nlh = link_msg_add(buf, sizeof(buf), &spec, 0, &err);
	data = nested(attr(nlh, sizeof(struct ifinfomsg), IFLA_LINKINFO), 0, IFLA_INFO_DATA);
	CHECK(data && mnl_attr_get_u32(nested(data, 0, IFLA_BR_STP_STATE)) == 1, "bridge: stp on");
	CHECK(data && !nested(data, 0, IFLA_BR_VLAN_FILTERING), "bridge: vlan filtering left alone");
	CHECK(data && nested(data, 0, IFLA_BR_MCAST_SNOOPING) &&
	      mnl_attr_get_u8(nested(data, 0, IFLA_BR_MCAST_SNOOPING)) == 0, "bridge: snooping off");
}

static void change_request(void)
{
	static char buf[1024];
	struct link_change c = LINK_CHANGE_INIT;
	const struct ifinfomsg *ifm;
	struct nlmsghdr *nlh;
	struct nl_err err;

	c.up = 0;
	nlh = link_msg_change(buf, sizeof(buf), "eth0", &c, 0, &err);
	ifm = mnl_nlmsg_get_payload(nlh);
	CHECK(ifm->ifi_change == IFF_UP && ifm->ifi_flags == 0 && ifm->ifi_index == 0,
	      "set down: by name, up flag cleared");
	CHECK_STR(mnl_attr_get_str(attr(nlh, sizeof(*ifm), IFLA_IFNAME)), "eth0", "set: by name");
	c = (struct link_change)LINK_CHANGE_INIT;
	c.rename = "eth1";
	nlh = link_msg_change(buf, sizeof(buf), "eth0", &c, 9, &err);
	ifm = mnl_nlmsg_get_payload(nlh);
	CHECK(ifm->ifi_index == 9 && ifm->ifi_change == 0, "rename: by index, flags untouched");
	CHECK_STR(mnl_attr_get_str(attr(nlh, sizeof(*ifm), IFLA_IFNAME)), "eth1", "rename: new name");
	c = (struct link_change)LINK_CHANGE_INIT;
	c.up = 1;
	nlh = link_msg_change(buf, sizeof(buf), "eth0", &c, 12, &err);
	ifm = mnl_nlmsg_get_payload(nlh);
	CHECK(ifm->ifi_index == 12 && !attr(nlh, sizeof(*ifm), IFLA_IFNAME),
	      "by index: no name attribute (it would rename)");
}

/* The link-local mode goes in a request of its own before the one that brings the link up. */
static void addrgen_requests(void)
{
	static char buf[2048];
	struct link_change c = LINK_CHANGE_INIT;
	const struct nlattr *af, *in6, *mode;
	const struct ifinfomsg *ifm;
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct nl_err err;
	size_t len;
	int n;

	c.up = 1;
	c.addrgen = IN6_ADDR_GEN_MODE_NONE;
	len = link_msg_changes(buf, sizeof(buf), "eth0", &c, 7, 3, &n, &err);
	CHECK(n == 2, "addrgen and up: two requests (%d)", n);
	ifm = mnl_nlmsg_get_payload(nlh);
	CHECK(ifm->ifi_change == 0 && ifm->ifi_index == 7, "first: the link by index, flags untouched");
	af = attr(nlh, sizeof(*ifm), IFLA_AF_SPEC);
	in6 = af ? nested(af, 0, AF_INET6) : NULL;
	mode = in6 ? nested(in6, 0, IFLA_INET6_ADDR_GEN_MODE) : NULL;
	CHECK(mode && mnl_attr_get_u8(mode) == IN6_ADDR_GEN_MODE_NONE, "first: addrgenmode none");
	CHECK(attr(nlh, sizeof(*ifm), IFLA_MASTER) &&
	      mnl_attr_get_u32(attr(nlh, sizeof(*ifm), IFLA_MASTER)) == 3, "first: the master");
	nlh = (struct nlmsghdr *)(buf + MNL_ALIGN(nlh->nlmsg_len));
	ifm = mnl_nlmsg_get_payload(nlh);
	CHECK(ifm->ifi_flags == IFF_UP && ifm->ifi_change == IFF_UP && ifm->ifi_index == 7,
	      "second: up, by index");
	CHECK(!attr(nlh, sizeof(*ifm), IFLA_AF_SPEC), "second: no AF_SPEC");
	CHECK(len == MNL_ALIGN(((struct nlmsghdr *)buf)->nlmsg_len) + MNL_ALIGN(nlh->nlmsg_len),
	      "length covers both");
	c.up = 0;
	len = link_msg_changes(buf, sizeof(buf), "eth0", &c, 0, -1, &n, &err);
	nlh = (struct nlmsghdr *)buf;
	ifm = mnl_nlmsg_get_payload(nlh);
	CHECK(n == 1 && len == MNL_ALIGN(nlh->nlmsg_len) && ifm->ifi_change == IFF_UP &&
	      attr(nlh, sizeof(*ifm), IFLA_AF_SPEC) && !attr(nlh, sizeof(*ifm), IFLA_MASTER),
	      "addrgen and down: one request, no master");
}

static void link_answer(void)
{
	static char buf[1024];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;
	struct link_info li;
	struct nlattr *n;
	const unsigned char mac[6] = { 2, 0, 0, 0, 0, 1 };

	nlh->nlmsg_type = RTM_NEWLINK;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_index = 4;
	ifm->ifi_flags = IFF_UP | IFF_BROADCAST;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "veth-orange-br");
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	mnl_attr_put_u8(nlh, IFLA_OPERSTATE, IF_OPER_UP);
	mnl_attr_put_u32(nlh, IFLA_MASTER, 3);
	mnl_attr_put_u32(nlh, IFLA_LINK, 2);
	mnl_attr_put_u32(nlh, IFLA_LINK_NETNSID, 1);
	mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	mnl_attr_put_u16(nlh, IFLA_GROUP, 0); /* wrong size on purpose: ignored */
	n = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	mnl_attr_nest_end(nlh, n);
	CHECK(link_parse(nlh, &li) == 0, "link answer parses");
	CHECK(li.index == 4 && li.mtu == 1500 && li.master == 3 && li.link == 2 &&
	      li.link_nsid == 1 && li.operstate == IF_OPER_UP && li.mac[5] == 1,
	      "link answer: index, mtu, master, peer, nsid, state, mac");
	CHECK_STR(li.name, "veth-orange-br", "link answer: name");
	CHECK_STR(li.kind, "veth", "link answer: kind");
	CHECK_STR(link_state_name(li.operstate), "UP", "operstate name");
	nlh->nlmsg_type = RTM_NEWADDR;
	CHECK(link_parse(nlh, &li) == -EBADMSG, "a non-link message is refused");
}

static void addr_request(void)
{
	static char buf[512];
	struct addr_spec a = { .brd = ADDR_BRD_PLUS };
	struct addr_info ai;
	struct nlmsghdr *nlh;
	struct cidr brd;
	char why[PARSE_WHY];

	parse_cidr("192.168.1.10/24", 1, &a.local, why);
	nlh = addr_msg(buf, RTM_NEWADDR, 7, &a);
	nlh->nlmsg_type = RTM_NEWADDR;
	CHECK(addr_parse_msg(nlh, &ai) == 0, "address request parses as an answer");
	CHECK(ai.ifindex == 7 && ai.local.plen == 24, "address: index and prefix");
	inet_ntop(AF_INET, ai.broadcast.a.b, why, sizeof(why));
	CHECK(ai.has_brd, "brd +: a broadcast is set");
	CHECK_STR(why, "192.168.1.255", "brd + of 192.168.1.10/24");
	a.brd = ADDR_BRD_NONE;
	nlh = addr_msg(buf, RTM_NEWADDR, 7, &a);
	addr_parse_msg(nlh, &ai);
	CHECK(!ai.has_brd, "no brd: no broadcast, as plain `ip addr add`");
	parse_cidr("10.0.0.1/31", 1, &a.local, why);
	CHECK(addr_brd_plus(&a.local, &brd) == 0, "brd + gives none for /31");
	parse_cidr("10.0.0.1/8", 1, &a.local, why);
	addr_brd_plus(&a.local, &brd);
	inet_ntop(AF_INET, brd.a.b, why, sizeof(why));
	CHECK_STR(why, "10.255.255.255", "brd + of /8");
	parse_cidr("127.0.0.2/8", 1, &a.local, why);
	nlh = addr_msg(buf, RTM_NEWADDR, 1, &a);
	CHECK(((struct ifaddrmsg *)mnl_nlmsg_get_payload(nlh))->ifa_scope == RT_SCOPE_HOST,
	      "loopback addresses get host scope, as ip(8)");
}

static void route_request(void)
{
	static char buf[1024];
	struct route_spec r = { 0 };
	struct route_info ri;
	struct nlmsghdr *nlh;
	const struct rtmsg *rtm;
	char why[PARSE_WHY], text[160];

	r.dst.family = AF_INET;
	r.has_via = 1;
	parse_addr("192.168.52.5", &r.via, why);
	nlh = route_msg(buf, ROUTE_ADD, &r, 0);
	rtm = mnl_nlmsg_get_payload(nlh);
	CHECK(rtm->rtm_dst_len == 0 && !attr(nlh, sizeof(*rtm), RTA_DST), "default: no RTA_DST");
	CHECK(rtm->rtm_scope == RT_SCOPE_UNIVERSE && rtm->rtm_table == RT_TABLE_MAIN &&
	      rtm->rtm_protocol == RTPROT_BOOT, "default via: universe scope, main table, proto boot");
	CHECK((nlh->nlmsg_flags & NLM_F_EXCL) && !(nlh->nlmsg_flags & NLM_F_REPLACE), "add is exclusive");
	nlh->nlmsg_type = RTM_NEWROUTE;
	CHECK(route_parse(nlh, &ri) == 0 && ri.has_via && ri.dst.plen == 0, "route parses back");
	route_fmt(&r, text, sizeof(text));
	CHECK_STR(text, "default via 192.168.52.5", "route_fmt");
	r.dev = "eth0";
	CHECK(route_fmt(&r, text, 12) == 11 && !strcmp(text, "default via"),
	      "route_fmt is cut to its buffer and says what it wrote: \"%s\"", text);

	memset(&r, 0, sizeof(r));
	parse_cidr("172.17.0.2/32", 1, &r.dst, why);
	r.dev = "veth1";
	r.table = 1000;
	r.has_metric = 1;
	r.metric = 50;
	nlh = route_msg(buf, ROUTE_REPLACE, &r, 4);
	rtm = mnl_nlmsg_get_payload(nlh);
	CHECK(rtm->rtm_scope == RT_SCOPE_LINK, "dev route: link scope");
	CHECK(rtm->rtm_table == RT_TABLE_UNSPEC &&
	      mnl_attr_get_u32(attr(nlh, sizeof(*rtm), RTA_TABLE)) == 1000, "table >= 256 in RTA_TABLE");
	CHECK(mnl_attr_get_u32(attr(nlh, sizeof(*rtm), RTA_OIF)) == 4, "dev as RTA_OIF");
	CHECK(mnl_attr_get_u32(attr(nlh, sizeof(*rtm), RTA_PRIORITY)) == 50, "metric");
	CHECK((nlh->nlmsg_flags & NLM_F_REPLACE) && !(nlh->nlmsg_flags & NLM_F_EXCL), "replace");
	nlh = route_msg(buf, ROUTE_DEL, &r, 4);
	rtm = mnl_nlmsg_get_payload(nlh);
	CHECK(nlh->nlmsg_type == RTM_DELROUTE && rtm->rtm_scope == RT_SCOPE_NOWHERE,
	      "delete matches any scope");
}

static void error_answer(void)
{
	static char buf[1024];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlmsgerr *e;
	struct nl_err err = { 0 };

	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_CAPPED | NLM_F_ACK_TLVS;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = -ENETUNREACH;
	e->msg.nlmsg_len = 200; /* the original request, capped to its header */
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "Nexthop has invalid gateway");
	CHECK(nl_parse_error(nlh, &err) == -ENETUNREACH, "error answer: errno");
	CHECK_STR(err.msg, "Nexthop has invalid gateway", "error answer: extended ack message");
	e->error = 0;
	CHECK(nl_parse_error(nlh, &err) == 0, "an ACK is not an error");
	nlh->nlmsg_len = 10;
	CHECK(nl_parse_error(nlh, &err) == -EBADMSG, "a truncated error is refused");
	/* Uncapped, the TLVs follow the echoed request: its length must not wrap the offset. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_ACK_TLVS;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = -EINVAL;
	e->msg.nlmsg_len = 4;
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "x");
	CHECK(nl_parse_error(nlh, &err) == -EINVAL && err.code == EINVAL,
	      "an echoed request shorter than a header is not followed");
	e->error = -2147483647 - 1;
	CHECK(nl_parse_error(nlh, &err) == -EPROTO && err.code == EPROTO, "error INT_MIN: EPROTO");
}

/* RTM_NEWNSID: an NSID attribute too short for its u32 is not read. */
static void nsid_answer(void)
{
	static char buf[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtgenmsg *g;
	int id = -1;

	nlh->nlmsg_type = RTM_NEWNSID;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->rtgen_family = AF_UNSPEC;
	mnl_attr_put(nlh, NETNSA_NSID, 0, NULL);
	CHECK(ns_parse_nsid(nlh, &id) == 0 && id == -1, "a 0-byte NSID is skipped (%d)", id);
	mnl_attr_put_u32(nlh, NETNSA_NSID, 5);
	CHECK(ns_parse_nsid(nlh, &id) == 0 && id == 5, "NSID 5 read (%d)", id);
}

/* Every string is bounded by its attribute and the buffer, whatever the caller passes. */
static void bounded_requests(void)
{
	static char buf[NL_BUFSZ], name[5000];
	struct ns a = { .name = "purple", .fd = 7 };
	struct link_spec spec = { .kind = "dummy", .stp = -1, .vlan_filtering = -1,
				  .mcast_snooping = -1 };
	struct link_change c = LINK_CHANGE_INIT;
	const struct ifinfomsg *ifm;
	const struct nlattr *n;
	struct nlmsghdr *nlh;
	struct nl_err err = { 0 };
	size_t i, len;
	int count;

	memset(name, 'x', sizeof(name) - 1);
	spec.dev = (struct link_end){ .name = name, .ns = &a };
	CHECK(!link_msg_add(buf, sizeof(buf), &spec, 0, &err) && err.code == EINVAL &&
	      strstr(err.msg, "longer than 15 bytes"),
	      "a 4999-byte name is refused by the builder: %s", err.msg);
	spec.dev.name = "d0";
	spec.kind = name;
	CHECK(!link_msg_add(buf, sizeof(buf), &spec, 0, &err) && err.code == EINVAL,
	      "a 4999-byte kind is refused: %s", err.msg);
	spec.kind = "veth";
	spec.peer = (struct link_end){ .name = name, .ns = &a };
	CHECK(!link_msg_add(buf, sizeof(buf), &spec, 0, &err) && err.code == EINVAL,
	      "a 4999-byte veth peer name is refused: %s", err.msg);
	spec.peer.name = "p0";
	CHECK(link_msg_add(buf, 64, &spec, 0, &err) == NULL && err.code == EMSGSIZE,
	      "a request that does not fit its buffer is refused: %s", err.msg);
	c.alias = name;
	CHECK(!link_msg_change(buf, sizeof(buf), "eth0", &c, 0, &err) && err.code == EINVAL &&
	      strstr(err.msg, "alias"), "a 4999-byte alias is refused: %s", err.msg);
	c.alias = NULL;
	CHECK(!link_msg_change(buf, sizeof(buf), name, &c, 0, &err) && err.code == EINVAL,
	      "a 4999-byte name to change is refused");
	c.up = 1;
	c.addrgen = 1;
	CHECK(link_msg_changes(buf, 40, "eth0", &c, 3, -1, &count, &err) == 0 &&
	      err.code == EMSGSIZE, "changes that do not fit: 0, EMSGSIZE");
	/* Padding after a 3-byte name (with its NUL, 4 + 4 bytes) and a 5-byte one is zero. */
	memset(buf, 0xaa, sizeof(buf));
	c = (struct link_change)LINK_CHANGE_INIT;
	c.alias = "abcde";
	nlh = link_msg_change(buf, sizeof(buf), "eth", &c, 0, &err);
	ifm = mnl_nlmsg_get_payload(nlh);
	n = attr(nlh, sizeof(*ifm), IFLA_IFALIAS);
	len = n ? mnl_attr_get_payload_len(n) : 0;
	for (i = len; n && i < MNL_ALIGN(len); i++)
		if (((const unsigned char *)mnl_attr_get_payload(n))[i])
			break;
	CHECK(n && len == 6 && i == MNL_ALIGN(len), "attribute padding is zeroed");
}

/* The lookup, listing and delete requests, and their bounds. */
static void lookup_requests(void)
{
	static char buf[NL_BUFSZ], name[5000];
	struct nl_err err = { 0 };
	const struct ifinfomsg *ifm;
	const struct nlattr *n;
	struct nlmsghdr *nlh;

	nlh = link_msg_get(buf, sizeof(buf), NULL, 7, 3, &err);
	ifm = nlh ? mnl_nlmsg_get_payload(nlh) : NULL;
	CHECK(nlh && nlh->nlmsg_type == RTM_GETLINK && !(nlh->nlmsg_flags & NLM_F_DUMP) &&
	      ifm->ifi_index == 7, "get by index: RTM_GETLINK for index 7");
	n = nlh ? attr(nlh, sizeof(*ifm), IFLA_TARGET_NETNSID) : NULL;
	CHECK(n && mnl_attr_get_u32(n) == 3, "get by index: in the namespace with id 3");
	CHECK(nlh && !attr(nlh, sizeof(*ifm), IFLA_IFNAME), "get by index: no name");
	n = nlh ? attr(nlh, sizeof(*ifm), IFLA_EXT_MASK) : NULL;
	CHECK(n && mnl_attr_get_u32(n) == RTEXT_FILTER_SKIP_STATS, "get: statistics skipped");
	nlh = link_msg_get(buf, sizeof(buf), "eth0", 0, -1, &err);
	n = nlh ? attr(nlh, sizeof(*ifm), IFLA_IFNAME) : NULL;
	CHECK(n && !strcmp(mnl_attr_get_str(n), "eth0") &&
	      !attr(nlh, sizeof(*ifm), IFLA_TARGET_NETNSID), "get by name, in the socket's namespace");
	memset(name, 'x', sizeof(name) - 1);
	err = (struct nl_err){ 0 };
	CHECK(!link_msg_get(buf, sizeof(buf), name, 0, -1, &err) && err.code == EINVAL,
	      "a 4999-byte name to look up is refused: %s", err.msg);
	err = (struct nl_err){ 0 };
	CHECK(!link_msg_get(buf, 40, "eth0", 0, -1, &err) && err.code == EMSGSIZE,
	      "a lookup that does not fit is refused: %s", err.msg);
	nlh = link_msg_dump(buf, sizeof(buf), &err);
	CHECK(nlh && nlh->nlmsg_type == RTM_GETLINK && (nlh->nlmsg_flags & NLM_F_DUMP),
	      "dump: RTM_GETLINK, NLM_F_DUMP");
	err = (struct nl_err){ 0 };
	CHECK(!link_msg_dump(buf, 24, &err) && err.code == EMSGSIZE,
	      "a dump that does not fit is refused: %s", err.msg);
	nlh = link_msg_del(buf, sizeof(buf), "eth0", &err);
	ifm = nlh ? mnl_nlmsg_get_payload(nlh) : NULL;
	n = nlh ? attr(nlh, sizeof(*ifm), IFLA_IFNAME) : NULL;
	CHECK(nlh && nlh->nlmsg_type == RTM_DELLINK && n && !strcmp(mnl_attr_get_str(n), "eth0"),
	      "delete: RTM_DELLINK by name");
	err = (struct nl_err){ 0 };
	CHECK(!link_msg_del(buf, sizeof(buf), name, &err) && err.code == EINVAL,
	      "a 4999-byte name to delete is refused: %s", err.msg);
	err = (struct nl_err){ 0 };
	CHECK(!link_msg_del(buf, 36, "eth0", &err) && err.code == EMSGSIZE,
	      "a delete that does not fit is refused: %s", err.msg);
}

/* Which end of a veth the create request names: the one with a master, else the one up. */
static void veth_order(void)
{
	struct link_spec spec = { .kind = "veth" };

	spec.dev = (struct link_end){ .name = "a" };
	spec.peer = (struct link_end){ .name = "b", .master = "br0" };
	CHECK(link_veth_swap(&spec), "veth order: the peer with a master is named");
	spec.dev.master = "br1";
	CHECK(!link_veth_swap(&spec), "veth order: both with a master, dev stays named");
	spec.dev.master = spec.peer.master = NULL;
	spec.peer.up = 1;
	CHECK(link_veth_swap(&spec), "veth order: the peer that is to be up is named");
	spec.dev.up = 1;
	CHECK(!link_veth_swap(&spec), "veth order: both up, dev stays named");
	spec.dev.up = 0;
	spec.dev.master = "br0";
	CHECK(!link_veth_swap(&spec), "veth order: dev with a master stays named, even down");
}

/* The core's one bounded appender (core/text.h). */
static void text_appends(void)
{
	char b[8];
	size_t k = 0;

	text_append(b, sizeof(b), &k, "%s", "abc");
	text_append(b, sizeof(b), &k, "%d", 12345);
	CHECK(k == 7 && !strcmp(b, "abc1234"), "an append that does not fit is cut: \"%s\", k %zu",
	      b, k);
	text_append(b, sizeof(b), &k, "more");
	CHECK(k == 7 && !strcmp(b, "abc1234"), "a full buffer takes no more");
	k = 0;
	text_append(b, 0, &k, "x");
	CHECK(k == 0, "an empty buffer is not written");
}

int main(void)
{
	text_appends();
	bounded_requests();
	lookup_requests();
	veth_order();
	veth_request();
	bridge_request();
	change_request();
	addrgen_requests();
	link_answer();
	addr_request();
	route_request();
	error_answer();
	nsid_answer();
	return check_done();
}
