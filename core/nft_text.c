// SPDX-License-Identifier: MIT
/*
 * Rules as text, for listings and error messages: the expressions the kernel
 * holds, read back into the words nft(8) uses ("ip saddr 10.0.0.0/8 oifname
 * "eth0" masquerade"). It follows values through the registers the way nft's
 * own decoder does, for the expressions netlab and the common tools write;
 * anything else is named in brackets, so no rule is ever hidden.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_tuple_common.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>

#include "nft_int.h"
#include "text.h"

#define NREGS (NFT_REG32_15 + 1)

struct reg {
	char name[64];
	enum nft_dtype type;
	int masked;
	uint8_t mask[16];
	uint8_t data[16]; /* what an immediate put there */
	uint32_t len;
	int full; /* the field's size when a shorter load reads a prefix of it */
};

/* A match nft(8) adds for another one to make sense; dropped when that one follows. */
struct dep {
	char text[64];
	char implies[8]; /* "ip ", "ip6 ", "tcp ", … */
};

struct dec {
	char *out;
	size_t len, n;
	int family; /* the table's */
	int nfproto;
	int l4proto;
	struct reg regs[NREGS];
	struct dep deps[2];
	int ndeps;
};

/* A string attribute, or "?" when the kernel's message had none. */
static const char *str_of(const struct nftnl_expr *e, uint16_t attr)
{
	const char *s = nftnl_expr_is_set(e, attr) ? nftnl_expr_get_str(e, attr) : NULL;

	return s ? s : "?";
}

static struct reg *reg(struct dec *d, uint32_t r)
{
	return &d->regs[r < NREGS ? r : 0];
}

/* Text goes through the one bounded appender (text.h): put() for the decoder's output. */
static void put(struct dec *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct dec *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	text_vappend(d->out, d->len, &d->n, fmt, ap);
	va_end(ap);
}

/* A statement or match; first the dependencies it does not imply. */
static void term(struct dec *d, const char *text)
{
	int i;

	for (i = 0; i < d->ndeps; i++) {
		const char *imp = d->deps[i].implies;

		if (strncmp(text, imp, strlen(imp)))
			put(d, "%s%s", d->n ? " " : "", d->deps[i].text);
	}
	d->ndeps = 0;
	put(d, "%s%s", d->n ? " " : "", text);
}

static void load(struct dec *d, uint32_t r, enum nft_dtype t, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void load(struct dec *d, uint32_t r, enum nft_dtype t, const char *fmt, ...)
{
	struct reg *g = reg(d, r);
	va_list ap;

	memset(g, 0, sizeof(*g));
	g->type = t;
	va_start(ap, fmt);
	vsnprintf(g->name, sizeof(g->name), fmt, ap);
	va_end(ap);
}

static void do_meta(struct dec *d, const struct nftnl_expr *e)
{
	uint32_t key = nftnl_expr_get_u32(e, NFTNL_EXPR_META_KEY);
	const struct nft_key *k = nft_meta_key(key);
	const char *name = k ? k->name : NULL;
	enum nft_dtype t = k ? k->type : DT_RAW;
	char b[96], v[64];

	if (nftnl_expr_is_set(e, NFTNL_EXPR_META_DREG)) {
		if (name)
			load(d, nftnl_expr_get_u32(e, NFTNL_EXPR_META_DREG), t, "%s", name);
		else
			load(d, nftnl_expr_get_u32(e, NFTNL_EXPR_META_DREG), t, "meta %u", key);
		return;
	}
	{
		struct reg *g = reg(d, nftnl_expr_get_u32(e, NFTNL_EXPR_META_SREG));

		if (g->name[0])
			snprintf(v, sizeof(v), "%s", g->name);
		else
			nft_value(t, g->data, g->len, 0, v, sizeof(v));
	}
	if (name)
		snprintf(b, sizeof(b), "%s%s set %s", strncmp(name, "meta ", 5) ? "meta " : "", name, v);
	else
		snprintf(b, sizeof(b), "meta %u set %s", key, v);
	term(d, b);
}

/* The name of a header field; a load shorter than the field reads a prefix of it. */
static void do_payload(struct dec *d, const struct nftnl_expr *e)
{
	uint32_t base = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_BASE);
	uint32_t off = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET);
	uint32_t len = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_LEN);
	uint32_t r = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_DREG);
	static const char *bases[] = { "ll", "nh", "th", "ih" };
	int v6 = d->nfproto ? d->nfproto == NFPROTO_IPV6 : d->family == NFPROTO_IPV6;

	if (!nftnl_expr_is_set(e, NFTNL_EXPR_PAYLOAD_DREG)) {
		term(d, "[payload write]");
		return;
	}
	if (base == NFT_PAYLOAD_NETWORK_HEADER && !v6) {
		if ((off == 12 || off == 16) && len >= 1 && len <= 4) {
			load(d, r, DT_IPV4, "ip %s", off == 12 ? "saddr" : "daddr");
			reg(d, r)->full = len < 4;
			return;
		}
		if (off == 9 && len == 1) {
			load(d, r, DT_PROTO, "ip protocol");
			return;
		}
	}
	if (base == NFT_PAYLOAD_NETWORK_HEADER && v6) {
		if ((off == 8 || off == 24) && len >= 1 && len <= 16) {
			load(d, r, DT_IPV6, "ip6 %s", off == 8 ? "saddr" : "daddr");
			reg(d, r)->full = len < 16;
			return;
		}
		if (off == 6 && len == 1) {
			load(d, r, DT_PROTO, "ip6 nexthdr");
			return;
		}
	}
	if (base == NFT_PAYLOAD_TRANSPORT_HEADER && (off == 0 || off == 2) && len == 2) {
		const char *p = nft_proto_name(d->l4proto);

		load(d, r, DT_PORT, "%s %s", p ? p : "th", off ? "dport" : "sport");
		return;
	}
	load(d, r, DT_RAW, "@%s,%u,%u", base < 4 ? bases[base] : "?", off * 8, len * 8);
}

static void do_ct(struct dec *d, const struct nftnl_expr *e)
{
	uint32_t key = nftnl_expr_get_u32(e, NFTNL_EXPR_CT_KEY);
	const struct nft_key *k = nft_ct_key(key);
	const char *dir = "";

	if (nftnl_expr_is_set(e, NFTNL_EXPR_CT_DIR))
		dir = nftnl_expr_get_u8(e, NFTNL_EXPR_CT_DIR) == IP_CT_DIR_ORIGINAL ? "original " :
										       "reply ";
	if (!nftnl_expr_is_set(e, NFTNL_EXPR_CT_DREG)) {
		term(d, key == NFT_CT_MARK ? "ct mark set [register]" : "[ct set]");
		return;
	}
	if (k)
		load(d, nftnl_expr_get_u32(e, NFTNL_EXPR_CT_DREG), k->type, "ct %s%s", dir, k->name);
	else
		load(d, nftnl_expr_get_u32(e, NFTNL_EXPR_CT_DREG), DT_RAW, "ct %s%u", dir, key);
}

static void do_fib(struct dec *d, const struct nftnl_expr *e)
{
	uint32_t flags = nftnl_expr_get_u32(e, NFTNL_EXPR_FIB_FLAGS);
	uint32_t result = nftnl_expr_get_u32(e, NFTNL_EXPR_FIB_RESULT);
	char keys[48] = "";
	size_t k = 0;

	if (flags & NFTA_FIB_F_SADDR)
		text_append(keys, sizeof(keys), &k, "%ssaddr", k ? " . " : "");
	if (flags & NFTA_FIB_F_DADDR)
		text_append(keys, sizeof(keys), &k, "%sdaddr", k ? " . " : "");
	if (flags & NFTA_FIB_F_MARK)
		text_append(keys, sizeof(keys), &k, "%smark", k ? " . " : "");
	if (flags & NFTA_FIB_F_IIF)
		text_append(keys, sizeof(keys), &k, "%siif", k ? " . " : "");
	if (flags & NFTA_FIB_F_OIF)
		text_append(keys, sizeof(keys), &k, "%soif", k ? " . " : "");
	load(d, nftnl_expr_get_u32(e, NFTNL_EXPR_FIB_DREG),
	     result == NFT_FIB_RESULT_ADDRTYPE ? DT_ADDRTYPE :
	     result == NFT_FIB_RESULT_OIFNAME ? DT_IFNAME : DT_U32,
	     "fib %s %s", keys, result == NFT_FIB_RESULT_ADDRTYPE ? "type" :
				result == NFT_FIB_RESULT_OIFNAME ? "oifname" : "oif");
}

static int is_prefix(const uint8_t *m, uint32_t len, int *plen)
{
	uint32_t i;
	int bits = 0, ended = 0;

	for (i = 0; i < len * 8; i++) {
		int set = (m[i / 8] >> (7 - i % 8)) & 1;

		if (set && ended)
			return 0;
		if (set)
			bits++;
		else
			ended = 1;
	}
	*plen = bits;
	return 1;
}

static void do_cmp(struct dec *d, const struct nftnl_expr *e)
{
	struct reg *g = reg(d, nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_SREG));
	uint32_t op = nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_OP), len = 0;
	const uint8_t *data = nftnl_expr_get(e, NFTNL_EXPR_CMP_DATA, &len);
	char v[96], b[192];
	int plen;

	if (!data || !g->name[0]) {
		term(d, "[cmp]");
		return;
	}
	if (g->type == DT_CTSTATE && g->masked && op == NFT_CMP_NEQ && !nft_u32_of(data, len)) {
		nft_ctstate_names(nft_u32_of(g->mask, 4), v, sizeof(v));
		snprintf(b, sizeof(b), "%s %s", g->name, v);
	} else if (g->type == DT_CTSTATE && !g->masked) {
		nft_ctstate_names(nft_u32_of(data, len), v, sizeof(v));
		snprintf(b, sizeof(b), "%s %s%s", g->name, nft_cmp_op(op), v);
	} else if ((g->type == DT_IPV4 || g->type == DT_IPV6) && g->full && !g->masked) {
		/* A short load of an address: a byte-aligned prefix. */
		nft_value(g->type, data, len, 1, v, sizeof(v));
		snprintf(b, sizeof(b), "%s %s%s/%u", g->name, nft_cmp_op(op), v, len * 8);
	} else if (g->masked && (g->type == DT_IPV4 || g->type == DT_IPV6) &&
		   len <= sizeof(g->mask) && is_prefix(g->mask, len, &plen)) {
		nft_value(g->type, data, len, 0, v, sizeof(v));
		snprintf(b, sizeof(b), "%s %s%s/%d", g->name, nft_cmp_op(op), v, plen);
	} else if (g->masked) {
		char m[48];

		/* The mask holds at most 16 bytes, whatever length the cmp has. */
		nft_value(DT_RAW, g->mask, len < sizeof(g->mask) ? len : sizeof(g->mask), 0, m, sizeof(m));
		nft_value(g->type, data, len, 0, v, sizeof(v));
		snprintf(b, sizeof(b), "%s & %s %s%s", g->name, m, op == NFT_CMP_EQ ? "== " : nft_cmp_op(op),
			 v);
	} else {
		nft_value(g->type, data, len, 0, v, sizeof(v));
		snprintf(b, sizeof(b), "%s %s%s", g->name, nft_cmp_op(op), v);
	}
	/* nfproto and l4proto matches are what ip/tcp fields need; nft leaves them implied. */
	if (op == NFT_CMP_EQ && len == 1 &&
	    (!strcmp(g->name, "meta nfproto") || !strcmp(g->name, "meta l4proto")) &&
	    d->ndeps < 2) {
		struct dep *dp = &d->deps[d->ndeps++];
		const char *p = nft_proto_name(data[0]);

		snprintf(dp->text, sizeof(dp->text), "%.60s", b);
		if (g->name[5] == 'n') {
			d->nfproto = data[0];
			snprintf(dp->implies, sizeof(dp->implies), "%s", data[0] == NFPROTO_IPV6 ? "ip6 " :
								 "ip ");
		} else {
			d->l4proto = data[0];
			snprintf(dp->implies, sizeof(dp->implies), "%s ", p ? p : "?");
		}
		return;
	}
	term(d, b);
}

static void do_bitwise(struct dec *d, const struct nftnl_expr *e)
{
	struct reg *src = reg(d, nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_SREG));
	struct reg *dst = reg(d, nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_DREG));
	uint32_t len = 0;
	const void *mask = nftnl_expr_get(e, NFTNL_EXPR_BITWISE_MASK, &len);

	if (dst != src)
		*dst = *src;
	if (mask && len <= sizeof(dst->mask)) {
		memcpy(dst->mask, mask, len);
		dst->masked = 1;
		dst->full = 0;
	}
}

static void do_immediate(struct dec *d, const struct nftnl_expr *e)
{
	uint32_t r = nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_DREG), len = 0;
	const void *data;
	char b[NFT_TEXT];

	if (r == NFT_REG_VERDICT) {
		int v = (int)nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT);
		const char *chain = str_of(e, NFTNL_EXPR_IMM_CHAIN);

		switch (v) {
		case NF_ACCEPT:
			term(d, "accept");
			break;
		case NF_DROP:
			term(d, "drop");
			break;
		case NF_QUEUE:
			term(d, "queue");
			break;
		case NFT_CONTINUE:
			term(d, "continue");
			break;
		case NFT_BREAK:
			break;
		case NFT_RETURN:
			term(d, "return");
			break;
		case NFT_JUMP:
		case NFT_GOTO:
			snprintf(b, sizeof(b), "%s %s", v == NFT_JUMP ? "jump" : "goto", chain);
			term(d, b);
			break;
		default:
			snprintf(b, sizeof(b), "[verdict %d]", v);
			term(d, b);
		}
		return;
	}
	data = nftnl_expr_get(e, NFTNL_EXPR_IMM_DATA, &len);
	memset(reg(d, r), 0, sizeof(struct reg));
	if (data && len <= 16) {
		memcpy(reg(d, r)->data, data, len);
		reg(d, r)->len = len;
	}
}

void nft_nat_to(const struct nft_nat_to *t, char *buf, size_t n)
{
	char a[2 * INET6_ADDRSTRLEN + 2] = "", p[16] = "", p2[16] = "";
	enum nft_dtype at = t->v6 ? DT_IPV6 : DT_IPV4;
	size_t k;

	buf[0] = '\0';
	if (t->amin) {
		nft_value(at, t->amin, t->alen, 0, a, sizeof(a));
		if (t->amax) {
			char hi[INET6_ADDRSTRLEN + 1];

			nft_value(at, t->amax, t->alen, 0, hi, sizeof(hi));
			k = strlen(a);
			text_append(a, sizeof(a), &k, "-%s", hi);
		}
	}
	if (t->pmin) {
		nft_value(DT_PORT, t->pmin, t->plen, 0, p, sizeof(p));
		if (t->pmax) {
			char hi[sizeof(p2) - 1];

			k = 0;
			nft_value(DT_PORT, t->pmax, t->plen, 0, hi, sizeof(hi));
			text_append(p2, sizeof(p2), &k, "-%s", hi);
		}
	}
	if (t->amin && t->pmin && t->v6)
		snprintf(buf, n, " to [%s]:%s%s", a, p, p2);
	else if (t->amin || t->pmin)
		snprintf(buf, n, " to %s%s%s%s", a, t->pmin ? ":" : "", p, p2);
	k = strnlen(buf, n);
	if (t->flags & NF_NAT_RANGE_PROTO_RANDOM)
		text_append(buf, n, &k, " random");
	if (t->flags & NF_NAT_RANGE_PROTO_RANDOM_FULLY)
		text_append(buf, n, &k, " fully-random");
	if (t->flags & NF_NAT_RANGE_PERSISTENT)
		text_append(buf, n, &k, " persistent");
}

/*
 * " to 10.0.0.2:80", " to [fd00::2]:80", " to :8080" from the registers a NAT
 * statement names, then its flags; amin or pmin 0 when the statement has no
 * such attribute.
 */
static void nat_target(struct dec *d, const struct nftnl_expr *e, uint16_t amin, uint16_t amax,
		       uint16_t pmin, uint16_t pmax, uint16_t flags, char *buf, size_t n)
{
	struct nft_nat_to t = { 0 };
	struct reg *g;

	if (amin && nftnl_expr_is_set(e, amin)) {
		g = reg(d, nftnl_expr_get_u32(e, amin));
		t.v6 = g->len == 16;
		t.amin = g->data;
		t.alen = g->len;
		if (nftnl_expr_is_set(e, amax) &&
		    nftnl_expr_get_u32(e, amax) != nftnl_expr_get_u32(e, amin))
			t.amax = reg(d, nftnl_expr_get_u32(e, amax))->data;
	}
	if (pmin && nftnl_expr_is_set(e, pmin)) {
		g = reg(d, nftnl_expr_get_u32(e, pmin));
		t.pmin = g->data;
		t.plen = g->len;
		if (nftnl_expr_is_set(e, pmax) &&
		    nftnl_expr_get_u32(e, pmax) != nftnl_expr_get_u32(e, pmin))
			t.pmax = reg(d, nftnl_expr_get_u32(e, pmax))->data;
	}
	if (nftnl_expr_is_set(e, flags))
		t.flags = nftnl_expr_get_u32(e, flags);
	nft_nat_to(&t, buf, n);
}

static void do_nat(struct dec *d, const struct nftnl_expr *e)
{
	uint32_t type = nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_TYPE);
	uint32_t fam = nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_FAMILY);
	char to[128], b[192];

	nat_target(d, e, NFTNL_EXPR_NAT_REG_ADDR_MIN, NFTNL_EXPR_NAT_REG_ADDR_MAX,
		   NFTNL_EXPR_NAT_REG_PROTO_MIN, NFTNL_EXPR_NAT_REG_PROTO_MAX, NFTNL_EXPR_NAT_FLAGS,
		   to, sizeof(to));
	/* In an inet table the statement names the family it rewrites, as nft writes it. */
	snprintf(b, sizeof(b), "%s%s%s", type == NFT_NAT_SNAT ? "snat" : "dnat",
		 d->family != NFPROTO_INET ? "" : fam == NFPROTO_IPV6 ? " ip6" : " ip", to);
	term(d, b);
}

static void do_masq(struct dec *d, const struct nftnl_expr *e, const char *word, uint16_t pmin,
		    uint16_t pmax, uint16_t flags)
{
	char to[128], b[160];

	nat_target(d, e, 0, 0, pmin, pmax, flags, to, sizeof(to));
	snprintf(b, sizeof(b), "%s%s", word, to);
	term(d, b);
}

static void do_other(struct dec *d, const struct nftnl_expr *e, const char *name)
{
	char b[192];

	if (!strcmp(name, "lookup")) {
		struct reg *g = reg(d, nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_SREG));
		int inv = nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_FLAGS) &&
			  (nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_FLAGS) & NFT_LOOKUP_F_INV);

		snprintf(b, sizeof(b), "%s %s%s@%s", g->name[0] ? g->name : "[register]",
			 inv ? "!= " : "",
			 nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_DREG) ? "map " : "",
			 str_of(e, NFTNL_EXPR_LOOKUP_SET));
	} else if (!strcmp(name, "log")) {
		snprintf(b, sizeof(b), "log");
		if (nftnl_expr_is_set(e, NFTNL_EXPR_LOG_PREFIX))
			snprintf(b, sizeof(b), "log prefix \"%s\"",
				 str_of(e, NFTNL_EXPR_LOG_PREFIX));
	} else if (!strcmp(name, "reject")) {
		snprintf(b, sizeof(b), "%s", nftnl_expr_get_u32(e, NFTNL_EXPR_REJECT_TYPE) ==
						     NFT_REJECT_TCP_RST ? "reject with tcp reset" :
									  "reject");
	} else if (!strcmp(name, "limit")) {
		uint64_t unit = nftnl_expr_get_u64(e, NFTNL_EXPR_LIMIT_UNIT);

		snprintf(b, sizeof(b), "limit rate %" PRIu64 "%s/%s",
			 nftnl_expr_get_u64(e, NFTNL_EXPR_LIMIT_RATE),
			 nftnl_expr_get_u32(e, NFTNL_EXPR_LIMIT_TYPE) == NFT_LIMIT_PKT_BYTES ?
				 " bytes" : "",
			 unit == 1 ? "second" : unit == 60 ? "minute" : unit == 3600 ? "hour" :
			 unit == 86400 ? "day" : "week");
	} else if (!strcmp(name, "match") || !strcmp(name, "target")) {
		/* What iptables-nft writes for matches nftables has no expression for. */
		if (!nft_xt_text(e, d->family, b, sizeof(b)))
			snprintf(b, sizeof(b), "xt %s \"%s\"", name,
				 str_of(e, name[0] == 'm' ? NFTNL_EXPR_MT_NAME : NFTNL_EXPR_TG_NAME));
	} else if (!strcmp(name, "notrack")) {
		snprintf(b, sizeof(b), "notrack");
	} else {
		snprintf(b, sizeof(b), "[%s]", name);
	}
	term(d, b);
}

int nft_rule_text(const struct nftnl_rule *r, char *buf, size_t len)
{
	struct dec d = { .out = buf, .len = len };
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	struct nftnl_expr *e;

	buf[0] = '\0';
	if (!it)
		return -ENOMEM;
	d.family = (int)nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY);
	while ((e = nftnl_expr_iter_next(it))) {
		const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

		if (!strcmp(name, "meta"))
			do_meta(&d, e);
		else if (!strcmp(name, "payload"))
			do_payload(&d, e);
		else if (!strcmp(name, "ct"))
			do_ct(&d, e);
		else if (!strcmp(name, "fib"))
			do_fib(&d, e);
		else if (!strcmp(name, "cmp"))
			do_cmp(&d, e);
		else if (!strcmp(name, "bitwise"))
			do_bitwise(&d, e);
		else if (!strcmp(name, "immediate"))
			do_immediate(&d, e);
		else if (!strcmp(name, "nat"))
			do_nat(&d, e);
		else if (!strcmp(name, "masq"))
			do_masq(&d, e, "masquerade", NFTNL_EXPR_MASQ_REG_PROTO_MIN,
				NFTNL_EXPR_MASQ_REG_PROTO_MAX, NFTNL_EXPR_MASQ_FLAGS);
		else if (!strcmp(name, "redir"))
			do_masq(&d, e, "redirect", NFTNL_EXPR_REDIR_REG_PROTO_MIN,
				NFTNL_EXPR_REDIR_REG_PROTO_MAX, NFTNL_EXPR_REDIR_FLAGS);
		else if (strcmp(name, "counter")) /* counters are reported on their own */
			do_other(&d, e, name);
	}
	nftnl_expr_iter_destroy(it);
	/* Dependencies nothing followed: they were the match itself. */
	if (d.ndeps)
		term(&d, "");
	while (d.n && buf[d.n - 1] == ' ')
		buf[--d.n] = '\0';
	return (int)d.n;
}

int nft_msg_text(const struct nlmsghdr *nlh, char *buf, size_t len)
{
	struct nftnl_rule *r;
	struct nlmsghdr *copy;
	int n;

	buf[0] = '\0';
	if ((nlh->nlmsg_type & 0xff) != NFT_MSG_NEWRULE)
		return -EBADMSG;
	n = nft_msg_readable(nlh, &copy);
	if (n < 0)
		return n;
	r = nftnl_rule_alloc();
	if (!r) {
		free(copy);
		return -ENOMEM;
	}
	n = nftnl_rule_nlmsg_parse(copy, r) < 0 ? -EBADMSG : nft_rule_text(r, buf, len);
	nftnl_rule_free(r);
	free(copy);
	return n;
}
