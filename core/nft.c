// SPDX-License-Identifier: MIT
/*
 * nftables: netlab's table, chains and rules, changed one atomic batch per
 * call and read back for listings. Every message of a batch is numbered and
 * described, so the ACK that carries an error is reported against the table,
 * chain or rule it was about; the kernel applies all of a batch or none of it.
 */
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h> /* before the linux headers, which then leave it alone */
#include <stdarg.h>
#include <stdio.h>
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

#include "nft.h"
#include "vec.h"

/* A batch being built: the messages back to back, and what each one is about. */
struct batch {
	char *buf;
	size_t len, cap;
	struct batch_msg {
		char what[NFT_TEXT];
		int rule; /* the rule spec the message adds, or -1 */
	} *msg;
	size_t n, slots;
};

static int batch_room(struct batch *b)
{
	size_t old = b->cap;
	char *p = vec_room(b->buf, &b->cap, b->len + NFT_MSG_ROOM, 1);
	struct batch_msg *m;

	if (!p)
		return -ENOMEM;
	/* Zeroed, so the padding libnftnl leaves between attributes is not sent uninitialised. */
	if (b->cap > old)
		memset(p + old, 0, b->cap - old);
	b->buf = p;
	m = vec_room(b->msg, &b->slots, b->n, sizeof(*m));
	if (!m)
		return -ENOMEM;
	b->msg = m;
	return 0;
}

static char *batch_tail(struct batch *b)
{
	return b->buf + b->len;
}

/* Takes the message just built at the tail; what names it in errors. */
static int batch_push(struct batch *b, struct nlmsghdr *nlh, int rule, const char *what)
{
	if (!nlh)
		return -ENOMEM;
	snprintf(b->msg[b->n].what, NFT_TEXT, "%s", what);
	b->msg[b->n].rule = rule;
	b->len += NLMSG_ALIGN(nlh->nlmsg_len);
	b->n++;
	return 0;
}

static void batch_free(struct batch *b)
{
	free(b->buf);
	free(b->msg);
}

static void describe_table(char *buf, const char *table, struct ns *ns)
{
	char w[NS_WHERE_LEN];

	snprintf(buf, NFT_TEXT, "table inet %s%s", table, ns_where(ns, w, sizeof(w)));
}

static void describe_chain(char *buf, const char *table, const char *chain, struct ns *ns)
{
	char w[NS_WHERE_LEN];

	snprintf(buf, NFT_TEXT, "chain %s of table inet %s%s", chain, table, ns_where(ns, w, sizeof(w)));
}

/* forward rule 7 'iifname "br0" accept' of table inet netlab */
static void describe_rule(char *buf, const char *table, const char *chain, uint64_t handle,
			  const char *text, struct ns *ns)
{
	char w[NAME_MAX + 8], h[24] = "";

	if (handle)
		snprintf(h, sizeof(h), " %" PRIu64, handle);
	snprintf(buf, NFT_TEXT, "%s rule%s%s%.300s%s of table inet %s%s", chain ? chain : "a", h,
		 text ? " '" : "", text ? text : "", text ? "'" : "", table, ns_where(ns, w, sizeof(w)));
}

static int batch_begin(struct batch *b, struct nl_err *err)
{
	if (batch_room(b) < 0)
		return nl_fail(err, ENOMEM, NULL);
	return batch_push(b, nftnl_batch_begin(batch_tail(b), 0), -1, "batch");
}

/* Ends the batch and sends it; echoed rules go to cb. */
static int batch_send(struct ns *ns, struct batch *b, nl_cb cb, void *data, uint32_t *first,
		      struct nl_err *err)
{
	struct nl_sock *s;
	int r, failed = -1;

	if (batch_room(b) < 0 || batch_push(b, nftnl_batch_end(batch_tail(b), 0), -1, "batch") < 0)
		return nl_fail(err, ENOMEM, NULL);
	/* A failure before the kernel has answered (fault injection, the socket) is about the call's last object. */
	if (b->n > 2)
		memcpy(b->msg[0].what, b->msg[b->n - 2].what, NFT_TEXT);
	r = ns_nfnl(ns, &s, err);
	if (r < 0)
		return r;
	/* nl_talk_many numbers the messages from here, so an echo's seq gives its message. */
	*first = s->seq + 1;
	r = nl_talk_many(s, b->buf, b->len, cb, data, &failed, err);
	if (r < 0 && failed >= 0 && (size_t)failed < b->n)
		nl_obj(err, "%s", b->msg[failed].what);
	return r;
}

/* The userdata comment of a table, or "". */
static int udata_comment(const struct nftnl_udata *a, void *data)
{
	const char **out = data;

	if (nftnl_udata_type(a) == NFTNL_UDATA_TABLE_COMMENT && nftnl_udata_len(a) > 0 &&
	    ((const char *)nftnl_udata_get(a))[nftnl_udata_len(a) - 1] == '\0')
		*out = nftnl_udata_get(a);
	return 0;
}

static const char *table_comment(const struct nftnl_table *t)
{
	const char *c = NULL;
	uint32_t len = 0;
	const void *ud;

	if (!nftnl_table_is_set(t, NFTNL_TABLE_USERDATA))
		return NULL;
	ud = nftnl_table_get_data(t, NFTNL_TABLE_USERDATA, &len);
	nftnl_udata_parse(ud, len, udata_comment, &c);
	return c;
}

static int table_cb(const struct nlmsghdr *nlh, void *data)
{
	int *state = data;
	struct nftnl_table *t = nftnl_table_alloc();
	const char *c;

	if (!t)
		return -ENOMEM;
	if (nft_msg_check(nlh) < 0 || nftnl_table_nlmsg_parse(nlh, t) < 0) {
		nftnl_table_free(t);
		return -EBADMSG;
	}
	c = table_comment(t);
	*state = c && !strcmp(c, NFT_TAG) ? 2 : 1;
	nftnl_table_free(t);
	return 0;
}

/*
 * Whose the table is: 0 none, 1 someone else's, 2 netlab's. A table netlab
 * did not make is refused before anything is sent.
 */
static int table_state(struct ns *ns, const char *table, int *state, struct nl_err *err)
{
	char buf[NFT_MSG_ROOM];
	struct nl_sock *s;
	struct nlmsghdr *nlh;
	int r;

	*state = 0;
	r = ns_nfnl(ns, &s, err);
	if (r < 0)
		return r;
	nlh = nft_msg_table(buf, NFT_MSG_GETTABLE, table);
	if (!nlh)
		return nl_fail(err, EINVAL, "invalid table name");
	r = nl_talk(s, nlh, table_cb, state, err);
	if (r == -ENOENT)
		return 0;
	return r;
}

/* The table name, checked here too: it is copied into every message of a batch. */
static int check_table(const char *table, struct nl_err *err)
{
	char why[PARSE_WHY];

	if (nft_table_check(table, why) < 0)
		return nl_fail(err, EINVAL, "%s", why);
	return 0;
}

static int check_ours(struct ns *ns, const char *table, int *state, struct nl_err *err)
{
	int r;

	*state = 0;
	describe_table(err->obj, table, ns);
	r = check_table(table, err);
	if (r == 0)
		r = table_state(ns, table, state, err);
	if (r < 0)
		return r;
	if (*state == 1)
		return nl_fail(err, EEXIST, "a table of that name exists and netlab did not make it");
	return 0;
}

struct echo {
	struct nft_rule_spec *rules;
	const struct batch *b;
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
static int put_table_chains(struct batch *b, struct ns *ns, const char *table, const int *need,
			    int policy_chain, int policy)
{
	char what[NFT_TEXT];
	int c;

	describe_table(what, table, ns);
	if (batch_room(b) < 0 ||
	    batch_push(b, nft_msg_table(batch_tail(b), NFT_MSG_NEWTABLE, table), -1, what) < 0)
		return -ENOMEM;
	for (c = 0; c < NFT_NCHAINS; c++) {
		if (!need[c])
			continue;
		describe_chain(what, table, nft_chain_name(c), ns);
		if (batch_room(b) < 0 ||
		    batch_push(b, nft_msg_chain(batch_tail(b), table, c,
						c == policy_chain ? policy : -1), -1, what) < 0)
			return -ENOMEM;
	}
	return 0;
}

int nft_add(struct ns *ns, const char *table, struct nft_rule_spec *rules, size_t n,
	    struct nl_err *err)
{
	struct batch b = { 0 };
	struct echo e = { .rules = rules, .b = &b };
	int need[NFT_NCHAINS] = { 0 }, state, r;
	char what[NFT_TEXT], text[NFT_TEXT];
	size_t i;

	r = check_ours(ns, table, &state, err);
	if (r < 0)
		return r;
	for (i = 0; i < n; i++) {
		if (rules[i].chain >= NFT_NCHAINS)
			return nl_fail(err, EINVAL, "no such chain");
		if (strnlen(rules[i].comment, NFT_COMMENT_MAX) == NFT_COMMENT_MAX)
			return nl_fail(err, EINVAL, "comment longer than %d bytes", NFT_COMMENT_MAX - 1);
		need[rules[i].chain] = 1;
	}
	r = batch_begin(&b, err);
	if (r < 0)
		goto out;
	if (put_table_chains(&b, ns, table, need, -1, -1) < 0)
		goto oom;
	for (i = 0; i < n; i++) {
		rules[i].handle = 0;
		nft_spec_text(table, &rules[i], text, sizeof(text));
		describe_rule(what, table, nft_chain_name(rules[i].chain), 0, text, ns);
		if (batch_room(&b) < 0 ||
		    batch_push(&b, nft_msg_rule(batch_tail(&b), table, &rules[i]), (int)i, what) < 0)
			goto oom;
	}
	r = batch_send(ns, &b, echo_cb, &e, &e.first, err);
	goto out;
oom:
	r = nl_fail(err, ENOMEM, NULL);
out:
	batch_free(&b);
	return r;
}

int nft_policy(struct ns *ns, const char *table, int verdict, struct nl_err *err)
{
	struct batch b = { 0 };
	int need[NFT_NCHAINS] = { [NFT_FORWARD] = 1 }, state, r;
	uint32_t first;

	r = check_ours(ns, table, &state, err);
	if (r < 0)
		return r;
	r = batch_begin(&b, err);
	if (r == 0 && put_table_chains(&b, ns, table, need, NFT_FORWARD, verdict) < 0)
		r = nl_fail(err, ENOMEM, NULL);
	if (r == 0)
		r = batch_send(ns, &b, NULL, NULL, &first, err);
	batch_free(&b);
	return r;
}

int nft_flush(struct ns *ns, const char *table, struct nl_err *err)
{
	struct batch b = { 0 };
	char what[NFT_TEXT];
	uint32_t first;
	int state, r;

	r = check_ours(ns, table, &state, err);
	if (r < 0 || state == 0)
		return r;
	describe_table(what, table, ns);
	r = batch_begin(&b, err);
	if (r == 0 && (batch_room(&b) < 0 ||
		       batch_push(&b, nft_msg_table(batch_tail(&b), NFT_MSG_DELTABLE, table), -1,
				  what) < 0))
		r = nl_fail(err, ENOMEM, NULL);
	if (r == 0)
		r = batch_send(ns, &b, NULL, NULL, &first, err);
	batch_free(&b);
	return r;
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
		char buf[256];

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

static const char *family_name(uint32_t f)
{
	switch (f) {
	case NFPROTO_INET:
		return "inet";
	case NFPROTO_IPV4:
		return "ip";
	case NFPROTO_IPV6:
		return "ip6";
	case NFPROTO_ARP:
		return "arp";
	case NFPROTO_BRIDGE:
		return "bridge";
	case NFPROTO_NETDEV:
		return "netdev";
	default:
		return "?";
	}
}

static const char *hook_name(uint32_t family, uint32_t hook)
{
	static const char *inet[] = { "prerouting", "input", "forward", "output", "postrouting" };

	if (family == NFPROTO_NETDEV)
		return hook == NF_NETDEV_INGRESS ? "ingress" : "egress";
	if (family == NFPROTO_ARP)
		return hook == 0 ? "input" : hook == 1 ? "output" : "forward";
	if (hook == NF_INET_INGRESS)
		return "ingress";
	return hook < 5 ? inet[hook] : "?";
}

static int rule_comment(const struct nftnl_udata *a, void *data)
{
	const char **out = data;

	if (nftnl_udata_type(a) == NFTNL_UDATA_RULE_COMMENT && nftnl_udata_len(a) > 0 &&
	    ((const char *)nftnl_udata_get(a))[nftnl_udata_len(a) - 1] == '\0')
		*out = nftnl_udata_get(a);
	return 0;
}

static void rule_item(struct nftnl_rule *r, struct nft_item *it, char *text, size_t len)
{
	struct nftnl_expr_iter *ei;
	struct nftnl_expr *e;

	it->kind = NFT_ITEM_RULE;
	it->handle = nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE);
	nft_rule_text(r, text, len);
	it->text = text;
	it->comment = NULL;
	if (nftnl_rule_is_set(r, NFTNL_RULE_USERDATA)) {
		uint32_t ulen = 0;
		const void *ud = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA, &ulen);

		nftnl_udata_parse(ud, ulen, rule_comment, &it->comment);
	}
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
	it->type = NULL;
	if (nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM)) {
		it->type = nftnl_chain_is_set(c, NFTNL_CHAIN_TYPE) ?
				   nftnl_chain_get_str(c, NFTNL_CHAIN_TYPE) : "filter";
		it->hook = hook_name(fam, nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM));
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
		struct nft_item it = { .kind = NFT_ITEM_TABLE, .family = family_name(fam),
				       .table = name };
		struct nftnl_chain_list_iter *ci;
		struct nftnl_chain *ch;

		c = table_comment(t);
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
	int r;

	if (table) {
		describe_table(err->obj, table, ns);
		if ((r = check_table(table, err)) < 0)
			return r;
	} else if (ns == ns_root())
		nl_obj(err, "nftables ruleset");
	else
		nl_obj(err, "nftables ruleset in \"%s\"", ns->name);
	r = dump_all(ns, &d, err);
	if (r == 0)
		r = walk(&d, table, cb, data);
	dump_free(&d);
	return r < 0 ? r : 0;
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

static int put_del(struct batch *b, struct ns *ns, const char *table, const char *chain,
		   uint64_t handle, const char *text)
{
	struct nftnl_rule *ru = nftnl_rule_alloc();
	char what[NFT_TEXT];
	struct nlmsghdr *nlh;

	if (!ru || batch_room(b) < 0) {
		if (ru)
			nftnl_rule_free(ru);
		return -ENOMEM;
	}
	describe_rule(what, table, chain, handle, text, ns);
	nftnl_rule_set_u32(ru, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_rule_set_str(ru, NFTNL_RULE_TABLE, table);
	nftnl_rule_set_str(ru, NFTNL_RULE_CHAIN, chain);
	nftnl_rule_set_u64(ru, NFTNL_RULE_HANDLE, handle);
	nlh = nftnl_nlmsg_build_hdr(batch_tail(b), NFT_MSG_DELRULE, NFPROTO_INET, 0, 0);
	nftnl_rule_nlmsg_build_payload(nlh, ru);
	nftnl_rule_free(ru);
	return batch_push(b, nlh, -1, what);
}

int nft_del(struct ns *ns, const char *table, const struct nft_ref *refs, size_t n,
	    struct nl_err *err)
{
	struct find f = { .refs = refs, .n = n };
	struct batch b = { 0 };
	uint32_t first;
	size_t i;
	int state, r;

	r = check_ours(ns, table, &state, err);
	if (r < 0)
		return r;
	if (state == 0)
		return nl_fail(err, ENOENT, "no such table");
	r = find_chains(ns, table, &f, err);
	if (r == 0)
		r = batch_begin(&b, err);
	for (i = 0; r == 0 && i < n; i++) {
		const char *chain = refs[i].chain, *text = refs[i].text;

		if (!chain) {
			chain = f.chain[i];
			text = f.text[i];
		}
		if (!chain[0]) {
			describe_rule(err->obj, table, NULL, refs[i].handle, NULL, ns);
			r = nl_fail(err, ENOENT, "no such rule");
		} else if (strnlen(chain, NFT_NAME_MAXLEN) == NFT_NAME_MAXLEN) {
			describe_rule(err->obj, table, NULL, refs[i].handle, NULL, ns);
			r = nl_fail(err, EINVAL, "invalid chain name \"%.32s...\" (longer than %d bytes)",
				    chain, NFT_NAME_MAXLEN - 1);
		} else if (put_del(&b, ns, table, chain, refs[i].handle, text) < 0) {
			r = nl_fail(err, ENOMEM, NULL);
		}
	}
	if (r == 0)
		r = batch_send(ns, &b, NULL, NULL, &first, err);
	batch_free(&b);
	free(f.chain);
	free(f.text);
	return r;
}
