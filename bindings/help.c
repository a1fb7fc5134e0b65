// SPDX-License-Identifier: MIT
/*
 * The man pages compiled into netlab, for help() (bindings/netlab.lua): a
 * page is found without man(1) or an installed copy.
 */
#include <string.h>

#include "bind.h"
#include "bindings/embedded.h"

/* netlab._man("netlab-link.3"): the man page compiled into netlab, or nil. */
static int l_man(lua_State *L)
{
	const char *page = luaL_checkstring(L, 1);
	const struct nlb_chunk *c;

	for (c = nlb_chunks; c->name; c++)
		if (!strncmp(c->name, "man/", 4) && !strcmp(c->name + 4, page)) {
			lua_pushlstring(L, c->src, c->len);
			return 1;
		}
	return 0;
}

static const luaL_Reg funcs[] = {
	{ "_man", l_man },
	{ NULL, NULL },
};

void nlb_netlab_help(lua_State *L)
{
	luaL_setfuncs(L, funcs, 0);
}
