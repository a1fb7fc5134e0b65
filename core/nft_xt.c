// SPDX-License-Identifier: MIT
/*
 * What iptables-nft writes as xtables matches and targets (nft_compat's
 * "match" and "target" expressions, an info block in the kernel's layout),
 * read back into the words nft(8) prints for them: `-m conntrack --ctstate`
 * as "ct state related,established", `-j MASQUERADE` as "masquerade",
 * `-j DNAT --to-destination` as "dnat to 10.0.0.2:80". A tutorial's rules
 * are mostly these; without them a listing (and netlab why) could not tell a
 * masquerade from any other target. A block of another size, revision or
 * with options beyond these is left to the caller ("xt target "DNAT""), never
 * guessed at.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_state.h>
#include <linux/netfilter_ipv4/ipt_REJECT.h>
#include <linux/netfilter_ipv6/ip6t_REJECT.h>
#include <libnftnl/expr.h>

#include "nft_int.h"

/* The kernel pads an info block to 8 bytes (XT_ALIGN). */
static int size_is(uint32_t len, size_t want)
{
	return len >= want && len < want + 8;
}

/* ct state from a conntrack match that matches on the state alone. */
static int conntrack_text(uint32_t rev, const uint8_t *info, uint32_t len, char *buf, size_t n)
{
	struct xt_conntrack_mtinfo3 m = { 0 }; /* 1 and 2 are its prefixes, but for state_mask */
	uint32_t states;
	char names[96];

	if (rev == 1 && size_is(len, sizeof(struct xt_conntrack_mtinfo1))) {
		struct xt_conntrack_mtinfo1 m1;

		memcpy(&m1, info, sizeof(m1));
		m.match_flags = m1.match_flags;
		m.invert_flags = m1.invert_flags;
		m.state_mask = m1.state_mask;
	} else if ((rev == 2 && size_is(len, sizeof(struct xt_conntrack_mtinfo2))) ||
		   (rev == 3 && size_is(len, sizeof(struct xt_conntrack_mtinfo3)))) {
		memcpy(&m, info, rev == 2 ? sizeof(struct xt_conntrack_mtinfo2) : sizeof(m));
	} else {
		return 0;
	}
	/* `-m state` is this match too, marked so (iptables' XT_CONNTRACK_STATE_ALIAS). */
	if ((m.match_flags & ~(1 << 13)) != XT_CONNTRACK_STATE ||
	    (m.invert_flags & ~XT_CONNTRACK_STATE))
		return 0;
	/* Its bits are nft's but for untracked, and snat and dnat, which nft has not. */
	states = m.state_mask & 0xf;
	if (m.state_mask & XT_CONNTRACK_STATE_UNTRACKED)
		states |= NF_CT_STATE_UNTRACKED_BIT;
	if (m.state_mask & ~(0xf | XT_CONNTRACK_STATE_UNTRACKED))
		return 0;
	nft_ctstate_names(states, names, sizeof(names));
	snprintf(buf, n, "ct state %s%s", m.invert_flags ? "!= " : "", names);
	return 1;
}

/* A NAT target's range in one shape, whatever its revision wrote. */
struct range {
	unsigned int flags;
	int v6;
	uint8_t amin[16], amax[16];
	uint8_t pmin[2], pmax[2];
};

static int range_of(uint32_t rev, int family, const uint8_t *info, uint32_t len, struct range *r)
{
	memset(r, 0, sizeof(*r));
	r->v6 = family == NFPROTO_IPV6;
	if (rev == 0 && !r->v6 &&
	    size_is(len, sizeof(struct nf_nat_ipv4_multi_range_compat))) {
		struct nf_nat_ipv4_multi_range_compat c;

		memcpy(&c, info, sizeof(c));
		if (c.rangesize != 1)
			return 0;
		r->flags = c.range[0].flags;
		memcpy(r->amin, &c.range[0].min_ip, 4);
		memcpy(r->amax, &c.range[0].max_ip, 4);
		memcpy(r->pmin, &c.range[0].min.all, 2);
		memcpy(r->pmax, &c.range[0].max.all, 2);
		return 1;
	}
	if ((rev == 1 || (rev == 0 && r->v6)) && size_is(len, sizeof(struct nf_nat_range))) {
		struct nf_nat_range c;

		memcpy(&c, info, sizeof(c));
		r->flags = c.flags;
		memcpy(r->amin, &c.min_addr, 16);
		memcpy(r->amax, &c.max_addr, 16);
		memcpy(r->pmin, &c.min_proto.all, 2);
		memcpy(r->pmax, &c.max_proto.all, 2);
		return 1;
	}
	if (rev == 2 && size_is(len, sizeof(struct nf_nat_range2))) {
		struct nf_nat_range2 c;

		memcpy(&c, info, sizeof(c));
		if (c.flags & (NF_NAT_RANGE_PROTO_OFFSET | NF_NAT_RANGE_NETMAP))
			return 0;
		r->flags = c.flags;
		memcpy(r->amin, &c.min_addr, 16);
		memcpy(r->amax, &c.max_addr, 16);
		memcpy(r->pmin, &c.min_proto.all, 2);
		memcpy(r->pmax, &c.max_proto.all, 2);
		return 1;
	}
	return 0;
}

static int nat_text(const char *name, uint32_t rev, int family, const uint8_t *info, uint32_t len,
		    char *buf, size_t n)
{
	/* SNAT and DNAT revision 0 are IPv4's; MASQUERADE's and REDIRECT's by family. */
	int addrs = !strcmp(name, "SNAT") || !strcmp(name, "DNAT");
	struct nft_nat_to to = { 0 };
	struct range r;
	char tail[160];

	if (!range_of(rev, family, info, len, &r))
		return 0;
	to.v6 = r.v6;
	to.alen = r.v6 ? 16 : 4;
	to.plen = 2;
	if (addrs && (r.flags & NF_NAT_RANGE_MAP_IPS)) {
		to.amin = r.amin;
		to.amax = memcmp(r.amin, r.amax, to.alen) ? r.amax : NULL;
	}
	if (r.flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
		to.pmin = r.pmin;
		to.pmax = memcmp(r.pmin, r.pmax, 2) ? r.pmax : NULL;
	}
	to.flags = r.flags;
	nft_nat_to(&to, tail, sizeof(tail));
	snprintf(buf, n, "%s%s", !strcmp(name, "SNAT") ? "snat" : !strcmp(name, "DNAT") ? "dnat" :
				 !strcmp(name, "MASQUERADE") ? "masquerade" : "redirect", tail);
	return 1;
}

static int reject_text(int family, const uint8_t *info, uint32_t len, char *buf, size_t n)
{
	int reset;

	if (family == NFPROTO_IPV6 && size_is(len, sizeof(struct ip6t_reject_info))) {
		struct ip6t_reject_info ri;

		memcpy(&ri, info, sizeof(ri));
		reset = ri.with == IP6T_TCP_RESET;
	} else if (family == NFPROTO_IPV4 && size_is(len, sizeof(struct ipt_reject_info))) {
		struct ipt_reject_info ri;

		memcpy(&ri, info, sizeof(ri));
		reset = ri.with == IPT_TCP_RESET;
	} else {
		return 0;
	}
	snprintf(buf, n, "%s", reset ? "reject with tcp reset" : "reject");
	return 1;
}

int nft_xt_text(const struct nftnl_expr *e, int family, char *buf, size_t n)
{
	const char *kind = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
	int match = !strcmp(kind, "match");
	uint16_t a_name = match ? NFTNL_EXPR_MT_NAME : NFTNL_EXPR_TG_NAME;
	uint16_t a_rev = match ? NFTNL_EXPR_MT_REV : NFTNL_EXPR_TG_REV;
	uint16_t a_info = match ? NFTNL_EXPR_MT_INFO : NFTNL_EXPR_TG_INFO;
	const uint8_t *info;
	const char *name;
	uint32_t len = 0, rev;

	if (!nftnl_expr_is_set(e, a_name) || !nftnl_expr_is_set(e, a_info))
		return 0;
	name = nftnl_expr_get_str(e, a_name);
	rev = nftnl_expr_is_set(e, a_rev) ? nftnl_expr_get_u32(e, a_rev) : 0;
	info = nftnl_expr_get(e, a_info, &len);
	if (!name || !info)
		return 0;
	if (match && !strcmp(name, "conntrack"))
		return conntrack_text(rev, info, len, buf, n);
	if (match && !strcmp(name, "state") && rev == 0 && size_is(len, sizeof(struct xt_state_info))) {
		struct xt_state_info s;
		char names[96];

		memcpy(&s, info, sizeof(s));
		nft_ctstate_names(s.statemask, names, sizeof(names));
		snprintf(buf, n, "ct state %s", names);
		return 1;
	}
	if (match)
		return 0;
	if (!strcmp(name, "SNAT") || !strcmp(name, "DNAT") || !strcmp(name, "MASQUERADE") ||
	    !strcmp(name, "REDIRECT"))
		return nat_text(name, rev, family, info, len, buf, n);
	if (!strcmp(name, "REJECT") && rev == 0)
		return reject_text(family, info, len, buf, n);
	return 0;
}
