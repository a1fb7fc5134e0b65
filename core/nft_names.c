// SPDX-License-Identifier: MIT
/*
 * Values and names as nft(8) writes them, in both directions: the words for
 * protocols, address types, conntrack states, meta and ct keys, families
 * and hooks, and a register's bytes as a value of its type (for the rule
 * decoder, nft_text.c and the listing); and what a user may type for a
 * table name or a set of conntrack states (validators, see parse.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tuple_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/rtnetlink.h>

#include "nft_int.h"
#include "text.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Conntrack states in the order nft lists them. */
static const struct {
	uint32_t bit;
	const char *name;
} ct_states[] = {
	{ NF_CT_STATE_INVALID_BIT, "invalid" },
	{ NF_CT_STATE_BIT(IP_CT_ESTABLISHED), "established" },
	{ NF_CT_STATE_BIT(IP_CT_RELATED), "related" },
	{ NF_CT_STATE_BIT(IP_CT_NEW), "new" },
	{ NF_CT_STATE_UNTRACKED_BIT, "untracked" },
};

static const struct nft_key meta_keys[] = {
	{ NFT_META_LEN, "meta length", DT_U32 },
	{ NFT_META_PROTOCOL, "meta protocol", DT_ETHER },
	{ NFT_META_PRIORITY, "meta priority", DT_HEX32 },
	{ NFT_META_MARK, "meta mark", DT_HEX32 },
	{ NFT_META_IIF, "iif", DT_U32 },
	{ NFT_META_OIF, "oif", DT_U32 },
	{ NFT_META_IIFNAME, "iifname", DT_IFNAME },
	{ NFT_META_OIFNAME, "oifname", DT_IFNAME },
	{ NFT_META_SKUID, "meta skuid", DT_U32 },
	{ NFT_META_SKGID, "meta skgid", DT_U32 },
	{ NFT_META_NFPROTO, "meta nfproto", DT_FAMILY },
	{ NFT_META_L4PROTO, "meta l4proto", DT_PROTO },
	{ NFT_META_BRI_IIFNAME, "meta ibrname", DT_IFNAME },
	{ NFT_META_BRI_OIFNAME, "meta obrname", DT_IFNAME },
	{ NFT_META_PKTTYPE, "meta pkttype", DT_U32 },
	{ NFT_META_CPU, "meta cpu", DT_U32 },
	{ NFT_META_IIFGROUP, "meta iifgroup", DT_U32 },
	{ NFT_META_OIFGROUP, "meta oifgroup", DT_U32 },
	{ NFT_META_CGROUP, "meta cgroup", DT_U32 },
};

static const struct nft_key ct_keys[] = {
	{ NFT_CT_STATE, "state", DT_CTSTATE },
	{ NFT_CT_DIRECTION, "direction", DT_CTDIR },
	{ NFT_CT_STATUS, "status", DT_HEX32 },
	{ NFT_CT_MARK, "mark", DT_HEX32 },
	{ NFT_CT_EXPIRATION, "expiration", DT_U32 },
	{ NFT_CT_L3PROTOCOL, "l3proto", DT_FAMILY },
	{ NFT_CT_PROTOCOL, "protocol", DT_PROTO },
	{ NFT_CT_PROTO_SRC, "proto-src", DT_PORT },
	{ NFT_CT_PROTO_DST, "proto-dst", DT_PORT },
	{ NFT_CT_SRC_IP, "ip saddr", DT_IPV4 },
	{ NFT_CT_DST_IP, "ip daddr", DT_IPV4 },
	{ NFT_CT_SRC_IP6, "ip6 saddr", DT_IPV6 },
	{ NFT_CT_DST_IP6, "ip6 daddr", DT_IPV6 },
	{ NFT_CT_ZONE, "zone", DT_U32 },
};

static const struct nft_key *find_key(const struct nft_key *keys, size_t n, uint32_t key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (keys[i].key == key)
			return &keys[i];
	return NULL;
}

const struct nft_key *nft_meta_key(uint32_t key)
{
	return find_key(meta_keys, COUNT(meta_keys), key);
}

const struct nft_key *nft_ct_key(uint32_t key)
{
	return find_key(ct_keys, COUNT(ct_keys), key);
}

const char *nft_proto_name(int p)
{
	switch (p) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_ICMPV6:
		return "icmpv6";
	case IPPROTO_SCTP:
		return "sctp";
	case IPPROTO_UDPLITE:
		return "udplite";
	case IPPROTO_DCCP:
		return "dccp";
	case IPPROTO_GRE:
		return "gre";
	case IPPROTO_ESP:
		return "esp";
	default:
		return NULL;
	}
}

static const char *addrtype_name(uint32_t t)
{
	static const char *names[] = {
		[RTN_UNSPEC] = "unspec",	 [RTN_UNICAST] = "unicast",
		[RTN_LOCAL] = "local",		 [RTN_BROADCAST] = "broadcast",
		[RTN_ANYCAST] = "anycast",	 [RTN_MULTICAST] = "multicast",
		[RTN_BLACKHOLE] = "blackhole",	 [RTN_UNREACHABLE] = "unreachable",
		[RTN_PROHIBIT] = "prohibit",
	};

	return t < COUNT(names) && names[t] ? names[t] : NULL;
}

uint32_t nft_u32_of(const uint8_t *p, uint32_t len)
{
	uint32_t v = 0;

	memcpy(&v, p, len < 4 ? len : 4);
	return v;
}

void nft_value(enum nft_dtype t, const uint8_t *p, uint32_t len, int full, char *buf, size_t n)
{
	uint8_t a[16] = { 0 };
	size_t k;

	switch (t) {
	case DT_IPV4:
	case DT_IPV6:
		if (len <= 16 && (len == (t == DT_IPV4 ? 4u : 16u) || full)) {
			memcpy(a, p, len);
			inet_ntop(t == DT_IPV4 ? AF_INET : AF_INET6, a, buf, (socklen_t)n);
			return;
		}
		break;
	case DT_PORT:
		if (len == 2) {
			snprintf(buf, n, "%u", (p[0] << 8) | p[1]);
			return;
		}
		break;
	case DT_ETHER:
		if (len == 2) {
			unsigned int e = (unsigned int)((p[0] << 8) | p[1]);

			snprintf(buf, n, "%s", e == 0x0800 ? "ip" : e == 0x86dd ? "ip6" :
					       e == 0x0806 ? "arp" : "");
			if (!*buf)
				snprintf(buf, n, "0x%04x", e);
			return;
		}
		break;
	case DT_PROTO:
		if (len == 1) {
			if (nft_proto_name(p[0]))
				snprintf(buf, n, "%s", nft_proto_name(p[0]));
			else
				snprintf(buf, n, "%u", p[0]);
			return;
		}
		break;
	case DT_FAMILY:
		if (len == 1) {
			snprintf(buf, n, "%s", p[0] == NFPROTO_IPV4 ? "ipv4" :
					       p[0] == NFPROTO_IPV6 ? "ipv6" : "");
			if (!*buf)
				snprintf(buf, n, "%u", p[0]);
			return;
		}
		break;
	case DT_IFNAME:
		/* A name compared without its NUL is a prefix: nft's "eth*", iptables' "eth+". */
		snprintf(buf, n, "\"%.*s%s\"", (int)strnlen((const char *)p, len), (const char *)p,
			 len && !memchr(p, 0, len) ? "*" : "");
		return;
	case DT_CTDIR:
		if (len == 1) {
			snprintf(buf, n, "%s", p[0] == IP_CT_DIR_ORIGINAL ? "original" : "reply");
			return;
		}
		break;
	case DT_ADDRTYPE:
		if (len == 4 && addrtype_name(nft_u32_of(p, len))) {
			snprintf(buf, n, "%s", addrtype_name(nft_u32_of(p, len)));
			return;
		}
		break;
	case DT_U32:
		if (len <= 4) {
			snprintf(buf, n, "%" PRIu32, nft_u32_of(p, len));
			return;
		}
		break;
	case DT_HEX32:
		if (len == 4) {
			snprintf(buf, n, "0x%08" PRIx32, nft_u32_of(p, len));
			return;
		}
		break;
	case DT_CTSTATE:
	case DT_RAW:
		break;
	}
	/* Anything else: the bytes as nft prints raw data. */
	k = 0;
	if (n)
		buf[0] = '\0';
	text_append(buf, n, &k, "0x");
	for (; len && k + 3 <= n; len--, p++)
		text_append(buf, n, &k, "%02x", *p);
}

void nft_ctstate_names(uint32_t bits, char *buf, size_t n)
{
	size_t i, k = 0;

	buf[0] = '\0';
	for (i = 0; i < COUNT(ct_states); i++)
		if (bits & ct_states[i].bit)
			text_append(buf, n, &k, "%s%s", k ? "," : "", ct_states[i].name);
	if (!k)
		text_append(buf, n, &k, "0x%" PRIx32, bits);
}

const char *nft_cmp_op(uint32_t op)
{
	switch (op) {
	case NFT_CMP_EQ:
		return "";
	case NFT_CMP_NEQ:
		return "!= ";
	case NFT_CMP_LT:
		return "< ";
	case NFT_CMP_LTE:
		return "<= ";
	case NFT_CMP_GT:
		return "> ";
	default:
		return ">= ";
	}
}

const char *nft_family_name(uint32_t f)
{
	switch (f) {
	case NFPROTO_INET:
		return "inet";
	case NFPROTO_IPV4:
		return "ip";
	case NFPROTO_IPV6:
		return "ip6";
	case NFPROTO_ARP:
		return "arp";
	case NFPROTO_BRIDGE:
		return "bridge";
	case NFPROTO_NETDEV:
		return "netdev";
	default:
		return "?";
	}
}

const char *nft_hook_name(uint32_t family, uint32_t hook)
{
	static const char *inet[] = { "prerouting", "input", "forward", "output", "postrouting" };

	if (family == NFPROTO_NETDEV)
		return hook == NF_NETDEV_INGRESS ? "ingress" : "egress";
	if (family == NFPROTO_ARP)
		return hook == 0 ? "input" : hook == 1 ? "output" : "forward";
	if (hook == NF_INET_INGRESS)
		return "ingress";
	return hook < 5 ? inet[hook] : "?";
}

int nft_table_check(const char *s, char *why)
{
	const char *p;

	if (!*s) {
		snprintf(why, PARSE_WHY, "invalid table name \"\" (empty)");
		return -EINVAL;
	}
	if (strlen(s) > 64) {
		snprintf(why, PARSE_WHY, "invalid table name \"%.32s...\" (longer than 64 bytes)", s);
		return -EINVAL;
	}
	/* What nft(8) accepts as a name unquoted, so the table can be typed there too. */
	for (p = s; *p; p++) {
		int alpha = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_';
		int digit = *p >= '0' && *p <= '9';

		if (!alpha && (p == s || (!digit && *p != '-' && *p != '.'))) {
			snprintf(why, PARSE_WHY,
				 "invalid table name \"%s\" (a letter or '_' first, then letters, digits, '_', '-' or '.')",
				 s);
			return -EINVAL;
		}
	}
	return 0;
}


int nft_ctstate_parse(const char *s, uint32_t *bits, char *why)
{
	const char *p = s;

	*bits = 0;
	while (*p) {
		size_t n, i;

		while (*p == ' ')
			p++;
		n = strcspn(p, ", ");
		for (i = 0; i < COUNT(ct_states); i++)
			if (n == strlen(ct_states[i].name) && !strncmp(p, ct_states[i].name, n))
				break;
		if (i == COUNT(ct_states)) {
			snprintf(why, PARSE_WHY,
				 "invalid state \"%.40s\" (established, related, new, invalid or untracked, separated by commas)",
				 s);
			return -EINVAL;
		}
		*bits |= ct_states[i].bit;
		p += n;
		while (*p == ' ')
			p++;
		if (*p == ',')
			p++;
	}
	if (!*bits) {
		snprintf(why, PARSE_WHY, "invalid state \"\" (empty)");
		return -EINVAL;
	}
	return 0;
}
