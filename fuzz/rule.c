// SPDX-License-Identifier: MIT
/*
 * Fuzzes the rule decoder (core/nft_text.c) with rules built straight from
 * the input, so that every expression and register combination the kernel
 * would accept is reached without first getting a message past libnftnl.
 *
 * Input: the rule's family as one attribute, then expressions: a byte
 * choosing the expression (modulo the table below), then each of its
 * attributes as a length byte and that many bytes (length 0: not set).
 * Numbers are little endian, strings get a NUL added.
 */
#include <stdint.h>
#include <stdio.h> /* libnftnl's headers need FILE */
#include <stdlib.h>
#include <string.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter/nf_tables.h>

#include "core/nft.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum kind { U8, U32, U64, STR, DATA, OWNED };

struct attr {
	uint16_t id;
	enum kind kind;
};

#define MAXATTR 8

static const struct {
	const char *name;
	struct attr attrs[MAXATTR];
	int n;
} exprs[] = {
	{ "meta", { { NFTNL_EXPR_META_KEY, U32 }, { NFTNL_EXPR_META_DREG, U32 },
		    { NFTNL_EXPR_META_SREG, U32 } }, 3 },
	{ "payload", { { NFTNL_EXPR_PAYLOAD_BASE, U32 }, { NFTNL_EXPR_PAYLOAD_OFFSET, U32 },
		       { NFTNL_EXPR_PAYLOAD_LEN, U32 }, { NFTNL_EXPR_PAYLOAD_DREG, U32 } }, 4 },
	{ "ct", { { NFTNL_EXPR_CT_KEY, U32 }, { NFTNL_EXPR_CT_DIR, U8 }, { NFTNL_EXPR_CT_DREG, U32 } },
	  3 },
	{ "fib", { { NFTNL_EXPR_FIB_FLAGS, U32 }, { NFTNL_EXPR_FIB_RESULT, U32 },
		   { NFTNL_EXPR_FIB_DREG, U32 } }, 3 },
	{ "cmp", { { NFTNL_EXPR_CMP_SREG, U32 }, { NFTNL_EXPR_CMP_OP, U32 },
		   { NFTNL_EXPR_CMP_DATA, DATA } }, 3 },
	{ "bitwise", { { NFTNL_EXPR_BITWISE_SREG, U32 }, { NFTNL_EXPR_BITWISE_DREG, U32 },
		       { NFTNL_EXPR_BITWISE_LEN, U32 }, { NFTNL_EXPR_BITWISE_MASK, DATA },
		       { NFTNL_EXPR_BITWISE_XOR, DATA } }, 5 },
	{ "immediate", { { NFTNL_EXPR_IMM_DREG, U32 }, { NFTNL_EXPR_IMM_VERDICT, U32 },
			 { NFTNL_EXPR_IMM_CHAIN, STR }, { NFTNL_EXPR_IMM_DATA, DATA } }, 4 },
	{ "nat", { { NFTNL_EXPR_NAT_TYPE, U32 }, { NFTNL_EXPR_NAT_FAMILY, U32 },
		   { NFTNL_EXPR_NAT_REG_ADDR_MIN, U32 }, { NFTNL_EXPR_NAT_REG_ADDR_MAX, U32 },
		   { NFTNL_EXPR_NAT_REG_PROTO_MIN, U32 }, { NFTNL_EXPR_NAT_REG_PROTO_MAX, U32 },
		   { NFTNL_EXPR_NAT_FLAGS, U32 } }, 7 },
	{ "masq", { { NFTNL_EXPR_MASQ_FLAGS, U32 }, { NFTNL_EXPR_MASQ_REG_PROTO_MIN, U32 },
		    { NFTNL_EXPR_MASQ_REG_PROTO_MAX, U32 } }, 3 },
	{ "redir", { { NFTNL_EXPR_REDIR_FLAGS, U32 }, { NFTNL_EXPR_REDIR_REG_PROTO_MIN, U32 },
		     { NFTNL_EXPR_REDIR_REG_PROTO_MAX, U32 } }, 3 },
	{ "lookup", { { NFTNL_EXPR_LOOKUP_SREG, U32 }, { NFTNL_EXPR_LOOKUP_SET, STR },
		      { NFTNL_EXPR_LOOKUP_DREG, U32 }, { NFTNL_EXPR_LOOKUP_FLAGS, U32 } }, 4 },
	{ "log", { { NFTNL_EXPR_LOG_PREFIX, STR } }, 1 },
	{ "reject", { { NFTNL_EXPR_REJECT_TYPE, U32 } }, 1 },
	{ "limit", { { NFTNL_EXPR_LIMIT_RATE, U64 }, { NFTNL_EXPR_LIMIT_UNIT, U64 },
		     { NFTNL_EXPR_LIMIT_TYPE, U32 } }, 3 },
	{ "match", { { NFTNL_EXPR_MT_NAME, STR }, { NFTNL_EXPR_MT_REV, U32 },
		     { NFTNL_EXPR_MT_INFO, OWNED } }, 3 },
	{ "target", { { NFTNL_EXPR_TG_NAME, STR }, { NFTNL_EXPR_TG_REV, U32 },
		      { NFTNL_EXPR_TG_INFO, OWNED } }, 3 },
	{ "notrack", { { 0, U8 } }, 0 },
	{ "counter", { { NFTNL_EXPR_CTR_PACKETS, U64 } }, 1 },
};

#define NEXPRS (sizeof(exprs) / sizeof(exprs[0]))
#define IMMEDIATE 6 /* its index above */

/* The next length-prefixed field: its bytes and length, or NULL when unset or at the end. */
static const uint8_t *field(const uint8_t **p, const uint8_t *end, size_t *len)
{
	const uint8_t *v;

	if (*p >= end) {
		*len = 0;
		return NULL;
	}
	*len = **p;
	(*p)++;
	if (*len > (size_t)(end - *p))
		*len = (size_t)(end - *p);
	v = *p;
	*p += *len;
	return *len ? v : NULL;
}

static uint64_t num(const uint8_t *v, size_t len)
{
	uint64_t x = 0;

	memcpy(&x, v, len < sizeof(x) ? len : sizeof(x));
	return x;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size, *v;
	struct nftnl_rule *r = nftnl_rule_alloc();
	char text[NFT_TEXT], str[256];
	size_t len;
	int i, nexpr = 0;

	if (!r)
		return 0;
	v = field(&p, end, &len);
	if (v)
		nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, (uint32_t)num(v, len));
	while (p < end && nexpr++ < 64) {
		unsigned int k = *p++ % NEXPRS;
		struct nftnl_expr *e = nftnl_expr_alloc(exprs[k].name);

		if (!e)
			break;
		for (i = 0; i < exprs[k].n; i++) {
			const struct attr *a = &exprs[k].attrs[i];

			v = field(&p, end, &len);
			if (!v)
				continue;
			/*
			 * An immediate holds a verdict (with its chain) or data, never
			 * both; libnftnl keeps them in one union and would lose the chain.
			 */
			if (k == IMMEDIATE && a->id == NFTNL_EXPR_IMM_DATA &&
			    nftnl_expr_is_set(e, NFTNL_EXPR_IMM_VERDICT))
				continue;
			/* Only a jump or goto has a chain (libnftnl frees it only then). */
			if (k == IMMEDIATE && a->id == NFTNL_EXPR_IMM_CHAIN &&
			    (!nftnl_expr_is_set(e, NFTNL_EXPR_IMM_VERDICT) ||
			     ((int)nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT) != NFT_JUMP &&
			      (int)nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT) != NFT_GOTO)))
				continue;
			switch (a->kind) {
			case U8:
				nftnl_expr_set_u8(e, a->id, (uint8_t)num(v, len));
				break;
			case U32:
				nftnl_expr_set_u32(e, a->id, (uint32_t)num(v, len));
				break;
			case U64:
				nftnl_expr_set_u64(e, a->id, num(v, len));
				break;
			case STR:
				memcpy(str, v, len);
				str[len] = '\0';
				nftnl_expr_set_str(e, a->id, str);
				break;
			case DATA:
				/* What the kernel allows in one register load or compare. */
				nftnl_expr_set(e, a->id, v, len > 64 ? 64 : (uint32_t)len);
				break;
			case OWNED: {
				/* An xtables info block: libnftnl keeps the pointer and frees it. */
				void *copy = malloc(len);

				if (copy) {
					memcpy(copy, v, len);
					nftnl_expr_set(e, a->id, copy, (uint32_t)len);
				}
				break;
			}
			}
		}
		nftnl_rule_add_expr(r, e);
	}
	len = (size_t)nft_rule_text(r, text, sizeof(text));
	if (len >= sizeof(text) || strlen(text) != len)
		abort();
	nftnl_rule_free(r);
	return 0;
}
