// SPDX-License-Identifier: MIT
/*
 * What a link answer's IFLA_INFO_DATA says of its kind (a VLAN's id, a
 * VXLAN's VNI and endpoints, a macvlan's or ipvlan's mode, a bridge's STP),
 * and the link flags, named as `ip -j -d link` names them so that users'
 * jq habits carry over. One table per kind of (attribute, ip's field, how
 * to read it), in the order ip prints them: a kind more is a table more,
 * and the binding that pushes them names no kind. Pure, like link_msg.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/if_link.h>
#include <linux/if_vlan.h>
#include <libmnl/libmnl.h>

#include "link.h"

/* How one attribute is read, and the payload it needs at least. */
enum rd {
	RD_U8,		/* a number */
	RD_U16,
	RD_U32,
	RD_BE16,	/* a number in network order (a port) */
	RD_BOOL,	/* a u8 as true or false */
	RD_TRUE,	/* a u8, there only when it is not 0 */
	RD_PRESENT,	/* a flag attribute: true when there */
	RD_BIT,		/* a bit of a u16 (spec.arg), there only when set */
	RD_ENUM32,	/* a u32 as names[value] */
	RD_ENUM16,
	RD_ENUM8,
	RD_FLAGNAME16,	/* a u16: true under the field named names[value] */
	RD_PROTO,	/* an ethertype in network order, as ip names it */
	RD_IN4,		/* an IPv4 address; under spec.mcast when it is multicast */
	RD_IN6,
	RD_IFINDEX,	/* a link's index in the same namespace */
	RD_VLANFLAGS,	/* struct ifla_vlan_flags: the names of its flags */
};

struct spec {
	uint16_t attr;
	uint8_t rd;
	uint8_t nonzero;	/* left out when 0 (or an unspecified address), as ip does */
	const char *name;	/* ip -j's field */
	const char *mcast;	/* RD_IN4/RD_IN6: the field when the address is multicast */
	const char *const *names; /* RD_ENUM*, RD_FLAGNAME16: by value */
	unsigned int nnames;
	unsigned int arg;	/* RD_BIT: the bit */
	/* When if_attr is set: read only when that u32 attribute is if_value (ip's condition). */
	uint16_t if_attr;
	uint32_t if_value;
};

#define F(a, how, field, ...) { .attr = (a), .rd = (how), .name = (field), __VA_ARGS__ }
#define NAMES(t) .names = (t), .nnames = sizeof(t) / sizeof((t)[0])

struct kind_data {
	const char *kind;
	const struct spec *spec;
	size_t n;
};

/* Bytes of payload each way of reading needs; a shorter attribute is left out. */
static const unsigned char need[] = {
	[RD_U8] = 1, [RD_U16] = 2, [RD_U32] = 4, [RD_BE16] = 2, [RD_BOOL] = 1, [RD_TRUE] = 1,
	[RD_PRESENT] = 0, [RD_BIT] = 2, [RD_ENUM32] = 4, [RD_ENUM16] = 2, [RD_ENUM8] = 1,
	[RD_FLAGNAME16] = 2, [RD_PROTO] = 2, [RD_IN4] = 4, [RD_IN6] = 16, [RD_IFINDEX] = 4,
	[RD_VLANFLAGS] = sizeof(struct ifla_vlan_flags),
};

static const struct spec vlan[] = {
	F(IFLA_VLAN_PROTOCOL, RD_PROTO, "protocol"),
	F(IFLA_VLAN_ID, RD_U16, "id"),
	F(IFLA_VLAN_FLAGS, RD_VLANFLAGS, "flags"),
};

/* ip's names, by the value of IFLA_MACVLAN_MODE (a bit each). */
static const char *const macvlan_modes[] = {
	[MACVLAN_MODE_PRIVATE] = "private", [MACVLAN_MODE_VEPA] = "vepa",
	[MACVLAN_MODE_BRIDGE] = "bridge", [MACVLAN_MODE_PASSTHRU] = "passthru",
	[MACVLAN_MODE_SOURCE] = "source",
};
static const struct spec macvlan[] = {
	F(IFLA_MACVLAN_MODE, RD_ENUM32, "mode", NAMES(macvlan_modes)),
	F(IFLA_MACVLAN_FLAGS, RD_BIT, "nopromisc", .arg = MACVLAN_FLAG_NOPROMISC),
	F(IFLA_MACVLAN_BC_QUEUE_LEN, RD_U32, "bcqueuelen"),
	F(IFLA_MACVLAN_BC_QUEUE_LEN_USED, RD_U32, "usedbcqueuelen"),
	F(IFLA_MACVLAN_MACADDR_COUNT, RD_U32, "macaddr_count", .if_attr = IFLA_MACVLAN_MODE,
	  .if_value = MACVLAN_MODE_SOURCE),
};

static const char *const ipvlan_modes[] = {
	[IPVLAN_MODE_L2] = "l2", [IPVLAN_MODE_L3] = "l3", [IPVLAN_MODE_L3S] = "l3s",
};
/* ip prints one of three: private wins over vepa, and neither is bridge. */
static const char *const ipvlan_flags[] = {
	[0] = "bridge", [IPVLAN_F_PRIVATE] = "private", [IPVLAN_F_VEPA] = "vepa",
	[IPVLAN_F_PRIVATE | IPVLAN_F_VEPA] = "private",
};
static const struct spec ipvlan[] = {
	F(IFLA_IPVLAN_MODE, RD_ENUM16, "mode", NAMES(ipvlan_modes)),
	F(IFLA_IPVLAN_FLAGS, RD_FLAGNAME16, NULL, NAMES(ipvlan_flags)),
};

static const char *const vxlan_df[] = {
	[VXLAN_DF_UNSET] = "unset", [VXLAN_DF_SET] = "set", [VXLAN_DF_INHERIT] = "inherit",
};
static const struct spec vxlan[] = {
	F(IFLA_VXLAN_ID, RD_U32, "id"),
	F(IFLA_VXLAN_GROUP, RD_IN4, "remote", .nonzero = 1, .mcast = "group"),
	F(IFLA_VXLAN_GROUP6, RD_IN6, "remote6", .nonzero = 1, .mcast = "group6"),
	F(IFLA_VXLAN_LOCAL, RD_IN4, "local", .nonzero = 1),
	F(IFLA_VXLAN_LOCAL6, RD_IN6, "local6", .nonzero = 1),
	F(IFLA_VXLAN_LINK, RD_IFINDEX, "link", .nonzero = 1),
	F(IFLA_VXLAN_PORT, RD_BE16, "port"),
	F(IFLA_VXLAN_LEARNING, RD_BOOL, "learning"),
	F(IFLA_VXLAN_PROXY, RD_TRUE, "proxy"),
	F(IFLA_VXLAN_RSC, RD_TRUE, "rsc"),
	F(IFLA_VXLAN_L2MISS, RD_TRUE, "l2miss"),
	F(IFLA_VXLAN_L3MISS, RD_TRUE, "l3miss"),
	F(IFLA_VXLAN_TTL, RD_U8, "ttl"),
	F(IFLA_VXLAN_DF, RD_ENUM8, "df", NAMES(vxlan_df)),
	F(IFLA_VXLAN_AGEING, RD_U32, "ageing"),
	F(IFLA_VXLAN_LIMIT, RD_U32, "limit", .nonzero = 1),
	F(IFLA_VXLAN_UDP_CSUM, RD_BOOL, "udp_csum"),
	F(IFLA_VXLAN_UDP_ZERO_CSUM6_TX, RD_BOOL, "udp_zero_csum6_tx"),
	F(IFLA_VXLAN_UDP_ZERO_CSUM6_RX, RD_BOOL, "udp_zero_csum6_rx"),
	F(IFLA_VXLAN_REMCSUM_TX, RD_TRUE, "remcsum_tx"),
	F(IFLA_VXLAN_REMCSUM_RX, RD_TRUE, "remcsum_rx"),
	F(IFLA_VXLAN_GBP, RD_PRESENT, "gbp"),
	F(IFLA_VXLAN_GPE, RD_PRESENT, "gpe"),
};

/* The common ones; ip -d prints some thirty more (timers, multicast tuning). */
static const struct spec bridge[] = {
	F(IFLA_BR_FORWARD_DELAY, RD_U32, "forward_delay"),
	F(IFLA_BR_HELLO_TIME, RD_U32, "hello_time"),
	F(IFLA_BR_MAX_AGE, RD_U32, "max_age"),
	F(IFLA_BR_AGEING_TIME, RD_U32, "ageing_time"),
	F(IFLA_BR_STP_STATE, RD_U32, "stp_state"),
	F(IFLA_BR_PRIORITY, RD_U16, "priority"),
	F(IFLA_BR_VLAN_FILTERING, RD_U8, "vlan_filtering"),
	F(IFLA_BR_VLAN_PROTOCOL, RD_PROTO, "vlan_protocol"),
	F(IFLA_BR_VLAN_DEFAULT_PVID, RD_U16, "vlan_default_pvid"),
	F(IFLA_BR_MCAST_SNOOPING, RD_U8, "mcast_snooping"),
};

#define KIND(k) { #k, k, sizeof(k) / sizeof((k)[0]) }
static const struct kind_data kinds[] = {
	KIND(vlan), KIND(macvlan), KIND(ipvlan), KIND(vxlan), KIND(bridge),
};

/*
 * The kinds' attribute types are all below this (IFLA_BR_MAX, the highest,
 * is under 60 in the kernels of 2025): one that is not is left out.
 */
#define DATA_TB 128

struct index {
	const struct nlattr **tb;
};

static int index_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = ((struct index *)data)->tb;
	uint16_t t = mnl_attr_get_type(a);

	if (t < DATA_TB)
		tb[t] = a;
	return MNL_CB_OK;
}

static const struct link_flagname iff_names[] = {
	{ IFF_LOOPBACK, "LOOPBACK" }, { IFF_BROADCAST, "BROADCAST" },
	{ IFF_POINTOPOINT, "POINTOPOINT" }, { IFF_MULTICAST, "MULTICAST" },
	{ IFF_NOARP, "NOARP" }, { IFF_ALLMULTI, "ALLMULTI" }, { IFF_PROMISC, "PROMISC" },
	{ IFF_MASTER, "MASTER" }, { IFF_SLAVE, "SLAVE" }, { IFF_DEBUG, "DEBUG" },
	{ IFF_DYNAMIC, "DYNAMIC" }, { IFF_AUTOMEDIA, "AUTOMEDIA" }, { IFF_PORTSEL, "PORTSEL" },
	{ IFF_NOTRAILERS, "NOTRAILERS" }, { IFF_UP, "UP" }, { IFF_LOWER_UP, "LOWER_UP" },
	{ IFF_DORMANT, "DORMANT" }, { IFF_ECHO, "ECHO" }, { 0, NULL },
};

static const struct link_flagname vlan_flag_names[] = {
	{ VLAN_FLAG_REORDER_HDR, "REORDER_HDR" }, { VLAN_FLAG_GVRP, "GVRP" },
	{ VLAN_FLAG_MVRP, "MVRP" }, { VLAN_FLAG_LOOSE_BINDING, "LOOSE_BINDING" },
	{ VLAN_FLAG_BRIDGE_BINDING, "BRIDGE_BINDING" }, { 0, NULL },
};

size_t link_flag_list(unsigned int v, const struct link_flagname *t, const char **out, size_t n,
		      unsigned int *rest)
{
	size_t k = 0;

	for (; t->name; t++) {
		if (!(v & t->bit))
			continue;
		v &= ~t->bit;
		if (k < n)
			out[k] = t->name;
		k++;
	}
	if (rest)
		*rest = v;
	return k;
}

size_t link_ifflags(unsigned int flags, const char **out, size_t n, unsigned int *rest)
{
	size_t k = 0;

	/* Up without IFF_RUNNING is what ip calls NO-CARRIER, first; RUNNING it never names. */
	if ((flags & IFF_UP) && !(flags & IFF_RUNNING)) {
		if (n)
			out[0] = "NO-CARRIER";
		k = 1;
	}
	return k + link_flag_list(flags & ~IFF_RUNNING, iff_names, out + (k && n ? 1 : 0),
				  n > k ? n - k : 0, rest);
}

static const char *proto_name(uint16_t proto, char *buf, size_t len)
{
	switch (proto) {
	case 0x8100:
		return "802.1Q";
	case 0x88a8:
		return "802.1ad";
	default:
		snprintf(buf, len, "0x%04x", proto);
		return buf;
	}
}

/* One attribute read by s into d; 0 when ip would print nothing for it. */
static int read_one(const struct spec *s, const struct nlattr *a, struct link_datum *d)
{
	const void *p = mnl_attr_get_payload(a);
	unsigned int v = 0;
	uint16_t u16;
	uint32_t u32;

	d->name = s->name;
	d->type = LINK_DV_NUM;
	switch (s->rd) {
	case RD_U8: case RD_BOOL: case RD_TRUE: case RD_ENUM8:
		v = *(const uint8_t *)p;
		break;
	case RD_U16: case RD_BIT: case RD_ENUM16: case RD_FLAGNAME16:
		memcpy(&u16, p, 2);
		v = u16;
		break;
	case RD_BE16: case RD_PROTO:
		memcpy(&u16, p, 2);
		v = ntohs(u16);
		break;
	case RD_U32: case RD_ENUM32: case RD_IFINDEX: case RD_IN4:
		memcpy(&u32, p, 4);
		v = u32;
		break;
	}
	switch (s->rd) {
	case RD_BOOL: case RD_TRUE: case RD_PRESENT: case RD_BIT:
		if (s->rd == RD_BIT)
			v &= s->arg;
		else if (s->rd == RD_PRESENT)
			v = 1;
		if (!v && s->rd != RD_BOOL)
			return 0;
		d->type = LINK_DV_BOOL;
		d->num = !!v;
		return 1;
	case RD_ENUM32: case RD_ENUM16: case RD_ENUM8: case RD_FLAGNAME16:
		d->type = LINK_DV_STR;
		snprintf(d->str, sizeof(d->str), "%s",
			 v < s->nnames && s->names[v] ? s->names[v] : "unknown");
		if (s->rd == RD_FLAGNAME16) {
			/* The value names the field; ip gives it as true. */
			d->name = v < s->nnames && s->names[v] ? s->names[v] : "unknown";
			d->type = LINK_DV_BOOL;
			d->num = 1;
		}
		return 1;
	case RD_PROTO: {
		char b[8];

		d->type = LINK_DV_STR;
		snprintf(d->str, sizeof(d->str), "%s", proto_name((uint16_t)v, b, sizeof(b)));
		return 1;
	}
	case RD_IN4:
		if (s->nonzero && !v)
			return 0;
		d->type = LINK_DV_STR;
		if (s->mcast && IN_MULTICAST(ntohl(v)))
			d->name = s->mcast;
		inet_ntop(AF_INET, p, d->str, sizeof(d->str));
		return 1;
	case RD_IN6: {
		struct in6_addr in6;

		memcpy(&in6, p, sizeof(in6));
		if (s->nonzero && IN6_IS_ADDR_UNSPECIFIED(&in6))
			return 0;
		d->type = LINK_DV_STR;
		if (s->mcast && IN6_IS_ADDR_MULTICAST(&in6))
			d->name = s->mcast;
		inet_ntop(AF_INET6, &in6, d->str, sizeof(d->str));
		return 1;
	}
	case RD_VLANFLAGS: {
		struct ifla_vlan_flags f;

		memcpy(&f, p, sizeof(f));
		d->type = LINK_DV_FLAGS;
		d->num = f.flags;
		d->flagnames = vlan_flag_names;
		return 1;
	}
	case RD_IFINDEX:
		if (!v)
			return 0;
		d->type = LINK_DV_IFINDEX;
		d->num = v;
		return 1;
	}
	if (s->nonzero && !v)
		return 0;
	d->num = v;
	return 1;
}

static const struct kind_data *kind_of(const char *kind)
{
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kinds[i].kind, kind))
			return &kinds[i];
	return NULL;
}

int link_data_unread(const char *kind, const struct nlattr *data)
{
	const struct kind_data *k = kind_of(kind);
	const struct nlattr *a;
	int n = 0;
	size_t i;

	mnl_attr_for_each_nested(a, data) {
		for (i = 0; k && i < k->n; i++)
			if (k->spec[i].attr == mnl_attr_get_type(a))
				break;
		if (!k || i == k->n)
			n++;
	}
	return n;
}

int link_data_parse(const char *kind, const struct nlattr *data, struct link_info *li)
{
	const struct nlattr *tb[DATA_TB] = { 0 };
	struct index x = { tb };
	const struct kind_data *k = kind_of(kind);
	size_t i;

	li->ndata = 0;
	if (!k || !data)
		return 0;
	/* libmnl stops at an attribute that runs past its nest: what came before still counts. */
	if (mnl_attr_parse_nested(data, index_cb, &x) < 0)
		return -EBADMSG;
	for (i = 0; i < k->n && li->ndata < LINK_DATA_MAX; i++) {
		const struct spec *s = &k->spec[i];
		const struct nlattr *a = tb[s->attr];

		if (!a || mnl_attr_get_payload_len(a) < need[s->rd])
			continue;
		if (s->if_attr && (!tb[s->if_attr] || mnl_attr_get_payload_len(tb[s->if_attr]) < 4 ||
				   mnl_attr_get_u32(tb[s->if_attr]) != s->if_value))
			continue;
		if (read_one(s, a, &li->data[li->ndata]))
			li->ndata++;
	}
	return 0;
}
