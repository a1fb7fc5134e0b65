/* SPDX-License-Identifier: MIT */
#ifndef NETLAB_BRVLAN_H
#define NETLAB_BRVLAN_H

#include <net/if.h>

#include "ns.h"

/*
 * A bridge's VLANs, as `bridge vlan`: which VLANs a port (or the bridge
 * itself) belongs to, which one untagged frames arriving on it join (its
 * PVID), and which leave it untagged. They are AF_BRIDGE requests on the
 * port (RTM_SETLINK to add, RTM_DELLINK to take away) carrying
 * IFLA_AF_SPEC { IFLA_BRIDGE_VLAN_INFO }, and a dump of RTM_GETLINK in
 * AF_BRIDGE asked for the VLANs (IFLA_EXT_MASK, RTEXT_FILTER_BRVLAN_COMPRESSED).
 */

#define BRVLAN_CONFIG "bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING)"

struct brvlan_spec {
	unsigned int vid; /* 1-4094 */
	int pvid;	  /* 1: untagged frames coming in join this VLAN */
	int untagged;	  /* 1: frames of this VLAN leave without a tag */
};

struct brvlan_info {
	int ifindex;
	char port[IFNAMSIZ];
	int master; /* the bridge's ifindex; the bridge's own entries have their own */
	unsigned int vid;
	int pvid, untagged;
};

typedef int (*brvlan_cb)(const struct brvlan_info *bi, void *data);

/*
 * Pure builders and parser, for the unit tests. self 1: the entry is the
 * bridge's own (the device is the bridge, BRIDGE_FLAGS_SELF), else a port's.
 * type is RTM_SETLINK (add, or change the flags of one there) or RTM_DELLINK.
 */
struct nlmsghdr *brvlan_msg(char *buf, size_t len, int type, int ifindex, int self,
			    const struct brvlan_spec *s, struct nl_err *err);
struct nlmsghdr *brvlan_msg_dump(char *buf, size_t len, struct nl_err *err);
/*
 * One answer of the dump: cb for each VLAN of the link it is about, a
 * range (the compressed form) given one VLAN at a time. 0, cb's error, or
 * -EBADMSG.
 */
int brvlan_parse(const struct nlmsghdr *nlh, brvlan_cb cb, void *data);

/* The VLAN-filtering bridge this kernel makes: 1 yes, 0 no, or -errno (err says why). */
int brvlan_kernel(struct nl_err *err);

/* A VLAN on dev (a bridge's port, or the bridge itself) in ns; del takes s->vid only. */
int brvlan_add(struct ns *ns, const char *dev, const struct brvlan_spec *s, struct nl_err *err);
int brvlan_del(struct ns *ns, const char *dev, unsigned int vid, struct nl_err *err);
/*
 * The VLANs of ns, port by port in index order, or of dev only: a bridge
 * gives its own and its ports', a port its own. -ENODEV for a dev that is
 * neither.
 */
int brvlan_list(struct ns *ns, const char *dev, brvlan_cb cb, void *data, struct nl_err *err);

#endif
