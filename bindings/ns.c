// SPDX-License-Identifier: MIT
/* The ns module: namespaces, their sysctls, and commands run inside them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "bind.h"

/* A namespace object with its identity (the nsfs inode), which outlives a re-used name. */
void nlb_pushns_id(lua_State *L, const struct ns *ns)
{
	nlb_pushns(L, ns->name);
	lua_pushinteger(L, (lua_Integer)ns->ino);
	lua_setfield(L, -2, "id");
}

static int l_add(lua_State *L)
{
	struct nl_err err = { 0 };
	static const char *const none[] = { NULL };
	const char *name;
	struct ns *ns;
	int t = nlb_args(L, &name);

	/* Options are the Lua half's (ns.add); this primitive takes a name alone. */
	if (t)
		nlb_checkfields(L, t, t, t == 1, none);
	if (ns_add(name, &ns, &err) < 0)
		return nlb_error(L, &err);
	nlb_pushns_id(L, ns);
	return 1;
}

static int l_del(lua_State *L)
{
	struct nl_err err = { 0 };
	const char *name;

	if (lua_type(L, 1) == LUA_TSTRING) {
		name = lua_tostring(L, 1);
	} else {
		luaL_checktype(L, 1, LUA_TTABLE);
		lua_getfield(L, 1, "name");
		name = luaL_checkstring(L, -1);
	}
	if (ns_del(name, &err) < 0)
		return nlb_error(L, &err);
	return 0;
}

/* Absence is normal here: nil and why (no such namespace, or it is gone), not an error. */
static int l_get(lua_State *L)
{
	struct nl_err err = { 0 };
	const char *name = luaL_optstring(L, 1, NS_ROOT);
	char why[PARSE_WHY];
	struct ns *ns;

	if (strcmp(name, NS_ROOT) && parse_nsname(name, why) < 0)
		return nlb_argerror(L, 1, "%s", why);
	if (ns_get(name, &ns, &err) < 0) {
		if (err.code != ENOENT)
			return nlb_error(L, &err);
		lua_pushnil(L);
		lua_pushstring(L, err.msg);
		return 2;
	}
	nlb_pushns_id(L, ns);
	return 1;
}

static int list_cb(const char *name, void *data)
{
	struct nl_err err = { 0 };
	lua_State *L = data;

	nlb_pushns(L, name);
	/* A stale entry is listed, marked: `ip netns list` shows it too, and it is for a person to remove. */
	if (ns_check(name, &err) < 0) {
		lua_pushboolean(L, 1);
		lua_setfield(L, -2, "gone");
	}
	lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
	return 0;
}

static int l_list(lua_State *L)
{
	struct nl_err err = { 0 };

	lua_newtable(L);
	if (ns_list(list_cb, L, &err) < 0)
		return nlb_error(L, &err);
	nlb_setmeta(L, "netlab.nslist");
	return 1;
}

/* A sysctl value from Lua: strings as they are, numbers, and booleans as 1/0. */
static const char *sysctl_value(lua_State *L, int idx)
{
	switch (lua_type(L, idx)) {
	case LUA_TBOOLEAN:
		return lua_toboolean(L, idx) ? "1" : "0";
	case LUA_TNUMBER:
		/* 1500.7 or 2^40 would be written as "1500.7" or "1.099511627776e+12". */
		if (!lua_isinteger(L, idx))
			nlb_argerror(L, idx, "an integer, a string or a boolean expected, got %s",
				     lua_tostring(L, idx));
		return lua_tostring(L, idx);
	case LUA_TSTRING:
		return lua_tostring(L, idx);
	default:
		nlb_argerror(L, idx, "string, number or boolean expected, got %s",
			     luaL_typename(L, idx));
		return NULL;
	}
}

static int l_sysctl(lua_State *L)
{
	struct nl_err err = { 0 };
	struct ns *ns = nlb_checkns(L, 1);
	const char *key = luaL_checkstring(L, 2);
	char value[4096];

	if (lua_isnoneornil(L, 3)) {
		if (ns_sysctl_get(ns, key, value, sizeof(value), &err) < 0)
			return nlb_error(L, &err);
		lua_pushstring(L, value);
		return 1;
	}
	if (ns_sysctl_set(ns, key, sysctl_value(L, 3), &err) < 0)
		return nlb_error(L, &err);
	return 0;
}

/*
 * The command: exec(ns, "ping", "-c1", addr) or exec(ns, {"ping", "-c1", addr,
 * quiet = true}) or {..., log = "/path"} (output and errors appended there).
 * Returns a NULL-terminated argv (in a userdata on the stack).
 */
static char **check_argv(lua_State *L, int *quiet, const char **log)
{
	int top = lua_gettop(L), n, i, tbl = lua_istable(L, 2);
	char **argv;

	*quiet = 0;
	*log = NULL;
	if (tbl) {
		static const char *const known[] = { "quiet", "log", NULL };

		nlb_checkfields(L, 2, 2, -1, known);
		n = (int)lua_rawlen(L, 2);
		*quiet = nlb_optbool(L, 2, "quiet") == 1;
		/* Kept alive by the argument table, as the words are. */
		*log = nlb_optstring(L, 2, "log", NULL);
	} else {
		n = top - 1;
	}
	if (n < 1)
		nlb_argerror(L, 2, "a command expected");
	argv = lua_newuserdatauv(L, sizeof(char *) * (size_t)(n + 1), 0);
	for (i = 0; i < n; i++) {
		if (tbl)
			lua_rawgeti(L, 2, i + 1);
		else
			lua_pushvalue(L, i + 2);
		if (lua_type(L, -1) != LUA_TSTRING && lua_type(L, -1) != LUA_TNUMBER)
			nlb_argerror(L, tbl ? 2 : i + 2, "command words must be strings, got %s",
				     luaL_typename(L, -1));
		/* Each word is kept alive by the argument list it came from. */
		argv[i] = (char *)lua_tostring(L, -1);
		lua_pop(L, 1);
	}
	argv[n] = NULL;
	return argv;
}

static int run(lua_State *L, int capture, int wait)
{
	struct nl_err err = { 0 };
	struct ns *ns = nlb_checkns(L, 1);
	struct ns_exec x = { 0 };

	x.argv = check_argv(L, &x.quiet, &x.log);
	x.capture = capture;
	x.wait = wait;
	if (ns_exec(ns, &x, &err) < 0)
		return nlb_error(L, &err);
	if (!wait) {
		lua_pushinteger(L, x.pid);
		return 1;
	}
	if (capture) {
		lua_pushlstring(L, x.out, x.outlen);
		free(x.out);
		lua_pushinteger(L, WIFEXITED(x.status) ? WEXITSTATUS(x.status) :
							 128 + WTERMSIG(x.status));
		return 2;
	}
	/* As os.execute: true or nil, "exit" or "signal", and the number. */
	if (WIFEXITED(x.status) && WEXITSTATUS(x.status) == 0)
		lua_pushboolean(L, 1);
	else
		lua_pushnil(L);
	if (WIFEXITED(x.status)) {
		lua_pushliteral(L, "exit");
		lua_pushinteger(L, WEXITSTATUS(x.status));
	} else {
		lua_pushliteral(L, "signal");
		lua_pushinteger(L, WTERMSIG(x.status));
	}
	return 3;
}

static int l_exec(lua_State *L)
{
	return run(L, 0, 1);
}

static int l_capture(lua_State *L)
{
	return run(L, 1, 1);
}

static int l_spawn(lua_State *L)
{
	return run(L, 0, 0);
}

static const luaL_Reg ns_funcs[] = {
	{ "add", l_add },
	{ "del", l_del },
	{ "get", l_get },
	{ "list", l_list },
	{ "sysctl", l_sysctl },
	{ "exec", l_exec },
	{ "capture", l_capture },
	{ "spawn", l_spawn },
	{ NULL, NULL },
};

int luaopen_ns(lua_State *L)
{
	luaL_newlib(L, ns_funcs);
	nlb_ns_pid(L);
	nlb_pushns(L, NS_ROOT);
	lua_pushvalue(L, -1);
	lua_setfield(L, -3, "root");
	/* Docker's --network host: a process in the root namespace; the same object. */
	lua_setfield(L, -2, "host");
	return 1;
}
