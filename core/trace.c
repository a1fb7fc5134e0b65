// SPDX-License-Identifier: MIT
/*
 * Requests as commands (see trace.h). Each request is read back attribute by
 * attribute, as the kernel will read it, into the words of ip(8), nft(8) and
 * sysctl(8), so that the line run by sh makes the same change: a route's
 * table and metric, a static neighbour; links in trace_link.c (a veth's peer
 * and its namespace, a macvlan's parent, a vxlan's options), nftables in
 * trace_nft.c, a bridge's VLANs in trace_brvlan.c. This file holds what they
 * all write with: sh's quoting, the ip -n / ip netns exec prefix.
 *
 * Names come from the caller (trace_names): the namespace the request goes
 * to, an ifindex's name, the namespace behind a descriptor. A command names
 * the root namespace by leaving it out; where a command must name it from
 * inside another (a veth whose peer goes to the root, a link moved there),
 * it says `netns $$`: the pid of the shell running the lines, which is in
 * the root namespace, while `ip -n` moves only ip itself.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "neigh.h"
#include "nl.h"
#include "ns.h"
#include "trace_int.h"

#define SH_PLAIN "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-./:=,+@%"

/* See trace_int.h. */
void trace_words(struct out *o, const char *w, int spaces_too)
{
	const char *p;

	if (*w && strspn(w, spaces_too ? SH_PLAIN " " : SH_PLAIN) == strlen(w) && *w != ' ') {
		put(o, " %s", w);
		return;
	}
	put(o, " '");
	for (p = w; *p; p++) {
		if (*p == '\'')
			put(o, "'\\''");
		else
			put(o, "%c", *p);
	}
	put(o, "'");
}

int trace_done(struct out *o)
{
	if (o->len == 0 || o->k + 1 >= o->len)
		return -EMSGSIZE;
	return (int)o->k;
}

int trace_finish(struct out *o, int r)
{
	if (r < 0) {
		o->buf[0] = '\0';
		return r;
	}
	return trace_done(o);
}

void trace_in_ns(struct out *o, const char *ns)
{
	pid_t pid = ns_pid_name(ns);

	if (is_root(ns))
		return;
	if (pid) {
		put(o, "nsenter --target %ld --net ", (long)pid);
		return;
	}
	put(o, "ip netns exec");
	word(o, ns);
	put(o, " ");
}

void trace_ip_cmd(struct out *o, const char *ns)
{
	if (ns_pid_name(ns)) {
		trace_in_ns(o, ns);
		put(o, "ip");
		return;
	}
	put(o, "ip");
	if (!is_root(ns)) {
		put(o, " -n");
		word(o, ns);
	}
}

/* Namespaces and sysctls ------------------------------------------------------ */

int trace_netns(int add, const char *name, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };

	buf[0] = '\0';
	put(&o, "ip netns %s", add ? "add" : "del");
	word(&o, name);
	return trace_done(&o);
}

int trace_netns_attach(const char *name, long pid, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };

	buf[0] = '\0';
	put(&o, "ip netns attach");
	word(&o, name);
	put(&o, " %ld", pid);
	return trace_done(&o);
}

int trace_netns_kill(const char *name, int sig, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };
	const char *abbrev = sigabbrev_np(sig);

	buf[0] = '\0';
	put(&o, "ip netns pids");
	word(&o, name);
	if (abbrev)
		put(&o, " | xargs -r kill -%s", abbrev);
	else
		put(&o, " | xargs -r kill -%d", sig);
	return trace_done(&o);
}

int trace_sysctl(const char *ns, const char *key, const char *value, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };
	char kv[512];

	buf[0] = '\0';
	trace_in_ns(&o, ns);
	put(&o, "sysctl -w");
	snprintf(kv, sizeof(kv), "%s=%s", key, value);
	word(&o, kv);
	return trace_done(&o);
}


/* Addresses and routes ----------------------------------------------------------- */

static int addr_text(int family, const struct nlattr *a, char *buf, size_t len)
{
	size_t want = family == AF_INET ? 4 : 16;

	if (!a || mnl_attr_get_payload_len(a) != want)
		return -EBADMSG;
	return inet_ntop(family, mnl_attr_get_payload(a), buf, (socklen_t)len) ? 0 : -EBADMSG;
}

static const enum mnl_attr_data_type addr_types[IFA_MAX + 1] = {
	[IFA_LOCAL] = MNL_TYPE_BINARY,
	[IFA_ADDRESS] = MNL_TYPE_BINARY,
	[IFA_BROADCAST] = MNL_TYPE_BINARY,
};
static const struct nl_attrs addr_attrs = NL_ATTRS(addr_types);

static int trace_addr(struct out *o, const struct nlmsghdr *nlh, const struct trace_names *n)
{
	const struct nlattr *tb[IFA_MAX + 1];
	const struct ifaddrmsg *ifa;
	char a[INET6_ADDRSTRLEN], p[INET6_ADDRSTRLEN], dev[IF_NAMESIZE];
	int r;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa))
		return -EBADMSG;
	ifa = mnl_nlmsg_get_payload(nlh);
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return -EOPNOTSUPP;
	if (nl_attr_index(nlh, sizeof(*ifa), &addr_attrs, tb) < 0)
		return -EBADMSG;
	r = addr_text(ifa->ifa_family, tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS], a, sizeof(a));
	if (r < 0)
		return r;
	r = if_name(n, (int)ifa->ifa_index, dev);
	if (r < 0)
		return r;
	trace_ip_cmd(o, n->ns);
	put(o, " addr %s %s/%u", nlh->nlmsg_type == RTM_NEWADDR ? "add" : "del", a,
	    ifa->ifa_prefixlen);
	/* A point-to-point address names its peer; netlab's never do. */
	if (tb[IFA_LOCAL] && tb[IFA_ADDRESS] &&
	    addr_text(ifa->ifa_family, tb[IFA_ADDRESS], p, sizeof(p)) == 0 && strcmp(a, p))
		put(o, " peer %s", p);
	if (tb[IFA_BROADCAST] && addr_text(AF_INET, tb[IFA_BROADCAST], p, sizeof(p)) == 0)
		put(o, " broadcast %s", p);
	put(o, " dev");
	word(o, dev);
	return 0;
}

static const enum mnl_attr_data_type route_types[RTA_MAX + 1] = {
	[RTA_DST] = MNL_TYPE_BINARY,
	[RTA_GATEWAY] = MNL_TYPE_BINARY,
	[RTA_PREFSRC] = MNL_TYPE_BINARY,
	[RTA_OIF] = MNL_TYPE_U32,
	[RTA_PRIORITY] = MNL_TYPE_U32,
	[RTA_TABLE] = MNL_TYPE_U32,
};
static const struct nl_attrs route_attrs = NL_ATTRS(route_types);

static const char *route_type_name(unsigned int t)
{
	switch (t) {
	case RTN_UNICAST: return "";
	case RTN_BLACKHOLE: return "blackhole ";
	case RTN_UNREACHABLE: return "unreachable ";
	case RTN_PROHIBIT: return "prohibit ";
	case RTN_LOCAL: return "local ";
	case RTN_BROADCAST: return "broadcast ";
	default: return NULL;
	}
}

static int trace_route(struct out *o, const struct nlmsghdr *nlh, const struct trace_names *n)
{
	const struct nlattr *tb[RTA_MAX + 1];
	const struct rtmsg *rtm;
	char a[INET6_ADDRSTRLEN], dev[IF_NAMESIZE];
	const char *verb = "del", *type = "";
	int del = nlh->nlmsg_type == RTM_DELROUTE, r;
	unsigned int table;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm))
		return -EBADMSG;
	rtm = mnl_nlmsg_get_payload(nlh);
	if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6)
		return -EOPNOTSUPP;
	if (nl_attr_index(nlh, sizeof(*rtm), &route_attrs, tb) < 0)
		return -EBADMSG;
	if (!del) {
		verb = nlh->nlmsg_flags & NLM_F_REPLACE ? "replace" : "add";
		type = route_type_name(rtm->rtm_type);
		if (!type)
			return -EOPNOTSUPP;
	}
	trace_ip_cmd(o, n->ns);
	put(o, "%s route %s %s", rtm->rtm_family == AF_INET6 ? " -6" : "", verb, type);
	if (rtm->rtm_dst_len) {
		r = addr_text(rtm->rtm_family, tb[RTA_DST], a, sizeof(a));
		if (r < 0)
			return r;
		put(o, "%s/%u", a, rtm->rtm_dst_len);
	} else {
		put(o, "default");
	}
	if (tb[RTA_GATEWAY]) {
		r = addr_text(rtm->rtm_family, tb[RTA_GATEWAY], a, sizeof(a));
		if (r < 0)
			return r;
		put(o, " via %s", a);
	}
	if (tb[RTA_OIF]) {
		r = if_name(n, (int)mnl_attr_get_u32(tb[RTA_OIF]), dev);
		if (r < 0)
			return r;
		put(o, " dev");
		word(o, dev);
	}
	if (tb[RTA_PRIORITY])
		put(o, " metric %u", mnl_attr_get_u32(tb[RTA_PRIORITY]));
	if (tb[RTA_PREFSRC] && addr_text(rtm->rtm_family, tb[RTA_PREFSRC], a, sizeof(a)) == 0)
		put(o, " src %s", a);
	table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	if (table && table != RT_TABLE_MAIN)
		put(o, " table %u", table);
	/* ip(8) picks link scope for a route without a gateway, universe with one. */
	if (!del && rtm->rtm_scope != (tb[RTA_GATEWAY] ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK) &&
	    rtm->rtm_type == RTN_UNICAST)
		put(o, " scope %u", rtm->rtm_scope);
	if (!del && rtm->rtm_protocol != RTPROT_BOOT)
		put(o, " proto %u", rtm->rtm_protocol);
	if (rtm->rtm_flags & RTNH_F_ONLINK)
		put(o, " onlink");
	return 0;
}

/* Neighbours ---------------------------------------------------------------------- */

/* The verb of ip neigh whose request has these flags (iproute2's ipneigh_modify). */
static const char *neigh_verb(const struct nlmsghdr *nlh)
{
	uint16_t f = nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_REPLACE | NLM_F_EXCL);

	if (nlh->nlmsg_type == RTM_DELNEIGH)
		return "del";
	if (f == (NLM_F_CREATE | NLM_F_REPLACE))
		return "replace";
	if (f == (NLM_F_CREATE | NLM_F_EXCL) || f == NLM_F_CREATE)
		return "add";
	if (f == NLM_F_REPLACE)
		return "change";
	return NULL;
}

static int trace_neigh(struct out *o, const struct nlmsghdr *nlh, const struct trace_names *n)
{
	const struct ndmsg *nd;
	struct neigh_info ni;
	char a[INET6_ADDRSTRLEN], dev[IF_NAMESIZE];
	const char *verb = neigh_verb(nlh), *state;
	size_t i;
	int r;

	r = neigh_parse_msg(nlh, &ni);
	if (r < 0)
		return r == -EAFNOSUPPORT ? -EOPNOTSUPP : r;
	nd = mnl_nlmsg_get_payload(nlh);
	/* Proxy and router entries, a type: words netlab never sends. */
	if (!verb || nd->ndm_flags || nd->ndm_type)
		return -EOPNOTSUPP;
	state = neigh_state_name(ni.state);
	/* One state, as nud takes: a request names no mix of them. */
	if (nlh->nlmsg_type == RTM_NEWNEIGH && (!ni.state || (ni.state & (ni.state - 1))))
		return -EOPNOTSUPP;
	inet_ntop(ni.addr.family, ni.addr.a.b, a, sizeof(a));
	r = if_name(n, ni.ifindex, dev);
	if (r < 0)
		return r;
	trace_ip_cmd(o, n->ns);
	put(o, " neigh %s %s", verb, a);
	if (nlh->nlmsg_type == RTM_NEWNEIGH && ni.maclen) {
		put(o, " lladdr ");
		for (i = 0; i < ni.maclen; i++)
			put(o, "%s%02x", i ? ":" : "", ni.mac[i]);
	}
	put(o, " dev");
	word(o, dev);
	if (nlh->nlmsg_type == RTM_NEWNEIGH) {
		put(o, " nud ");
		for (; *state; state++)
			put(o, "%c", tolower((unsigned char)*state));
	}
	return 0;
}

int trace_rtnl(const struct nlmsghdr *nlh, const struct trace_names *n, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };
	int r;

	buf[0] = '\0';
	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
	case RTM_SETLINK:
		r = trace_link(&o, nlh, n);
		break;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		r = trace_addr(&o, nlh, n);
		break;
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		r = trace_route(&o, nlh, n);
		break;
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH:
		r = trace_neigh(&o, nlh, n);
		break;
	case RTM_NEWQDISC:
	case RTM_DELQDISC:
		return trace_qdisc(nlh, n, buf, len);
	default:
		r = -EOPNOTSUPP;
	}
	return trace_finish(&o, r);
}


/* The sink ------------------------------------------------------------------------ */

static trace_sink sink;
static void *sink_data;

void trace_set(trace_sink fn, void *data)
{
	sink = fn;
	sink_data = data;
}

int trace_on(void)
{
	return sink != NULL;
}

void trace_emit(const char *line)
{
	if (sink)
		sink(line, sink_data);
}