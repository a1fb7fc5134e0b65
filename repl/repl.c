// SPDX-License-Identifier: MIT
/* The interactive interpreter. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lua.h>
#include <lauxlib.h>
#include <readline/history.h>
#include <readline/readline.h>

#include "repl/repl.h"

/* Standard input that is not a terminal is one script, as `lua -` reads it. */
static int run_stdin(lua_State *L)
{
	int status = luaL_loadfilex(L, NULL, "t");

	if (status == LUA_OK)
		status = netlab_pcall(L, 0, 0);
	return netlab_report(L, status) == LUA_OK ? 0 : -1;
}

/* A line is first tried as an expression, so `ns.list()` shows its value. */
static int load_line(lua_State *L, const char *line)
{
	const char *ret = lua_pushfstring(L, "return %s;", line);
	int status = luaL_loadbuffer(L, ret, strlen(ret), "=stdin");

	lua_remove(L, -2);
	if (status == LUA_OK)
		return status;
	lua_pop(L, 1);
	return luaL_loadbuffer(L, line, strlen(line), "=stdin");
}

static void print_results(lua_State *L, int first, int last)
{
	int i;

	for (i = first; i <= last; i++) {
		puts(luaL_tolstring(L, i, NULL));
		lua_pop(L, 1);
	}
}

int repl_main(lua_State *L, int tty)
{
	char *line;

	if (!tty)
		return run_stdin(L);
	while ((line = readline("netlab> "))) {
		int top = lua_gettop(L), status;

		if (*line)
			add_history(line);
		status = load_line(L, line);
		free(line);
		if (status == LUA_OK)
			status = netlab_pcall(L, 0, LUA_MULTRET);
		if (status == LUA_OK)
			print_results(L, top + 1, lua_gettop(L));
		else
			netlab_report(L, status);
		lua_settop(L, top);
	}
	putchar('\n');
	return 0;
}
