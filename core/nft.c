// SPDX-License-Identifier: MIT
/*
 * nftables: the changes to netlab's table, its chains and its rules, one
 * atomic batch per call (nft_batch.c), each after the ownership check
 * (nft_own.c). The listing is nft_list.c; the messages are nft_msg.c.
 */
#include <errno.h>
#include <netinet/in.h> /* before the linux headers, which then leave it alone */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/rule.h>

#include "nft_int.h"
#include "nl.h"

/* Where the rules' handles go as the kernel echoes the rules back. */
struct echo {
	struct nft_rule_spec *rules;
	const struct nft_batch *b;
	uint32_t first;
};

static int echo_cb(const struct nlmsghdr *nlh, void *data)
{
	struct echo *e = data;
	uint32_t i = nlh->nlmsg_seq - e->first;
	struct nlmsghdr *copy;
	struct nftnl_rule *r;

	if ((nlh->nlmsg_type & 0xff) != NFT_MSG_NEWRULE || i >= e->b->n || e->b->msg[i].rule < 0)
		return 0;
	if (nft_msg_readable(nlh, &copy) < 0)
		return 0;
	r = nftnl_rule_alloc();
	if (r && nftnl_rule_nlmsg_parse(copy, r) == 0 && nftnl_rule_is_set(r, NFTNL_RULE_HANDLE))
		e->rules[e->b->msg[i].rule].handle = nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE);
	if (r)
		nftnl_rule_free(r);
	free(copy);
	return r ? 0 : -ENOMEM;
}

/* The table and the chains the batch needs, made if missing (an existing one is kept). */
static int put_table_chains(struct nft_batch *b, struct ns *ns, const char *table, const int *need,
			    int policy_chain, int policy, struct nl_err *err)
{
	char what[NFT_TEXT], *p;
	size_t len;
	int c, r;

	nft_describe_table(what, table, ns);
	p = nft_batch_room(b, &len, err);
	if (!p)
		return -ENOMEM;
	r = nft_batch_push(b, nft_msg_table(p, len, NFT_MSG_NEWTABLE, table, err), -1, what, err);
	for (c = 0; r == 0 && c < NFT_NCHAINS; c++) {
		if (!need[c])
			continue;
		nft_describe_chain(what, table, nft_chain_name(c), ns);
		p = nft_batch_room(b, &len, err);
		if (!p)
			return -ENOMEM;
		r = nft_batch_push(b, nft_msg_chain(p, len, table, c, c == policy_chain ? policy : -1, err),
				   -1, what, err);
	}
	return r;
}

int nft_add(struct ns *ns, const char *table, struct nft_rule_spec *rules, size_t n,
	    struct nl_err *err)
{
	struct nft_batch b = { 0 };
	struct echo e = { .rules = rules, .b = &b };
	int need[NFT_NCHAINS] = { 0 }, state, r;
	char what[NFT_TEXT], text[NFT_TEXT], *p;
	size_t i, len;

	r = nft_check_ours(ns, table, &state, err);
	if (r < 0)
		return r;
	for (i = 0; i < n; i++) {
		if (rules[i].chain >= NFT_NCHAINS)
			return nl_fail(err, EINVAL, "no such chain");
		if (strnlen(rules[i].comment, NFT_COMMENT_MAX) == NFT_COMMENT_MAX)
			return nl_fail(err, EINVAL, "comment longer than %d bytes", NFT_COMMENT_MAX - 1);
		need[rules[i].chain] = 1;
	}
	r = nft_batch_begin(&b, err);
	if (r == 0)
		r = put_table_chains(&b, ns, table, need, -1, -1, err);
	for (i = 0; r == 0 && i < n; i++) {
		rules[i].handle = 0;
		nft_spec_text(table, &rules[i], text, sizeof(text));
		nft_describe_rule(what, table, nft_chain_name(rules[i].chain), 0, text, ns);
		p = nft_batch_room(&b, &len, err);
		r = !p ? -ENOMEM :
			 nft_batch_push(&b, nft_msg_rule(p, len, table, &rules[i], err), (int)i, what, err);
	}
	if (r == 0)
		r = nft_batch_send(ns, &b, echo_cb, &e, &e.first, err);
	nft_batch_free(&b);
	return r;
}

int nft_policy(struct ns *ns, const char *table, int verdict, struct nl_err *err)
{
	struct nft_batch b = { 0 };
	int need[NFT_NCHAINS] = { [NFT_FORWARD] = 1 }, state, r;
	uint32_t first;

	r = nft_check_ours(ns, table, &state, err);
	if (r < 0)
		return r;
	r = nft_batch_begin(&b, err);
	if (r == 0)
		r = put_table_chains(&b, ns, table, need, NFT_FORWARD, verdict, err);
	if (r == 0)
		r = nft_batch_send(ns, &b, NULL, NULL, &first, err);
	nft_batch_free(&b);
	return r;
}

int nft_flush(struct ns *ns, const char *table, struct nl_err *err)
{
	struct nft_batch b = { 0 };
	char what[NFT_TEXT], *p;
	uint32_t first;
	size_t len;
	int state, r;

	r = nft_check_ours(ns, table, &state, err);
	if (r < 0 || state == 0)
		return r;
	nft_describe_table(what, table, ns);
	r = nft_batch_begin(&b, err);
	if (r == 0) {
		p = nft_batch_room(&b, &len, err);
		r = !p ? -ENOMEM :
			 nft_batch_push(&b, nft_msg_table(p, len, NFT_MSG_DELTABLE, table, err), -1,
					what, err);
	}
	if (r == 0)
		r = nft_batch_send(ns, &b, NULL, NULL, &first, err);
	nft_batch_free(&b);
	return r;
}

/* The chain and text of rules known by their handle alone, for deleting them. */
struct find {
	const struct nft_ref *refs;
	size_t n;
	char (*chain)[NFT_TEXT];
	char (*text)[NFT_TEXT];
};

static int find_cb(const struct nft_item *it, void *data)
{
	struct find *f = data;
	size_t i;

	for (i = 0; it->kind == NFT_ITEM_RULE && i < f->n; i++) {
		if (f->refs[i].chain || f->refs[i].handle != it->handle)
			continue;
		snprintf(f->chain[i], NFT_TEXT, "%s", it->chain);
		snprintf(f->text[i], NFT_TEXT, "%s", it->text);
	}
	return 0;
}

static int find_chains(struct ns *ns, const char *table, struct find *f, struct nl_err *err)
{
	size_t i;

	for (i = 0; i < f->n && f->refs[i].chain; i++)
		;
	if (i == f->n)
		return 0;
	f->chain = calloc(f->n, sizeof(*f->chain));
	f->text = calloc(f->n, sizeof(*f->text));
	if (!f->chain || !f->text)
		return nl_fail(err, ENOMEM, NULL);
	return nft_list(ns, table, find_cb, f, err);
}

static int put_del(struct nft_batch *b, struct ns *ns, const char *table, const char *chain,
		   uint64_t handle, const char *text, struct nl_err *err)
{
	char what[NFT_TEXT], *p;
	size_t len;

	p = nft_batch_room(b, &len, err);
	if (!p)
		return -ENOMEM;
	nft_describe_rule(what, table, chain, handle, text, ns);
	return nft_batch_push(b, nft_msg_delrule(p, len, table, chain, handle, err), -1, what, err);
}

int nft_del(struct ns *ns, const char *table, const struct nft_ref *refs, size_t n,
	    struct nl_err *err)
{
	struct find f = { .refs = refs, .n = n };
	struct nft_batch b = { 0 };
	uint32_t first;
	size_t i;
	int state, r;

	r = nft_check_ours(ns, table, &state, err);
	if (r < 0)
		return r;
	if (state == 0)
		return nl_fail(err, ENOENT, "no such table");
	r = find_chains(ns, table, &f, err);
	if (r == 0)
		r = nft_batch_begin(&b, err);
	for (i = 0; r == 0 && i < n; i++) {
		const char *chain = refs[i].chain, *text = refs[i].text;

		if (!chain) {
			chain = f.chain[i];
			text = f.text[i];
		}
		if (!chain[0])
			r = nl_fail(err, ENOENT, "no such rule");
		else
			r = put_del(&b, ns, table, chain, refs[i].handle, text, err);
		/* A rule not found, or a chain name no chain can have: the rule by its handle. */
		if (r == -ENOENT || r == -EINVAL)
			nft_describe_rule(err->obj, table, NULL, refs[i].handle, NULL, ns);
	}
	if (r == 0)
		r = nft_batch_send(ns, &b, NULL, NULL, &first, err);
	nft_batch_free(&b);
	free(f.chain);
	free(f.text);
	return r;
}
