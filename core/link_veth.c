// SPDX-License-Identifier: MIT
/*
 * veth: the peer is described inside the request, with its own ifinfomsg,
 * and created directly in its namespace through IFLA_NET_NS_FD. Creating it
 * elsewhere and moving it costs the kernel an RCU grace period per link.
 *
 * The queue counts are always given. Without them the kernel makes each end
 * with a queue per CPU, then, the end registered, cuts it down to one queue
 * in use, and that waits for an RCU grace period: two per veth, about half
 * of what making one costs.
 */
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <string.h>
#include <libmnl/libmnl.h>

#include "link.h"

void link_veth_queues(struct nlmsghdr *nlh, const struct link_spec *spec)
{
	uint32_t q = spec->queues ? spec->queues : 1;

	mnl_attr_put_u32(nlh, IFLA_NUM_TX_QUEUES, q);
	mnl_attr_put_u32(nlh, IFLA_NUM_RX_QUEUES, q);
}

int link_veth_put(struct nlmsghdr *nlh, const struct link_spec *spec, struct nl_err *err)
{
	const struct link_end *p = &spec->peer;
	struct nlattr *data, *peer;
	struct ifinfomsg *ifm;

	(void)err;
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	/*
	 * The peer's own ifinfomsg. Its flags are left clear: asking for the
	 * peer to come up here fails the whole request with ENOTCONN on current
	 * kernels (6.18), so link_add() brings it up with a second request.
	 */
	ifm = mnl_nlmsg_get_payload_tail(nlh);
	memset(ifm, 0, sizeof(*ifm));
	nlh->nlmsg_len += MNL_ALIGN(sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, p->name);
	link_veth_queues(nlh, spec);
	if (p->mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, p->mtu);
	if (p->ns != spec->dev.ns)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)p->ns->fd);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, data);
	return 0;
}
