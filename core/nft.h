/* SPDX-License-Identifier: MIT */
#ifndef NETLAB_NFT_H
#define NETLAB_NFT_H

#include <net/if.h>
#include <stdint.h>

#include "ns.h"
#include "parse.h"

/*
 * netlab's rules live in tables of its own, of the inet family so that one
 * table holds IPv4 and IPv6 alike. A table's name is a parameter everywhere
 * (a lab may have its own); netlab tags the tables it makes with a comment
 * and refuses to change or delete a table that lacks the tag, so tables made
 * by nft, iptables-nft or Docker are never touched.
 */
#define NFT_TABLE_DEFAULT "netlab"
#define NFT_TAG "netlab"
/* Comments are stored with their NUL in 128 bytes, as nft(8) stores them. */
#define NFT_COMMENT_MAX 128
/* Room for a rule as text, and for the description of an object in errors. */
#define NFT_TEXT 512

/* The base chains netlab makes in its table, each on first use. */
enum nft_chain {
	NFT_POSTROUTING, /* nat at srcnat: masquerade */
	NFT_PREROUTING,	 /* nat at dstnat: ports forwarded for traffic from outside */
	NFT_OUTPUT,	 /* nat at dstnat: the same for the host's own traffic */
	NFT_FORWARD,	 /* filter: the forward policy and its accept rules */
	NFT_NCHAINS
};

enum nft_action { NFT_ACCEPT, NFT_MASQUERADE, NFT_DNAT };

/* One rule: what it matches (a field left zero matches anything) and what it does. */
struct nft_rule_spec {
	enum nft_chain chain;
	int family;		 /* AF_INET or AF_INET6 for one of them; 0 for both */
	int has_saddr, has_daddr;
	struct cidr saddr, daddr;
	int not_daddr;		 /* with has_daddr: traffic NOT to daddr (its plen > 0) */
	int local;		 /* to one of the host's own addresses (fib daddr type local) */
	char iif[IFNAMSIZ];	 /* by name, as iptables -i: the device may come later */
	char oif[IFNAMSIZ];
	int l4proto;		 /* IPPROTO_TCP, IPPROTO_UDP or 0 */
	uint16_t dport;		 /* with l4proto */
	uint32_t ct_state;	 /* NF_CT_STATE_* bits, any of which matches; 0: any */
	enum nft_action action;
	struct cidr to;		 /* NFT_DNAT: the address (plen ignored) */
	uint16_t to_port;	 /* NFT_DNAT: 0 keeps the port */
	char comment[NFT_COMMENT_MAX];
	uint64_t handle;	 /* out: the handle the kernel gave the rule */
};

/* A rule to delete: its handle, and its chain if known (NULL: looked up). */
struct nft_ref {
	uint64_t handle;
	const char *chain;
	const char *text; /* for error messages; may be NULL */
};

/* What a listing reports: a table, then its chains, each followed by its rules. */
enum nft_item_kind { NFT_ITEM_TABLE, NFT_ITEM_CHAIN, NFT_ITEM_RULE };

struct nft_item {
	enum nft_item_kind kind;
	const char *family; /* "inet", "ip", "ip6", "arp", "bridge", "netdev" */
	const char *table;
	const char *chain;  /* chains and rules */
	uint64_t handle;
	const char *comment; /* NULL: none */
	int netlab;	     /* tables: made by netlab (tagged) */
	/* base chains (type NULL for a regular chain) */
	const char *type;
	const char *hook;
	int prio;
	const char *policy;
	/* rules */
	const char *text;
	int has_counter;
	uint64_t packets, bytes;
};

typedef int (*nft_item_cb)(const struct nft_item *it, void *data);

/*
 * Each call is one atomic batch. On failure err->obj names the table, chain
 * or rule whose message the kernel refused, and nothing of the batch stays.
 */
/* Appends rules (making the table and the chains they need); fills their handles. */
int nft_add(struct ns *ns, const char *table, struct nft_rule_spec *rules, size_t n,
	    struct nl_err *err);
/* The forward chain's policy: NF_ACCEPT or NF_DROP. */
int nft_policy(struct ns *ns, const char *table, int verdict, struct nl_err *err);
int nft_del(struct ns *ns, const char *table, const struct nft_ref *refs, size_t n,
	    struct nl_err *err);
/* Deletes netlab's table with everything in it; nothing to do when there is none. */
int nft_flush(struct ns *ns, const char *table, struct nl_err *err);
/* The items of one table of netlab's (any family's tables of that name), or of every table when NULL. */
int nft_list(struct ns *ns, const char *table, nft_item_cb cb, void *data, struct nl_err *err);

/*
 * Message builders and the rule decoder: pure, exercised by the unit tests.
 * A builder writes at most len bytes at buf (NL_REQSZ holds any of them) and
 * returns the message, or NULL with err saying why: EINVAL for a table or
 * chain name of NFT_NAME_MAXLEN bytes or more, a comment that fills its
 * array or a chain that is not one of enum nft_chain; EMSGSIZE when the
 * message does not fit in len; ENOMEM.
 */
struct nlmsghdr *nft_msg_table(char *buf, size_t len, uint16_t type, const char *table,
			       struct nl_err *err);
/* policy -1 leaves an existing chain's policy as it is. */
struct nlmsghdr *nft_msg_chain(char *buf, size_t len, const char *table, enum nft_chain c,
			       int policy, struct nl_err *err);
struct nlmsghdr *nft_msg_rule(char *buf, size_t len, const char *table,
			      const struct nft_rule_spec *r, struct nl_err *err);
/* The deletion of the rule with that handle, in a chain given by name. */
struct nlmsghdr *nft_msg_delrule(char *buf, size_t len, const char *table, const char *chain,
				 uint64_t handle, struct nl_err *err);
const char *nft_chain_name(enum nft_chain c);

/*
 * 0 when libnftnl may parse nlh: the names a table, chain or rule must have
 * are there and every string it reads ends in NUL; else -EBADMSG. Every
 * message from the kernel goes through it before the library sees it.
 */
int nft_msg_check(const struct nlmsghdr *nlh);
/*
 * A checked copy of nlh for libnftnl to parse (free() it): expressions netlab
 * does not decode keep only their name, so no attribute it has not checked
 * reaches the library. -EBADMSG when nft_msg_check() refuses nlh.
 */
int nft_msg_readable(const struct nlmsghdr *nlh, struct nlmsghdr **out);

struct nftnl_rule;
/* A rule as nft(8) would print it, without counters and comment; returns the length. */
int nft_rule_text(const struct nftnl_rule *r, char *buf, size_t len);
/* The same for a NEWRULE message; -EBADMSG when it is not one. */
int nft_msg_text(const struct nlmsghdr *nlh, char *buf, size_t len);
/*
 * The text of the rule r would be, as in error messages and rule objects;
 * "?" and the builder's -errno when r cannot be built.
 */
int nft_spec_text(const char *table, const struct nft_rule_spec *r, char *buf, size_t len);

/* Validators, before any syscall (see parse.h). */
int nft_table_check(const char *s, char *why);
/* "established,related" into NF_CT_STATE_* bits. */
int nft_ctstate_parse(const char *s, uint32_t *bits, char *why);

#endif
