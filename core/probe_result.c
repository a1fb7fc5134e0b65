// SPDX-License-Identifier: MIT
/*
 * What each answer means for its probe: a reply wins over any error, the
 * first error is the one told, and at the end of a round a probe with no
 * outcome is a timeout.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <netinet/in.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>

#include "probe_int.h"

/* The outcome of one echo or connect; the probe is done when none is left. */
void probe_settle(struct run *r, size_t i)
{
	if (r->left[i] > 0 && --r->left[i] == 0)
		r->open--;
}

void probe_fail(struct probe *p, int status, int code)
{
	/* A reply wins over any error; the first error is the one told. */
	if (p->received || p->status != PROBE_PENDING)
		return;
	p->status = status;
	p->code = code;
}

void probe_unreach(struct probe *p, const struct cidr *from, int type, int code)
{
	if (p->received || p->status != PROBE_PENDING)
		return;
	p->status = PROBE_UNREACH;
	p->code = EHOSTUNREACH;
	/* A UDP port unreachable is the port's answer: closed. */
	if (p->kind == PROBE_UDP &&
	    (p->dst.family == AF_INET ? type == ICMP_DEST_UNREACH && code == ICMP_PORT_UNREACH :
					type == ICMPV6_DEST_UNREACH && code == ICMPV6_PORT_UNREACH)) {
		p->status = PROBE_REFUSED;
		p->code = ECONNREFUSED;
	}
	if (from)
		p->from = *from;
	p->icmp_type = type;
	p->icmp_code = code;
}

void probe_answered(struct run *r, struct slot *s, int try, const struct timespec *t)
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
	probe_settle(r, s->probe);
}

void probe_round_close(struct run *r, size_t from, size_t to)
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

		if (r->own[i] >= 0)
			close(r->own[i]);
		r->own[i] = -1;
		if (p->received) {
			p->status = PROBE_OK;
			p->code = 0;
			p->rtt_ms /= p->received;
		} else if (p->status == PROBE_PENDING) {
			p->status = PROBE_TIMEOUT;
		}
	}
}

int probe_suspect(const struct probe *p)
{
	switch (p->status) {
	case PROBE_TIMEOUT:
		return 1;
	case PROBE_LOCAL:
		/* ip_finish_output2() fails a send with no neighbour entry with EINVAL. */
		return p->code == EINVAL || p->code == ENOBUFS;
	case PROBE_UNREACH:
		/* A router whose resolution of the next hop failed. */
		return p->dst.family == AF_INET ?
			       p->icmp_type == ICMP_DEST_UNREACH && p->icmp_code == ICMP_HOST_UNREACH :
			       p->icmp_type == ICMPV6_DEST_UNREACH && p->icmp_code == ICMPV6_ADDR_UNREACH;
	}
	return 0;
}
