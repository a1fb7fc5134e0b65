// SPDX-License-Identifier: MIT
/* The link module: create, change, delete and list links, and their addresses. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/rtnetlink.h>

#include "bind.h"
#include "core/addr.h"
#include "core/link.h"
#include "core/qdisc.h"

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
#define END_FIELDS "ns", "up", "mtu", "master", "addrgenmode", "addr", "brd", "impair"
static const char *const add_fields[] = { "kind", END_FIELDS, "peer", "queues", "stp",
					  "vlan_filtering", "mcast_snooping", "vlan_protocol",
					  "vlan_default_pvid", "parent", "mode", "id",
					  "protocol", "vni", "remote", "group", "local", "dev",
					  "dstport", "learning", NULL };
static const char *const peer_fields[] = { END_FIELDS, NULL };
static const char *const set_fields[] = { "ns", "up", "mtu", "master", "name", "netns",
					  "alias", "addrgenmode", "impair", NULL };
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
	nlb_link_kind_opts(L, t, &spec);
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
	struct qdisc_impair q;
	struct nl_err err = { 0 };
	int t = opts_at(L, 2, set_fields), impair;
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
	/* impair = {…} or false: link.impair's, after the other changes, on the link as they leave it. */
	impair = nlb_opt_impair(L, t, 2, &q);
	if (link_set(ns, name, &c, &err) < 0)
		return nlb_error(L, &err);
	if (impair && qdisc_impair(c.netns ? c.netns : ns, c.rename ? c.rename : name, &q, &err) < 0)
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
	nlb_link_push_info(L, &li, ns->name);
	lua_rawseti(L, -2, 1);
	if (addr_list(ns, NULL, AF_UNSPEC, attach_addr, L, &err) < 0 ||
	    nlb_link_impair_attach(L, ns, &err) < 0)
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
	nlb_link_push_info(L, li, lua_tostring(L, -1));
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
	    addr_list(ns, NULL, AF_UNSPEC, attach_addr, L, &err) < 0 ||
	    nlb_link_impair_attach(L, ns, &err) < 0)
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

	nlb_link_push_addr(L, ai);
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
	nlb_link_push_state(L, &li);
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
	nlb_link_impair(L);
	nlb_setspecs(L, link_specs);
	return 1;
}
