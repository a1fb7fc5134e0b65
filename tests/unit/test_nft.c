// SPDX-License-Identifier: MIT
/*
 * nftables messages built and parsed back with libnftnl, and rules decoded
 * into nft's words, with no kernel: netlab's own rules, and rules written the
 * way nft and iptables-nft write theirs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_nat.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#include "check.h"
#include "core/nft.h"
#include "core/nl.h"
#include "core/text.h"

static char buf[NL_REQSZ];
static struct nl_err err;

/* A string libnftnl may not have (NULL when the attribute is missing), safe to compare. */
static const char *str(const char *s)
{
	return s ? s : "(none)";
}

/* The next expression, which must be a name; NULL (and the case failed) when it is not. */
static struct nftnl_expr *next_expr(struct nftnl_expr_iter *it, const char *name, const char *what)
{
	struct nftnl_expr *e = it ? nftnl_expr_iter_next(it) : NULL;
	const char *got = e ? nftnl_expr_get_str(e, NFTNL_EXPR_NAME) : NULL;

	CHECK(got && !strcmp(got, name), "%s: a %s expression next (got %s)", what, name, str(got));
	return got && !strcmp(got, name) ? e : NULL;
}

/* Attribute attr of e holds these len bytes; false, never a crash, when e or attr is missing. */
static int bytes_are(const struct nftnl_expr *e, uint16_t attr, const void *want, uint32_t len)
{
	uint32_t got = 0;
	const void *p = e && nftnl_expr_is_set(e, attr) ? nftnl_expr_get(e, attr, &got) : NULL;

	return p && got == len && !memcmp(p, want, len);
}

static struct cidr cidr(const char *s)
{
	char why[PARSE_WHY];
	struct cidr c;

	if (parse_cidr(s, 0, &c, why) < 0)
		abort();
	return c;
}

/* The rule a message carries, decoded, and its expressions by name in order. */
static void roundtrip(const struct nft_rule_spec *r, const char *want_text, const char *want_exprs)
{
	struct nlmsghdr *nlh = nft_msg_rule(buf, sizeof(buf), "netlab", r, &err);
	struct nftnl_rule *nr;
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;
	char text[NFT_TEXT], exprs[512] = "";
	size_t k = 0;

	CHECK(nlh != NULL, "%s: built%s%s", want_text, nlh ? "" : ": ", nlh ? "" : err.msg);
	if (!nlh)
		return;
	CHECK((nlh->nlmsg_type >> 8) == NFNL_SUBSYS_NFTABLES &&
	      (nlh->nlmsg_type & 0xff) == NFT_MSG_NEWRULE, "%s: NFT_MSG_NEWRULE", want_text);
	CHECK((nlh->nlmsg_flags & (NLM_F_APPEND | NLM_F_CREATE | NLM_F_ECHO)) ==
	      (NLM_F_APPEND | NLM_F_CREATE | NLM_F_ECHO), "%s: appended, echoed", want_text);
	nr = nftnl_rule_alloc();
	CHECK(nr && nftnl_rule_nlmsg_parse(nlh, nr) == 0, "%s: parses back", want_text);
	if (!nr)
		return;
	CHECK(nftnl_rule_get_u32(nr, NFTNL_RULE_FAMILY) == NFPROTO_INET, "%s: inet", want_text);
	CHECK_STR(str(nftnl_rule_get_str(nr, NFTNL_RULE_TABLE)), "netlab", "table");
	CHECK_STR(str(nftnl_rule_get_str(nr, NFTNL_RULE_CHAIN)), nft_chain_name(r->chain), "chain");
	it = nftnl_expr_iter_create(nr);
	while (it && (e = nftnl_expr_iter_next(it)))
		text_append(exprs, sizeof(exprs), &k, "%s%s", k ? " " : "",
			    str(nftnl_expr_get_str(e, NFTNL_EXPR_NAME)));
	if (it)
		nftnl_expr_iter_destroy(it);
	CHECK_STR(exprs, want_exprs, "expressions");
	nft_rule_text(nr, text, sizeof(text));
	CHECK_STR(text, want_text, "decoded");
	nftnl_rule_free(nr);
}

static void masquerade(void)
{
	static const char *w = "masquerade";
	struct nft_rule_spec r = { .chain = NFT_POSTROUTING, .action = NFT_MASQUERADE };
	struct nftnl_rule *nr = nftnl_rule_alloc();
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;
	struct nlmsghdr *nlh;
	uint8_t v4 = NFPROTO_IPV4;

	r.family = AF_INET;
	r.has_saddr = 1;
	r.saddr = cidr("192.168.52.0/24");
	snprintf(r.oif, sizeof(r.oif), "wan0");
	snprintf(r.comment, sizeof(r.comment), "netlab");
	roundtrip(&r, "ip saddr 192.168.52.0/24 oifname \"wan0\" masquerade",
		  "meta cmp payload bitwise cmp meta cmp counter masq");

	/* The parts the kernel reads: the address field, its mask, the padded name. */
	nlh = nft_msg_rule(buf, sizeof(buf), "netlab", &r, &err);
	CHECK(nlh && nr && nftnl_rule_nlmsg_parse(nlh, nr) == 0, "masquerade: built, parses back");
	it = nr ? nftnl_expr_iter_create(nr) : NULL;
	next_expr(it, "meta", w);
	e = next_expr(it, "cmp", w);
	CHECK(bytes_are(e, NFTNL_EXPR_CMP_DATA, &v4, 1), "masquerade: nfproto ipv4");
	e = next_expr(it, "payload", w);
	CHECK(e && nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_BASE) == NFT_PAYLOAD_NETWORK_HEADER &&
	      nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET) == 12 &&
	      nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_LEN) == 4, "masquerade: ip saddr at 12, 4 bytes");
	e = next_expr(it, "bitwise", w);
	CHECK(bytes_are(e, NFTNL_EXPR_BITWISE_MASK, "\xff\xff\xff\x00", 4), "masquerade: /24 mask");
	next_expr(it, "cmp", w);
	next_expr(it, "meta", w);
	e = next_expr(it, "cmp", w);
	CHECK(bytes_are(e, NFTNL_EXPR_CMP_DATA, "wan0\0\0\0\0\0\0\0\0\0\0\0\0", 16),
	      "masquerade: oifname padded to IFNAMSIZ");
	if (it)
		nftnl_expr_iter_destroy(it);
	CHECK(nr && nftnl_rule_is_set(nr, NFTNL_RULE_USERDATA), "masquerade: comment as userdata");
	if (nr)
		nftnl_rule_free(nr);

	/* A host address is a /32 with no mask; IPv6 likewise. */
	r.saddr = cidr("10.0.0.7");
	r.oif[0] = '\0';
	roundtrip(&r, "ip saddr 10.0.0.7 masquerade", "meta cmp payload cmp counter masq");
	r.family = AF_INET6;
	r.saddr = cidr("fd00:52::/64");
	roundtrip(&r, "ip6 saddr fd00:52::/64 masquerade",
		  "meta cmp payload bitwise cmp counter masq");

	/* src alone: all but the traffic that stays inside the network. */
	r.family = AF_INET;
	r.saddr = cidr("10.1.0.0/24");
	r.has_daddr = 1;
	r.daddr = r.saddr;
	r.not_daddr = 1;
	roundtrip(&r, "ip saddr 10.1.0.0/24 ip daddr != 10.1.0.0/24 masquerade",
		  "meta cmp payload bitwise cmp payload bitwise cmp counter masq");
}

static void forward_port(void)
{
	struct nft_rule_spec r = { .chain = NFT_PREROUTING, .action = NFT_DNAT, .local = 1,
				   .l4proto = IPPROTO_TCP, .dport = 8080, .to_port = 80 };

	r.to = cidr("192.168.52.2");
	roundtrip(&r, "fib daddr type local tcp dport 8080 dnat ip to 192.168.52.2:80",
		  "fib cmp meta cmp payload cmp counter immediate immediate nat");
	r.chain = NFT_OUTPUT;
	r.local = 0;
	r.family = AF_INET;
	r.has_daddr = 1;
	r.daddr = cidr("203.0.113.254");
	r.l4proto = IPPROTO_UDP;
	r.to_port = 0;
	roundtrip(&r, "ip daddr 203.0.113.254 udp dport 8080 dnat ip to 192.168.52.2",
		  "meta cmp payload cmp meta cmp payload cmp counter immediate nat");
	r.family = AF_INET6;
	r.daddr = cidr("fd00::1");
	r.to = cidr("fd00:52::2");
	r.to_port = 80;
	roundtrip(&r, "ip6 daddr fd00::1 udp dport 8080 dnat ip6 to [fd00:52::2]:80",
		  "meta cmp payload cmp meta cmp payload cmp counter immediate immediate nat");
}

static void allow(void)
{
	struct nft_rule_spec r = { .chain = NFT_FORWARD, .action = NFT_ACCEPT };
	char why[PARSE_WHY];

	snprintf(r.iif, sizeof(r.iif), "br0");
	roundtrip(&r, "iifname \"br0\" accept", "meta cmp counter immediate");
	r.iif[0] = '\0';
	CHECK(nft_ctstate_parse("established, related", &r.ct_state, why) == 0, "state parses");
	roundtrip(&r, "ct state established,related accept", "ct bitwise cmp counter immediate");
	CHECK(r.ct_state == (NF_CT_STATE_BIT(IP_CT_ESTABLISHED) | NF_CT_STATE_BIT(IP_CT_RELATED)),
	      "state bits");
}

static void table_and_chains(void)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh;
	uint32_t len = 0;
	const char *ud = NULL;

	nlh = nft_msg_table(buf, sizeof(buf), NFT_MSG_NEWTABLE, "lab1", &err);
	CHECK(nlh && (nlh->nlmsg_type & 0xff) == NFT_MSG_NEWTABLE &&
	      (nlh->nlmsg_flags & NLM_F_CREATE) && !(nlh->nlmsg_flags & NLM_F_EXCL),
	      "table: created unless it exists");
	CHECK(nlh && nftnl_table_nlmsg_parse(nlh, t) == 0, "table: parses back");
	CHECK_STR(str(nftnl_table_get_str(t, NFTNL_TABLE_NAME)), "lab1", "table: name");
	CHECK(nftnl_table_get_u32(t, NFTNL_TABLE_FAMILY) == NFPROTO_INET, "table: inet");
	if (nftnl_table_is_set(t, NFTNL_TABLE_USERDATA))
		ud = nftnl_table_get_data(t, NFTNL_TABLE_USERDATA, &len);
	/* type 0 (comment), length 7, "netlab\0": what nft reads as comment "netlab" */
	CHECK(ud && len == 9 && ud[0] == NFTNL_UDATA_TABLE_COMMENT && ud[1] == 7 &&
	      !strcmp(ud + 2, NFT_TAG), "table: tagged with comment \"netlab\"");
	nftnl_table_free(t);

	nlh = nft_msg_chain(buf, sizeof(buf), "lab1", NFT_FORWARD, NF_DROP, &err);
	CHECK(nlh && nftnl_chain_nlmsg_parse(nlh, c) == 0, "chain: parses back");
	CHECK_STR(str(nftnl_chain_get_str(c, NFTNL_CHAIN_NAME)), "forward", "chain: name");
	CHECK_STR(str(nftnl_chain_get_str(c, NFTNL_CHAIN_TYPE)), "filter", "chain: type");
	CHECK(nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM) == NF_INET_FORWARD &&
	      nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO) == 0, "chain: forward hook, priority filter");
	CHECK(nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY) == NF_DROP, "chain: policy drop");
	nftnl_chain_free(c);
	c = nftnl_chain_alloc();
	nlh = nft_msg_chain(buf, sizeof(buf), "lab1", NFT_POSTROUTING, -1, &err);
	CHECK(nlh && nftnl_chain_nlmsg_parse(nlh, c) == 0, "chain: postrouting parses back");
	CHECK(!nftnl_chain_is_set(c, NFTNL_CHAIN_POLICY), "chain: no policy unless asked");
	CHECK_STR(str(nftnl_chain_get_str(c, NFTNL_CHAIN_TYPE)), "nat", "chain: nat");
	CHECK(nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO) == 100, "chain: srcnat priority");
	nftnl_chain_free(c);
}

/* Expressions added one by one, as other tools write them. */
static struct nftnl_expr *ex(struct nftnl_rule *r, const char *name)
{
	struct nftnl_expr *e = nftnl_expr_alloc(name);

	/* Out of memory, or an expression libnftnl does not know: nothing to test with. */
	if (!e) {
		fprintf(stderr, "test_nft: no %s expression\n", name);
		abort();
	}
	nftnl_rule_add_expr(r, e);
	return e;
}

static void foreign(void)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_expr *e;
	char text[NFT_TEXT];
	uint8_t one = 10, p6 = IPPROTO_TCP;
	uint16_t be = htons(22);

	/* ip filter: ip saddr 10.0.0.0/8 (a 1-byte load, as nft optimises it) tcp dport 22 drop */
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_IPV4);
	e = ex(r, "payload");
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, NFT_PAYLOAD_NETWORK_HEADER);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, 12);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, 1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	e = ex(r, "cmp");
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, &one, 1);
	e = ex(r, "meta");
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, NFT_META_L4PROTO);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	e = ex(r, "cmp");
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, &p6, 1);
	e = ex(r, "payload");
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, NFT_PAYLOAD_TRANSPORT_HEADER);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, 2);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, 2);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	e = ex(r, "cmp");
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_NEQ);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, &be, 2);
	e = ex(r, "counter");
	e = ex(r, "immediate");
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)NF_DROP);
	nft_rule_text(r, text, sizeof(text));
	CHECK_STR(text, "ip saddr 10.0.0.0/8 tcp dport != 22 drop", "nft's own short prefix load");
	nftnl_rule_free(r);

	/* iptables-nft: -m conntrack … -j DOCKER, xtables matches and a jump */
	r = nftnl_rule_alloc();
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_IPV4);
	e = ex(r, "match");
	nftnl_expr_set_str(e, NFTNL_EXPR_MT_NAME, "conntrack");
	nftnl_expr_set_u32(e, NFTNL_EXPR_MT_REV, 3);
	/* libnftnl takes the info block and frees it with the rule. */
	nftnl_expr_set(e, NFTNL_EXPR_MT_INFO, calloc(1, 4), 4);
	e = ex(r, "immediate");
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)NFT_JUMP);
	nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, "DOCKER");
	e = ex(r, "quota");
	nft_rule_text(r, text, sizeof(text));
	CHECK_STR(text, "xt match \"conntrack\" jump DOCKER [quota]",
		  "xtables matches, jumps, and the unknown named in brackets");
	nftnl_rule_free(r);
}

/*
 * A dnat rule the kernel accepts (/work/shared/repro/mkrule.c): 16-byte
 * immediates in every register the statement names, and all its flags. The
 * listing wrote past its 128-byte target buffer (seen under ASan).
 */
static void long_nat(void)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_expr *e;
	unsigned char ff[16];
	char text[NFT_TEXT];
	uint32_t reg;
	int n;

	memset(ff, 0xff, sizeof(ff));
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	for (reg = NFT_REG_1; reg <= NFT_REG_4; reg++) {
		e = ex(r, "immediate");
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, reg);
		nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, ff, sizeof(ff));
	}
	e = ex(r, "nat");
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_TYPE, NFT_NAT_DNAT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FAMILY, NFPROTO_IPV6);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MAX, NFT_REG_2);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MIN, NFT_REG_3);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MAX, NFT_REG_4);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FLAGS, NF_NAT_RANGE_PROTO_RANDOM |
			   NF_NAT_RANGE_PERSISTENT | NF_NAT_RANGE_PROTO_RANDOM_FULLY);
	n = nft_rule_text(r, text, sizeof(text));
	CHECK(n > 0 && (size_t)n == strlen(text) && !strncmp(text, "dnat ip6 to [ffff:", 18),
	      "a dnat of 16-byte registers with every flag lists, cut short: %s", text);
	nftnl_rule_free(r);
}

/* A rule message as the kernel might send it, with attributes given raw. */
static struct nlmsghdr *rule_msg(char *b, int with_names, const char *expr)
{
	struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(b, NFT_MSG_NEWRULE, NFPROTO_INET, 0, 1);
	struct nlattr *list, *elem, *data;

	if (with_names) {
		mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, "t");
		mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, "c");
	}
	list = mnl_attr_nest_start(nlh, NFTA_RULE_EXPRESSIONS);
	elem = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	if (expr)
		mnl_attr_put_strz(nlh, NFTA_EXPR_NAME, expr);
	data = mnl_attr_nest_start(nlh, NFTA_EXPR_DATA);
	mnl_attr_put_u32(nlh, NFTA_META_KEY, htonl(NFT_META_L4PROTO));
	mnl_attr_put_u32(nlh, NFTA_META_DREG, htonl(NFT_REG_1));
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, elem);
	mnl_attr_nest_end(nlh, list);
	return nlh;
}

/* Messages libnftnl would crash on, or exit on, are refused before it sees them. */
static void hostile_messages(void)
{
	char text[NFT_TEXT];
	struct nlmsghdr *nlh;
	struct nlattr *a;

	CHECK(nft_msg_check(rule_msg(buf, 1, "meta")) == 0, "a whole rule message passes");
	CHECK(nft_msg_text(rule_msg(buf, 1, "meta"), text, sizeof(text)) >= 0, "and is decoded");
	CHECK(nft_msg_text(rule_msg(buf, 1, NULL), text, sizeof(text)) == -EBADMSG,
	      "an expression without a name is refused");
	CHECK(nft_msg_check(rule_msg(buf, 0, "meta")) == -EBADMSG,
	      "a rule without table and chain names is refused");
	/* The chain name without its NUL: libnftnl would strdup() past it. */
	nlh = rule_msg(buf, 1, "meta");
	a = (struct nlattr *)((char *)mnl_nlmsg_get_payload(nlh) + sizeof(struct nfgenmsg) + 8);
	CHECK(mnl_attr_get_type(a) == NFTA_RULE_CHAIN, "the chain attribute found");
	if (mnl_attr_get_type(a) == NFTA_RULE_CHAIN)
		((char *)mnl_attr_get_payload(a))[1] = 'x';
	CHECK(nft_msg_check(nlh) == -EBADMSG, "a name without its NUL is refused");
	/* A u32 of 2 bytes: libnftnl exit()s ("kernel ABI is broken"). */
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWTABLE, NFPROTO_INET, 0, 1);
	mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, "t");
	mnl_attr_put_u16(nlh, NFTA_TABLE_FLAGS, 1);
	CHECK(nft_msg_check(nlh) == -EBADMSG, "an integer of the wrong size is refused");
}

/* Every byte from off to the end of buf is still the fill: nothing was written there. */
static int untouched(size_t off, int fill)
{
	for (; off < sizeof(buf); off++)
		if ((unsigned char)buf[off] != fill)
			return 0;
	return 1;
}

/* A builder's refusal: NULL, that error and message, and not a byte of buf written. */
static void refused(struct nlmsghdr *nlh, int code, const char *msg, const char *what)
{
	CHECK(nlh == NULL && err.code == code && strstr(err.msg, msg) && untouched(0, 0xa5),
	      "%s: refused with \"%s\" (got %s, %d \"%s\")", what, msg,
	      nlh ? "a message" : "NULL", err.code, err.msg);
}

/* Names too long for their attribute, and a chain that is not one of netlab's. */
static void builders_refuse_names(void)
{
	struct nft_rule_spec r = { .chain = NFT_FORWARD, .action = NFT_ACCEPT };
	char table[NFT_NAME_MAXLEN + 1], text[NFT_TEXT];
	struct nlmsghdr *nlh;

	memset(table, 't', NFT_NAME_MAXLEN);
	table[NFT_NAME_MAXLEN] = '\0';
	memset(buf, 0xa5, sizeof(buf));
	refused(nft_msg_table(buf, sizeof(buf), NFT_MSG_NEWTABLE, table, &err), EINVAL,
		"invalid table name \"tttt", "table: a name of 256 bytes");
	CHECK(strstr(err.msg, "(longer than 255 bytes)") != NULL, "table: says how long a name may be: %s",
	      err.msg);
	refused(nft_msg_chain(buf, sizeof(buf), table, NFT_FORWARD, -1, &err), EINVAL,
		"invalid table name", "chain: in a table of a 256-byte name");
	refused(nft_msg_rule(buf, sizeof(buf), table, &r, &err), EINVAL, "invalid table name",
		"rule: in a table of a 256-byte name");
	refused(nft_msg_delrule(buf, sizeof(buf), "netlab", table, 7, &err), EINVAL,
		"invalid chain name \"tttt", "delete: a chain name of 256 bytes");
	refused(nft_msg_chain(buf, sizeof(buf), "netlab", NFT_NCHAINS, -1, &err), EINVAL,
		"no such chain", "chain: not one of netlab's");
	r.chain = NFT_NCHAINS;
	refused(nft_msg_rule(buf, sizeof(buf), "netlab", &r, &err), EINVAL, "no such chain",
		"rule: in a chain not one of netlab's");
	r.chain = NFT_FORWARD;
	memset(r.comment, 'c', sizeof(r.comment));
	refused(nft_msg_rule(buf, sizeof(buf), "netlab", &r, &err), EINVAL,
		"comment longer than 127 bytes", "rule: a comment that fills its array");
	CHECK(nft_spec_text("netlab", &r, text, sizeof(text)) == -EINVAL && !strcmp(text, "?"),
	      "rule text: \"?\" for a rule that cannot be built");

	/* The longest each may be is taken. */
	table[NFT_NAME_MAXLEN - 1] = '\0';
	r.comment[NFT_COMMENT_MAX - 1] = '\0';
	nlh = nft_msg_rule(buf, sizeof(buf), table, &r, &err);
	CHECK(nlh != NULL, "rule: a 255-byte table name and a 127-byte comment are built%s%s",
	      nlh ? "" : ": ", nlh ? "" : err.msg);
	CHECK(nft_msg_delrule(buf, sizeof(buf), table, table, 7, &err) != NULL,
	      "delete: 255-byte table and chain names are built");
}

/* A buffer too short by one byte is refused and never written past; the exact size is enough. */
static void fits_or_refused(struct nlmsghdr *(*build)(size_t len), const char *what)
{
	struct nlmsghdr *nlh = build(sizeof(buf));
	size_t need = nlh ? NLMSG_ALIGN(nlh->nlmsg_len) : 0;
	size_t lens[] = { 0, 4, 16, need / 2, need - 1 };
	size_t i;

	CHECK(nlh != NULL, "%s: built in NL_REQSZ%s%s", what, nlh ? "" : ": ", nlh ? "" : err.msg);
	if (!nlh)
		return;
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		memset(buf, 0xa5, sizeof(buf));
		refused(build(lens[i]), EMSGSIZE, "request does not fit", what);
	}
	memset(buf, 0xa5, sizeof(buf));
	nlh = build(need);
	CHECK(nlh && NLMSG_ALIGN(nlh->nlmsg_len) == need && untouched(need, 0xa5),
	      "%s: built in exactly its %zu bytes, none past them", what, need);
}

static struct nlmsghdr *build_table(size_t len)
{
	return nft_msg_table(buf, len, NFT_MSG_NEWTABLE, "netlab", &err);
}

static struct nlmsghdr *build_chain(size_t len)
{
	return nft_msg_chain(buf, len, "netlab", NFT_PREROUTING, NF_ACCEPT, &err);
}

static struct nlmsghdr *build_rule(size_t len)
{
	struct nft_rule_spec r = { .chain = NFT_PREROUTING, .action = NFT_DNAT, .family = AF_INET6,
				   .l4proto = IPPROTO_TCP, .dport = 8080, .to_port = 80,
				   .ct_state = NF_CT_STATE_BIT(IP_CT_ESTABLISHED), .has_saddr = 1, .has_daddr = 1 };

	r.saddr = cidr("fd00:1::/56");
	r.daddr = cidr("fd00:2::1");
	r.to = cidr("fd00:52::2");
	snprintf(r.iif, sizeof(r.iif), "veth-purple");
	memset(r.comment, 'c', sizeof(r.comment) - 1);
	return nft_msg_rule(buf, len, "netlab", &r, &err);
}

static struct nlmsghdr *build_delrule(size_t len)
{
	return nft_msg_delrule(buf, len, "netlab", "forward", 42, &err);
}

static void builders_refuse_full_buffers(void)
{
	fits_or_refused(build_table, "table");
	fits_or_refused(build_chain, "chain");
	fits_or_refused(build_rule, "rule");
	fits_or_refused(build_delrule, "delete");
}

static void validators(void)
{
	char why[PARSE_WHY];
	uint32_t bits;

	CHECK(nft_table_check("netlab", why) == 0, "table name netlab");
	CHECK(nft_table_check("lab_1.a-b", why) == 0, "table name with _ . -");
	CHECK(nft_table_check("1lab", why) == -EINVAL, "table name starting with a digit");
	CHECK(nft_table_check("a b", why) == -EINVAL, "table name with a space");
	CHECK_STR(why, "invalid table name \"a b\" (a letter or '_' first, then letters, digits, '_', '-' or '.')",
		  "why");
	CHECK(nft_table_check("", why) == -EINVAL, "empty table name");
	CHECK(nft_ctstate_parse("new", &bits, why) == 0 && bits == NF_CT_STATE_BIT(IP_CT_NEW),
	      "state new");
	CHECK(nft_ctstate_parse("established,bogus", &bits, why) == -EINVAL, "unknown state");
	CHECK_STR(why, "invalid state \"established,bogus\" (established, related, new, invalid or untracked, separated by commas)",
		  "why");
	CHECK(nft_ctstate_parse("", &bits, why) == -EINVAL, "empty state");
}

int main(void)
{
	long_nat();
	hostile_messages();
	masquerade();
	forward_port();
	allow();
	table_and_chains();
	foreign();
	validators();
	builders_refuse_names();
	builders_refuse_full_buffers();
	return check_done();
}
