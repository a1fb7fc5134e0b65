// SPDX-License-Identifier: MIT
/*
 * Whose a table is. netlab tags the tables it makes with the comment
 * NFT_TAG and changes no table without it, so tables made by nft,
 * iptables-nft or Docker are never touched: the table is asked for, and one
 * of someone else's is refused before anything is sent.
 */
#include <errno.h>
#include <string.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/table.h>

#include "nft_int.h"
#include "nl.h"

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
	c = nft_table_comment(t);
	*state = c && !strcmp(c, NFT_TAG) ? 2 : 1;
	nftnl_table_free(t);
	return 0;
}

/* Whose the table is: 0 none, 1 someone else's, 2 netlab's. */
static int table_state(struct ns *ns, const char *table, int *state, struct nl_err *err)
{
	char buf[NL_REQSZ];
	struct nl_sock *s;
	struct nlmsghdr *nlh;
	int r;

	*state = 0;
	r = ns_nfnl(ns, &s, err);
	if (r < 0)
		return r;
	nlh = nft_msg_table(buf, sizeof(buf), NFT_MSG_GETTABLE, table, err);
	if (!nlh)
		return -err->code;
	r = nl_talk(s, nlh, table_cb, state, err);
	if (r == -ENOENT)
		return 0;
	return r;
}

int nft_check_table(const char *table, struct nl_err *err)
{
	char why[PARSE_WHY];

	if (nft_table_check(table, why) < 0)
		return nl_fail(err, EINVAL, "%s", why);
	return 0;
}

int nft_check_ours(struct ns *ns, const char *table, int *state, struct nl_err *err)
{
	int r;

	*state = 0;
	nft_describe_table(err->obj, table, ns);
	r = nft_check_table(table, err);
	if (r == 0)
		r = table_state(ns, table, state, err);
	if (r < 0)
		return r;
	if (*state == 1)
		return nl_fail(err, EEXIST, "a table of that name exists and netlab did not make it");
	return 0;
}
