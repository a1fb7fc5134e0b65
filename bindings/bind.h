/* SPDX-License-Identifier: MIT */
#ifndef NETLAB_BIND_H
#define NETLAB_BIND_H

/*
 * What every binding shares: turning arguments into core values, turning a
 * core error into one Lua error message, and the namespace and link objects.
 */
#include <lua.h>
#include <lauxlib.h>

#include "core/nl.h"
#include "core/ns.h"
#include "core/parse.h"

/* Metatables (in the registry) of the objects netlab hands to scripts. */
#define NLB_NS "netlab.ns"
#define NLB_LINK "netlab.link"

/*
 * The one error formatter. Raises
 *   FILE:LINE: link.veth: veth "veth-purple": File exists (EEXIST)
 * where FILE:LINE is the user's line (frames of netlab's own Lua are skipped)
 * and link.veth the function the user called.
 */
int nlb_error(lua_State *L, const struct nl_err *err);
/* `bad argument #N to 'veth' (…)`, positioned and named as nlb_error does. */
int nlb_argerror(lua_State *L, int arg, const char *fmt, ...);
/* Pushes "FILE:LINE: " of the innermost frame of the user's own code ("" if none). */
void nlb_where(lua_State *L);

/*
 * Call shapes: f(name, opts) or f{name, opt = …}. Returns the index of the
 * options table (0 when there is none) and sets *name.
 */
int nlb_args(lua_State *L, const char **name);

/*
 * Names a script may get wrong, refused with what was meant (bind_fields.c).
 *
 * Refuses a key of the options table at t that is not in known (a
 * NULL-terminated spec of the function's fields), naming it and the nearest
 * known one: `bad argument #ARG to 'veth' (unknown field 'adr' (did you mean
 * 'addr'?))`. Integer keys 1..npos are positional items (npos -1: the whole
 * sequence, as a command's words). Every function that takes options calls
 * it before anything else, so a typo builds nothing.
 */
void nlb_checkfields(lua_State *L, int t, int arg, lua_Integer npos, const char *const *known);
/*
 * A module's specs, made visible to Lua as mod._spec.FN = {"field", …} (and
 * mod._spec.FN[sub] = {…} for a table-valued field), so the Lua halves and
 * the lab engine check with the same lists as the C half, via netlab._fields.
 */
struct nlb_spec {
	const char *fn;
	const char *const *fields;
	const char *sub; /* optional: a field holding a table of its own fields */
	const char *const *subfields;
};
/* Sets _spec of the module table on top of the stack from a {NULL}-ended array. */
void nlb_setspecs(lua_State *L, const struct nlb_spec *specs);
/* The name in the NULL-terminated list a typo of got would be, or NULL. */
const char *nlb_nearest(const char *got, const char *const *names);
/* Sets the module table at idx to raise "mod.fn: no such function (did you mean …)". */
void nlb_strictmodule(lua_State *L, int idx, const char *name);
/*
 * Strings from Lua, refused when they hold a NUL byte: as a C string
 * "ab\0cd" is "ab", and the core would act on another name than the one
 * given. The core's contract is C strings, and the Lua length is only known
 * here, so the check is made where every binding turns a Lua string into a
 * C one. In the bindings' own files (built with NLB_STRICT_STRINGS, see the
 * Makefile) Lua's lua_tostring, luaL_checkstring and luaL_optstring are these;
 * lua_tolstring stays for bytes. An argument (idx > 0) is named in a
 * bad-argument error; a field value (idx < 0) gets an EINVAL error.
 */
const char *nlb_tostring(lua_State *L, int idx);
const char *nlb_checkstring(lua_State *L, int arg);
const char *nlb_optstring_arg(lua_State *L, int arg, const char *def);
/*
 * Fields of the tables scripts pass are read raw (no __index runs), and a
 * non-table reads as nil. A C string from lua_tostring is only valid while
 * its value is referenced: read through an __index function, the value is
 * a fresh string nothing holds once popped, and the collector frees it
 * before the core uses it (the use after free of issue 11). Read raw, a
 * field's value is the one the table holds, which stays referenced while the
 * table is on the caller's stack, and no script code runs between the read
 * and the core call. nlb_checkfields refuses an options table whose
 * metatable has an __index, so a field given only through one is an error,
 * not silently unread. In the bindings' files lua_getfield and lua_geti are
 * these (see docs/hacking.md, "Strings from Lua").
 */
int nlb_rawgetfield(lua_State *L, int idx, const char *k);
int nlb_rawgeti(lua_State *L, int idx, lua_Integer i);

/*
 * Lua's own argument checks, with their errors through nlb_argerror: named
 * after the function the script called and placed at its line, where
 * lauxlib's would say `bad argument #1 to '_add'` at a line of netlab's own
 * Lua half. Strings are strings: a number is not taken as a name (NaN
 * would be the namespace "-nan").
 */
lua_Integer nlb_checkinteger(lua_State *L, int arg);
lua_Integer nlb_optinteger(lua_State *L, int arg, lua_Integer def);
lua_Number nlb_checknumber(lua_State *L, int arg);
lua_Number nlb_optnumber(lua_State *L, int arg, lua_Number def);
void nlb_checktype(lua_State *L, int arg, int t);
int nlb_checkoption(lua_State *L, int arg, const char *def, const char *const lst[]);

#ifdef NLB_STRICT_STRINGS
#undef luaL_checkinteger
#define luaL_checkinteger(L, n) nlb_checkinteger((L), (n))
#undef luaL_optinteger
#define luaL_optinteger(L, n, d) nlb_optinteger((L), (n), (d))
#undef luaL_checknumber
#define luaL_checknumber(L, n) nlb_checknumber((L), (n))
#undef luaL_optnumber
#define luaL_optnumber(L, n, d) nlb_optnumber((L), (n), (d))
#undef luaL_checktype
#define luaL_checktype(L, n, t) nlb_checktype((L), (n), (t))
#undef luaL_checkoption
#define luaL_checkoption(L, n, d, l) nlb_checkoption((L), (n), (d), (l))
#undef lua_getfield
#define lua_getfield(L, i, k) nlb_rawgetfield((L), (i), (k))
#undef lua_geti
#define lua_geti(L, i, n) nlb_rawgeti((L), (i), (n))
#undef lua_tostring
#define lua_tostring(L, i) nlb_tostring((L), (i))
#undef luaL_checkstring
#define luaL_checkstring(L, n) nlb_checkstring((L), (n))
#undef luaL_optstring
#define luaL_optstring(L, n, d) nlb_optstring_arg((L), (n), (d))
#endif

/* Options; a wrong type raises a bad-argument error naming the field. */
const char *nlb_optstring(lua_State *L, int t, const char *field, const char *def);
lua_Integer nlb_optint(lua_State *L, int t, const char *field, lua_Integer def, lua_Integer lo,
		       lua_Integer hi);
/* Returns -1 when the field is absent (nil), else 0 or 1. */
int nlb_optbool(lua_State *L, int t, const char *field);
/* A namespace option (nil: root). */
struct ns *nlb_optns(lua_State *L, int t, const char *field);

/* The namespace at idx: nil (root), a name, or a namespace object; raises if there is none. */
struct ns *nlb_checkns(lua_State *L, int idx);
/* A link at idx: a link object, or a name whose namespace is opts.ns. */
const char *nlb_checklink(lua_State *L, int idx, int opts, struct ns **ns);
/* A link name option that may be a link object (its name is used). */
const char *nlb_optlinkname(lua_State *L, int t, const char *field);

void nlb_pushns(lua_State *L, const char *name);
/* A namespace object with its id (the nsfs inode), as ns.add and ns.get return (ns.c). */
void nlb_pushns_id(lua_State *L, const struct ns *ns);
void nlb_pushlink(lua_State *L, const char *nsname, const char *name);

/* A metatable by name, created (empty) on first use; for tables netlab returns. */
void nlb_setmeta(lua_State *L, const char *name);

/* The errno's symbolic name, "EEXIST". */
const char *nlb_errname(int code);

/* The parts of the netlab module kept in files of their own: each adds its functions to the table on top. */
void nlb_netlab_cidr(lua_State *L);
void nlb_netlab_proc(lua_State *L);
void nlb_netlab_files(lua_State *L);
void nlb_netlab_help(lua_State *L);
/* A signal at arg: "INT", "TERM", "KILL", "HUP", "USR1" or a number 0..SIGRTMAX (proc.c). */
int nlb_checksignal(lua_State *L, int arg);
/* The ns module's functions on processes (ns_pid.c), added to the table on top. */
void nlb_ns_pid(lua_State *L);
/* The link module's neighbour functions (link_neigh.c), added to the table on top. */
void nlb_link_neigh(lua_State *L);
/* The link module's impairment (link_impair.c): link.impair, added to the table on top. */
void nlb_link_impair(lua_State *L);
struct ns;
struct nl_err;
struct qdisc_impair;
/* The impair option of the table at t (argument arg): 1 and q filled (q->set 0: false), or 0. */
int nlb_opt_impair(lua_State *L, int t, int arg, struct qdisc_impair *q);
/* Sets .impair of each link in the list on top (link.get, link.list) from ns's root qdiscs. */
int nlb_link_impair_attach(lua_State *L, struct ns *ns, struct nl_err *err);
/*
 * link.add's kind-specific options (link_kinds.c) read into spec, whose kind
 * is set: raises on a bad one or on one the kind does not take.
 */
struct link_spec;
void nlb_link_kind_opts(lua_State *L, int t, struct link_spec *spec);
/* link_info.c: a link's table (its addrs list empty), its state's, an address's. */
struct link_info;
struct addr_info;
void nlb_link_push_info(lua_State *L, const struct link_info *li, const char *nsname);
void nlb_link_push_state(lua_State *L, const struct link_info *li);
void nlb_link_push_addr(lua_State *L, const struct addr_info *ai);

/* Module openers, and the list the interpreter preloads. */
int luaopen_netlab(lua_State *L);
int luaopen_ns(lua_State *L);
int luaopen_link(lua_State *L);
int luaopen_bridge(lua_State *L);
int luaopen_route(lua_State *L);
int luaopen_nat(lua_State *L);
int luaopen_probe(lua_State *L);
int luaopen_graph(lua_State *L);
/*
 * Loads every module (C half, then its embedded Lua half) as globals (init.c).
 * cli: functions the command line adds to the netlab module (netlab._critical),
 * or NULL.
 */
void nlb_openlibs(lua_State *L, const luaL_Reg *cli);

#endif
