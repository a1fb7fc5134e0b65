/* SPDX-License-Identifier: MIT */
#ifndef NETLAB_NFT_INT_H
#define NETLAB_NFT_INT_H

/*
 * Shared by the core/nft*.c files, not for callers outside them (nft.h is
 * theirs). Which file does what:
 *   nft.c        the changes: add, policy, flush, del (one batch each)
 *   nft_batch.c  a batch built, described message by message, and sent
 *   nft_own.c    whose a table is, before anything is sent
 *   nft_list.c   the listing: one dump read back into items
 *   nft_msg.c    the message builders (pure)
 *   nft_check.c  what a kernel message must be before libnftnl reads it
 *   nft_names.c  values and names as nft(8) writes them, both ways
 *   nft_text.c   the rule decoder: expressions back into nft's words
 *   nft_xt.c     the decoder's part for iptables-nft's xtables matches and targets
 */
#include <stddef.h>
#include <stdint.h>

#include "nft.h"

struct nftnl_table;
struct nftnl_rule;

/*
 * A batch being built: the messages back to back, and what each one is
 * about, so that the ACK carrying an error names its table, chain or rule.
 */
struct nft_batch {
	char *buf;
	size_t len, cap;
	struct nft_batch_msg {
		char what[NFT_TEXT];
		int rule; /* the rule spec the message adds, or -1 */
	} *msg;
	size_t n, slots;
};

/* Starts a batch (its begin message); nft_batch_free() it in any case. */
int nft_batch_begin(struct nft_batch *b, struct nl_err *err);
/*
 * Room for the next message: where to build it, and *len bytes that may be
 * written there (at least NL_REQSZ). NULL (err set) when memory runs out.
 */
char *nft_batch_room(struct nft_batch *b, size_t *len, struct nl_err *err);
/*
 * Takes the message just built at the room's start; what names it in errors,
 * rule is the index of the rule spec it adds (-1: none). A NULL nlh is a
 * builder's failure: its error (in err) is returned.
 */
int nft_batch_push(struct nft_batch *b, const struct nlmsghdr *nlh, int rule, const char *what,
		   struct nl_err *err);
/* Ends the batch and sends it; echoed messages go to cb, *first gets the seq of message 0. */
int nft_batch_send(struct ns *ns, struct nft_batch *b, nl_cb cb, void *data, uint32_t *first,
		   struct nl_err *err);
void nft_batch_free(struct nft_batch *b);

/* How objects are named in errors (NFT_TEXT bytes at buf). */
void nft_describe_table(char *buf, const char *table, struct ns *ns);
void nft_describe_chain(char *buf, const char *table, const char *chain, struct ns *ns);
/* chain NULL: "a rule"; handle 0 and text NULL are left out. */
void nft_describe_rule(char *buf, const char *table, const char *chain, uint64_t handle,
		       const char *text, struct ns *ns);

/* nft_own.c: the name checked (it goes into every message), and whose the table is. */
int nft_check_table(const char *table, struct nl_err *err);
/* *state 0 none, 2 netlab's; a table of someone else's is EEXIST. */
int nft_check_ours(struct ns *ns, const char *table, int *state, struct nl_err *err);

/* nft_list.c: the comments nft(8) writes as userdata (NULL: none). */
const char *nft_table_comment(const struct nftnl_table *t);
const char *nft_rule_comment(const struct nftnl_rule *r);

/* nft_names.c: how the bytes a register holds are written. */
enum nft_dtype {
	DT_RAW,
	DT_IPV4,
	DT_IPV6,
	DT_PORT,   /* big endian 16 bits */
	DT_PROTO,  /* an IP protocol number */
	DT_FAMILY, /* NFPROTO_* */
	DT_IFNAME,
	DT_CTSTATE,
	DT_CTDIR,
	DT_ADDRTYPE, /* RTN_* */
	DT_U32,
	DT_HEX32,
	DT_ETHER, /* an ethertype, big endian */
};

/* A meta or ct key: the words nft writes for it, and the type of what it loads. */
struct nft_key {
	uint32_t key;
	const char *name;
	enum nft_dtype type;
};

const struct nft_key *nft_meta_key(uint32_t key);
const struct nft_key *nft_ct_key(uint32_t key);
/* A value of type t from len bytes at p, into n bytes at buf; full: a prefix of an address. */
void nft_value(enum nft_dtype t, const uint8_t *p, uint32_t len, int full, char *buf, size_t n);
/* "established,related", or the bits in hex when none is known. */
void nft_ctstate_names(uint32_t bits, char *buf, size_t n);
/* "tcp", "udp" …; NULL for a protocol nft has no word for. */
const char *nft_proto_name(int p);
/* "", "!= ", "< " …, as nft writes the operator before a value. */
const char *nft_cmp_op(uint32_t op);
const char *nft_family_name(uint32_t family);
const char *nft_hook_name(uint32_t family, uint32_t hook);
uint32_t nft_u32_of(const uint8_t *p, uint32_t len);

/* nft_text.c: a NAT statement's " to ADDR[-ADDR][:PORT[-PORT]]" and flags, as nft writes it. */
struct nft_nat_to {
	int v6;
	const uint8_t *amin, *amax; /* NULL: no address, no range */
	uint32_t alen;
	const uint8_t *pmin, *pmax; /* NULL: no port, no range */
	uint32_t plen;
	uint32_t flags; /* NF_NAT_RANGE_* */
};
void nft_nat_to(const struct nft_nat_to *t, char *buf, size_t n);

/*
 * nft_xt.c: an iptables-nft "match" or "target" expression of a table of this
 * family in nft's words (1), or 0 when it is not one netlab reads.
 */
struct nftnl_expr;
int nft_xt_text(const struct nftnl_expr *e, int family, char *buf, size_t n);

#endif
