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
 *
 * The rest of a veth's part in link_add() is here too (which end the
 * request names, through link_msg.c's kind table). The peer's namespace and
 * name are read back by link_other() (link.c), as any link's parent is.
 */
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <stdio.h>
#include <string.h>
#include <libmnl/libmnl.h>

#include "link.h"

void link_veth_queues(struct nl_msg *m, const struct link_spec *spec)
{
	uint32_t q = spec->queues ? spec->queues : 1;

	nl_put_u32(m, IFLA_NUM_TX_QUEUES, q);
	nl_put_u32(m, IFLA_NUM_RX_QUEUES, q);
}

void link_veth_put(struct nl_msg *m, const struct link_spec *spec)
{
	const struct link_end *p = &spec->peer;
	struct nlattr *data, *peer;
	struct ifinfomsg *ifm;

	data = nl_nest_start(m, IFLA_INFO_DATA);
	peer = nl_nest_start(m, VETH_INFO_PEER);
	/*
	 * The peer's own ifinfomsg. Its flags are left clear: asking for the
	 * peer to come up here fails the whole request with ENOTCONN on current
	 * kernels (6.18), so link_add() brings it up with a second request.
	 */
	ifm = nl_put_extra(m, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	nl_put_strz(m, IFLA_IFNAME, p->name ? p->name : "", IFNAMSIZ, "interface name");
	link_veth_queues(m, spec);
	if (p->mtu)
		nl_put_u32(m, IFLA_MTU, p->mtu);
	if (p->ns && p->ns != spec->dev.ns)
		nl_put_u32(m, IFLA_NET_NS_FD, (uint32_t)p->ns->fd);
	nl_nest_end(m, peer);
	nl_nest_end(m, data);
}

/*
 * The kernel sets IFLA_MASTER and the up flag on the device a request
 * names, not on a veth's peer: the end that has a master (or is to be up)
 * must be the one the request names. 1 when that is spec's peer.
 */
int link_veth_swap(const struct link_spec *spec)
{
	return (spec->peer.master && !spec->dev.master) ||
	       (spec->peer.up && !spec->dev.up && !spec->dev.master);
}
