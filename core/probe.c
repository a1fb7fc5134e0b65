// SPDX-License-Identifier: MIT
/*
 * Probes sent from inside namespaces, all of a call in flight at once.
 *
 * A socket is bound to the namespace it is created in, for good (as the
 * netlink sockets in ns.c are): so every socket is opened inside its
 * namespace and used from home. Pings share one socket per namespace,
 * family and source address, told apart by their sequence numbers, so a
 * matrix of N namespaces costs 2N descriptors, not N²; a TCP probe has its
 * own socket. Nothing is sent before every socket of the round is open, so
 * a namespace that cannot be entered or a source address that is not there
 * fails the call before any packet leaves.
 *
 * ICMP goes through "ping sockets" (SOCK_DGRAM, IPPROTO_ICMP) where the
 * namespace's net.ipv4.ping_group_range lets our group have them: the
 * kernel then picks the echo identifier and hands only our replies back,
 * and ICMP errors come on the error queue (IP_RECVERR) with the address of
 * who sent them. A new namespace's range is empty, so inside a lab it is
 * usually a raw socket (root, or CAP_NET_RAW), as ping(8) itself falls back
 * to: it sees every ICMP message of the namespace, filtered in the kernel to
 * replies and errors (ICMP_FILTER) and by our identifier here; errors are
 * then read as packets, quoting our echo (probe_pkt.c).
 */
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/errqueue.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>

#include "ns.h"
#include "probe.h"
#include "vec.h"

#define SEQ_SLOTS 32767 /* echoes per socket: seq = 2 * slot + try */
#define RCVBUF (1 << 20)
#define BUFSZ (PROBE_SIZE_MAX + 512)

enum { WAITING, ANSWERED };

static uint16_t next_id;

/* One echo of a ping probe, sent once, or twice when the first goes unanswered. */
struct slot {
	size_t probe;
	int state;
	int tries;
	struct timespec sent[2];
};

/* One ICMP socket: a namespace, a family and a source address. */
struct group {
	const char *ns;
	int family;
	const struct cidr *src;
	int fd;
	int raw;
	uint16_t id;
	size_t *slot, nslot, cap;
};

struct run {
	struct probe *p;
	size_t n;
	const struct probe_opts *o;
	struct group *g;
	size_t ng, gcap;
	struct slot *s;
	size_t nsl, scap;
	int *tcp;		 /* per probe: its TCP socket, or -1 */
	struct timespec *start;	 /* per probe: when its connect was made */
	int *left;		 /* per probe: echoes (or the connect) without an outcome */
	struct pollfd *pfd;	 /* groups first, then one per TCP probe */
	size_t *owner;		 /* pfd i >= ng: the probe */
	size_t npfd;
	size_t open;		 /* probes without an outcome */
	uint8_t *buf;
};

static double ms_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

static void now(struct timespec *t)
{
	clock_gettime(CLOCK_MONOTONIC, t);
}

static socklen_t to_sockaddr(const struct cidr *c, int port, struct sockaddr_storage *ss)
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

static void from_sockaddr(const struct sockaddr *sa, struct cidr *c)
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

static int same_src(const struct cidr *a, const struct cidr *b)
{
	if (!a->family || !b->family)
		return a->family == b->family;
	return a->family == b->family && !memcmp(a->a.b, b->a.b, a->family == AF_INET ? 4 : 16);
}

static const char *nsname(const struct probe *p)
{
	return p->ns[0] ? p->ns : NS_ROOT;
}

/* The outcome of one echo or connect; the probe is done when none is left. */
static void settle(struct run *r, size_t i)
{
	if (r->left[i] > 0 && --r->left[i] == 0)
		r->open--;
}

static void fail(struct probe *p, int status, int code)
{
	/* A reply wins over any error; the first error is the one told. */
	if (p->received || p->status != PROBE_PENDING)
		return;
	p->status = status;
	p->code = code;
}

static void unreach(struct probe *p, const struct cidr *from, int type, int code)
{
	if (p->received || p->status != PROBE_PENDING)
		return;
	p->status = PROBE_UNREACH;
	p->code = EHOSTUNREACH;
	if (from)
		p->from = *from;
	p->icmp_type = type;
	p->icmp_code = code;
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
	len = to_sockaddr(src, 0, &ss);
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

static int open_tcp(struct run *r, size_t i, struct nl_err *err)
{
	struct probe *p = &r->p[i];
	int rc;

	nl_obj(err, "TCP socket in \"%s\"", nsname(p));
	rc = socket_in(nsname(p), p->dst.family, SOCK_STREAM, 0, &r->tcp[i], err);
	if (rc < 0)
		return err->code ? rc : nl_fail(err, -rc, "cannot open a TCP socket");
	/* With it an ICMP error tells who sent it, not only its errno. */
	recverr(r->tcp[i], p->dst.family);
	return bind_src(r->tcp[i], &p->src, nsname(p), err);
}

static struct group *group_of(struct run *r, const struct probe *p)
{
	struct group *g;
	size_t i;

	/* Callers list a namespace's probes together: the last group is the likely one. */
	for (i = r->ng; i-- > 0;) {
		g = &r->g[i];
		if (g->family == p->dst.family && g->nslot + (size_t)r->o->count <= SEQ_SLOTS &&
		    !strcmp(g->ns, nsname(p)) && same_src(g->src, &p->src))
			return g;
	}
	return NULL;
}

static int add_slots(struct run *r, struct group *g, size_t i)
{
	int c;

	for (c = 0; c < r->o->count; c++) {
		void *v = vec_room(r->s, &r->scap, r->nsl, sizeof(*r->s));

		if (!v)
			return -ENOMEM;
		r->s = v;
		v = vec_room(g->slot, &g->cap, g->nslot, sizeof(*g->slot));
		if (!v)
			return -ENOMEM;
		g->slot = v;
		memset(&r->s[r->nsl], 0, sizeof(*r->s));
		r->s[r->nsl].probe = i;
		g->slot[g->nslot++] = r->nsl++;
	}
	r->left[i] = r->o->count;
	return 0;
}

/*
 * Takes probes from `from` on into the round until PROBE_MAXFD sockets;
 * returns where the round ends (>= from + 1), or -errno.
 */
static long plan_round(struct run *r, size_t from)
{
	size_t i, ntcp = 0;

	for (i = from; i < r->n; i++) {
		struct probe *p = &r->p[i];
		struct group *g = NULL;

		p->status = PROBE_PENDING;
		if (p->kind == PROBE_PING)
			g = group_of(r, p);
		if (!g && r->ng + ntcp >= PROBE_MAXFD && i > from)
			break;
		if (p->kind == PROBE_TCP) {
			ntcp++;
			r->left[i] = 1;
			continue;
		}
		if (!g) {
			void *v = vec_room(r->g, &r->gcap, r->ng, sizeof(*r->g));

			if (!v)
				return -ENOMEM;
			r->g = v;
			g = &r->g[r->ng++];
			memset(g, 0, sizeof(*g));
			g->ns = nsname(p);
			g->family = p->dst.family;
			g->src = &p->src;
			g->fd = -1;
		}
		if (add_slots(r, g, i) < 0)
			return -ENOMEM;
	}
	return (long)i;
}

static void send_echo(struct run *r, struct group *g, size_t k, int try)
{
	struct slot *s = &r->s[g->slot[k]];
	struct probe *p = &r->p[s->probe];
	struct sockaddr_storage ss;
	socklen_t salen = to_sockaddr(&p->dst, 0, &ss);
	size_t len = probe_build_echo(g->family, g->id, (uint16_t)(2 * k + (size_t)try), r->o->size,
				      r->buf, BUFSZ);
	int attempt;

	p->raw = g->raw;
	for (attempt = 0; attempt < 2; attempt++) {
		now(&s->sent[try]);
		if (sendto(g->fd, r->buf, len, 0, (struct sockaddr *)&ss, salen) >= 0) {
			s->tries = try + 1;
			if (try == 0)
				p->sent++;
			return;
		}
		/*
		 * With IP_RECVERR a ping socket keeps the last ICMP error of any
		 * of its echoes and fails the next send with it, once: so a send
		 * fails for this probe only when it fails twice.
		 */
		if (errno == EAGAIN || errno == ENOBUFS)
			break;
	}
	s->sent[try].tv_sec = 0;
	s->sent[try].tv_nsec = 0;
	if (errno == EAGAIN || errno == ENOBUFS)
		return; /* the queue was full: left for the retry */
	s->state = ANSWERED;
	fail(p, errno == ENETUNREACH ? PROBE_NOROUTE : PROBE_LOCAL, errno);
	settle(r, s->probe);
}

static void connect_tcp(struct run *r, size_t i)
{
	struct probe *p = &r->p[i];
	struct sockaddr_storage ss;
	socklen_t salen = to_sockaddr(&p->dst, p->port, &ss);

	now(&r->start[i]);
	p->sent = 1;
	if (connect(r->tcp[i], (struct sockaddr *)&ss, salen) == 0 || errno == EINPROGRESS)
		return; /* the poll loop sees it writable (connected) or failed */
	/* Closed here, so the loop never asks it how the connect went. */
	close(r->tcp[i]);
	r->tcp[i] = -1;
	fail(p, errno == ENETUNREACH ? PROBE_NOROUTE :
		errno == ECONNREFUSED ? PROBE_REFUSED : PROBE_LOCAL, errno);
	settle(r, i);
}

static struct slot *slot_of(struct run *r, struct group *g, uint16_t seq, int *try)
{
	size_t k = seq >> 1;
	struct slot *s;

	if (k >= g->nslot)
		return NULL;
	s = &r->s[g->slot[k]];
	*try = seq & 1;
	return s->state == WAITING ? s : NULL;
}

static void answered(struct run *r, struct slot *s, int try, const struct timespec *t)
{
	struct probe *p = &r->p[s->probe];
	double ms;

	s->state = ANSWERED;
	if (!s->sent[try].tv_sec && !s->sent[try].tv_nsec)
		try = 0;
	ms = ms_between(&s->sent[try], t);
	if (!p->received || ms < p->rtt_min)
		p->rtt_min = ms;
	if (!p->received || ms > p->rtt_max)
		p->rtt_max = ms;
	p->rtt_ms += ms;
	p->received++;
	settle(r, s->probe);
}

/* Replies, and on a raw socket ICMP errors, until the socket has no more. */
static void read_group(struct run *r, struct group *g)
{
	struct sockaddr_storage from;
	struct timespec t;
	struct probe_pkt k;
	struct slot *s;
	struct cidr who;
	int try, reads;

	for (reads = 0; reads < 4096; reads++) {
		struct iovec iov = { r->buf, BUFSZ };
		struct msghdr m = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
				    .msg_iovlen = 1 };
		ssize_t n = recvmsg(g->fd, &m, MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			/* A ping socket's pending error, reported once: the error queue says more. */
			continue;
		}
		now(&t);
		if (probe_parse_icmp(g->family, g->raw && g->family == AF_INET, r->buf, (size_t)n,
				     &k) < 0)
			continue;
		/* A ping socket only ever hands us our own; a raw one, everyone's. */
		if (k.what == PROBE_PKT_OTHER || (g->raw && k.id != g->id))
			continue;
		s = slot_of(r, g, k.seq, &try);
		if (!s)
			continue;
		if (k.what == PROBE_PKT_REPLY) {
			answered(r, s, try, &t);
			continue;
		}
		s->state = ANSWERED;
		from_sockaddr((struct sockaddr *)&from, &who);
		unreach(&r->p[s->probe], &who, k.type, k.code);
		settle(r, s->probe);
	}
}

/*
 * The error queue of a ping or TCP socket: each entry an ICMP error (with
 * the address of who sent it) or a local one, and the start of the packet
 * it is about. Returns 1 when an entry was read into *ee and *who.
 */
static int read_err(int fd, uint8_t *buf, size_t cap, size_t *len, struct sock_extended_err *ee,
		    struct cidr *who)
{
	union {
		char b[512];
		struct cmsghdr align;
	} control;
	struct sockaddr_storage dst;
	struct iovec iov = { buf, cap };
	struct msghdr m = { .msg_name = &dst, .msg_namelen = sizeof(dst), .msg_iov = &iov,
			    .msg_iovlen = 1, .msg_control = control.b,
			    .msg_controllen = sizeof(control.b) };
	struct cmsghdr *c;
	ssize_t n = recvmsg(fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT);

	if (n < 0)
		return 0;
	*len = (size_t)n;
	memset(who, 0, sizeof(*who));
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		if (!((c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
		      (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR)))
			continue;
		if (c->cmsg_len < CMSG_LEN(sizeof(*ee)))
			continue;
		memcpy(ee, CMSG_DATA(c), sizeof(*ee));
		if (c->cmsg_len >= CMSG_LEN(sizeof(*ee) + sizeof(struct sockaddr_in)))
			from_sockaddr(SO_EE_OFFENDER((struct sock_extended_err *)(void *)CMSG_DATA(c)),
				      who);
		return 1;
	}
	ee->ee_origin = SO_EE_ORIGIN_NONE;
	return 1;
}

static int icmp_origin(const struct sock_extended_err *ee)
{
	return ee->ee_origin == SO_EE_ORIGIN_ICMP || ee->ee_origin == SO_EE_ORIGIN_ICMP6;
}

static void read_group_errors(struct run *r, struct group *g)
{
	struct sock_extended_err ee;
	struct cidr who;
	struct slot *s;
	size_t len;
	int try, reads;

	for (reads = 0; reads < 4096 && read_err(g->fd, r->buf, BUFSZ, &len, &ee, &who); reads++) {
		/* The data is the echo the error is about: its seq at bytes 6-7. */
		if (len < 8)
			continue;
		s = slot_of(r, g, (uint16_t)(r->buf[6] << 8 | r->buf[7]), &try);
		if (!s)
			continue;
		s->state = ANSWERED;
		if (icmp_origin(&ee))
			unreach(&r->p[s->probe], who.family ? &who : NULL, ee.ee_type, ee.ee_code);
		else
			fail(&r->p[s->probe], ee.ee_errno == ENETUNREACH ? PROBE_NOROUTE : PROBE_LOCAL,
			     (int)ee.ee_errno);
		settle(r, s->probe);
	}
}

static void finish_tcp(struct run *r, size_t pi, struct pollfd *pfd)
{
	struct probe *p = &r->p[pi];
	struct sock_extended_err ee;
	struct timespec t;
	struct cidr who;
	socklen_t sl = sizeof(int);
	size_t len;
	int e = 0;

	now(&t);
	getsockopt(r->tcp[pi], SOL_SOCKET, SO_ERROR, &e, &sl);
	if (!e) {
		p->received = 1;
		p->rtt_ms = p->rtt_min = p->rtt_max = ms_between(&r->start[pi], &t);
	} else if (read_err(r->tcp[pi], r->buf, BUFSZ, &len, &ee, &who) && icmp_origin(&ee)) {
		unreach(p, who.family ? &who : NULL, ee.ee_type, ee.ee_code);
	} else {
		fail(p, e == ECONNREFUSED ? PROBE_REFUSED : e == ENETUNREACH ? PROBE_NOROUTE :
			PROBE_LOCAL, e);
	}
	close(r->tcp[pi]);
	r->tcp[pi] = -1;
	pfd->fd = -1;
	settle(r, pi);
}

/* Sends every echo that is still unanswered a second time. */
static void resend(struct run *r)
{
	size_t gi, k;

	for (gi = 0; gi < r->ng; gi++) {
		struct group *g = &r->g[gi];

		for (k = 0; k < g->nslot; k++)
			if (r->s[g->slot[k]].state == WAITING)
				send_echo(r, g, k, 1);
	}
}

static int round_open(struct run *r, size_t from, size_t to, struct nl_err *err)
{
	size_t i;
	int rc;

	for (i = 0; i < r->ng; i++) {
		rc = open_group(&r->g[i], err);
		if (rc < 0)
			return rc;
	}
	for (i = from; i < to; i++) {
		if (r->p[i].kind != PROBE_TCP)
			continue;
		rc = open_tcp(r, i, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static void round_loop(struct run *r, size_t from, size_t to)
{
	struct timespec t0, t;
	double half = r->o->timeout_ms / 2.0, elapsed;
	int resent = 0;
	size_t i, k;

	r->npfd = 0;
	for (i = 0; i < r->ng; i++) {
		r->pfd[r->npfd].fd = r->g[i].fd;
		r->pfd[r->npfd++].events = POLLIN;
	}
	for (i = from; i < to; i++) {
		if (r->p[i].kind != PROBE_TCP)
			continue;
		r->owner[r->npfd] = i;
		r->pfd[r->npfd].fd = r->tcp[i];
		r->pfd[r->npfd++].events = POLLOUT;
	}
	now(&t0);
	for (i = 0; i < r->ng; i++)
		for (k = 0; k < r->g[i].nslot; k++)
			send_echo(r, &r->g[i], k, 0);
	for (i = from; i < to; i++)
		if (r->p[i].kind == PROBE_TCP)
			connect_tcp(r, i);
	for (;;) {
		for (i = r->ng; i < r->npfd; i++)
			if (r->pfd[i].fd >= 0 && r->tcp[r->owner[i]] < 0)
				r->pfd[i].fd = -1;
		if (!r->open)
			break;
		now(&t);
		elapsed = ms_between(&t0, &t);
		if (elapsed >= r->o->timeout_ms)
			break;
		if (!resent && elapsed >= half) {
			resend(r);
			resent = 1;
			continue;
		}
		/* Wake for the retry at half the timeout, then for the end. */
		if (poll(r->pfd, r->npfd, (int)((resent ? r->o->timeout_ms : half) - elapsed) + 1) <= 0)
			continue;
		for (i = 0; i < r->npfd; i++) {
			if (!r->pfd[i].revents || r->pfd[i].fd < 0)
				continue;
			if (i >= r->ng) {
				finish_tcp(r, r->owner[i], &r->pfd[i]);
				continue;
			}
			if (r->pfd[i].revents & POLLERR)
				read_group_errors(r, &r->g[i]);
			/* Also on POLLERR alone: a read clears the socket's pending error. */
			read_group(r, &r->g[i]);
		}
	}
}

static void round_close(struct run *r, size_t from, size_t to)
{
	size_t i;

	for (i = 0; i < r->ng; i++) {
		if (r->g[i].fd >= 0)
			close(r->g[i].fd);
		free(r->g[i].slot);
	}
	r->ng = 0;
	r->nsl = 0;
	for (i = from; i < to; i++) {
		struct probe *p = &r->p[i];

		if (r->tcp[i] >= 0)
			close(r->tcp[i]);
		r->tcp[i] = -1;
		if (p->received) {
			p->status = PROBE_OK;
			p->code = 0;
			p->rtt_ms /= p->received;
		} else if (p->status == PROBE_PENDING) {
			p->status = PROBE_TIMEOUT;
		}
	}
}

static int check_opts(const struct probe_opts *o, struct nl_err *err)
{
	nl_obj(err, "probe");
	if (o->timeout_ms <= 0)
		return nl_fail(err, EINVAL, "the timeout must be more than 0");
	if (o->count < 1 || o->count > PROBE_COUNT_MAX)
		return nl_fail(err, EINVAL, "count must be 1..%d", PROBE_COUNT_MAX);
	if (o->size < 0 || o->size > PROBE_SIZE_MAX)
		return nl_fail(err, EINVAL, "size must be 0..%d", PROBE_SIZE_MAX);
	return 0;
}

static int check_probe(const struct probe *p, struct nl_err *err)
{
	nl_obj(err, "probe from \"%s\"", nsname(p));
	if (p->dst.family != AF_INET && p->dst.family != AF_INET6)
		return nl_fail(err, EINVAL, "no destination address");
	if (p->src.family && p->src.family != p->dst.family)
		return nl_fail(err, EINVAL, "the source and destination are of different families");
	if (p->kind == PROBE_TCP && (p->port < 1 || p->port > 65535))
		return nl_fail(err, EINVAL, "port %d is not 1..65535", p->port);
	if (p->kind != PROBE_TCP && p->kind != PROBE_PING)
		return nl_fail(err, EINVAL, "unknown kind of probe");
	return ns_check(nsname(p), err);
}

int probe_run(struct probe *p, size_t n, const struct probe_opts *o, struct nl_err *err)
{
	struct run r = { .p = p, .n = n, .o = o };
	size_t i, from;
	int rc = check_opts(o, err);

	for (i = 0; rc == 0 && i < n; i++) {
		memset(&p[i].status, 0, sizeof(*p) - offsetof(struct probe, status));
		rc = check_probe(&p[i], err);
	}
	if (rc < 0 || n == 0)
		return rc;
	r.tcp = malloc(n * sizeof(*r.tcp));
	r.start = calloc(n, sizeof(*r.start));
	r.left = calloc(n, sizeof(*r.left));
	r.pfd = calloc(PROBE_MAXFD + 1, sizeof(*r.pfd));
	r.owner = calloc(PROBE_MAXFD + 1, sizeof(*r.owner));
	r.buf = malloc(BUFSZ);
	if (!r.tcp || !r.start || !r.left || !r.pfd || !r.owner || !r.buf) {
		rc = nl_fail(err, ENOMEM, NULL);
		goto out;
	}
	for (i = 0; i < n; i++)
		r.tcp[i] = -1;
	for (from = 0; from < n;) {
		long to = plan_round(&r, from);

		if (to < 0) {
			rc = nl_fail(err, ENOMEM, NULL);
			goto out;
		}
		r.open = 0;
		for (i = from; i < (size_t)to; i++)
			r.open += r.left[i] > 0;
		rc = round_open(&r, from, (size_t)to, err);
		if (rc == 0)
			round_loop(&r, from, (size_t)to);
		round_close(&r, from, (size_t)to);
		if (rc < 0)
			goto out;
		from = (size_t)to;
	}
out:
	free(r.tcp);
	free(r.start);
	free(r.left);
	free(r.pfd);
	free(r.owner);
	free(r.buf);
	free(r.s);
	free(r.g);
	return rc;
}
