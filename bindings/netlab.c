// SPDX-License-Identifier: MIT
/*
 * The netlab module (what belongs to no kernel object: version, sleep, the
 * processes a script started) and the loader that opens every module: its C
 * half, then its Lua half from the binary.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "bind.h"
#include "bindings/embedded.h"

#define CHILDREN "netlab.children"

static int l_sleep(lua_State *L)
{
	lua_Number s = luaL_checknumber(L, 1);
	struct timespec ts;

	if (s < 0)
		return nlb_argerror(L, 1, "a duration of 0 seconds or more expected");
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (lua_Number)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	return 0;
}

/* Remembers a pid ns.spawn started; only those may be signalled by netlab.kill. */
static int l_adopt(lua_State *L)
{
	luaL_checkinteger(L, 1);
	lua_getfield(L, LUA_REGISTRYINDEX, CHILDREN);
	lua_pushvalue(L, 1);
	lua_pushboolean(L, 1);
	lua_rawset(L, -3);
	return 0;
}

static int reap(pid_t pid, int ms)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	int status;

	for (; ms >= 0; ms -= 10) {
		if (waitpid(pid, &status, WNOHANG) != 0)
			return 1;
		if (ms)
			nanosleep(&tick, NULL);
	}
	return 0;
}

/* Ends a process a script started with ns.spawn: SIGTERM, then SIGKILL after a second. */
static int kill_child(pid_t pid)
{
	if (kill(pid, SIGTERM) < 0)
		return -errno;
	if (!reap(pid, 1000)) {
		kill(pid, SIGKILL);
		reap(pid, 1000);
	}
	return 0;
}

static int l_kill(lua_State *L)
{
	lua_Integer pid = luaL_checkinteger(L, 1);

	lua_getfield(L, LUA_REGISTRYINDEX, CHILDREN);
	lua_pushinteger(L, pid);
	if (lua_rawget(L, -2) != LUA_TBOOLEAN)
		return nlb_argerror(L, 1, "%d is not a process this script started", (int)pid);
	lua_pop(L, 1);
	lua_pushinteger(L, pid);
	lua_pushnil(L);
	lua_rawset(L, -3);
	lua_pushboolean(L, kill_child((pid_t)pid) == 0);
	return 1;
}

/* For the interpreter at exit: ends what the script left running (sandboxed runs). */
void nlb_kill_children(lua_State *L);
void nlb_kill_children(lua_State *L)
{
	if (lua_getfield(L, LUA_REGISTRYINDEX, CHILDREN) != LUA_TTABLE) {
		lua_pop(L, 1);
		return;
	}
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		lua_pop(L, 1);
		kill_child((pid_t)lua_tointeger(L, -1));
	}
	lua_pop(L, 1);
}

static int l_meta(lua_State *L)
{
	luaL_newmetatable(L, luaL_checkstring(L, 1));
	return 1;
}

static int l_where(lua_State *L)
{
	nlb_where(L);
	return 1;
}

/* netlab.error(msg): raises "FILE:LINE: mod.fn: msg" for the Lua halves. */
static int l_error(lua_State *L)
{
	struct nl_err err = { 0 };
	const char *msg = luaL_checkstring(L, 1);
	const char *name = luaL_optstring(L, 2, NULL);

	err.code = (int)luaL_optinteger(L, 3, EINVAL);
	snprintf(err.msg, sizeof(err.msg), "%s", msg);
	if (name)
		snprintf(err.obj, sizeof(err.obj), "%s", name);
	return nlb_error(L, &err);
}

static int l_argerror(lua_State *L)
{
	return nlb_argerror(L, (int)luaL_checkinteger(L, 1), "%s", luaL_checkstring(L, 2));
}

/* netlab.cidr("10.0.0.1/24"[, need_prefix]) -> {family =, addr =, plen =, network =} or nil, why */
static int l_cidr(lua_State *L)
{
	const char *s = luaL_checkstring(L, 1);
	int need = lua_isnoneornil(L, 2) ? 1 : lua_toboolean(L, 2);
	char why[PARSE_WHY], b[64];
	struct cidr c;

	if (cidr_parse(s, need, &c, why) < 0) {
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

static const luaL_Reg netlab_funcs[] = {
	{ "cidr", l_cidr },
	{ "sleep", l_sleep },
	{ "kill", l_kill },
	{ "_adopt", l_adopt },
	{ "_meta", l_meta },
	{ "_where", l_where },
	{ "_error", l_error },
	{ "_argerror", l_argerror },
	{ NULL, NULL },
};

int luaopen_netlab(lua_State *L)
{
	lua_newtable(L);
	lua_setfield(L, LUA_REGISTRYINDEX, CHILDREN);
	luaL_newlib(L, netlab_funcs);
	lua_pushliteral(L, NETLAB_VERSION);
	lua_setfield(L, -2, "version");
	return 1;
}

static const struct nlb_chunk *chunk(const char *name)
{
	const struct nlb_chunk *c;

	for (c = nlb_chunks; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static int load_chunk(lua_State *L, const struct nlb_chunk *c)
{
	char chunkname[64];

	snprintf(chunkname, sizeof(chunkname), "=netlab/%s.lua", c->name);
	return luaL_loadbufferx(L, c->src, c->len, chunkname, "t");
}

/* package.preload loader for the Lua-only libraries (require "netlab.lan"). */
static int preload(lua_State *L)
{
	const struct nlb_chunk *c = chunk(luaL_checkstring(L, 1));

	if (!c || load_chunk(L, c) != LUA_OK)
		return lua_error(L);
	lua_pushvalue(L, 1);
	lua_call(L, 1, 1);
	return 1;
}

/* Names every module function "mod.fn", for error messages and help. */
static void name_functions(lua_State *L, const char *mod)
{
	lua_getfield(L, LUA_REGISTRYINDEX, "netlab.names");
	lua_getglobal(L, mod);
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		if (lua_isfunction(L, -1) && lua_type(L, -2) == LUA_TSTRING) {
			lua_pushvalue(L, -1);
			/* names, module, key, value, names[value] */
			if (lua_rawget(L, -5) == LUA_TNIL) {
				lua_pushvalue(L, -2);
				lua_pushfstring(L, "%s.%s", mod, lua_tostring(L, -4));
				lua_rawset(L, -7);
			}
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 2);
}

static const struct {
	const char *name;
	lua_CFunction open;
} modules[] = {
	{ "netlab", luaopen_netlab },
	{ "ns", luaopen_ns },
	{ "link", luaopen_link },
	{ "bridge", NULL },
	{ "route", luaopen_route },
};

#define NMODULES (sizeof(modules) / sizeof(modules[0]))

void nlb_openlibs(lua_State *L)
{
	const struct nlb_chunk *c;
	size_t i;

	/* The objects' metatables exist before any module makes an object. */
	luaL_newmetatable(L, NLB_NS);
	lua_pop(L, 1);
	luaL_newmetatable(L, NLB_LINK);
	lua_pop(L, 1);
	lua_newtable(L);
	lua_setfield(L, LUA_REGISTRYINDEX, "netlab.names");
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
	for (i = 0; i < NMODULES; i++) {
		if (modules[i].open)
			luaL_requiref(L, modules[i].name, modules[i].open, 1);
		else
			lua_newtable(L);
		/* The Lua half gets the C half's table and adds to it. */
		c = chunk(modules[i].name);
		if (c) {
			if (load_chunk(L, c) != LUA_OK)
				lua_error(L);
			lua_pushvalue(L, -2);
			lua_call(L, 1, 1);
			if (lua_istable(L, -1))
				lua_replace(L, -2);
			else
				lua_pop(L, 1);
		}
		lua_pushvalue(L, -1);
		lua_setfield(L, -3, modules[i].name);
		lua_setglobal(L, modules[i].name);
	}
	lua_pop(L, 1);
	for (i = 0; i < NMODULES; i++)
		name_functions(L, modules[i].name);
	/* The rest are libraries a script may require. */
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
	for (c = nlb_chunks; c->name; c++) {
		for (i = 0; i < NMODULES && strcmp(modules[i].name, c->name); i++)
			;
		if (i == NMODULES) {
			lua_pushcfunction(L, preload);
			lua_setfield(L, -2, c->name);
		}
	}
	lua_pop(L, 1);
}
