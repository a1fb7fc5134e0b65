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

/*
 * The attribute of nlh (after a family header of hdr bytes), or of the nest
 * n (after skip bytes): NULL when it, or what holds it, is missing, so a
 * case fails on a missing attribute instead of crashing the file.
 */
static const struct nlattr *attr(const struct nlmsghdr *nlh, size_t hdr, int type)
{
	if (!nlh || nlh->nlmsg_len < MNL_NLMSG_HDRLEN + MNL_ALIGN(hdr))
		return NULL;
	return find(mnl_nlmsg_get_payload_offset(nlh, hdr),
		    nlh->nlmsg_len - MNL_NLMSG_HDRLEN - MNL_ALIGN(hdr), type);
}

static const struct nlattr *nested(const struct nlattr *n, size_t skip, int type)
{
	if (!n || mnl_attr_get_payload_len(n) < MNL_ALIGN(skip))
		return NULL;
	return find((const struct nlattr *)((const char *)mnl_attr_get_payload(n) + MNL_ALIGN(skip)),
		    mnl_attr_get_payload_len(n) - MNL_ALIGN(skip), type);
}

/* An attribute's value, compared only when it is there and of its size. */
static int is_u32(const struct nlattr *a, uint32_t v)
{
	return a && mnl_attr_get_payload_len(a) == 4 && mnl_attr_get_u32(a) == v;
}

static int is_u8(const struct nlattr *a, uint8_t v)
{
	return a && mnl_attr_get_payload_len(a) == 1 && mnl_attr_get_u8(a) == v;
}

/* A NUL-terminated string attribute's text, or "(missing)" to print and compare. */
static const char *str(const struct nlattr *a)
{
	size_t n = a ? mnl_attr_get_payload_len(a) : 0;

	if (!n || memchr(mnl_attr_get_payload(a), '\0', n) == NULL)
		return "(missing)";
	return mnl_attr_get_str(a);
}

/* A builder that gave no request fails the case there, rather than crash on NULL. */
#define NEED(nlh, what)                                                             \
	do {                                                                        \
		if (!(nlh)) {                                                       \
			CHECK(0, "%s: the builder gave no request (%s)", what, err.msg); \
			return;                                                     \
		}                                                                   \
	} while (0)

static void veth_request(void)
{
	static char buf[NL_REQSZ];
	struct ns a = { .name = "purple", .fd = 7 }, b = { .name = "root", .fd = 3 };
	struct link_spec spec = { .kind = "veth", .stp = -1, .vlan_filtering = -1,
				  .mcast_snooping = -1 };
	const struct nlattr *li, *data, *peer;
	const struct ifinfomsg *ifm, *pifm;
	const size_t pifl = sizeof(struct ifinfomsg);
	struct nlmsghdr *nlh;
	struct nl_err err = { 0 };

	spec.dev = (struct link_end){ .name = "veth-purple", .ns = &a, .up = 1, .mtu = 1400 };
	spec.peer = (struct link_end){ .name = "veth-purple-br", .ns = &b };
	nlh = link_msg_add(buf, sizeof(buf), &spec, 5, &err);
	NEED(nlh, "veth");
	ifm = mnl_nlmsg_get_payload(nlh);
	CHECK(nlh->nlmsg_type == RTM_NEWLINK, "veth: RTM_NEWLINK");
	CHECK((nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL)) == (NLM_F_CREATE | NLM_F_EXCL),
	      "veth: create exclusively");
	CHECK(ifm->ifi_flags == IFF_UP && ifm->ifi_change == IFF_UP, "veth: up in the same request");
	CHECK_STR(str(attr(nlh, sizeof(*ifm), IFLA_IFNAME)), "veth-purple", "veth: name");
	CHECK(is_u32(attr(nlh, sizeof(*ifm), IFLA_MTU), 1400), "veth: mtu");
	CHECK(is_u32(attr(nlh, sizeof(*ifm), IFLA_MASTER), 5), "veth: master index");
	li = attr(nlh, sizeof(*ifm), IFLA_LINKINFO);
	CHECK(li != NULL, "veth: IFLA_LINKINFO");
	CHECK_STR(str(nested(li, 0, IFLA_INFO_KIND)), "veth", "veth: kind");
	data = nested(li, 0, IFLA_INFO_DATA);
	peer = nested(data, 0, VETH_INFO_PEER);
	CHECK(peer && mnl_attr_get_payload_len(peer) >= pifl, "veth: VETH_INFO_PEER");
	if (!peer || mnl_attr_get_payload_len(peer) < pifl)
		return;
	pifm = mnl_attr_get_payload(peer);
	CHECK(pifm->ifi_flags == 0, "veth: the peer's flags stay clear (kernel rejects them)");
	CHECK_STR(str(nested(peer, pifl, IFLA_IFNAME)), "veth-purple-br", "veth: peer name");
	CHECK(is_u32(nested(peer, pifl, IFLA_NET_NS_FD), 3),
	      "veth: peer created in place through its namespace's fd");
	CHECK(is_u32(attr(nlh, sizeof(*ifm), IFLA_NUM_TX_QUEUES), 1) &&
	      is_u32(attr(nlh, sizeof(*ifm), IFLA_NUM_RX_QUEUES), 1),
	      "veth: one queue each way, given (else the kernel shrinks them, an RCU wait)");
	CHECK(is_u32(nested(peer, pifl, IFLA_NUM_TX_QUEUES), 1) &&
	      is_u32(nested(peer, pifl, IFLA_NUM_RX_QUEUES), 1), "veth: the peer's queues too");

	spec.peer.ns = &a;
	nlh = link_msg_add(buf, sizeof(buf), &spec, 0, &err);
	NEED(nlh, "veth in one namespace");
	li = attr(nlh, sizeof(*ifm), IFLA_LINKINFO);
	peer = nested(nested(li, 0, IFLA_INFO_DATA), 0, VETH_INFO_PEER);
	CHECK(peer && nested(peer, pifl, IFLA_IFNAME) && !nested(peer, pifl, IFLA_NET_NS_FD),
	      "veth: no namespace fd when both ends share one");
	spec.queues = 4;
	nlh = link_msg_add(buf, sizeof(buf), &spec, 0, &err);
	NEED(nlh, "veth with queues");
	CHECK(is_u32(attr(nlh, sizeof(*ifm), IFLA_NUM_TX_QUEUES), 4), "veth: queues = 4");
	CHECK(attr(nlh, sizeof(*ifm), IFLA_IFNAME) && !attr(nlh, sizeof(*ifm), IFLA_MASTER),
	      "veth: no master attribute without a master");
}

static void bridge_request(void)
{
	static char buf[NL_REQSZ];
	struct ns a = { .name = "root", .fd = 3 };
	struct link_spec spec = { .kind = "bridge", .stp = 1, .vlan_filtering = -1,
				  .mcast_snooping = 0 };
	const struct nlattr *data;
	struct nlmsghdr *nlh;
	struct nl_err err = { 0 };

	spec.dev = (struct link_end){ .name = "br0", .ns = &a };
	nlh = link_msg_add(buf, sizeof(buf), &spec, 0, &err);
	NEED(nlh, "bridge");
	data = nested(attr(nlh, sizeof(struct ifinfomsg), IFLA_LINKINFO), 0, IFLA_INFO_DATA);
	CHECK(is_u32(nested(data, 0, IFLA_BR_STP_STATE), 1), "bridge: stp on");
	CHECK(data && !nested(data, 0, IFLA_BR_VLAN_FILTERING), "bridge: vlan filtering left alone");
	CHECK(is_u8(nested(data, 0, IFLA_BR_MCAST_SNOOPING), 0), "bridge: snooping off");
}

static void change_request(void)
{
	static char buf[NL_REQSZ];
	struct link_change c = LINK_CHANGE_INIT;
	const struct ifinfomsg *ifm;
	struct nlmsghdr *nlh;
	struct nl_err err = { 0 };

	c.up = 0;
	nlh = link_msg_change(buf, sizeof(buf), "eth0", &c, 0, &err);
	NEED(nlh, "set down");
	ifm = mnl_nlmsg_get_payload(nlh);
	CHECK(ifm->ifi_change == IFF_UP && ifm->ifi_flags == 0 && ifm->ifi_index == 0,
	      "set down: by name, up flag cleared");
	CHECK_STR(str(attr(nlh, sizeof(*ifm), IFLA_IFNAME)), "eth0", "set: by name");
	c = (struct link_change)LINK_CHANGE_INIT;
	c.rename = "eth1";
	nlh = link_msg_change(buf, sizeof(buf), "eth0", &c, 9, &err);
	NEED(nlh, "rename");
	ifm = mnl_nlmsg_get_payload(nlh);
	CHECK(ifm->ifi_index == 9 && ifm->ifi_change == 0, "rename: by index, flags untouched");
	CHECK_STR(str(attr(nlh, sizeof(*ifm), IFLA_IFNAME)), "eth1", "rename: new name");
	c = (struct link_change)LINK_CHANGE_INIT;
	c.up = 1;
	nlh = link_msg_change(buf, sizeof(buf), "eth0", &c, 12, &err);
	NEED(nlh, "up by index");
	ifm = mnl_nlmsg_get_payload(nlh);
	CHECK(ifm->ifi_index == 12 && !attr(nlh, sizeof(*ifm), IFLA_IFNAME),
	      "by index: no name attribute (it would rename)");
}

/* The link-local mode goes in a request of its own before the one that brings the link up. */
static void addrgen_requests(void)
{
	static char buf[NL_REQSZ];
	struct link_change c = LINK_CHANGE_INIT;
	const struct nlattr *in6;
	const struct ifinfomsg *ifm;
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct nl_err err = { 0 };
	size_t len;
	int n;

	c.up = 1;
	c.addrgen = IN6_ADDR_GEN_MODE_NONE;
	len = link_msg_changes(buf, sizeof(buf), "eth0", &c, 7, 3, &n, &err);
	CHECK(n == 2, "addrgen and up: two requests (%d)", n);
	NEED(len && n == 2, "addrgen and up");
	ifm = mnl_nlmsg_get_payload(nlh);
	CHECK(ifm->ifi_change == 0 && ifm->ifi_index == 7, "first: the link by index, flags untouched");
	in6 = nested(attr(nlh, sizeof(*ifm), IFLA_AF_SPEC), 0, AF_INET6);
	CHECK(is_u8(nested(in6, 0, IFLA_INET6_ADDR_GEN_MODE), IN6_ADDR_GEN_MODE_NONE),
	      "first: addrgenmode none");
	CHECK(is_u32(attr(nlh, sizeof(*ifm), IFLA_MASTER), 3), "first: the master");
	nlh = (struct nlmsghdr *)(buf + MNL_ALIGN(nlh->nlmsg_len));
	ifm = mnl_nlmsg_get_payload(nlh);
	CHECK(ifm->ifi_flags == IFF_UP && ifm->ifi_change == IFF_UP && ifm->ifi_index == 7,
	      "second: up, by index");
	CHECK(!attr(nlh, sizeof(*ifm), IFLA_AF_SPEC), "second: no AF_SPEC");
	CHECK(len == MNL_ALIGN(((struct nlmsghdr *)buf)->nlmsg_len) + MNL_ALIGN(nlh->nlmsg_len),
	      "length covers both");
	c.up = 0;
	len = link_msg_changes(buf, sizeof(buf), "eth0", &c, 0, -1, &n, &err);
	NEED(len, "addrgen and down");
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
	static char buf[NL_REQSZ];
	struct addr_spec a = { .brd = ADDR_BRD_PLUS };
	struct addr_info ai;
	struct nlmsghdr *nlh;
	struct nl_err err = { 0 };
	struct cidr brd;
	char why[PARSE_WHY];

	CHECK(parse_cidr("192.168.1.10/24", 1, &a.local, why) == 0, "192.168.1.10/24 parses");
	nlh = addr_msg(buf, sizeof(buf), RTM_NEWADDR, 7, &a, &err);
	NEED(nlh, "address");
	CHECK((nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL)) == (NLM_F_CREATE | NLM_F_EXCL),
	      "address: created exclusively");
	CHECK(addr_parse_msg(nlh, &ai) == 0, "address request parses as an answer");
	CHECK(ai.ifindex == 7 && ai.local.plen == 24, "address: index and prefix");
	inet_ntop(AF_INET, ai.broadcast.a.b, why, sizeof(why));
	CHECK(ai.has_brd, "brd +: a broadcast is set");
	CHECK_STR(why, "192.168.1.255", "brd + of 192.168.1.10/24");
	a.brd = ADDR_BRD_NONE;
	nlh = addr_msg(buf, sizeof(buf), RTM_NEWADDR, 7, &a, &err);
	NEED(nlh, "address without brd");
	CHECK(addr_parse_msg(nlh, &ai) == 0 && !ai.has_brd,
	      "no brd: no broadcast, as plain `ip addr add`");
	nlh = addr_msg(buf, sizeof(buf), RTM_DELADDR, 7, &a, &err);
	NEED(nlh, "address delete");
	CHECK(nlh->nlmsg_type == RTM_DELADDR && !(nlh->nlmsg_flags & NLM_F_CREATE) &&
	      attr(nlh, sizeof(struct ifaddrmsg), IFA_LOCAL), "delete: RTM_DELADDR of the address");
	parse_cidr("10.0.0.1/31", 1, &a.local, why);
	CHECK(addr_brd_plus(&a.local, &brd) == 0, "brd + gives none for /31");
	parse_cidr("10.0.0.1/8", 1, &a.local, why);
	CHECK(addr_brd_plus(&a.local, &brd) == 1, "brd + of /8 gives one");
	inet_ntop(AF_INET, brd.a.b, why, sizeof(why));
	CHECK_STR(why, "10.255.255.255", "brd + of /8");
	parse_cidr("127.0.0.2/8", 1, &a.local, why);
	nlh = addr_msg(buf, sizeof(buf), RTM_NEWADDR, 1, &a, &err);
	NEED(nlh, "loopback address");
	CHECK(((struct ifaddrmsg *)mnl_nlmsg_get_payload(nlh))->ifa_scope == RT_SCOPE_HOST,
	      "loopback addresses get host scope, as ip(8)");
	CHECK(parse_cidr("fd00::1/64", 1, &a.local, why) == 0, "fd00::1/64 parses");
	nlh = addr_msg(buf, sizeof(buf), RTM_NEWADDR, 2, &a, &err);
	NEED(nlh, "IPv6 address");
	CHECK(attr(nlh, sizeof(struct ifaddrmsg), IFA_LOCAL) &&
	      mnl_attr_get_payload_len(attr(nlh, sizeof(struct ifaddrmsg), IFA_LOCAL)) == 16 &&
	      !attr(nlh, sizeof(struct ifaddrmsg), IFA_BROADCAST) && addr_parse_msg(nlh, &ai) == 0 &&
	      ai.local.family == AF_INET6 && ai.local.plen == 64, "IPv6: 16 bytes, no broadcast");
}

static void route_request(void)
{
	static char buf[NL_REQSZ];
	struct route_spec r = { 0 };
	struct route_info ri;
	struct nlmsghdr *nlh;
	struct nl_err err = { 0 };
	const struct rtmsg *rtm;
	char why[PARSE_WHY], text[160];

	r.dst.family = AF_INET;
	r.has_via = 1;
	CHECK(parse_addr("192.168.52.5", &r.via, why) == 0, "192.168.52.5 parses");
	nlh = route_msg(buf, sizeof(buf), ROUTE_ADD, &r, 0, &err);
	NEED(nlh, "default route");
	rtm = mnl_nlmsg_get_payload(nlh);
	CHECK(rtm->rtm_dst_len == 0 && attr(nlh, sizeof(*rtm), RTA_GATEWAY) &&
	      !attr(nlh, sizeof(*rtm), RTA_DST), "default: no RTA_DST");
	CHECK(rtm->rtm_scope == RT_SCOPE_UNIVERSE && rtm->rtm_table == RT_TABLE_MAIN &&
	      rtm->rtm_protocol == RTPROT_BOOT, "default via: universe scope, main table, proto boot");
	CHECK((nlh->nlmsg_flags & NLM_F_EXCL) && !(nlh->nlmsg_flags & NLM_F_REPLACE), "add is exclusive");
	CHECK(route_parse(nlh, &ri) == 0 && ri.has_via && ri.dst.plen == 0, "route parses back");
	route_fmt(&r, text, sizeof(text));
	CHECK_STR(text, "default via 192.168.52.5", "route_fmt");
	r.dev = "eth0";
	CHECK(route_fmt(&r, text, 12) == 11 && !strcmp(text, "default via"),
	      "route_fmt is cut to its buffer and says what it wrote: \"%s\"", text);

	memset(&r, 0, sizeof(r));
	CHECK(parse_cidr("172.17.0.2/32", 1, &r.dst, why) == 0, "172.17.0.2/32 parses");
	r.dev = "veth1";
	r.table = 1000;
	r.has_metric = 1;
	r.metric = 50;
	nlh = route_msg(buf, sizeof(buf), ROUTE_REPLACE, &r, 4, &err);
	NEED(nlh, "dev route");
	rtm = mnl_nlmsg_get_payload(nlh);
	CHECK(rtm->rtm_scope == RT_SCOPE_LINK, "dev route: link scope");
	CHECK(rtm->rtm_table == RT_TABLE_UNSPEC && is_u32(attr(nlh, sizeof(*rtm), RTA_TABLE), 1000),
	      "table >= 256 in RTA_TABLE");
	CHECK(is_u32(attr(nlh, sizeof(*rtm), RTA_OIF), 4), "dev as RTA_OIF");
	CHECK(is_u32(attr(nlh, sizeof(*rtm), RTA_PRIORITY), 50), "metric");
	CHECK((nlh->nlmsg_flags & NLM_F_REPLACE) && !(nlh->nlmsg_flags & NLM_F_EXCL), "replace");
	nlh = route_msg(buf, sizeof(buf), ROUTE_DEL, &r, 4, &err);
	NEED(nlh, "route delete");
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
	static char buf[NL_REQSZ], name[5000];
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
	static char buf[NL_REQSZ], name[5000];
	struct nl_err err = { 0 };
	const struct ifinfomsg *ifm;
	const struct nlattr *n;
	struct nlmsghdr *nlh;

	nlh = link_msg_get(buf, sizeof(buf), NULL, 7, 3, &err);
	ifm = nlh ? mnl_nlmsg_get_payload(nlh) : NULL;
	CHECK(nlh && nlh->nlmsg_type == RTM_GETLINK && !(nlh->nlmsg_flags & NLM_F_DUMP) &&
	      ifm->ifi_index == 7, "get by index: RTM_GETLINK for index 7");
	n = nlh ? attr(nlh, sizeof(*ifm), IFLA_TARGET_NETNSID) : NULL;
	CHECK(is_u32(n, 3), "get by index: in the namespace with id 3");
	CHECK(nlh && !attr(nlh, sizeof(*ifm), IFLA_IFNAME), "get by index: no name");
	n = nlh ? attr(nlh, sizeof(*ifm), IFLA_EXT_MASK) : NULL;
	CHECK(is_u32(n, RTEXT_FILTER_SKIP_STATS), "get: statistics skipped");
	nlh = link_msg_get(buf, sizeof(buf), "eth0", 0, -1, &err);
	n = nlh ? attr(nlh, sizeof(*ifm), IFLA_IFNAME) : NULL;
	CHECK(!strcmp(str(n), "eth0") && !attr(nlh, sizeof(*ifm), IFLA_TARGET_NETNSID), "get by name, in the socket's namespace");
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
	CHECK(nlh && nlh->nlmsg_type == RTM_DELLINK && !strcmp(str(n), "eth0"),
	      "delete: RTM_DELLINK by name");
	err = (struct nl_err){ 0 };
	CHECK(!link_msg_del(buf, sizeof(buf), name, &err) && err.code == EINVAL,
	      "a 4999-byte name to delete is refused: %s", err.msg);
	err = (struct nl_err){ 0 };
	CHECK(!link_msg_del(buf, 36, "eth0", &err) && err.code == EMSGSIZE,
	      "a delete that does not fit is refused: %s", err.msg);
}

/* A string of size - 1 bytes c in s. */
static void fill(char *s, size_t size, char c)
{
	memset(s, c, size - 1);
	s[size - 1] = '\0';
}

/* Names one byte short of their attribute's limit are taken whole; one byte more is refused. */
static void name_bounds(void)
{
	static char buf[NL_REQSZ];
	char n15[IFNAMSIZ], n16[IFNAMSIZ + 1], a255[IFALIASZ], a256[IFALIASZ + 1];
	char k31[LINK_KIND_MAX], k32[LINK_KIND_MAX + 1];
	struct ns ns = { .name = "purple", .fd = 7 };
	struct link_spec spec = { .kind = "veth", .stp = -1, .vlan_filtering = -1,
				  .mcast_snooping = -1 };
	struct link_change c = LINK_CHANGE_INIT;
	const size_t ifl = sizeof(struct ifinfomsg);
	const struct nlattr *peer;
	struct nlmsghdr *nlh;
	struct nl_err err = { 0 };

	fill(n15, sizeof(n15), 'n');
	fill(n16, sizeof(n16), 'n');
	fill(a255, sizeof(a255), 'a');
	fill(a256, sizeof(a256), 'a');
	fill(k31, sizeof(k31), 'k');
	fill(k32, sizeof(k32), 'k');

	spec.dev = (struct link_end){ .name = n15, .ns = &ns };
	spec.peer = (struct link_end){ .name = n15, .ns = &ns };
	nlh = link_msg_add(buf, sizeof(buf), &spec, 0, &err);
	peer = nested(nested(attr(nlh, ifl, IFLA_LINKINFO), 0, IFLA_INFO_DATA), 0, VETH_INFO_PEER);
	CHECK(!strcmp(str(attr(nlh, ifl, IFLA_IFNAME)), n15) &&
	      !strcmp(str(nested(peer, ifl, IFLA_IFNAME)), n15),
	      "add: 15-byte names (IFNAMSIZ - 1) for both ends are taken whole");
	spec.dev.name = n16;
	CHECK(!link_msg_add(buf, sizeof(buf), &spec, 0, &err) && err.code == EINVAL &&
	      strstr(err.msg, "longer than 15 bytes"), "add: a 16-byte name is refused: %s", err.msg);
	spec.dev.name = n15;
	spec.peer.name = n16;
	err = (struct nl_err){ 0 };
	CHECK(!link_msg_add(buf, sizeof(buf), &spec, 0, &err) && err.code == EINVAL &&
	      strstr(err.msg, "longer than 15 bytes"), "add: a 16-byte peer name is refused: %s",
	      err.msg);
	spec.peer.name = n15;
	spec.kind = k31;
	nlh = link_msg_add(buf, sizeof(buf), &spec, 0, &err);
	CHECK(!strcmp(str(nested(attr(nlh, ifl, IFLA_LINKINFO), 0, IFLA_INFO_KIND)), k31),
	      "add: a 31-byte kind is taken whole");
	spec.kind = k32;
	err = (struct nl_err){ 0 };
	CHECK(!link_msg_add(buf, sizeof(buf), &spec, 0, &err) && err.code == EINVAL &&
	      strstr(err.msg, "link kind"), "add: a 32-byte kind is refused: %s", err.msg);

	c.alias = a255;
	nlh = link_msg_change(buf, sizeof(buf), n15, &c, 0, &err);
	CHECK(!strcmp(str(attr(nlh, ifl, IFLA_IFALIAS)), a255) &&
	      !strcmp(str(attr(nlh, ifl, IFLA_IFNAME)), n15),
	      "change: a 255-byte alias (IFALIASZ - 1) and a 15-byte name are taken whole");
	c.alias = a256;
	err = (struct nl_err){ 0 };
	CHECK(!link_msg_change(buf, sizeof(buf), n15, &c, 0, &err) && err.code == EINVAL &&
	      strstr(err.msg, "longer than 255 bytes"), "change: a 256-byte alias is refused: %s",
	      err.msg);
	c.alias = NULL;
	err = (struct nl_err){ 0 };
	CHECK(!link_msg_change(buf, sizeof(buf), n16, &c, 0, &err) && err.code == EINVAL,
	      "change: a 16-byte name is refused: %s", err.msg);
	c.rename = n15;
	nlh = link_msg_change(buf, sizeof(buf), "eth0", &c, 3, &err);
	CHECK(!strcmp(str(attr(nlh, ifl, IFLA_IFNAME)), n15), "rename: to 15 bytes is taken whole");
	c.rename = n16;
	err = (struct nl_err){ 0 };
	CHECK(!link_msg_change(buf, sizeof(buf), "eth0", &c, 3, &err) && err.code == EINVAL,
	      "rename: to 16 bytes is refused: %s", err.msg);

	nlh = link_msg_get(buf, sizeof(buf), n15, 0, -1, &err);
	CHECK(!strcmp(str(attr(nlh, ifl, IFLA_IFNAME)), n15), "get: a 15-byte name is taken whole");
	err = (struct nl_err){ 0 };
	CHECK(!link_msg_get(buf, sizeof(buf), n16, 0, -1, &err) && err.code == EINVAL,
	      "get: a 16-byte name is refused: %s", err.msg);
	nlh = link_msg_del(buf, sizeof(buf), n15, &err);
	CHECK(!strcmp(str(attr(nlh, ifl, IFLA_IFNAME)), n15), "del: a 15-byte name is taken whole");
	err = (struct nl_err){ 0 };
	CHECK(!link_msg_del(buf, sizeof(buf), n16, &err) && err.code == EINVAL,
	      "del: a 16-byte name is refused: %s", err.msg);
}

/* Every builder, with most of what it can put in, for tight_buffers(). */
enum builder { B_VETH, B_BRIDGE, B_CHANGE, B_CHANGES, B_GET, B_DUMP, B_DEL, B_ADDR4, B_ADDR6,
	       B_ROUTE4, B_ROUTE6, B_COUNT };
static const char *const builder_names[B_COUNT] = {
	"link_msg_add veth", "link_msg_add bridge", "link_msg_change", "link_msg_changes",
	"link_msg_get", "link_msg_dump", "link_msg_del", "addr_msg IPv4", "addr_msg IPv6",
	"route_msg IPv4", "route_msg IPv6",
};

/* Builds request b in len bytes of buf: its length, 0 when the builder refused. */
static size_t build(enum builder b, char *buf, size_t len, struct nl_err *err)
{
	static struct ns here = { .name = "purple", .fd = 7 }, there = { .name = "root", .fd = 3 };
	struct link_spec spec = { .kind = "veth", .stp = 1, .vlan_filtering = 1,
				  .mcast_snooping = 0 };
	struct link_change c = LINK_CHANGE_INIT;
	struct addr_spec a = { .brd = ADDR_BRD_PLUS };
	struct route_spec r = { .has_via = 1, .has_metric = 1, .metric = 5, .table = 1000,
				.has_src = 1 };
	struct nlmsghdr *nlh = NULL;
	char why[PARSE_WHY];
	int n;

	spec.dev = (struct link_end){ .name = "veth-purple", .ns = &here, .up = 1, .mtu = 1400 };
	spec.peer = (struct link_end){ .name = "veth-purple-br", .ns = &there, .mtu = 1400 };
	c.up = 1;
	c.mtu = 1300;
	c.alias = "the purple end";
	c.rename = "eth1";
	c.netns = &there;
	c.addrgen = 1;
	switch (b) {
	case B_VETH:
		nlh = link_msg_add(buf, len, &spec, 5, err);
		break;
	case B_BRIDGE:
		spec.kind = "bridge";
		nlh = link_msg_add(buf, len, &spec, 0, err);
		break;
	case B_CHANGE:
		nlh = link_msg_change(buf, len, "eth0", &c, 9, err);
		break;
	case B_CHANGES:
		return link_msg_changes(buf, len, "eth0", &c, 9, 3, &n, err);
	case B_GET:
		nlh = link_msg_get(buf, len, "veth-purple", 0, 2, err);
		break;
	case B_DUMP:
		nlh = link_msg_dump(buf, len, err);
		break;
	case B_DEL:
		nlh = link_msg_del(buf, len, "veth-purple", err);
		break;
	case B_ADDR4:
	case B_ADDR6:
		parse_cidr(b == B_ADDR4 ? "10.0.0.2/24" : "fd00::2/64", 1, &a.local, why);
		nlh = addr_msg(buf, len, RTM_NEWADDR, 4, &a, err);
		break;
	case B_ROUTE4:
	case B_ROUTE6:
		parse_cidr(b == B_ROUTE4 ? "10.1.0.0/16" : "fd01::/64", 1, &r.dst, why);
		parse_addr(b == B_ROUTE4 ? "10.0.0.1" : "fd00::1", &r.via, why);
		parse_addr(b == B_ROUTE4 ? "10.0.0.2" : "fd00::2", &r.src, why);
		nlh = route_msg(buf, len, ROUTE_ADD, &r, 4, err);
		break;
	case B_COUNT:
		break;
	}
	return nlh ? nlh->nlmsg_len : 0;
}

/*
 * A request built in a buffer one byte, or many, too short is refused with
 * EMSGSIZE, and the builder never writes a byte past the length it was
 * given: the bytes after it are canaries.
 */
static void tight_buffers(void)
{
	enum { CANARY = 0x5a, GUARD = 64 };
	static char buf[NL_REQSZ + GUARD];
	int b;

	for (b = 0; b < B_COUNT; b++) {
		struct nl_err err = { 0 };
		size_t need = build(b, buf, NL_REQSZ, &err), len, i, bad_len = 0;
		int refused = 1, kept = 1;

		CHECK(need > 0, "%s: builds in NL_REQSZ (%zu bytes)", builder_names[b], need);
		if (!need)
			continue;
		for (len = 0; len <= need; len++) {
			size_t got;

			memset(buf, CANARY, len + GUARD);
			err = (struct nl_err){ 0 };
			got = build(b, buf, len, &err);
			if (len < need ? got != 0 || err.code != EMSGSIZE : got != need) {
				refused = 0;
				bad_len = len;
			}
			for (i = len; i < len + GUARD; i++)
				if ((unsigned char)buf[i] != CANARY) {
					kept = 0;
					bad_len = len;
				}
		}
		CHECK(refused, "%s: refused (EMSGSIZE) in every buffer shorter than its %zu bytes, "
		      "built in one of exactly that%s%zu", builder_names[b], need,
		      refused ? ", from 0 to " : ": wrong with ", refused ? need : bad_len);
		CHECK(kept, "%s: never writes past the length it is given%s%zu", builder_names[b],
		      kept ? ", from 0 to " : ": wrote past ", kept ? need : bad_len);
	}
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
	CHECK(link_kind("veth")->pair && link_kind("veth")->swap == link_veth_swap &&
	      !link_kind("bridge")->pair && link_kind("bridge")->put_data == link_bridge_put &&
	      !link_kind("dummy")->put_data && !link_kind("vxlan")->pair &&
	      !link_kind("vxlan")->put_link && !link_kind("vxlan")->put_data,
	      "kinds: veth a pair that may swap, bridge its data, others nothing");
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
	name_bounds();
	tight_buffers();
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
