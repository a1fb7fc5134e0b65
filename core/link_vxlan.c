// SPDX-License-Identifier: MIT
/*
 * vxlan: a VNI tunnelled in UDP, to one remote or a multicast group, from a
 * local address, over an underlay device (spec.parent). The port is always
 * given: the kernel's own default is 8472 (Linux's old one), not IANA's 4789.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_link.h>
#include <libmnl/libmnl.h>

#include "link.h"

int link_vxlan_check(const struct link_spec *spec, struct nl_err *err)
{
	if (spec->vni >= 1u << 24)
		return nl_fail(err, EINVAL, "VNI %u outside 0-16777215 (24 bits)", spec->vni);
	if (spec->dstport > 65535)
		return nl_fail(err, EINVAL, "dstport %u outside 0-65535", spec->dstport);
	if (spec->remote.family && spec->local.family &&
	    spec->remote.family != spec->local.family)
		return nl_fail(err, EINVAL, "remote (or group) and local of different families");
	if (spec->remote.family && cidr_multicast(&spec->remote) && !spec->parent)
		return nl_fail(err, EINVAL, "a multicast group needs a device (dev =) to join it on");
	return 0;
}

void link_vxlan_put(struct nl_msg *m, const struct link_spec *spec)
{
	struct nlattr *data = nl_nest_start(m, IFLA_INFO_DATA);
	uint16_t port = htons((uint16_t)(spec->dstport ? spec->dstport : 4789));
	int v6 = spec->remote.family == AF_INET6 || spec->local.family == AF_INET6;

	nl_put_u32(m, IFLA_VXLAN_ID, spec->vni);
	if (spec->remote.family)
		nl_put(m, v6 ? IFLA_VXLAN_GROUP6 : IFLA_VXLAN_GROUP, v6 ? 16 : 4, spec->remote.a.b);
	if (spec->local.family)
		nl_put(m, v6 ? IFLA_VXLAN_LOCAL6 : IFLA_VXLAN_LOCAL, v6 ? 16 : 4, spec->local.a.b);
	if (spec->parent_index)
		nl_put_u32(m, IFLA_VXLAN_LINK, (uint32_t)spec->parent_index);
	nl_put(m, IFLA_VXLAN_PORT, sizeof(port), &port);
	if (spec->learning >= 0)
		nl_put_u8(m, IFLA_VXLAN_LEARNING, (uint8_t)spec->learning);
	nl_nest_end(m, data);
}
