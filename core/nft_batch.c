// SPDX-License-Identifier: MIT
/*
 * An nftables batch: begin, the call's messages back to back, end, sent in
 * one datagram (nl_talk_many). The kernel applies all of it or none. Every
 * message is numbered and described as it is added, so the ACK that carries
 * an error is reported against the table, chain or rule it was about.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libnftnl/common.h>

#include "nft_int.h"
#include "nl.h"
#include "vec.h"

char *nft_batch_room(struct nft_batch *b, size_t *len, struct nl_err *err)
{
	size_t old = b->cap;
	char *p = vec_room(b->buf, &b->cap, b->len + NL_REQSZ, 1);
	struct nft_batch_msg *m;

	if (!p) {
		nl_fail(err, ENOMEM, NULL);
		return NULL;
	}
	/* Zeroed, so the padding libnftnl leaves between attributes is not sent uninitialised. */
	if (b->cap > old)
		memset(p + old, 0, b->cap - old);
	b->buf = p;
	m = vec_room(b->msg, &b->slots, b->n, sizeof(*m));
	if (!m) {
		nl_fail(err, ENOMEM, NULL);
		return NULL;
	}
	b->msg = m;
	*len = b->cap - b->len;
	return b->buf + b->len;
}

int nft_batch_push(struct nft_batch *b, const struct nlmsghdr *nlh, int rule, const char *what,
		   struct nl_err *err)
{
	if (!nlh)
		return err->code ? -err->code : -ENOMEM;
	snprintf(b->msg[b->n].what, NFT_TEXT, "%s", what);
	b->msg[b->n].rule = rule;
	b->len += NLMSG_ALIGN(nlh->nlmsg_len);
	b->n++;
	return 0;
}

void nft_batch_free(struct nft_batch *b)
{
	free(b->buf);
	free(b->msg);
}

int nft_batch_begin(struct nft_batch *b, struct nl_err *err)
{
	size_t len;
	char *p = nft_batch_room(b, &len, err);

	if (!p)
		return -ENOMEM;
	return nft_batch_push(b, nftnl_batch_begin(p, 0), -1, "batch", err);
}

int nft_batch_send(struct ns *ns, struct nft_batch *b, nl_cb cb, void *data, uint32_t *first,
		   struct nl_err *err)
{
	struct nl_sock *s;
	size_t len;
	char *p = nft_batch_room(b, &len, err);
	int r, failed = -1;

	if (!p || nft_batch_push(b, nftnl_batch_end(p, 0), -1, "batch", err) < 0)
		return -ENOMEM;
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

void nft_describe_table(char *buf, const char *table, struct ns *ns)
{
	char w[NS_WHERE_LEN];

	snprintf(buf, NFT_TEXT, "table inet %s%s", table, ns_where(ns, w, sizeof(w)));
}

void nft_describe_chain(char *buf, const char *table, const char *chain, struct ns *ns)
{
	char w[NS_WHERE_LEN];

	snprintf(buf, NFT_TEXT, "chain %s of table inet %s%s", chain, table, ns_where(ns, w, sizeof(w)));
}

/* forward rule 7 'iifname "br0" accept' of table inet netlab */
void nft_describe_rule(char *buf, const char *table, const char *chain, uint64_t handle,
		       const char *text, struct ns *ns)
{
	char w[NS_WHERE_LEN], h[24] = "";

	if (handle)
		snprintf(h, sizeof(h), " %" PRIu64, handle);
	snprintf(buf, NFT_TEXT, "%s rule%s%s%.300s%s of table inet %s%s", chain ? chain : "a", h,
		 text ? " '" : "", text ? text : "", text ? "'" : "", table, ns_where(ns, w, sizeof(w)));
}
