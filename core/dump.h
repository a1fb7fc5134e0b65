/* SPDX-License-Identifier: MIT */
#ifndef NETLAB_DUMP_H
#define NETLAB_DUMP_H

#include <stddef.h>

/*
 * A dump of addresses, routes or neighbours read into an array of records,
 * each then named by its link: one dump of links names them all, rather
 * than a lookup each (or, when the records are of one link, its name).
 * Fill in the first fields; v, n and cap are the result (free v).
 */
struct nlmsghdr;
struct nl_err;
struct ns;

struct dump {
	size_t size;		  /* of one record */
	size_t ifindex_at, dev_at; /* offsetof its int ifindex and its char dev[IFNAMSIZ] */
	/* the record in nlh into rec: 1 keeps it, 0 leaves it out */
	int (*keep)(const struct nlmsghdr *nlh, void *rec, void *arg);
	void *arg;
	int ifindex;		  /* set by dump_read: the link of dev, or 0 */
	void *v;
	size_t n, cap;
};

/* Sends req (an NLM_F_DUMP request) in ns; dev: only that link's records. 0 or -errno. */
int dump_read(struct ns *ns, const char *dev, struct nlmsghdr *req, struct dump *d,
	      struct nl_err *err);

#endif
