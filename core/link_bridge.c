// SPDX-License-Identifier: MIT
/* bridge: the few IFLA_BR_* settings a lab asks for at creation. */
#include <linux/if_link.h>
#include <libmnl/libmnl.h>

#include "link.h"

void link_bridge_put(struct nl_msg *m, const struct link_spec *spec)
{
	struct nlattr *data;

	if (spec->stp < 0 && spec->vlan_filtering < 0 && spec->mcast_snooping < 0)
		return;
	data = nl_nest_start(m, IFLA_INFO_DATA);
	if (spec->stp >= 0)
		nl_put_u32(m, IFLA_BR_STP_STATE, (uint32_t)spec->stp);
	if (spec->vlan_filtering >= 0)
		nl_put_u8(m, IFLA_BR_VLAN_FILTERING, (uint8_t)spec->vlan_filtering);
	if (spec->mcast_snooping >= 0)
		nl_put_u8(m, IFLA_BR_MCAST_SNOOPING, (uint8_t)spec->mcast_snooping);
	nl_nest_end(m, data);
}
