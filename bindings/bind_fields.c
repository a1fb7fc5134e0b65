// SPDX-License-Identifier: MIT
/*
 * The names a script may get wrong, refused with what was meant: unknown
 * keys of an options table (nlb_checkfields, with the same specs made
 * visible to the Lua halves as mod._spec) and unknown module functions
 * (nlb_strictmodule), each with a "did you mean" from nlb_nearest.
 */
#include <string.h>

#include "bind.h"

/*
 * How far apart two names are, as edits (insert, delete, change, or swap of
 * two neighbours: "veht" is one from "veth"); names longer than NEAR_MAX are
 * never near.
 */
#define NEAR_MAX 32

static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t d[NEAR_MAX + 1][NEAR_MAX + 1];

	if (la > NEAR_MAX || lb > NEAR_MAX)
		return (size_t)-1;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			size_t c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1 < c)
				c = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < c)
				c = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < c)
				c = d[i - 2][j - 2] + 1;
			d[i][j] = c;
		}
	return d[la][lb];
}

/*
 * Whether a typo of want could have given got: one edit for short names, two
 * for longer ones, or one a start of the other ("device" for "dev").
 */
static size_t nearness(const char *got, const char *want)
{
	size_t lg = strlen(got), lw = strlen(want), d = distance(got, want);
	size_t shorter = lg < lw ? lg : lw;

	if (d <= (lg <= 3 ? 1 : 2))
		return d;
	if (shorter >= 2 && !strncmp(got, want, shorter))
		return 3;
	return (size_t)-1;
}

const char *nlb_nearest(const char *got, const char *const *names)
{
	const char *best = NULL;
	size_t bestd = (size_t)-1, d;

	for (; *names; names++) {
		d = nearness(got, *names);
		if (d < bestd) {
			best = *names;
			bestd = d;
		}
	}
	return best;
}

/* "a, b, c" of a NULL-terminated list, pushed. */
static void push_names(lua_State *L, const char *const *names)
{
	luaL_Buffer b;

	luaL_buffinit(L, &b);
	for (; *names; names++) {
		luaL_addstring(&b, *names);
		if (names[1])
			luaL_addstring(&b, ", ");
	}
	luaL_pushresult(&b);
}

/* A key as an error shows it, without calling its __tostring (which may raise). */
static const char *key_text(lua_State *L, int idx)
{
	switch (lua_type(L, idx)) {
	case LUA_TNUMBER:
		return lua_pushfstring(L, "%s", lua_tolstring(L, idx, NULL)), lua_tostring(L, -1);
	case LUA_TBOOLEAN:
		return lua_toboolean(L, idx) ? "true" : "false";
	default:
		return luaL_typename(L, idx);
	}
}

void nlb_checkfields(lua_State *L, int t, int arg, lua_Integer npos, const char *const *known)
{
	lua_Integer n = npos < 0 ? (lua_Integer)lua_rawlen(L, t) : npos;

	t = lua_absindex(L, t);
	/* Fields are read raw (bind.h): what only an __index would give is never read. */
	if (lua_getmetatable(L, t)) {
		int has_index = lua_getfield(L, -1, "__index") != LUA_TNIL;

		lua_pop(L, 2);
		if (has_index)
			nlb_argerror(L, arg, "options table with an __index metamethod "
				     "(its fields are read as they are: pass a plain table)");
	}
	lua_pushnil(L);
	while (lua_next(L, t)) {
		const char *k, *near;
		int isint;
		lua_Integer i;

		lua_pop(L, 1);
		i = lua_tointegerx(L, -1, &isint);
		if (lua_type(L, -1) == LUA_TNUMBER && isint && i >= 1 && i <= n)
			continue;
		if (lua_type(L, -1) != LUA_TSTRING) {
			const char *type = luaL_typename(L, -1);

			nlb_argerror(L, arg, "unexpected %s key [%s] in the options", type,
				     key_text(L, -1));
			return;
		}
		k = lua_tostring(L, -1);
		for (i = 0; known[i] && strcmp(known[i], k); i++)
			;
		if (known[i])
			continue;
		near = nlb_nearest(k, known);
		if (near) {
			nlb_argerror(L, arg, "unknown field '%s' (did you mean '%s'?)", k, near);
		} else if (!known[0]) {
			nlb_argerror(L, arg, "unknown field '%s' (no fields are taken here)", k);
		} else {
			push_names(L, known);
			nlb_argerror(L, arg, "unknown field '%s' (known: %s)", k, lua_tostring(L, -1));
		}
	}
}

static void push_list(lua_State *L, const char *const *names)
{
	lua_Integer i;

	lua_newtable(L);
	for (i = 0; names[i]; i++) {
		lua_pushstring(L, names[i]);
		lua_rawseti(L, -2, i + 1);
	}
}

void nlb_setspecs(lua_State *L, const struct nlb_spec *specs)
{
	lua_newtable(L);
	for (; specs->fn; specs++) {
		push_list(L, specs->fields);
		if (specs->sub) {
			push_list(L, specs->subfields);
			lua_setfield(L, -2, specs->sub);
		}
		lua_setfield(L, -2, specs->fn);
	}
	lua_setfield(L, -2, "_spec");
}

/*
 * __index of the module tables: link.veht is a mistake, so it says what was
 * meant instead of letting the call fail on nil. Names starting with '_' are
 * netlab's own optional state and read as nil, as plain tables do; so do
 * the fields documented as nil in some runs (netlab.node on one machine).
 */
static int nosuch(lua_State *L)
{
	static const char *const optional[] = { "netlab.node", "netlab.nodes", NULL };
	const char *k, *mod = lua_tostring(L, lua_upvalueindex(1));
	const char *names[128], *near;
	size_t n = 0, ml = strlen(mod);

	if (lua_type(L, 2) != LUA_TSTRING)
		return 0;
	k = lua_tostring(L, 2);
	if (k[0] == '_')
		return 0;
	for (const char *const *o = optional; *o; o++)
		if (!strncmp(*o, mod, ml) && (*o)[ml] == '.' && !strcmp(*o + ml + 1, k))
			return 0;
	lua_pushnil(L);
	while (lua_next(L, 1)) {
		lua_pop(L, 1);
		/* The keys stay alive in the module table while this runs. */
		if (lua_type(L, -1) == LUA_TSTRING && lua_tostring(L, -1)[0] != '_' &&
		    n < sizeof(names) / sizeof(names[0]) - 1)
			names[n++] = lua_tostring(L, -1);
	}
	names[n] = NULL;
	near = nlb_nearest(k, names);
	nlb_where(L);
	if (near)
		lua_pushfstring(L, "%s.%s: no such function (did you mean %s.%s?)", mod, k, mod, near);
	else
		lua_pushfstring(L, "%s.%s: no such function (see help(%s))", mod, k, mod);
	lua_concat(L, 2);
	return lua_error(L);
}

void nlb_strictmodule(lua_State *L, int idx, const char *name)
{
	idx = lua_absindex(L, idx);
	lua_createtable(L, 0, 1);
	lua_pushstring(L, name);
	lua_pushcclosure(L, nosuch, 1);
	lua_setfield(L, -2, "__index");
	lua_setmetatable(L, idx);
}
