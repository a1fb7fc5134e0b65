// SPDX-License-Identifier: MIT
/*
 * The netlab module's address arithmetic for scripts: netlab.cidr,
 * netlab.host and netlab.hostcidr, over core/parse.c's cidr_*.
 */
#include <arpa/inet.h>

#include "bind.h"

/* netlab.cidr("10.0.0.1/24"[, need_prefix]) -> {family =, addr =, plen =, network =} or nil, why */
static int l_cidr(lua_State *L)
{
	const char *s = luaL_checkstring(L, 1);
	int need = lua_isnoneornil(L, 2) ? 1 : lua_toboolean(L, 2);
	char why[PARSE_WHY], b[64];
	struct cidr c;

	if (!lua_isnoneornil(L, 2) && !lua_isboolean(L, 2))
		return nlb_argerror(L, 2, "boolean expected, got %s", luaL_typename(L, 2));
	if (parse_cidr(s, need, &c, why) < 0) {
		lua_pushnil(L);
		lua_pushstring(L, why);
		return 2;
	}
	lua_createtable(L, 0, 4);
	lua_pushstring(L, c.family == AF_INET ? "inet" : "inet6");
	lua_setfield(L, -2, "family");
	lua_pushinteger(L, c.plen);
	lua_setfield(L, -2, "plen");
	inet_ntop(c.family, c.a.b, b, sizeof(b));
	lua_pushstring(L, b);
	lua_setfield(L, -2, "addr");
	cidr_network(&c);
	cidr_fmt(&c, b, sizeof(b));
	lua_pushstring(L, b);
	lua_setfield(L, -2, "network");
	return 1;
}

/*
 * Host N of SUBNET as text, with its prefix when plen is set. Returns 1 with
 * the text pushed, or 0 with why filled (nothing pushed); which argument was
 * wrong goes to *arg.
 */
static int push_host(lua_State *L, int plen, char *why, int *arg)
{
	const char *s = luaL_checkstring(L, 1);
	lua_Integer n = luaL_checkinteger(L, 2);
	char b[INET6_ADDRSTRLEN + 4];
	struct cidr net, c;

	*arg = 1;
	if (parse_cidr(s, 1, &net, why) < 0)
		return 0;
	*arg = 2;
	if (cidr_host(&net, (long long)n, &c, why) < 0)
		return 0;
	if (plen) {
		cidr_fmt(&c, b, sizeof(b));
	} else {
		inet_ntop(c.family, c.a.b, b, sizeof(b));
	}
	lua_pushstring(L, b);
	return 1;
}

/* The host's text (with its prefix when plen is set); on error, raise or return nil, why. */
static int host_result(lua_State *L, int plen, int raise)
{
	char why[PARSE_WHY];
	int arg;

	if (push_host(L, plen, why, &arg))
		return 1;
	if (raise)
		return nlb_argerror(L, arg, "%s", why);
	lua_pushnil(L);
	lua_pushstring(L, why);
	return 2;
}

/* netlab.host("10.0.0.0/24", 2) -> "10.0.0.2" */
static int l_host(lua_State *L)
{
	return host_result(L, 0, 1);
}

/* netlab.hostcidr("10.0.0.0/24", 2) -> "10.0.0.2/24" */
static int l_hostcidr(lua_State *L)
{
	return host_result(L, 1, 1);
}

/* netlab._hostcidr(subnet, n): as netlab.hostcidr, but nil and why for libraries to word. */
static int l_hostcidr_try(lua_State *L)
{
	return host_result(L, 1, 0);
}

static const luaL_Reg funcs[] = {
	{ "cidr", l_cidr },
	{ "host", l_host },
	{ "hostcidr", l_hostcidr },
	{ "_hostcidr", l_hostcidr_try },
	{ NULL, NULL },
};

void nlb_netlab_cidr(lua_State *L)
{
	luaL_setfuncs(L, funcs, 0);
}
