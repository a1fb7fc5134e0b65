// SPDX-License-Identifier: MIT
/*
 * The trace's side of the request primitive: what nl_talk() and
 * nl_talk_many() call for each change while a trace is on. It gives trace.c
 * the names a command needs (an ifindex's name, asked of the request's own
 * socket; a namespace descriptor's name, from ns.c's cache) and writes a
 * `# not traced: …` comment for a request no command says, so the trace
 * never leaves a change out in silence.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "nl.h"
#include "ns.h"
#include "trace.h"

static int name_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return 0;
	mnl_attr_for_each(a, nlh, sizeof(struct ifinfomsg))
		if (mnl_attr_get_type(a) == IFLA_IFNAME &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			snprintf(data, IF_NAMESIZE, "%s", mnl_attr_get_str(a));
	return 0;
}

/* An ifindex's name, asked of the socket the request goes to (its namespace's). */
static int ifname(void *data, int index, char *buf)
{
	char req[NL_REQSZ];
	struct nl_err e;
	struct nl_msg m;
	struct ifinfomsg *ifm;

	buf[0] = '\0';
	nl_msg_start(&m, req, sizeof(req), RTM_GETLINK, NLM_F_REQUEST, &e);
	ifm = nl_put_extra(&m, sizeof(*ifm));
	ifm->ifi_index = index;
	nl_put_u32(&m, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	if (!nl_msg_done(&m) || nl_talk(data, m.nlh, name_cb, buf, &e) < 0 || !buf[0])
		return -ENODEV;
	return 0;
}

static const char *nsname(void *data, int fd)
{
	(void)data;
	return ns_fd_name(fd);
}

int trace_request(struct nl_sock *s, const struct nlmsghdr *nlh, char *line, size_t len)
{
	struct trace_names n = { .ns = s->ns, .ifname = ifname, .nsname = nsname, .data = s };
	int r;

	if (s->bus == NETLINK_NETFILTER)
		r = trace_nft(nlh, s->ns, line, len);
	else
		r = trace_rtnl(nlh, &n, line, len);
	if (r == -ENODEV)
		return r;
	if (r < 0) {
		snprintf(line, len, "# not traced: %s request type %u in \"%s\" (%s)",
			 s->bus == NETLINK_NETFILTER ? "nftables" : "rtnetlink",
			 (unsigned int)nlh->nlmsg_type, s->ns ? s->ns : "root", strerror(-r));
		return 1;
	}
	return r > 0;
}
