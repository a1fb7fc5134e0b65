// SPDX-License-Identifier: MIT
/*
 * The tables the link module returns, as `ip -j` gives them: a link's
 * (link.get, link.list), its cheap state (link._state) and an address
 * (link.addrs), from what the core read (core/link_data.c, core/addr.c).
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <linux/rtnetlink.h>

#include "bind.h"
#include "core/addr.h"
#include "core/link.h"

static void setstr(lua_State *L, const char *k, const char *v)
{
	if (!v || !*v)
		return;
	lua_pushstring(L, v);
	lua_setfield(L, -2, k);
}

static void setint(lua_State *L, const char *k, lua_Integer v)
{
	lua_pushinteger(L, v);
	lua_setfield(L, -2, k);
}

/* Names as ip lists them, and bits none names as ip writes them (hex). */
static void push_names(lua_State *L, const char **names, size_t n, unsigned int rest)
{
	size_t i;

	lua_createtable(L, (int)n, 0);
	for (i = 0; i < n; i++) {
		lua_pushstring(L, names[i]);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	if (rest) {
		lua_pushfstring(L, "%x", rest);
		lua_rawseti(L, -2, (lua_Integer)n + 1);
	}
}

/*
 * linkinfo.info_data as ip -j -d gives it, field by field from what the
 * core read (core/link_data.c): this names no kind. A link of the same
 * namespace goes as its index, for netlab.state to name.
 */
static void push_data(lua_State *L, const struct link_info *li)
{
	const char *names[32];
	unsigned int i, rest;
	size_t n;

	if (!li->ndata)
		return;
	lua_createtable(L, 0, (int)li->ndata);
	for (i = 0; i < li->ndata; i++) {
		const struct link_datum *d = &li->data[i];

		switch (d->type) {
		case LINK_DV_BOOL:
			lua_pushboolean(L, (int)d->num);
			break;
		case LINK_DV_STR:
			lua_pushstring(L, d->str);
			break;
		case LINK_DV_FLAGS:
			n = link_flag_list((unsigned int)d->num, d->flagnames, names, 32, &rest);
			push_names(L, names, n < 32 ? n : 32, rest);
			break;
		default:
			lua_pushinteger(L, d->num);
		}
		lua_setfield(L, -2, d->name);
	}
	lua_setfield(L, -2, "info_data");
}

void nlb_link_push_info(lua_State *L, const struct link_info *li, const char *nsname)
{
	const char *names[32];
	unsigned int rest;
	size_t n;
	char mac[18];

	lua_createtable(L, 0, 12);
	setstr(L, "name", li->name);
	setstr(L, "ns", nsname);
	setint(L, "index", li->index);
	setstr(L, "kind", li->kind[0] ? li->kind : "device");
	setstr(L, "state", link_state_name(li->operstate));
	lua_pushboolean(L, !!(li->flags & IFF_UP));
	lua_setfield(L, -2, "up");
	/* Set with the carrier itself, where state waits for the kernel's linkwatch (docs/hacking.md). */
	lua_pushboolean(L, !!(li->flags & IFF_LOWER_UP));
	lua_setfield(L, -2, "carrier");
	setint(L, "mtu", li->mtu);
	setstr(L, "master", li->master_name);
	/* The other link: a veth's peer, or the parent another kind sits on (a vxlan's dev). */
	if (!strcmp(li->kind, "veth")) {
		setstr(L, "peer", li->other_name);
		setstr(L, "peer_ns", li->other_name[0] ? li->other_ns : NULL);
	} else {
		setstr(L, "parent", li->other_name);
		setstr(L, "parent_ns", li->other_name[0] ? li->other_ns : NULL);
	}
	setstr(L, "alias", li->alias);
	/* As `ip -j link` gives them: the peer's index, and the id of its namespace when it is another. */
	if (li->link && (li->link != li->index || li->link_nsid >= 0))
		setint(L, "link_index", li->link);
	if (li->link_nsid >= 0)
		setint(L, "link_netnsid", li->link_nsid);
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", li->mac[0], li->mac[1],
		 li->mac[2], li->mac[3], li->mac[4], li->mac[5]);
	setstr(L, "mac", mac);
	n = link_ifflags(li->flags, names, 32, &rest);
	push_names(L, names, n < 32 ? n : 32, rest);
	lua_setfield(L, -2, "flags");
	push_data(L, li);
	lua_newtable(L);
	lua_setfield(L, -2, "addrs");
	nlb_setmeta(L, "netlab.linkinfo");
}

static const char *scope_name(int scope)
{
	switch (scope) {
	case RT_SCOPE_UNIVERSE:
		return "global";
	case RT_SCOPE_LINK:
		return "link";
	case RT_SCOPE_HOST:
		return "host";
	case RT_SCOPE_SITE:
		return "site";
	default:
		return "nowhere";
	}
}

void nlb_link_push_addr(lua_State *L, const struct addr_info *ai)
{
	char b[INET6_ADDRSTRLEN + 8];

	lua_createtable(L, 0, 5);
	setstr(L, "dev", ai->dev);
	cidr_fmt(&ai->local, b, sizeof(b));
	setstr(L, "addr", b);
	setstr(L, "family", ai->local.family == AF_INET ? "inet" : "inet6");
	if (ai->has_brd) {
		inet_ntop(AF_INET, ai->broadcast.a.b, b, sizeof(b));
		setstr(L, "brd", b);
	}
	setstr(L, "scope", scope_name(ai->scope));
	nlb_setmeta(L, "netlab.addr");
}

void nlb_link_push_state(lua_State *L, const struct link_info *li)
{
	lua_createtable(L, 0, 6);
	setint(L, "index", li->index);
	setstr(L, "kind", li->kind[0] ? li->kind : "device");
	lua_pushboolean(L, !!(li->flags & IFF_UP));
	lua_setfield(L, -2, "up");
	setint(L, "mtu", li->mtu);
	setint(L, "master", li->master);
	setstr(L, "alias", li->alias);
}
