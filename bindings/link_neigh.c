// SPDX-License-Identifier: MIT
/*
 * The link module's neighbours: link.neighbors, link.neighbor_add and
 * link.neighbor_del (as `ip neigh`).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "bind.h"
#include "core/neigh.h"

static const char *const list_fields[] = { "ns", NULL };
static const char *const add_fields[] = { "addr", "mac", "link", "ns", NULL };
static const char *const del_fields[] = { "addr", "link", "ns", NULL };

static int is_meta(lua_State *L, int idx, const char *tname)
{
	int r;

	if (!lua_istable(L, idx) || !lua_getmetatable(L, idx))
		return 0;
	luaL_getmetatable(L, tname);
	r = lua_rawequal(L, -1, -2);
	lua_pop(L, 2);
	return r;
}

static void push_neigh(lua_State *L, const struct neigh_info *ni)
{
	char b[INET6_ADDRSTRLEN], mac[sizeof(ni->mac) * 3 + 1] = "";
	size_t i;

	lua_createtable(L, 0, 4);
	inet_ntop(ni->addr.family, ni->addr.a.b, b, sizeof(b));
	lua_pushstring(L, b);
	lua_setfield(L, -2, "addr");
	/* "aa:bb:…": the pair i starts at 3i; the last one's colon is cut by the NUL. */
	for (i = 0; i < ni->maclen; i++)
		snprintf(mac + 3 * i, sizeof(mac) - 3 * i, "%02x:", ni->mac[i]);
	if (ni->maclen)
		mac[3 * ni->maclen - 1] = '\0';
	/* An entry still resolving (INCOMPLETE, FAILED) has no MAC: nil, as ip leaves lladdr out. */
	if (ni->maclen) {
		lua_pushstring(L, mac);
		lua_setfield(L, -2, "mac");
	}
	lua_pushstring(L, neigh_state_name(ni->state));
	lua_setfield(L, -2, "state");
	lua_pushstring(L, ni->dev);
	lua_setfield(L, -2, "link");
	nlb_setmeta(L, "netlab.neighbor");
}

static int list_cb(const struct neigh_info *ni, void *data)
{
	lua_State *L = data;

	push_neigh(L, ni);
	lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
	return 0;
}

/* link.neighbors([link or ns] [, {ns =}]) or link.neighbors{ns =} */
static int l_neighbors(lua_State *L)
{
	struct nl_err err = { 0 };
	const char *dev = NULL;
	struct ns *ns;
	int t = 0;

	if (lua_istable(L, 1) && !lua_getmetatable(L, 1)) {
		nlb_checkfields(L, 1, 1, 0, list_fields);
		ns = nlb_optns(L, 1, "ns");
	} else {
		if (lua_istable(L, 1))
			lua_pop(L, 1);
		if (!lua_isnoneornil(L, 2)) {
			luaL_checktype(L, 2, LUA_TTABLE);
			nlb_checkfields(L, 2, 2, 0, list_fields);
			t = 2;
		}
		if (is_meta(L, 1, NLB_NS))
			ns = nlb_checkns(L, 1);
		else if (lua_isnoneornil(L, 1))
			ns = nlb_optns(L, t, "ns");
		else
			dev = nlb_checklink(L, 1, t, &ns);
	}
	lua_newtable(L);
	if (neigh_list(ns, dev, list_cb, L, &err) < 0)
		return nlb_error(L, &err);
	nlb_setmeta(L, "netlab.neighbors");
	return 1;
}

/* The link (object, or name in opts.ns) and address of an entry, from the table at 1. */
static const char *entry(lua_State *L, const char *const *known, struct cidr *addr, struct ns **ns)
{
	char why[PARSE_WHY];
	const char *dev, *a;

	luaL_checktype(L, 1, LUA_TTABLE);
	nlb_checkfields(L, 1, 1, 0, known);
	lua_getfield(L, 1, "link");
	if (lua_type(L, -1) != LUA_TSTRING && !is_meta(L, -1, NLB_LINK))
		nlb_argerror(L, 1, "field 'link': link name or object expected, got %s",
			     luaL_typename(L, -1));
	dev = nlb_checklink(L, lua_gettop(L), 1, ns);
	lua_pop(L, 1); /* the name stays referenced by the table or the object */
	a = nlb_optstring(L, 1, "addr", NULL);
	if (!a)
		nlb_argerror(L, 1, "field 'addr': an IPv4 or IPv6 address expected");
	if (parse_addr(a, addr, why) < 0)
		nlb_argerror(L, 1, "field 'addr': %s", why);
	return dev;
}

/* link.neighbor_add{addr =, mac =, link =, ns =}: a PERMANENT entry. */
static int l_neighbor_add(lua_State *L)
{
	struct nl_err err = { 0 };
	struct neigh_spec s = { 0 };
	char why[PARSE_WHY];
	const char *mac;
	struct ns *ns;
	const char *dev = entry(L, add_fields, &s.addr, &ns);

	mac = nlb_optstring(L, 1, "mac", NULL);
	if (!mac)
		return nlb_argerror(L, 1, "field 'mac': a MAC address as \"02:00:00:00:00:01\" expected");
	if (parse_mac(mac, s.mac, why) < 0)
		return nlb_argerror(L, 1, "field 'mac': %s", why);
	if (neigh_add(ns, dev, &s, &err) < 0)
		return nlb_error(L, &err);
	return 0;
}

/* link.neighbor_del{addr =, link =, ns =} */
static int l_neighbor_del(lua_State *L)
{
	struct nl_err err = { 0 };
	struct cidr addr;
	struct ns *ns;
	const char *dev = entry(L, del_fields, &addr, &ns);

	if (neigh_del(ns, dev, &addr, &err) < 0)
		return nlb_error(L, &err);
	return 0;
}

void nlb_link_neigh(lua_State *L)
{
	static const luaL_Reg f[] = {
		{ "neighbors", l_neighbors },
		{ "neighbor_add", l_neighbor_add },
		{ "neighbor_del", l_neighbor_del },
		{ NULL, NULL },
	};

	luaL_setfuncs(L, f, 0);
}
