/* SPDX-License-Identifier: MIT */
#ifndef NETLAB_TRACE_INT_H
#define NETLAB_TRACE_INT_H

/*
 * Shared by the core/trace*.c files, not for callers outside them (trace.h
 * is theirs). Which file does what:
 *   trace.c         the line's words and namespaces; netns, sysctl, addr,
 *                   route and neigh requests; the sink
 *   trace_link.c    link requests: ip link add|set|del, a kind's options
 *   trace_nft.c     nftables batches: nft add|delete table|chain|rule
 *   trace_brvlan.c  a bridge's VLAN requests: bridge vlan add|del
 *   trace_talk.c    the names a real socket gives, for nl_talk()
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include "text.h"
#include "trace.h"

struct nlmsghdr;

/* A line being written: buf of len bytes, k of them used (text_append's). */
struct out {
	char *buf;
	size_t len, k;
};

static inline void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void put(struct out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	text_vappend(o->buf, o->len, &o->k, fmt, ap);
	va_end(ap);
}

/*
 * " WORD", single-quoted unless every character is one sh reads as itself;
 * with spaces_too, spaces count as such (words nft joins back anyway).
 */
void trace_words(struct out *o, const char *w, int spaces_too);

static inline void word(struct out *o, const char *w)
{
	trace_words(o, w, 0);
}

/* The length, or -EMSGSIZE when the line was cut (a cut command is a wrong one). */
int trace_done(struct out *o);

static inline int is_root(const char *ns)
{
	return !ns || !strcmp(ns, "root");
}

/*
 * A command run inside ns: `ip netns exec NS `, or for a process's
 * namespace, which has no name ip knows, `nsenter --target PID --net `.
 */
void trace_in_ns(struct out *o, const char *ns);
/* `ip -n NS`, or ip run inside ns where ip cannot name it. */
void trace_ip_cmd(struct out *o, const char *ns);

/* An ifindex's name in the request's namespace (buf holds IFNAMSIZ): 0 or -errno. */
static inline int if_name(const struct trace_names *n, int index, char *buf)
{
	if (!n->ifname || index <= 0)
		return -ENODEV;
	return n->ifname(n->data, index, buf);
}

/* r < 0: no line at all (nothing half-written stays in buf), r; else trace_done's. */
int trace_finish(struct out *o, int r);

/* trace_link.c: RTM_NEWLINK, RTM_SETLINK and RTM_DELLINK. */
int trace_link(struct out *o, const struct nlmsghdr *nlh, const struct trace_names *n);
/* trace_brvlan.c: a bridge VLAN request (AF_BRIDGE RTM_SETLINK/RTM_DELLINK), 0 or -errno. */
int trace_brvlan(struct out *o, const struct nlmsghdr *nlh, const struct trace_names *n);

#endif
