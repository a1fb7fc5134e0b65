// SPDX-License-Identifier: MIT
/*
 * The rules iptables-nft writes for a tutorial's commands, decoded with no
 * kernel: xtables matches and targets with the info blocks iptables fills
 * (core/nft_xt.c), and interface names with iptables' "+" (core/nft_names.c).
 * Each block is laid out as the kernel's headers define it, padded as the
 * kernel pads it; a block netlab does not read stays "xt target "NAME"".
 */
#include <arpa/inet.h>
#include <stdio.h> /* libnftnl's headers need FILE */
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_state.h>
#include <linux/netfilter_ipv4/ipt_REJECT.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>

#include "check.h"
#include "core/nft.h"

/* Padded to 8 bytes, as the kernel's dump has it (XT_ALIGN). */
#define PADDED(n) (((n) + 7) & ~(size_t)7)

/* A rule of one xt expression (and a verdict), decoded. */
static void xt(int family, const char *kind, const char *name, uint32_t rev, const void *info,
	       size_t len, int verdict, const char *want, const char *what)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_expr *e = nftnl_expr_alloc(kind);
	int match = kind[0] == 'm';
	char text[NFT_TEXT];
	void *copy = calloc(1, PADDED(len));

	if (!r || !e || !copy)
		abort();
	memcpy(copy, info, len);
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, (uint32_t)family);
	nftnl_expr_set_str(e, match ? NFTNL_EXPR_MT_NAME : NFTNL_EXPR_TG_NAME, name);
	nftnl_expr_set_u32(e, match ? NFTNL_EXPR_MT_REV : NFTNL_EXPR_TG_REV, rev);
	/* libnftnl takes the block and frees it with the rule. */
	nftnl_expr_set(e, match ? NFTNL_EXPR_MT_INFO : NFTNL_EXPR_TG_INFO, copy,
		       (uint32_t)PADDED(len));
	nftnl_rule_add_expr(r, e);
	if (verdict != -100) {
		e = nftnl_expr_alloc("immediate");
		if (!e)
			abort();
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)verdict);
		nftnl_rule_add_expr(r, e);
	}
	nft_rule_text(r, text, sizeof(text));
	CHECK_STR(text, want, what);
	nftnl_rule_free(r);
}

static void conntrack(void)
{
	struct xt_conntrack_mtinfo3 m3 = { 0 };
	struct xt_conntrack_mtinfo1 m1 = { 0 };
	struct xt_state_info s = { 0 };

	/* iptables -A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT */
	m3.match_flags = XT_CONNTRACK_STATE;
	m3.state_mask = XT_CONNTRACK_STATE_BIT(IP_CT_RELATED) | XT_CONNTRACK_STATE_BIT(IP_CT_ESTABLISHED);
	xt(NFPROTO_IPV4, "match", "conntrack", 3, &m3, sizeof(m3), NF_ACCEPT,
	   "ct state established,related accept", "--ctstate RELATED,ESTABLISHED");
	/* -m state --state ESTABLISHED: the same match, marked as the alias */
	m3.match_flags = XT_CONNTRACK_STATE | (1 << 13);
	m3.state_mask = XT_CONNTRACK_STATE_BIT(IP_CT_ESTABLISHED);
	xt(NFPROTO_IPV4, "match", "conntrack", 3, &m3, sizeof(m3), NF_ACCEPT,
	   "ct state established accept", "-m state --state ESTABLISHED");
	/* ! --ctstate NEW, untracked in xt's own bit */
	m3.match_flags = XT_CONNTRACK_STATE;
	m3.invert_flags = XT_CONNTRACK_STATE;
	m3.state_mask = XT_CONNTRACK_STATE_BIT(IP_CT_NEW) | XT_CONNTRACK_STATE_UNTRACKED;
	xt(NFPROTO_IPV6, "match", "conntrack", 3, &m3, sizeof(m3), NF_DROP,
	   "ct state != new,untracked drop", "! --ctstate NEW,UNTRACKED");
	/* What nft has no words for stays named: --ctstate SNAT, --ctorigsrc */
	m3.invert_flags = 0;
	m3.state_mask = XT_CONNTRACK_STATE_SNAT;
	xt(NFPROTO_IPV4, "match", "conntrack", 3, &m3, sizeof(m3), NF_ACCEPT,
	   "xt match \"conntrack\" accept", "--ctstate SNAT");
	m3.state_mask = XT_CONNTRACK_STATE_BIT(IP_CT_NEW);
	m3.match_flags = XT_CONNTRACK_STATE | XT_CONNTRACK_ORIGSRC;
	xt(NFPROTO_IPV4, "match", "conntrack", 3, &m3, sizeof(m3), NF_ACCEPT,
	   "xt match \"conntrack\" accept", "--ctstate with --ctorigsrc");
	/* revision 1: an 8-bit mask at its own place */
	m1.match_flags = XT_CONNTRACK_STATE;
	m1.state_mask = XT_CONNTRACK_STATE_BIT(IP_CT_NEW);
	xt(NFPROTO_IPV4, "match", "conntrack", 1, &m1, sizeof(m1), NF_ACCEPT,
	   "ct state new accept", "revision 1");
	/* a block of the wrong size for its revision */
	xt(NFPROTO_IPV4, "match", "conntrack", 3, &m1, sizeof(m1), NF_ACCEPT,
	   "xt match \"conntrack\" accept", "revision 3 with revision 1's block");
	/* the old state match */
	s.statemask = XT_STATE_BIT(IP_CT_NEW) | XT_STATE_BIT(IP_CT_ESTABLISHED);
	xt(NFPROTO_IPV4, "match", "state", 0, &s, sizeof(s), NF_ACCEPT,
	   "ct state established,new accept", "-m state (xt_state)");
}

static void nat(void)
{
	struct nf_nat_ipv4_multi_range_compat c = { 0 };
	struct nf_nat_range2 r2 = { 0 };
	struct nf_nat_range r1 = { 0 };
	struct ipt_reject_info rj = { 0 };

	/* iptables -t nat -A POSTROUTING -s … -j MASQUERADE: revision 0, no range */
	c.rangesize = 1;
	xt(NFPROTO_IPV4, "target", "MASQUERADE", 0, &c, sizeof(c), -100, "masquerade",
	   "-j MASQUERADE");
	c.range[0].flags = NF_NAT_RANGE_PROTO_SPECIFIED | NF_NAT_RANGE_PROTO_RANDOM;
	c.range[0].min.all = htons(1024);
	c.range[0].max.all = htons(2048);
	xt(NFPROTO_IPV4, "target", "MASQUERADE", 0, &c, sizeof(c), -100,
	   "masquerade to :1024-2048 random", "-j MASQUERADE --to-ports 1024-2048 --random");
	/* -j REDIRECT --to-ports 80 */
	c.range[0].flags = NF_NAT_RANGE_PROTO_SPECIFIED;
	c.range[0].min.all = c.range[0].max.all = htons(80);
	xt(NFPROTO_IPV4, "target", "REDIRECT", 0, &c, sizeof(c), -100, "redirect to :80",
	   "-j REDIRECT --to-ports 80");
	/* -j DNAT --to-destination 192.168.52.2:80, revision 2 */
	r2.flags = NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED;
	inet_pton(AF_INET, "192.168.52.2", &r2.min_addr);
	r2.max_addr = r2.min_addr;
	r2.min_proto.all = r2.max_proto.all = htons(80);
	xt(NFPROTO_IPV4, "target", "DNAT", 2, &r2, sizeof(r2), -100, "dnat to 192.168.52.2:80",
	   "-j DNAT --to-destination 192.168.52.2:80");
	/* a netmap or offset range is not one nft writes as a dnat */
	r2.flags |= NF_NAT_RANGE_NETMAP;
	xt(NFPROTO_IPV4, "target", "DNAT", 2, &r2, sizeof(r2), -100, "xt target \"DNAT\"",
	   "NETMAP-like range");
	/* ip6tables -j SNAT --to-source fd00::1-fd00::9, revision 1 */
	r1.flags = NF_NAT_RANGE_MAP_IPS;
	inet_pton(AF_INET6, "fd00::1", &r1.min_addr);
	inet_pton(AF_INET6, "fd00::9", &r1.max_addr);
	xt(NFPROTO_IPV6, "target", "SNAT", 1, &r1, sizeof(r1), -100, "snat to fd00::1-fd00::9",
	   "ip6tables -j SNAT --to-source fd00::1-fd00::9");
	r1.flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
	r1.min_proto.all = r1.max_proto.all = htons(53);
	r1.max_addr = r1.min_addr;
	xt(NFPROTO_IPV6, "target", "DNAT", 1, &r1, sizeof(r1), -100, "dnat to [fd00::1]:53",
	   "ip6tables -j DNAT --to-destination [fd00::1]:53");
	/* SNAT revision 0 in ip6 does not exist: left named */
	xt(NFPROTO_IPV6, "target", "SNAT", 0, &c, sizeof(c), -100, "xt target \"SNAT\"",
	   "ip6 SNAT revision 0");
	/* -j REJECT, and --reject-with tcp-reset */
	rj.with = IPT_ICMP_PORT_UNREACHABLE;
	xt(NFPROTO_IPV4, "target", "REJECT", 0, &rj, sizeof(rj), -100, "reject", "-j REJECT");
	rj.with = IPT_TCP_RESET;
	xt(NFPROTO_IPV4, "target", "REJECT", 0, &rj, sizeof(rj), -100, "reject with tcp reset",
	   "-j REJECT --reject-with tcp-reset");
	/* a target netlab does not read */
	xt(NFPROTO_IPV4, "target", "LOG", 0, &rj, sizeof(rj), -100, "xt target \"LOG\"", "-j LOG");
}

/* iifname "veth-a" (iptables: the name and its NUL), "veth*" (-i veth+: no NUL) */
static void ifnames(void)
{
	static const struct {
		const char *data;
		uint32_t len;
		const char *want;
	} cases[] = {
		{ "veth-a", 7, "iifname \"veth-a\" accept" },
		{ "veth-a\0\0\0\0\0\0\0\0\0", 16, "iifname \"veth-a\" accept" },
		{ "veth", 4, "iifname \"veth*\" accept" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nftnl_rule *r = nftnl_rule_alloc();
		struct nftnl_expr *e;
		char text[NFT_TEXT];

		if (!r)
			abort();
		nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_IPV4);
		e = nftnl_expr_alloc("meta");
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, NFT_META_IIFNAME);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
		nftnl_rule_add_expr(r, e);
		e = nftnl_expr_alloc("cmp");
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
		nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, cases[i].data, cases[i].len);
		nftnl_rule_add_expr(r, e);
		e = nftnl_expr_alloc("immediate");
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, NF_ACCEPT);
		nftnl_rule_add_expr(r, e);
		nft_rule_text(r, text, sizeof(text));
		CHECK_STR(text, cases[i].want, "an interface name");
		nftnl_rule_free(r);
	}
}

int main(void)
{
	conntrack();
	nat();
	ifnames();
	return check_done();
}
