// SPDX-License-Identifier: MIT
/*
 * Creating a link: the create request, then, pipelined, each end's change
 * (up, master, link-local mode) and its addresses, for both ends of a pair
 * (a veth). What is particular to a kind is in its link_<kind>.c, reached
 * through link_kind().
 */
#include <errno.h>
#include <string.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "link.h"
#include "parse.h"

/* Names the end that already exists, so EEXIST points at the right name. */
static void blame_existing(const struct link_spec *spec, struct nl_err *err)
{
	int index;
	struct nl_err e;

	if (link_index(spec->dev.ns, spec->dev.name, &index, &e) == 0)
		link_obj(err, spec->kind, spec->dev.name, spec->dev.ns);
	else if (spec->peer.name && link_index(spec->peer.ns, spec->peer.name, &index, &e) == 0)
		link_obj(err, spec->kind, spec->peer.name, spec->peer.ns);
}

static int check_end(const struct link_end *end, const char *kind, struct nl_err *err)
{
	char why[PARSE_WHY];

	link_obj(err, kind, end->name, end->ns);
	if (parse_ifname(end->name, why) < 0)
		return nl_fail(err, EINVAL, "%s", why);
	if (end->master && parse_ifname(end->master, why) < 0)
		return nl_fail(err, EINVAL, "%s", why);
	return 0;
}

/*
 * After the create request, the rest of one end: its change (up, master,
 * link-local mode), addressed by the index the kernel gave it, then its
 * addresses. They are pipelined, one sendto for the lot, because each
 * depends only on the link existing, which the create's ACK has shown.
 */
int link_end_finish(struct nl_sock *s, const char *kind, const struct link_end *end,
		      const struct link_change *c, int master, struct nl_err *err)
{
	char buf[NL_REQSZ];
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
				link_obj(err, kind, end->name, end->ns);
				return -err->code;
			}
			pending = 0;
		}
		/* As many addresses as fit; a long list goes in several sends. */
		for (; k < end->naddrs; k++) {
			struct nl_err e;

			nlh = addr_msg(buf + len, sizeof(buf) - len, RTM_NEWADDR, end->index,
				       &end->addrs[k], &e);
			if (!nlh && len)
				break;
			if (!nlh) {
				*err = e;
				addr_obj(err, &end->addrs[k].local, end->name, end->ns);
				return -err->code;
			}
			len += MNL_ALIGN(nlh->nlmsg_len);
		}
		r = nl_talk_many(s, buf, len, NULL, NULL, &failed, err);
		if (r < 0) {
			if (failed >= with_change)
				addr_obj(err, &end->addrs[first + (size_t)(failed - with_change)].local,
					 end->name, end->ns);
			else
				link_obj(err, kind, end->name, end->ns);
			return r;
		}
	}
	return 0;
}

/* The rest of a pair's peer, once created: up, master, link-local mode, addresses. */
static int finish_peer(struct nl_sock *ps, const struct link_spec *req, int peer_master,
		       struct nl_err *err)
{
	const struct link_end *peer = &req->peer;
	struct link_change pc = LINK_CHANGE_INIT;
	int r;

	pc.up = peer->up ? 1 : -1;
	pc.addrgen = peer->addrgen ? peer->addrgen : -1;
	r = link_end_finish(ps, req->kind, peer,
			    peer->up || peer->addrgen || peer_master ? &pc : NULL, peer_master, err);
	link_explain_master(r, peer->master, err);
	return r;
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
		link_obj(err, kind, end->name, end->ns);
	return r;
}

/* A kind's own options, and its parent, refused before any request. */
static int check_kind(const struct link_kind *k, const struct link_spec *spec,
		      struct nl_err *err)
{
	char why[PARSE_WHY];

	link_obj(err, spec->kind, spec->dev.name, spec->dev.ns);
	if (k->parent && !spec->parent)
		return nl_fail(err, EINVAL, "a %s needs a parent link (parent =)", spec->kind);
	if (spec->parent && parse_ifname(spec->parent, why) < 0)
		return nl_fail(err, EINVAL, "%s", why);
	return k->check ? k->check(spec, err) : 0;
}

/* The parent's index, in the new link's namespace: one elsewhere is not found there. */
static int parent_index(struct link_spec *req, struct nl_err *err)
{
	int r;

	req->parent_index = 0;
	if (!req->parent)
		return 0;
	r = link_index(req->dev.ns, req->parent, &req->parent_index, err);
	if (r == -ENODEV)
		nl_fail(err, ENODEV, "no %s \"%s\" in its namespace",
			link_kind(req->kind)->parent ? "parent" : "dev", req->parent);
	if (r < 0)
		link_obj(err, req->kind, req->dev.name, req->dev.ns);
	return r;
}

int link_add(struct link_spec *spec, struct nl_err *err)
{
	const struct link_kind *k = link_kind(spec->kind);
	char buf[NL_REQSZ];
	struct link_spec req = *spec, msg;
	struct link_change dc = LINK_CHANGE_INIT;
	struct link_info created = { 0 };
	struct link_end *dev = &req.dev, *peer = &req.peer;
	struct nlmsghdr *nlh;
	struct nl_sock *s, *ps = NULL;
	struct nl_err e;
	size_t len;
	int master, peer_master = 0, swapped = 0, late_up, failed, r;

	if (k->pair && (r = check_end(&spec->peer, spec->kind, err)) < 0)
		return r;
	if ((r = check_end(&spec->dev, spec->kind, err)) < 0)
		return r;
	if ((r = check_kind(k, spec, err)) < 0)
		return r;
	/* The request may name the ends the other way round; the caller's stay as given. */
	if (k->swap && k->swap(spec)) {
		req.dev = spec->peer;
		req.peer = spec->dev;
		swapped = 1;
	}
	/* Everything that can fail without touching the kernel, first. */
	r = ns_rtnl(dev->ns, &s, err);
	if (r == 0 && k->pair)
		r = ns_rtnl(peer->ns, &ps, err);
	if (r == 0)
		r = master_index(req.kind, dev, &master, err);
	if (r == 0)
		r = parent_index(&req, err);
	if (r == 0 && k->pair)
		r = master_index(req.kind, peer, &peer_master, err);
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
	late_up = dev->up && (dev->addrgen || (k->pair && dev->master && peer->up));
	msg = req;
	msg.dev.up = dev->up && !late_up;
	link_obj(err, req.kind, dev->name, dev->ns);
	nlh = link_msg_add(buf, sizeof(buf), &msg, master, err);
	if (!nlh) {
		r = -err->code;
		goto out;
	}
	/*
	 * The lookup of the new indexes rides in the same sendto: if the create
	 * fails, its answer is never read. One lookup gives both, since a pair's
	 * IFLA_LINK is its peer's index.
	 */
	len = MNL_ALIGN(nlh->nlmsg_len);
	nlh = link_msg_get(buf + len, sizeof(buf) - len, dev->name, 0, -1, err);
	if (!nlh) {
		r = -err->code;
		goto out;
	}
	len += MNL_ALIGN(nlh->nlmsg_len);
	r = nl_talk_many(s, buf, len, link_info_cb, &created, &failed, err);
	if (r < 0 && failed == 0) {
		if (r == -EEXIST)
			blame_existing(&req, err);
		if (r == -EOPNOTSUPP && k->refused && k->refused(&req, err))
			; /* the kind has said what the kernel lacks */
		else if (r == -EOPNOTSUPP && k->config &&
		    (!err->msg[0] || strstr(err->msg, "Unknown device type")))
			nl_fail(err, EOPNOTSUPP, "this kernel has no %s", k->config);
		else if (r == -EOPNOTSUPP && (!err->msg[0] || strstr(err->msg, "Unknown device type")))
			nl_fail(err, EOPNOTSUPP, "this kernel knows no link kind \"%s\"", req.kind);
		link_explain_master(r, dev->master, err);
	}
	/* Only a failed lookup says the link was made; else it may not be ours to delete. */
	if (r < 0 && failed == 1)
		goto undo;
	if (r < 0)
		goto out;
	dev->index = created.index;
	peer->index = k->pair ? created.link : 0;
	if (k->verify && (r = k->verify(&req, &created, err)) < 0)
		goto undo;
	if (k->pair && (r = finish_peer(ps, &req, peer_master, err)) < 0)
		goto undo;
	dc.up = late_up ? 1 : -1;
	dc.addrgen = dev->addrgen ? dev->addrgen : -1;
	r = link_end_finish(s, req.kind, dev, late_up || dev->addrgen ? &dc : NULL, 0, err);
	if (r == 0)
		goto out;
undo:
	/* Leave nothing half-built: deleting one end takes both. */
	link_del(dev->ns, dev->name, &e);
out:
	/* The new indexes go back to the ends as the caller named them. */
	spec->dev.index = swapped ? req.peer.index : req.dev.index;
	spec->peer.index = swapped ? req.dev.index : req.peer.index;
	return r;
}
