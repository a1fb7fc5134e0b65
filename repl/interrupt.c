// SPDX-License-Identifier: MIT
/*
 * Ctrl-C and SIGTERM while Lua runs (lua.c's role): the signal sets a hook
 * and the hook raises "interrupted" in the running code, except inside a
 * critical section (netlab._critical), where it waits for the section's end.
 */
#include <signal.h>

#include "core/probe.h"
#include "repl/interrupt.h"

static lua_State *interruptible;
static volatile sig_atomic_t critical, pending;

static void interrupt_hook(lua_State *L, lua_Debug *ar)
{
	(void)ar;
	lua_sethook(L, NULL, 0, 0);
	if (critical) {
		pending = 1;
		return;
	}
	pending = 0;
	luaL_error(L, "interrupted");
}

static void arm_hook(lua_State *L)
{
	lua_sethook(L, interrupt_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT, 1);
}

static void on_signal(int sig)
{
	/* A second one while the first is still pending ends netlab at once. */
	if (pending && !critical)
		signal(sig, SIG_DFL);
	pending = 1;
	if (interruptible && !critical)
		arm_hook(interruptible);
}

void interrupt_arm(lua_State *L)
{
	interruptible = L;
	pending = 0;
	/* A matrix waits in poll and between waves, where no hook runs: it looks here. */
	probe_stop = &pending;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
}

void interrupt_disarm(void)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	interruptible = NULL;
	pending = 0;
	probe_stop = NULL;
}

/*
 * netlab._critical(on [, discard]): while a lab is rolled back or saved,
 * Ctrl-C and SIGTERM wait; the interruption is raised when the section ends,
 * unless discard says the run is failing anyway.
 */
static int l_critical(lua_State *L)
{
	critical = lua_toboolean(L, 1);
	if (critical) {
		lua_sethook(L, NULL, 0, 0);
	} else if (lua_toboolean(L, 2)) {
		pending = 0;
	} else if (pending && interruptible) {
		arm_hook(interruptible);
	}
	return 0;
}

const luaL_Reg interrupt_funcs[] = {
	{ "_critical", l_critical },
	{ NULL, NULL },
};
