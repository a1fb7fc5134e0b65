// SPDX-License-Identifier: MIT
/*
 * Probes sent from inside namespaces, all of a call in flight at once:
 * the call's checks, its probes planned into rounds of at most PROBE_MAXFD
 * sockets (a TCP or UDP probe has its own; pings share one socket per namespace, family and source
 * address, so a matrix of N namespaces costs 2N descriptors, not N²), and
 * the waves that re-probe what the kernel's neighbour table may have
 * dropped. The sockets are in probe_sock.c, the poll loop in probe_loop.c,
 * what answers mean in probe_result.c, the tables in probe_neigh.c.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#include "ns.h"
#include "probe_int.h"
#include "vec.h"

volatile sig_atomic_t *probe_stop;

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
	size_t i, nown = 0;

	for (i = from; i < r->n; i++) {
		struct probe *p = &r->p[i];
		struct group *g = NULL;

		p->status = PROBE_PENDING;
		if (p->kind == PROBE_PING)
			g = group_of(r, p);
		if (!g && r->ng + nown >= PROBE_MAXFD && i > from)
			break;
		if (p->kind != PROBE_PING) {
			nown++;
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
	if (p->kind != PROBE_PING && (p->port < 1 || p->port > 65535))
		return nl_fail(err, EINVAL, "port %d is not 1..65535", p->port);
	if (p->kind != PROBE_TCP && p->kind != PROBE_PING && p->kind != PROBE_UDP)
		return nl_fail(err, EINVAL, "unknown kind of probe");
	if (p->kind == PROBE_UDP && p->payload_len > PROBE_UDP_MAX)
		return nl_fail(err, EMSGSIZE, "a payload of %zu bytes is more than %d", p->payload_len,
			       PROBE_UDP_MAX);
	return ns_check(probe_nsname(p), err);
}

static int interrupted(struct nl_err *err)
{
	nl_obj(err, "probe");
	return nl_fail(err, EINTR, "interrupted");
}

/* Every probe of p sent and answered, in rounds of at most PROBE_MAXFD sockets. */
static int pass(struct probe *p, size_t n, const struct probe_opts *o, struct nl_err *err)
{
	struct run r = { .p = p, .n = n, .o = o };
	size_t i, from;
	int rc = 0;

	for (i = 0; i < n; i++)
		memset(&p[i].status, 0, sizeof(*p) - offsetof(struct probe, status));
	r.own = malloc(n * sizeof(*r.own));
	r.start = calloc(n, sizeof(*r.start));
	r.left = calloc(n, sizeof(*r.left));
	r.pfd = calloc(PROBE_MAXFD + 1, sizeof(*r.pfd));
	r.owner = calloc(PROBE_MAXFD + 1, sizeof(*r.owner));
	r.buf = malloc(BUFSZ);
	if (!r.own || !r.start || !r.left || !r.pfd || !r.owner || !r.buf) {
		rc = nl_fail(err, ENOMEM, NULL);
		goto out;
	}
	for (i = 0; i < n; i++)
		r.own[i] = -1;
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
		if (rc == 0 && r.stopped)
			rc = interrupted(err);
		if (rc < 0)
			goto out;
		from = (size_t)to;
	}
out:
	free(r.own);
	free(r.start);
	free(r.left);
	free(r.pfd);
	free(r.owner);
	free(r.buf);
	free(r.s);
	free(r.g);
	return rc;
}

/*
 * A pass that leaves the neighbour tables as it found them (probe_flush.c);
 * *flushed: 1 when its new entries were deleted after it.
 */
static int clean_pass(struct probe *p, size_t n, const struct probe_opts *o, int *flushed,
		      struct nl_err *err)
{
	struct probe_snap s;
	int snap = probe_snap_take(&s, p, n) == 0, rc = pass(p, n, o, err);

	if (snap) {
		probe_snap_restore(&s);
		probe_snap_free(&s);
	}
	*flushed = snap;
	return rc;
}

/* The two tables, [0] ARP and [1] NDP: ok when read. */
struct tables {
	struct probe_neigh t[2];
	int ok[2];
};

static int fam(int family)
{
	return family == AF_INET6;
}

static void read_tables(const int used[2], struct tables *tb)
{
	struct nl_err e;
	int f;

	for (f = 0; f < 2; f++) {
		memset(&e, 0, sizeof(e));
		tb->ok[f] = used[f] && probe_neigh_read(f ? AF_INET6 : AF_INET, &tb->t[f], &e) == 0;
	}
}

/* Waits until ms after t0; -EINTR (err) when a signal says stop meanwhile. */
static int sleep_until(const struct timespec *t0, int ms, struct nl_err *err)
{
	struct timespec t, d;
	double left;

	now(&t);
	left = ms - ms_between(t0, &t);
	if (left > 0) {
		d.tv_sec = (time_t)(left / 1e3);
		d.tv_nsec = (long)((left - (double)d.tv_sec * 1e3) * 1e6);
		while (nanosleep(&d, &d) < 0 && errno == EINTR && !probe_stopping())
			;
	}
	return probe_stopping() ? interrupted(err) : 0;
}

/*
 * The suspects (sus[0..ns)) sent again in waves until each has had one
 * without overflow, or is PROBE_UNSURE. over: which tables overflowed in
 * the pass before, tb as they were after it.
 */
static int waves(struct probe *p, size_t *sus, size_t ns, const struct probe_opts *o, int over[2],
		 struct tables *tb, int flushed, struct nl_err *err)
{
	struct probe_wave st[2];
	size_t settled[2] = { 0, 0 };
	struct probe *w = malloc(ns * sizeof(*w));
	size_t *map = malloc(ns * sizeof(*map));
	struct timespec end;
	int rc = 0;

	if (!w || !map) {
		rc = nl_fail(err, ENOMEM, NULL);
		goto out;
	}
	memset(st, 0, sizeof(st));
	st[0].flushed = st[1].flushed = flushed;
	now(&end);
	while (ns) {
		struct tables before = *tb;
		size_t want[2] = { 0, 0 }, k = 0, i, j;
		int f, used[2] = { 0, 0 };

		for (i = 0; i < ns; i++)
			used[fam(p[sus[i]].dst.family)] = 1;
		read_tables(used, &before);
		for (f = 0; f < 2; f++)
			if (used[f] && before.ok[f])
				want[f] = probe_wave_plan(&st[f], &before.t[f], over[f], settled[f]);
		rc = sleep_until(&end, st[want[1] && st[1].gap_ms > st[0].gap_ms].gap_ms, err);
		if (rc < 0)
			goto out;
		if (st[0].gap_ms || st[1].gap_ms)
			read_tables(used, &before);
		/* Those of a family given up on, or whose table cannot be read, stay unsure. */
		for (i = j = 0; i < ns; i++) {
			f = fam(p[sus[i]].dst.family);
			if (want[f])
				sus[j++] = sus[i];
			else
				p[sus[i]].status = PROBE_UNSURE;
		}
		ns = j;
		for (i = 0; i < ns; i++) {
			f = fam(p[sus[i]].dst.family);
			if (!want[f])
				continue;
			want[f]--;
			map[k] = i;
			w[k++] = p[sus[i]];
		}
		if (!k)
			break;
		rc = clean_pass(w, k, o, &flushed, err);
		if (rc < 0)
			goto out;
		st[0].flushed = st[1].flushed = flushed;
		now(&end);
		read_tables(used, tb);
		for (f = 0; f < 2; f++)
			over[f] = used[f] && (!tb->ok[f] || !before.ok[f] ||
					      tb->t[f].table_fulls != before.t[f].table_fulls);
		/* A wave's answer is the kernel's unless its table overflowed and it failed. */
		settled[0] = settled[1] = 0;
		for (i = 0; i < k; i++) {
			f = fam(w[i].dst.family);
			if (over[f] && probe_suspect(&w[i]))
				continue;
			settled[f]++;
			p[sus[map[i]]] = w[i];
			sus[map[i]] = (size_t)-1;
		}
		for (i = j = 0; i < ns; i++)
			if (sus[i] != (size_t)-1)
				sus[j++] = sus[i];
		ns = j;
	}
out:
	free(w);
	free(map);
	return rc;
}

/* 1 when p's pings of a family are more than three quarters of its table's free room. */
static int too_big(const struct probe *p, size_t n, const struct tables *tb)
{
	size_t count[2] = { 0, 0 }, i;
	int f;

	for (i = 0; i < n; i++)
		count[fam(p[i].dst.family)]++;
	for (f = 0; f < 2; f++) {
		const struct probe_neigh *t = &tb->t[f];
		size_t free = t->thresh3 > t->entries ? t->thresh3 - t->entries : 0;

		if (tb->ok[f] && count[f] > free - free / 4)
			return 1;
	}
	return 0;
}

int probe_run(struct probe *p, size_t n, const struct probe_opts *o, struct nl_err *err)
{
	struct tables before, after;
	struct probe_snap snap;
	int used[2] = { 0, 0 }, over[2], flushed, f, rc = check_opts(o, err);
	size_t i, ns = 0, *sus;

	for (i = 0; rc == 0 && i < n; i++) {
		memset(&p[i].status, 0, sizeof(*p) - offsetof(struct probe, status));
		rc = check_probe(&p[i], err);
		if (rc == 0)
			used[fam(p[i].dst.family)] = 1;
	}
	if (rc < 0 || n == 0)
		return rc;
	read_tables(used, &before);
	sus = malloc(n * sizeof(*sus));
	if (!sus)
		return nl_fail(err, ENOMEM, NULL);
	/*
	 * More than the free room, when entries are deleted after each wave:
	 * straight to waves the room can take, with no pass that overflows
	 * and waits out its timeout first.
	 */
	if (too_big(p, n, &before) && probe_snap_take(&snap, p, n) == 0) {
		probe_snap_free(&snap);
		for (i = 0; i < n; i++)
			sus[ns++] = i;
		over[0] = used[0];
		over[1] = used[1];
		rc = waves(p, sus, ns, o, over, &before, 1, err);
		free(sus);
		return rc;
	}
	rc = clean_pass(p, n, o, &flushed, err);
	if (rc < 0)
		goto out;
	read_tables(used, &after);
	for (f = 0; f < 2; f++)
		over[f] = before.ok[f] && after.ok[f] &&
			  after.t[f].table_fulls != before.t[f].table_fulls;
	for (i = 0; i < n; i++)
		if (over[fam(p[i].dst.family)] && probe_suspect(&p[i]))
			sus[ns++] = i;
	rc = ns ? waves(p, sus, ns, o, over, &after, flushed, err) : 0;
out:
	free(sus);
	return rc;
}
