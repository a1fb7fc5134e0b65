// SPDX-License-Identifier: MIT
/*
 * The probe module's C half: ping, tcp and udp from inside a namespace, and
 * probe._run, every probe of a list at once, which the Lua half's matrix and
 * expect are made of. A failed probe is a result, not an error: errors are
 * for what stops probes being sent (a bad argument, a namespace that is not
 * there, a socket that may not be opened).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bind.h"
#include "core/probe.h"

#define NLB_RESULT "netlab.probe.result"
/* Seconds: a probe that waits longer is a mistake (minutes, or milliseconds, meant). */
#define PROBE_TIMEOUT_MAX 60

static const char *const ping_fields[] = { "count", "timeout", "size", "src", NULL };
static const char *const tcp_fields[] = { "timeout", "src", NULL };
static const char *const udp_fields[] = { "payload", "timeout", "src", NULL };
static const char *const run_fields[] = { "timeout", "count", "size", NULL };

/*
 * Seconds, as a number > 0; the core counts milliseconds. arg is the
 * argument errors name: probe._run's options are its caller's (matrix's #1).
 */
static int opt_timeout(lua_State *L, int t, int arg, double def)
{
	double s = def;
	int type;

	if (t) {
		type = lua_getfield(L, t, "timeout");
		if (type == LUA_TNUMBER)
			s = lua_tonumber(L, -1);
		else if (type != LUA_TNIL)
			nlb_argerror(L, arg, "field 'timeout': number expected, got %s", luaL_typename(L, -1));
		lua_pop(L, 1);
	}
	/* Written so that NaN is refused too. */
	if (!(s > 0) || s > PROBE_TIMEOUT_MAX) {
		if (s == (double)(lua_Integer)s)
			nlb_argerror(L, arg, "field 'timeout': %I is not a number of seconds above 0 "
				     "and up to %d", (lua_Integer)s, PROBE_TIMEOUT_MAX);
		nlb_argerror(L, arg, "field 'timeout': %f is not a number of seconds above 0 and up to %d",
			     (lua_Number)s, PROBE_TIMEOUT_MAX);
	}
	/* At least a millisecond: 0.0001 is a timeout, not none. */
	return s * 1000 < 1 ? 1 : (int)(s * 1000 + 0.5);
}

static void opts_of(lua_State *L, int t, int arg, struct probe_opts *o)
{
	o->timeout_ms = opt_timeout(L, t, arg, 1.0);
	o->count = (int)nlb_optint(L, t, "count", 1, 1, PROBE_COUNT_MAX);
	o->size = (int)nlb_optint(L, t, "size", PROBE_SIZE_DEFAULT, 0, PROBE_SIZE_MAX);
}

static void opt_src(lua_State *L, int t, struct probe *p)
{
	const char *s = nlb_optstring(L, t, "src", NULL);
	char why[PARSE_WHY];

	if (!s)
		return;
	if (parse_addr(s, &p->src, why) < 0)
		nlb_argerror(L, t, "field 'src': %s", why);
	if (p->src.family != p->dst.family)
		nlb_argerror(L, t, "field 'src': %s is not of the destination's family", s);
}

/* The options table at idx (absent or nil: none), checked against spec. */
static int opts_at(lua_State *L, int idx, const char *const *spec)
{
	if (lua_isnoneornil(L, idx))
		return 0;
	if (!lua_istable(L, idx))
		nlb_argerror(L, idx, "table of options expected, got %s", luaL_typename(L, idx));
	nlb_checkfields(L, idx, idx, 0, spec);
	return idx;
}

static void set_from(lua_State *L, int idx, struct probe *p)
{
	struct ns *ns = nlb_checkns(L, idx);

	snprintf(p->ns, sizeof(p->ns), "%s", ns->name);
}

/* "ADDR" for a ping, "ADDR:PORT" or "[ADDR6]:PORT" for a TCP connect. */
static void set_to(lua_State *L, const char *s, struct probe *p, int want, int arg, lua_Integer item)
{
	char why[PARSE_WHY], pre[32] = "";

	if (item)
		snprintf(pre, sizeof(pre), "item %lld: ", (long long)item);
	if (parse_hostport(s, &p->dst, &p->port, why) < 0)
		nlb_argerror(L, arg, "%s%s", pre, why);
	if ((want == PROBE_TCP || want == PROBE_UDP) && !p->port)
		nlb_argerror(L, arg, "%sinvalid address \"%s\" (ADDR:PORT expected, the port is missing)",
			     pre, s);
	if (want == PROBE_PING && p->port)
		nlb_argerror(L, arg, "%sinvalid address \"%s\" (a ping takes no port)", pre, s);
	p->kind = !p->port ? PROBE_PING : want == PROBE_UDP ? PROBE_UDP : PROBE_TCP;
}

static void push_addr(lua_State *L, const struct cidr *c, int port)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(c->family, c->a.b, a, sizeof(a));
	if (!port)
		lua_pushstring(L, a);
	else if (c->family == AF_INET6)
		lua_pushfstring(L, "[%s]:%d", a, port);
	else
		lua_pushfstring(L, "%s:%d", a, port);
}

static void push_result(lua_State *L, const struct probe *p)
{
	char why[256];

	lua_createtable(L, 0, 12);
	lua_pushstring(L, p->ns);
	lua_setfield(L, -2, "from");
	push_addr(L, &p->dst, p->port);
	lua_setfield(L, -2, "to");
	lua_pushstring(L, p->kind == PROBE_TCP ? "tcp" : p->kind == PROBE_UDP ? "udp" : "ping");
	lua_setfield(L, -2, "kind");
	if (p->kind == PROBE_UDP) {
		/* nmap's words: a silent port may be open (a service that answers nothing) or filtered. */
		const char *state = p->status == PROBE_OK ? "open" : p->status == PROBE_REFUSED ? "closed" :
				    p->status == PROBE_TIMEOUT ? "open|filtered" :
				    p->status == PROBE_UNREACH ? "filtered" : NULL;

		lua_pushstring(L, state);
		lua_setfield(L, -2, "state");
	}
	lua_pushboolean(L, p->status == PROBE_OK);
	lua_setfield(L, -2, "ok");
	lua_pushstring(L, probe_status_name(p->status));
	lua_setfield(L, -2, "status");
	if (p->status == PROBE_OK) {
		lua_pushnumber(L, p->rtt_ms);
		lua_setfield(L, -2, "rtt");
		if (p->kind == PROBE_PING && p->sent > 1) {
			lua_pushnumber(L, p->rtt_min);
			lua_setfield(L, -2, "rtt_min");
			lua_pushnumber(L, p->rtt_max);
			lua_setfield(L, -2, "rtt_max");
		}
	} else {
		probe_why(p, why, sizeof(why));
		if (p->status == PROBE_LOCAL)
			lua_pushfstring(L, "%s (%s)", why, nlb_errname(p->code));
		else
			lua_pushstring(L, why);
		lua_setfield(L, -2, "why");
	}
	if (p->status == PROBE_UNREACH && p->from.family) {
		push_addr(L, &p->from, 0);
		lua_setfield(L, -2, "by");
	}
	if (p->kind == PROBE_PING) {
		lua_pushstring(L, p->raw ? "raw" : "ping");
		lua_setfield(L, -2, "socket");
		lua_pushinteger(L, p->sent);
		lua_setfield(L, -2, "sent");
		lua_pushinteger(L, p->received);
		lua_setfield(L, -2, "received");
	}
	nlb_setmeta(L, NLB_RESULT);
}

/*
 * probe_run's error raised. Ctrl-C (EINTR) reads as the command line's own
 * interruption, "FILE:LINE: interrupted", and is raised once: here, with
 * the flag and the hook the signal set cleared, not again by the hook in
 * whatever code handles this error.
 */
static int probe_error(lua_State *L, struct nl_err *err)
{
	if (err->code != EINTR)
		return nlb_error(L, err);
	if (probe_stop)
		*probe_stop = 0;
	lua_sethook(L, NULL, 0, 0);
	nlb_where(L);
	lua_pushliteral(L, "interrupted");
	lua_concat(L, 2);
	return lua_error(L);
}

static int run_one(lua_State *L, struct probe *p, const struct probe_opts *o)
{
	struct nl_err err = { 0 };

	if (probe_run(p, 1, o, &err) < 0)
		return probe_error(L, &err);
	push_result(L, p);
	return 1;
}

/* probe.ping(FROM, TO [, {count =, timeout =, size =, src =}]) */
static int l_ping(lua_State *L)
{
	struct probe p = { 0 };
	struct probe_opts o;
	int t = opts_at(L, 3, ping_fields);

	set_from(L, 1, &p);
	set_to(L, luaL_checkstring(L, 2), &p, PROBE_PING, 2, 0);
	opts_of(L, t, t, &o);
	opt_src(L, t, &p);
	return run_one(L, &p, &o);
}

/* probe.tcp(FROM, "ADDR:PORT" [, {timeout =, src =}]) */
static int l_tcp(lua_State *L)
{
	struct probe p = { 0 };
	struct probe_opts o = { .count = 1, .size = 0 };
	int t = opts_at(L, 3, tcp_fields);

	set_from(L, 1, &p);
	set_to(L, luaL_checkstring(L, 2), &p, PROBE_TCP, 2, 0);
	o.timeout_ms = opt_timeout(L, t, t, 1.0);
	opt_src(L, t, &p);
	return run_one(L, &p, &o);
}

/* probe.udp(FROM, "ADDR:PORT" [, {payload =, timeout =, src =}]) */
static int l_udp(lua_State *L)
{
	struct probe p = { 0 };
	struct probe_opts o = { .count = 1, .size = 0 };
	int t = opts_at(L, 3, udp_fields);

	set_from(L, 1, &p);
	set_to(L, luaL_checkstring(L, 2), &p, PROBE_UDP, 2, 0);
	o.timeout_ms = opt_timeout(L, t, t, 1.0);
	opt_src(L, t, &p);
	if (t && lua_getfield(L, t, "payload") != LUA_TNIL) {
		if (lua_type(L, -1) != LUA_TSTRING)
			nlb_argerror(L, t, "field 'payload': string expected, got %s", luaL_typename(L, -1));
		/* Stays on the stack, so referenced, until the probe is done. */
		p.payload = lua_tolstring(L, -1, &p.payload_len);
		if (p.payload_len > PROBE_UDP_MAX)
			nlb_argerror(L, t, "field 'payload': %I bytes, more than a datagram holds (%d)",
				     (lua_Integer)p.payload_len, PROBE_UDP_MAX);
	}
	return run_one(L, &p, &o);
}

/* An item's namespace: a name or a namespace object ("root" for the root). */
static void item_from(lua_State *L, int v, struct probe *p, lua_Integer i)
{
	const char *name = NULL;
	char why[PARSE_WHY];

	if (lua_type(L, v) == LUA_TTABLE && lua_getmetatable(L, v)) {
		luaL_getmetatable(L, NLB_NS);
		if (lua_rawequal(L, -1, -2) && lua_getfield(L, v, "name") == LUA_TSTRING)
			name = lua_tostring(L, -1); /* still referenced by the object */
		lua_pop(L, lua_gettop(L) - v);
	} else if (lua_type(L, v) == LUA_TSTRING) {
		name = lua_tostring(L, v);
	}
	if (!name)
		nlb_argerror(L, 1, "item %I: namespace name or object expected at [1], got %s",
			     i, luaL_typename(L, v));
	if (strcmp(name, NS_ROOT) && parse_nsname(name, why) < 0)
		nlb_argerror(L, 1, "item %I: %s", i, why);
	snprintf(p->ns, sizeof(p->ns), "%s", name);
}

/*
 * probe._run({{FROM, TO}, …} [, {timeout =, count =, size =} [, ARG]]): every
 * item at once (ARG: the caller's argument its errors name, 1 by default); TO is "ADDR" (a ping) or "ADDR:PORT" (a TCP connect). The results,
 * in the items' order. Items may carry more (expect's third value): only
 * [1] and [2] are read.
 */
static int l_run(lua_State *L)
{
	struct nl_err err = { 0 };
	struct probe_opts o;
	struct probe *p;
	lua_Integer i, n;
	int t;

	luaL_checktype(L, 1, LUA_TTABLE);
	t = opts_at(L, 2, run_fields);
	opts_of(L, t, (int)luaL_optinteger(L, 3, 1), &o);
	n = (lua_Integer)lua_rawlen(L, 1);
	p = lua_newuserdatauv(L, (size_t)(n ? n : 1) * sizeof(*p), 0);
	memset(p, 0, (size_t)(n ? n : 1) * sizeof(*p));
	for (i = 1; i <= n; i++) {
		int top = lua_gettop(L);

		if (lua_geti(L, 1, i) != LUA_TTABLE)
			nlb_argerror(L, 1, "item %I: table {FROM, TO} expected, got %s", i,
				     luaL_typename(L, -1));
		lua_geti(L, top + 1, 1);
		item_from(L, top + 2, &p[i - 1], i);
		if (lua_geti(L, top + 1, 2) != LUA_TSTRING)
			nlb_argerror(L, 1, "item %I: address expected at [2], got %s", i,
				     luaL_typename(L, -1));
		set_to(L, lua_tostring(L, -1), &p[i - 1], -1, 1, i);
		lua_settop(L, top);
	}
	if (probe_run(p, (size_t)n, &o, &err) < 0)
		return probe_error(L, &err);
	lua_createtable(L, (int)n, 0);
	for (i = 1; i <= n; i++) {
		push_result(L, &p[i - 1]);
		lua_rawseti(L, -2, i);
	}
	return 1;
}

/*
 * probe._hostport(TO, KIND [, ARG [, ITEM]]): TO read as probe.KIND reads
 * it (KIND "ping", "tcp", "udp", or "any" as probe._run: a port makes it a
 * TCP probe): its address, port (nil for a ping) and kind; or the error
 * that call raises, naming argument ARG (default 2) and item ITEM. A dry
 * run reads its probes' targets with it, so it refuses what a run refuses.
 */
static int l_hostport(lua_State *L)
{
	static const char *const kinds[] = { "ping", "tcp", "udp", "any", NULL };
	static const int want[] = { PROBE_PING, PROBE_TCP, PROBE_UDP, -1 };
	const char *s = luaL_checkstring(L, 1);
	int k = luaL_checkoption(L, 2, NULL, kinds);
	struct probe p = { 0 };

	set_to(L, s, &p, want[k], (int)luaL_optinteger(L, 3, 2), luaL_optinteger(L, 4, 0));
	push_addr(L, &p.dst, 0);
	if (p.port)
		lua_pushinteger(L, p.port);
	else
		lua_pushnil(L);
	lua_pushstring(L, p.kind == PROBE_TCP ? "tcp" : p.kind == PROBE_UDP ? "udp" : "ping");
	return 3;
}

/*
 * What NETLAB_FAULT_TABLE_FULLS=k makes each read of probe._table_fulls
 * add, on top of the reads before: k refusals more each time, as if the
 * table were overflowing. For tests of what a full table makes netlab say
 * (probe.expect's hint), without filling the host's table, which every
 * namespace of the host shares. The core's own reads (its waves) are the
 * kernel's.
 */
static lua_Integer injected_fulls(void)
{
	static lua_Integer reads;
	const char *s = getenv("NETLAB_FAULT_TABLE_FULLS");
	long k = s ? strtol(s, NULL, 10) : 0;

	return k > 0 ? (lua_Integer)k * ++reads : 0;
}

/*
 * probe._table_fulls(): how many new neighbour entries the kernel has
 * refused since boot, IPv4 and IPv6 together (one table each for every
 * namespace of the host); nil when the tables cannot be read.
 */
static int l_table_fulls(lua_State *L)
{
	struct probe_neigh t4, t6;
	struct nl_err err = { 0 };

	if (probe_neigh_read(AF_INET, &t4, &err) < 0) {
		lua_pushnil(L);
		return 1;
	}
	if (probe_neigh_read(AF_INET6, &t6, &err) < 0)
		t6.table_fulls = 0;
	lua_pushinteger(L, (lua_Integer)(t4.table_fulls + t6.table_fulls) + injected_fulls());
	return 1;
}

static const luaL_Reg probe_funcs[] = {
	{ "ping", l_ping },
	{ "tcp", l_tcp },
	{ "udp", l_udp },
	{ "_run", l_run },
	{ "_table_fulls", l_table_fulls },
	{ "_hostport", l_hostport },
	{ NULL, NULL },
};

static const char *const matrix_fields[] = { "from", "to", "timeout", "rtt", NULL };
static const char *const expect_fields[] = { "timeout", NULL };

static const struct nlb_spec probe_specs[] = {
	{ "ping", ping_fields, NULL, NULL },
	{ "tcp", tcp_fields, NULL, NULL },
	{ "udp", udp_fields, NULL, NULL },
	{ "matrix", matrix_fields, NULL, NULL },
	{ "expect", expect_fields, NULL, NULL },
	{ NULL, NULL, NULL, NULL },
};

int luaopen_probe(lua_State *L)
{
	luaL_newlib(L, probe_funcs);
	nlb_setspecs(L, probe_specs);
	return 1;
}
