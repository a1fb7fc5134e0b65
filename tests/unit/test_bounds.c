// SPDX-License-Identifier: MIT
/*
 * The bounds of every request builder, with no kernel: names at and past
 * their attribute's limit, and buffers too short by one byte or many.
 */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <libmnl/libmnl.h>

#include "check_msg.h"
#include "core/addr.h"
#include "core/link.h"
#include "core/nl.h"
#include "core/route.h"


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

int main(void)
{
	bounded_requests();
	name_bounds();
	tight_buffers();
	return check_done();
}
