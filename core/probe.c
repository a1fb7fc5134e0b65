// SPDX-License-Identifier: MIT
/*
 * Probes sent from inside namespaces, all of a call in flight at once:
 * the call's checks, its probes planned into rounds of at most PROBE_MAXFD
 * sockets (pings share one socket per namespace, family and source
 * address, so a matrix of N namespaces costs 2N descriptors, not N²), and
 * the waves that re-probe what the kernel's neighbour table may have
 * dropped. The sockets are in probe_sock.c, the poll loop in probe_loop.c,
 * what answers mean in probe_result.c, the tables in probe_neigh.c.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ns.h"
#include "probe_int.h"
#include "vec.h"

static int same_src(const struct cidr *a, const struct cidr *b)
{
	if (!a->family || !b->family)
		return a->family == b->family;
	return a->family == b->family && !memcmp(a->a.b, b->a.b, a->family == AF_INET ? 4 : 16);
}

const char *probe_nsname(const struct probe *p)
{
	return p->ns[0] ? p->ns : NS_ROOT;
}

static struct group *group_of(struct run *r, const struct probe *p)
{
	struct group *g;
	size_t i;

	/* Callers list a namespace's probes together: the last group is the likely one. */
	for (i = r->ng; i-- > 0;) {
		g = &r->g[i];
		if (g->family == p->dst.family && g->nslot + (size_t)r->o->count <= SEQ_SLOTS &&
		    !strcmp(g->ns, probe_nsname(p)) && same_src(g->src, &p->src))
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
			g->ns = probe_nsname(p);
			g->family = p->dst.family;
			g->src = &p->src;
			g->fd = -1;
		}
		if (add_slots(r, g, i) < 0)
			return -ENOMEM;
	}
	return (long)i;
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
	nl_obj(err, "probe from \"%s\"", probe_nsname(p));
	if (p->dst.family != AF_INET && p->dst.family != AF_INET6)
		return nl_fail(err, EINVAL, "no destination address");
	if (p->src.family && p->src.family != p->dst.family)
		return nl_fail(err, EINVAL, "the source and destination are of different families");
	if (p->kind == PROBE_TCP && (p->port < 1 || p->port > 65535))
		return nl_fail(err, EINVAL, "port %d is not 1..65535", p->port);
	if (p->kind != PROBE_TCP && p->kind != PROBE_PING)
		return nl_fail(err, EINVAL, "unknown kind of probe");
	return ns_check(probe_nsname(p), err);
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
		rc = probe_round_open(&r, from, (size_t)to, err);
		if (rc == 0)
			probe_round_loop(&r, from, (size_t)to);
		probe_round_close(&r, from, (size_t)to);
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
