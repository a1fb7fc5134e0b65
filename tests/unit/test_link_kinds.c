// SPDX-License-Identifier: MIT
/*
 * The create requests of macvlan, ipvlan, vlan, vxlan and dummy, built by
 * link_msg_add() and read back by link_parse() (a create request is an
 * RTM_NEWLINK as an answer is), so each kind's builder is held to the
 * parser that reads the kernel's answers, field by field as `ip -j -d link`
 * names them. This kernel lacks ipvlan, 802.1Q and dummy: these cases are
 * the only witness of their requests. The options each kind refuses are
 * checked through its check function, as link_add() calls it before any request.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "check.h"
#include "core/link.h"

static char buf[4096];

static int built(struct link_spec *spec, struct link_info *li)
{
	struct nl_err err = { 0 };
	struct nlmsghdr *nlh = link_msg_add(buf, sizeof(buf), spec, 0, &err);

	if (!nlh)
		return -1;
	return link_parse(nlh, li);
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

	return d && (d->type == LINK_DV_NUM || d->type == LINK_DV_BOOL ||
		     d->type == LINK_DV_IFINDEX) && d->num == v;
}

static const char *text(const struct link_info *li, const char *name)
{
	const struct link_datum *d = field(li, name);

	return d && d->type == LINK_DV_STR ? d->str : "(none)";
}

static struct link_spec spec_of(const char *kind)
{
	struct link_spec s = { .kind = kind, .stp = -1, .vlan_filtering = -1,
			       .mcast_snooping = -1, .learning = -1 };

	s.dev.name = "x0";
	return s;
}

static void macvlan(void)
{
	static const struct { int mode; const char *name; } modes[] = {
		{ MACVLAN_MODE_BRIDGE, "bridge" }, { MACVLAN_MODE_PRIVATE, "private" },
		{ MACVLAN_MODE_VEPA, "vepa" }, { MACVLAN_MODE_PASSTHRU, "passthru" },
		{ MACVLAN_MODE_SOURCE, "source" },
	};
	struct link_info li;
	struct nl_err err;
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		struct link_spec s = spec_of("macvlan");

		s.parent = "p0";
		s.parent_index = 7;
		s.mode = modes[i].mode;
		CHECK(built(&s, &li) == 0 && !strcmp(li.kind, "macvlan") && li.link == 7,
		      "macvlan %s: kind and parent (IFLA_LINK 7) read back (%d)", modes[i].name, li.link);
		CHECK_STR(text(&li, "mode"), modes[i].name, "macvlan mode");
	}
	{
		struct link_spec s = spec_of("macvlan");

		s.mode = 3;
		CHECK(link_macvlan_check(&s, &err) == -EINVAL, "macvlan: mode 3 refused: %s", err.msg);
	}
}

static void ipvlan(void)
{
	static const char *const names[] = { "l2", "l3", "l3s" };
	struct link_info li;
	struct nl_err err;
	int m;

	for (m = 0; m < 3; m++) {
		struct link_spec s = spec_of("ipvlan");

		s.parent_index = 4;
		s.mode = m + 1;
		CHECK(built(&s, &li) == 0 && !strcmp(li.kind, "ipvlan") && li.link == 4,
		      "ipvlan %s: kind and parent", names[m]);
		CHECK_STR(text(&li, "mode"), names[m], "ipvlan mode");
	}
	{
		struct link_spec s = spec_of("ipvlan");

		s.parent_index = 4;
		CHECK(built(&s, &li) == 0 && !field(&li, "mode"), "ipvlan: no mode, the kernel's default");
		s.mode = 9;
		CHECK(link_ipvlan_check(&s, &err) == -EINVAL, "ipvlan: mode 8 refused: %s", err.msg);
	}
}

static void vlan(void)
{
	struct link_spec s = spec_of("vlan");
	struct link_info li;
	struct nl_err err;

	s.parent_index = 2;
	s.vlan_id = 10;
	CHECK(built(&s, &li) == 0 && !strcmp(li.kind, "vlan") && li.link == 2 && is_num(&li, "id", 10),
	      "vlan: id 10 on its parent");
	CHECK(!field(&li, "protocol"), "vlan: no protocol given, none sent (802.1Q)");
	s.vlan_proto = ETH_P_8021AD;
	s.vlan_id = 4094;
	CHECK(built(&s, &li) == 0 && is_num(&li, "id", 4094), "vlan: id 4094");
	CHECK_STR(text(&li, "protocol"), "802.1ad", "vlan protocol, in network order");
	s.vlan_proto = ETH_P_8021Q;
	CHECK(built(&s, &li) == 0, "vlan 802.1Q builds");
	CHECK_STR(text(&li, "protocol"), "802.1Q", "vlan protocol");
	CHECK(link_vlan_check(&s, &err) == 0, "vlan: id 4094 802.1Q passes");
	s.vlan_id = 0;
	CHECK(link_vlan_check(&s, &err) == -EINVAL && strstr(err.msg, "1-4094"), "vlan: id 0: %s", err.msg);
	s.vlan_id = 5000;
	CHECK(link_vlan_check(&s, &err) == -EINVAL, "vlan: id 5000: %s", err.msg);
	s.vlan_id = 1;
	s.vlan_proto = 0x0800;
	CHECK(link_vlan_check(&s, &err) == -EINVAL, "vlan: protocol 0x0800: %s", err.msg);
}

static void vxlan(void)
{
	struct link_spec s = spec_of("vxlan");
	struct link_info li;
	struct nl_err err;
	char why[PARSE_WHY];

	s.vni = 42;
	parse_addr("10.0.0.2", &s.remote, why);
	parse_addr("10.0.0.1", &s.local, why);
	s.parent = "u0";
	s.parent_index = 5;
	s.learning = 0;
	CHECK(built(&s, &li) == 0 && !strcmp(li.kind, "vxlan") && is_num(&li, "id", 42),
	      "vxlan: vni 42");
	CHECK_STR(text(&li, "remote"), "10.0.0.2", "vxlan remote");
	CHECK_STR(text(&li, "local"), "10.0.0.1", "vxlan local");
	CHECK(is_num(&li, "link", 5), "vxlan: dev as IFLA_VXLAN_LINK 5");
	CHECK(is_num(&li, "port", 4789), "vxlan: dstport defaults to IANA's 4789, not the kernel's 8472");
	CHECK(is_num(&li, "learning", 0), "vxlan: learning false sent");
	CHECK(link_vxlan_check(&s, &err) == 0, "vxlan: passes its check");

	s = spec_of("vxlan");
	s.vni = (1u << 24) - 1;
	s.dstport = 8472;
	parse_addr("239.1.1.1", &s.remote, why);
	s.parent_index = 5;
	s.parent = "u0";
	CHECK(built(&s, &li) == 0 && is_num(&li, "id", 16777215) && is_num(&li, "port", 8472),
	      "vxlan: the top VNI, dstport 8472");
	CHECK_STR(text(&li, "group"), "239.1.1.1", "vxlan group (multicast)");
	CHECK(!field(&li, "learning"), "vxlan: learning not given, not sent");

	s = spec_of("vxlan");
	s.vni = 7;
	parse_addr("fd00::2", &s.remote, why);
	CHECK(built(&s, &li) == 0, "vxlan over IPv6 builds");
	CHECK_STR(text(&li, "remote6"), "fd00::2", "vxlan remote6");

	{
		struct cidr c;
		static const char *const mc[] = { "224.0.0.1", "239.255.255.255", "ff02::1" };
		static const char *const uc[] = { "223.255.255.255", "240.0.0.1", "10.0.0.1", "fe80::1" };
		size_t i;

		for (i = 0; i < 3; i++)
			CHECK(parse_addr(mc[i], &c, why) == 0 && cidr_multicast(&c), "%s is multicast", mc[i]);
		for (i = 0; i < 4; i++)
			CHECK(parse_addr(uc[i], &c, why) == 0 && !cidr_multicast(&c), "%s is not", uc[i]);
	}
	s = spec_of("vxlan");
	s.vni = 1u << 24;
	CHECK(link_vxlan_check(&s, &err) == -EINVAL && strstr(err.msg, "24 bits"), "vxlan: VNI 2^24: %s",
	      err.msg);
	s.vni = 1;
	parse_addr("239.1.1.1", &s.remote, why);
	CHECK(link_vxlan_check(&s, &err) == -EINVAL, "vxlan: a group without dev: %s", err.msg);
	parse_addr("10.0.0.2", &s.remote, why);
	parse_addr("fd00::1", &s.local, why);
	CHECK(link_vxlan_check(&s, &err) == -EINVAL, "vxlan: mixed families: %s", err.msg);
}

static void dummy(void)
{
	struct link_spec s = spec_of("dummy");
	struct link_info li;

	CHECK(built(&s, &li) == 0 && !strcmp(li.kind, "dummy") && li.ndata == 0 && !li.link,
	      "dummy: the kind alone");
	CHECK(link_kind("dummy")->config && strstr(link_kind("dummy")->config, "CONFIG_DUMMY"),
	      "dummy: the kernel option named");
	CHECK(link_kind("vlan")->parent && link_kind("macvlan")->parent && link_kind("ipvlan")->parent &&
	      !link_kind("vxlan")->parent, "the kinds that need a parent");
}

/* A bounded builder: a buffer too small for the request fails, never overflows. */
static void bounds(void)
{
	struct link_spec s = spec_of("vxlan");
	struct nl_err err = { 0 };
	char why[PARSE_WHY];
	size_t n;

	s.vni = 1;
	parse_addr("fd00::2", &s.remote, why);
	parse_addr("fd00::1", &s.local, why);
	for (n = 16; n < 120; n += 8)
		CHECK(!link_msg_add(buf, n, &s, 0, &err) && err.code == EMSGSIZE,
		      "vxlan in %zu bytes: EMSGSIZE", n);
}

int main(void)
{
	macvlan();
	ipvlan();
	vlan();
	vxlan();
	dummy();
	bounds();
	return check_done();
}
