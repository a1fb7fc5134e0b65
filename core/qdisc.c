// SPDX-License-Identifier: MIT
/*
 * Queueing disciplines, for link impairment: the root qdisc of a link
 * replaced with netem (delay, jitter, loss, duplication, corruption,
 * reordering, a rate) or tbf (a rate alone), read back from a dump, and
 * deleted, as `tc qdisc replace|del|show dev X root`. The requests and their
 * parsing are qdisc_msg.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "link.h"
#include "parse.h"
#include "qdisc.h"
#include "vec.h"

/* Whether file holds a line with word in it. */
static int file_has(const char *path, const char *word)
{
	char line[512];
	int found = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, word) != NULL;
	fclose(f);
	return found;
}

int qdisc_has_netem(void)
{
	static const char *const lists[] = { "modules.builtin", "modules.dep" };
	struct utsname u;
	char path[256];
	size_t i;

	if (file_has("/proc/kallsyms", " netem_enqueue"))
		return 1;
	if (uname(&u) < 0)
		return 0;
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		snprintf(path, sizeof(path), "/lib/modules/%s/%s", u.release, lists[i]);
		if (file_has(path, "/sch_netem.ko"))
			return 1;
	}
	return 0;
}

/* The kernel ------------------------------------------------------------------ */

struct roots {
	struct qdisc_info *v;
	size_t n, cap;
};

static int collect(const struct nlmsghdr *nlh, void *data)
{
	struct roots *d = data;
	struct qdisc_info *p = vec_room(d->v, &d->cap, d->n, sizeof(*p));

	if (!p)
		return -ENOMEM;
	d->v = p;
	if (qdisc_parse(nlh, &d->v[d->n]) == 0 && d->v[d->n].parent == TC_H_ROOT)
		d->n++;
	return 0;
}

static int dump(struct ns *ns, struct roots *d, struct nl_err *err)
{
	char buf[NL_REQSZ];
	struct nl_sock *s;
	struct nl_msg m;
	int r = ns_rtnl(ns, &s, err);

	if (r < 0)
		return r;
	qdisc_msg_start(&m, buf, sizeof(buf), RTM_GETQDISC, NLM_F_DUMP, 0, err);
	if (!nl_msg_done(&m))
		return -err->code;
	return nl_talk(s, m.nlh, collect, d, err);
}

int qdisc_list(struct ns *ns, qdisc_cb cb, void *data, struct nl_err *err)
{
	struct roots d = { 0 };
	size_t i;
	int r;

	nl_obj(err, "qdiscs in \"%s\"", ns->name);
	r = dump(ns, &d, err);
	for (i = 0; r == 0 && i < d.n; i++)
		r = cb(&d.v[i], data);
	free(d.v);
	return r < 0 ? r : 0;
}

static void qdisc_obj(struct nl_err *err, struct ns *ns, const char *dev)
{
	char w[NS_WHERE_LEN];

	nl_obj(err, "qdisc of \"%s\"%s", dev, ns_where(ns, w, sizeof(w)));
}

static int root_of(struct ns *ns, int index, struct qdisc_info *qi, struct nl_err *err)
{
	struct roots d = { 0 };
	size_t i;
	int r = dump(ns, &d, err);

	memset(qi, 0, sizeof(*qi));
	for (i = 0; r == 0 && i < d.n; i++)
		if (d.v[i].ifindex == index)
			*qi = d.v[i];
	free(d.v);
	return r;
}

int qdisc_root(struct ns *ns, const char *dev, struct qdisc_info *qi, struct nl_err *err)
{
	int index, r = link_index(ns, dev, &index, err);

	if (r < 0)
		return r;
	qdisc_obj(err, ns, dev);
	return root_of(ns, index, qi, err);
}

int qdisc_impair(struct ns *ns, const char *dev, const struct qdisc_impair *q, struct nl_err *err)
{
	char buf[NL_REQSZ], why[PARSE_WHY], names[96];
	struct qdisc_info qi;
	struct nlmsghdr *nlh;
	struct nl_sock *s;
	int index, r;

	if (q->set && qdisc_impair_check(q, why) < 0)
		return nl_fail(err, EINVAL, "%s", why);
	r = link_index(ns, dev, &index, err);
	if (r < 0)
		return r;
	r = ns_rtnl(ns, &s, err);
	if (r < 0)
		return r;
	qdisc_obj(err, ns, dev);
	if (!q->set) {
		/* Only what link.impair puts there is taken away. */
		r = root_of(ns, index, &qi, err);
		if (r < 0 || !qi.impair)
			return r;
		nlh = qdisc_msg_del(buf, sizeof(buf), index, err);
	} else if (q->set & QI_NETEM) {
		nlh = qdisc_msg_netem(buf, sizeof(buf), index, q, err);
	} else {
		nlh = qdisc_msg_tbf(buf, sizeof(buf), index, q, err);
	}
	if (!nlh)
		return -err->code;
	r = nl_talk(s, nlh, NULL, NULL, err);
	if (r == -ENOENT && (q->set & QI_NETEM) && nlh->nlmsg_type == RTM_NEWQDISC) {
		qdisc_netem_names(q, names, sizeof(names));
		return nl_fail(err, EOPNOTSUPP, "netem is not in this kernel "
			       "(CONFIG_NET_SCH_NETEM): %s need%s it; rate works", names,
			       strchr(names, ',') ? "" : "s");
	}
	return r;
}
