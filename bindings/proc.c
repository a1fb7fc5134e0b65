// SPDX-License-Identifier: MIT
/*
 * netlab.kill, netlab.wait and the lab engine's hold on the processes
 * scripts started (ns.spawn): thin bindings over core/proc.c.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "bind.h"
#include "core/proc.h"

/* netlab._adopt(pid): a process ns.spawn started, which netlab.kill may end. */
static int l_adopt(lua_State *L)
{
	struct nl_err err;

	if (proc_adopt((pid_t)luaL_checkinteger(L, 1), &err) < 0)
		return luaL_error(L, "out of memory");
	return 0;
}

static pid_t check_child(lua_State *L, int idx)
{
	lua_Integer pid = luaL_checkinteger(L, idx);

	/* 2^32 + pid must not be taken as pid. */
	if (pid <= 0 || pid > INT32_MAX)
		nlb_argerror(L, idx, "a process id expected");
	if (!proc_known((pid_t)pid))
		nlb_argerror(L, idx, "%d is not a process this script started", (int)pid);
	return (pid_t)pid;
}

int nlb_checksignal(lua_State *L, int arg)
{
	static const char *const names[] = { "INT", "TERM", "KILL", "HUP", "USR1", NULL };
	static const int sigs[] = { SIGINT, SIGTERM, SIGKILL, SIGHUP, SIGUSR1 };

	if (lua_type(L, arg) == LUA_TNUMBER) {
		lua_Integer n = luaL_checkinteger(L, arg);

		if (n < 0 || n > SIGRTMAX)
			return nlb_argerror(L, arg, "a signal number of 0 to %d expected", SIGRTMAX);
		return (int)n;
	}
	return sigs[luaL_checkoption(L, arg, NULL, names)];
}

/* netlab.kill(pid [, "INT"|"TERM"|"KILL"|n]): without a signal, TERM then KILL, and reaped. */
static int l_kill(lua_State *L)
{
	pid_t pid = check_child(L, 1);
	int sig;

	if (lua_isnoneornil(L, 2)) {
		lua_pushboolean(L, proc_terminate(pid) == 0);
		return 1;
	}
	sig = nlb_checksignal(L, 2);
	lua_pushboolean(L, proc_signal(pid, sig) == 0);
	return 1;
}

/* netlab.wait(pid [, seconds]): "exit", code or "signal", n; nil when it is still running. */
static int l_wait(lua_State *L)
{
	pid_t pid = check_child(L, 1);
	lua_Number s = luaL_optnumber(L, 2, -1);
	struct nl_err err;
	int status, r;

	/* NaN would never count down. */
	if (!lua_isnoneornil(L, 2) && !(s >= 0))
		return nlb_argerror(L, 2, "a duration of 0 seconds or more expected");
	r = proc_wait(pid, s, &status, &err);
	if (r < 0)
		return nlb_argerror(L, 1, "cannot wait for %d: %s", (int)pid, strerror(-r));
	if (r == 0)
		return 0;
	if (WIFEXITED(status)) {
		lua_pushliteral(L, "exit");
		lua_pushinteger(L, WEXITSTATUS(status));
	} else {
		lua_pushliteral(L, "signal");
		lua_pushinteger(L, WTERMSIG(status));
	}
	return 2;
}

/* netlab._proc_start(pid): the start time of a live process, or nil (gone, or a zombie). */
static int l_proc_start(lua_State *L)
{
	unsigned long long start;

	if (proc_start((pid_t)luaL_checkinteger(L, 1), &start) < 0)
		return 0;
	lua_pushinteger(L, (lua_Integer)start);
	return 1;
}

/*
 * netlab._end(pid, start): ends a process a lab started (ns.spawn), which
 * need not be this netlab's child: `netlab down` ends what the run left
 * running. Only when its start time is the one recorded, so a PID used again
 * by someone else's process is left alone. True when it was running.
 */
static int l_end(lua_State *L)
{
	pid_t pid = (pid_t)luaL_checkinteger(L, 1);
	unsigned long long start = (unsigned long long)luaL_checkinteger(L, 2);

	lua_pushboolean(L, proc_end(pid, start));
	return 1;
}

static const luaL_Reg funcs[] = {
	{ "kill", l_kill },
	{ "wait", l_wait },
	{ "_adopt", l_adopt },
	{ "_end", l_end },
	{ "_proc_start", l_proc_start },
	{ NULL, NULL },
};

void nlb_netlab_proc(lua_State *L)
{
	luaL_setfuncs(L, funcs, 0);
}
