// SPDX-License-Identifier: MIT
/*
 * nftables batches as nft(8) commands (see trace.h, trace_int.h): a table
 * with its comment, a chain with its hook, priority and policy, a rule
 * through the same decoder `nat.list` uses (nft_text.c). nft reads its
 * arguments joined, so a block or a rule goes as one word sh will not split.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>

#include "nft_int.h"
#include "trace_int.h"

/* nft_names.c's name of a family or hook, NULL for its "?" (no command names it). */
static const char *known(const char *name)
{
	return strcmp(name, "?") ? name : NULL;
}

/* The names nft(8) gives the usual priorities, where they mean the number. */
static void put_prio(struct out *o, const char *type, uint32_t hook, int32_t prio)
{
	if (!strcmp(type, "nat") && prio == 100 &&
	    (hook == NF_INET_POST_ROUTING || hook == NF_INET_LOCAL_IN))
		put(o, " priority srcnat;");
	else if (!strcmp(type, "nat") && prio == -100 &&
		 (hook == NF_INET_PRE_ROUTING || hook == NF_INET_LOCAL_OUT))
		put(o, " priority dstnat;");
	else if (prio == 0)
		put(o, " priority filter;");
	else
		put(o, " priority %d;", (int)prio);
}

static void nft_cmd(struct out *o, const char *ns, const char *verb, const char *what,
		    const char *family, const char *table)
{
	trace_in_ns(o, ns);
	put(o, "nft %s %s %s", verb, what, family);
	word(o, table);
}

/* " '{ … }'": nft's block as one word, since sh would split it at ';'. */
static int nft_table(struct out *o, const struct nlmsghdr *nlh, const char *ns)
{
	struct nftnl_table *t = nftnl_table_alloc();
	const char *fam, *c;
	char block[320];
	int r = -EBADMSG;

	if (!t)
		return -ENOMEM;
	if (nftnl_table_nlmsg_parse(nlh, t) < 0)
		goto out;
	fam = known(nft_family_name(nftnl_table_get_u32(t, NFTNL_TABLE_FAMILY)));
	r = -EOPNOTSUPP;
	if (!fam || (nftnl_table_is_set(t, NFTNL_TABLE_FLAGS) && nftnl_table_get_u32(t, NFTNL_TABLE_FLAGS)))
		goto out;
	r = 0;
	nft_cmd(o, ns, (nlh->nlmsg_type & 0xff) == NFT_MSG_NEWTABLE ? "add" : "delete", "table",
		fam, nftnl_table_get_str(t, NFTNL_TABLE_NAME));
	c = (nlh->nlmsg_type & 0xff) == NFT_MSG_NEWTABLE ? nft_table_comment(t) : NULL;
	if (c) {
		if (strchr(c, '"')) {
			r = -EOPNOTSUPP;
			goto out;
		}
		snprintf(block, sizeof(block), "{ comment \"%s\"; }", c);
		word(o, block);
	}
out:
	nftnl_table_free(t);
	return r;
}

static int nft_chain(struct out *o, const struct nlmsghdr *nlh, const char *ns)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	const char *fam, *type = "filter", *hook;
	char block[256];
	struct out b = { block, sizeof(block), 0 };
	int r = -EBADMSG, add = (nlh->nlmsg_type & 0xff) == NFT_MSG_NEWCHAIN;

	if (!c)
		return -ENOMEM;
	if (nftnl_chain_nlmsg_parse(nlh, c) < 0)
		goto out;
	r = -EOPNOTSUPP;
	fam = known(nft_family_name(nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY)));
	if (!fam)
		goto out;
	if (add && nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM)) {
		uint32_t h = nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM);

		hook = known(nft_hook_name(nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY), h));
		if (!hook)
			goto out;
		if (nftnl_chain_is_set(c, NFTNL_CHAIN_TYPE))
			type = nftnl_chain_get_str(c, NFTNL_CHAIN_TYPE);
		put(&b, "{ type %s hook %s", type, hook);
		put_prio(&b, type, h, nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO));
		if (nftnl_chain_is_set(c, NFTNL_CHAIN_POLICY))
			put(&b, " policy %s;",
			    nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY) == NF_DROP ? "drop" : "accept");
		put(&b, " }");
	}
	r = 0;
	nft_cmd(o, ns, add ? "add" : "delete", "chain", fam, nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE));
	word(o, nftnl_chain_get_str(c, NFTNL_CHAIN_NAME));
	if (b.k)
		word(o, block);
out:
	nftnl_chain_free(c);
	return r;
}

static int nft_rule(struct out *o, const struct nlmsghdr *nlh, const char *ns)
{
	struct nftnl_rule *rl = nftnl_rule_alloc();
	struct nlmsghdr *copy = NULL;
	const char *fam, *c;
	char *text = NULL;
	int r, add = (nlh->nlmsg_type & 0xff) == NFT_MSG_NEWRULE;

	if (!rl)
		return -ENOMEM;
	r = nft_msg_readable(nlh, &copy);
	if (r < 0)
		goto out;
	r = -EBADMSG;
	if (nftnl_rule_nlmsg_parse(copy, rl) < 0)
		goto out;
	r = -EOPNOTSUPP;
	fam = known(nft_family_name(nftnl_rule_get_u32(rl, NFTNL_RULE_FAMILY)));
	if (!fam)
		goto out;
	if (!add) {
		if (!nftnl_rule_is_set(rl, NFTNL_RULE_HANDLE))
			goto out;
		nft_cmd(o, ns, "delete", "rule", fam, nftnl_rule_get_str(rl, NFTNL_RULE_TABLE));
		word(o, nftnl_rule_get_str(rl, NFTNL_RULE_CHAIN));
		put(o, " handle %llu", (unsigned long long)nftnl_rule_get_u64(rl, NFTNL_RULE_HANDLE));
		r = 0;
		goto out;
	}
	text = malloc(TRACE_LINE);
	r = -ENOMEM;
	if (!text)
		goto out;
	r = nft_rule_text(rl, text, TRACE_LINE);
	if (r < 0)
		goto out;
	/* The decoder names what it cannot read in brackets: no command says that. */
	r = -EOPNOTSUPP;
	if (strchr(text, '['))
		goto out;
	nft_cmd(o, ns, nlh->nlmsg_flags & NLM_F_APPEND ? "add" : "insert", "rule", fam,
		nftnl_rule_get_str(rl, NFTNL_RULE_TABLE));
	word(o, nftnl_rule_get_str(rl, NFTNL_RULE_CHAIN));
	if (nftnl_rule_is_set(rl, NFTNL_RULE_POSITION) && nftnl_rule_get_u64(rl, NFTNL_RULE_POSITION))
		put(o, " position %llu",
		    (unsigned long long)nftnl_rule_get_u64(rl, NFTNL_RULE_POSITION));
	c = nft_rule_comment(rl);
	if (c) {
		size_t k = strlen(text);

		if (strchr(c, '"'))
			goto out;
		text_append(text, TRACE_LINE, &k, " comment \"%s\"", c);
	}
	/* nft joins its arguments: a rule of plain words needs no quotes. */
	trace_words(o, text, 1);
	r = 0;
out:
	free(text);
	free(copy);
	nftnl_rule_free(rl);
	return r;
}

int trace_nft(const struct nlmsghdr *nlh, const char *ns, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };
	int r;

	buf[0] = '\0';
	if (nlh->nlmsg_type == NFNL_MSG_BATCH_BEGIN || nlh->nlmsg_type == NFNL_MSG_BATCH_END)
		return 0;
	if ((nlh->nlmsg_type >> 8) != NFNL_SUBSYS_NFTABLES || nft_msg_check(nlh) < 0)
		return -EBADMSG;
	switch (nlh->nlmsg_type & 0xff) {
	case NFT_MSG_NEWTABLE:
	case NFT_MSG_DELTABLE:
		r = nft_table(&o, nlh, ns);
		break;
	case NFT_MSG_NEWCHAIN:
	case NFT_MSG_DELCHAIN:
		r = nft_chain(&o, nlh, ns);
		break;
	case NFT_MSG_NEWRULE:
	case NFT_MSG_DELRULE:
		r = nft_rule(&o, nlh, ns);
		break;
	default:
		r = -EOPNOTSUPP;
	}
	return trace_finish(&o, r);
}
