// SPDX-License-Identifier: MIT
/*
 * bridge: the few IFLA_BR_* settings a lab asks for at creation, and what
 * a kernel without VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING) does with
 * them: it refuses vlan_filtering with a bare EOPNOTSUPP (and takes the
 * half-made bridge away itself), but keeps quiet about vlan_protocol and
 * vlan_default_pvid, which it neither sets nor reports. So the first is
 * explained when refused and the others are read back.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <libmnl/libmnl.h>

#include "brvlan.h"
#include "link.h"

static int wants_vlans(const struct link_spec *spec)
{
	return spec->vlan_filtering > 0 || spec->br_vlan_proto || spec->br_default_pvid;
}

int link_bridge_check(const struct link_spec *spec, struct nl_err *err)
{
	if (spec->br_vlan_proto && spec->br_vlan_proto != ETH_P_8021Q &&
	    spec->br_vlan_proto != ETH_P_8021AD)
		return nl_fail(err, EINVAL, "VLAN protocol 0x%04x is neither 802.1Q nor 802.1ad",
			       spec->br_vlan_proto);
	if (spec->br_default_pvid < -1 || spec->br_default_pvid > 4094)
		return nl_fail(err, EINVAL, "default PVID %d outside 0-4094", spec->br_default_pvid);
	return 0;
}

void link_bridge_put(struct nl_msg *m, const struct link_spec *spec)
{
	struct nlattr *data;

	if (spec->stp < 0 && spec->vlan_filtering <= 0 && spec->mcast_snooping < 0 &&
	    !spec->br_vlan_proto && !spec->br_default_pvid)
		return;
	data = nl_nest_start(m, IFLA_INFO_DATA);
	if (spec->stp >= 0)
		nl_put_u32(m, IFLA_BR_STP_STATE, (uint32_t)spec->stp);
	/* Off is the default: not asked for, so that a kernel without it still makes the bridge. */
	if (spec->vlan_filtering > 0)
		nl_put_u8(m, IFLA_BR_VLAN_FILTERING, 1);
	if (spec->br_vlan_proto) {
		uint16_t proto = htons((uint16_t)spec->br_vlan_proto);

		nl_put(m, IFLA_BR_VLAN_PROTOCOL, sizeof(proto), &proto);
	}
	if (spec->br_default_pvid) {
		uint16_t pvid = spec->br_default_pvid < 0 ? 0 : (uint16_t)spec->br_default_pvid;

		nl_put(m, IFLA_BR_VLAN_DEFAULT_PVID, sizeof(pvid), &pvid);
	}
	if (spec->mcast_snooping >= 0)
		nl_put_u8(m, IFLA_BR_MCAST_SNOOPING, (uint8_t)spec->mcast_snooping);
	nl_nest_end(m, data);
}

int link_bridge_refused(const struct link_spec *spec, struct nl_err *err)
{
	/* "Unknown device type" is the kernel without bridges at all: not ours to say. */
	if (!wants_vlans(spec) || err->msg[0])
		return 0;
	nl_fail(err, EOPNOTSUPP, "this kernel has no %s", BRVLAN_CONFIG);
	return 1;
}

static const struct link_datum *datum(const struct link_info *li, const char *name)
{
	unsigned int i;

	for (i = 0; i < li->ndata; i++)
		if (!strcmp(li->data[i].name, name))
			return &li->data[i];
	return NULL;
}

int link_bridge_verify(const struct link_spec *spec, const struct link_info *li,
		       struct nl_err *err)
{
	const struct link_datum *f = datum(li, "vlan_filtering");
	const struct link_datum *p = datum(li, "vlan_protocol");
	const struct link_datum *d = datum(li, "vlan_default_pvid");
	int pvid = spec->br_default_pvid < 0 ? 0 : spec->br_default_pvid;
	/* as link_data.c names it */
	const char *proto = spec->br_vlan_proto == ETH_P_8021AD ? "802.1ad" : "802.1Q";

	if ((spec->vlan_filtering > 0 && (!f || f->num != 1)) ||
	    (spec->br_vlan_proto && (!p || strcmp(p->str, proto))) ||
	    (spec->br_default_pvid && (!d || d->num != pvid)))
		return nl_fail(err, EOPNOTSUPP, "this kernel has no %s", BRVLAN_CONFIG);
	return 0;
}
