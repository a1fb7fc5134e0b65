// SPDX-License-Identifier: MIT
/*
 * Links: create (any kind, in place), change, delete, look up and list.
 * The kind-specific attributes live in link_<kind>.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "link.h"
#include "parse.h"

static const struct {
	const char *kind;
	void (*put)(struct nl_msg *m, const struct link_spec *spec);
} kinds[] = {
	{ "veth", link_veth_put },
	{ "bridge", link_bridge_put },
	{ "dummy", NULL },
};

const char *link_state_name(int operstate)
{
	static const char *const names[] = {
		[IF_OPER_UNKNOWN] = "UNKNOWN", [IF_OPER_NOTPRESENT] = "NOTPRESENT",
		[IF_OPER_DOWN] = "DOWN", [IF_OPER_LOWERLAYERDOWN] = "LOWERLAYERDOWN",
		[IF_OPER_TESTING] = "TESTING", [IF_OPER_DORMANT] = "DORMANT",
		[IF_OPER_UP] = "UP",
	};

	if (operstate < 0 || operstate > IF_OPER_UP)
		return "UNKNOWN";
	return names[operstate];
}

static void ns_suffix(char *buf, size_t len, const struct ns *ns)
{
	if (ns == ns_root())
		buf[0] = '\0';
	else
		snprintf(buf, len, " in \"%s\"", ns->name);
}

static void obj_link(struct nl_err *err, const char *kind, const char *name, struct ns *ns)
{
	char where[NAME_MAX + 8];

	ns_suffix(where, sizeof(where), ns);
	nl_obj(err, "%s%s\"%s\"%s", kind ? kind : "link", " ", name, where);
}

static struct ifinfomsg *put_ifinfo(struct nl_msg *m, int index, int up)
{
	struct ifinfomsg *ifm = nl_put_extra(m, sizeof(*ifm));

	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = index;
	if (up >= 0) {
		ifm->ifi_change = IFF_UP;
		ifm->ifi_flags = up ? IFF_UP : 0;
	}
	return ifm;
}

struct nlmsghdr *link_msg_add(char *buf, size_t len, const struct link_spec *spec,
			      int master_index, struct nl_err *err)
{
	struct nl_msg m;
	struct nlattr *info;
	size_t i;

	/*
	 * No NLM_F_ECHO: with a veth peer in another namespace the kernel fails
	 * the echo with ENOTCONN after creating the link.
	 */
	nl_msg_start(&m, buf, len, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL, err);
	put_ifinfo(&m, 0, spec->dev.up ? 1 : -1);
	nl_put_strz(&m, IFLA_IFNAME, spec->dev.name, IFNAMSIZ, "interface name");
	if (spec->dev.mtu)
		nl_put_u32(&m, IFLA_MTU, spec->dev.mtu);
	if (master_index)
		nl_put_u32(&m, IFLA_MASTER, (uint32_t)master_index);
	if (!strcmp(spec->kind, "veth"))
		link_veth_queues(&m, spec);
	info = nl_nest_start(&m, IFLA_LINKINFO);
	nl_put_strz(&m, IFLA_INFO_KIND, spec->kind, LINK_KIND_MAX, "link kind");
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kinds[i].kind, spec->kind) && kinds[i].put)
			kinds[i].put(&m, spec);
	nl_nest_end(&m, info);
	return nl_msg_done(&m);
}

/*
 * The IPv6 link-local mode. The kernel takes it only on an existing link
 * (a create request carrying it fails with EAFNOSUPPORT), and applies it
 * after the up flag of the same request: see link_msg_changes().
 */
static void put_addrgen(struct nl_msg *m, int mode)
{
	struct nlattr *af = nl_nest_start(m, IFLA_AF_SPEC);
	struct nlattr *in6 = nl_nest_start(m, AF_INET6);

	nl_put_u8(m, IFLA_INET6_ADDR_GEN_MODE, (uint8_t)mode);
	nl_nest_end(m, in6);
	nl_nest_end(m, af);
}

static void put_change(struct nl_msg *m, const char *name, const struct link_change *c,
		       int index, int master)
{
	put_ifinfo(m, index, c->up);
	/* By index, IFLA_IFNAME is a new name; without one it names the link. */
	if (c->rename)
		nl_put_strz(m, IFLA_IFNAME, c->rename, IFNAMSIZ, "interface name");
	else if (!index)
		nl_put_strz(m, IFLA_IFNAME, name, IFNAMSIZ, "interface name");
	if (c->mtu)
		nl_put_u32(m, IFLA_MTU, c->mtu);
	if (c->alias)
		nl_put_strz(m, IFLA_IFALIAS, c->alias, IFALIASZ, "alias");
	if (c->netns)
		nl_put_u32(m, IFLA_NET_NS_FD, (uint32_t)c->netns->fd);
	if (c->addrgen >= 0)
		put_addrgen(m, c->addrgen);
	if (master >= 0)
		nl_put_u32(m, IFLA_MASTER, (uint32_t)master);
}

struct nlmsghdr *link_msg_change(char *buf, size_t len, const char *name,
				 const struct link_change *c, int index, struct nl_err *err)
{
	struct nl_msg m;

	nl_msg_start(&m, buf, len, RTM_NEWLINK, NLM_F_REQUEST, err);
	put_change(&m, name, c, index, -1);
	return nl_msg_done(&m);
}

size_t link_msg_changes(char *buf, size_t buflen, const char *name, const struct link_change *c,
			int index, int master, int *count, struct nl_err *err)
{
	struct link_change first = *c;
	struct nl_msg m;
	size_t len;

	/*
	 * A link that is up with carrier makes its link-local address as the
	 * up flag is applied, before IFLA_AF_SPEC of the same request is read:
	 * "none" must reach it in a request of its own, just before.
	 */
	if (c->addrgen >= 0 && c->up == 1)
		first.up = -1;
	*count = 0;
	nl_msg_start(&m, buf, buflen, RTM_NEWLINK, NLM_F_REQUEST, err);
	put_change(&m, name, &first, index, master);
	if (!nl_msg_done(&m))
		return 0;
	len = MNL_ALIGN(m.nlh->nlmsg_len);
	*count = 1;
	if (first.up != c->up) {
		struct link_change up = LINK_CHANGE_INIT;

		up.up = 1;
		/* After a rename in the first request, only the index still names the link. */
		nl_msg_start(&m, buf + len, len < buflen ? buflen - len : 0, RTM_NEWLINK,
			     NLM_F_REQUEST, err);
		put_change(&m, c->rename ? c->rename : name, &up, index, -1);
		if (!nl_msg_done(&m))
			return 0;
		len += MNL_ALIGN(m.nlh->nlmsg_len);
		*count = 2;
	}
	return len;
}

static int linkinfo_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (type == IFLA_INFO_KIND && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
		tb[type] = a;
	return MNL_CB_OK;
}

/* The attributes netlab reads, with the type each must validate as. */
static const enum mnl_attr_data_type link_attr_types[IFLA_MAX + 1] = {
	[IFLA_IFNAME] = MNL_TYPE_NUL_STRING,
	[IFLA_MTU] = MNL_TYPE_U32,
	[IFLA_OPERSTATE] = MNL_TYPE_U8,
	[IFLA_MASTER] = MNL_TYPE_U32,
	[IFLA_LINK] = MNL_TYPE_U32,
	[IFLA_LINK_NETNSID] = MNL_TYPE_U32,
	[IFLA_IFALIAS] = MNL_TYPE_NUL_STRING,
	[IFLA_ADDRESS] = MNL_TYPE_BINARY,
	[IFLA_LINKINFO] = MNL_TYPE_NESTED,
};

static int link_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (type > IFLA_MAX || !link_attr_types[type])
		return MNL_CB_OK;
	if (mnl_attr_validate(a, link_attr_types[type]) < 0)
		return MNL_CB_OK; /* a malformed attribute is skipped, not trusted */
	tb[type] = a;
	return MNL_CB_OK;
}

int link_parse(const struct nlmsghdr *nlh, struct link_info *li)
{
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != RTM_NEWLINK || nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifm)))
		return -EBADMSG;
	memset(li, 0, sizeof(*li));
	li->index = ifm->ifi_index;
	li->flags = ifm->ifi_flags;
	li->link_nsid = -1;
	if (mnl_attr_parse(nlh, sizeof(*ifm), link_attr, tb) < 0)
		return -EBADMSG;
	if (!tb[IFLA_IFNAME])
		return -EBADMSG;
	snprintf(li->name, sizeof(li->name), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	if (tb[IFLA_MTU])
		li->mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
	li->operstate = tb[IFLA_OPERSTATE] ? mnl_attr_get_u8(tb[IFLA_OPERSTATE]) : IF_OPER_UNKNOWN;
	if (tb[IFLA_MASTER])
		li->master = (int)mnl_attr_get_u32(tb[IFLA_MASTER]);
	if (tb[IFLA_LINK])
		li->link = (int)mnl_attr_get_u32(tb[IFLA_LINK]);
	if (tb[IFLA_LINK_NETNSID])
		li->link_nsid = (int)mnl_attr_get_u32(tb[IFLA_LINK_NETNSID]);
	if (tb[IFLA_IFALIAS])
		snprintf(li->alias, sizeof(li->alias), "%s", mnl_attr_get_str(tb[IFLA_IFALIAS]));
	if (tb[IFLA_ADDRESS] && mnl_attr_get_payload_len(tb[IFLA_ADDRESS]) == 6)
		memcpy(li->mac, mnl_attr_get_payload(tb[IFLA_ADDRESS]), 6);
	if (tb[IFLA_LINKINFO]) {
		const struct nlattr *ti[IFLA_INFO_MAX + 1] = { 0 };

		mnl_attr_parse_nested(tb[IFLA_LINKINFO], linkinfo_attr, ti);
		if (ti[IFLA_INFO_KIND])
			snprintf(li->kind, sizeof(li->kind), "%s",
				 mnl_attr_get_str(ti[IFLA_INFO_KIND]));
	}
	if (!li->kind[0] && (li->flags & IFF_LOOPBACK))
		snprintf(li->kind, sizeof(li->kind), "loopback");
	return 0;
}

static int info_cb(const struct nlmsghdr *nlh, void *data)
{
	link_parse(nlh, data);
	return 0;
}

/*
 * RTM_GETLINK for one link, by name or by index, optionally in the namespace
 * with id nsid. The name is any the caller was given: the writer bounds it.
 */
static struct nlmsghdr *getlink_msg(char *buf, size_t len, const char *name, int index, int nsid,
				    struct nl_err *err)
{
	struct nl_msg m;

	nl_msg_start(&m, buf, len, RTM_GETLINK, NLM_F_REQUEST, err);
	put_ifinfo(&m, index, -1);
	if (name)
		nl_put_strz(&m, IFLA_IFNAME, name, IFNAMSIZ, "interface name");
	if (nsid >= 0)
		nl_put_u32(&m, IFLA_TARGET_NETNSID, (uint32_t)nsid);
	/* Skip statistics and VF data: a listing reads only names and state. */
	nl_put_u32(&m, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	return nl_msg_done(&m);
}

static int getlink(struct nl_sock *s, const char *name, int index, int nsid,
		   struct link_info *li, struct nl_err *err)
{
	char buf[512];
	struct nlmsghdr *nlh = getlink_msg(buf, sizeof(buf), name, index, nsid, err);
	int r;

	li->index = 0;
	if (!nlh)
		return -err->code;
	r = nl_talk(s, nlh, info_cb, li, err);
	if (r == -ENODEV)
		nl_fail(err, ENODEV, "no such link");
	return r;
}

int link_index(struct ns *ns, const char *name, int *index, struct nl_err *err)
{
	struct link_info li;
	struct nl_sock *s;
	int r = ns_rtnl(ns, &s, err);

	if (r < 0)
		return r;
	r = getlink(s, name, 0, -1, &li, err);
	if (r < 0) {
		obj_link(err, NULL, name, ns);
		return r;
	}
	*index = li.index;
	return 0;
}

/*
 * Namespace ids are per namespace and only mean something to the one that
 * assigned them, so mapping IFLA_LINK_NETNSID back to a name means asking ns
 * for the id of each namespace netlab can name. A listing builds the whole
 * map once; a single lookup stops at the first match.
 */
struct nsid_map {
	struct ns *from;
	int want; /* >= 0: stop at this id */
	int built;
	size_t n, cap;
	struct nsid_entry {
		int id;
		char name[NAME_MAX + 1];
	} *v;
};

static int nsid_add(struct nsid_map *m, const char *name, struct ns *cand)
{
	struct nl_err e;
	int id;

	if (cand == m->from || ns_peer_id(m->from, cand, &id, &e) < 0 || id < 0)
		return 0;
	if (m->n == m->cap) {
		struct nsid_entry *p = realloc(m->v, (m->cap = m->cap ? m->cap * 2 : 16) * sizeof(*p));

		if (!p)
			return -ENOMEM;
		m->v = p;
	}
	m->v[m->n].id = id;
	snprintf(m->v[m->n].name, sizeof(m->v[m->n].name), "%s", name);
	m->n++;
	return m->want >= 0 && id == m->want ? 1 : 0;
}

static int nsid_walk_cb(const char *name, void *data)
{
	struct nsid_map *m = data;
	struct nl_err e;
	struct ns *cand;

	if (ns_get(name, &cand, &e) < 0)
		return 0;
	return nsid_add(m, name, cand);
}

static void nsid_map_build(struct nsid_map *m)
{
	struct nl_err e;

	/* The walk opens other handles; keep ours from being evicted meanwhile. */
	m->built = 1;
	ns_pin(m->from);
	if (nsid_add(m, NS_ROOT, ns_root()) == 0)
		ns_list(nsid_walk_cb, m, &e);
	ns_unpin(m->from);
}

static void nsid_map_find(const struct nsid_map *m, int id, char *out, size_t len)
{
	size_t i;

	out[0] = '\0';
	for (i = 0; i < m->n; i++)
		if (m->v[i].id == id) {
			snprintf(out, len, "%s", m->v[i].name);
			return;
		}
}

/* Fills li->peer_ns and li->peer_name for a veth. */
static void resolve_peer(struct ns *ns, struct nl_sock *s, struct link_info *li,
			 struct nsid_map *m)
{
	struct link_info peer;
	struct nl_err e;

	if (strcmp(li->kind, "veth") || !li->link)
		return;
	if (li->link_nsid < 0) {
		snprintf(li->peer_ns, sizeof(li->peer_ns), "%s", ns->name);
	} else {
		if (!m->built)
			nsid_map_build(m);
		nsid_map_find(m, li->link_nsid, li->peer_ns, sizeof(li->peer_ns));
	}
	if (getlink(s, NULL, li->link, li->link_nsid, &peer, &e) == 0 && peer.index)
		snprintf(li->peer_name, sizeof(li->peer_name), "%s", peer.name);
}

int link_get(struct ns *ns, const char *name, int peer, struct link_info *li, struct nl_err *err)
{
	struct nl_sock *s;
	int r = ns_rtnl(ns, &s, err);

	if (r < 0)
		return r;
	r = getlink(s, name, 0, -1, li, err);
	if (r < 0) {
		obj_link(err, NULL, name, ns);
		return r;
	}
	if (li->master) {
		struct link_info m;
		struct nl_err e;

		if (getlink(s, NULL, li->master, -1, &m, &e) == 0)
			snprintf(li->master_name, sizeof(li->master_name), "%s", m.name);
	}
	if (peer) {
		struct nsid_map m = { .from = ns, .want = li->link_nsid };

		resolve_peer(ns, s, li, &m);
		free(m.v);
	}
	return 0;
}

struct dump {
	struct link_info *v;
	size_t n, cap;
};

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump *d = data;

	if (d->n == d->cap) {
		struct link_info *p = realloc(d->v, (d->cap = d->cap ? d->cap * 2 : 16) * sizeof(*p));

		if (!p)
			return -ENOMEM;
		d->v = p;
	}
	if (link_parse(nlh, &d->v[d->n]) == 0)
		d->n++;
	return 0;
}

int link_list(struct ns *ns, int peers, link_cb cb, void *data, struct nl_err *err)
{
	char buf[256];
	struct dump d = { 0 };
	struct nsid_map m = { .from = ns, .want = -1 };
	struct nl_sock *s;
	size_t i, j;
	struct nl_msg msg;
	int r = ns_rtnl(ns, &s, err);

	nl_obj(err, "links in \"%s\"", ns->name);
	if (r < 0)
		return r;
	nl_msg_start(&msg, buf, sizeof(buf), RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, err);
	put_ifinfo(&msg, 0, -1);
	nl_put_u32(&msg, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	r = nl_talk(s, nl_msg_done(&msg), dump_cb, &d, err);
	for (i = 0; r == 0 && i < d.n; i++) {
		struct link_info *li = &d.v[i];

		for (j = 0; li->master && j < d.n; j++)
			if (d.v[j].index == li->master)
				snprintf(li->master_name, sizeof(li->master_name), "%s", d.v[j].name);
		if (peers)
			resolve_peer(ns, s, li, &m);
		r = cb(li, data);
	}
	free(d.v);
	free(m.v);
	return r < 0 ? r : 0;
}

/* Names the end that already exists, so EEXIST points at the right name. */
static void blame_existing(struct link_spec *spec, struct nl_err *err)
{
	int index;
	struct nl_err e;

	if (link_index(spec->dev.ns, spec->dev.name, &index, &e) == 0)
		obj_link(err, spec->kind, spec->dev.name, spec->dev.ns);
	else if (spec->peer.name && link_index(spec->peer.ns, spec->peer.name, &index, &e) == 0)
		obj_link(err, spec->kind, spec->peer.name, spec->peer.ns);
}

static int check_end(const struct link_end *end, const char *kind, struct nl_err *err)
{
	char why[PARSE_WHY];

	obj_link(err, kind, end->name, end->ns);
	if (ifname_check(end->name, why) < 0)
		return nl_fail(err, EINVAL, "%s", why);
	if (end->master && ifname_check(end->master, why) < 0)
		return nl_fail(err, EINVAL, "%s", why);
	return 0;
}

/*
 * After the create request, the rest of one end: its change (up, master,
 * link-local mode), addressed by the index the kernel gave it, then its
 * addresses. They are pipelined, one sendto for the lot, because each
 * depends only on the link existing, which the create's ACK has shown.
 */
static int end_finish(struct nl_sock *s, const char *kind, const struct link_end *end,
		      const struct link_change *c, int master, struct nl_err *err)
{
	char buf[8192];
	size_t k = 0;
	int pending = c != NULL, failed, r;

	while (pending || k < end->naddrs) {
		size_t len = 0, first = k;
		int with_change = 0;
		struct nlmsghdr *nlh;

		if (pending) {
			len = link_msg_changes(buf, sizeof(buf), end->name, c, end->index,
					       master ? master : -1, &with_change, err);
			if (!len) {
				obj_link(err, kind, end->name, end->ns);
				return -err->code;
			}
			pending = 0;
		}
		/* An address request is under 128 bytes; a long list goes in several sends. */
		for (; k < end->naddrs && len + 128 <= sizeof(buf); k++) {
			nlh = addr_msg(buf + len, RTM_NEWADDR, end->index, &end->addrs[k]);
			len += MNL_ALIGN(nlh->nlmsg_len);
		}
		r = nl_talk_many(s, buf, len, NULL, NULL, &failed, err);
		if (r < 0) {
			if (failed >= with_change)
				addr_obj(err, &end->addrs[first + (size_t)(failed - with_change)].local,
					 end->name, end->ns);
			else
				obj_link(err, kind, end->name, end->ns);
			return r;
		}
	}
	return 0;
}

/*
 * A bridge numbers its ports in 10 bits and port 0 is not used, so the
 * 1024th port fails with a bare EXFULL ("Exchange full"); say what it means.
 */
static void explain_master(int r, const char *master, struct nl_err *err)
{
	if (r == -EXFULL && master && master[0] && !err->msg[0])
		nl_fail(err, EXFULL, "no port left on \"%s\": a Linux bridge holds at most 1023 ports",
			master);
}

/* A master's index, with the error naming the link that was to be put on it. */
static int master_index(const char *kind, const struct link_end *end, int *index,
			struct nl_err *err)
{
	int r;

	*index = 0;
	if (!end->master)
		return 0;
	r = link_index(end->ns, end->master, index, err);
	if (r == -ENODEV)
		nl_fail(err, ENODEV, "no master \"%s\" to put it on", end->master);
	if (r < 0)
		obj_link(err, kind, end->name, end->ns);
	return r;
}

int link_add(struct link_spec *spec, struct nl_err *err)
{
	char buf[NL_BUFSZ];
	struct link_spec req;
	struct link_change dc = LINK_CHANGE_INIT, pc = LINK_CHANGE_INIT;
	struct link_info created = { 0 };
	struct link_end *dev = &spec->dev, *peer = &spec->peer;
	struct nlmsghdr *nlh;
	struct nl_sock *s, *ps = NULL;
	struct nl_err e;
	size_t len;
	int master, peer_master = 0, swapped = 0, late_up, failed, r;
	int is_veth = !strcmp(spec->kind, "veth");

	if (is_veth && (r = check_end(&spec->peer, spec->kind, err)) < 0)
		return r;
	if ((r = check_end(&spec->dev, spec->kind, err)) < 0)
		return r;
	/*
	 * The kernel sets IFLA_MASTER and the up flag on the device a request
	 * names, not on a veth's peer: make the end that has a master (or is to
	 * be up) the one the request names.
	 */
	if (is_veth && ((spec->peer.master && !spec->dev.master) ||
			(spec->peer.up && !spec->dev.up && !spec->dev.master))) {
		struct link_end t = spec->dev;

		spec->dev = spec->peer;
		spec->peer = t;
		swapped = 1;
	}
	/* Everything that can fail without touching the kernel, first. */
	r = ns_rtnl(dev->ns, &s, err);
	if (r == 0 && is_veth)
		r = ns_rtnl(peer->ns, &ps, err);
	if (r == 0)
		r = master_index(spec->kind, dev, &master, err);
	if (r == 0 && is_veth)
		r = master_index(spec->kind, peer, &peer_master, err);
	if (r < 0)
		goto out;
	/*
	 * A bridge port comes up last, after its peer, so that it comes up with
	 * carrier. Up with a master but no carrier yet, the bridge would enable
	 * the port, disable it when the kernel notices there is no carrier and
	 * enable it again when the peer comes up: three walks of all its ports,
	 * which makes a big bridge quadratic. An end with a link-local mode is
	 * brought up once that is set (see link_msg_changes).
	 */
	late_up = dev->up && (dev->addrgen || (is_veth && dev->master && peer->up));
	req = *spec;
	req.dev.up = dev->up && !late_up;
	obj_link(err, spec->kind, dev->name, dev->ns);
	nlh = link_msg_add(buf, sizeof(buf), &req, master, err);
	if (!nlh) {
		r = -err->code;
		goto out;
	}
	/*
	 * The lookup of the new indexes rides in the same sendto: if the create
	 * fails, its answer is never read. One lookup gives both, since a veth's
	 * IFLA_LINK is its peer's index.
	 */
	len = MNL_ALIGN(nlh->nlmsg_len);
	nlh = getlink_msg(buf + len, sizeof(buf) - len, dev->name, 0, -1, err);
	if (!nlh) {
		r = -err->code;
		goto out;
	}
	len += MNL_ALIGN(nlh->nlmsg_len);
	r = nl_talk_many(s, buf, len, info_cb, &created, &failed, err);
	if (r < 0 && failed == 0) {
		if (r == -EEXIST)
			blame_existing(spec, err);
		if (r == -EOPNOTSUPP && !err->msg[0])
			nl_fail(err, EOPNOTSUPP, "the kernel has no \"%s\" links", spec->kind);
		explain_master(r, dev->master, err);
	}
	/* Only a failed lookup says the link was made; else it may not be ours to delete. */
	if (r < 0 && failed == 1)
		goto undo;
	if (r < 0)
		goto out;
	dev->index = created.index;
	peer->index = is_veth ? created.link : 0;
	if (is_veth) {
		pc.up = peer->up ? 1 : -1;
		pc.addrgen = peer->addrgen ? peer->addrgen : -1;
		r = end_finish(ps, spec->kind, peer,
			       peer->up || peer->addrgen || peer_master ? &pc : NULL, peer_master,
			       err);
		explain_master(r, peer->master, err);
		if (r < 0)
			goto undo;
	}
	dc.up = late_up ? 1 : -1;
	dc.addrgen = dev->addrgen ? dev->addrgen : -1;
	r = end_finish(s, spec->kind, dev, late_up || dev->addrgen ? &dc : NULL, 0, err);
	if (r == 0)
		goto out;
undo:
	/* Leave nothing half-built: deleting one end takes both. */
	link_del(dev->ns, dev->name, &e);
out:
	if (swapped) {
		struct link_end t = spec->dev;

		spec->dev = spec->peer;
		spec->peer = t;
	}
	return r;
}

int link_set(struct ns *ns, const char *name, const struct link_change *c, struct nl_err *err)
{
	char buf[2048], why[PARSE_WHY];
	struct nl_sock *s;
	size_t len;
	int index = 0, master = -1, n, failed, r;

	obj_link(err, NULL, name, ns);
	if (ifname_check(name, why) < 0)
		return nl_fail(err, EINVAL, "%s", why);
	if (c->rename && ifname_check(c->rename, why) < 0)
		return nl_fail(err, EINVAL, "%s", why);
	r = ns_rtnl(ns, &s, err);
	if (r < 0)
		return r;
	if (c->master && c->master[0]) {
		r = link_index(ns, c->master, &master, err);
		if (r < 0) {
			if (r == -ENODEV)
				nl_fail(err, ENODEV, "no master \"%s\" to put it on", c->master);
			obj_link(err, NULL, name, ns);
			return r;
		}
	} else if (c->master) {
		master = 0;
	}
	if (c->rename && (r = link_index(ns, name, &index, err)) < 0)
		return r;
	obj_link(err, NULL, name, ns);
	len = link_msg_changes(buf, sizeof(buf), name, c, index, master, &n, err);
	if (!len)
		return -err->code;
	r = nl_talk_many(s, buf, len, NULL, NULL, &failed, err);
	if (r == -ENODEV && !err->msg[0])
		nl_fail(err, ENODEV, "no such link");
	explain_master(r, c->master, err);
	return r;
}

int link_del(struct ns *ns, const char *name, struct nl_err *err)
{
	char buf[512], why[PARSE_WHY];
	struct nl_msg m;
	struct nl_sock *s;
	int r;

	obj_link(err, NULL, name, ns);
	if (ifname_check(name, why) < 0)
		return nl_fail(err, EINVAL, "%s", why);
	r = ns_rtnl(ns, &s, err);
	if (r < 0)
		return r;
	nl_msg_start(&m, buf, sizeof(buf), RTM_DELLINK, NLM_F_REQUEST, err);
	put_ifinfo(&m, 0, -1);
	nl_put_strz(&m, IFLA_IFNAME, name, IFNAMSIZ, "interface name");
	if (!nl_msg_done(&m))
		return -err->code;
	r = nl_talk(s, m.nlh, NULL, NULL, err);
	if (r == -ENODEV && !err->msg[0])
		nl_fail(err, ENODEV, "no such link");
	return r;
}
