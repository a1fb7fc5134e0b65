// SPDX-License-Identifier: MIT
/*
 * The man pages compiled into netlab, for help() (bindings/netlab.lua): a
 * page is found without man(1) or an installed copy.
 */
#include "bind.h"
#include "bindings/embedded.h"

/* netlab._man("netlab-link.3"): the man page compiled into netlab, or nil. */
static int l_man(lua_State *L)
{
	const struct nlb_chunk *c = nlb_chunk_find(lua_pushfstring(L, "man/%s", luaL_checkstring(L, 1)));

	if (!c)
		return 0;
	lua_pushlstring(L, c->src, c->len);
	return 1;
}

static const luaL_Reg funcs[] = {
	{ "_man", l_man },
	{ NULL, NULL },
};

void nlb_netlab_help(lua_State *L)
{
	luaL_setfuncs(L, funcs, 0);
}
