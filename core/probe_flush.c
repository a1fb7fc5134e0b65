// SPDX-License-Identifier: MIT
/*
 * A probe leaves the kernel as it found it, neighbour entries included.
 *
 * Every address a probe resolves leaves an entry in the prober's namespace,
 * and the answer one in the answerer's; the kernel keeps a resolved entry
 * held by its timer for the reachable time (15 to 45 s) and only then lets
 * the forced collection free it. The table is one for all namespaces of the
 * host (probe_neigh.c, gc_thresh3 = 1024 by default), so a matrix larger
 * than it had to wait for it to drain: star 100, 10,100 entries, took 12
 * minutes. Deleting the entries a pass made (RTM_DELNEIGH) frees them at
 * once, and the next wave has the room straight away.
 *
 * What is deleted is exactly what the pass added: before it, every
 * namespace's table is read (RTM_GETNEIGH dump; the answerers are not
 * known in advance, so all of them); after it, an entry is deleted when it
 * was not there before, its address is one of the call's (a target or a
 * source, which in a lab's matrix are the lab's addresses), and it is
 * neither PERMANENT nor NOARP (those are configuration, never a
 * resolution). An entry that was there before is left, whatever its state.
 *
 * The deletions restore, they change nothing the user made: they do not
 * pass the change gate (change.c: no count, no NETLAB_FAULT_AT, and a dry
 * run never probes) nor the trace (nl_talk's), so they are sent on the
 * namespace's rtnetlink socket directly and their acks read here.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "ns.h"
#include "parse.h"
#include "probe.h"
#include "vec.h"

static const enum mnl_attr_data_type neigh_types[NDA_MAX + 1] = {
	[NDA_DST] = MNL_TYPE_BINARY,
};
static const struct nl_attrs neigh_attrs = NL_ATTRS(neigh_types);

struct dump {
	struct probe_neigh_key *e;
	size_t n, cap;
	int flush; /* leave out PERMANENT and NOARP entries */
};

static int key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct probe_neigh_key));
}

int probe_neigh_entry(const struct nlmsghdr *nlh, struct probe_neigh_key *k, int *fixed)
{
	const struct nlattr *tb[NDA_MAX + 1];
	const struct ndmsg *m = nl_msg_index(nlh, RTM_NEWNEIGH, sizeof(*m), &neigh_attrs, tb);
	size_t len;

	if (!m)
		return -EBADMSG;
	if ((m->ndm_family != AF_INET && m->ndm_family != AF_INET6) || !tb[NDA_DST])
		return 0;
	len = mnl_attr_get_payload_len(tb[NDA_DST]);
	if (len != (m->ndm_family == AF_INET ? 4u : 16u))
		return 0;
	memset(k, 0, sizeof(*k));
	k->family = m->ndm_family;
	k->ifindex = m->ndm_ifindex;
	memcpy(k->a, mnl_attr_get_payload(tb[NDA_DST]), len);
	*fixed = (m->ndm_state & (NUD_PERMANENT | NUD_NOARP)) != 0;
	return 1;
}

static int on_entry(const struct nlmsghdr *nlh, void *data)
{
	struct dump *d = data;
	struct probe_neigh_key k;
	int fixed, r = probe_neigh_entry(nlh, &k, &fixed);
	void *v;

	if (r <= 0)
		return r;
	/* The snapshot keeps every entry; the flush only those it may delete. */
	if (d->flush && fixed)
		return 0;
	v = vec_room(d->e, &d->cap, d->n, sizeof(*d->e));
	if (!v)
		return -ENOMEM;
	d->e = v;
	d->e[d->n++] = k;
	return 0;
}

/* Every neighbour entry of ns (fixed ones too unless flush), sorted. */
static int dump(struct ns *ns, struct dump *d, int flush)
{
	char buf[NL_REQSZ];
	struct nl_sock *s;
	struct nl_msg m;
	struct ndmsg *nd;
	struct nlmsghdr *nlh;
	struct nl_err err;
	int r;

	memset(d, 0, sizeof(*d));
	d->flush = flush;
	r = ns_rtnl(ns, &s, &err);
	if (r < 0)
		return r;
	nl_msg_start(&m, buf, sizeof(buf), RTM_GETNEIGH, NLM_F_REQUEST | NLM_F_DUMP, &err);
	nd = nl_put_extra(&m, sizeof(*nd));
	if (nd)
		nd->ndm_family = AF_UNSPEC;
	nlh = nl_msg_done(&m);
	r = nlh ? nl_talk(s, nlh, on_entry, d, &err) : m.ret;
	if (r < 0) {
		free(d->e);
		d->e = NULL;
		return r;
	}
	/* qsort and bsearch want a base even for no elements. */
	if (d->n)
		qsort(d->e, d->n, sizeof(*d->e), key_cmp);
	return 0;
}

struct names {
	struct probe_snap *s;
	int r;
};

static int add_ns(const char *name, void *data)
{
	struct names *nm = data;
	struct probe_snap *s = nm->s;
	struct ns *ns;
	struct nl_err err;
	struct dump d;
	void *v = vec_room(s->ns, &s->cap, s->n, sizeof(*s->ns));
	int r;

	if (!v)
		return nm->r = -ENOMEM;
	s->ns = v;
	/* A namespace that went meanwhile, or cannot be read, is left out. */
	if (ns_get(name, &ns, &err) < 0 || dump(ns, &d, 0) < 0)
		return 0;
	r = snprintf(s->ns[s->n].name, sizeof(s->ns[s->n].name), "%s", name);
	if (r < 0 || (size_t)r >= sizeof(s->ns[s->n].name)) {
		free(d.e);
		return 0;
	}
	s->ns[s->n].e = d.e;
	s->ns[s->n].n = d.n;
	s->n++;
	return 0;
}

void probe_snap_free(struct probe_snap *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->ns[i].e);
	free(s->ns);
	free(s->want);
	memset(s, 0, sizeof(*s));
}

static void want_add(struct probe_snap *s, const struct cidr *c)
{
	struct probe_neigh_key *k;
	void *v;

	if (c->family != AF_INET && c->family != AF_INET6)
		return;
	v = vec_room(s->want, &s->wcap, s->nwant, sizeof(*s->want));
	if (!v)
		return;
	s->want = v;
	k = &s->want[s->nwant++];
	memset(k, 0, sizeof(*k));
	k->family = c->family;
	memcpy(k->a, c->a.b, c->family == AF_INET ? 4 : 16);
}

/* The address alone (ifindex 0), for the want list. */
static int addr_cmp(const void *a, const void *b)
{
	const struct probe_neigh_key *x = a, *y = b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->a, y->a, sizeof(x->a));
}

int probe_snap_take(struct probe_snap *s, const struct probe *p, size_t n)
{
	struct names nm = { s, 0 };
	struct nl_err err;
	size_t i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < n; i++) {
		want_add(s, &p[i].dst);
		want_add(s, &p[i].src);
	}
	if (s->nwant)
		qsort(s->want, s->nwant, sizeof(*s->want), addr_cmp);
	add_ns(NS_ROOT, &nm);
	if (nm.r == 0 && ns_list(add_ns, &nm, &err) < 0 && nm.r == 0)
		nm.r = -EIO;
	if (nm.r < 0 || s->nwant == 0) {
		probe_snap_free(s);
		return nm.r < 0 ? nm.r : -ENOENT;
	}
	return 0;
}

/* Sends the deletions of k[0..n) on s and reads their acks (an entry gone meanwhile is fine). */
static size_t delete(struct nl_sock *s, const struct probe_neigh_key *k, size_t n)
{
	char buf[NL_REQSZ], ans[NL_BUFSZ];
	size_t i = 0, done = 0;

	while (i < n) {
		size_t len = 0, sent = 0;
		uint32_t first = s->seq + 1;

		/* As many as fit in one datagram: the kernel handles them in turn. */
		for (; i < n && len + 64 <= sizeof(buf); i++, sent++) {
			struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf + len);
			struct ndmsg *nd;

			nlh->nlmsg_type = RTM_DELNEIGH;
			nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
			nlh->nlmsg_seq = ++s->seq;
			nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
			nd->ndm_family = (uint8_t)k[i].family;
			nd->ndm_ifindex = k[i].ifindex;
			mnl_attr_put(nlh, NDA_DST, k[i].family == AF_INET ? 4 : 16, k[i].a);
			len += NLMSG_ALIGN(nlh->nlmsg_len);
		}
		if (mnl_socket_sendto(s->sk, buf, len) < 0)
			return done;
		/* One ack (an error message, 0 or not) per request. */
		while (sent) {
			ssize_t got = mnl_socket_recvfrom(s->sk, ans, sizeof(ans));
			const struct nlmsghdr *a = (const struct nlmsghdr *)(void *)ans;
			int left = (int)got;

			if (got <= 0)
				return done;
			for (; mnl_nlmsg_ok(a, left) && sent; a = mnl_nlmsg_next(a, &left)) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(a);

				if (a->nlmsg_type != NLMSG_ERROR || a->nlmsg_seq < first)
					continue;
				sent--;
				done += e->error == 0;
			}
		}
	}
	return done;
}

size_t probe_snap_restore(struct probe_snap *s)
{
	size_t i, j, total = 0;

	for (i = 0; i < s->n; i++) {
		struct nl_sock *sock;
		struct nl_err err;
		struct ns *ns;
		struct dump d;
		size_t keep = 0;

		if (ns_get(s->ns[i].name, &ns, &err) < 0 || dump(ns, &d, 1) < 0)
			continue;
		/* The new entries of the call's addresses, gathered in place. */
		for (j = 0; j < d.n; j++) {
			struct probe_neigh_key a = d.e[j];

			a.ifindex = 0;
			if ((s->ns[i].n &&
			     bsearch(&d.e[j], s->ns[i].e, s->ns[i].n, sizeof(d.e[j]), key_cmp)) ||
			    !bsearch(&a, s->want, s->nwant, sizeof(a), addr_cmp))
				continue;
			d.e[keep++] = d.e[j];
		}
		if (keep && ns_rtnl(ns, &sock, &err) == 0)
			total += delete(sock, d.e, keep);
		free(d.e);
	}
	return total;
}
