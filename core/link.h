/* SPDX-License-Identifier: MIT */
#ifndef NETLAB_LINK_H
#define NETLAB_LINK_H

/* glibc's net/if.h first: linux/if.h (IF_OPER_*) then leaves its duplicates out. */
#include <net/if.h>
#include <linux/if.h>
#include <netinet/in.h>
#include <stdint.h>

#include "addr.h"
#include "ns.h"
#include "parse.h"

/* One end of a link to create. Either end of a veth may be in any namespace. */
struct link_end {
	const char *name;
	struct ns *ns;
	int up;		     /* 1: bring it up */
	unsigned int mtu;    /* 0: the kernel's default */
	const char *master;  /* a bridge in the same namespace, or NULL */
	int addrgen;	     /* IN6_ADDR_GEN_MODE_*; 0 (eui64) is the kernel's default, not sent */
	const struct addr_spec *addrs; /* addresses to add, naddrs of them */
	size_t naddrs;
	int index;	     /* out: the new link's ifindex */
};

struct link_spec {
	const char *kind; /* "veth", "bridge", "dummy", … */
	struct link_end dev;
	struct link_end peer; /* veth only */
	unsigned int queues;  /* veth only: tx and rx queues of each end; 0 means 1 */
	/* bridge only: -1 leaves the kernel's default */
	int stp;
	int vlan_filtering; /* 1 sent; 0 is the kernel's default, not sent */
	int mcast_snooping;
	/* bridge: 0 leaves the kernel's default */
	unsigned int br_vlan_proto; /* ETH_P_8021Q or ETH_P_8021AD (host order) */
	int br_default_pvid;	    /* 1-4094, or -1 for none (the kernel's 0) */
	/*
	 * macvlan, ipvlan, vlan: the link it sits on; vxlan: its underlay
	 * device (dev =), or NULL. Both in dev's namespace; link_add() looks
	 * up parent_index, which the builders write (IFLA_LINK, IFLA_VXLAN_LINK).
	 */
	const char *parent;
	int parent_index;
	int mode;		/* macvlan: MACVLAN_MODE_*, ipvlan: IPVLAN_MODE_*; 0: the kernel's default */
	unsigned int vlan_id;	/* vlan: 1-4094 */
	unsigned int vlan_proto; /* vlan: ETH_P_8021Q or ETH_P_8021AD (host order); 0: 802.1Q */
	/* vxlan: the VNI, the remote (unicast) or group (multicast), local; family 0: not given */
	unsigned int vni;
	struct cidr remote, local;
	unsigned int dstport;	/* 0: 4789 */
	int learning;		/* -1: the kernel's default */
};

/* A change to an existing link; fields left at their "unset" value are not touched. */
struct link_change {
	int up;			/* -1 unchanged, 0 down, 1 up */
	unsigned int mtu;	/* 0 unchanged */
	const char *master;	/* NULL unchanged, "" nomaster */
	const char *rename;	/* NULL unchanged */
	struct ns *netns;	/* NULL: stays */
	const char *alias;	/* NULL unchanged, "" clears */
	int addrgen;		/* -1 unchanged, else IN6_ADDR_GEN_MODE_* */
};
#define LINK_CHANGE_INIT { .up = -1, .addrgen = -1 }

/*
 * One field of a link's IFLA_INFO_DATA as `ip -j -d link` gives it under
 * linkinfo.info_data (core/link_data.c reads them).
 */
enum link_dval {
	LINK_DV_NUM,	 /* num */
	LINK_DV_BOOL,	 /* num, 0 or 1 */
	LINK_DV_STR,	 /* str: an address, a mode's name */
	LINK_DV_IFINDEX, /* num: a link of the same namespace, that ip names */
	LINK_DV_FLAGS,	 /* num: a bit mask, named by link_flag_list() with flagnames */
};
struct link_flagname {
	unsigned int bit;
	const char *name;
};
struct link_datum {
	const char *name; /* ip -j's field name, static */
	int type;	  /* LINK_DV_* */
	long long num;
	const struct link_flagname *flagnames;
	char str[INET6_ADDRSTRLEN];
};
/* The most fields netlab reads of one kind (a VXLAN's are the most, 23). */
#define LINK_DATA_MAX 24

/* What a listing reports of one link. */
struct link_info {
	int index;
	char name[IFNAMSIZ];
	char kind[32];
	unsigned int flags;	/* IFF_* */
	int operstate;		/* IF_OPER_* */
	unsigned int mtu;
	int master;		/* ifindex, 0 for none */
	char master_name[IFNAMSIZ];
	int link;		/* IFLA_LINK: a veth's peer index, a macvlan's parent's */
	int link_nsid;		/* IFLA_LINK_NETNSID, -1 when that link is in the same namespace */
	/*
	 * The other link this one names, resolved by link_list(peers 1) and
	 * link_get(peer 1): a veth's peer, a macvlan's, ipvlan's or vlan's
	 * parent (IFLA_LINK), a vxlan's dev (IFLA_VXLAN_LINK), with the name
	 * of its namespace; "" if unknown.
	 */
	char other_ns[NAME_MAX + 1];
	char other_name[IFNAMSIZ];
	char alias[128];
	unsigned char mac[6];
	struct link_datum data[LINK_DATA_MAX]; /* of vlan, vxlan, macvlan, ipvlan, bridge */
	unsigned int ndata;
};

typedef int (*link_cb)(const struct link_info *li, void *data);

/*
 * Message builders and parsers: pure, exercised by the unit tests without a
 * kernel. Builders write into len bytes of buf through nl_put_* (core/nl.h):
 * a name or alias too long for its attribute, or a request that does not
 * fit, gives NULL (or 0) with err saying which.
 */
#define LINK_KIND_MAX 32 /* bytes of IFLA_INFO_KIND, with its NUL, as link_info.kind */
struct nlmsghdr *link_msg_add(char *buf, size_t len, const struct link_spec *spec,
			      int master_index, struct nl_err *err);
/* Names the link by index when index is non-zero (a rename needs it), else by name. */
struct nlmsghdr *link_msg_change(char *buf, size_t len, const char *name,
				 const struct link_change *c, int index, struct nl_err *err);
/*
 * The requests a change takes, back to back in buf: one, or two when a
 * link-local mode must be set before the link comes up. master >= 0 sets
 * IFLA_MASTER (0: none). Returns their length (0 on failure); *count gets how many.
 */
size_t link_msg_changes(char *buf, size_t buflen, const char *name, const struct link_change *c,
			int index, int master, int *count, struct nl_err *err);
int link_parse(const struct nlmsghdr *nlh, struct link_info *li);
/* link_parse() as an nl_talk() callback, into the struct link_info at data, untouched unless it parses. */
int link_info_cb(const struct nlmsghdr *nlh, void *data);
/*
 * RTM_GETLINK for one link, by name or by index, optionally in the namespace
 * with id nsid (-1: the socket's own). The name is any the caller was given:
 * the writer bounds it.
 */
struct nlmsghdr *link_msg_get(char *buf, size_t len, const char *name, int index, int nsid,
			      struct nl_err *err);
/* RTM_GETLINK for every link of a namespace. */
struct nlmsghdr *link_msg_dump(char *buf, size_t len, struct nl_err *err);
struct nlmsghdr *link_msg_del(char *buf, size_t len, const char *name, struct nl_err *err);

/*
 * What the core knows of a link kind: one entry per kind in link_msg.c's
 * table, its functions in link_<kind>.c, so that creation (link_add.c) and
 * the create request name no kind.
 */
struct link_kind {
	const char *name;
	/* The request makes a second end, spec.peer (a veth's), that link_add() finishes too. */
	int pair;
	/* Attributes of the link itself, beside IFLA_LINKINFO; or NULL. */
	void (*put_link)(struct nl_msg *m, const struct link_spec *spec);
	/* IFLA_INFO_DATA; or NULL. */
	void (*put_data)(struct nl_msg *m, const struct link_spec *spec);
	/* 1 when the request must name spec's peer rather than its dev; or NULL. */
	int (*swap)(const struct link_spec *spec);
	/* The options refused before any request, err saying why; or NULL. */
	int (*check)(const struct link_spec *spec, struct nl_err *err);
	/* 1: spec.parent must be given (and is put as IFLA_LINK by put_link). */
	int parent;
	/* What the kernel lacks when it does not know the kind: "ipvlan (CONFIG_IPVLAN)". */
	const char *config;
	/*
	 * A create refused with EOPNOTSUPP that is not about the kind: 1 when
	 * err now says what the kernel lacks (a bridge's VLAN filtering); or NULL.
	 */
	int (*refused)(const struct link_spec *spec, struct nl_err *err);
	/*
	 * The created link as the kernel answered it, checked against spec for
	 * what a kernel may drop without a word; <0 (err says why) undoes the
	 * create. Or NULL.
	 */
	int (*verify)(const struct link_spec *spec, const struct link_info *li, struct nl_err *err);
};
/* The entry for kind name; one the table lacks (the kernel may know it) has no writers. */
const struct link_kind *link_kind(const char *name);

/* The kinds' writers, one small file per kind. */
void link_veth_queues(struct nl_msg *m, const struct link_spec *spec);
void link_veth_put(struct nl_msg *m, const struct link_spec *spec);
void link_bridge_put(struct nl_msg *m, const struct link_spec *spec);
int link_bridge_check(const struct link_spec *spec, struct nl_err *err);
int link_bridge_refused(const struct link_spec *spec, struct nl_err *err);
int link_bridge_verify(const struct link_spec *spec, const struct link_info *li, struct nl_err *err);
void link_parent_put(struct nl_msg *m, const struct link_spec *spec);
void link_macvlan_put(struct nl_msg *m, const struct link_spec *spec);
int link_macvlan_check(const struct link_spec *spec, struct nl_err *err);
void link_ipvlan_put(struct nl_msg *m, const struct link_spec *spec);
int link_ipvlan_check(const struct link_spec *spec, struct nl_err *err);
void link_vlan_put(struct nl_msg *m, const struct link_spec *spec);
int link_vlan_check(const struct link_spec *spec, struct nl_err *err);
void link_vxlan_put(struct nl_msg *m, const struct link_spec *spec);
int link_vxlan_check(const struct link_spec *spec, struct nl_err *err);

/*
 * Shared by the core/link*.c files, not for callers outside them: the error
 * naming ("veth \"x\" in \"ns\""), one link read back, a full bridge explained,
 * the veth steps of link_add(), and the other link of link_get()/link_list().
 */
void link_obj(struct nl_err *err, const char *kind, const char *name, struct ns *ns);
int link_getlink(struct nl_sock *s, const char *name, int index, int nsid, struct link_info *li,
		 struct nl_err *err);
void link_explain_master(int r, const char *master, struct nl_err *err);
/* One created end's change c (NULL: none) and addresses, pipelined; master 0: left as is. */
int link_end_finish(struct nl_sock *s, const char *kind, const struct link_end *end,
		    const struct link_change *c, int master, struct nl_err *err);
int link_veth_swap(const struct link_spec *spec);
void link_other(struct ns *ns, struct nl_sock *s, struct link_info *li, struct ns_idmap *m);

/*
 * Creates spec.dev (and its peer) in place, on its master, with its
 * addresses, and up; the requests of each namespace go in one sendto.
 * Of spec, only each end's index is written.
 */
int link_add(struct link_spec *spec, struct nl_err *err);
int link_set(struct ns *ns, const char *name, const struct link_change *c, struct nl_err *err);
int link_del(struct ns *ns, const char *name, struct nl_err *err);
/* -ENODEV when there is no such link; with peer 1 its other link (a veth's peer, a parent) too. */
int link_get(struct ns *ns, const char *name, int peer, struct link_info *li, struct nl_err *err);
int link_index(struct ns *ns, const char *name, int *index, struct nl_err *err);
/* Every link of ns in index order; with peers 1, other links (a veth's peer, a parent)
 * resolved to namespace and name. */
int link_list(struct ns *ns, int peers, link_cb cb, void *data, struct nl_err *err);

const char *link_state_name(int operstate);

/*
 * IFLA_INFO_DATA of a link of the given kind into li->data (nothing for a
 * kind netlab does not read); each field only when its attribute is there
 * and long enough. -EBADMSG when the nest does not parse.
 */
int link_data_parse(const char *kind, const struct nlattr *data, struct link_info *li);
/*
 * How many attributes of an IFLA_INFO_DATA nest link_data_parse() has no
 * field for (all of them for a kind it does not read): the trace says no
 * command for a request it would read only in part.
 */
int link_data_unread(const char *kind, const struct nlattr *data);
/*
 * The names of the bits of v that table t names, in t's order, into out
 * (up to n of them; the count is returned even past n); *rest (if not NULL)
 * gets the bits t does not name.
 */
size_t link_flag_list(unsigned int v, const struct link_flagname *t, const char **out, size_t n,
		      unsigned int *rest);
/* A link's IFF_* flags as `ip -j link` lists them: NO-CARRIER first, RUNNING left out. */
size_t link_ifflags(unsigned int flags, const char **out, size_t n, unsigned int *rest);

#endif
