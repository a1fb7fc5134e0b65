// SPDX-License-Identifier: MIT
/*
 * Links that exist: look up, list, change and delete. Creation is in
 * link_add.c, the messages in link_msg.c, a kind's specifics in
 * link_<kind>.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "vec.h"
#include "link.h"
#include "parse.h"

void link_obj(struct nl_err *err, const char *kind, const char *name, struct ns *ns)
{
	char w[NS_WHERE_LEN];

	nl_obj(err, "%s \"%s\"%s", kind ? kind : "link", name, ns_where(ns, w, sizeof(w)));
}

int link_getlink(struct nl_sock *s, const char *name, int index, int nsid,
		 struct link_info *li, struct nl_err *err)
{
	char buf[NL_REQSZ];
	struct nlmsghdr *nlh = link_msg_get(buf, sizeof(buf), name, index, nsid, err);
	int r;

	li->index = 0;
	if (!nlh)
		return -err->code;
	r = nl_talk(s, nlh, link_info_cb, li, err);
	if (r == -ENODEV)
		nl_fail(err, ENODEV, "no such link");
	return r;
}

/* The index of the link a vxlan sends from (IFLA_VXLAN_LINK), 0 when none. */
static int vxlan_dev(const struct link_info *li)
{
	unsigned int i;

	for (i = 0; i < li->ndata; i++)
		if (li->data[i].type == LINK_DV_IFINDEX && !strcmp(li->data[i].name, "link"))
			return (int)li->data[i].num;
	return 0;
}

/*
 * Fills li->other_ns and li->other_name. A link moved to another namespace
 * keeps its parent (and a vxlan its dev and its socket) where it was made;
 * the kernel then names that namespace by IFLA_LINK_NETNSID, an id that
 * means something only to this namespace, mapped back through m.
 */
void link_other(struct ns *ns, struct nl_sock *s, struct link_info *li, struct ns_idmap *m)
{
	struct link_info o;
	struct nl_err e;
	int index = strcmp(li->kind, "vxlan") ? li->link : vxlan_dev(li);

	if (!index || (index == li->index && li->link_nsid < 0))
		return;
	if (li->link_nsid < 0)
		snprintf(li->other_ns, sizeof(li->other_ns), "%s", ns->name);
	else
		ns_idmap_name(m, li->link_nsid, li->other_ns, sizeof(li->other_ns));
	if (link_getlink(s, NULL, index, li->link_nsid, &o, &e) == 0 && o.index)
		snprintf(li->other_name, sizeof(li->other_name), "%s", o.name);
}

int link_index(struct ns *ns, const char *name, int *index, struct nl_err *err)
{
	struct link_info li;
	struct nl_sock *s;
	int r = ns_rtnl(ns, &s, err);

	if (r < 0)
		return r;
	r = link_getlink(s, name, 0, -1, &li, err);
	if (r < 0) {
		link_obj(err, NULL, name, ns);
		return r;
	}
	*index = li.index;
	return 0;
}

int link_get(struct ns *ns, const char *name, int peer, struct link_info *li, struct nl_err *err)
{
	struct nl_sock *s;
	int r = ns_rtnl(ns, &s, err);

	if (r < 0)
		return r;
	r = link_getlink(s, name, 0, -1, li, err);
	if (r < 0) {
		link_obj(err, NULL, name, ns);
		return r;
	}
	if (li->master) {
		struct link_info m;
		struct nl_err e;

		if (link_getlink(s, NULL, li->master, -1, &m, &e) == 0)
			snprintf(li->master_name, sizeof(li->master_name), "%s", m.name);
	}
	if (peer) {
		struct ns_idmap m = NS_IDMAP_INIT(ns);

		link_other(ns, s, li, &m);
		ns_idmap_free(&m);
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

	struct link_info *p = vec_room(d->v, &d->cap, d->n, sizeof(*p));

	if (!p)
		return -ENOMEM;
	d->v = p;
	if (link_parse(nlh, &d->v[d->n]) == 0)
		d->n++;
	return 0;
}

int link_list(struct ns *ns, int peers, link_cb cb, void *data, struct nl_err *err)
{
	char buf[NL_REQSZ];
	struct dump d = { 0 };
	struct ns_idmap m = NS_IDMAP_INIT(ns);
	struct nlmsghdr *nlh;
	struct nl_sock *s;
	size_t i, j;
	int r = ns_rtnl(ns, &s, err);

	nl_obj(err, "links in \"%s\"", ns->name);
	if (r < 0)
		return r;
	nlh = link_msg_dump(buf, sizeof(buf), err);
	if (!nlh)
		return -err->code;
	r = nl_talk(s, nlh, dump_cb, &d, err);
	for (i = 0; r == 0 && i < d.n; i++) {
		struct link_info *li = &d.v[i];

		for (j = 0; li->master && j < d.n; j++)
			if (d.v[j].index == li->master)
				snprintf(li->master_name, sizeof(li->master_name), "%s", d.v[j].name);
		if (peers)
			link_other(ns, s, li, &m);
		r = cb(li, data);
	}
	free(d.v);
	ns_idmap_free(&m);
	return r < 0 ? r : 0;
}

/*
 * A bridge numbers its ports in 10 bits and port 0 is not used, so the
 * 1024th port fails with a bare EXFULL ("Exchange full"); say what it means.
 */
void link_explain_master(int r, const char *master, struct nl_err *err)
{
	if (r == -EXFULL && master && master[0] && !err->msg[0])
		nl_fail(err, EXFULL, "no port left on \"%s\": a Linux bridge holds at most 1023 ports",
			master);
}

int link_set(struct ns *ns, const char *name, const struct link_change *c, struct nl_err *err)
{
	char buf[NL_REQSZ], why[PARSE_WHY];
	struct nl_sock *s;
	size_t len;
	int index = 0, master = -1, n, failed, r;

	link_obj(err, NULL, name, ns);
	if (parse_ifname(name, why) < 0)
		return nl_fail(err, EINVAL, "%s", why);
	if (c->rename && parse_ifname(c->rename, why) < 0)
		return nl_fail(err, EINVAL, "%s", why);
	r = ns_rtnl(ns, &s, err);
	if (r < 0)
		return r;
	if (c->master && c->master[0]) {
		r = link_index(ns, c->master, &master, err);
		if (r < 0) {
			if (r == -ENODEV)
				nl_fail(err, ENODEV, "no master \"%s\" to put it on", c->master);
			link_obj(err, NULL, name, ns);
			return r;
		}
	} else if (c->master) {
		master = 0;
	}
	if (c->rename && (r = link_index(ns, name, &index, err)) < 0)
		return r;
	link_obj(err, NULL, name, ns);
	len = link_msg_changes(buf, sizeof(buf), name, c, index, master, &n, err);
	if (!len)
		return -err->code;
	r = nl_talk_many(s, buf, len, NULL, NULL, &failed, err);
	if (r == -ENODEV && !err->msg[0])
		nl_fail(err, ENODEV, "no such link");
	link_explain_master(r, c->master, err);
	return r;
}

int link_del(struct ns *ns, const char *name, struct nl_err *err)
{
	char buf[NL_REQSZ], why[PARSE_WHY];
	struct nlmsghdr *nlh;
	struct nl_sock *s;
	int r;

	link_obj(err, NULL, name, ns);
	if (parse_ifname(name, why) < 0)
		return nl_fail(err, EINVAL, "%s", why);
	r = ns_rtnl(ns, &s, err);
	if (r < 0)
		return r;
	nlh = link_msg_del(buf, sizeof(buf), name, err);
	if (!nlh)
		return -err->code;
	r = nl_talk(s, nlh, NULL, NULL, err);
	if (r == -ENODEV && !err->msg[0])
		nl_fail(err, ENODEV, "no such link");
	return r;
}
