// SPDX-License-Identifier: MIT
/* Link requests built and parsed back, and link answers parsed, with no kernel. */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <libmnl/libmnl.h>

#include "check_msg.h"
#include "core/link.h"
#include "core/nl.h"

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
	      !link_kind("dummy")->put_data && !link_kind("dummy")->put_link &&
	      !link_kind("vxlan")->pair && !link_kind("vxlan")->put_link &&
	      link_kind("vxlan")->put_data == link_vxlan_put &&
	      link_kind("macvlan")->parent && link_kind("macvlan")->put_link,
	      "kinds: veth a pair that may swap, bridge and vxlan their data, macvlan a parent, dummy nothing");
}

int main(void)
{
	lookup_requests();
	veth_order();
	veth_request();
	bridge_request();
	change_request();
	addrgen_requests();
	link_answer();
	return check_done();
}
