// SPDX-License-Identifier: MIT
/*
 * Helpers every binding uses: the one error formatter, and the readers that
 * turn arguments and option fields into core values (strings refused with a
 * NUL, raw field reads, namespaces and links). Unknown keys and functions are
 * refused in bind_fields.c.
 */
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

/*
 * The level of the innermost frame of the user's code, or 0 when there is
 * none: a tail call (`return link.veth{…}`) replaces the caller's frame, so
 * the user's line may be gone from the stack.
 */
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
 * Pushes the name of the function the user's code called: the outermost of
 * netlab's named functions between the user's frame and here ("link.veth",
 * not the link.add it calls, nor a pcall the user passed it to), else what
 * the call site calls the frame under the user's. Walking every frame, not
 * just the one under the user's, keeps the name right through pcall and tail
 * calls. Internal helpers (netlab._error) are no name to show: "" then.
 */
static void push_api_name(lua_State *L, int qualified)
{
	lua_Debug ar;
	int lvl, top = user_level(L), found = 0;

	if (lua_getfield(L, LUA_REGISTRYINDEX, "netlab.names") != LUA_TTABLE) {
		lua_pop(L, 1);
		lua_newtable(L);
	}
	lua_pushnil(L); /* the best name so far */
	for (lvl = 0; (!top || lvl < top) && lua_getstack(L, lvl, &ar); lvl++) {
		lua_getinfo(L, "f", &ar);
		if (lua_rawget(L, -3) == LUA_TSTRING) {
			const char *dot = strpbrk(lua_tostring(L, -1), ".:");

			found = 1;
			if (dot && dot[1] == '_') {
				lua_pop(L, 1);
				continue;
			}
			lua_replace(L, -2);
		} else {
			lua_pop(L, 1);
		}
	}
	if (lua_isnil(L, -1)) {
		/* What the call site calls the function (topo.lan: "lan"), unless it is internal. */
		const char *site = NULL;
		int internal = 0;

		lua_pop(L, 1);
		if (top && lua_getstack(L, top - 1, &ar)) {
			lua_getinfo(L, "nf", &ar);
			internal = lua_rawget(L, -2) != LUA_TNIL;
			lua_pop(L, 1);
			site = ar.name;
		}
		if (internal || (!site && found))
			lua_pushliteral(L, "");
		else
			lua_pushstring(L, site ? site : "?");
	} else if (!qualified) {
		const char *dot = strpbrk(lua_tostring(L, -1), ".:");

		lua_pushstring(L, dot ? dot + 1 : lua_tostring(L, -1));
		lua_replace(L, -2);
	}
	lua_remove(L, -2);
}

int nlb_error(lua_State *L, const struct nl_err *err)
{
	const char *msg = err->msg[0] || !err->code ? err->msg : strerror(err->code);

	nlb_where(L);
	push_api_name(L, 1);
	if (*lua_tostring(L, -1))
		lua_pushliteral(L, ": ");
	else
		lua_pushliteral(L, "");
	/* Code 0: a message of netlab's own (a Lua half's), with no errno to show. */
	if (err->obj[0])
		lua_pushfstring(L, "%s: %s", err->obj, msg);
	else
		lua_pushstring(L, msg);
	if (err->code)
		lua_pushfstring(L, " (%s)", nlb_errname(err->code));
	else
		lua_pushliteral(L, "");
	if ((err->code == EPERM || err->code == EACCES) && geteuid() != 0)
		lua_pushliteral(L, "; netlab needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN), or --sandbox, which works without root");
	else
		lua_pushliteral(L, "");
	lua_concat(L, 6);
	return lua_error(L);
}

/*
 * An error quotes what it was given, which may be 5,000 bytes long: the
 * message on top of the stack is cut to its start and end, so it stays a
 * line a person reads. Cut at a UTF-8 character's start.
 */
#define SHOWN_MAX 240

static void shorten(lua_State *L)
{
	size_t len, head = SHOWN_MAX - 60, tail = 40;
	const char *s = lua_tolstring(L, -1, &len);

	if (len <= SHOWN_MAX)
		return;
	while (head > 0 && ((unsigned char)s[head] & 0xc0) == 0x80)
		head--;
	while (tail > 0 && ((unsigned char)s[len - tail] & 0xc0) == 0x80)
		tail--;
	lua_pushlstring(L, s, head);
	lua_pushfstring(L, "…[%d bytes]…", (int)(len - head - tail));
	lua_pushlstring(L, s + len - tail, tail);
	lua_concat(L, 3);
	lua_replace(L, -2);
}

int nlb_argerror(lua_State *L, int arg, const char *fmt, ...)
{
	va_list ap;

	nlb_where(L);
	lua_pushfstring(L, "bad argument #%d to '", arg);
	push_api_name(L, 0);
	if (!*lua_tostring(L, -1)) {
		lua_pop(L, 1);
		lua_pushliteral(L, "?");
	}
	lua_pushliteral(L, "' (");
	va_start(ap, fmt);
	lua_pushvfstring(L, fmt, ap);
	va_end(ap);
	shorten(L);
	lua_pushliteral(L, ")");
	lua_concat(L, 6);
	return lua_error(L);
}

int nlb_rawgetfield(lua_State *L, int idx, const char *k)
{
	idx = lua_absindex(L, idx);
	if (lua_type(L, idx) != LUA_TTABLE) {
		lua_pushnil(L);
		return LUA_TNIL;
	}
	lua_pushstring(L, k);
	return lua_rawget(L, idx);
}

int nlb_rawgeti(lua_State *L, int idx, lua_Integer i)
{
	if (lua_type(L, idx) != LUA_TTABLE) {
		lua_pushnil(L);
		return LUA_TNIL;
	}
	return lua_rawgeti(L, idx, i);
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
	const char *s;

	if (lua_type(L, arg) != LUA_TSTRING)
		nlb_argerror(L, arg, "string expected, got %s", luaL_typename(L, arg));
	s = lua_tolstring(L, arg, &len);
	return no_nul(L, arg, s, len);
}

const char *nlb_optstring_arg(lua_State *L, int arg, const char *def)
{
	if (lua_isnoneornil(L, arg))
		return def;
	return nlb_checkstring(L, arg);
}

lua_Integer nlb_checkinteger(lua_State *L, int arg)
{
	int isnum;
	lua_Integer v = lua_tointegerx(L, arg, &isnum);

	if (!isnum) {
		if (lua_isnumber(L, arg))
			nlb_argerror(L, arg, "number has no integer representation");
		nlb_argerror(L, arg, "integer expected, got %s", luaL_typename(L, arg));
	}
	return v;
}

lua_Integer nlb_optinteger(lua_State *L, int arg, lua_Integer def)
{
	return lua_isnoneornil(L, arg) ? def : nlb_checkinteger(L, arg);
}

lua_Number nlb_checknumber(lua_State *L, int arg)
{
	int isnum;
	lua_Number v = lua_tonumberx(L, arg, &isnum);

	if (!isnum)
		nlb_argerror(L, arg, "number expected, got %s", luaL_typename(L, arg));
	return v;
}

lua_Number nlb_optnumber(lua_State *L, int arg, lua_Number def)
{
	return lua_isnoneornil(L, arg) ? def : nlb_checknumber(L, arg);
}

void nlb_checktype(lua_State *L, int arg, int t)
{
	if (lua_type(L, arg) != t)
		nlb_argerror(L, arg, "%s expected, got %s", lua_typename(L, t), luaL_typename(L, arg));
}

int nlb_checkoption(lua_State *L, int arg, const char *def, const char *const lst[])
{
	const char *name = def ? nlb_optstring_arg(L, arg, def) : nlb_checkstring(L, arg);
	int i;

	for (i = 0; lst[i]; i++)
		if (!strcmp(lst[i], name))
			return i;
	return nlb_argerror(L, arg, "invalid option '%s'", name);
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
		if (lua_getfield(L, idx, "name") != LUA_TSTRING)
			nlb_argerror(L, idx, "namespace object without a name");
		name = lua_tostring(L, -1);
		lua_pop(L, 1); /* still referenced by the object */
	} else if (lua_type(L, idx) == LUA_TSTRING) {
		name = lua_tostring(L, idx);
	} else if (!lua_isnoneornil(L, idx)) {
		nlb_argerror(L, idx, "namespace name or object expected, got %s",
			     luaL_typename(L, idx));
	}
	if (ns_get(name, &ns, &err) < 0)
		nlb_error(L, &err);
	/*
	 * A process's namespace object (ns.of) is the namespace it was made
	 * for: should that process have ended and its PID gone to another,
	 * the name now leads elsewhere, and the object is gone.
	 */
	if (ns->pid && has_meta(L, idx, NLB_NS)) {
		lua_getfield(L, idx, "id");
		if (lua_isinteger(L, -1) && lua_tointeger(L, -1) != (lua_Integer)ns->ino) {
			nl_obj(&err, "namespace of PID %ld", (long)ns->pid);
			nl_fail(&err, ENOENT, "gone: the process ended");
			nlb_error(L, &err);
		}
		lua_pop(L, 1);
	}
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
		if (lua_getfield(L, idx, "name") != LUA_TSTRING)
			nlb_argerror(L, idx, "link object without a name");
		name = lua_tostring(L, -1);
		lua_pop(L, 1); /* still referenced by the object */
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
