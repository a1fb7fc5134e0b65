// SPDX-License-Identifier: MIT
/* Neighbour requests built and parsed back, and MAC addresses read, with no kernel. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "check_msg.h"
#include "core/neigh.h"
#include "core/nl.h"

static void macs(void)
{
	static const char *const bad[] = { "", "02:aa:00:00:00", "02:aa:00:00:00:01:02", "2:aa:0:0:0:1",
					   "02-aa-00-00-00-01", "02:aa:00:00:00:0g", "02:aa:00:00:00:01 ",
					   " 02:aa:00:00:00:01", NULL };
	unsigned char m[6];
	char why[PARSE_WHY];
	size_t i;

	CHECK(parse_mac("02:AA:0b:00:ff:01", m, why) == 0 && m[0] == 2 && m[1] == 0xaa &&
	      m[2] == 0x0b && m[4] == 0xff && m[5] == 1, "a MAC in either case");
	for (i = 0; bad[i]; i++)
		CHECK(parse_mac(bad[i], m, why) == -EINVAL && strstr(why, "invalid MAC address"),
		      "refused: \"%s\"", bad[i]);
}

static void requests(void)
{
	static char buf[NL_REQSZ];
	struct neigh_spec s = { .mac = { 2, 0xaa, 0, 0, 0, 9 } };
	struct neigh_info ni;
	struct nl_err err = { 0 };
	struct nlmsghdr *nlh;
	const struct ndmsg *nd;
	char why[PARSE_WHY];

	CHECK(parse_addr("10.77.0.9", &s.addr, why) == 0, "10.77.0.9 parses");
	nlh = neigh_msg(buf, sizeof(buf), RTM_NEWNEIGH, 5, &s, &err);
	NEED(nlh, "neighbour");
	nd = mnl_nlmsg_get_payload(nlh);
	CHECK(nlh->nlmsg_type == RTM_NEWNEIGH &&
	      (nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_REPLACE)) == (NLM_F_CREATE | NLM_F_REPLACE),
	      "add: created or replaced, as ip neigh replace");
	CHECK(nd->ndm_family == AF_INET && nd->ndm_ifindex == 5 && nd->ndm_state == NUD_PERMANENT,
	      "add: IPv4, on index 5, permanent");
	CHECK(neigh_parse_msg(nlh, &ni) == 0 && ni.maclen == 6 && memcmp(ni.mac, s.mac, 6) == 0 &&
	      ni.ifindex == 5 && ni.addr.family == AF_INET && ni.addr.a.b[3] == 9,
	      "the request parses back as an answer");
	CHECK_STR(neigh_state_name(ni.state), "PERMANENT", "state name");
	nlh = neigh_msg(buf, sizeof(buf), RTM_DELNEIGH, 5, &s, &err);
	NEED(nlh, "neighbour delete");
	CHECK(nlh->nlmsg_type == RTM_DELNEIGH && !(nlh->nlmsg_flags & NLM_F_CREATE) &&
	      attr(nlh, sizeof(struct ndmsg), NDA_DST) && !attr(nlh, sizeof(struct ndmsg), NDA_LLADDR),
	      "delete: the address, no MAC");
	CHECK(parse_addr("fd77::9", &s.addr, why) == 0, "fd77::9 parses");
	nlh = neigh_msg(buf, sizeof(buf), RTM_NEWNEIGH, 5, &s, &err);
	NEED(nlh, "IPv6 neighbour");
	CHECK(mnl_attr_get_payload_len(attr(nlh, sizeof(struct ndmsg), NDA_DST)) == 16 &&
	      neigh_parse_msg(nlh, &ni) == 0 && ni.addr.family == AF_INET6, "IPv6: 16 bytes");
	nlh = neigh_msg(buf, 20, RTM_NEWNEIGH, 5, &s, &err);
	CHECK(!nlh && err.code == EMSGSIZE, "a buffer too small: EMSGSIZE, no request");
	CHECK_STR(neigh_state_name(NUD_STALE), "STALE", "STALE");
	CHECK_STR(neigh_state_name(NUD_REACHABLE), "REACHABLE", "REACHABLE");
	CHECK_STR(neigh_state_name(NUD_NONE), "NONE", "NONE");
}

int main(void)
{
	macs();
	requests();
	return check_done();
}
