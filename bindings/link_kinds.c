// SPDX-License-Identifier: MIT
/*
 * link.add's options of one kind: a bridge's (stp, VLAN filtering), and
 * macvlan's, ipvlan's, vlan's and vxlan's (parent, mode, id, vni, …),
 * checked before anything is made; an option of one kind given to another
 * is refused. What every kind takes (ns, up, mtu, master, addr, a veth's
 * peer) is link.c's.
 */
#include <string.h>
#include <strings.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>

#include "bind.h"
#include "core/link.h"

static const char *const veth_only[] = { "peer", "queues", NULL };
static const char *const bridge_only[] = { "stp", "vlan_filtering", "mcast_snooping",
					   "vlan_protocol", "vlan_default_pvid", NULL };
static const char *const vlan_only[] = { "id", "protocol", NULL };
static const char *const vxlan_only[] = { "vni", "remote", "group", "local", "dev", "dstport",
					  "learning", NULL };
static const char *const parent_only[] = { "parent", NULL };
static const char *const mode_only[] = { "mode", NULL };

/* Options of one kind given to another would be dropped unread: refused instead. */
static void only_for(lua_State *L, int t, const char *kind, const char *want,
		     const char *const *fields)
{
	if (!t || !strcmp(kind, want))
		return;
	for (; *fields; fields++) {
		if (lua_getfield(L, t, *fields) != LUA_TNIL)
			nlb_argerror(L, t, "field '%s': only a %s has it, not a %s", *fields, want, kind);
		lua_pop(L, 1);
	}
}

/* A bridge's vlan_protocol ("802.1Q", "802.1ad") and vlan_default_pvid (0: none). */
static void check_bridge_vlans(lua_State *L, int t, struct link_spec *spec)
{
	const char *p = nlb_optstring(L, t, "vlan_protocol", NULL);
	lua_Integer pvid = nlb_optint(L, t, "vlan_default_pvid", -1, 0, 4094);

	if (p && !strcasecmp(p, "802.1Q"))
		spec->br_vlan_proto = ETH_P_8021Q;
	else if (p && !strcasecmp(p, "802.1ad"))
		spec->br_vlan_proto = ETH_P_8021AD;
	else if (p)
		nlb_argerror(L, t, "field 'vlan_protocol': \"802.1Q\" or \"802.1ad\" expected, "
			     "got \"%s\"", p);
	spec->br_default_pvid = pvid < 0 ? 0 : pvid == 0 ? -1 : (int)pvid;
}

/* A name from a list, its index in it; -1 when absent. */
static int check_mode(lua_State *L, int t, const char *kind, const char *const *names,
		      const char *list)
{
	const char *m = nlb_optstring(L, t, "mode", NULL);
	int i;

	if (!m)
		return -1;
	for (i = 0; names[i]; i++)
		if (names[i][0] != '-' && !strcmp(names[i], m))
			return i;
	return nlb_argerror(L, t, "field 'mode': %s mode %s expected, got \"%s\"", kind, list, m);
}

/* A VXLAN endpoint address; multicast says whether it must be one (1) or must not (0). */
static void check_endpoint(lua_State *L, int t, const char *field, int multicast,
			   struct cidr *out)
{
	const char *s = nlb_optstring(L, t, field, NULL);
	char why[PARSE_WHY];
	int mc;

	if (!s)
		return;
	if (parse_addr(s, out, why) < 0)
		nlb_argerror(L, t, "field '%s': %s", field, why);
	mc = cidr_multicast(out);
	if (multicast >= 0 && mc != multicast)
		nlb_argerror(L, t, "field '%s': %s is %s multicast address%s", field, s,
			     mc ? "a" : "not a", mc ? " (a group =, not a remote =)" : "");
}

/* The options of macvlan, ipvlan, vlan and vxlan, checked before anything is made. */
static void check_kind(lua_State *L, int t, struct link_spec *spec)
{
	static const char *const macvlan_modes[] = { "-", "private", "vepa", "-", "bridge", "-",
						     "-", "-", "passthru", "-", "-", "-", "-",
						     "-", "-", "-", "source", NULL };
	static const char *const ipvlan_modes[] = { "l2", "l3", "l3s", NULL };
	const char *k = spec->kind;
	int vxlan = !strcmp(k, "vxlan");
	int mode;

	if (!strcmp(k, "macvlan") || !strcmp(k, "ipvlan") || !strcmp(k, "vlan")) {
		spec->parent = nlb_optlinkname(L, t, "parent");
		if (!spec->parent)
			nlb_argerror(L, t ? t : 2, "field 'parent' missing: a %s sits on a link "
				     "of its namespace", k);
	}
	if (!strcmp(k, "macvlan")) {
		mode = check_mode(L, t, k, macvlan_modes,
				  "\"bridge\", \"private\", \"vepa\", \"passthru\" or \"source\"");
		spec->mode = mode < 0 ? MACVLAN_MODE_BRIDGE : mode;
	} else if (!strcmp(k, "ipvlan")) {
		mode = check_mode(L, t, k, ipvlan_modes, "\"l2\", \"l3\" or \"l3s\"");
		spec->mode = mode + 1; /* 0: the kernel's default */
	} else if (!strcmp(k, "vlan")) {
		const char *p = nlb_optstring(L, t, "protocol", "802.1Q");

		if (!t || lua_getfield(L, t, "id") == LUA_TNIL)
			nlb_argerror(L, t ? t : 2, "field 'id' missing: a VLAN's id, 1-4094");
		lua_pop(L, 1);
		spec->vlan_id = (unsigned int)nlb_optint(L, t, "id", 0, 1, 4094);
		if (!strcasecmp(p, "802.1Q"))
			spec->vlan_proto = ETH_P_8021Q;
		else if (!strcasecmp(p, "802.1ad"))
			spec->vlan_proto = ETH_P_8021AD;
		else
			nlb_argerror(L, t, "field 'protocol': \"802.1Q\" or \"802.1ad\" expected, "
				     "got \"%s\"", p);
	} else if (vxlan) {
		int remote, group;

		if (!t || lua_getfield(L, t, "vni") == LUA_TNIL)
			nlb_argerror(L, t ? t : 2, "field 'vni' missing: a VXLAN's id, 0-16777215");
		lua_pop(L, 1);
		spec->vni = (unsigned int)nlb_optint(L, t, "vni", 0, 0, (1 << 24) - 1);
		remote = lua_getfield(L, t, "remote") != LUA_TNIL;
		group = lua_getfield(L, t, "group") != LUA_TNIL;
		lua_pop(L, 2);
		if (remote && group)
			nlb_argerror(L, t, "fields 'remote' and 'group' together: a VXLAN sends "
				     "either to one remote or to a multicast group");
		check_endpoint(L, t, "remote", 0, &spec->remote);
		check_endpoint(L, t, "group", 1, &spec->remote);
		check_endpoint(L, t, "local", 0, &spec->local);
		spec->parent = nlb_optlinkname(L, t, "dev");
		if (group && !spec->parent)
			nlb_argerror(L, t, "field 'group' without a 'dev' to join it on");
		spec->dstport = (unsigned int)nlb_optint(L, t, "dstport", 4789, 1, 65535);
		spec->learning = nlb_optbool(L, t, "learning");
	}
	if (!vxlan) {
		only_for(L, t, k, "vxlan", vxlan_only);
		if (strcmp(k, "vlan"))
			only_for(L, t, k, "vlan", vlan_only);
		if (strcmp(k, "macvlan") && strcmp(k, "ipvlan") && strcmp(k, "vlan"))
			only_for(L, t, k, "macvlan, ipvlan or vlan", parent_only);
		if (strcmp(k, "macvlan") && strcmp(k, "ipvlan"))
			only_for(L, t, k, "macvlan or ipvlan", mode_only);
	} else {
		only_for(L, t, k, "vlan", vlan_only);
		only_for(L, t, k, "macvlan, ipvlan or vlan", parent_only);
		only_for(L, t, k, "macvlan or ipvlan", mode_only);
	}
}

void nlb_link_kind_opts(lua_State *L, int t, struct link_spec *spec)
{
	if (!strcmp(spec->kind, "bridge")) {
		spec->stp = nlb_optbool(L, t, "stp");
		spec->vlan_filtering = nlb_optbool(L, t, "vlan_filtering");
		spec->mcast_snooping = nlb_optbool(L, t, "mcast_snooping");
		check_bridge_vlans(L, t, spec);
	}
	only_for(L, t, spec->kind, "veth", veth_only);
	only_for(L, t, spec->kind, "bridge", bridge_only);
	check_kind(L, t, spec);
}
