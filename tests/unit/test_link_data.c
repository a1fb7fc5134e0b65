// SPDX-License-Identifier: MIT
/*
 * A link answer's IFLA_INFO_DATA (vlan, vxlan, macvlan, ipvlan, bridge)
 * built by hand and read back as `ip -j -d link` names it; the link flags in
 * ip's order; truncated and garbage attributes left out, never read past.
 * This kernel lacks 802.1Q and ipvlan: these cases are their only witness.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <linux/if_link.h>
#include <linux/if_vlan.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "check.h"
#include "core/link.h"

static char buf[4096];

/* An RTM_NEWLINK answer for link "x0" of kind, its IFLA_INFO_DATA nest left open. */
static struct nlattr *answer(const char *kind, unsigned int flags, struct nlattr **info)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = RTM_NEWLINK;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_index = 9;
	ifm->ifi_flags = flags;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "x0");
	mnl_attr_put_u32(nlh, IFLA_LINK, 3);
	*info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
	return mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
}

/*
 * Closes the nests and parses the answer from a heap copy of exactly its
 * length, so that a read past it is one AddressSanitizer sees.
 */
static int parse(struct nlattr *data, struct nlattr *info, struct link_info *li)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf, *copy;
	int r;

	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	copy = malloc(nlh->nlmsg_len);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, nlh, nlh->nlmsg_len);
	r = link_parse(copy, li);
	free(copy);
	return r;
}

static const struct link_datum *field(const struct link_info *li, const char *name)
{
	unsigned int i;

	for (i = 0; i < li->ndata; i++)
		if (!strcmp(li->data[i].name, name))
			return &li->data[i];
	return NULL;
}

static int is_num(const struct link_info *li, const char *name, long long v)
{
	const struct link_datum *d = field(li, name);

	return d && d->type == LINK_DV_NUM && d->num == v;
}

static int is_bool(const struct link_info *li, const char *name, int v)
{
	const struct link_datum *d = field(li, name);

	return d && d->type == LINK_DV_BOOL && d->num == v;
}

static const char *text(const struct link_info *li, const char *name)
{
	const struct link_datum *d = field(li, name);

	return d && d->type == LINK_DV_STR ? d->str : NULL;
}

static void vlan(void)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct ifla_vlan_flags f = { .flags = VLAN_FLAG_REORDER_HDR | VLAN_FLAG_MVRP | 0x100,
				     .mask = ~0u };
	struct nlattr *info, *data = answer("vlan", 0, &info);
	struct link_info li;
	const char *names[8];
	unsigned int rest;
	size_t n;

	mnl_attr_put_u16(nlh, IFLA_VLAN_PROTOCOL, htons(0x88a8));
	mnl_attr_put_u16(nlh, IFLA_VLAN_ID, 42);
	mnl_attr_put(nlh, IFLA_VLAN_FLAGS, sizeof(f), &f);
	CHECK(parse(data, info, &li) == 0, "vlan: parses");
	CHECK_STR(li.kind, "vlan", "vlan: kind");
	CHECK_STR(text(&li, "protocol"), "802.1ad", "vlan: protocol");
	CHECK(is_num(&li, "id", 42), "vlan: id 42");
	CHECK(field(&li, "flags") && field(&li, "flags")->type == LINK_DV_FLAGS, "vlan: flags");
	n = field(&li, "flags") ? link_flag_list((unsigned int)field(&li, "flags")->num,
						 field(&li, "flags")->flagnames, names, 8, &rest) : 0;
	CHECK(n == 2 && !strcmp(names[0], "REORDER_HDR") && !strcmp(names[1], "MVRP") &&
	      rest == 0x100, "vlan: flags REORDER_HDR, MVRP in ip's order, an unknown bit left over");
	CHECK(li.link == 3, "vlan: its parent's index");

	data = answer("vlan", 0, &info);
	mnl_attr_put_u16(nlh, IFLA_VLAN_PROTOCOL, htons(0x8100));
	mnl_attr_put_u8(nlh, IFLA_VLAN_ID, 7); /* too short for a u16 */
	mnl_attr_put(nlh, IFLA_VLAN_FLAGS, 4, &f); /* too short for the struct */
	CHECK(parse(data, info, &li) == 0, "short vlan: parses");
	CHECK_STR(text(&li, "protocol"), "802.1Q", "short vlan: protocol");
	CHECK(!field(&li, "id") && !field(&li, "flags") && li.ndata == 1,
	      "short vlan: a too-short id and flags are left out");
}

static void macvlan(void)
{
	static const char *const modes[][2] = {
		{ "private", (const char *)MACVLAN_MODE_PRIVATE },
		{ "vepa", (const char *)MACVLAN_MODE_VEPA },
		{ "bridge", (const char *)MACVLAN_MODE_BRIDGE },
		{ "passthru", (const char *)MACVLAN_MODE_PASSTHRU },
		{ "source", (const char *)MACVLAN_MODE_SOURCE },
		{ "unknown", (const char *)3 },
	};
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct nlattr *info, *data;
	struct link_info li;
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		uint32_t mode = (uint32_t)(uintptr_t)modes[i][1];

		data = answer("macvlan", 0, &info);
		mnl_attr_put_u32(nlh, IFLA_MACVLAN_MODE, mode);
		mnl_attr_put_u16(nlh, IFLA_MACVLAN_FLAGS, mode == MACVLAN_MODE_PASSTHRU ?
				 MACVLAN_FLAG_NOPROMISC : 0);
		mnl_attr_put_u32(nlh, IFLA_MACVLAN_BC_QUEUE_LEN, 1000);
		mnl_attr_put_u32(nlh, IFLA_MACVLAN_MACADDR_COUNT, 0);
		CHECK(parse(data, info, &li) == 0, "macvlan %s: parses", modes[i][0]);
		CHECK_STR(text(&li, "mode"), modes[i][0], "macvlan: mode");
		CHECK(is_num(&li, "bcqueuelen", 1000), "macvlan %s: bcqueuelen", modes[i][0]);
		CHECK(!!field(&li, "macaddr_count") == (mode == MACVLAN_MODE_SOURCE),
		      "macvlan %s: macaddr_count only in source mode, as ip prints it", modes[i][0]);
		CHECK(mode == MACVLAN_MODE_PASSTHRU ? is_bool(&li, "nopromisc", 1) :
		      !field(&li, "nopromisc"), "macvlan %s: nopromisc only when set", modes[i][0]);
	}
}

static void ipvlan(void)
{
	static const struct { uint16_t mode, flags; const char *name, *flag; } cases[] = {
		{ IPVLAN_MODE_L2, 0, "l2", "bridge" },
		{ IPVLAN_MODE_L3, IPVLAN_F_PRIVATE, "l3", "private" },
		{ IPVLAN_MODE_L3S, IPVLAN_F_VEPA, "l3s", "vepa" },
		{ 9, IPVLAN_F_PRIVATE | IPVLAN_F_VEPA | 0x80, "unknown", "unknown" },
	};
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct nlattr *info, *data;
	struct link_info li;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		data = answer("ipvlan", 0, &info);
		mnl_attr_put_u16(nlh, IFLA_IPVLAN_MODE, cases[i].mode);
		mnl_attr_put_u16(nlh, IFLA_IPVLAN_FLAGS, cases[i].flags);
		CHECK(parse(data, info, &li) == 0, "ipvlan %s: parses", cases[i].name);
		CHECK_STR(text(&li, "mode"), cases[i].name, "ipvlan: mode");
		CHECK(is_bool(&li, cases[i].flag, 1) && li.ndata == 2,
		      "ipvlan %s: %s = true, as ip gives it", cases[i].name, cases[i].flag);
	}
}

static void vxlan(void)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct nlattr *info, *data = answer("vxlan", 0, &info);
	struct link_info li;
	struct in6_addr a6;
	uint32_t a4;

	mnl_attr_put_u32(nlh, IFLA_VXLAN_ID, 42);
	inet_pton(AF_INET, "10.0.0.2", &a4);
	mnl_attr_put_u32(nlh, IFLA_VXLAN_GROUP, a4);
	inet_pton(AF_INET, "10.0.0.1", &a4);
	mnl_attr_put_u32(nlh, IFLA_VXLAN_LOCAL, a4);
	mnl_attr_put_u32(nlh, IFLA_VXLAN_LINK, 3);
	mnl_attr_put_u16(nlh, IFLA_VXLAN_PORT, htons(4789));
	mnl_attr_put_u8(nlh, IFLA_VXLAN_LEARNING, 0);
	mnl_attr_put_u8(nlh, IFLA_VXLAN_PROXY, 0);
	mnl_attr_put_u8(nlh, IFLA_VXLAN_L2MISS, 1);
	mnl_attr_put_u8(nlh, IFLA_VXLAN_TTL, 5);
	mnl_attr_put_u8(nlh, IFLA_VXLAN_DF, VXLAN_DF_INHERIT);
	mnl_attr_put_u32(nlh, IFLA_VXLAN_AGEING, 300);
	mnl_attr_put_u32(nlh, IFLA_VXLAN_LIMIT, 0);
	mnl_attr_put_u8(nlh, IFLA_VXLAN_UDP_CSUM, 1);
	mnl_attr_put(nlh, IFLA_VXLAN_GBP, 0, NULL);
	CHECK(parse(data, info, &li) == 0, "vxlan: parses");
	CHECK(is_num(&li, "id", 42), "vxlan: id");
	CHECK_STR(text(&li, "remote"), "10.0.0.2", "vxlan: a unicast group is the remote");
	CHECK(!field(&li, "group"), "vxlan: and no group");
	CHECK_STR(text(&li, "local"), "10.0.0.1", "vxlan: local");
	CHECK(field(&li, "link") && field(&li, "link")->type == LINK_DV_IFINDEX &&
	      field(&li, "link")->num == 3, "vxlan: link, an index for the binding to name");
	CHECK(is_num(&li, "port", 4789), "vxlan: port (dstport) from network order");
	CHECK(is_bool(&li, "learning", 0), "vxlan: learning false is there");
	CHECK(!field(&li, "proxy") && is_bool(&li, "l2miss", 1), "vxlan: proxy only when set");
	CHECK(is_num(&li, "ttl", 5) && is_num(&li, "ageing", 300), "vxlan: ttl, ageing");
	CHECK_STR(text(&li, "df"), "inherit", "vxlan: df");
	CHECK(!field(&li, "limit"), "vxlan: a zero limit is left out, as ip does");
	CHECK(is_bool(&li, "udp_csum", 1) && is_bool(&li, "gbp", 1), "vxlan: udp_csum, gbp");

	data = answer("vxlan", 0, &info);
	mnl_attr_put_u32(nlh, IFLA_VXLAN_ID, 7);
	inet_pton(AF_INET, "239.1.1.1", &a4);
	mnl_attr_put_u32(nlh, IFLA_VXLAN_GROUP, a4);
	mnl_attr_put_u32(nlh, IFLA_VXLAN_LOCAL, 0);
	mnl_attr_put_u32(nlh, IFLA_VXLAN_LINK, 0);
	inet_pton(AF_INET6, "fd00::1", &a6);
	mnl_attr_put(nlh, IFLA_VXLAN_LOCAL6, sizeof(a6), &a6);
	inet_pton(AF_INET6, "ff05::2", &a6);
	mnl_attr_put(nlh, IFLA_VXLAN_GROUP6, 8, &a6); /* half an address */
	CHECK(parse(data, info, &li) == 0, "multicast vxlan: parses");
	CHECK_STR(text(&li, "group"), "239.1.1.1", "vxlan: a multicast group is the group");
	CHECK(!field(&li, "remote") && !field(&li, "local") && !field(&li, "link"),
	      "vxlan: no remote, and an unset local and link left out");
	CHECK_STR(text(&li, "local6"), "fd00::1", "vxlan: local6");
	CHECK(!field(&li, "group6") && !field(&li, "remote6"), "vxlan: half an IPv6 address is left out");
}

static void bridge(void)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct nlattr *info, *data = answer("bridge", 0, &info);
	struct link_info li;

	mnl_attr_put_u32(nlh, IFLA_BR_FORWARD_DELAY, 1500);
	mnl_attr_put_u32(nlh, IFLA_BR_HELLO_TIME, 200);
	mnl_attr_put_u32(nlh, IFLA_BR_STP_STATE, 1);
	mnl_attr_put_u16(nlh, IFLA_BR_PRIORITY, 32768);
	mnl_attr_put_u8(nlh, IFLA_BR_VLAN_FILTERING, 1);
	mnl_attr_put_u16(nlh, IFLA_BR_VLAN_PROTOCOL, htons(0x8100));
	mnl_attr_put_u8(nlh, IFLA_BR_MCAST_SNOOPING, 0);
	mnl_attr_put_u32(nlh, 120, 5); /* beyond what the table knows */
	CHECK(parse(data, info, &li) == 0, "bridge: parses");
	CHECK(is_num(&li, "forward_delay", 1500) && is_num(&li, "hello_time", 200),
	      "bridge: forward_delay, hello_time in ip's units (hundredths)");
	CHECK(is_num(&li, "stp_state", 1) && is_num(&li, "priority", 32768), "bridge: stp_state, priority");
	CHECK(is_num(&li, "vlan_filtering", 1) && is_num(&li, "mcast_snooping", 0),
	      "bridge: vlan_filtering and mcast_snooping as numbers, as ip gives them");
	CHECK_STR(text(&li, "vlan_protocol"), "802.1Q", "bridge: vlan_protocol");
	CHECK(li.ndata == 7, "bridge: seven fields, the unknown attribute left out (%u)", li.ndata);
}

/* Attributes that lie about their length, kinds netlab does not read. */
static void garbage(void)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct nlattr *info, *data, *last;
	struct link_info li;

	/* The last attribute of the nest says it runs past the nest and the message. */
	data = answer("vxlan", 0, &info);
	mnl_attr_put_u32(nlh, IFLA_VXLAN_ID, 42);
	last = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_u8(nlh, IFLA_VXLAN_TTL, 5);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	last->nla_len = 4 + 64;
	{
		struct nlmsghdr *copy = malloc(nlh->nlmsg_len);

		if (copy) {
			memcpy(copy, nlh, nlh->nlmsg_len);
			CHECK(link_parse(copy, &li) == 0 && is_num(&li, "id", 42) && !field(&li, "ttl"),
			      "an attribute past its nest: the ones before it read, it left out");
			free(copy);
		}
	}

	data = answer("veth", 0, &info);
	mnl_attr_put_u32(nlh, 1, 5);
	CHECK(parse(data, info, &li) == 0 && li.ndata == 0, "veth: its data is not read");
	data = answer("vxlan", 0, &info);
	CHECK(parse(data, info, &li) == 0 && li.ndata == 0, "an empty nest: no fields");
	CHECK(link_data_parse("vxlan", NULL, &li) == 0 && li.ndata == 0, "no nest: no fields");
}

static void flags(void)
{
	const char *names[32];
	unsigned int rest = 1;
	size_t n;

	n = link_ifflags(IFF_UP | IFF_RUNNING | IFF_LOWER_UP | IFF_BROADCAST | IFF_MULTICAST,
			 names, 32, &rest);
	CHECK(n == 4 && !strcmp(names[0], "BROADCAST") && !strcmp(names[1], "MULTICAST") &&
	      !strcmp(names[2], "UP") && !strcmp(names[3], "LOWER_UP") && rest == 0,
	      "flags: BROADCAST, MULTICAST, UP, LOWER_UP in ip's order, RUNNING unnamed");
	n = link_ifflags(IFF_UP | IFF_BROADCAST | IFF_MULTICAST, names, 32, NULL);
	CHECK(n == 4 && !strcmp(names[0], "NO-CARRIER") && !strcmp(names[3], "UP"),
	      "flags: up without running is NO-CARRIER, first");
	n = link_ifflags(IFF_LOOPBACK, names, 32, NULL);
	CHECK(n == 1 && !strcmp(names[0], "LOOPBACK"), "flags: a down loopback");
	names[1] = "sentinel";
	n = link_ifflags(IFF_UP | IFF_BROADCAST | IFF_MULTICAST, names, 1, NULL);
	CHECK(n == 4 && !strcmp(names[0], "NO-CARRIER") && !strcmp(names[1], "sentinel"),
	      "flags: counted past a short list, never written past it");
	n = link_ifflags(IFF_UP, names, 0, NULL);
	CHECK(n == 2, "flags: an empty list counts them");
}

int main(void)
{
	vlan();
	macvlan();
	ipvlan();
	vxlan();
	bridge();
	garbage();
	flags();
	return check_done();
}
