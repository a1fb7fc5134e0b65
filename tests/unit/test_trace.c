// SPDX-License-Identifier: MIT
/*
 * The trace's formatter: requests built by the core's own builders, read back
 * as the commands that make the same change, with no kernel. The names an
 * ifindex or a namespace descriptor stands for come from a table here.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <net/if.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>

#include "check.h"
#include "core/addr.h"
#include "core/link.h"
#include "core/neigh.h"
#include "core/nft.h"
#include "core/nl.h"
#include "core/parse.h"
#include "core/route.h"
#include "core/trace.h"

static char buf[NL_REQSZ], line[TRACE_LINE];
static struct nl_err err;

/* ifindex 5 is super-bridge0, 6 veth-purple, 7 a name that needs quotes; fd 3 the root, 7 purple */
static int ifname(void *data, int index, char *name)
{
	(void)data;
	if (index == 5)
		strcpy(name, "super-bridge0");
	else if (index == 6)
		strcpy(name, "veth-purple");
	else if (index == 7)
		strcpy(name, "it's");
	else
		return -ENODEV;
	return 0;
}

static const char *nsname(void *data, int fd)
{
	(void)data;
	return fd == 3 ? "root" : fd == 7 ? "purple" : fd == 8 ? "orange" : fd == 9 ? "pid:4242" : NULL;
}

static struct trace_names in(const char *ns)
{
	struct trace_names n = { .ns = ns, .ifname = ifname, .nsname = nsname };

	return n;
}

static void rtnl(const struct nlmsghdr *nlh, const char *ns, const char *want, const char *what)
{
	struct trace_names n = in(ns);
	int r = nlh ? trace_rtnl(nlh, &n, line, sizeof(line)) : -EINVAL;

	CHECK(r == (int)strlen(want), "%s: length %d", what, r);
	CHECK_STR(line, want, what);
}

static struct cidr cidr(const char *s)
{
	struct cidr c;
	char why[PARSE_WHY];

	parse_cidr(s, 0, &c, why);
	return c;
}

static void links(void)
{
	struct ns root = { .name = "root", .fd = 3 }, purple = { .name = "purple", .fd = 7 },
		  orange = { .name = "orange", .fd = 8 }, box = { .name = "pid:4242", .fd = 9, .pid = 4242 };
	struct link_spec spec = { .kind = "veth", .stp = -1, .vlan_filtering = -1,
				  .mcast_snooping = -1 };
	struct link_change c = LINK_CHANGE_INIT;

	/* The tutorial's veth: the end with a master is the one the request names. */
	spec.dev = (struct link_end){ .name = "veth-purple-br", .ns = &root };
	spec.peer = (struct link_end){ .name = "veth-purple", .ns = &purple };
	rtnl(link_msg_add(buf, sizeof(buf), &spec, 5, &err), "root",
	     "ip link add veth-purple-br master super-bridge0 type veth peer name veth-purple netns purple",
	     "veth, master in the root, peer in purple");
	/* Sent from inside purple with the peer in the root: the tutorial's form, from the root. */
	spec.dev = (struct link_end){ .name = "veth-purple", .ns = &purple, .up = 1, .mtu = 1400 };
	spec.peer = (struct link_end){ .name = "veth-purple-br", .ns = &root, .mtu = 1400 };
	rtnl(link_msg_add(buf, sizeof(buf), &spec, 0, &err), "purple",
	     "ip link add veth-purple netns purple mtu 1400 up type veth peer name veth-purple-br mtu 1400",
	     "veth into purple, peer in the root");
	/* With a master in purple, the command must run there: the root is the shell's. */
	rtnl(link_msg_add(buf, sizeof(buf), &spec, 5, &err), "purple",
	     "ip -n purple link add veth-purple mtu 1400 master super-bridge0 up type veth peer name "
	     "veth-purple-br mtu 1400 netns $$",
	     "veth with a master in purple, peer in the root");
	spec.dev.up = 0;
	spec.dev.mtu = spec.peer.mtu = 0;
	spec.peer.ns = &orange;
	rtnl(link_msg_add(buf, sizeof(buf), &spec, 0, &err), "purple",
	     "ip -n purple link add veth-purple type veth peer name veth-purple-br netns orange",
	     "veth between two named namespaces");
	spec.peer.ns = &purple;
	rtnl(link_msg_add(buf, sizeof(buf), &spec, 0, &err), "purple",
	     "ip -n purple link add veth-purple type veth peer name veth-purple-br",
	     "veth inside one namespace");
	/* A process's namespace (ns.of): ip takes its PID after netns; -n it has not. */
	spec.dev.ns = &root;
	spec.peer.ns = &box;
	rtnl(link_msg_add(buf, sizeof(buf), &spec, 0, &err), "root",
	     "ip link add veth-purple type veth peer name veth-purple-br netns 4242",
	     "veth with its peer in a process's namespace");
	spec.dev.ns = &box;
	spec.peer.ns = &box;
	rtnl(link_msg_add(buf, sizeof(buf), &spec, 0, &err), "pid:4242",
	     "nsenter --target 4242 --net ip link add veth-purple type veth peer name veth-purple-br",
	     "veth inside a process's namespace");
	spec.dev.ns = &purple;
	spec.peer.ns = &purple;
	spec.queues = 4;
	rtnl(link_msg_add(buf, sizeof(buf), &spec, 0, &err), "purple",
	     "ip -n purple link add veth-purple numtxqueues 4 numrxqueues 4 type veth peer name "
	     "veth-purple-br numtxqueues 4 numrxqueues 4",
	     "veth with its queues, each end");
	spec.queues = 0;
	spec.peer.ns = NULL;
	spec.kind = "bridge";
	spec.stp = 1;
	spec.vlan_filtering = 1;
	spec.dev = (struct link_end){ .name = "br0", .ns = &root, .up = 1 };
	rtnl(link_msg_add(buf, sizeof(buf), &spec, 0, &err), NULL,
	     "ip link add br0 up type bridge stp_state 1 vlan_filtering 1", "bridge and its settings");

	c.up = 1;
	rtnl(link_msg_change(buf, sizeof(buf), "veth-purple", &c, 0, &err), "purple",
	     "ip -n purple link set dev veth-purple up", "up, by name");
	c.up = 0;
	c.mtu = 9000;
	c.rename = "lan0";
	c.alias = "it's mine";
	rtnl(link_msg_change(buf, sizeof(buf), "veth-purple", &c, 6, &err), "purple",
	     "ip -n purple link set dev veth-purple name lan0 mtu 9000 alias 'it'\\''s mine' down",
	     "rename by index, mtu, an alias quoted for sh, down");
	c = (struct link_change)LINK_CHANGE_INIT;
	c.netns = &root;
	rtnl(link_msg_change(buf, sizeof(buf), "veth-purple", &c, 0, &err), "purple",
	     "ip -n purple link set dev veth-purple netns $$", "moved to the root");
	c.netns = &orange;
	rtnl(link_msg_change(buf, sizeof(buf), "veth-purple", &c, 0, &err), "purple",
	     "ip -n purple link set dev veth-purple netns orange", "moved to orange");
	c = (struct link_change)LINK_CHANGE_INIT;
	c.addrgen = 1;
	{
		int count = 0;
		size_t n = link_msg_changes(buf, sizeof(buf), "veth-purple", &c, 0, 0, &count, &err);

		CHECK(n && count == 1, "nomaster and addrgenmode: one request");
		rtnl(n ? (struct nlmsghdr *)buf : NULL, NULL,
		     "ip link set dev veth-purple addrgenmode none nomaster", "nomaster, addrgenmode");
		n = link_msg_changes(buf, sizeof(buf), "veth-purple", &c, 0, 7, &count, &err);
		rtnl(n ? (struct nlmsghdr *)buf : NULL, NULL,
		     "ip link set dev veth-purple addrgenmode none master 'it'\\''s'",
		     "a master named by index");
	}
	rtnl(link_msg_del(buf, sizeof(buf), "veth-purple", &err), "purple",
	     "ip -n purple link del veth-purple", "del");

	/* What cannot be named is refused, never guessed. */
	{
		struct trace_names n = in("purple");

		c = (struct link_change)LINK_CHANGE_INIT;
		c.up = 1;
		CHECK(trace_rtnl(link_msg_change(buf, sizeof(buf), "x", &c, 99, &err), &n, line,
				 sizeof(line)) == -ENODEV && !line[0],
		      "an index with no name: -ENODEV, no line");
		c.netns = &(struct ns){ .name = "gone", .fd = 42 };
		CHECK(trace_rtnl(link_msg_change(buf, sizeof(buf), "x", &c, 0, &err), &n, line,
				 sizeof(line)) == -EOPNOTSUPP,
		      "a namespace descriptor nobody knows: -EOPNOTSUPP");
		c.netns = NULL;
		CHECK(trace_rtnl(link_msg_change(buf, sizeof(buf), "x", &c, 0, &err), &n, line, 20) ==
			      -EMSGSIZE,
		      "a line that does not fit: -EMSGSIZE, never a cut command");
	}
}

/*
 * The kinds of issue 17, read back from link_msg_add()'s own requests: the
 * ones this kernel has (macvlan, vxlan) are also pasted into a sandbox by
 * tests/lua/trace.lua; ipvlan, 802.1Q and dummy have only this witness.
 */
static void kinds(void)
{
	struct ns root = { .name = "root", .fd = 3 }, purple = { .name = "purple", .fd = 7 };
	struct link_spec spec = { .kind = "macvlan", .stp = -1, .vlan_filtering = -1,
				  .mcast_snooping = -1, .learning = -1 };
	char why[PARSE_WHY];

	spec.dev = (struct link_end){ .name = "mv0", .ns = &root };
	spec.parent = "veth-purple";
	spec.parent_index = 6;
	spec.mode = MACVLAN_MODE_BRIDGE;
	rtnl(link_msg_add(buf, sizeof(buf), &spec, 0, &err), NULL,
	     "ip link add mv0 link veth-purple type macvlan mode bridge", "macvlan, mode bridge");
	spec.dev.ns = &purple;
	spec.dev.up = 1;
	spec.mode = MACVLAN_MODE_PASSTHRU;
	rtnl(link_msg_add(buf, sizeof(buf), &spec, 0, &err), "purple",
	     "ip -n purple link add mv0 link veth-purple up type macvlan mode passthru",
	     "macvlan made in a namespace: from there, where its parent is named");
	spec.mode = 0;
	spec.dev.up = 0;
	rtnl(link_msg_add(buf, sizeof(buf), &spec, 0, &err), "purple",
	     "ip -n purple link add mv0 link veth-purple type macvlan",
	     "macvlan without a mode: the kernel's default, as ip sends it");
	spec.parent_index = 99;
	CHECK(trace_rtnl(link_msg_add(buf, sizeof(buf), &spec, 0, &err), &(struct trace_names){
			 .ns = "purple", .ifname = ifname }, line, sizeof(line)) == -ENODEV,
	      "a parent with no name: -ENODEV");
	spec.parent_index = 6;

	spec.kind = "ipvlan";
	spec.dev = (struct link_end){ .name = "ipv0", .ns = &root };
	spec.mode = IPVLAN_MODE_L2 + 1;
	rtnl(link_msg_add(buf, sizeof(buf), &spec, 0, &err), NULL,
	     "ip link add ipv0 link veth-purple type ipvlan mode l2", "ipvlan l2");
	spec.mode = IPVLAN_MODE_L3 + 1;
	rtnl(link_msg_add(buf, sizeof(buf), &spec, 0, &err), NULL,
	     "ip link add ipv0 link veth-purple type ipvlan mode l3", "ipvlan l3");
	spec.mode = IPVLAN_MODE_L3S + 1;
	spec.dev.mtu = 1400;
	rtnl(link_msg_add(buf, sizeof(buf), &spec, 5, &err), NULL,
	     "ip link add ipv0 link veth-purple mtu 1400 master super-bridge0 type ipvlan mode l3s",
	     "ipvlan l3s, with an mtu and a master");
	spec.dev.mtu = 0;

	spec.kind = "vlan";
	spec.mode = 0;
	spec.dev = (struct link_end){ .name = "veth-purple.10", .ns = &purple, .up = 1 };
	spec.vlan_id = 10;
	spec.vlan_proto = ETH_P_8021AD;
	rtnl(link_msg_add(buf, sizeof(buf), &spec, 0, &err), "purple",
	     "ip -n purple link add veth-purple.10 link veth-purple up type vlan id 10 protocol 802.1ad",
	     "vlan 802.1ad in a namespace");
	spec.vlan_id = 4094;
	spec.vlan_proto = ETH_P_8021Q;
	spec.dev.up = 0;
	rtnl(link_msg_add(buf, sizeof(buf), &spec, 0, &err), "purple",
	     "ip -n purple link add veth-purple.10 link veth-purple type vlan id 4094 protocol 802.1Q",
	     "vlan 802.1Q");

	spec.kind = "dummy";
	spec.parent = NULL;
	spec.parent_index = 0;
	spec.dev = (struct link_end){ .name = "d0", .ns = &root, .up = 1 };
	rtnl(link_msg_add(buf, sizeof(buf), &spec, 0, &err), NULL, "ip link add d0 up type dummy",
	     "dummy");
	spec.dev.ns = &purple;
	rtnl(link_msg_add(buf, sizeof(buf), &spec, 0, &err), "purple",
	     "ip -n purple link add d0 up type dummy", "dummy in a namespace");

	spec.kind = "vxlan";
	spec.dev = (struct link_end){ .name = "vx0", .ns = &purple, .up = 1 };
	spec.vni = 42;
	spec.dstport = 4789;
	spec.learning = 0;
	parse_addr("10.6.0.2", &spec.remote, why);
	parse_addr("10.6.0.1", &spec.local, why);
	spec.parent = "veth-purple";
	spec.parent_index = 6;
	rtnl(link_msg_add(buf, sizeof(buf), &spec, 5, &err), "purple",
	     "ip -n purple link add vx0 master super-bridge0 up type vxlan id 42 remote 10.6.0.2 "
	     "local 10.6.0.1 dev veth-purple dstport 4789 nolearning",
	     "vxlan: remote, local, dev, port, no learning");
	parse_addr("ff05::42", &spec.remote, why);
	spec.local.family = 0;
	spec.dstport = 8472;
	spec.learning = 1;
	spec.dev.up = 0;
	rtnl(link_msg_add(buf, sizeof(buf), &spec, 0, &err), "purple",
	     "ip -n purple link add vx0 type vxlan id 42 group ff05::42 dev veth-purple dstport 8472 "
	     "learning",
	     "vxlan: an IPv6 group, learning said");
	spec.remote.family = 0;
	spec.parent = NULL;
	spec.parent_index = 0;
	spec.learning = -1;
	spec.vni = 0;
	spec.dstport = 0;
	rtnl(link_msg_add(buf, sizeof(buf), &spec, 0, &err), "purple",
	     "ip -n purple link add vx0 type vxlan id 0 dstport 4789", "vxlan: only the id and port");

	/* Attributes no ip word sets, or that link_data.c does not read: no command. */
	{
		struct trace_names n = in(NULL);
		static const uint32_t extra[] = { IFLA_MACVLAN_MACADDR_MODE,
						  IFLA_MACVLAN_BC_QUEUE_LEN_USED };
		size_t i;

		for (i = 0; i < 2; i++) {
			struct nl_msg m;
			struct nlattr *info, *data;

			nl_msg_start(&m, buf, sizeof(buf), RTM_NEWLINK,
				     NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL, &err);
			nl_put_extra(&m, sizeof(struct ifinfomsg));
			nl_put_strz(&m, IFLA_IFNAME, "mv0", IFNAMSIZ, "name");
			nl_put_u32(&m, IFLA_LINK, 6);
			info = nl_nest_start(&m, IFLA_LINKINFO);
			nl_put_strz(&m, IFLA_INFO_KIND, "macvlan", LINK_KIND_MAX, "kind");
			data = nl_nest_start(&m, IFLA_INFO_DATA);
			nl_put_u32(&m, IFLA_MACVLAN_MODE, MACVLAN_MODE_BRIDGE);
			nl_put_u32(&m, (uint16_t)extra[i], 1);
			nl_nest_end(&m, data);
			nl_nest_end(&m, info);
			CHECK(nl_msg_done(&m) && trace_rtnl(m.nlh, &n, line, sizeof(line)) == -EOPNOTSUPP &&
				      !line[0],
			      "macvlan with attribute %u: -EOPNOTSUPP, no line", (unsigned int)extra[i]);
		}
	}
}

static void neighbours(void)
{
	struct neigh_spec s = { .addr = cidr("10.7.0.9"), .mac = { 0x02, 0, 0, 0, 0, 0x09 } };

	rtnl(neigh_msg(buf, sizeof(buf), RTM_NEWNEIGH, 6, &s, &err), "purple",
	     "ip -n purple neigh replace 10.7.0.9 lladdr 02:00:00:00:00:09 dev veth-purple nud permanent",
	     "a static neighbour (replace: it wins over a learnt one)");
	rtnl(neigh_msg(buf, sizeof(buf), RTM_DELNEIGH, 6, &s, &err), "purple",
	     "ip -n purple neigh del 10.7.0.9 dev veth-purple", "neighbour del");
	s.addr = cidr("2001:db8::9");
	rtnl(neigh_msg(buf, sizeof(buf), RTM_NEWNEIGH, 5, &s, &err), NULL,
	     "ip neigh replace 2001:db8::9 lladdr 02:00:00:00:00:09 dev super-bridge0 nud permanent",
	     "an IPv6 neighbour");
	{
		struct trace_names n = in(NULL);
		struct nlmsghdr *nlh = neigh_msg(buf, sizeof(buf), RTM_NEWNEIGH, 5, &s, &err);

		((struct ndmsg *)mnl_nlmsg_get_payload(nlh))->ndm_state = 0x02 | 0x04;
		CHECK(trace_rtnl(nlh, &n, line, sizeof(line)) == -EOPNOTSUPP,
		      "a mix of NUD states: -EOPNOTSUPP");
	}
}

static void addrs_routes(void)
{
	struct addr_spec a = { .local = cidr("192.168.52.1/24"), .brd = ADDR_BRD_PLUS };
	struct route_spec r = { .dst = cidr("0.0.0.0/0") };

	rtnl(addr_msg(buf, sizeof(buf), RTM_NEWADDR, 6, &a, &err), "purple",
	     "ip -n purple addr add 192.168.52.1/24 broadcast 192.168.52.255 dev veth-purple",
	     "address with brd +");
	a.brd = ADDR_BRD_NONE;
	rtnl(addr_msg(buf, sizeof(buf), RTM_DELADDR, 6, &a, &err), "purple",
	     "ip -n purple addr del 192.168.52.1/24 dev veth-purple", "address del");
	a.local = cidr("2001:db8::1/64");
	rtnl(addr_msg(buf, sizeof(buf), RTM_NEWADDR, 5, &a, &err), NULL,
	     "ip addr add 2001:db8::1/64 dev super-bridge0", "IPv6 address");

	r.has_via = 1;
	r.via = cidr("192.168.52.5");
	rtnl(route_msg(buf, sizeof(buf), ROUTE_ADD, &r, 0, &err), "orange",
	     "ip -n orange route add default via 192.168.52.5", "default route");
	r.dst = cidr("10.1.0.0/16");
	r.has_metric = 1;
	r.metric = 20;
	r.table = 100;
	r.onlink = 1;
	rtnl(route_msg(buf, sizeof(buf), ROUTE_REPLACE, &r, 6, &err), "orange",
	     "ip -n orange route replace 10.1.0.0/16 via 192.168.52.5 dev veth-purple metric 20 "
	     "table 100 onlink",
	     "replace, dev, metric, table, onlink");
	r = (struct route_spec){ .dst = cidr("2001:db8:1::/48"), .table = 1000 };
	rtnl(route_msg(buf, sizeof(buf), ROUTE_ADD, &r, 5, &err), NULL,
	     "ip -6 route add 2001:db8:1::/48 dev super-bridge0 table 1000", "IPv6, table past 255");
	rtnl(route_msg(buf, sizeof(buf), ROUTE_DEL, &r, 5, &err), NULL,
	     "ip -6 route del 2001:db8:1::/48 dev super-bridge0 table 1000", "route del");
}

static void nft(const struct nlmsghdr *nlh, const char *ns, const char *want, const char *what)
{
	int r = nlh ? trace_nft(nlh, ns, line, sizeof(line)) : -EINVAL;

	CHECK(r == (int)strlen(want), "%s: length %d", what, r);
	CHECK_STR(line, want, what);
}

static void nftables(void)
{
	struct nft_rule_spec r = { .chain = NFT_POSTROUTING, .action = NFT_MASQUERADE };

	nft(nft_msg_table(buf, sizeof(buf), NFT_MSG_NEWTABLE, "netlab", &err), NULL,
	    "nft add table inet netlab '{ comment \"netlab\"; }'", "table, with netlab's tag");
	nft(nft_msg_table(buf, sizeof(buf), NFT_MSG_DELTABLE, "netlab", &err), "purple",
	    "ip netns exec purple nft delete table inet netlab", "table del in a namespace");
	nft(nft_msg_chain(buf, sizeof(buf), "netlab", NFT_POSTROUTING, -1, &err), NULL,
	    "nft add chain inet netlab postrouting '{ type nat hook postrouting priority srcnat; }'",
	    "nat chain");
	nft(nft_msg_chain(buf, sizeof(buf), "netlab", NFT_PREROUTING, -1, &err), NULL,
	    "nft add chain inet netlab prerouting '{ type nat hook prerouting priority dstnat; }'",
	    "dstnat chain");
	nft(nft_msg_chain(buf, sizeof(buf), "netlab", NFT_FORWARD, NF_DROP, &err), NULL,
	    "nft add chain inet netlab forward '{ type filter hook forward priority filter; policy "
	    "drop; }'",
	    "filter chain with a policy");
	r.family = AF_INET;
	r.has_saddr = 1;
	r.saddr = cidr("192.168.52.0/24");
	nft(nft_msg_rule(buf, sizeof(buf), "netlab", &r, &err), NULL,
	    "nft add rule inet netlab postrouting ip saddr 192.168.52.0/24 masquerade",
	    "the tutorial's masquerade");
	snprintf(r.oif, sizeof(r.oif), "wan0");
	snprintf(r.comment, sizeof(r.comment), "netlab:lab1");
	nft(nft_msg_rule(buf, sizeof(buf), "netlab", &r, &err), "purple",
	    "ip netns exec purple nft add rule inet netlab postrouting 'ip saddr 192.168.52.0/24 "
	    "oifname \"wan0\" masquerade comment \"netlab:lab1\"'",
	    "a rule with quotes and a comment, one word for sh");
	nft(nft_msg_delrule(buf, sizeof(buf), "netlab", "postrouting", 7, &err), NULL,
	    "nft delete rule inet netlab postrouting handle 7", "rule del by handle");
}

static void others(void)
{
	CHECK(trace_netns(1, "purple", line, sizeof(line)) > 0 &&
		      !strcmp(line, "ip netns add purple"), "netns add: %s", line);
	CHECK(trace_netns(0, "purple", line, sizeof(line)) > 0 &&
		      !strcmp(line, "ip netns del purple"), "netns del: %s", line);
	CHECK(trace_sysctl("root", "net.ipv4.ip_forward", "1", line, sizeof(line)) > 0 &&
		      !strcmp(line, "sysctl -w net.ipv4.ip_forward=1"), "sysctl: %s", line);
	CHECK(trace_sysctl("purple", "net.ipv4.ip_forward", "1", line, sizeof(line)) > 0 &&
		      !strcmp(line, "ip netns exec purple sysctl -w net.ipv4.ip_forward=1"),
	      "sysctl in a namespace: %s", line);
	CHECK(trace_sysctl("pid:4242", "net.ipv4.ip_forward", "1", line, sizeof(line)) > 0 &&
		      !strcmp(line, "nsenter --target 4242 --net sysctl -w net.ipv4.ip_forward=1"),
	      "sysctl in a process's namespace: %s", line);
	CHECK(trace_netns(1, "purple", line, 8) == -EMSGSIZE, "netns: bounded");
	CHECK(trace_netns_attach("cool", 4242, line, sizeof(line)) > 0 &&
		      !strcmp(line, "ip netns attach cool 4242"), "netns attach: %s", line);
	CHECK(trace_netns_kill("cool", SIGTERM, line, sizeof(line)) > 0 &&
		      !strcmp(line, "ip netns pids cool | xargs -r kill -TERM"), "ns.kill: %s", line);
	CHECK(trace_netns_kill("it's", SIGKILL, line, sizeof(line)) > 0 &&
		      !strcmp(line, "ip netns pids 'it'\\''s' | xargs -r kill -KILL"),
	      "ns.kill, a quoted name: %s", line);
}

int main(void)
{
	links();
	kinds();
	neighbours();
	addrs_routes();
	nftables();
	others();
	return check_done();
}
