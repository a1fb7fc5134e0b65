// SPDX-License-Identifier: MIT
/* Helpers every binding uses, and the one error formatter. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bind.h"

/* Chunks of netlab's own Lua are named "=netlab/…", so errors can skip them. */
#define OWN_PREFIX "=netlab/"

const char *nlb_errname(int code)
{
	const char *s = strerrorname_np(code);

	return s ? s : "E?";
}

/* The level of the innermost frame of the user's code, or 0. */
static int user_level(lua_State *L)
{
	lua_Debug ar;
	int lvl;

	for (lvl = 1; lua_getstack(L, lvl, &ar); lvl++) {
		lua_getinfo(L, "Sl", &ar);
		if (ar.currentline > 0 && strncmp(ar.source, OWN_PREFIX, strlen(OWN_PREFIX)))
			return lvl;
	}
	return 0;
}

void nlb_where(lua_State *L)
{
	lua_Debug ar;
	int lvl = user_level(L);

	if (lvl && lua_getstack(L, lvl, &ar)) {
		lua_getinfo(L, "Sl", &ar);
		lua_pushfstring(L, "%s:%d: ", ar.short_src, ar.currentline);
		return;
	}
	lua_pushliteral(L, "");
}

/*
 * Pushes the name of the function the user's code called: "link.veth" from
 * the registry of netlab's functions, else what the call site calls it.
 */
static void push_api_name(lua_State *L, int qualified)
{
	lua_Debug ar;
	int lvl = user_level(L);

	if (!lvl || !lua_getstack(L, lvl - 1, &ar)) {
		lua_pushliteral(L, "?");
		return;
	}
	lua_getinfo(L, "nf", &ar);
	if (lua_getfield(L, LUA_REGISTRYINDEX, "netlab.names") == LUA_TTABLE) {
		lua_pushvalue(L, -2);
		if (lua_rawget(L, -2) == LUA_TSTRING) {
			const char *q = lua_tostring(L, -1);
			const char *dot = strpbrk(q, ".:");

			if (!qualified && dot)
				lua_pushstring(L, dot + 1);
			else
				lua_pushvalue(L, -1);
			lua_replace(L, -4);
			lua_pop(L, 2);
			return;
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 2);
	lua_pushstring(L, ar.name ? ar.name : "?");
}

int nlb_error(lua_State *L, const struct nl_err *err)
{
	const char *msg = err->msg[0] ? err->msg : strerror(err->code);

	nlb_where(L);
	push_api_name(L, 1);
	if (err->obj[0])
		lua_pushfstring(L, ": %s: %s (%s)", err->obj, msg, nlb_errname(err->code));
	else
		lua_pushfstring(L, ": %s (%s)", msg, nlb_errname(err->code));
	if ((err->code == EPERM || err->code == EACCES) && geteuid() != 0)
		lua_pushliteral(L, "; netlab needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN)");
	else
		lua_pushliteral(L, "");
	lua_concat(L, 4);
	return lua_error(L);
}

int nlb_argerror(lua_State *L, int arg, const char *fmt, ...)
{
	va_list ap;

	nlb_where(L);
	lua_pushfstring(L, "bad argument #%d to '", arg);
	push_api_name(L, 0);
	lua_pushliteral(L, "' (");
	va_start(ap, fmt);
	lua_pushvfstring(L, fmt, ap);
	va_end(ap);
	lua_pushliteral(L, ")");
	lua_concat(L, 6);
	return lua_error(L);
}

static const char *no_nul(lua_State *L, int idx, const char *s, size_t len)
{
	char shown[48];
	struct nl_err err;

	if (!s || strlen(s) == len)
		return s;
	snprintf(shown, sizeof(shown), "\"%.24s\\0...\"", s);
	if (idx > 0)
		nlb_argerror(L, idx, "string %s contains a NUL byte", shown);
	nl_fail(&err, EINVAL, "string %s contains a NUL byte", shown);
	err.obj[0] = '\0';
	nlb_error(L, &err);
	return NULL; /* not reached: both raise */
}

const char *nlb_tostring(lua_State *L, int idx)
{
	size_t len;
	const char *s = lua_tolstring(L, idx, &len);

	return no_nul(L, idx, s, len);
}

const char *nlb_checkstring(lua_State *L, int arg)
{
	size_t len;
	const char *s = luaL_checklstring(L, arg, &len);

	return no_nul(L, arg, s, len);
}

const char *nlb_optstring_arg(lua_State *L, int arg, const char *def)
{
	size_t len;
	const char *s = luaL_optlstring(L, arg, def, &len);

	return s == def ? s : no_nul(L, arg, s, len);
}

static int has_meta(lua_State *L, int idx, const char *tname)
{
	int r;

	if (!lua_istable(L, idx) || !lua_getmetatable(L, idx))
		return 0;
	luaL_getmetatable(L, tname);
	r = lua_rawequal(L, -1, -2);
	lua_pop(L, 2);
	return r;
}

int nlb_args(lua_State *L, const char **name)
{
	if (lua_istable(L, 1) && !has_meta(L, 1, NLB_LINK) && !has_meta(L, 1, NLB_NS)) {
		if (lua_geti(L, 1, 1) != LUA_TSTRING)
			nlb_argerror(L, 1, "a name expected as the table's first item, got %s",
				     luaL_typename(L, -1));
		*name = lua_tostring(L, -1);
		lua_pop(L, 1); /* the string stays alive in the table */
		return 1;
	}
	*name = luaL_checkstring(L, 1);
	if (lua_isnoneornil(L, 2))
		return 0;
	luaL_checktype(L, 2, LUA_TTABLE);
	return 2;
}

static int field_type(lua_State *L, int t, const char *field)
{
	if (!t)
		return LUA_TNIL;
	return lua_getfield(L, t, field);
}

static int field_error(lua_State *L, int t, const char *field, const char *want)
{
	return nlb_argerror(L, t, "field '%s': %s expected, got %s", field, want,
			    luaL_typename(L, -1));
}

const char *nlb_optstring(lua_State *L, int t, const char *field, const char *def)
{
	const char *s;
	int type = field_type(L, t, field);

	if (type == LUA_TNIL) {
		if (t)
			lua_pop(L, 1);
		return def;
	}
	if (type != LUA_TSTRING)
		field_error(L, t, field, "string");
	s = lua_tostring(L, -1);
	lua_pop(L, 1); /* still referenced by the table */
	return s;
}

lua_Integer nlb_optint(lua_State *L, int t, const char *field, lua_Integer def, lua_Integer lo,
		       lua_Integer hi)
{
	lua_Integer v;
	int isint, type = field_type(L, t, field);

	if (type == LUA_TNIL) {
		if (t)
			lua_pop(L, 1);
		return def;
	}
	v = lua_tointegerx(L, -1, &isint);
	if (type != LUA_TNUMBER || !isint)
		field_error(L, t, field, "integer");
	lua_pop(L, 1);
	if (v < lo || v > hi)
		nlb_argerror(L, t, "field '%s': %I is out of range (%I to %I)", field, v, lo, hi);
	return v;
}

int nlb_optbool(lua_State *L, int t, const char *field)
{
	int v, type = field_type(L, t, field);

	if (type == LUA_TNIL) {
		if (t)
			lua_pop(L, 1);
		return -1;
	}
	if (type != LUA_TBOOLEAN)
		field_error(L, t, field, "boolean");
	v = lua_toboolean(L, -1);
	lua_pop(L, 1);
	return v;
}

struct ns *nlb_checkns(lua_State *L, int idx)
{
	struct nl_err err = { 0 };
	const char *name = NULL;
	struct ns *ns;

	idx = lua_absindex(L, idx);
	if (has_meta(L, idx, NLB_NS)) {
		lua_getfield(L, idx, "name");
		name = lua_tostring(L, -1);
		lua_pop(L, 1);
	} else if (lua_type(L, idx) == LUA_TSTRING) {
		name = lua_tostring(L, idx);
	} else if (!lua_isnoneornil(L, idx)) {
		nlb_argerror(L, idx, "namespace name or object expected, got %s",
			     luaL_typename(L, idx));
	}
	if (ns_get(name, &ns, &err) < 0)
		nlb_error(L, &err);
	return ns;
}

struct ns *nlb_optns(lua_State *L, int t, const char *field)
{
	struct ns *ns;

	if (!t)
		return ns_root();
	lua_getfield(L, t, field);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return ns_root();
	}
	if (lua_type(L, -1) != LUA_TSTRING && !has_meta(L, -1, NLB_NS))
		field_error(L, t, field, "namespace name or object");
	ns = nlb_checkns(L, -1);
	lua_pop(L, 1);
	return ns;
}

const char *nlb_checklink(lua_State *L, int idx, int opts, struct ns **ns)
{
	const char *name;

	if (has_meta(L, idx, NLB_LINK)) {
		lua_getfield(L, idx, "name");
		name = lua_tostring(L, -1);
		lua_pop(L, 1);
		lua_getfield(L, idx, "ns");
		*ns = nlb_checkns(L, -1);
		lua_pop(L, 1);
		return name;
	}
	if (lua_type(L, idx) != LUA_TSTRING)
		nlb_argerror(L, idx, "link name or object expected, got %s", luaL_typename(L, idx));
	name = lua_tostring(L, idx);
	*ns = nlb_optns(L, opts, "ns");
	return name;
}

const char *nlb_optlinkname(lua_State *L, int t, const char *field)
{
	const char *name;

	if (field_type(L, t, field) == LUA_TNIL) {
		if (t)
			lua_pop(L, 1);
		return NULL;
	}
	if (has_meta(L, -1, NLB_LINK)) {
		lua_getfield(L, -1, "name");
		lua_replace(L, -2);
	}
	if (lua_type(L, -1) != LUA_TSTRING)
		field_error(L, t, field, "link name or object");
	/* Reachable through the options table (directly, or through the link object). */
	name = lua_tostring(L, -1);
	lua_pop(L, 1);
	return name;
}

void nlb_pushns(lua_State *L, const char *name)
{
	lua_createtable(L, 0, 1);
	lua_pushstring(L, name);
	lua_setfield(L, -2, "name");
	luaL_setmetatable(L, NLB_NS);
}

void nlb_pushlink(lua_State *L, const char *nsname, const char *name)
{
	lua_createtable(L, 0, 3);
	lua_pushstring(L, name);
	lua_setfield(L, -2, "name");
	nlb_pushns(L, nsname);
	lua_setfield(L, -2, "ns");
	luaL_setmetatable(L, NLB_LINK);
}

void nlb_setmeta(lua_State *L, const char *name)
{
	luaL_newmetatable(L, name);
	lua_setmetatable(L, -2);
}
