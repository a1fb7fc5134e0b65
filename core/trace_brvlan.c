// SPDX-License-Identifier: MIT
/*
 * The trace of a bridge's VLAN requests (core/brvlan.c) as bridge(8) says
 * them: `bridge [-n NS] vlan add dev PORT vid N [pvid] [untagged] [self]`.
 * trace.c hands over every link request of family AF_BRIDGE.
 */
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <linux/if_bridge.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "nl.h"
#include "text.h"
#include "trace.h"

int trace_brvlan(const struct nlmsghdr *nlh, const struct trace_names *n, char *buf, size_t len,
		 size_t *k)
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
	if (!n->ifname || ifm->ifi_index <= 0)
		return -ENODEV;
	r = n->ifname(n->data, ifm->ifi_index, dev);
	if (r < 0)
		return r;
	text_append(buf, len, k, "bridge");
	if (n->ns && strcmp(n->ns, "root")) {
		text_append(buf, len, k, " -n");
		trace_word(buf, len, k, n->ns);
	}
	text_append(buf, len, k, " vlan %s dev", nlh->nlmsg_type == RTM_SETLINK ? "add" : "del");
	trace_word(buf, len, k, dev);
	text_append(buf, len, k, " vid %u%s%s%s", vi->vid,
		    vi->flags & BRIDGE_VLAN_INFO_PVID ? " pvid" : "",
		    vi->flags & BRIDGE_VLAN_INFO_UNTAGGED ? " untagged" : "",
		    flags & BRIDGE_FLAGS_SELF ? " self" : "");
	return 0;
}
