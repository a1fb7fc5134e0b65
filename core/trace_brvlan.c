// SPDX-License-Identifier: MIT
/*
 * The trace of a bridge's VLAN requests (core/brvlan.c) as bridge(8) says
 * them: `bridge [-n NS] vlan add dev PORT vid N [pvid] [untagged] [self]`.
 * trace_link.c hands over every link request of family AF_BRIDGE.
 */
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <linux/if_bridge.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "nl.h"
#include "trace_int.h"

int trace_brvlan(struct out *o, const struct nlmsghdr *nlh, const struct trace_names *n)
{
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	const struct bridge_vlan_info *vi = NULL;
	const struct nlattr *a, *af = NULL;
	char dev[IF_NAMESIZE];
	uint16_t flags = 0;
	int r;

	if (nlh->nlmsg_type != RTM_SETLINK && nlh->nlmsg_type != RTM_DELLINK)
		return -EOPNOTSUPP;
	mnl_attr_for_each(a, nlh, sizeof(*ifm))
		if (mnl_attr_get_type(a) == IFLA_AF_SPEC)
			af = a;
	if (!af)
		return -EOPNOTSUPP;
	mnl_attr_for_each_nested(a, af) {
		if (mnl_attr_get_type(a) == IFLA_BRIDGE_FLAGS &&
		    mnl_attr_validate(a, MNL_TYPE_U16) == 0)
			flags = mnl_attr_get_u16(a);
		else if (mnl_attr_get_type(a) == IFLA_BRIDGE_VLAN_INFO && !vi &&
			 mnl_attr_get_payload_len(a) >= sizeof(*vi))
			vi = mnl_attr_get_payload(a);
		else
			return -EOPNOTSUPP; /* a range, a tunnel: not what netlab sends */
	}
	if (!vi || (vi->flags & ~(BRIDGE_VLAN_INFO_PVID | BRIDGE_VLAN_INFO_UNTAGGED)) ||
	    (flags & ~BRIDGE_FLAGS_SELF))
		return -EOPNOTSUPP;
	r = if_name(n, ifm->ifi_index, dev);
	if (r < 0)
		return r;
	put(o, "bridge");
	if (!is_root(n->ns)) {
		put(o, " -n");
		word(o, n->ns);
	}
	put(o, " vlan %s dev", nlh->nlmsg_type == RTM_SETLINK ? "add" : "del");
	word(o, dev);
	put(o, " vid %u%s%s%s", vi->vid, vi->flags & BRIDGE_VLAN_INFO_PVID ? " pvid" : "",
	    vi->flags & BRIDGE_VLAN_INFO_UNTAGGED ? " untagged" : "",
	    flags & BRIDGE_FLAGS_SELF ? " self" : "");
	return 0;
}
