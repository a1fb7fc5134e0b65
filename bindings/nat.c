// SPDX-License-Identifier: MIT
/*
 * The nat module: masquerade, port forwarding and forward filtering over
 * nftables, in netlab's own table of any namespace. Each call is one batch.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/netfilter.h>

#include "bind.h"
#include "core/nft.h"

#define NLB_RULE "netlab.nat.rule"

/* A typo in an option must not quietly widen a rule, so unknown fields are refused. */
static const char *const masquerade_fields[] = { "src", "out", "ns", "table", "comment", NULL };
static const char *const forward_port_fields[] = { "proto", "port", "to", "addr", "ns", "table",
						   "comment", NULL };
static const char *const allow_fields[] = { "iif", "oif", "state", "src", "dst", "ns", "table",
					    "comment", NULL };
static const char *const filter_fields[] = { "policy", "ns", "table", NULL };

static void check_fields(lua_State *L, int t, const char *const *known)
{
	nlb_checkfields(L, t, t, 0, known);
}

/* The options table every adding function takes: f{…}. */
static int opts(lua_State *L, const char *const *known)
{
	if (!lua_istable(L, 1) || lua_getmetatable(L, 1))
		nlb_argerror(L, 1, "table of options expected, got %s", luaL_typename(L, 1));
	check_fields(L, 1, known);
	return 1;
}

static const char *opt_table(lua_State *L, int t)
{
	const char *s = nlb_optstring(L, t, "table", NFT_TABLE_DEFAULT);
	char why[PARSE_WHY];

	if (nft_table_check(s, why) < 0)
		nlb_argerror(L, t, "field 'table': %s", why);
	return s;
}

static void opt_comment(lua_State *L, int t, struct nft_rule_spec *r)
{
	const char *s = nlb_optstring(L, t, "comment", NFT_TAG);

	if (strlen(s) >= sizeof(r->comment))
		nlb_argerror(L, t, "field 'comment': longer than %d bytes", (int)sizeof(r->comment) - 1);
	snprintf(r->comment, sizeof(r->comment), "%s", s);
}

static int opt_ifname(lua_State *L, int t, const char *field, char *out)
{
	const char *s = nlb_optlinkname(L, t, field);
	char why[PARSE_WHY];

	if (!s)
		return 0;
	if (parse_ifname(s, why) < 0)
		nlb_argerror(L, t, "field '%s': %s", field, why);
	snprintf(out, IFNAMSIZ, "%s", s);
	return 1;
}

/* A network to match: "192.168.52.0/24", or an address for one host. */
static int opt_net(lua_State *L, int t, const char *field, struct cidr *c)
{
	const char *s = nlb_optstring(L, t, field, NULL);
	char why[PARSE_WHY];

	if (!s)
		return 0;
	if (parse_cidr(s, 0, c, why) < 0)
		nlb_argerror(L, t, "field '%s': %s", field, why);
	if (cidr_has_host_bits(c)) {
		struct cidr n = *c;
		char b[INET6_ADDRSTRLEN + 8];

		cidr_network(&n);
		cidr_fmt(&n, b, sizeof(b));
		nlb_argerror(L, t, "field '%s': invalid network \"%s\" (host bits set; the network is %s)",
			     field, s, b);
	}
	return 1;
}

static void push_rule(lua_State *L, struct ns *ns, const char *table, const char *chain,
		      uint64_t handle, const char *text, const char *comment)
{
	lua_createtable(L, 0, 8);
	lua_pushinteger(L, (lua_Integer)handle);
	lua_setfield(L, -2, "handle");
	lua_pushliteral(L, "inet");
	lua_setfield(L, -2, "family");
	lua_pushstring(L, table);
	lua_setfield(L, -2, "table");
	lua_pushstring(L, chain);
	lua_setfield(L, -2, "chain");
	lua_pushstring(L, text);
	lua_setfield(L, -2, "text");
	if (comment) {
		lua_pushstring(L, comment);
		lua_setfield(L, -2, "comment");
	}
	nlb_pushns(L, ns->name);
	lua_setfield(L, -2, "ns");
	nlb_setmeta(L, NLB_RULE);
}

/* Adds the rules in one batch and returns one rule object, or a list when there are several. */
static int add(lua_State *L, struct ns *ns, const char *table, struct nft_rule_spec *r, size_t n)
{
	struct nl_err err = { 0 };
	char text[NFT_TEXT];
	size_t i;

	if (nft_add(ns, table, r, n, &err) < 0)
		return nlb_error(L, &err);
	if (n > 1)
		lua_createtable(L, (int)n, 0);
	for (i = 0; i < n; i++) {
		nft_spec_text(table, &r[i], text, sizeof(text));
		push_rule(L, ns, table, nft_chain_name(r[i].chain), r[i].handle, text,
			  r[i].comment[0] ? r[i].comment : NULL);
		lua_pushinteger(L, 0);
		lua_setfield(L, -2, "packets");
		lua_pushinteger(L, 0);
		lua_setfield(L, -2, "bytes");
		if (n > 1)
			lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	if (n > 1)
		nlb_setmeta(L, "netlab.nat.rules");
	return 1;
}

/* nat.masquerade{src = CIDR, out = LINK, ns =, table =, comment =} */
static int l_masquerade(lua_State *L)
{
	struct nft_rule_spec r = { .chain = NFT_POSTROUTING, .action = NFT_MASQUERADE };
	int t = opts(L, masquerade_fields);
	struct ns *ns = nlb_optns(L, t, "ns");
	const char *table = opt_table(L, t);

	r.has_saddr = opt_net(L, t, "src", &r.saddr);
	r.family = r.has_saddr ? r.saddr.family : 0;
	/* Masquerading everything would rewrite traffic between namespaces too. */
	if (!opt_ifname(L, t, "out", r.oif) && !r.has_saddr)
		return nlb_argerror(L, t, "field 'src' or 'out' missing (what to masquerade)");
	/*
	 * Nor is traffic that stays inside src to be rewritten: with br_netfilter
	 * loaded (as on any Docker host; bridge-nf-call-iptables is then 1 in
	 * every new namespace) even frames bridged between two namespaces on one
	 * bridge pass this hook, and masqueraded they reach the other side from
	 * the bridge's address, their replies sent on by the host's ARP cache,
	 * which can name a MAC gone with a namespace made again. libvirt's
	 * networks exclude their own subnet the same way; with out, the link
	 * already says which traffic leaves.
	 */
	if (r.has_saddr && !r.oif[0] && r.saddr.plen > 0) {
		r.has_daddr = 1;
		r.daddr = r.saddr;
		r.not_daddr = 1;
	}
	opt_comment(L, t, &r);
	return add(L, ns, table, &r, 1);
}

/*
 * nat.forward_port{proto = "tcp"|"udp", port = N, to = "ADDR[:PORT]", addr =
 * HOSTADDR, ns =, table =, comment =}: one rule for traffic that arrives
 * (prerouting) and one for the host's own (output), both matching only
 * traffic to the host's addresses (or to addr).
 */
static int l_forward_port(lua_State *L)
{
	struct nft_rule_spec r[2] = { { .chain = NFT_PREROUTING, .action = NFT_DNAT } };
	int t = opts(L, forward_port_fields), to_port;
	struct ns *ns = nlb_optns(L, t, "ns");
	const char *table = opt_table(L, t);
	const char *proto = nlb_optstring(L, t, "proto", "tcp");
	const char *to = nlb_optstring(L, t, "to", NULL);
	const char *addr = nlb_optstring(L, t, "addr", NULL);
	lua_Integer port = nlb_optint(L, t, "port", 0, LUA_MININTEGER, LUA_MAXINTEGER);
	char why[PARSE_WHY];

	if (!strcmp(proto, "tcp"))
		r[0].l4proto = IPPROTO_TCP;
	else if (!strcmp(proto, "udp"))
		r[0].l4proto = IPPROTO_UDP;
	else
		return nlb_argerror(L, t, "field 'proto': invalid protocol \"%s\" (tcp or udp)", proto);
	if (lua_getfield(L, t, "port") == LUA_TNIL)
		return nlb_argerror(L, t, "field 'port' missing (the port on the host)");
	lua_pop(L, 1);
	if (parse_port(port, why) < 0)
		return nlb_argerror(L, t, "field 'port': %s", why);
	r[0].dport = (uint16_t)port;
	if (!to)
		return nlb_argerror(L, t, "field 'to' missing (ADDR or ADDR:PORT to forward to)");
	if (parse_hostport(to, &r[0].to, &to_port, why) < 0)
		return nlb_argerror(L, t, "field 'to': %s", why);
	r[0].to_port = (uint16_t)to_port;
	r[0].family = r[0].to.family;
	if (addr) {
		if (parse_addr(addr, &r[0].daddr, why) < 0)
			return nlb_argerror(L, t, "field 'addr': %s", why);
		if (r[0].daddr.family != r[0].to.family)
			return nlb_argerror(L, t, "field 'addr': %s and 'to' %s are of different families",
					    addr, to);
		r[0].has_daddr = 1;
	} else {
		r[0].local = 1;
	}
	opt_comment(L, t, &r[0]);
	r[1] = r[0];
	r[1].chain = NFT_OUTPUT;
	return add(L, ns, table, r, 2);
}

/* state = "established,related" or {"established", "related"}; the string stays on the stack. */
static const char *opt_state(lua_State *L, int t)
{
	int type = lua_getfield(L, t, "state");

	if (type == LUA_TNIL) {
		lua_pop(L, 1);
		return NULL;
	}
	if (type == LUA_TTABLE) {
		int list = lua_gettop(L);
		lua_Integer i, n = (lua_Integer)lua_rawlen(L, list);
		luaL_Buffer b;

		luaL_buffinit(L, &b);
		for (i = 1; i <= n; i++) {
			if (i > 1)
				luaL_addchar(&b, ',');
			if (lua_rawgeti(L, list, i) != LUA_TSTRING)
				nlb_argerror(L, t, "field 'state': a list of strings expected");
			luaL_addvalue(&b);
		}
		luaL_pushresult(&b);
		return lua_tostring(L, -1);
	}
	if (type != LUA_TSTRING)
		nlb_argerror(L, t, "field 'state': string or list of strings expected, got %s",
			     luaL_typename(L, -1));
	return lua_tostring(L, -1);
}

/* nat.allow{iif =, oif =, state = "established,related", src =, dst =, ns =, table =, comment =} */
static int l_allow(lua_State *L)
{
	struct nft_rule_spec r = { .chain = NFT_FORWARD, .action = NFT_ACCEPT };
	int t = opts(L, allow_fields), any;
	struct ns *ns = nlb_optns(L, t, "ns");
	const char *table = opt_table(L, t), *state;
	char why[PARSE_WHY];

	any = opt_ifname(L, t, "iif", r.iif);
	any |= opt_ifname(L, t, "oif", r.oif);
	r.has_saddr = opt_net(L, t, "src", &r.saddr);
	r.has_daddr = opt_net(L, t, "dst", &r.daddr);
	if (r.has_saddr && r.has_daddr && r.saddr.family != r.daddr.family)
		return nlb_argerror(L, t, "fields 'src' and 'dst' are of different families");
	r.family = r.has_saddr ? r.saddr.family : r.has_daddr ? r.daddr.family : 0;
	any |= r.has_saddr | r.has_daddr;
	state = opt_state(L, t);
	if (state) {
		if (nft_ctstate_parse(state, &r.ct_state, why) < 0)
			return nlb_argerror(L, t, "field 'state': %s", why);
		any = 1;
	}
	if (!any)
		return nlb_argerror(L, t, "nothing to match: 'iif', 'oif', 'state', 'src' or 'dst' expected");
	opt_comment(L, t, &r);
	return add(L, ns, table, &r, 1);
}

/* nat.filter{policy = "accept"|"drop", ns =, table =}: the forward chain's policy. */
static int l_filter(lua_State *L)
{
	struct nl_err err = { 0 };
	int t = opts(L, filter_fields), verdict;
	struct ns *ns = nlb_optns(L, t, "ns");
	const char *table = opt_table(L, t);
	const char *policy = nlb_optstring(L, t, "policy", NULL);

	if (!policy)
		return nlb_argerror(L, t, "field 'policy' missing (\"accept\" or \"drop\")");
	if (!strcmp(policy, "accept"))
		verdict = NF_ACCEPT;
	else if (!strcmp(policy, "drop"))
		verdict = NF_DROP;
	else
		return nlb_argerror(L, t, "field 'policy': \"accept\" or \"drop\" expected, got \"%s\"",
				    policy);
	if (nft_policy(ns, table, verdict, &err) < 0)
		return nlb_error(L, &err);
	return 0;
}

/* list(), list(ns), list{ns =, table =, all =}, and flush likewise: the namespace and table. */
static void ns_table(lua_State *L, struct ns **ns, const char **table, int *all)
{
	static const char *const with_all[] = { "ns", "table", "all", NULL };
	static const char *const without[] = { "ns", "table", NULL };

	*table = NFT_TABLE_DEFAULT;
	if (all)
		*all = 0;
	if (lua_istable(L, 1) && !lua_getmetatable(L, 1)) {
		check_fields(L, 1, all ? with_all : without);
		*ns = nlb_optns(L, 1, "ns");
		*table = opt_table(L, 1);
		if (all)
			*all = nlb_optbool(L, 1, "all") == 1;
		return;
	}
	lua_settop(L, 1);
	*ns = nlb_checkns(L, 1);
}

static int l_flush(lua_State *L)
{
	struct nl_err err = { 0 };
	const char *table;
	struct ns *ns;

	ns_table(L, &ns, &table, NULL);
	if (nft_flush(ns, table, &err) < 0)
		return nlb_error(L, &err);
	return 0;
}

struct listing {
	lua_State *L;
	struct ns *ns;
};

static void setstr(lua_State *L, const char *k, const char *v)
{
	if (!v)
		return;
	lua_pushstring(L, v);
	lua_setfield(L, -2, k);
}

static void append(lua_State *L, int list)
{
	lua_rawseti(L, list, (lua_Integer)lua_rawlen(L, list) + 1);
}

/* The result is at -3, its tables at -2 and chains at -1 while the walk runs. */
static int list_cb(const struct nft_item *it, void *data)
{
	struct listing *l = data;
	lua_State *L = l->L;
	int top = lua_gettop(L);

	switch (it->kind) {
	case NFT_ITEM_TABLE:
		lua_createtable(L, 0, 5);
		setstr(L, "family", it->family);
		setstr(L, "name", it->table);
		setstr(L, "comment", it->comment);
		lua_pushboolean(L, it->netlab);
		lua_setfield(L, -2, "netlab");
		lua_pushinteger(L, (lua_Integer)it->handle);
		lua_setfield(L, -2, "handle");
		append(L, top - 1);
		break;
	case NFT_ITEM_CHAIN:
		lua_createtable(L, 0, 8);
		setstr(L, "family", it->family);
		setstr(L, "table", it->table);
		setstr(L, "name", it->chain);
		setstr(L, "type", it->type);
		setstr(L, "hook", it->hook);
		setstr(L, "policy", it->policy);
		if (it->type) {
			lua_pushinteger(L, it->prio);
			lua_setfield(L, -2, "prio");
		}
		lua_pushinteger(L, (lua_Integer)it->handle);
		lua_setfield(L, -2, "handle");
		append(L, top);
		break;
	case NFT_ITEM_RULE:
		push_rule(L, l->ns, it->table, it->chain, it->handle, it->text, it->comment);
		setstr(L, "family", it->family);
		if (it->has_counter) {
			lua_pushinteger(L, (lua_Integer)it->packets);
			lua_setfield(L, -2, "packets");
			lua_pushinteger(L, (lua_Integer)it->bytes);
			lua_setfield(L, -2, "bytes");
		}
		append(L, top - 2);
		break;
	}
	return 0;
}

/* nat.list([ns | {ns =, table =, all = true}]): netlab's rules, or every table's with all. */
static int l_list(lua_State *L)
{
	struct nl_err err = { 0 };
	struct listing l = { .L = L };
	const char *table;
	int all;

	ns_table(L, &l.ns, &table, &all);
	lua_newtable(L);
	lua_newtable(L);
	lua_newtable(L);
	if (nft_list(l.ns, all ? NULL : table, list_cb, &l, &err) < 0)
		return nlb_error(L, &err);
	lua_setfield(L, -3, "chains");
	lua_setfield(L, -2, "tables");
	nlb_setmeta(L, "netlab.nat.list");
	return 1;
}

/* One rule to delete at idx: a handle (in the namespace and table of the options) or a rule. */
static void check_ref(lua_State *L, int idx, int o, struct nft_ref *ref, struct ns **ns,
		      const char **table)
{
	lua_Integer h;
	int isint;

	memset(ref, 0, sizeof(*ref));
	if (lua_type(L, idx) == LUA_TNUMBER) {
		h = lua_tointegerx(L, idx, &isint);
		*ns = nlb_optns(L, o, "ns");
		*table = opt_table(L, o);
	} else if (lua_istable(L, idx) && lua_getfield(L, idx, "handle") == LUA_TNUMBER) {
		h = lua_tointegerx(L, -1, &isint);
		lua_pop(L, 1);
		/* The object's fields are kept alive by the argument that holds it. */
		if (lua_getfield(L, idx, "chain") == LUA_TSTRING)
			ref->chain = lua_tostring(L, -1);
		if (lua_getfield(L, idx, "text") == LUA_TSTRING)
			ref->text = lua_tostring(L, -1);
		if (lua_getfield(L, idx, "table") == LUA_TSTRING)
			*table = lua_tostring(L, -1);
		else
			*table = NFT_TABLE_DEFAULT;
		lua_getfield(L, idx, "ns");
		*ns = nlb_checkns(L, -1);
		lua_pop(L, 4);
	} else {
		nlb_argerror(L, 1, "a rule, a handle or a list of them expected, got %s",
			     luaL_typename(L, idx));
		return;
	}
	if (!isint || h < 1)
		nlb_argerror(L, 1, "invalid rule handle (a positive integer expected)");
	ref->handle = (uint64_t)h;
}

/* nat.del(rule | handle | {rule or handle, …} [, {ns =, table =}]): one batch. */
static int l_del(lua_State *L)
{
	static const char *const known[] = { "ns", "table", NULL };
	struct nl_err err = { 0 };
	char ns_name[NAME_MAX + 1] = "";
	const char *table = NULL, *first_table = NULL;
	struct nft_ref *refs;
	struct ns *ns = NULL;
	size_t n = 1, i;
	int o = 0, list = 0;

	if (!lua_isnoneornil(L, 2)) {
		luaL_checktype(L, 2, LUA_TTABLE);
		check_fields(L, 2, known);
		o = 2;
	}
	lua_settop(L, 2);
	if (lua_istable(L, 1) && lua_getfield(L, 1, "handle") == LUA_TNIL) {
		list = 1;
		n = (size_t)lua_rawlen(L, 1);
		if (n == 0)
			return nlb_argerror(L, 1, "a rule, a handle or a list of them expected, got an empty table");
	}
	lua_settop(L, 2);
	refs = lua_newuserdatauv(L, n * sizeof(*refs), 0);
	for (i = 0; i < n; i++) {
		if (list)
			lua_rawgeti(L, 1, (lua_Integer)i + 1);
		else
			lua_pushvalue(L, 1);
		check_ref(L, lua_gettop(L), o, &refs[i], &ns, &table);
		lua_pop(L, 1);
		if (!first_table) {
			first_table = table;
			snprintf(ns_name, sizeof(ns_name), "%s", ns->name);
		} else if (strcmp(first_table, table) || strcmp(ns_name, ns->name)) {
			return nlb_argerror(L, 1, "rules of one namespace and one table at a time");
		}
	}
	/* The namespace is opened again: a walk over many may have closed the first one. */
	if (ns_get(ns_name, &ns, &err) < 0 || nft_del(ns, first_table, refs, n, &err) < 0)
		return nlb_error(L, &err);
	return 0;
}

static const luaL_Reg nat_funcs[] = {
	{ "masquerade", l_masquerade },
	{ "forward_port", l_forward_port },
	{ "allow", l_allow },
	{ "filter", l_filter },
	{ "list", l_list },
	{ "del", l_del },
	{ "flush", l_flush },
	{ NULL, NULL },
};

static const struct nlb_spec nat_specs[] = {
	{ "masquerade", masquerade_fields, NULL, NULL },
	{ "forward_port", forward_port_fields, NULL, NULL },
	{ "allow", allow_fields, NULL, NULL },
	{ "filter", filter_fields, NULL, NULL },
	{ NULL, NULL, NULL, NULL },
};

int luaopen_nat(lua_State *L)
{
	luaL_newlib(L, nat_funcs);
	nlb_setspecs(L, nat_specs);
	lua_pushliteral(L, NFT_TABLE_DEFAULT);
	lua_setfield(L, -2, "table");
	return 1;
}
