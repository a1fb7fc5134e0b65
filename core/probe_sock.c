// SPDX-License-Identifier: MIT
/*
 * The sockets of a round, each opened inside its namespace.
 *
 * A socket is bound to the namespace it is created in, for good (as the
 * netlink sockets in ns.c are): so every socket is opened inside its
 * namespace and used from home. Pings share one socket per namespace,
 * family and source address (probe.c groups them); a TCP or UDP probe
 * has its own socket. Every socket of the round is open before any packet leaves,
 * so a namespace that cannot be entered or a source address that is not
 * there fails the call with nothing sent.
 *
 * ICMP goes through "ping sockets" (SOCK_DGRAM, IPPROTO_ICMP) where the
 * namespace's net.ipv4.ping_group_range lets our group have them: the
 * kernel then picks the echo identifier and hands only our replies back,
 * and ICMP errors come on the error queue (IP_RECVERR) with the address of
 * who sent them. A new namespace's range is empty, so inside a lab it is
 * usually a raw socket (root, or CAP_NET_RAW), as ping(8) itself falls back
 * to: it sees every ICMP message of the namespace, filtered in the kernel to
 * replies and errors (ICMP_FILTER) and by our identifier; errors are then
 * read as packets, quoting our echo (probe_pkt.c).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>

#include "ns.h"
#include "probe_int.h"

static uint16_t next_id;

socklen_t probe_to_sockaddr(const struct cidr *c, int port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (c->family == AF_INET) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		s4->sin_addr = c->a.v4;
		return sizeof(*s4);
	}
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons((uint16_t)port);
	s6->sin6_addr = c->a.v6;
	return sizeof(*s6);
}

void probe_from_sockaddr(const struct sockaddr *sa, struct cidr *c)
{
	memset(c, 0, sizeof(*c));
	if (sa->sa_family == AF_INET) {
		c->family = AF_INET;
		c->plen = 32;
		c->a.v4 = ((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	} else if (sa->sa_family == AF_INET6) {
		c->family = AF_INET6;
		c->plen = 128;
		c->a.v6 = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	}
}


/* Opens a socket inside the probe's namespace; leaves *fd -1 and returns -errno on failure. */
static int socket_in(const char *name, int family, int type, int proto, int *fd, struct nl_err *err)
{
	struct ns *ns;
	int r, e;

	*fd = -1;
	r = ns_get(name, &ns, err);
	if (r < 0)
		return r;
	r = ns_enter(ns, err);
	if (r < 0)
		return r;
	*fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	e = errno;
	if (ns != ns_root())
		ns_leave();
	return *fd < 0 ? -e : 0;
}

static int bind_src(int fd, const struct cidr *src, const char *ns, struct nl_err *err)
{
	struct sockaddr_storage ss;
	char a[INET6_ADDRSTRLEN] = "";
	socklen_t len;

	if (!src->family)
		return 0;
	len = probe_to_sockaddr(src, 0, &ss);
	if (bind(fd, (struct sockaddr *)&ss, len) == 0)
		return 0;
	inet_ntop(src->family, src->a.b, a, sizeof(a));
	if (errno == EADDRNOTAVAIL)
		return nl_fail(err, errno, "source %s is not an address of \"%s\"", a, ns);
	return nl_fail(err, errno, "cannot bind to source %s", a);
}

static void icmp_filter(int fd, int family)
{
	if (family == AF_INET) {
		/* The types to drop: all but echo reply and the errors. */
		struct icmp_filter f = { ~(uint32_t)((1 << ICMP_ECHOREPLY) | (1 << ICMP_DEST_UNREACH) |
						     (1 << ICMP_SOURCE_QUENCH) |
						     (1 << ICMP_TIME_EXCEEDED) |
						     (1 << ICMP_PARAMETERPROB)) };

		setsockopt(fd, SOL_RAW, ICMP_FILTER, &f, sizeof(f));
	} else {
		struct icmp6_filter f;
		int t;

		memset(&f, 0xff, sizeof(f)); /* a set bit blocks its type */
		for (t = 1; t <= 4; t++)
			f.data[t >> 5] &= ~(1U << (t & 31));
		f.data[ICMPV6_ECHO_REPLY >> 5] &= ~(1U << (ICMPV6_ECHO_REPLY & 31));
		setsockopt(fd, IPPROTO_ICMPV6, ICMPV6_FILTER, &f, sizeof(f));
	}
}

static void recverr(int fd, int family)
{
	int one = 1;

	if (family == AF_INET)
		setsockopt(fd, SOL_IP, IP_RECVERR, &one, sizeof(one));
	else
		setsockopt(fd, SOL_IPV6, IPV6_RECVERR, &one, sizeof(one));
}

static int open_group(struct group *g, struct nl_err *err)
{
	int proto = g->family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6, r, rcv = RCVBUF;
	const char *v = g->family == AF_INET ? "ICMP" : "ICMPv6";

	nl_obj(err, "%s socket in \"%s\"", v, g->ns);
	r = socket_in(g->ns, g->family, SOCK_DGRAM, proto, &g->fd, err);
	if (r == -EACCES || r == -EPERM) {
		g->raw = 1;
		r = socket_in(g->ns, g->family, SOCK_RAW, proto, &g->fd, err);
		if (r == -EPERM || r == -EACCES)
			return nl_fail(err, -r,
				       "%s needs net.ipv4.ping_group_range to include group %u in \"%s\", "
				       "or CAP_NET_RAW for a raw socket",
				       v, (unsigned)getegid(), g->ns);
	}
	if (r < 0)
		return err->code ? r : nl_fail(err, -r, "cannot open an %s socket", v);
	/* Every reply of a whole matrix may land here before the loop reads one. */
	if (setsockopt(g->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)) < 0)
		setsockopt(g->fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	if (g->raw) {
		icmp_filter(g->fd, g->family);
		/*
		 * Every pinger of the namespace sees every reply: the id tells
		 * ours apart, and a new one per socket keeps a late reply to an
		 * earlier call from passing for an answer to this one.
		 */
		if (!next_id)
			next_id = (uint16_t)((unsigned)getpid() * 2654435761u >> 16);
		g->id = next_id++;
	} else {
		recverr(g->fd, g->family);
	}
	return bind_src(g->fd, g->src, g->ns, err);
}

/*
 * A TCP probe's socket, or a UDP probe's: connected (in the loop), so the
 * kernel hands it only the target's replies, and with IP_RECVERR the ICMP
 * errors about its datagrams, port unreachable among them.
 */
static int open_own(struct run *r, size_t i, struct nl_err *err)
{
	struct probe *p = &r->p[i];
	const char *v = p->kind == PROBE_UDP ? "UDP" : "TCP";
	int rc;

	nl_obj(err, "%s socket in \"%s\"", v, probe_nsname(p));
	rc = socket_in(probe_nsname(p), p->dst.family, p->kind == PROBE_UDP ? SOCK_DGRAM : SOCK_STREAM, 0,
		       &r->own[i], err);
	if (rc < 0)
		return err->code ? rc : nl_fail(err, -rc, "cannot open a %s socket", v);
	/* With it an ICMP error tells who sent it, not only its errno. */
	recverr(r->own[i], p->dst.family);
	return bind_src(r->own[i], &p->src, probe_nsname(p), err);
}

int probe_round_open(struct run *r, size_t from, size_t to, struct nl_err *err)
{
	size_t i;
	int rc;

	for (i = 0; i < r->ng; i++) {
		rc = open_group(&r->g[i], err);
		if (rc < 0)
			return rc;
	}
	for (i = from; i < to; i++) {
		if (r->p[i].kind == PROBE_PING)
			continue;
		rc = open_own(r, i, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}
