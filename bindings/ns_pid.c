// SPDX-License-Identifier: MIT
/*
 * The ns module's namespaces of processes: ns.attach, ns.pids, ns.kill and
 * ns.of (as `ip netns attach`, `pids` and `identify`).
 */
#include <limits.h>
#include <signal.h>
#include <stdlib.h>

#include "bind.h"
#include "core/ns.h"

static pid_t check_pid(lua_State *L, int arg)
{
	lua_Integer n = luaL_checkinteger(L, arg);

	if (n <= 0 || n > INT_MAX)
		nlb_argerror(L, arg, "a process id (1 to %d) expected, got %I", INT_MAX, n);
	return (pid_t)n;
}

/* ns.attach(NAME, PID): the namespace object of the name given. */
static int l_attach(lua_State *L)
{
	struct nl_err err = { 0 };
	const char *name = luaL_checkstring(L, 1);
	pid_t pid = check_pid(L, 2);

	struct ns *ns;

	if (ns_attach(name, pid, &err) < 0 || ns_get(name, &ns, &err) < 0)
		return nlb_error(L, &err);
	nlb_pushns_id(L, ns);
	return 1;
}

/* ns.pids(NS): the PIDs of the processes in it, ascending. */
static int l_pids(lua_State *L)
{
	struct nl_err err = { 0 };
	struct ns *ns = nlb_checkns(L, 1);
	pid_t *v;
	size_t n, i;

	if (ns_pids(ns, &v, &n, &err) < 0)
		return nlb_error(L, &err);
	lua_createtable(L, (int)(n < INT_MAX ? n : 0), 0);
	for (i = 0; i < n; i++) {
		lua_pushinteger(L, v[i]);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	free(v);
	return 1;
}

/* ns.kill(NS [, SIGNAL]): TERM by default; how many processes were signalled. */
static int l_kill(lua_State *L)
{
	struct nl_err err = { 0 };
	struct ns *ns = nlb_checkns(L, 1);
	int sig = lua_isnoneornil(L, 2) ? SIGTERM : nlb_checksignal(L, 2);
	size_t count;

	if (ns_kill(ns, sig, &count, &err) < 0)
		return nlb_error(L, &err);
	lua_pushinteger(L, (lua_Integer)count);
	return 1;
}

/*
 * ns.of(PID): the namespace object (named, or the anonymous "pid:PID" that
 * holds a namespace with no name), or nil and why (no such process).
 */
static int l_of(lua_State *L)
{
	struct nl_err err = { 0 };
	pid_t pid = check_pid(L, 1);
	struct ns *ns;

	if (ns_of(pid, &ns, &err) < 0) {
		lua_pushnil(L);
		lua_pushfstring(L, "%s: %s (%s)", err.obj, err.msg, nlb_errname(err.code));
		return 2;
	}
	nlb_pushns_id(L, ns);
	return 1;
}

void nlb_ns_pid(lua_State *L)
{
	static const luaL_Reg f[] = {
		{ "attach", l_attach },
		{ "pids", l_pids },
		{ "kill", l_kill },
		{ "of", l_of },
		{ NULL, NULL },
	};

	luaL_setfuncs(L, f, 0);
}
