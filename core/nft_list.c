// SPDX-License-Identifier: MIT
/*
 * The nftables listing: tables, chains and rules dumped once each, every
 * message checked (nft_check.c) before libnftnl parses it, then walked in
 * the kernel's order into items: a table, its chains, each chain's rules
 * with their text (nft_text.c), comment and counter.
 */
#include <errno.h>
#include <netinet/in.h> /* before the linux headers, which then leave it alone */
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#include "nft_int.h"
#include "nl.h"

/* The comment in a userdata TLV list, when it ends in its NUL as nft(8) writes it. */
struct comment {
	uint8_t type;
	const char *text;
};

static int comment_cb(const struct nftnl_udata *a, void *data)
{
	struct comment *c = data;

	if (nftnl_udata_type(a) == c->type && nftnl_udata_len(a) > 0 &&
	    ((const char *)nftnl_udata_get(a))[nftnl_udata_len(a) - 1] == '\0')
		c->text = nftnl_udata_get(a);
	return 0;
}

static const char *udata_comment(const void *ud, uint32_t len, uint8_t type)
{
	struct comment c = { type, NULL };

	nftnl_udata_parse(ud, len, comment_cb, &c);
	return c.text;
}

const char *nft_table_comment(const struct nftnl_table *t)
{
	uint32_t len = 0;
	const void *ud;

	if (!nftnl_table_is_set(t, NFTNL_TABLE_USERDATA))
		return NULL;
	ud = nftnl_table_get_data(t, NFTNL_TABLE_USERDATA, &len);
	return udata_comment(ud, len, NFTNL_UDATA_TABLE_COMMENT);
}

const char *nft_rule_comment(const struct nftnl_rule *r)
{
	uint32_t len = 0;
	const void *ud;

	if (!nftnl_rule_is_set(r, NFTNL_RULE_USERDATA))
		return NULL;
	ud = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA, &len);
	return udata_comment(ud, len, NFTNL_UDATA_RULE_COMMENT);
}

/* Everything a listing needs, dumped once. */
struct dump {
	struct nftnl_table_list *tables;
	struct nftnl_chain_list *chains;
	struct nftnl_rule_list *rules;
};

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump *d = data;
	int type = nlh->nlmsg_type & 0xff;

	if (nft_msg_check(nlh) < 0)
		return -EBADMSG;
	if (type == NFT_MSG_NEWTABLE) {
		struct nftnl_table *t = nftnl_table_alloc();

		if (!t || nftnl_table_nlmsg_parse(nlh, t) < 0)
			goto bad_table;
		nftnl_table_list_add_tail(t, d->tables);
		return 0;
bad_table:
		if (t)
			nftnl_table_free(t);
		return t ? -EBADMSG : -ENOMEM;
	}
	if (type == NFT_MSG_NEWCHAIN) {
		struct nftnl_chain *c = nftnl_chain_alloc();

		if (!c || nftnl_chain_nlmsg_parse(nlh, c) < 0)
			goto bad_chain;
		nftnl_chain_list_add_tail(c, d->chains);
		return 0;
bad_chain:
		if (c)
			nftnl_chain_free(c);
		return c ? -EBADMSG : -ENOMEM;
	}
	if (type == NFT_MSG_NEWRULE) {
		/* Expressions netlab does not decode reach libnftnl by name only. */
		struct nlmsghdr *copy;
		struct nftnl_rule *r;
		int ret = nft_msg_readable(nlh, &copy);

		if (ret < 0)
			return ret;
		r = nftnl_rule_alloc();
		ret = !r ? -ENOMEM : nftnl_rule_nlmsg_parse(copy, r) < 0 ? -EBADMSG : 0;
		free(copy);
		if (ret == 0)
			nftnl_rule_list_add_tail(r, d->rules);
		else if (r)
			nftnl_rule_free(r);
		return ret;
	}
	return 0;
}

static int dump_all(struct ns *ns, struct dump *d, struct nl_err *err)
{
	static const uint16_t types[] = { NFT_MSG_GETTABLE, NFT_MSG_GETCHAIN, NFT_MSG_GETRULE };
	struct nl_sock *s;
	size_t i;
	int r;

	d->tables = nftnl_table_list_alloc();
	d->chains = nftnl_chain_list_alloc();
	d->rules = nftnl_rule_list_alloc();
	if (!d->tables || !d->chains || !d->rules)
		return nl_fail(err, ENOMEM, NULL);
	r = ns_nfnl(ns, &s, err);
	for (i = 0; r == 0 && i < sizeof(types) / sizeof(types[0]); i++) {
		char buf[NL_REQSZ];

		/* A header alone: nftnl_nlmsg_build_hdr() writes no more than that. */
		r = nl_talk(s, nftnl_nlmsg_build_hdr(buf, types[i], NFPROTO_UNSPEC, NLM_F_DUMP, 0),
			    dump_cb, d, err);
	}
	return r;
}

static void dump_free(struct dump *d)
{
	if (d->tables)
		nftnl_table_list_free(d->tables);
	if (d->chains)
		nftnl_chain_list_free(d->chains);
	if (d->rules)
		nftnl_rule_list_free(d->rules);
}

static void rule_item(struct nftnl_rule *r, struct nft_item *it, char *text, size_t len)
{
	struct nftnl_expr_iter *ei;
	struct nftnl_expr *e;

	it->kind = NFT_ITEM_RULE;
	it->handle = nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE);
	nft_rule_text(r, text, len);
	it->text = text;
	it->comment = nft_rule_comment(r);
	it->has_counter = 0;
	ei = nftnl_expr_iter_create(r);
	while (ei && (e = nftnl_expr_iter_next(ei))) {
		if (strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "counter"))
			continue;
		it->has_counter = 1;
		it->packets = nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_PACKETS);
		it->bytes = nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_BYTES);
	}
	if (ei)
		nftnl_expr_iter_destroy(ei);
}

static int chain_item(struct nftnl_chain *c, struct nft_item *it)
{
	uint32_t fam = nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY);

	it->kind = NFT_ITEM_CHAIN;
	it->chain = nftnl_chain_get_str(c, NFTNL_CHAIN_NAME);
	it->handle = nftnl_chain_get_u64(c, NFTNL_CHAIN_HANDLE);
	it->comment = NULL;
	/* A regular chain has none of these: nothing of the chain before it stays. */
	it->type = NULL;
	it->hook = NULL;
	it->prio = 0;
	it->policy = NULL;
	if (nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM)) {
		it->type = nftnl_chain_is_set(c, NFTNL_CHAIN_TYPE) ?
				   nftnl_chain_get_str(c, NFTNL_CHAIN_TYPE) : "filter";
		it->hook = nft_hook_name(fam, nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM));
		it->prio = nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO);
		it->policy = nftnl_chain_is_set(c, NFTNL_CHAIN_POLICY) &&
					     nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY) == NF_DROP ?
				     "drop" : "accept";
	}
	return 0;
}

/* Walks tables, then each one's chains, then each chain's rules, in the kernel's order. */
static int walk(struct dump *d, const char *table, nft_item_cb cb, void *data)
{
	struct nftnl_table_list_iter *ti = nftnl_table_list_iter_create(d->tables);
	struct nftnl_table *t;
	int r = 0;

	if (!ti)
		return -ENOMEM;
	while (r == 0 && (t = nftnl_table_list_iter_next(ti))) {
		uint32_t fam = nftnl_table_get_u32(t, NFTNL_TABLE_FAMILY);
		const char *name = nftnl_table_get_str(t, NFTNL_TABLE_NAME), *c;
		struct nft_item it = { .kind = NFT_ITEM_TABLE, .family = nft_family_name(fam),
				       .table = name };
		struct nftnl_chain_list_iter *ci;
		struct nftnl_chain *ch;

		c = nft_table_comment(t);
		if (table && (fam != NFPROTO_INET || strcmp(name, table)))
			continue;
		it.comment = c;
		it.netlab = c && !strcmp(c, NFT_TAG);
		it.handle = nftnl_table_get_u64(t, NFTNL_TABLE_HANDLE);
		r = cb(&it, data);
		ci = nftnl_chain_list_iter_create(d->chains);
		while (ci && r == 0 && (ch = nftnl_chain_list_iter_next(ci))) {
			struct nftnl_rule_list_iter *ri;
			struct nftnl_rule *ru;

			if (nftnl_chain_get_u32(ch, NFTNL_CHAIN_FAMILY) != fam ||
			    strcmp(nftnl_chain_get_str(ch, NFTNL_CHAIN_TABLE), name))
				continue;
			chain_item(ch, &it);
			r = cb(&it, data);
			ri = nftnl_rule_list_iter_create(d->rules);
			while (ri && r == 0 && (ru = nftnl_rule_list_iter_next(ri))) {
				char text[NFT_TEXT];

				if (nftnl_rule_get_u32(ru, NFTNL_RULE_FAMILY) != fam ||
				    strcmp(nftnl_rule_get_str(ru, NFTNL_RULE_TABLE), name) ||
				    strcmp(nftnl_rule_get_str(ru, NFTNL_RULE_CHAIN), it.chain))
					continue;
				rule_item(ru, &it, text, sizeof(text));
				r = cb(&it, data);
			}
			if (ri)
				nftnl_rule_list_iter_destroy(ri);
		}
		if (ci)
			nftnl_chain_list_iter_destroy(ci);
	}
	nftnl_table_list_iter_destroy(ti);
	return r;
}

int nft_list(struct ns *ns, const char *table, nft_item_cb cb, void *data, struct nl_err *err)
{
	struct dump d = { 0 };
	char w[NS_WHERE_LEN];
	int r;

	if (table) {
		nft_describe_table(err->obj, table, ns);
		if ((r = nft_check_table(table, err)) < 0)
			return r;
	} else {
		nl_obj(err, "nftables ruleset%s", ns_where(ns, w, sizeof(w)));
	}
	r = dump_all(ns, &d, err);
	if (r == 0)
		r = walk(&d, table, cb, data);
	dump_free(&d);
	return r < 0 ? r : 0;
}
