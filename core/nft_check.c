// SPDX-License-Identifier: MIT
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
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <libmnl/libmnl.h>

#include "nft.h"

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
