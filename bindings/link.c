// SPDX-License-Identifier: MIT
/* The link module: create, change, delete and list links, and their addresses. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "bind.h"
#include "core/addr.h"
#include "core/link.h"

/* addrgenmode, as ip-link(8) names the modes; -1 when absent. */
static int check_addrgen(lua_State *L, int t)
{
	static const char *const modes[] = { "eui64", "none", "stable_secret", "random", NULL };
	const char *m = nlb_optstring(L, t, "addrgenmode", NULL);
	int i;

	if (!m)
		return -1;
	for (i = 0; modes[i]; i++)
		if (!strcmp(modes[i], m))
			return i; /* IN6_ADDR_GEN_MODE_EUI64, _NONE, _STABLE_PRIVACY, _RANDOM */
	return nlb_argerror(L, t, "field 'addrgenmode': \"none\", \"eui64\", \"stable_secret\" "
			    "or \"random\" expected, got \"%s\"", m);
}

/* The brd option of an IPv4 address: "+" or an address. */
static void check_brd(lua_State *L, int t, struct addr_spec *a)
{
	const char *brd = nlb_optstring(L, t, "brd", NULL);
	char why[PARSE_WHY];

	if (brd && !strcmp(brd, "+")) {
		a->brd = ADDR_BRD_PLUS;
	} else if (brd) {
		a->brd = ADDR_BRD_GIVEN;
		if (parse_addr(brd, &a->broadcast, why) < 0 || a->broadcast.family != AF_INET)
			nlb_argerror(L, t, "field 'brd': \"+\" or an IPv4 address expected");
	}
	if (a->brd != ADDR_BRD_NONE && a->local.family != AF_INET)
		nlb_argerror(L, t, "field 'brd': IPv6 has no broadcast");
}

/* The addr option: a CIDR or a list of them, into a userdata left on the stack. */
static void check_addrs(lua_State *L, int t, struct link_end *e)
{
	struct addr_spec *v;
	char why[PARSE_WHY];
	int type = t ? lua_getfield(L, t, "addr") : (lua_pushnil(L), LUA_TNIL);
	size_t i, n = type == LUA_TSTRING ? 1 : type == LUA_TTABLE ? lua_rawlen(L, -1) : 0;

	if (type != LUA_TNIL && type != LUA_TSTRING && type != LUA_TTABLE)
		nlb_argerror(L, t, "field 'addr': CIDR string expected, got %s", luaL_typename(L, -1));
	if (type == LUA_TTABLE && lua_getmetatable(L, -1))
		nlb_argerror(L, t, "field 'addr': a CIDR string or a plain list of them expected");
	v = lua_newuserdatauv(L, n ? n * sizeof(*v) : 1, 0);
	memset(v, 0, n * sizeof(*v));
	for (i = 0; i < n; i++) {
		if (type == LUA_TTABLE)
			lua_rawgeti(L, -2, (lua_Integer)i + 1);
		else
			lua_pushvalue(L, -2);
		if (lua_type(L, -1) != LUA_TSTRING)
			nlb_argerror(L, t, "field 'addr': CIDR string expected, got %s",
				     luaL_typename(L, -1));
		if (parse_cidr(lua_tostring(L, -1), 1, &v[i].local, why) < 0)
			nlb_argerror(L, t, "%s", why);
		lua_pop(L, 1);
		check_brd(L, t, &v[i]);
	}
	/* A brd with no address would be dropped unread: say so instead. */
	if (n == 0 && lua_getfield(L, t, "brd") != LUA_TNIL)
		nlb_argerror(L, t, "field 'brd' without an 'addr' to be the broadcast of");
	if (n == 0)
		lua_pop(L, 1);
	/* The field goes; the userdata stays on the stack until l_add returns. */
	lua_remove(L, -2);
	e->addrs = v;
	e->naddrs = n;
}

/*
 * The fields each function takes (nlb_checkfields refuses any other): a
 * typo must not quietly build a different lab.
 */
#define END_FIELDS "ns", "up", "mtu", "master", "addrgenmode", "addr", "brd"
static const char *const add_fields[] = { "kind", END_FIELDS, "peer", "queues", "stp",
					  "vlan_filtering", "mcast_snooping", "vlan_protocol",
					  "vlan_default_pvid", "parent", "mode", "id",
					  "protocol", "vni", "remote", "group", "local", "dev",
					  "dstport", "learning", NULL };
static const char *const peer_fields[] = { END_FIELDS, NULL };
static const char *const set_fields[] = { "ns", "up", "mtu", "master", "name", "netns",
					  "alias", "addrgenmode", NULL };
static const char *const ns_fields[] = { "ns", NULL };
static const char *const addr_fields[] = { "ns", "brd", NULL };
static const char *const addrs_fields[] = { "ns", "family", NULL };

/* One end's options: ns, up, mtu, master, addrgenmode, addr (and brd). */
static void check_end(lua_State *L, int t, struct link_end *e)
{
	int up = nlb_optbool(L, t, "up");
	int addrgen = check_addrgen(L, t);

	e->ns = nlb_optns(L, t, "ns");
	e->up = up == 1;
	e->mtu = (unsigned int)nlb_optint(L, t, "mtu", 0, 68, 65535);
	e->master = nlb_optlinkname(L, t, "master");
	e->addrgen = addrgen < 0 ? 0 : addrgen;
	check_addrs(L, t, e);
}

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

/* link.add{name, kind = …, ns =, up =, mtu =, master =, peer = {name, …}} */
static int l_add(lua_State *L)
{
	struct link_spec spec = { .stp = -1, .vlan_filtering = -1, .mcast_snooping = -1,
				  .learning = -1 };
	struct nl_err err = { 0 };
	int t = nlb_args(L, &spec.dev.name), peer_t = 0;

	if (t)
		nlb_checkfields(L, t, t, t == 1, add_fields);
	if (t && lua_getfield(L, t, "peer") == LUA_TTABLE)
		nlb_checkfields(L, -1, t, 1, peer_fields);
	if (t)
		lua_pop(L, 1);
	spec.kind = nlb_optstring(L, t, "kind", NULL);
	if (!spec.kind)
		return nlb_argerror(L, t ? t : 2, "field 'kind' missing (veth, bridge, dummy, …)");
	check_end(L, t, &spec.dev);
	if (!strcmp(spec.kind, "veth")) {
		int type = t ? lua_getfield(L, t, "peer") : LUA_TNIL;

		if (type == LUA_TSTRING) {
			spec.peer.name = lua_tostring(L, -1);
			spec.peer.ns = ns_root();
		} else if (type == LUA_TTABLE) {
			peer_t = lua_gettop(L);
			if (lua_geti(L, peer_t, 1) != LUA_TSTRING)
				return nlb_argerror(L, t, "field 'peer': a name expected as its first item");
			spec.peer.name = lua_tostring(L, -1);
			lua_pop(L, 1);
			check_end(L, peer_t, &spec.peer);
		} else {
			return nlb_argerror(L, t ? t : 2, "field 'peer' missing: a veth has two ends");
		}
		spec.queues = (unsigned int)nlb_optint(L, t, "queues", 1, 1, 4096);
	}
	if (!strcmp(spec.kind, "bridge")) {
		spec.stp = nlb_optbool(L, t, "stp");
		spec.vlan_filtering = nlb_optbool(L, t, "vlan_filtering");
		spec.mcast_snooping = nlb_optbool(L, t, "mcast_snooping");
		check_bridge_vlans(L, t, &spec);
	}
	only_for(L, t, spec.kind, "veth", veth_only);
	only_for(L, t, spec.kind, "bridge", bridge_only);
	check_kind(L, t, &spec);
	if (link_add(&spec, &err) < 0)
		return nlb_error(L, &err);
	nlb_pushlink(L, spec.dev.ns->name, spec.dev.name);
	lua_pushinteger(L, spec.dev.index);
	lua_setfield(L, -2, "index");
	if (spec.peer.name) {
		nlb_pushlink(L, spec.peer.ns->name, spec.peer.name);
		lua_pushinteger(L, spec.peer.index);
		lua_setfield(L, -2, "index");
		lua_setfield(L, -2, "peer");
	}
	return 1;
}

/* The options table of f(link, opts), whose fields are known: its index, or 0. */
static int opts_at(lua_State *L, int idx, const char *const *known)
{
	if (lua_isnoneornil(L, idx))
		return 0;
	luaL_checktype(L, idx, LUA_TTABLE);
	nlb_checkfields(L, idx, idx, 0, known);
	return idx;
}

/* link.set(link, {up =, mtu =, master = name|false, name = new, netns = ns, alias =}) */
static int l_set(lua_State *L)
{
	struct link_change c = LINK_CHANGE_INIT;
	struct nl_err err = { 0 };
	int t = opts_at(L, 2, set_fields);
	struct ns *ns;
	const char *name = nlb_checklink(L, 1, t, &ns);

	if (!t)
		return nlb_argerror(L, 2, "table of changes expected");
	c.up = nlb_optbool(L, t, "up");
	c.mtu = (unsigned int)nlb_optint(L, t, "mtu", 0, 68, 65535);
	if (lua_getfield(L, t, "master") == LUA_TBOOLEAN && !lua_toboolean(L, -1))
		c.master = "";
	else
		c.master = nlb_optlinkname(L, t, "master");
	lua_pop(L, 1);
	c.rename = nlb_optstring(L, t, "name", NULL);
	if (lua_getfield(L, t, "netns") != LUA_TNIL)
		c.netns = nlb_checkns(L, -1);
	lua_pop(L, 1);
	if (lua_getfield(L, t, "alias") == LUA_TBOOLEAN && !lua_toboolean(L, -1))
		c.alias = "";
	else
		c.alias = nlb_optstring(L, t, "alias", NULL);
	lua_pop(L, 1);
	c.addrgen = check_addrgen(L, t);
	if (link_set(ns, name, &c, &err) < 0)
		return nlb_error(L, &err);
	/* Given a name, the link's object; given an object, that object, which follows its link. */
	if (!lua_istable(L, 1)) {
		nlb_pushlink(L, (c.netns ? c.netns : ns)->name, c.rename ? c.rename : name);
		return 1;
	}
	if (c.rename) {
		lua_pushstring(L, c.rename);
		lua_setfield(L, 1, "name");
	}
	if (c.netns) {
		nlb_pushns(L, c.netns->name);
		lua_setfield(L, 1, "ns");
	}
	lua_settop(L, 1);
	return 1;
}

static int l_del(lua_State *L)
{
	struct nl_err err = { 0 };
	struct ns *ns;
	const char *name = nlb_checklink(L, 1, opts_at(L, 2, ns_fields), &ns);

	if (link_del(ns, name, &err) < 0)
		return nlb_error(L, &err);
	return 0;
}

static void setstr(lua_State *L, const char *k, const char *v)
{
	if (!v || !*v)
		return;
	lua_pushstring(L, v);
	lua_setfield(L, -2, k);
}

static void setint(lua_State *L, const char *k, lua_Integer v)
{
	lua_pushinteger(L, v);
	lua_setfield(L, -2, k);
}

/* Names as ip lists them, and bits none names as ip writes them (hex). */
static void push_names(lua_State *L, const char **names, size_t n, unsigned int rest)
{
	size_t i;

	lua_createtable(L, (int)n, 0);
	for (i = 0; i < n; i++) {
		lua_pushstring(L, names[i]);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	if (rest) {
		lua_pushfstring(L, "%x", rest);
		lua_rawseti(L, -2, (lua_Integer)n + 1);
	}
}

/*
 * linkinfo.info_data as ip -j -d gives it, field by field from what the
 * core read (core/link_data.c): this names no kind. A link of the same
 * namespace goes as its index, for netlab.state to name.
 */
static void push_data(lua_State *L, const struct link_info *li)
{
	const char *names[32];
	unsigned int i, rest;
	size_t n;

	if (!li->ndata)
		return;
	lua_createtable(L, 0, (int)li->ndata);
	for (i = 0; i < li->ndata; i++) {
		const struct link_datum *d = &li->data[i];

		switch (d->type) {
		case LINK_DV_BOOL:
			lua_pushboolean(L, (int)d->num);
			break;
		case LINK_DV_STR:
			lua_pushstring(L, d->str);
			break;
		case LINK_DV_FLAGS:
			n = link_flag_list((unsigned int)d->num, d->flagnames, names, 32, &rest);
			push_names(L, names, n < 32 ? n : 32, rest);
			break;
		default:
			lua_pushinteger(L, d->num);
		}
		lua_setfield(L, -2, d->name);
	}
	lua_setfield(L, -2, "info_data");
}

static void push_info(lua_State *L, const struct link_info *li, const char *nsname)
{
	const char *names[32];
	unsigned int rest;
	size_t n;
	char mac[18];

	lua_createtable(L, 0, 12);
	setstr(L, "name", li->name);
	setstr(L, "ns", nsname);
	setint(L, "index", li->index);
	setstr(L, "kind", li->kind[0] ? li->kind : "device");
	setstr(L, "state", link_state_name(li->operstate));
	lua_pushboolean(L, !!(li->flags & IFF_UP));
	lua_setfield(L, -2, "up");
	/* Set with the carrier itself, where state waits for the kernel's linkwatch (docs/hacking.md). */
	lua_pushboolean(L, !!(li->flags & IFF_LOWER_UP));
	lua_setfield(L, -2, "carrier");
	setint(L, "mtu", li->mtu);
	setstr(L, "master", li->master_name);
	/* The other link: a veth's peer, or the parent another kind sits on (a vxlan's dev). */
	if (!strcmp(li->kind, "veth")) {
		setstr(L, "peer", li->other_name);
		setstr(L, "peer_ns", li->other_name[0] ? li->other_ns : NULL);
	} else {
		setstr(L, "parent", li->other_name);
		setstr(L, "parent_ns", li->other_name[0] ? li->other_ns : NULL);
	}
	setstr(L, "alias", li->alias);
	/* As `ip -j link` gives them: the peer's index, and the id of its namespace when it is another. */
	if (li->link && (li->link != li->index || li->link_nsid >= 0))
		setint(L, "link_index", li->link);
	if (li->link_nsid >= 0)
		setint(L, "link_netnsid", li->link_nsid);
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", li->mac[0], li->mac[1],
		 li->mac[2], li->mac[3], li->mac[4], li->mac[5]);
	setstr(L, "mac", mac);
	n = link_ifflags(li->flags, names, 32, &rest);
	push_names(L, names, n < 32 ? n : 32, rest);
	lua_setfield(L, -2, "flags");
	push_data(L, li);
	lua_newtable(L);
	lua_setfield(L, -2, "addrs");
	nlb_setmeta(L, "netlab.linkinfo");
}

static const char *scope_name(int scope)
{
	switch (scope) {
	case RT_SCOPE_UNIVERSE:
		return "global";
	case RT_SCOPE_LINK:
		return "link";
	case RT_SCOPE_HOST:
		return "host";
	case RT_SCOPE_SITE:
		return "site";
	default:
		return "nowhere";
	}
}

static void push_addr(lua_State *L, const struct addr_info *ai)
{
	char b[INET6_ADDRSTRLEN + 8];

	lua_createtable(L, 0, 5);
	setstr(L, "dev", ai->dev);
	cidr_fmt(&ai->local, b, sizeof(b));
	setstr(L, "addr", b);
	setstr(L, "family", ai->local.family == AF_INET ? "inet" : "inet6");
	if (ai->has_brd) {
		inet_ntop(AF_INET, ai->broadcast.a.b, b, sizeof(b));
		setstr(L, "brd", b);
	}
	setstr(L, "scope", scope_name(ai->scope));
	nlb_setmeta(L, "netlab.addr");
}

/* Adds ai's address to the addrs list of the info table whose index matches. */
static int attach_addr(const struct addr_info *ai, void *data)
{
	lua_State *L = data;
	char b[INET6_ADDRSTRLEN + 8];
	lua_Integer i, n = (lua_Integer)lua_rawlen(L, -1);

	cidr_fmt(&ai->local, b, sizeof(b));
	for (i = 1; i <= n; i++) {
		lua_rawgeti(L, -1, i);
		lua_getfield(L, -1, "index");
		if (lua_tointeger(L, -1) == ai->ifindex) {
			lua_getfield(L, -2, "addrs");
			lua_pushstring(L, b);
			lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
			lua_pop(L, 1);
		}
		lua_pop(L, 2);
	}
	return 0;
}

/*
 * The link f(link [, opts]) is about, read into li (with its peer when full);
 * 0 when there is none, which link.get and link._state return as nil.
 */
static int read_link(lua_State *L, int full, struct link_info *li, struct ns **ns)
{
	struct nl_err err = { 0 };
	const char *name = nlb_checklink(L, 1, opts_at(L, 2, ns_fields), ns);

	if (link_get(*ns, name, full, li, &err) < 0) {
		if (err.code == ENODEV)
			return 0;
		return nlb_error(L, &err);
	}
	return 1;
}

static int l_get(lua_State *L)
{
	struct nl_err err = { 0 };
	struct link_info li;
	struct ns *ns;

	if (!read_link(L, 1, &li, &ns))
		return 0;
	/* Put it in a list of one, so attach_addr serves both get and list. */
	lua_createtable(L, 1, 0);
	push_info(L, &li, ns->name);
	lua_rawseti(L, -2, 1);
	if (addr_list(ns, NULL, AF_UNSPEC, attach_addr, L, &err) < 0)
		return nlb_error(L, &err);
	lua_rawgeti(L, -1, 1);
	return 1;
}

/* f(), f(ns), f{ns = …}: the namespace a listing is about. */
static struct ns *list_ns(lua_State *L, int idx, int *t)
{
	*t = 0;
	if (lua_istable(L, idx) && !lua_getmetatable(L, idx)) {
		*t = idx;
		nlb_checkfields(L, idx, idx, 0, ns_fields);
		return nlb_optns(L, idx, "ns");
	}
	if (lua_istable(L, idx))
		lua_pop(L, 1);
	return nlb_checkns(L, idx);
}

static int list_cb(const struct link_info *li, void *data)
{
	lua_State *L = data;

	lua_getfield(L, -1, "__ns");
	push_info(L, li, lua_tostring(L, -1));
	lua_remove(L, -2);
	lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
	return 0;
}

static int l_list(lua_State *L)
{
	struct nl_err err = { 0 };
	int t;
	struct ns *ns = list_ns(L, 1, &t);

	lua_newtable(L);
	lua_pushstring(L, ns->name);
	lua_setfield(L, -2, "__ns");
	if (link_list(ns, 1, list_cb, L, &err) < 0 ||
	    addr_list(ns, NULL, AF_UNSPEC, attach_addr, L, &err) < 0)
		return nlb_error(L, &err);
	lua_pushnil(L);
	lua_setfield(L, -2, "__ns");
	nlb_setmeta(L, "netlab.links");
	return 1;
}

static void check_cidr(lua_State *L, int idx, struct cidr *c)
{
	char why[PARSE_WHY];

	if (parse_cidr(luaL_checkstring(L, idx), 1, c, why) < 0)
		nlb_argerror(L, idx, "%s", why);
}

/* link.addr_add(link, "10.0.0.1/24", {ns =, brd = "+"|addr}) */
static int l_addr_add(lua_State *L)
{
	struct nl_err err = { 0 };
	struct addr_spec a = { 0 };
	int t = opts_at(L, 3, addr_fields);
	struct ns *ns;
	const char *dev = nlb_checklink(L, 1, t, &ns);

	check_cidr(L, 2, &a.local);
	check_brd(L, t, &a);
	if (addr_add(ns, dev, &a, &err) < 0)
		return nlb_error(L, &err);
	return 0;
}

static int l_addr_del(lua_State *L)
{
	struct nl_err err = { 0 };
	struct cidr c;
	struct ns *ns;
	const char *dev = nlb_checklink(L, 1, opts_at(L, 3, ns_fields), &ns);

	check_cidr(L, 2, &c);
	if (addr_del(ns, dev, &c, &err) < 0)
		return nlb_error(L, &err);
	return 0;
}

static int addrs_cb(const struct addr_info *ai, void *data)
{
	lua_State *L = data;

	push_addr(L, ai);
	lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
	return 0;
}

/* link.addrs([link], {ns =, family = "inet"|"inet6"}) */
static int l_addrs(lua_State *L)
{
	static const char *const fams[] = { "all", "inet", "inet6", NULL };
	static const int famv[] = { AF_UNSPEC, AF_INET, AF_INET6 };
	struct nl_err err = { 0 };
	const char *dev = NULL, *fam;
	struct ns *ns;
	int t, f;

	if (lua_istable(L, 1) && !lua_getmetatable(L, 1)) {
		t = 1; /* link.addrs{ns = …} */
		nlb_checkfields(L, t, t, 0, addrs_fields);
		ns = nlb_optns(L, t, "ns");
	} else {
		if (lua_istable(L, 1))
			lua_pop(L, 1);
		t = opts_at(L, 2, addrs_fields);
		if (lua_isnoneornil(L, 1))
			ns = nlb_optns(L, t, "ns");
		else
			dev = nlb_checklink(L, 1, t, &ns);
	}
	fam = nlb_optstring(L, t, "family", "all");
	for (f = 0; fams[f] && strcmp(fams[f], fam); f++)
		;
	if (!fams[f])
		return nlb_argerror(L, t, "field 'family': \"inet\", \"inet6\" or \"all\" expected, got \"%s\"", fam);
	lua_newtable(L);
	if (addr_list(ns, dev, famv[f], addrs_cb, L, &err) < 0)
		return nlb_error(L, &err);
	nlb_setmeta(L, "netlab.addrs");
	return 1;
}

/*
 * link._state(link [, opts]): what labs compare, cheaply: index, kind, up,
 * mtu, master index and alias, with no peer or address lookups. nil if absent.
 */
static int l_state(lua_State *L)
{
	struct link_info li;
	struct ns *ns;

	if (!read_link(L, 0, &li, &ns))
		return 0;
	lua_createtable(L, 0, 6);
	setint(L, "index", li.index);
	setstr(L, "kind", li.kind[0] ? li.kind : "device");
	lua_pushboolean(L, !!(li.flags & IFF_UP));
	lua_setfield(L, -2, "up");
	setint(L, "mtu", li.mtu);
	setint(L, "master", li.master);
	setstr(L, "alias", li.alias);
	return 1;
}

static int names_cb(const struct link_info *li, void *data)
{
	lua_State *L = data;

	lua_pushinteger(L, li->index);
	lua_setfield(L, -2, li->name);
	return 0;
}

/* link._names([ns]): name -> index of every link, from one dump. */
static int l_names(lua_State *L)
{
	struct nl_err err = { 0 };
	struct ns *ns = nlb_checkns(L, 1);

	lua_newtable(L);
	if (link_list(ns, 0, names_cb, L, &err) < 0)
		return nlb_error(L, &err);
	return 1;
}

static const luaL_Reg link_funcs[] = {
	{ "_state", l_state },
	{ "_names", l_names },
	{ "add", l_add },
	{ "set", l_set },
	{ "del", l_del },
	{ "get", l_get },
	{ "list", l_list },
	{ "addr_add", l_addr_add },
	{ "addr_del", l_addr_del },
	{ "addrs", l_addrs },
	{ NULL, NULL },
};

static const struct nlb_spec link_specs[] = {
	{ "add", add_fields, "peer", peer_fields },
	{ "set", set_fields, NULL, NULL },
	{ "del", ns_fields, NULL, NULL },
	{ "addr_add", addr_fields, NULL, NULL },
	{ "addr_del", ns_fields, NULL, NULL },
	{ NULL, NULL, NULL, NULL },
};

int luaopen_link(lua_State *L)
{
	luaL_newlib(L, link_funcs);
	nlb_link_neigh(L);
	nlb_setspecs(L, link_specs);
	return 1;
}
