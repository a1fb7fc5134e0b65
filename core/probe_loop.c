// SPDX-License-Identifier: MIT
/*
 * One round's poll loop: every echo, connect and UDP datagram is sent,
 * then one poll waits for all the answers until each probe has its outcome
 * or the timeout passes; an echo or datagram still unanswered at half the
 * timeout is sent once more. Echoes of a socket are told apart by their sequence numbers (seq =
 * 2 * slot + try). No threads, no fork.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/errqueue.h>

#include "probe_int.h"

static void send_echo(struct run *r, struct group *g, size_t k, int try)
{
	struct slot *s = &r->s[g->slot[k]];
	struct probe *p = &r->p[s->probe];
	struct sockaddr_storage ss;
	socklen_t salen = probe_to_sockaddr(&p->dst, 0, &ss);
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
	probe_fail(p, errno == ENETUNREACH ? PROBE_NOROUTE : PROBE_LOCAL, errno);
	probe_settle(r, s->probe);
}

static void connect_tcp(struct run *r, size_t i)
{
	struct probe *p = &r->p[i];
	struct sockaddr_storage ss;
	socklen_t salen = probe_to_sockaddr(&p->dst, p->port, &ss);

	now(&r->start[i]);
	p->sent = 1;
	if (connect(r->own[i], (struct sockaddr *)&ss, salen) == 0 || errno == EINPROGRESS)
		return; /* the poll loop sees it writable (connected) or failed */
	/* Closed here, so the loop never asks it how the connect went. */
	close(r->own[i]);
	r->own[i] = -1;
	probe_fail(p, errno == ENETUNREACH ? PROBE_NOROUTE :
		errno == ECONNREFUSED ? PROBE_REFUSED : PROBE_LOCAL, errno);
	probe_settle(r, i);
}

/*
 * A UDP probe's datagram: try 0 connects the socket first (no packet: it
 * fixes the peer, so replies and ICMP errors about it reach this socket
 * alone), try 1 is the retry at half the timeout. The round trip counts
 * from the last datagram sent.
 */
static void send_udp(struct run *r, size_t i, int try)
{
	struct probe *p = &r->p[i];
	struct sockaddr_storage ss;
	socklen_t salen = probe_to_sockaddr(&p->dst, p->port, &ss);
	int e;

	if (try == 0 && connect(r->own[i], (struct sockaddr *)&ss, salen) < 0)
		goto failed;
	now(&r->start[i]);
	if (send(r->own[i], p->payload ? p->payload : "", p->payload_len, 0) >= 0) {
		p->sent++;
		return;
	}
	/* The queue was full: left for the retry. */
	if (errno == EAGAIN || errno == ENOBUFS)
		return;
failed:
	e = errno;
	/* The retry's send reports the port unreachable the first one got: the loop reads it. */
	if (try == 1 && e == ECONNREFUSED)
		return;
	close(r->own[i]);
	r->own[i] = -1;
	probe_fail(p, e == ENETUNREACH ? PROBE_NOROUTE : e == ECONNREFUSED ? PROBE_REFUSED : PROBE_LOCAL, e);
	probe_settle(r, i);
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
			probe_answered(r, s, try, &t);
			continue;
		}
		s->state = ANSWERED;
		probe_from_sockaddr((struct sockaddr *)&from, &who);
		probe_unreach(&r->p[s->probe], &who, k.type, k.code);
		probe_settle(r, s->probe);
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
			probe_from_sockaddr(SO_EE_OFFENDER((struct sock_extended_err *)(void *)CMSG_DATA(c)),
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
			probe_unreach(&r->p[s->probe], who.family ? &who : NULL, ee.ee_type, ee.ee_code);
		else
			probe_fail(&r->p[s->probe], ee.ee_errno == ENETUNREACH ? PROBE_NOROUTE : PROBE_LOCAL,
			     (int)ee.ee_errno);
		probe_settle(r, s->probe);
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
	getsockopt(r->own[pi], SOL_SOCKET, SO_ERROR, &e, &sl);
	if (!e) {
		p->received = 1;
		p->rtt_ms = p->rtt_min = p->rtt_max = ms_between(&r->start[pi], &t);
	} else if (read_err(r->own[pi], r->buf, BUFSZ, &len, &ee, &who) && icmp_origin(&ee)) {
		probe_unreach(p, who.family ? &who : NULL, ee.ee_type, ee.ee_code);
	} else {
		probe_fail(p, e == ECONNREFUSED ? PROBE_REFUSED : e == ENETUNREACH ? PROBE_NOROUTE :
			PROBE_LOCAL, e);
	}
	close(r->own[pi]);
	r->own[pi] = -1;
	pfd->fd = -1;
	probe_settle(r, pi);
}

/*
 * A UDP probe's socket is readable (a reply) or has an error (an ICMP
 * error, port unreachable among them, on its error queue; or a local one).
 */
static void finish_udp(struct run *r, size_t pi, struct pollfd *pfd)
{
	struct probe *p = &r->p[pi];
	struct sock_extended_err ee;
	struct timespec t;
	struct cidr who;
	size_t len;
	ssize_t n;

	now(&t);
	if (read_err(r->own[pi], r->buf, BUFSZ, &len, &ee, &who)) {
		if (icmp_origin(&ee))
			probe_unreach(p, who.family ? &who : NULL, ee.ee_type, ee.ee_code);
		else
			probe_fail(p, ee.ee_errno == ENETUNREACH ? PROBE_NOROUTE : PROBE_LOCAL,
				   (int)ee.ee_errno);
	} else {
		n = recv(r->own[pi], r->buf, BUFSZ, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n >= 0) {
			p->received = 1;
			p->rtt_ms = p->rtt_min = p->rtt_max = ms_between(&r->start[pi], &t);
		} else {
			probe_fail(p, errno == ECONNREFUSED ? PROBE_REFUSED : PROBE_LOCAL, errno);
		}
	}
	close(r->own[pi]);
	r->own[pi] = -1;
	pfd->fd = -1;
	probe_settle(r, pi);
}

/* Sends every echo and UDP datagram that is still unanswered a second time. */
static void resend(struct run *r, size_t from, size_t to)
{
	size_t gi, k;

	for (gi = 0; gi < r->ng; gi++) {
		struct group *g = &r->g[gi];

		for (k = 0; k < g->nslot; k++)
			if (r->s[g->slot[k]].state == WAITING)
				send_echo(r, g, k, 1);
	}
	for (k = from; k < to; k++)
		if (r->p[k].kind == PROBE_UDP && r->own[k] >= 0)
			send_udp(r, k, 1);
}

void probe_round_loop(struct run *r, size_t from, size_t to)
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
		if (r->p[i].kind == PROBE_PING)
			continue;
		r->owner[r->npfd] = i;
		r->pfd[r->npfd].fd = r->own[i];
		r->pfd[r->npfd++].events = r->p[i].kind == PROBE_UDP ? POLLIN : POLLOUT;
	}
	now(&t0);
	for (i = 0; i < r->ng; i++)
		for (k = 0; k < r->g[i].nslot; k++)
			send_echo(r, &r->g[i], k, 0);
	for (i = from; i < to; i++)
		if (r->p[i].kind == PROBE_TCP)
			connect_tcp(r, i);
		else if (r->p[i].kind == PROBE_UDP)
			send_udp(r, i, 0);
	for (;;) {
		for (i = r->ng; i < r->npfd; i++)
			if (r->pfd[i].fd >= 0 && r->own[r->owner[i]] < 0)
				r->pfd[i].fd = -1;
		if (!r->open)
			break;
		/* Ctrl-C: poll returned EINTR, or a signal came between polls. */
		if (probe_stopping()) {
			r->stopped = 1;
			break;
		}
		now(&t);
		elapsed = ms_between(&t0, &t);
		if (elapsed >= r->o->timeout_ms)
			break;
		if (!resent && elapsed >= half) {
			resend(r, from, to);
			resent = 1;
			continue;
		}
		/* Wake for the retry at half the timeout, then for the end. */
		if (poll(r->pfd, r->npfd, (int)((resent ? r->o->timeout_ms : half) - elapsed) + 1) <= 0)
			continue;
		for (i = 0; i < r->npfd; i++) {
			if (!r->pfd[i].revents || r->pfd[i].fd < 0)
				continue;
			if (i >= r->ng && r->p[r->owner[i]].kind == PROBE_UDP) {
				finish_udp(r, r->owner[i], &r->pfd[i]);
				continue;
			}
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
