// SPDX-License-Identifier: MIT
/*
 * nftables messages netlab sends, built with libnftnl: its table, its base
 * chains and its rules, and the deletion of a rule. Pure functions (no
 * socket), so the unit tests can build a message and parse it back. A rule
 * is written the way nft(8) writes the same rule, so `nft list ruleset`
 * shows it in nft's own words.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#include "nft.h"
#include "nl.h"

static const struct {
	const char *name;
	const char *type;
	int hook;
	int prio;
} chain_defs[NFT_NCHAINS] = {
	/* The priorities nft(8) calls srcnat, dstnat and filter. */
	[NFT_POSTROUTING] = { "postrouting", "nat", NF_INET_POST_ROUTING, 100 },
	[NFT_PREROUTING] = { "prerouting", "nat", NF_INET_PRE_ROUTING, -100 },
	[NFT_OUTPUT] = { "output", "nat", NF_INET_LOCAL_OUT, -100 },
	[NFT_FORWARD] = { "forward", "filter", NF_INET_FORWARD, 0 },
};

const char *nft_chain_name(enum nft_chain c)
{
	return c < NFT_NCHAINS ? chain_defs[c].name : "?";
}

/*
 * libnftnl writes a message with no bound, so each is built in scratch, a
 * buffer of NL_REQSZ that the largest netlab builds does not come near once
 * its inputs are checked (names under NFT_NAME_MAXLEN, a comment under
 * NFT_COMMENT_MAX, a rule of some twenty expressions: about 1.2 KiB for a
 * rule with every match, as the unit test measures); then copied to the
 * caller's len bytes if it fits there, or refused.
 */
union scratch {
	char buf[NL_REQSZ];
	struct nlmsghdr align; /* the header libnftnl writes at buf */
};

/* The names a message carries: each shorter than its attribute allows. */
static int names_ok(const char *table, const char *chain, const char *comment, struct nl_err *err)
{
	if (strnlen(table, NFT_NAME_MAXLEN) == NFT_NAME_MAXLEN)
		return nl_fail(err, EINVAL, "invalid table name \"%.32s...\" (longer than %d bytes)",
			       table, NFT_NAME_MAXLEN - 1);
	if (chain && strnlen(chain, NFT_NAME_MAXLEN) == NFT_NAME_MAXLEN)
		return nl_fail(err, EINVAL, "invalid chain name \"%.32s...\" (longer than %d bytes)",
			       chain, NFT_NAME_MAXLEN - 1);
	if (comment && strnlen(comment, NFT_COMMENT_MAX) == NFT_COMMENT_MAX)
		return nl_fail(err, EINVAL, "comment longer than %d bytes", NFT_COMMENT_MAX - 1);
	return 0;
}

/* The header in scratch, zeroed first: libnftnl leaves its attributes' padding as it finds it. */
static struct nlmsghdr *start(union scratch *s, uint16_t type, uint16_t flags)
{
	memset(s->buf, 0, sizeof(s->buf));
	return nftnl_nlmsg_build_hdr(s->buf, type, NFPROTO_INET, flags, 0);
}

/* The message built in scratch, copied to len bytes at buf; NULL (EMSGSIZE) when it does not fit. */
static struct nlmsghdr *deliver(const struct nlmsghdr *built, char *buf, size_t len,
				struct nl_err *err)
{
	size_t n = NLMSG_ALIGN(built->nlmsg_len);

	if (n > len) {
		nl_fail(err, EMSGSIZE, "request does not fit in %zu bytes", len);
		return NULL;
	}
	memcpy(buf, built, n);
	return (struct nlmsghdr *)buf;
}

static struct nlmsghdr *no_memory(struct nl_err *err)
{
	nl_fail(err, ENOMEM, NULL);
	return NULL;
}

static struct nlmsghdr *no_chain(struct nl_err *err)
{
	nl_fail(err, EINVAL, "no such chain");
	return NULL;
}

/* Userdata holding one comment, in the layout nft(8) reads (a NUL-terminated TLV). */
static int put_comment(void *obj, void (*set)(void *, const void *, uint32_t), uint8_t type,
		       const char *comment)
{
	struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN);

	if (!ud)
		return -ENOMEM;
	nftnl_udata_put_strz(ud, type, comment);
	set(obj, nftnl_udata_buf_data(ud), nftnl_udata_buf_len(ud));
	nftnl_udata_buf_free(ud);
	return 0;
}

static void table_udata(void *t, const void *data, uint32_t len)
{
	nftnl_table_set_data(t, NFTNL_TABLE_USERDATA, data, len);
}

static void rule_udata(void *r, const void *data, uint32_t len)
{
	nftnl_rule_set_data(r, NFTNL_RULE_USERDATA, data, len);
}

struct nlmsghdr *nft_msg_table(char *buf, size_t len, uint16_t type, const char *table,
			       struct nl_err *err)
{
	struct nftnl_table *t;
	struct nlmsghdr *nlh = NULL;
	union scratch s;

	if (names_ok(table, NULL, NULL, err) < 0)
		return NULL;
	t = nftnl_table_alloc();
	if (!t)
		return no_memory(err);
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, table);
	/* The tag that tells netlab's tables from everyone else's. */
	if (type == NFT_MSG_NEWTABLE &&
	    put_comment(t, table_udata, NFTNL_UDATA_TABLE_COMMENT, NFT_TAG) < 0) {
		nftnl_table_free(t);
		return no_memory(err);
	}
	nlh = start(&s, type, type == NFT_MSG_NEWTABLE ? NLM_F_CREATE : 0);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	return deliver(nlh, buf, len, err);
}

struct nlmsghdr *nft_msg_chain(char *buf, size_t len, const char *table, enum nft_chain c,
			       int policy, struct nl_err *err)
{
	struct nftnl_chain *ch;
	struct nlmsghdr *nlh;
	union scratch s;

	if (c >= NFT_NCHAINS)
		return no_chain(err);
	if (names_ok(table, NULL, NULL, err) < 0)
		return NULL;
	ch = nftnl_chain_alloc();
	if (!ch)
		return no_memory(err);
	nftnl_chain_set_u32(ch, NFTNL_CHAIN_FAMILY, NFPROTO_INET);
	nftnl_chain_set_str(ch, NFTNL_CHAIN_TABLE, table);
	nftnl_chain_set_str(ch, NFTNL_CHAIN_NAME, chain_defs[c].name);
	nftnl_chain_set_str(ch, NFTNL_CHAIN_TYPE, chain_defs[c].type);
	nftnl_chain_set_u32(ch, NFTNL_CHAIN_HOOKNUM, (uint32_t)chain_defs[c].hook);
	nftnl_chain_set_s32(ch, NFTNL_CHAIN_PRIO, chain_defs[c].prio);
	if (policy >= 0)
		nftnl_chain_set_u32(ch, NFTNL_CHAIN_POLICY, (uint32_t)policy);
	/* Without NLM_F_EXCL an existing chain of the same hook is kept as it is. */
	nlh = start(&s, NFT_MSG_NEWCHAIN, NLM_F_CREATE);
	nftnl_chain_nlmsg_build_payload(nlh, ch);
	nftnl_chain_free(ch);
	return deliver(nlh, buf, len, err);
}

/* A rule under construction; any allocation failure is remembered and reported once. */
struct rb {
	struct nftnl_rule *r;
	int oom;
};

static struct nftnl_expr *add(struct rb *b, const char *name)
{
	struct nftnl_expr *e = nftnl_expr_alloc(name);

	if (!e)
		b->oom = 1;
	else
		nftnl_rule_add_expr(b->r, e);
	return e;
}

static void meta(struct rb *b, uint32_t key)
{
	struct nftnl_expr *e = add(b, "meta");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
}

static void payload(struct rb *b, uint32_t base, uint32_t offset, uint32_t len)
{
	struct nftnl_expr *e = add(b, "payload");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
}

static void cmp(struct rb *b, uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = add(b, "cmp");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
}

static void bitwise(struct rb *b, const void *mask, uint32_t len)
{
	static const uint8_t zero[16];
	struct nftnl_expr *e = add(b, "bitwise");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, zero, len);
}

/*
 * ip saddr 10.0.0.0/8: the address field, masked unless the prefix is the
 * whole address; with op NFT_CMP_NEQ, ip daddr != 10.0.0.0/8.
 */
static void match_addr(struct rb *b, const struct cidr *c, int dst, uint32_t op)
{
	uint32_t alen = c->family == AF_INET ? 4 : 16;
	uint32_t off = c->family == AF_INET ? (dst ? 16 : 12) : (dst ? 24 : 8);
	struct cidr net = *c;
	uint8_t mask[16] = { 0 };
	int i;

	if (c->plen == 0)
		return; /* the whole family: the nfproto match says it all */
	payload(b, NFT_PAYLOAD_NETWORK_HEADER, off, alen);
	if ((uint32_t)c->plen < alen * 8) {
		for (i = 0; i < c->plen; i++)
			mask[i / 8] |= (uint8_t)(0x80 >> (i % 8));
		bitwise(b, mask, alen);
	}
	cidr_network(&net);
	cmp(b, op, net.a.b, alen);
}

static void match_ifname(struct rb *b, uint32_t key, const char *name)
{
	char padded[IFNAMSIZ] = { 0 };

	/* The whole IFNAMSIZ field, NUL-padded, as nft compares an exact name. */
	memcpy(padded, name, strnlen(name, IFNAMSIZ - 1));
	meta(b, key);
	cmp(b, NFT_CMP_EQ, padded, sizeof(padded));
}

static void verdict(struct rb *b, int v)
{
	struct nftnl_expr *e = add(b, "immediate");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)v);
}

static void immediate(struct rb *b, uint32_t reg, const void *data, uint32_t len)
{
	struct nftnl_expr *e = add(b, "immediate");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, reg);
	nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, data, len);
}

static void dnat(struct rb *b, const struct cidr *to, uint16_t port)
{
	uint32_t alen = to->family == AF_INET ? 4 : 16;
	struct nftnl_expr *e;
	uint16_t be = htons(port);

	immediate(b, NFT_REG_1, to->a.b, alen);
	if (port)
		immediate(b, NFT_REG_2, &be, sizeof(be));
	e = add(b, "nat");
	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_TYPE, NFT_NAT_DNAT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FAMILY, to->family == AF_INET ? NFPROTO_IPV4 :
									NFPROTO_IPV6);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN, NFT_REG_1);
	if (port)
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MIN, NFT_REG_2);
}

static void build_rule(struct rb *b, const struct nft_rule_spec *r)
{
	uint8_t u8;
	uint32_t u32;
	uint16_t be;

	if (r->family) {
		u8 = r->family == AF_INET ? NFPROTO_IPV4 : NFPROTO_IPV6;
		meta(b, NFT_META_NFPROTO);
		cmp(b, NFT_CMP_EQ, &u8, 1);
	}
	if (r->has_saddr)
		match_addr(b, &r->saddr, 0, NFT_CMP_EQ);
	if (r->has_daddr)
		match_addr(b, &r->daddr, 1, r->not_daddr ? NFT_CMP_NEQ : NFT_CMP_EQ);
	if (r->local) {
		struct nftnl_expr *e = add(b, "fib");

		if (e) {
			nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_DREG, NFT_REG_1);
			nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_RESULT, NFT_FIB_RESULT_ADDRTYPE);
			nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_FLAGS, NFTA_FIB_F_DADDR);
		}
		u32 = RTN_LOCAL;
		cmp(b, NFT_CMP_EQ, &u32, sizeof(u32));
	}
	if (r->iif[0])
		match_ifname(b, NFT_META_IIFNAME, r->iif);
	if (r->oif[0])
		match_ifname(b, NFT_META_OIFNAME, r->oif);
	if (r->l4proto) {
		u8 = (uint8_t)r->l4proto;
		meta(b, NFT_META_L4PROTO);
		cmp(b, NFT_CMP_EQ, &u8, 1);
		if (r->dport) {
			be = htons(r->dport);
			payload(b, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
			cmp(b, NFT_CMP_EQ, &be, 2);
		}
	}
	if (r->ct_state) {
		struct nftnl_expr *e = add(b, "ct");

		if (e) {
			nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, NFT_CT_STATE);
			nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
		}
		/* Any of the states: (state & bits) != 0. */
		u32 = r->ct_state;
		bitwise(b, &u32, sizeof(u32));
		u32 = 0;
		cmp(b, NFT_CMP_NEQ, &u32, sizeof(u32));
	}
	/* Every rule counts what it matched, so a listing shows whether traffic hit it. */
	add(b, "counter");
	switch (r->action) {
	case NFT_ACCEPT:
		verdict(b, NF_ACCEPT);
		break;
	case NFT_MASQUERADE:
		add(b, "masq");
		break;
	case NFT_DNAT:
		dnat(b, &r->to, r->to_port);
		break;
	}
}

struct nlmsghdr *nft_msg_rule(char *buf, size_t len, const char *table,
			      const struct nft_rule_spec *r, struct nl_err *err)
{
	struct rb b = { 0 };
	struct nlmsghdr *nlh;
	union scratch s;

	if (r->chain >= NFT_NCHAINS)
		return no_chain(err);
	if (names_ok(table, NULL, r->comment, err) < 0)
		return NULL;
	b.r = nftnl_rule_alloc();
	if (!b.r)
		return no_memory(err);
	nftnl_rule_set_u32(b.r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_rule_set_str(b.r, NFTNL_RULE_TABLE, table);
	nftnl_rule_set_str(b.r, NFTNL_RULE_CHAIN, nft_chain_name(r->chain));
	build_rule(&b, r);
	if (r->comment[0] && put_comment(b.r, rule_udata, NFTNL_UDATA_RULE_COMMENT, r->comment) < 0)
		b.oom = 1;
	if (b.oom) {
		nftnl_rule_free(b.r);
		return no_memory(err);
	}
	/* ECHO: the kernel sends the rule back with the handle it got. */
	nlh = start(&s, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND | NLM_F_ECHO);
	nftnl_rule_nlmsg_build_payload(nlh, b.r);
	nftnl_rule_free(b.r);
	return deliver(nlh, buf, len, err);
}

struct nlmsghdr *nft_msg_delrule(char *buf, size_t len, const char *table, const char *chain,
				 uint64_t handle, struct nl_err *err)
{
	struct nftnl_rule *r;
	struct nlmsghdr *nlh;
	union scratch s;

	if (names_ok(table, chain, NULL, err) < 0)
		return NULL;
	r = nftnl_rule_alloc();
	if (!r)
		return no_memory(err);
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, handle);
	nlh = start(&s, NFT_MSG_DELRULE, 0);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	return deliver(nlh, buf, len, err);
}

int nft_spec_text(const char *table, const struct nft_rule_spec *r, char *buf, size_t len)
{
	char msg[NL_REQSZ];
	struct nl_err err = { 0 };
	struct nlmsghdr *nlh = nft_msg_rule(msg, sizeof(msg), table, r, &err);

	if (!nlh) {
		snprintf(buf, len, "?");
		return -err.code;
	}
	return nft_msg_text(nlh, buf, len);
}
