// SPDX-License-Identifier: MIT
/* vlan: an 802.1Q (or 802.1ad) tagged link on a parent of the same namespace. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <libmnl/libmnl.h>

#include "link.h"

int link_vlan_check(const struct link_spec *spec, struct nl_err *err)
{
	if (spec->vlan_id < 1 || spec->vlan_id > 4094)
		return nl_fail(err, EINVAL, "VLAN id %u outside 1-4094", spec->vlan_id);
	if (spec->vlan_proto && spec->vlan_proto != ETH_P_8021Q && spec->vlan_proto != ETH_P_8021AD)
		return nl_fail(err, EINVAL, "VLAN protocol 0x%04x is neither 802.1Q nor 802.1ad",
			       spec->vlan_proto);
	return 0;
}

void link_vlan_put(struct nl_msg *m, const struct link_spec *spec)
{
	struct nlattr *data = nl_nest_start(m, IFLA_INFO_DATA);
	uint16_t id = (uint16_t)spec->vlan_id;

	nl_put(m, IFLA_VLAN_ID, sizeof(id), &id);
	if (spec->vlan_proto) {
		uint16_t proto = htons((uint16_t)spec->vlan_proto); /* on the wire, as an ethertype */

		nl_put(m, IFLA_VLAN_PROTOCOL, sizeof(proto), &proto);
	}
	nl_nest_end(m, data);
}
