// SPDX-License-Identifier: MIT
/*
 * A bridge's VLANs (see brvlan.h), as `bridge vlan add|del|show`. A port
 * answers for its own VLANs through its bridge (the request names the
 * port; the kernel hands it to the master), the bridge for its own only
 * when the request says "self": so the flag is chosen by what the device
 * is, looked up first.
 *
 * A kernel built without CONFIG_BRIDGE_VLAN_FILTERING keeps the requests
 * and refuses them with a bare EOPNOTSUPP (no extended ack), the same
 * errno a device that is no port gets; the lookup rules the second out, so
 * the first is said with the option's name. Such a kernel also ignores a
 * bridge's vlan_protocol and default PVID without a word, and lists no
 * VLANs at all: brvlan_kernel() asks it once, in a namespace of its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
/* glibc's net/if.h before linux/if.h, which if_bridge.h includes (see link.h). */
#include <net/if.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "brvlan.h"
#include "link.h"

struct nlmsghdr *brvlan_msg(char *buf, size_t len, int type, int ifindex, int self,
			    const struct brvlan_spec *s, struct nl_err *err)
{
	struct bridge_vlan_info vi = { 0 };
	struct ifinfomsg *ifm;
	struct nlattr *af;
	struct nl_msg m;

	nl_msg_start(&m, buf, len, (uint16_t)type, NLM_F_REQUEST, err);
	ifm = nl_put_extra(&m, sizeof(*ifm));
	ifm->ifi_family = AF_BRIDGE;
	ifm->ifi_index = ifindex;
	af = nl_nest_start(&m, IFLA_AF_SPEC);
	if (self) {
		uint16_t f = BRIDGE_FLAGS_SELF;

		nl_put(&m, IFLA_BRIDGE_FLAGS, sizeof(f), &f);
	}
	vi.vid = (uint16_t)s->vid;
	if (type != RTM_DELLINK) {
		if (s->pvid)
			vi.flags |= BRIDGE_VLAN_INFO_PVID;
		if (s->untagged)
			vi.flags |= BRIDGE_VLAN_INFO_UNTAGGED;
	}
	nl_put(&m, IFLA_BRIDGE_VLAN_INFO, sizeof(vi), &vi);
	nl_nest_end(&m, af);
	return nl_msg_done(&m);
}

struct nlmsghdr *brvlan_msg_dump(char *buf, size_t len, struct nl_err *err)
{
	struct ifinfomsg *ifm;
	struct nl_msg m;

	nl_msg_start(&m, buf, len, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, err);
	ifm = nl_put_extra(&m, sizeof(*ifm));
	ifm->ifi_family = AF_BRIDGE;
	/* Compressed: a range of VLANs alike is two entries, not one per VLAN. */
	nl_put_u32(&m, IFLA_EXT_MASK, RTEXT_FILTER_BRVLAN_COMPRESSED);
	return nl_msg_done(&m);
}

static const enum mnl_attr_data_type answer_types[IFLA_MAX + 1] = {
	[IFLA_IFNAME] = MNL_TYPE_NUL_STRING,
	[IFLA_MASTER] = MNL_TYPE_U32,
	[IFLA_AF_SPEC] = MNL_TYPE_NESTED,
};
static const struct nl_attrs answer_attrs = NL_ATTRS(answer_types);

int brvlan_parse(const struct nlmsghdr *nlh, brvlan_cb cb, void *data)
{
	const struct nlattr *tb[IFLA_MAX + 1], *a;
	const struct ifinfomsg *ifm;
	struct brvlan_info bi = { 0 };
	unsigned int first = 0;
	int r;

	ifm = nl_msg_index(nlh, RTM_NEWLINK, sizeof(*ifm), &answer_attrs, tb);
	if (!ifm)
		return -EBADMSG;
	if (ifm->ifi_family != AF_BRIDGE || !tb[IFLA_AF_SPEC])
		return 0;
	bi.ifindex = ifm->ifi_index;
	if (tb[IFLA_IFNAME])
		snprintf(bi.port, sizeof(bi.port), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	bi.master = tb[IFLA_MASTER] ? (int)mnl_attr_get_u32(tb[IFLA_MASTER]) : 0;
	mnl_attr_for_each_nested(a, tb[IFLA_AF_SPEC]) {
		const struct bridge_vlan_info *vi;
		unsigned int v;

		if (mnl_attr_get_type(a) != IFLA_BRIDGE_VLAN_INFO)
			continue;
		if (mnl_attr_get_payload_len(a) < sizeof(*vi))
			return -EBADMSG;
		vi = mnl_attr_get_payload(a);
		if (vi->vid < 1 || vi->vid > 4094)
			return -EBADMSG;
		/* A range is its first VLAN (RANGE_BEGIN), then its last with the flags. */
		if (vi->flags & BRIDGE_VLAN_INFO_RANGE_BEGIN) {
			first = vi->vid;
			continue;
		}
		if (!(vi->flags & BRIDGE_VLAN_INFO_RANGE_END) || !first || first > vi->vid)
			first = vi->vid;
		bi.pvid = !!(vi->flags & BRIDGE_VLAN_INFO_PVID);
		bi.untagged = !!(vi->flags & BRIDGE_VLAN_INFO_UNTAGGED);
		for (v = first; v <= vi->vid; v++) {
			bi.vid = v;
			r = cb(&bi, data);
			if (r < 0)
				return r;
		}
		first = 0;
	}
	return 0;
}

/* The device a request names, and whether it is the bridge itself or one of its ports. */
static int port_of(struct ns *ns, const char *dev, int *index, int *self, struct nl_err *err)
{
	char w[NS_WHERE_LEN];
	struct link_info li;
	int r = link_get(ns, dev, 0, &li, err);

	if (r < 0)
		return r;
	*index = li.index;
	*self = !strcmp(li.kind, "bridge");
	if (!*self && !li.master)
		return nl_fail(err, EINVAL, "\"%s\"%s is on no bridge: bridge.attach it first", dev,
			       ns_where(ns, w, sizeof(w)));
	return 0;
}

static int change(struct ns *ns, const char *dev, int type, const struct brvlan_spec *s,
		  struct nl_err *err)
{
	char buf[NL_REQSZ], w[NS_WHERE_LEN];
	struct nlmsghdr *nlh;
	struct nl_sock *sk;
	int index = 0, self = 0, r;

	if (s->vid < 1 || s->vid > 4094)
		return nl_fail(err, EINVAL, "VLAN id %u outside 1-4094", s->vid);
	r = ns_rtnl(ns, &sk, err);
	if (r == 0)
		r = port_of(ns, dev, &index, &self, err);
	nl_obj(err, "VLAN %u on \"%s\"%s", s->vid, dev, ns_where(ns, w, sizeof(w)));
	if (r < 0)
		return r;
	nlh = brvlan_msg(buf, sizeof(buf), type, index, self, s, err);
	if (!nlh)
		return -err->code;
	r = nl_talk(sk, nlh, NULL, NULL, err);
	if (r == -EOPNOTSUPP && !err->msg[0])
		nl_fail(err, EOPNOTSUPP, "this kernel has no %s", BRVLAN_CONFIG);
	else if (r == -ENOENT && type == RTM_DELLINK && !err->msg[0])
		nl_fail(err, ENOENT, "no such VLAN on the link");
	return r;
}

int brvlan_add(struct ns *ns, const char *dev, const struct brvlan_spec *s, struct nl_err *err)
{
	return change(ns, dev, RTM_SETLINK, s, err);
}

int brvlan_del(struct ns *ns, const char *dev, unsigned int vid, struct nl_err *err)
{
	struct brvlan_spec s = { .vid = vid };

	return change(ns, dev, RTM_DELLINK, &s, err);
}

struct filter {
	int index;
	brvlan_cb cb;
	void *data;
};

static int entry_cb(const struct brvlan_info *bi, void *data)
{
	const struct filter *f = data;

	if (f->index && bi->ifindex != f->index && bi->master != f->index)
		return 0;
	return f->cb(bi, f->data);
}

static int answer_cb(const struct nlmsghdr *nlh, void *data)
{
	int r = brvlan_parse(nlh, entry_cb, data);

	return r == -EBADMSG ? 0 : r; /* one odd answer does not hide the others */
}

int brvlan_list(struct ns *ns, const char *dev, brvlan_cb cb, void *data, struct nl_err *err)
{
	struct filter f = { .cb = cb, .data = data };
	char buf[NL_REQSZ], w[NS_WHERE_LEN];
	struct nlmsghdr *nlh;
	struct nl_sock *s;
	int r;

	nl_obj(err, "VLANs in \"%s\"", ns->name);
	r = ns_rtnl(ns, &s, err);
	if (r < 0)
		return r;
	if (dev) {
		r = link_index(ns, dev, &f.index, err);
		nl_obj(err, "link \"%s\"%s", dev, ns_where(ns, w, sizeof(w)));
		if (r < 0)
			return r;
	}
	nlh = brvlan_msg_dump(buf, sizeof(buf), err);
	if (!nlh)
		return -err->code;
	return nl_talk(s, nlh, answer_cb, &f, err);
}

/*
 * Whether this kernel's bridges filter VLANs, asked without touching any
 * namespace a script sees: a bridge asked for vlan_filtering 1 in a network
 * namespace of netlab's own, which goes when its one socket closes. The
 * socket is marked scratch, so the request is neither counted, nor refused
 * in a dry run (which must know the answer too), nor traced. setns() back
 * to where the process was; ns.c's sockets keep their own namespaces.
 */
int brvlan_kernel(struct nl_err *err)
{
	static int known = -1;
	char buf[NL_REQSZ];
	struct link_spec spec = { .kind = "bridge", .dev = { .name = "vlanprobe0" },
				  .stp = -1, .vlan_filtering = 1, .mcast_snooping = -1 };
	struct nl_sock s = { 0 };
	struct nlmsghdr *nlh;
	int here, r;

	if (known >= 0)
		return known;
	nl_obj(err, "bridge VLAN filtering");
	here = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (here < 0)
		return nl_fail(err, errno, "cannot open this thread's network namespace");
	if (unshare(CLONE_NEWNET) < 0) {
		r = nl_fail(err, errno, "cannot make a network namespace to ask the kernel in");
		close(here);
		return r;
	}
	r = nl_open(&s, NETLINK_ROUTE, err);
	if (setns(here, CLONE_NEWNET) < 0) {
		/* Nothing else netlab does would be where it thinks: stop here. */
		r = nl_fail(err, errno, "cannot return to this process's network namespace");
		close(here);
		if (s.sk)
			nl_close(&s);
		return r;
	}
	close(here);
	if (r < 0)
		return r;
	s.scratch = 1;
	nlh = link_msg_add(buf, sizeof(buf), &spec, 0, err);
	r = nlh ? nl_talk(&s, nlh, NULL, NULL, err) : -err->code;
	nl_close(&s);
	if (r == 0 || r == -EOPNOTSUPP) {
		known = r == 0;
		return known;
	}
	return r;
}
