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
	int (*put)(struct nlmsghdr *nlh, const struct link_spec *spec, struct nl_err *err);
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

static struct ifinfomsg *put_ifinfo(struct nlmsghdr *nlh, int index, int up)
{
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));

	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = index;
	if (up >= 0) {
		ifm->ifi_change = IFF_UP;
		ifm->ifi_flags = up ? IFF_UP : 0;
	}
	return ifm;
}

struct nlmsghdr *link_msg_add(char *buf, const struct link_spec *spec, int master_index,
			      struct nl_err *err)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlattr *info;
	size_t i;

	nlh->nlmsg_type = RTM_NEWLINK;
	/*
	 * No NLM_F_ECHO: with a veth peer in another namespace the kernel fails
	 * the echo with ENOTCONN after creating the link.
	 */
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
	put_ifinfo(nlh, 0, spec->dev.up ? 1 : -1);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, spec->dev.name);
	if (spec->dev.mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, spec->dev.mtu);
	if (master_index)
		mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master_index);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, spec->kind);
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kinds[i].kind, spec->kind) && kinds[i].put &&
		    kinds[i].put(nlh, spec, err) < 0)
			return NULL;
	mnl_attr_nest_end(nlh, info);
	return nlh;
}

struct nlmsghdr *link_msg_change(char *buf, const char *name, const struct link_change *c,
				 int index_or_master)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	/* A rename needs the index to find the link, since IFLA_IFNAME carries the new name. */
	if (c->rename) {
		put_ifinfo(nlh, index_or_master, c->up);
		mnl_attr_put_strz(nlh, IFLA_IFNAME, c->rename);
	} else {
		put_ifinfo(nlh, 0, c->up);
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	}
	if (c->mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, c->mtu);
	if (c->alias)
		mnl_attr_put_strz(nlh, IFLA_IFALIAS, c->alias);
	if (c->netns)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)c->netns->fd);
	return nlh;
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

/* RTM_GETLINK for one link, by name or by index, optionally in the namespace with id nsid. */
static int getlink(struct nl_sock *s, const char *name, int index, int nsid,
		   struct link_info *li, struct nl_err *err)
{
	char buf[512];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	int r;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	put_ifinfo(nlh, index, -1);
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (nsid >= 0)
		mnl_attr_put_u32(nlh, IFLA_TARGET_NETNSID, (uint32_t)nsid);
	/* Skip statistics and VF data: a listing reads only names and state. */
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	li->index = 0;
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
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct dump d = { 0 };
	struct nsid_map m = { .from = ns, .want = -1 };
	struct nl_sock *s;
	size_t i, j;
	int r = ns_rtnl(ns, &s, err);

	nl_obj(err, "links in \"%s\"", ns->name);
	if (r < 0)
		return r;
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	put_ifinfo(nlh, 0, -1);
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	r = nl_talk(s, nlh, dump_cb, &d, err);
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

int link_add(struct link_spec *spec, struct nl_err *err)
{
	char buf[NL_BUFSZ];
	struct link_info created = { 0 };
	struct nlmsghdr *nlh;
	struct nl_sock *s;
	int master = 0, swapped = 0, r;
	int is_veth = !strcmp(spec->kind, "veth");

	if (is_veth && (r = check_end(&spec->peer, spec->kind, err)) < 0)
		return r;
	if ((r = check_end(&spec->dev, spec->kind, err)) < 0)
		return r;
	/*
	 * The kernel sets IFLA_MASTER and the up flag on the device a request
	 * names, not on a veth's peer: make the end that has a master (or is to
	 * be up) the one the request names, so that the peer needs a second
	 * request only when both ends do.
	 */
	if (is_veth && ((spec->peer.master && !spec->dev.master) ||
			(spec->peer.up && !spec->dev.up && !spec->dev.master))) {
		struct link_end t = spec->dev;

		spec->dev = spec->peer;
		spec->peer = t;
		swapped = 1;
	}
	r = ns_rtnl(spec->dev.ns, &s, err);
	if (r < 0)
		goto out;
	if (spec->dev.master) {
		r = link_index(spec->dev.ns, spec->dev.master, &master, err);
		if (r < 0) {
			if (r == -ENODEV)
				nl_fail(err, ENODEV, "no master \"%s\" to put it on", spec->dev.master);
			obj_link(err, spec->kind, spec->dev.name, spec->dev.ns);
			goto out;
		}
	}
	obj_link(err, spec->kind, spec->dev.name, spec->dev.ns);
	nlh = link_msg_add(buf, spec, master, err);
	if (!nlh) {
		r = -err->code;
		goto out;
	}
	r = nl_talk(s, nlh, NULL, NULL, err);
	if (r < 0) {
		if (r == -EEXIST)
			blame_existing(spec, err);
		if (r == -EOPNOTSUPP && !err->msg[0])
			nl_fail(err, EOPNOTSUPP, "the kernel has no \"%s\" links", spec->kind);
		goto out;
	}
	/* One lookup gives both indexes: a veth's IFLA_LINK is its peer's. */
	if (getlink(s, spec->dev.name, 0, -1, &created, err) == 0) {
		spec->dev.index = created.index;
		spec->peer.index = is_veth ? created.link : 0;
	}
	if (is_veth && (spec->peer.master || spec->peer.up)) {
		struct link_change c = LINK_CHANGE_INIT;

		c.master = spec->peer.master;
		if (spec->peer.up)
			c.up = 1;
		r = link_set(spec->peer.ns, spec->peer.name, &c, err);
		if (r < 0) {
			struct nl_err e;

			/* Leave nothing half-built: deleting one end takes both. */
			link_del(spec->dev.ns, spec->dev.name, &e);
			goto out;
		}
	}
	r = 0;
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
	char buf[1024], why[PARSE_WHY];
	struct nlmsghdr *nlh;
	struct nl_sock *s;
	int index = 0, master = -1, r;

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
	nlh = link_msg_change(buf, name, c, index);
	if (master >= 0)
		mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
	obj_link(err, NULL, name, ns);
	r = nl_talk(s, nlh, NULL, NULL, err);
	if (r == -ENODEV && !err->msg[0])
		nl_fail(err, ENODEV, "no such link");
	return r;
}

int link_del(struct ns *ns, const char *name, struct nl_err *err)
{
	char buf[512], why[PARSE_WHY];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nl_sock *s;
	int r;

	obj_link(err, NULL, name, ns);
	if (ifname_check(name, why) < 0)
		return nl_fail(err, EINVAL, "%s", why);
	r = ns_rtnl(ns, &s, err);
	if (r < 0)
		return r;
	nlh->nlmsg_type = RTM_DELLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	put_ifinfo(nlh, 0, -1);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	r = nl_talk(s, nlh, NULL, NULL, err);
	if (r == -ENODEV && !err->msg[0])
		nl_fail(err, ENODEV, "no such link");
	return r;
}
