// SPDX-License-Identifier: MIT
/*
 * nftables messages netlab sends, built with libnftnl: its table, its base
 * chains and its rules. Pure functions (no socket), so the unit tests can
 * build a message and parse it back. A rule is written the way nft(8) writes
 * the same rule, so `nft list ruleset` shows it in nft's own words.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#include "nft.h"

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

struct nlmsghdr *nft_msg_table(char *buf, uint16_t type, const char *table)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh = NULL;
	uint16_t flags = type == NFT_MSG_NEWTABLE ? NLM_F_CREATE : 0;

	if (!t)
		return NULL;
	if (strnlen(table, NFT_NAME_MAXLEN) == NFT_NAME_MAXLEN)
		goto out;
	/* libnftnl leaves the padding of its attributes as it finds it: zero it first. */
	memset(buf, 0, NFT_MSG_ROOM);
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, table);
	/* The tag that tells netlab's tables from everyone else's. */
	if (type == NFT_MSG_NEWTABLE &&
	    put_comment(t, table_udata, NFTNL_UDATA_TABLE_COMMENT, NFT_TAG) < 0)
		goto out;
	nlh = nftnl_nlmsg_build_hdr(buf, type, NFPROTO_INET, flags, 0);
	nftnl_table_nlmsg_build_payload(nlh, t);
out:
	nftnl_table_free(t);
	return nlh;
}

struct nlmsghdr *nft_msg_chain(char *buf, const char *table, enum nft_chain c, int policy)
{
	struct nftnl_chain *ch;
	struct nlmsghdr *nlh;

	if (c >= NFT_NCHAINS || strnlen(table, NFT_NAME_MAXLEN) == NFT_NAME_MAXLEN)
		return NULL;
	ch = nftnl_chain_alloc();
	if (!ch)
		return NULL;
	memset(buf, 0, NFT_MSG_ROOM);
	nftnl_chain_set_u32(ch, NFTNL_CHAIN_FAMILY, NFPROTO_INET);
	nftnl_chain_set_str(ch, NFTNL_CHAIN_TABLE, table);
	nftnl_chain_set_str(ch, NFTNL_CHAIN_NAME, chain_defs[c].name);
	nftnl_chain_set_str(ch, NFTNL_CHAIN_TYPE, chain_defs[c].type);
	nftnl_chain_set_u32(ch, NFTNL_CHAIN_HOOKNUM, (uint32_t)chain_defs[c].hook);
	nftnl_chain_set_s32(ch, NFTNL_CHAIN_PRIO, chain_defs[c].prio);
	if (policy >= 0)
		nftnl_chain_set_u32(ch, NFTNL_CHAIN_POLICY, (uint32_t)policy);
	/* Without NLM_F_EXCL an existing chain of the same hook is kept as it is. */
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWCHAIN, NFPROTO_INET, NLM_F_CREATE, 0);
	nftnl_chain_nlmsg_build_payload(nlh, ch);
	nftnl_chain_free(ch);
	return nlh;
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

struct nlmsghdr *nft_msg_rule(char *buf, const char *table, const struct nft_rule_spec *r)
{
	struct rb b = { 0 };
	struct nlmsghdr *nlh = NULL;

	if (strnlen(table, NFT_NAME_MAXLEN) == NFT_NAME_MAXLEN || r->chain >= NFT_NCHAINS ||
	    strnlen(r->comment, NFT_COMMENT_MAX) == NFT_COMMENT_MAX)
		return NULL;
	b.r = nftnl_rule_alloc();
	if (!b.r)
		return NULL;
	memset(buf, 0, NFT_MSG_ROOM);
	nftnl_rule_set_u32(b.r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_rule_set_str(b.r, NFTNL_RULE_TABLE, table);
	nftnl_rule_set_str(b.r, NFTNL_RULE_CHAIN, nft_chain_name(r->chain));
	build_rule(&b, r);
	if (r->comment[0] && put_comment(b.r, rule_udata, NFTNL_UDATA_RULE_COMMENT, r->comment) < 0)
		b.oom = 1;
	if (!b.oom) {
		/* ECHO: the kernel sends the rule back with the handle it got. */
		nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWRULE, NFPROTO_INET,
					    NLM_F_CREATE | NLM_F_APPEND | NLM_F_ECHO, 0);
		nftnl_rule_nlmsg_build_payload(nlh, b.r);
	}
	nftnl_rule_free(b.r);
	return nlh;
}

int nft_spec_text(const char *table, const struct nft_rule_spec *r, char *buf, size_t len)
{
	char msg[4096];
	struct nlmsghdr *nlh = nft_msg_rule(msg, table, r);

	if (!nlh) {
		snprintf(buf, len, "?");
		return -ENOMEM;
	}
	return nft_msg_text(nlh, buf, len);
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

static const struct {
	const char *name;
	uint32_t bit;
} ct_states[] = {
	{ "established", NF_CT_STATE_BIT(IP_CT_ESTABLISHED) },
	{ "related", NF_CT_STATE_BIT(IP_CT_RELATED) },
	{ "new", NF_CT_STATE_BIT(IP_CT_NEW) },
	{ "invalid", NF_CT_STATE_INVALID_BIT },
	{ "untracked", NF_CT_STATE_UNTRACKED_BIT },
};

int nft_ctstate_parse(const char *s, uint32_t *bits, char *why)
{
	const char *p = s;

	*bits = 0;
	while (*p) {
		size_t n, i;

		while (*p == ' ')
			p++;
		n = strcspn(p, ", ");
		for (i = 0; i < sizeof(ct_states) / sizeof(ct_states[0]); i++)
			if (n == strlen(ct_states[i].name) && !strncmp(p, ct_states[i].name, n))
				break;
		if (i == sizeof(ct_states) / sizeof(ct_states[0])) {
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

/*
 * Checking an nftables message before libnftnl reads it. libnftnl takes a
 * string attribute when it has any length at all and then strdup()s or
 * strcmp()s it, so one without its NUL is read past its end; an expression
 * without a name is a NULL it dereferences; an integer of the wrong size
 * makes it exit() ("kernel ABI is broken"); and a table, chain or rule
 * without the names netlab compares is a NULL strcmp(). So every attribute
 * libnftnl reads of tables, chains, rules and the expressions netlab writes
 * and decodes is checked for its type and size (strings must end in NUL),
 * and the names netlab needs must be there. Expressions of other kinds are
 * shown by name only, so nft_msg_readable() leaves their data out of the copy
 * libnftnl parses.
 */
#define NFT_CHECK_SLOTS 32

struct attrs {
	const struct nlattr *tb[NFT_CHECK_SLOTS];
	int twice; /* an attribute came twice: libnftnl reads both, netlab checked one */
};

struct spec {
	uint16_t type;
	enum mnl_attr_data_type is;
};

#define S(t) { t, MNL_TYPE_NUL_STRING }
#define U8(t) { t, MNL_TYPE_U8 }
#define U16(t) { t, MNL_TYPE_U16 }
#define U32(t) { t, MNL_TYPE_U32 }
#define U64(t) { t, MNL_TYPE_U64 }
#define N(t) { t, MNL_TYPE_NESTED }
#define END { 0, MNL_TYPE_UNSPEC }

static const struct spec table_spec[] = {
	S(NFTA_TABLE_NAME), U32(NFTA_TABLE_FLAGS), U32(NFTA_TABLE_USE), U64(NFTA_TABLE_HANDLE),
	U32(NFTA_TABLE_OWNER), END
};
static const struct spec chain_spec[] = {
	S(NFTA_CHAIN_TABLE), U64(NFTA_CHAIN_HANDLE), S(NFTA_CHAIN_NAME), N(NFTA_CHAIN_HOOK),
	U32(NFTA_CHAIN_POLICY), U32(NFTA_CHAIN_USE), S(NFTA_CHAIN_TYPE), N(NFTA_CHAIN_COUNTERS),
	U32(NFTA_CHAIN_FLAGS), U32(NFTA_CHAIN_ID), END
};
static const struct spec hook_spec[] = {
	U32(NFTA_HOOK_HOOKNUM), U32(NFTA_HOOK_PRIORITY), S(NFTA_HOOK_DEV), N(NFTA_HOOK_DEVS), END
};
static const struct spec counters_spec[] = { U64(NFTA_COUNTER_BYTES), U64(NFTA_COUNTER_PACKETS), END };
static const struct spec rule_spec[] = {
	S(NFTA_RULE_TABLE), S(NFTA_RULE_CHAIN), U64(NFTA_RULE_HANDLE), N(NFTA_RULE_EXPRESSIONS),
	N(NFTA_RULE_COMPAT), U64(NFTA_RULE_POSITION), U32(NFTA_RULE_ID), U32(NFTA_RULE_POSITION_ID),
	U32(NFTA_RULE_CHAIN_ID), END
};
static const struct spec compat_spec[] = {
	U32(NFTA_RULE_COMPAT_PROTO), U32(NFTA_RULE_COMPAT_FLAGS), END
};
static const struct spec elem_spec[] = { S(NFTA_EXPR_NAME), N(NFTA_EXPR_DATA), END };
static const struct spec data_spec[] = { N(NFTA_DATA_VERDICT), END };
static const struct spec verdict_spec[] = {
	U32(NFTA_VERDICT_CODE), S(NFTA_VERDICT_CHAIN), U32(NFTA_VERDICT_CHAIN_ID), END
};

/* The expressions netlab writes or decodes, with what libnftnl expects of each attribute. */
static const struct {
	const char *name;
	struct spec attrs[9];
} expr_specs[] = {
	{ "meta", { U32(NFTA_META_DREG), U32(NFTA_META_KEY), U32(NFTA_META_SREG), END } },
	{ "payload", { U32(NFTA_PAYLOAD_DREG), U32(NFTA_PAYLOAD_BASE), U32(NFTA_PAYLOAD_OFFSET),
		       U32(NFTA_PAYLOAD_LEN), U32(NFTA_PAYLOAD_SREG), U32(NFTA_PAYLOAD_CSUM_TYPE),
		       U32(NFTA_PAYLOAD_CSUM_OFFSET), U32(NFTA_PAYLOAD_CSUM_FLAGS), END } },
	{ "ct", { U32(NFTA_CT_DREG), U32(NFTA_CT_KEY), U8(NFTA_CT_DIRECTION), U32(NFTA_CT_SREG),
		  END } },
	{ "fib", { U32(NFTA_FIB_DREG), U32(NFTA_FIB_RESULT), U32(NFTA_FIB_FLAGS), END } },
	{ "cmp", { U32(NFTA_CMP_SREG), U32(NFTA_CMP_OP), N(NFTA_CMP_DATA), END } },
	{ "bitwise", { U32(NFTA_BITWISE_SREG), U32(NFTA_BITWISE_DREG), U32(NFTA_BITWISE_LEN),
		       N(NFTA_BITWISE_MASK), N(NFTA_BITWISE_XOR), U32(NFTA_BITWISE_OP),
		       N(NFTA_BITWISE_DATA), END } },
	{ "immediate", { U32(NFTA_IMMEDIATE_DREG), N(NFTA_IMMEDIATE_DATA), END } },
	{ "nat", { U32(NFTA_NAT_TYPE), U32(NFTA_NAT_FAMILY), U32(NFTA_NAT_REG_ADDR_MIN),
		   U32(NFTA_NAT_REG_ADDR_MAX), U32(NFTA_NAT_REG_PROTO_MIN),
		   U32(NFTA_NAT_REG_PROTO_MAX), U32(NFTA_NAT_FLAGS), END } },
	{ "masq", { U32(NFTA_MASQ_FLAGS), U32(NFTA_MASQ_REG_PROTO_MIN), U32(NFTA_MASQ_REG_PROTO_MAX),
		    END } },
	{ "redir", { U32(NFTA_REDIR_REG_PROTO_MIN), U32(NFTA_REDIR_REG_PROTO_MAX),
		     U32(NFTA_REDIR_FLAGS), END } },
	{ "counter", { U64(NFTA_COUNTER_BYTES), U64(NFTA_COUNTER_PACKETS), END } },
	{ "lookup", { S(NFTA_LOOKUP_SET), U32(NFTA_LOOKUP_SREG), U32(NFTA_LOOKUP_DREG),
		      U32(NFTA_LOOKUP_SET_ID), U32(NFTA_LOOKUP_FLAGS), END } },
	{ "log", { U16(NFTA_LOG_GROUP), S(NFTA_LOG_PREFIX), U32(NFTA_LOG_SNAPLEN),
		   U16(NFTA_LOG_QTHRESHOLD), U32(NFTA_LOG_LEVEL), U32(NFTA_LOG_FLAGS), END } },
	{ "reject", { U32(NFTA_REJECT_TYPE), U8(NFTA_REJECT_ICMP_CODE), END } },
	{ "limit", { U64(NFTA_LIMIT_RATE), U64(NFTA_LIMIT_UNIT), U32(NFTA_LIMIT_BURST),
		     U32(NFTA_LIMIT_TYPE), U32(NFTA_LIMIT_FLAGS), END } },
	{ "match", { S(NFTA_MATCH_NAME), U32(NFTA_MATCH_REV), END } },
	{ "target", { S(NFTA_TARGET_NAME), U32(NFTA_TARGET_REV), END } },
};

static int known_expr(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(expr_specs) / sizeof(expr_specs[0]); i++)
		if (!strcmp(name, expr_specs[i].name))
			return 1;
	return 0;
}

static int collect_attr(const struct nlattr *a, void *data)
{
	struct attrs *t = data;
	uint16_t type = mnl_attr_get_type(a);

	if (type < NFT_CHECK_SLOTS) {
		if (t->tb[type])
			t->twice = 1;
		t->tb[type] = a;
	}
	return MNL_CB_OK;
}

/* Each attribute the spec names, when present, is of its type; required ones are present. */
static int attrs_ok(const struct attrs *t, const struct spec *spec, const uint16_t *required)
{
	if (t->twice)
		return -1;
	for (; spec->is != MNL_TYPE_UNSPEC; spec++)
		if (t->tb[spec->type] && mnl_attr_validate(t->tb[spec->type], spec->is) < 0)
			return -1;
	for (; required && *required; required++)
		if (!t->tb[*required])
			return -1;
	return 0;
}

/* The attributes inside a (checked against spec), or -1 when a is not a well-formed nest. */
static int nested(const struct nlattr *a, struct attrs *t, const struct spec *spec)
{
	memset(t, 0, sizeof(*t));
	if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0 ||
	    mnl_attr_parse_nested(a, collect_attr, t) < 0)
		return -1;
	return spec ? attrs_ok(t, spec, NULL) : 0;
}

/*
 * nft_data: a value, or a verdict with its code (and a chain for a jump or a
 * goto). Never both: libnftnl keeps them in one union, so a value read as a
 * verdict's chain is a pointer made of data, which it then strdup()s.
 */
static int data_ok(const struct nlattr *a)
{
	static const uint16_t need[] = { NFTA_VERDICT_CODE, 0 };
	struct attrs d, v;

	if (!a)
		return 0;
	if (nested(a, &d, data_spec) < 0)
		return -1;
	if (!d.tb[NFTA_DATA_VERDICT])
		return 0;
	if (d.tb[NFTA_DATA_VALUE] || nested(d.tb[NFTA_DATA_VERDICT], &v, verdict_spec) < 0 ||
	    attrs_ok(&v, verdict_spec, need) < 0)
		return -1;
	/* Network byte order, as the kernel writes it. */
	switch ((int32_t)ntohl(mnl_attr_get_u32(v.tb[NFTA_VERDICT_CODE]))) {
	case NFT_JUMP:
	case NFT_GOTO:
		return v.tb[NFTA_VERDICT_CHAIN] ? 0 : -1;
	default:
		return 0;
	}
}

static int expr_ok(const struct nlattr *elem)
{
	static const uint16_t need[] = { NFTA_EXPR_NAME, 0 };
	struct attrs e, d;
	const char *name;
	size_t i;

	if (mnl_attr_get_type(elem) != NFTA_LIST_ELEM || nested(elem, &e, elem_spec) < 0 ||
	    attrs_ok(&e, elem_spec, need) < 0)
		return -1;
	name = mnl_attr_get_str(e.tb[NFTA_EXPR_NAME]);
	if (!e.tb[NFTA_EXPR_DATA])
		return 0;
	if (nested(e.tb[NFTA_EXPR_DATA], &d, NULL) < 0 || d.twice)
		return -1;
	for (i = 0; i < sizeof(expr_specs) / sizeof(expr_specs[0]); i++)
		if (!strcmp(name, expr_specs[i].name) && attrs_ok(&d, expr_specs[i].attrs, NULL) < 0)
			return -1;
	if (!strcmp(name, "cmp"))
		return data_ok(d.tb[NFTA_CMP_DATA]);
	if (!strcmp(name, "immediate"))
		return data_ok(d.tb[NFTA_IMMEDIATE_DATA]);
	if (!strcmp(name, "bitwise"))
		return data_ok(d.tb[NFTA_BITWISE_MASK]) < 0 || data_ok(d.tb[NFTA_BITWISE_XOR]) < 0 ||
		       data_ok(d.tb[NFTA_BITWISE_DATA]) < 0 ? -1 : 0;
	return 0;
}

static int hook_ok(const struct nlattr *hook)
{
	struct attrs h, devs;
	const struct nlattr *a;

	if (nested(hook, &h, hook_spec) < 0)
		return -1;
	if (!h.tb[NFTA_HOOK_DEVS])
		return 0;
	if (nested(h.tb[NFTA_HOOK_DEVS], &devs, NULL) < 0)
		return -1;
	mnl_attr_for_each_nested(a, h.tb[NFTA_HOOK_DEVS])
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
			return -1;
	return 0;
}

int nft_msg_check(const struct nlmsghdr *nlh)
{
	static const uint16_t table_need[] = { NFTA_TABLE_NAME, 0 };
	static const uint16_t chain_need[] = { NFTA_CHAIN_TABLE, NFTA_CHAIN_NAME, 0 };
	static const uint16_t rule_need[] = { NFTA_RULE_TABLE, NFTA_RULE_CHAIN, 0 };
	struct attrs t = { { 0 }, 0 }, sub;
	const struct nlattr *a;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(struct nfgenmsg)) ||
	    mnl_attr_parse(nlh, sizeof(struct nfgenmsg), collect_attr, &t) < 0)
		return -EBADMSG;
	switch (nlh->nlmsg_type & 0xff) {
	case NFT_MSG_NEWTABLE:
	case NFT_MSG_DELTABLE:
		return attrs_ok(&t, table_spec, table_need) < 0 ? -EBADMSG : 0;
	case NFT_MSG_NEWCHAIN:
	case NFT_MSG_DELCHAIN:
		if (attrs_ok(&t, chain_spec, chain_need) < 0 ||
		    (t.tb[NFTA_CHAIN_HOOK] && hook_ok(t.tb[NFTA_CHAIN_HOOK]) < 0) ||
		    (t.tb[NFTA_CHAIN_COUNTERS] &&
		     nested(t.tb[NFTA_CHAIN_COUNTERS], &sub, counters_spec) < 0))
			return -EBADMSG;
		return 0;
	case NFT_MSG_NEWRULE:
	case NFT_MSG_DELRULE:
		if (attrs_ok(&t, rule_spec, rule_need) < 0 ||
		    (t.tb[NFTA_RULE_COMPAT] && nested(t.tb[NFTA_RULE_COMPAT], &sub, compat_spec) < 0))
			return -EBADMSG;
		if (!t.tb[NFTA_RULE_EXPRESSIONS])
			return 0;
		mnl_attr_for_each_nested(a, t.tb[NFTA_RULE_EXPRESSIONS])
			if (expr_ok(a) < 0)
				return -EBADMSG;
		return 0;
	default:
		return 0;
	}
}

int nft_msg_readable(const struct nlmsghdr *nlh, struct nlmsghdr **out)
{
	const struct nlattr *a, *elem;
	struct nlmsghdr *c;
	size_t head = MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct nfgenmsg));
	int r = nft_msg_check(nlh);

	*out = NULL;
	if (r < 0)
		return r;
	/* The copy is never longer than the message: it only leaves things out. */
	c = calloc(1, MNL_ALIGN(nlh->nlmsg_len));
	if (!c)
		return -ENOMEM;
	memcpy(c, nlh, head);
	c->nlmsg_len = (uint32_t)head;
	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		struct nlattr *list;

		if ((nlh->nlmsg_type & 0xff) != NFT_MSG_NEWRULE ||
		    mnl_attr_get_type(a) != NFTA_RULE_EXPRESSIONS) {
			mnl_attr_put(c, a->nla_type, mnl_attr_get_payload_len(a), mnl_attr_get_payload(a));
			continue;
		}
		list = mnl_attr_nest_start(c, NFTA_RULE_EXPRESSIONS);
		mnl_attr_for_each_nested(elem, a) {
			struct nlattr *ce = mnl_attr_nest_start(c, NFTA_LIST_ELEM);
			struct attrs e;
			const char *name;

			nested(elem, &e, NULL);
			name = mnl_attr_get_str(e.tb[NFTA_EXPR_NAME]);
			mnl_attr_put_strz(c, NFTA_EXPR_NAME, name);
			if (e.tb[NFTA_EXPR_DATA] && known_expr(name))
				mnl_attr_put(c, e.tb[NFTA_EXPR_DATA]->nla_type,
					     mnl_attr_get_payload_len(e.tb[NFTA_EXPR_DATA]),
					     mnl_attr_get_payload(e.tb[NFTA_EXPR_DATA]));
			mnl_attr_nest_end(c, ce);
		}
		mnl_attr_nest_end(c, list);
	}
	*out = c;
	return 0;
}
