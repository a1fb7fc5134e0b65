// SPDX-License-Identifier: MIT
/* ipvlan: links that share their parent's MAC address, switching by IP (l3, l3s) or MAC (l2). */
#include <errno.h>
#include <linux/if_link.h>
#include <libmnl/libmnl.h>

#include "link.h"

/* spec.mode is IPVLAN_MODE_* + 1, so that 0 stays "the kernel's default" (l3). */
int link_ipvlan_check(const struct link_spec *spec, struct nl_err *err)
{
	if (spec->mode < 0 || spec->mode > IPVLAN_MODE_L3S + 1)
		return nl_fail(err, EINVAL, "mode %d is none of ipvlan's", spec->mode - 1);
	return 0;
}

void link_ipvlan_put(struct nl_msg *m, const struct link_spec *spec)
{
	struct nlattr *data;
	uint16_t mode = (uint16_t)(spec->mode - 1);

	if (!spec->mode)
		return;
	data = nl_nest_start(m, IFLA_INFO_DATA);
	nl_put(m, IFLA_IPVLAN_MODE, sizeof(mode), &mode);
	nl_nest_end(m, data);
}
