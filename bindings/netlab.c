// SPDX-License-Identifier: MIT
/*
 * The netlab module: what belongs to no kernel object. Here its own table,
 * sleep, and the plumbing the Lua halves share (function names, errors,
 * field checks, the dry run's wall); the rest of it comes from cidr.c
 * (address arithmetic), proc.c (processes), files.c (lock and lab files)
 * and help.c (man pages). The loader that opens every module is init.c.
 */
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bind.h"
#include "core/change.h"
#include "core/trace.h"

static int l_sleep(lua_State *L)
{
	lua_Number s = luaL_checknumber(L, 1);
	struct timespec ts;

	/* NaN and infinity have no time_t: converting them is undefined. */
	if (!(s >= 0) || s > (lua_Number)INT32_MAX)
		return nlb_argerror(L, 1, "a duration of 0 to %d seconds expected", INT32_MAX);
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (lua_Number)ts.tv_sec) * 1e9);
	/* A signal ends the sleep early, so Ctrl-C reaches the script at once. */
	nanosleep(&ts, NULL);
	return 0;
}

/* netlab._name(fn, "mod.fn"): how errors raised under fn name it (for wrappers). */
static int l_name(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TFUNCTION);
	luaL_checkstring(L, 2);
	lua_getfield(L, LUA_REGISTRYINDEX, "netlab.names");
	lua_pushvalue(L, 1);
	lua_pushvalue(L, 2);
	lua_rawset(L, -3);
	return 0;
}

/* netlab._function_name(fn): "link.veth" for netlab's functions, else nil. */
static int l_function_name(lua_State *L)
{
	luaL_checkany(L, 1);
	lua_getfield(L, LUA_REGISTRYINDEX, "netlab.names");
	lua_pushvalue(L, 1);
	lua_rawget(L, -2);
	return 1;
}

/* netlab._changes(): how many kernel-changing requests this process has made. */
static int l_changes(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)change_count());
	return 1;
}

/* netlab._readonly(on): a dry run's wall in the core (see change_set_readonly). */
static int l_readonly(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TBOOLEAN);
	change_set_readonly(lua_toboolean(L, 1));
	return 0;
}

/* netlab._release(): lets go of cached namespace handles (see ns_release). */
static int l_release(lua_State *L)
{
	(void)L;
	ns_release();
	return 0;
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

	/* No errno by default: a Lua half's message says what is wrong in words. */
	err.code = (int)luaL_optinteger(L, 3, 0);
	snprintf(err.msg, sizeof(err.msg), "%s", msg);
	if (name)
		snprintf(err.obj, sizeof(err.obj), "%s", name);
	return nlb_error(L, &err);
}

static int l_argerror(lua_State *L)
{
	return nlb_argerror(L, (int)luaL_checkinteger(L, 1), "%s", luaL_checkstring(L, 2));
}

/*
 * netlab._fields(t, arg, {"lo", "ipv6", …} [, npos]): nlb_checkfields for the
 * Lua halves, with the spec as a list; one check and one "did you mean".
 */
static int l_fields(lua_State *L)
{
	const char *known[64];
	lua_Integer i, n;

	luaL_checktype(L, 1, LUA_TTABLE);
	luaL_checktype(L, 3, LUA_TTABLE);
	n = (lua_Integer)lua_rawlen(L, 3);
	luaL_argcheck(L, n < (lua_Integer)(sizeof(known) / sizeof(known[0])), 3, "too many fields");
	for (i = 0; i < n; i++) {
		lua_rawgeti(L, 3, i + 1);
		/* The list keeps each string alive while the check runs. */
		known[i] = luaL_checkstring(L, -1);
		lua_pop(L, 1);
	}
	known[n] = NULL;
	nlb_checkfields(L, 1, (int)luaL_checkinteger(L, 2), luaL_optinteger(L, 4, 1), known);
	return 0;
}

/* The trace's sink: each line to a stream, at once (a script may die next). */
static FILE *trace_out;
static int trace_owned;

static void trace_write(const char *line, void *data)
{
	fprintf(data, "%s\n", line);
	fflush(data);
}

static void trace_stop(void)
{
	trace_set(NULL, NULL);
	if (trace_owned && trace_out)
		fclose(trace_out);
	trace_out = NULL;
	trace_owned = 0;
}

/*
 * netlab.trace(true | false | FILE): every kernel change from here on as the
 * command that makes it, on stderr or into FILE (made anew); false stops.
 * Returns whether a trace was on.
 */
static int l_trace(lua_State *L)
{
	int was = trace_on();

	if (lua_type(L, 1) == LUA_TSTRING) {
		size_t len;
		const char *path = lua_tolstring(L, 1, &len);
		FILE *f;

		if (!len || strlen(path) != len)
			return luaL_argerror(L, 1, "a file name expected (not empty, no NUL)");
		f = fopen(path, "w");
		if (!f) {
			char shown[72];

			snprintf(shown, sizeof(shown), len > 60 ? "%.60s..." : "%s", path);
			return luaL_argerror(L, 1, lua_pushfstring(L, "cannot open \"%s\": %s", shown,
								   strerror(errno)));
		}
		trace_stop();
		trace_out = f;
		trace_owned = 1;
	} else {
		luaL_checktype(L, 1, LUA_TBOOLEAN);
		trace_stop();
		if (lua_toboolean(L, 1))
			trace_out = stderr;
	}
	if (trace_out)
		trace_set(trace_write, trace_out);
	lua_pushboolean(L, was);
	return 1;
}

/* netlab._trace_line(text): a line of the trace made in Lua (a dry run's plan). */
static int l_trace_line(lua_State *L)
{
	trace_emit(luaL_checkstring(L, 1));
	return 0;
}

static int l_tracing(lua_State *L)
{
	lua_pushboolean(L, trace_on());
	return 1;
}

static const luaL_Reg netlab_funcs[] = {
	{ "sleep", l_sleep },
	{ "trace", l_trace },
	{ "_trace_line", l_trace_line },
	{ "_tracing", l_tracing },
	{ "_name", l_name },
	{ "_changes", l_changes },
	{ "_readonly", l_readonly },
	{ "_function_name", l_function_name },
	{ "_release", l_release },
	{ "_meta", l_meta },
	{ "_where", l_where },
	{ "_error", l_error },
	{ "_argerror", l_argerror },
	{ "_fields", l_fields },
	{ NULL, NULL },
};

int luaopen_netlab(lua_State *L)
{
	luaL_newlib(L, netlab_funcs);
	nlb_netlab_cidr(L);
	nlb_netlab_proc(L);
	nlb_netlab_files(L);
	nlb_netlab_help(L);
	lua_pushliteral(L, NETLAB_VERSION);
	lua_setfield(L, -2, "version");
	return 1;
}
