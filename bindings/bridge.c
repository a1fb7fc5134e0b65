// SPDX-License-Identifier: MIT
/*
 * The bridge module's C half: a bridge's VLANs (as `bridge vlan`) over
 * core/brvlan.c. The rest of the module is a link's functions in a
 * bridge's words, in bridge.lua.
 */
#include <string.h>

#include "bind.h"
#include "core/brvlan.h"

static const char *const vlan_fields[] = { "vid", "pvid", "untagged", "ns", NULL };
static const char *const vlan_del_fields[] = { "vid", "ns", NULL };
static const char *const vlans_fields[] = { "ns", NULL };

/* The VLAN id at opts.vid, which must be there. */
static unsigned int checkvid(lua_State *L, int t)
{
	if (lua_getfield(L, t, "vid") == LUA_TNIL)
		nlb_argerror(L, t, "field 'vid' missing: a VLAN id, 1-4094");
	lua_pop(L, 1);
	return (unsigned int)nlb_optint(L, t, "vid", 0, 1, 4094);
}

/* bridge.vlan(PORT, {vid =, pvid =, untagged =, ns =}): `bridge vlan add`. */
static int l_vlan(lua_State *L)
{
	struct brvlan_spec s = { 0 };
	struct nl_err err = { 0 };
	const char *dev;
	struct ns *ns;

	luaL_checktype(L, 2, LUA_TTABLE);
	nlb_checkfields(L, 2, 2, 0, vlan_fields);
	dev = nlb_checklink(L, 1, 2, &ns);
	s.vid = checkvid(L, 2);
	s.pvid = nlb_optbool(L, 2, "pvid") == 1;
	s.untagged = nlb_optbool(L, 2, "untagged") == 1;
	if (brvlan_add(ns, dev, &s, &err) < 0)
		return nlb_error(L, &err);
	return 0;
}

/* bridge.vlan_del(PORT, {vid =, ns =}): `bridge vlan del`. */
static int l_vlan_del(lua_State *L)
{
	struct nl_err err = { 0 };
	const char *dev;
	struct ns *ns;

	luaL_checktype(L, 2, LUA_TTABLE);
	nlb_checkfields(L, 2, 2, 0, vlan_del_fields);
	dev = nlb_checklink(L, 1, 2, &ns);
	if (brvlan_del(ns, dev, checkvid(L, 2), &err) < 0)
		return nlb_error(L, &err);
	return 0;
}

static int push_cb(const struct brvlan_info *bi, void *data)
{
	lua_State *L = data;

	lua_createtable(L, 0, 4);
	lua_pushstring(L, bi->port);
	lua_setfield(L, -2, "port");
	lua_pushinteger(L, bi->vid);
	lua_setfield(L, -2, "vid");
	lua_pushboolean(L, bi->pvid);
	lua_setfield(L, -2, "pvid");
	lua_pushboolean(L, bi->untagged);
	lua_setfield(L, -2, "untagged");
	lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
	return 0;
}

/* bridge.vlans(BRIDGE or PORT or nil, {ns =}): the rows of `bridge vlan show [dev X]`. */
static int l_vlans(lua_State *L)
{
	struct nl_err err = { 0 };
	const char *dev = NULL;
	struct ns *ns;
	int t = 0;

	if (!lua_isnoneornil(L, 2)) {
		luaL_checktype(L, 2, LUA_TTABLE);
		nlb_checkfields(L, 2, 2, 0, vlans_fields);
		t = 2;
	}
	if (lua_isnoneornil(L, 1))
		ns = nlb_optns(L, t, "ns");
	else
		dev = nlb_checklink(L, 1, t, &ns);
	lua_newtable(L);
	if (brvlan_list(ns, dev, push_cb, L, &err) < 0)
		return nlb_error(L, &err);
	return 1;
}

/* bridge.has_vlan_filtering(): true, or false and what the kernel lacks. */
static int l_has_vlan_filtering(lua_State *L)
{
	struct nl_err err = { 0 };
	int r = brvlan_kernel(&err);

	if (r < 0)
		return nlb_error(L, &err);
	lua_pushboolean(L, r);
	if (r)
		return 1;
	lua_pushstring(L, "this kernel has no " BRVLAN_CONFIG);
	return 2;
}

static const luaL_Reg bridge_funcs[] = {
	{ "vlan", l_vlan },
	{ "vlan_del", l_vlan_del },
	{ "vlans", l_vlans },
	{ "has_vlan_filtering", l_has_vlan_filtering },
	{ NULL, NULL },
};

static const struct nlb_spec bridge_specs[] = {
	{ "vlan", vlan_fields, NULL, NULL },
	{ "vlan_del", vlan_del_fields, NULL, NULL },
	{ "vlans", vlans_fields, NULL, NULL },
	{ NULL, NULL, NULL, NULL },
};

int luaopen_bridge(lua_State *L)
{
	luaL_newlib(L, bridge_funcs);
	nlb_setspecs(L, bridge_specs);
	return 1;
}
