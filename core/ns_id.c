// SPDX-License-Identifier: MIT
/*
 * Namespace ids: the number one namespace gives another (IFLA_LINK_NETNSID
 * of a veth whose peer lives elsewhere), and the map from those numbers back
 * to the names netlab knows. Apart from ns.c, which makes and caches the
 * namespaces themselves.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "vec.h"
#include "ns.h"

/* Only a whole 32-bit NSID is read; anything shorter is skipped. */
static const enum mnl_attr_data_type nsid_types[NETNSA_MAX + 1] = {
	[NETNSA_NSID] = MNL_TYPE_U32,
};
static const struct nl_attrs nsid_attrs = NL_ATTRS(nsid_types);

int ns_parse_nsid(const struct nlmsghdr *nlh, int *id)
{
	const struct nlattr *tb[NETNSA_MAX + 1];

	if (!nl_msg_index(nlh, RTM_NEWNSID, sizeof(struct rtgenmsg), &nsid_attrs, tb))
		return -EBADMSG;
	if (tb[NETNSA_NSID])
		*id = (int)mnl_attr_get_u32(tb[NETNSA_NSID]);
	return 0;
}

static int nsid_cb(const struct nlmsghdr *nlh, void *data)
{
	ns_parse_nsid(nlh, data);
	return 0;
}

int ns_peer_id(struct ns *of, struct ns *peer, int *id, struct nl_err *err)
{
	char buf[NL_REQSZ];
	struct rtgenmsg *g;
	struct nl_sock *s;
	struct nl_msg m;
	int r;

	*id = -1;
	r = ns_rtnl(of, &s, err);
	if (r < 0)
		return r;
	nl_msg_start(&m, buf, sizeof(buf), RTM_GETNSID, NLM_F_REQUEST, err);
	g = nl_put_extra(&m, sizeof(*g));
	g->rtgen_family = AF_UNSPEC;
	nl_put_u32(&m, NETNSA_FD, (uint32_t)peer->fd);
	if (!nl_msg_done(&m))
		return -err->code;
	return nl_talk(s, m.nlh, nsid_cb, id, err);
}

/* Whether name is in the map already (then its id is not the one wanted). */
static int idmap_known(const struct ns_idmap *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (!strcmp(m->v[i].name, name))
			return 1;
	return 0;
}

static int idmap_add(struct ns_idmap *m, const char *name, struct ns *cand)
{
	struct ns_idmap_entry *p;
	struct nl_err e;
	int id;

	if (cand == m->from || idmap_known(m, name) || ns_peer_id(m->from, cand, &id, &e) < 0 || id < 0)
		return 0;
	p = vec_room(m->v, &m->cap, m->n, sizeof(*p));
	if (!p)
		return -ENOMEM;
	m->v = p;
	m->v[m->n].id = id;
	snprintf(m->v[m->n].name, sizeof(m->v[m->n].name), "%s", name);
	m->n++;
	return m->want >= 0 && id == m->want ? 1 : 0;
}

static int idmap_walk_cb(const char *name, void *data)
{
	struct ns_idmap *m = data;
	struct nl_err e;
	struct ns *cand;

	/* Known names are skipped before ns_get: opening one is the cost. */
	if (idmap_known(m, name) || ns_get(name, &cand, &e) < 0)
		return 0;
	return idmap_add(m, name, cand);
}

/* One walk: the root, then /run/netns; complete unless it stopped at m->want. */
static void idmap_walk(struct ns_idmap *m)
{
	struct nl_err e;
	int r;

	/* The walk opens other handles; keep ours from being evicted meanwhile. */
	m->walks++;
	ns_pin(m->from);
	r = idmap_add(m, NS_ROOT, ns_root());
	if (r == 0)
		r = ns_list(idmap_walk_cb, m, &e);
	ns_unpin(m->from);
	/* A whole walk, or a second one that failed, is not made again. */
	if (r == 0 || m->want < 0)
		m->complete = 1;
}

static int idmap_find(const struct ns_idmap *m, int id, char *out, size_t len)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (m->v[i].id == id) {
			snprintf(out, len, "%s", m->v[i].name);
			return 1;
		}
	return 0;
}

void ns_idmap_name(struct ns_idmap *m, int id, char *out, size_t len)
{
	out[0] = '\0';
	if (idmap_find(m, id, out, len) || m->complete)
		return;
	m->want = m->walks ? -1 : id;
	idmap_walk(m);
	idmap_find(m, id, out, len);
}

void ns_idmap_free(struct ns_idmap *m)
{
	free(m->v);
	m->v = NULL;
	m->n = m->cap = 0;
}
