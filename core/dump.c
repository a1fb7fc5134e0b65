// SPDX-License-Identifier: MIT
/* The dump shared by addr_list, route_list and neigh_list (see dump.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <net/if.h>

#include "dump.h"
#include "link.h"
#include "nl.h"
#include "ns.h"
#include "vec.h"

static int rec_ifindex(const struct dump *d, size_t i)
{
	int index;

	memcpy(&index, (const char *)d->v + i * d->size + d->ifindex_at, sizeof(index));
	return index;
}

static void rec_name(struct dump *d, size_t i, const char *name)
{
	snprintf((char *)d->v + i * d->size + d->dev_at, IF_NAMESIZE, "%s", name);
}

static int collect(const struct nlmsghdr *nlh, void *data)
{
	struct dump *d = data;
	char *p = vec_room(d->v, &d->cap, d->n, d->size);

	if (!p)
		return -ENOMEM;
	d->v = p;
	if (d->keep(nlh, p + d->n * d->size, d->arg) == 1 &&
	    (!d->ifindex || rec_ifindex(d, d->n) == d->ifindex))
		d->n++;
	return 0;
}

static int name_cb(const struct link_info *li, void *data)
{
	struct dump *d = data;
	size_t i;

	for (i = 0; i < d->n; i++)
		if (rec_ifindex(d, i) == li->index)
			rec_name(d, i, li->name);
	return 0;
}

int dump_read(struct ns *ns, const char *dev, struct nlmsghdr *req, struct dump *d,
	      struct nl_err *err)
{
	struct nl_sock *s;
	size_t i;
	int r;

	r = ns_rtnl(ns, &s, err);
	if (r < 0)
		return r;
	if (dev) {
		r = link_index(ns, dev, &d->ifindex, err);
		if (r < 0)
			return r;
	}
	r = nl_talk(s, req, collect, d, err);
	if (r != 0 || !d->n)
		return r;
	if (!dev)
		return link_list(ns, 0, name_cb, d, err);
	for (i = 0; i < d->n; i++)
		rec_name(d, i, dev);
	return 0;
}
