// SPDX-License-Identifier: MIT
/* bridge: the few IFLA_BR_* settings a lab asks for at creation. */
#include <linux/if_link.h>
#include <libmnl/libmnl.h>

#include "link.h"

int link_bridge_put(struct nlmsghdr *nlh, const struct link_spec *spec, struct nl_err *err)
{
	struct nlattr *data;

	(void)err;
	if (spec->stp < 0 && spec->vlan_filtering < 0 && spec->mcast_snooping < 0)
		return 0;
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	if (spec->stp >= 0)
		mnl_attr_put_u32(nlh, IFLA_BR_STP_STATE, (uint32_t)spec->stp);
	if (spec->vlan_filtering >= 0)
		mnl_attr_put_u8(nlh, IFLA_BR_VLAN_FILTERING, (uint8_t)spec->vlan_filtering);
	if (spec->mcast_snooping >= 0)
		mnl_attr_put_u8(nlh, IFLA_BR_MCAST_SNOOPING, (uint8_t)spec->mcast_snooping);
	mnl_attr_nest_end(nlh, data);
	return 0;
}
