// SPDX-License-Identifier: MIT
/* Address and route requests built and parsed back, with no kernel. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "check_msg.h"
#include "core/addr.h"
#include "core/nl.h"
#include "core/route.h"

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

/* The lookup `ip route get 203.0.113.1 from 192.168.52.2 iif br0` sends, and its answer. */
static void route_get_request(void)
{
	static char buf[NL_REQSZ];
	struct route_query q = { 0 };
	struct route_info ri;
	struct nlmsghdr *nlh;
	struct nl_err err = { 0 };
	struct rtmsg *rtm;
	const struct nlattr *a;
	char why[PARSE_WHY], text[INET6_ADDRSTRLEN];

	CHECK(parse_addr("203.0.113.1", &q.dst, why) == 0, "203.0.113.1 parses");
	nlh = route_msg_get(buf, sizeof(buf), &q, 0, 0, &err);
	NEED(nlh, "a lookup");
	rtm = mnl_nlmsg_get_payload(nlh);
	CHECK(nlh->nlmsg_type == RTM_GETROUTE && !(nlh->nlmsg_flags & NLM_F_DUMP),
	      "RTM_GETROUTE, one answer (not a dump)");
	CHECK(rtm->rtm_family == AF_INET && rtm->rtm_dst_len == 32 && rtm->rtm_src_len == 0,
	      "a lookup of one address: /32, no source");
	a = attr(nlh, sizeof(*rtm), RTA_DST);
	CHECK(a && mnl_attr_get_payload_len(a) == 4 &&
	      inet_ntop(AF_INET, mnl_attr_get_payload(a), text, sizeof(text)) &&
	      !strcmp(text, "203.0.113.1"), "RTA_DST holds the address");
	CHECK(!attr(nlh, sizeof(*rtm), RTA_SRC) && !attr(nlh, sizeof(*rtm), RTA_IIF) &&
	      !attr(nlh, sizeof(*rtm), RTA_OIF), "a packet the namespace sends: no src, iif, oif");

	q.has_src = 1;
	CHECK(parse_addr("192.168.52.2", &q.src, why) == 0, "192.168.52.2 parses");
	nlh = route_msg_get(buf, sizeof(buf), &q, 7, 0, &err);
	NEED(nlh, "a forwarded packet's lookup");
	rtm = mnl_nlmsg_get_payload(nlh);
	CHECK(rtm->rtm_src_len == 32 && attr(nlh, sizeof(*rtm), RTA_SRC), "from: RTA_SRC, /32");
	CHECK(is_u32(attr(nlh, sizeof(*rtm), RTA_IIF), 7), "iif: RTA_IIF");
	CHECK(!attr(nlh, sizeof(*rtm), RTA_OIF), "no oif unless asked");

	/* The kernel's answer is an RTM_NEWROUTE marked cloned: read all the same. */
	nlh->nlmsg_type = RTM_NEWROUTE;
	rtm->rtm_type = RTN_UNICAST;
	rtm->rtm_flags = RTM_F_CLONED;
	CHECK(route_parse(nlh, &ri) == -EAGAIN && ri.dst.plen == 32 && ri.type == RTN_UNICAST,
	      "the answer parses (a cache entry, said so)");

	memset(&q, 0, sizeof(q));
	CHECK(parse_addr("fd00::1", &q.dst, why) == 0, "fd00::1 parses");
	nlh = route_msg_get(buf, sizeof(buf), &q, 0, 3, &err);
	NEED(nlh, "an IPv6 lookup");
	rtm = mnl_nlmsg_get_payload(nlh);
	CHECK(rtm->rtm_family == AF_INET6 && rtm->rtm_dst_len == 128 &&
	      is_u32(attr(nlh, sizeof(*rtm), RTA_OIF), 3), "IPv6: /128, oif as RTA_OIF");
	CHECK(!route_msg_get(buf, 20, &q, 0, 0, &err) && err.code == EMSGSIZE,
	      "a buffer too small: NULL and EMSGSIZE");
}

int main(void)
{
	addr_request();
	route_request();
	route_get_request();
	return check_done();
}
