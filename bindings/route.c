// SPDX-License-Identifier: MIT
/* The route module: add, replace, delete and list routes in any namespace. */
#include <arpa/inet.h>
#include <string.h>
#include <linux/rtnetlink.h>

#include "bind.h"
#include "core/route.h"

/*
 * route.add{dst = "default"|CIDR, via =, dev =, ns =, onlink =, metric =,
 * table =, src =}, or route.add(dst, {…}). A default route takes its family
 * from via (IPv4 when there is none).
 */
static const char *const route_fields[] = { "dst", "ns", "via", "dev", "onlink", "metric",
					    "table", "src", NULL };
static const char *const list_fields[] = { "ns", "family", "table", NULL };

static void check_route(lua_State *L, enum route_op op, struct route_spec *r, struct ns **ns)
{
	char why[PARSE_WHY];
	const char *dst, *via, *src;
	int t;

	memset(r, 0, sizeof(*r));
	if (lua_type(L, 1) == LUA_TSTRING) {
		dst = lua_tostring(L, 1);
		t = lua_isnoneornil(L, 2) ? 0 : (luaL_checktype(L, 2, LUA_TTABLE), 2);
		if (t)
			nlb_checkfields(L, t, t, 0, route_fields);
		/* Which of two would be meant? Neither is taken over the other unsaid. */
		if (t && lua_getfield(L, t, "dst") != LUA_TNIL)
			nlb_argerror(L, t, "field 'dst': the destination is given already (argument #1)");
		if (t)
			lua_pop(L, 1);
	} else {
		luaL_checktype(L, 1, LUA_TTABLE);
		t = 1;
		nlb_checkfields(L, t, t, 1, route_fields);
		dst = nlb_optstring(L, t, "dst", NULL);
		if (!dst && lua_geti(L, 1, 1) == LUA_TSTRING)
			dst = lua_tostring(L, -1);
		if (!dst)
			nlb_argerror(L, 1, "field 'dst' missing (\"default\" or a CIDR)");
	}
	*ns = nlb_optns(L, t, "ns");
	via = nlb_optstring(L, t, "via", NULL);
	r->dev = nlb_optlinkname(L, t, "dev");
	r->onlink = nlb_optbool(L, t, "onlink") == 1;
	r->has_metric = t && lua_getfield(L, t, "metric") != LUA_TNIL;
	if (t)
		lua_pop(L, 1);
	r->metric = (unsigned int)nlb_optint(L, t, "metric", 0, 0, 0xffffffffLL);
	r->table = (unsigned int)nlb_optint(L, t, "table", 0, 1, 0xfffffffeLL);
	src = nlb_optstring(L, t, "src", NULL);
	if (via) {
		if (parse_addr(via, &r->via, why) < 0)
			nlb_argerror(L, t ? t : 1, "field 'via': %s", why);
		r->has_via = 1;
	}
	if (!strcmp(dst, "default")) {
		r->dst.family = r->has_via ? r->via.family : AF_INET;
		r->dst.plen = 0;
	} else if (!strcmp(dst, "default6")) {
		r->dst.family = AF_INET6;
	} else {
		if (parse_cidr(dst, 0, &r->dst, why) < 0)
			nlb_argerror(L, 1, "%s", why);
		if (cidr_has_host_bits(&r->dst)) {
			struct cidr n = r->dst;
			char b[INET6_ADDRSTRLEN + 8];

			cidr_network(&n);
			cidr_fmt(&n, b, sizeof(b));
			nlb_argerror(L, 1, "invalid route destination \"%s\" (host bits set; the network is %s)",
				     dst, b);
		}
	}
	if (r->has_via && r->via.family != r->dst.family)
		nlb_argerror(L, t ? t : 1, "field 'via': gateway %s is not of the destination's family", via);
	if (src) {
		if (parse_addr(src, &r->src, why) < 0 || r->src.family != r->dst.family)
			nlb_argerror(L, t ? t : 1, "field 'src': %s", why);
		r->has_src = 1;
	}
	if (!r->has_via && !r->dev && op != ROUTE_DEL)
		nlb_argerror(L, t ? t : 1, "a route needs 'via' or 'dev'");
}

static int change(lua_State *L, enum route_op op)
{
	struct nl_err err = { 0 };
	struct route_spec r;
	struct ns *ns;

	check_route(L, op, &r, &ns);
	if (route_change(ns, op, &r, &err) < 0)
		return nlb_error(L, &err);
	return 0;
}

static int l_add(lua_State *L)
{
	return change(L, ROUTE_ADD);
}

static int l_replace(lua_State *L)
{
	return change(L, ROUTE_REPLACE);
}

/* route.del takes the same shape; via and dev narrow the match when given. */
static int l_del(lua_State *L)
{
	return change(L, ROUTE_DEL);
}

static const char *proto_name(int p)
{
	switch (p) {
	case RTPROT_KERNEL:
		return "kernel";
	case RTPROT_BOOT:
		return "boot";
	case RTPROT_STATIC:
		return "static";
	case RTPROT_DHCP:
		return "dhcp";
	case RTPROT_RA:
		return "ra";
	default:
		return NULL;
	}
}

static const char *type_name(int t)
{
	switch (t) {
	case RTN_UNICAST:
		return "unicast";
	case RTN_LOCAL:
		return "local";
	case RTN_BROADCAST:
		return "broadcast";
	case RTN_MULTICAST:
		return "multicast";
	case RTN_BLACKHOLE:
		return "blackhole";
	case RTN_UNREACHABLE:
		return "unreachable";
	case RTN_PROHIBIT:
		return "prohibit";
	default:
		return "other";
	}
}

static int list_cb(const struct route_info *ri, void *data)
{
	lua_State *L = data;
	char b[INET6_ADDRSTRLEN + 8];

	lua_createtable(L, 0, 10);
	if (ri->dst.plen == 0)
		lua_pushliteral(L, "default");
	else if (cidr_fmt(&ri->dst, b, sizeof(b)) > 0)
		lua_pushstring(L, b);
	lua_setfield(L, -2, "dst");
	lua_pushstring(L, ri->dst.family == AF_INET ? "inet" : "inet6");
	lua_setfield(L, -2, "family");
	if (ri->has_via) {
		inet_ntop(ri->via.family, ri->via.a.b, b, sizeof(b));
		lua_pushstring(L, b);
		lua_setfield(L, -2, "via");
	}
	if (ri->dev[0]) {
		lua_pushstring(L, ri->dev);
		lua_setfield(L, -2, "dev");
	}
	if (ri->has_src) {
		inet_ntop(ri->src.family, ri->src.a.b, b, sizeof(b));
		lua_pushstring(L, b);
		lua_setfield(L, -2, "src");
	}
	lua_pushinteger(L, ri->metric);
	lua_setfield(L, -2, "metric");
	lua_pushinteger(L, ri->table);
	lua_setfield(L, -2, "table");
	if (proto_name(ri->protocol))
		lua_pushstring(L, proto_name(ri->protocol));
	else
		lua_pushinteger(L, ri->protocol);
	lua_setfield(L, -2, "proto");
	lua_pushstring(L, ri->scope == RT_SCOPE_LINK ? "link" :
			  ri->scope == RT_SCOPE_HOST ? "host" : "global");
	lua_setfield(L, -2, "scope");
	lua_pushstring(L, type_name(ri->type));
	lua_setfield(L, -2, "type");
	if (ri->onlink) {
		lua_pushboolean(L, 1);
		lua_setfield(L, -2, "onlink");
	}
	nlb_setmeta(L, "netlab.route");
	lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
	return 0;
}

/* route.list([ns | {ns =, family = "inet"|"inet6"|"all", table = N|"all"}]) */
static int l_list(lua_State *L)
{
	struct nl_err err = { 0 };
	unsigned int table = 0;
	const char *fam = "all";
	int family = AF_UNSPEC, t = 0;
	struct ns *ns;

	if (lua_istable(L, 1) && !lua_getmetatable(L, 1)) {
		t = 1;
		nlb_checkfields(L, t, t, 0, list_fields);
		ns = nlb_optns(L, 1, "ns");
		fam = nlb_optstring(L, 1, "family", "all");
		if (lua_getfield(L, 1, "table") == LUA_TSTRING && !strcmp(lua_tostring(L, -1), "all"))
			table = ROUTE_TABLE_ALL;
		else
			table = (unsigned int)nlb_optint(L, 1, "table", 0, 1, 0xfffffffeLL);
		lua_pop(L, 1);
	} else {
		lua_settop(L, 1);
		ns = nlb_checkns(L, 1);
	}
	if (!strcmp(fam, "inet"))
		family = AF_INET;
	else if (!strcmp(fam, "inet6"))
		family = AF_INET6;
	else if (strcmp(fam, "all"))
		return nlb_argerror(L, t, "field 'family': \"inet\", \"inet6\" or \"all\" expected");
	lua_newtable(L);
	if (route_list(ns, family, table, list_cb, L, &err) < 0)
		return nlb_error(L, &err);
	nlb_setmeta(L, "netlab.routes");
	return 1;
}

static const char *const get_fields[] = { "src", "iif", "oif", NULL };

static void push_addr_field(lua_State *L, const struct cidr *c, const char *k)
{
	char b[INET6_ADDRSTRLEN];

	inet_ntop(c->family, c->a.b, b, sizeof(b));
	lua_pushstring(L, b);
	lua_setfield(L, -2, k);
}

/*
 * route.get(NS, DST [, {src =, iif =, oif =}]): the route the kernel picks,
 * as `ip route get`: {dst, family, type, dev, via, src, table}; or nil, the
 * kernel's words and its errno name when the lookup is refused (no route,
 * forwarding off, rp_filter, a prohibit or blackhole route).
 */
static int l_get(lua_State *L)
{
	char why[PARSE_WHY];
	struct nl_err err = { 0 };
	struct route_query q = { 0 };
	struct route_info ri;
	const char *dst, *src;
	int answered, t = 0;
	struct ns *ns = nlb_checkns(L, 1);

	dst = luaL_checkstring(L, 2);
	if (parse_addr(dst, &q.dst, why) < 0)
		return nlb_argerror(L, 2, "%s", why);
	if (!lua_isnoneornil(L, 3)) {
		luaL_checktype(L, 3, LUA_TTABLE);
		t = 3;
		nlb_checkfields(L, t, t, 0, get_fields);
	}
	src = nlb_optstring(L, t, "src", NULL);
	if (src) {
		if (parse_addr(src, &q.src, why) < 0)
			return nlb_argerror(L, 3, "field 'src': %s", why);
		if (q.src.family != q.dst.family)
			return nlb_argerror(L, 3, "field 'src': %s is not of the destination's family", src);
		q.has_src = 1;
	}
	q.iif = nlb_optlinkname(L, t, "iif");
	q.oif = nlb_optlinkname(L, t, "oif");
	if (route_get(ns, &q, &ri, &answered, &err) < 0) {
		if (!answered)
			return nlb_error(L, &err);
		luaL_pushfail(L);
		lua_pushfstring(L, "%s (%s)", err.msg[0] ? err.msg : strerror(err.code),
				nlb_errname(err.code));
		lua_pushstring(L, nlb_errname(err.code));
		return 3;
	}
	lua_createtable(L, 0, 8);
	push_addr_field(L, &q.dst, "dst");
	lua_pushstring(L, ri.dst.family == AF_INET6 ? "inet6" : "inet");
	lua_setfield(L, -2, "family");
	lua_pushstring(L, type_name(ri.type));
	lua_setfield(L, -2, "type");
	if (ri.dev[0]) {
		lua_pushstring(L, ri.dev);
		lua_setfield(L, -2, "dev");
	}
	if (ri.has_via)
		push_addr_field(L, &ri.via, "via");
	if (ri.has_src)
		push_addr_field(L, &ri.src, "src");
	lua_pushinteger(L, ri.table);
	lua_setfield(L, -2, "table");
	return 1;
}

static const luaL_Reg route_funcs[] = {
	{ "get", l_get },
	{ "add", l_add },
	{ "replace", l_replace },
	{ "del", l_del },
	{ "list", l_list },
	{ NULL, NULL },
};

static const struct nlb_spec route_specs[] = {
	{ "add", route_fields, NULL, NULL },
	{ "replace", route_fields, NULL, NULL },
	{ "del", route_fields, NULL, NULL },
	{ "get", get_fields, NULL, NULL },
	{ NULL, NULL, NULL, NULL },
};

int luaopen_route(lua_State *L)
{
	luaL_newlib(L, route_funcs);
	nlb_setspecs(L, route_specs);
	return 1;
}
