// SPDX-License-Identifier: MIT
#ifndef NETLAB_INTERRUPT_H
#define NETLAB_INTERRUPT_H

#include <lua.h>
#include <lauxlib.h>

/*
 * Ctrl-C and SIGTERM while Lua runs: the signal sets a hook and the hook
 * raises "interrupted" in the running code (as lua.c does), except inside a
 * critical section (netlab._critical), where it waits for the section's end.
 */
void interrupt_arm(lua_State *L);
void interrupt_disarm(void);

/* netlab._critical(on [, discard]), which the command line adds to the netlab module. */
extern const luaL_Reg interrupt_funcs[];

#endif
