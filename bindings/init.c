// SPDX-License-Identifier: MIT
/*
 * The loader (linit.c's role): opens every module, its C half, then its Lua
 * half from the binary, as a global; names their functions for error
 * messages; and lets scripts require the Lua-only libraries and cjson.
 */
#include <stdio.h>
#include <string.h>

#include "bind.h"
#include "bindings/embedded.h"
#include <lua-cjson.h>

const struct nlb_chunk *nlb_chunk_find(const char *name)
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
	const struct nlb_chunk *c = nlb_chunk_find(luaL_checkstring(L, 1));

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
	{ "bridge", luaopen_bridge },
	{ "route", luaopen_route },
	{ "nat", luaopen_nat },
	{ "probe", luaopen_probe },
	{ "graph", luaopen_graph },
};

#define NMODULES (sizeof(modules) / sizeof(modules[0]))

/* Whether a chunk is (part of) module mod's Lua half: "netlab", "netlab_show". */
static int part_of(const char *name, const char *mod)
{
	size_t n = strlen(mod);

	return !strncmp(name, mod, n) && (!name[n] || name[n] == '_');
}

void nlb_openlibs(lua_State *L, const luaL_Reg *cli)
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
		/* Before the Lua half runs and the functions are named, as the C half's own. */
		if (cli && !strcmp(modules[i].name, "netlab"))
			luaL_setfuncs(L, cli, 0);
		/* The Lua half (its files in name order) gets the C half's table and adds to it. */
		for (c = nlb_chunks; c->name; c++) {
			if (!part_of(c->name, modules[i].name))
				continue;
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
	for (i = 0; i < NMODULES; i++) {
		name_functions(L, modules[i].name);
		/* Last, so that the Lua halves could still test for what is not there. */
		lua_getglobal(L, modules[i].name);
		nlb_strictmodule(L, -1, modules[i].name);
		lua_pop(L, 1);
	}
	/* The rest are libraries a script may require. */
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
	/* lua-cjson: lab records are JSON, and scripts may read and write it too. */
	lua_pushcfunction(L, luaopen_cjson);
	lua_setfield(L, -2, "cjson");
	for (c = nlb_chunks; c->name; c++) {
		if (!strncmp(c->name, "man/", 4))
			continue;
		for (i = 0; i < NMODULES && !part_of(c->name, modules[i].name); i++)
			;
		if (i == NMODULES) {
			lua_pushcfunction(L, preload);
			lua_setfield(L, -2, c->name);
		}
	}
	lua_pop(L, 1);
}
