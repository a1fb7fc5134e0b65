// SPDX-License-Identifier: MIT
/* macvlan: a second MAC address on a parent link of the same namespace, in one of five modes. */
#include <errno.h>
#include <linux/if_link.h>
#include <libmnl/libmnl.h>

#include "link.h"

int link_macvlan_check(const struct link_spec *spec, struct nl_err *err)
{
	switch (spec->mode) {
	case 0: case MACVLAN_MODE_PRIVATE: case MACVLAN_MODE_VEPA: case MACVLAN_MODE_BRIDGE:
	case MACVLAN_MODE_PASSTHRU: case MACVLAN_MODE_SOURCE:
		return 0;
	}
	return nl_fail(err, EINVAL, "mode %d is none of macvlan's", spec->mode);
}

void link_macvlan_put(struct nl_msg *m, const struct link_spec *spec)
{
	struct nlattr *data;

	if (!spec->mode)
		return;
	data = nl_nest_start(m, IFLA_INFO_DATA);
	nl_put_u32(m, IFLA_MACVLAN_MODE, (uint32_t)spec->mode);
	nl_nest_end(m, data);
}
