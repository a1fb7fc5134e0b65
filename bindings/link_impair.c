// SPDX-License-Identifier: MIT
/*
 * The link module's impairment: link.impair(LINK, {delay =, loss =, rate =, …})
 * and link.impair(LINK, false), over core/qdisc.c; the impair field of
 * link.get and link.list; link._impair_norm, the table as the kernel will
 * give it back, for the Lua half and labs to compare with.
 */
#include <errno.h>
#include <string.h>

#include "bind.h"
#include "core/qdisc.h"
#include "core/trace.h"

static const char *const impair_fields[] = { "delay", "jitter", "distribution", "loss",
					     "duplicate", "corrupt", "reorder", "rate", "limit",
					     "ns", NULL };
static const char *const opt_fields[] = { "ns", NULL };

static const struct {
	const char *field;
	unsigned int bit;
	size_t off;
} pcts[] = {
	{ "loss", QI_LOSS, offsetof(struct qdisc_impair, loss) },
	{ "duplicate", QI_DUPLICATE, offsetof(struct qdisc_impair, duplicate) },
	{ "corrupt", QI_CORRUPT, offsetof(struct qdisc_impair, corrupt) },
	{ "reorder", QI_REORDER, offsetof(struct qdisc_impair, reorder) },
};

static const char *field_string(lua_State *L, int t, int arg, const char *field)
{
	int type = lua_getfield(L, t, field);
	const char *s;

	if (type == LUA_TNIL) {
		lua_pop(L, 1);
		return NULL;
	}
	if (type != LUA_TSTRING)
		nlb_argerror(L, arg, "field '%s': a string as tc writes it (\"%s\") expected, got %s",
			     field, !strcmp(field, "rate") ? "10mbit" : !strcmp(field, "delay") ||
			     !strcmp(field, "jitter") ? "50ms" : "1%", luaL_typename(L, -1));
	s = lua_tostring(L, -1);
	lua_pop(L, 1); /* the table still holds it */
	return s;
}

/* The impairment in the table at t (argument arg), checked as a whole before any request. */
static void check_impair(lua_State *L, int t, int arg, struct qdisc_impair *q)
{
	char why[PARSE_WHY];
	const char *s;
	double pct;
	size_t i;

	memset(q, 0, sizeof(*q));
	nlb_checkfields(L, t, arg, 0, impair_fields);
	if ((s = field_string(L, t, arg, "delay"))) {
		if (parse_time(s, &q->delay_ns, why) < 0)
			nlb_argerror(L, arg, "field 'delay': %s", why);
		q->set |= QI_DELAY;
	}
	if ((s = field_string(L, t, arg, "jitter"))) {
		if (parse_time(s, &q->jitter_ns, why) < 0)
			nlb_argerror(L, arg, "field 'jitter': %s", why);
		q->set |= QI_JITTER;
	}
	if ((s = field_string(L, t, arg, "distribution"))) {
		if (!strcmp(s, "normal"))
			q->dist = QDISC_DIST_NORMAL;
		else if (strcmp(s, "uniform"))
			nlb_argerror(L, arg, "field 'distribution': \"uniform\" or \"normal\" "
				     "expected, got \"%s\"", s);
		q->set |= QI_DIST;
	}
	for (i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++) {
		if (!(s = field_string(L, t, arg, pcts[i].field)))
			continue;
		if (parse_percent(s, &pct, why) < 0)
			nlb_argerror(L, arg, "field '%s': %s", pcts[i].field, why);
		*(uint32_t *)((char *)q + pcts[i].off) = qdisc_prob(pct);
		q->set |= pcts[i].bit;
	}
	if ((s = field_string(L, t, arg, "rate"))) {
		if (parse_rate(s, &q->rate, why) < 0)
			nlb_argerror(L, arg, "field 'rate': %s", why);
		/* The kernel counts whole bytes a second. */
		q->rate -= q->rate % 8;
		q->set |= QI_RATE;
	}
	if (lua_getfield(L, t, "limit") != LUA_TNIL) {
		int isint;
		lua_Integer n = lua_tointegerx(L, -1, &isint);

		if (!isint || n < 1 || n > UINT32_MAX)
			nlb_argerror(L, arg, "field 'limit': a number of packets, 1 or more, expected");
		q->limit = (uint32_t)n;
		q->set |= QI_LIMIT;
	}
	lua_pop(L, 1);
	if (qdisc_impair_check(q, why) < 0)
		nlb_argerror(L, arg, "%s", why);
}

static void setword(lua_State *L, const char *k, const char *v)
{
	lua_pushstring(L, v);
	lua_setfield(L, -2, k);
}

/* The table link.impair takes, as the kernel's answer says it. */
static void push_impair(lua_State *L, const struct qdisc_impair *q)
{
	char w[QDISC_WORD];
	size_t i;

	lua_createtable(L, 0, 8);
	if (q->set & QI_DELAY) {
		qdisc_fmt_time(q->delay_ns, w);
		setword(L, "delay", w);
	}
	if ((q->set & QI_JITTER) && q->jitter_ns) {
		qdisc_fmt_time(q->jitter_ns, w);
		setword(L, "jitter", w);
	}
	if (q->set & QI_DIST)
		setword(L, "distribution", q->dist == QDISC_DIST_NORMAL ? "normal" : "uniform");
	for (i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++) {
		uint32_t p = *(const uint32_t *)((const char *)q + pcts[i].off);

		if (!(q->set & pcts[i].bit))
			continue;
		qdisc_fmt_prob(p, w);
		setword(L, pcts[i].field, w);
	}
	if (q->set & QI_RATE) {
		qdisc_fmt_rate(q->rate, w);
		setword(L, "rate", w);
	}
	if (q->set & QI_LIMIT) {
		lua_pushinteger(L, q->limit);
		lua_setfield(L, -2, "limit");
	}
	/* A plain table, so what link.get gives can be handed back to link.impair. */
}

int nlb_opt_impair(lua_State *L, int t, int arg, struct qdisc_impair *q)
{
	int type = t ? lua_getfield(L, t, "impair") : LUA_TNIL;

	memset(q, 0, sizeof(*q));
	if (type == LUA_TTABLE && !lua_getmetatable(L, -1)) {
		check_impair(L, lua_gettop(L), arg, q);
	} else if (type != LUA_TNIL && !(type == LUA_TBOOLEAN && !lua_toboolean(L, -1))) {
		nlb_argerror(L, arg, "field 'impair': a table of impairments or false expected, got %s",
			     luaL_typename(L, -1));
	}
	lua_pop(L, 1); /* the table holds what check_impair read */
	return type != LUA_TNIL;
}

/* link.impair(LINK, {delay =, …} [, {ns =}]) or link.impair(LINK, false [, {ns =}]) */
static int l_impair(lua_State *L)
{
	struct qdisc_impair q = { 0 };
	struct nl_err err = { 0 };
	const char *dev;
	struct ns *ns;
	int t = 0;

	if (!lua_isnoneornil(L, 3)) {
		nlb_checktype(L, 3, LUA_TTABLE);
		nlb_checkfields(L, 3, 3, 0, opt_fields);
		t = 3;
	}
	if (lua_istable(L, 2) && !lua_getmetatable(L, 2)) {
		check_impair(L, 2, 2, &q);
		if (!t)
			t = 2;
	} else if (lua_isboolean(L, 2) && !lua_toboolean(L, 2)) {
		/* false: cleared */
	} else {
		if (lua_istable(L, 2))
			lua_pop(L, 1);
		return nlb_argerror(L, 2, "table of impairments or false expected, got %s",
				    luaL_typename(L, 2));
	}
	dev = nlb_checklink(L, 1, t, &ns);
	if (qdisc_impair(ns, dev, &q, &err) < 0)
		return nlb_error(L, &err);
	return 0;
}

/* link._impair_norm(t): t as link.get(l).impair will give it back; raises as link.impair does. */
static int l_impair_norm(lua_State *L)
{
	struct qdisc_impair q;

	nlb_checktype(L, 1, LUA_TTABLE);
	check_impair(L, 1, (int)luaL_optinteger(L, 2, 2), &q);
	push_impair(L, &q);
	return 1;
}

/* link._impair_tc(t): what --trace says follows `tc qdisc replace dev X root` for t. */
static int l_impair_tc(lua_State *L)
{
	char buf[TRACE_LINE];
	struct qdisc_impair q;

	nlb_checktype(L, 1, LUA_TTABLE);
	check_impair(L, 1, 1, &q);
	if (trace_impair_words(&q, (q.set & QI_NETEM) != 0, buf, sizeof(buf)) < 0)
		return luaL_error(L, "impairment too long to say");
	lua_pushstring(L, buf);
	return 1;
}

/* link.has_netem(): whether delay, loss and the rest can work here (rate always can). */
static int l_has_netem(lua_State *L)
{
	lua_pushboolean(L, qdisc_has_netem());
	return 1;
}

/* Sets the impair field of each link of the list on top whose root qdisc is netlab's kind. */
static int attach_cb(const struct qdisc_info *qi, void *data)
{
	lua_State *L = data;
	lua_Integer i, n = (lua_Integer)lua_rawlen(L, -1);

	if (!qi->impair)
		return 0;
	for (i = 1; i <= n; i++) {
		lua_rawgeti(L, -1, i);
		lua_getfield(L, -1, "index");
		if (lua_tointeger(L, -1) == qi->ifindex) {
			push_impair(L, &qi->imp);
			lua_setfield(L, -3, "impair");
		}
		lua_pop(L, 2);
	}
	return 0;
}

int nlb_link_impair_attach(lua_State *L, struct ns *ns, struct nl_err *err)
{
	return qdisc_list(ns, attach_cb, L, err);
}

void nlb_link_impair(lua_State *L)
{
	static const luaL_Reg f[] = {
		{ "impair", l_impair },
		{ "_impair_norm", l_impair_norm },
		{ "_impair_tc", l_impair_tc },
		{ "has_netem", l_has_netem },
		{ NULL, NULL },
	};

	luaL_setfuncs(L, f, 0);
}
