// SPDX-License-Identifier: MIT
/*
 * The kernel's neighbour tables (ARP: arp_cache, NDP: ndisc_cache), as a
 * matrix sees them, and the waves it is paced in when they overflow.
 *
 * Each table is one for all namespaces together (net/core/neighbour.c: the
 * neigh_table and its counters are global, only per-device parameters are
 * per namespace). neigh_alloc() refuses a new entry when the table holds
 * gc_thresh3 entries and neigh_forced_gc() can free none: an entry is
 * freed only when nothing holds it and it has not been updated for 5 s (or
 * its resolution failed), and only down to gc_thresh2. Each refusal counts
 * one "table_fulls"; the packet that wanted the entry is dropped
 * silently, so that probe reads "no answer" although the kernel would have
 * answered it a moment later.
 *
 * The counters are read over rtnetlink (RTM_GETNEIGHTBL) rather than from
 * /proc/net/stat/arp_cache: that file and the gc_thresh sysctls exist in
 * the initial namespace only, and netlab runs in a sandbox's; the netlink
 * dump gives the same global table (NDTA_THRESH3, NDTA_CONFIG's entries,
 * NDTA_STATS' table_fulls) from any namespace. Nothing is changed: the
 * host's gc_thresh3 is the host's to set.
 */
#include <errno.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "probe.h"

static const enum mnl_attr_data_type neightbl_types[NDTA_MAX + 1] = {
	[NDTA_THRESH2] = MNL_TYPE_U32,
	[NDTA_THRESH3] = MNL_TYPE_U32,
	[NDTA_CONFIG] = MNL_TYPE_BINARY,
	[NDTA_STATS] = MNL_TYPE_BINARY,
};
static const struct nl_attrs neightbl_attrs = NL_ATTRS(neightbl_types);

int probe_neigh_parse(const struct nlmsghdr *nlh, struct probe_neigh *t)
{
	const struct nlattr *tb[NDTA_MAX + 1];
	const struct ndtmsg *m = nl_msg_index(nlh, RTM_NEWNEIGHTBL, sizeof(*m), &neightbl_attrs, tb);
	struct ndt_config c;
	struct ndt_stats s;

	if (!m)
		return -EBADMSG;
	/* The table's own message; the others are per-device parameters. */
	if (!tb[NDTA_THRESH3] || !tb[NDTA_CONFIG] || !tb[NDTA_STATS])
		return 0;
	if (mnl_attr_get_payload_len(tb[NDTA_CONFIG]) < sizeof(c) ||
	    mnl_attr_get_payload_len(tb[NDTA_STATS]) <
		    offsetof(struct ndt_stats, ndts_table_fulls) + sizeof(s.ndts_table_fulls))
		return -EBADMSG;
	memcpy(&c, mnl_attr_get_payload(tb[NDTA_CONFIG]), sizeof(c));
	memset(&s, 0, sizeof(s));
	memcpy(&s, mnl_attr_get_payload(tb[NDTA_STATS]),
	       offsetof(struct ndt_stats, ndts_table_fulls) + sizeof(s.ndts_table_fulls));
	t->family = m->ndtm_family;
	t->thresh3 = mnl_attr_get_u32(tb[NDTA_THRESH3]);
	t->thresh2 = tb[NDTA_THRESH2] ? mnl_attr_get_u32(tb[NDTA_THRESH2]) : t->thresh3 / 2;
	t->entries = c.ndtc_entries;
	t->table_fulls = s.ndts_table_fulls;
	return 1;
}

struct found {
	int family;
	struct probe_neigh *t;
	int seen;
};

static int on_table(const struct nlmsghdr *nlh, void *data)
{
	struct found *f = data;
	struct probe_neigh t;
	int r = probe_neigh_parse(nlh, &t);

	if (r < 0)
		return r;
	if (r == 1 && t.family == f->family && !f->seen) {
		*f->t = t;
		f->seen = 1;
	}
	return 0;
}

int probe_neigh_read(int family, struct probe_neigh *t, struct nl_err *err)
{
	char buf[NL_REQSZ];
	struct nl_sock s;
	struct nl_msg m;
	struct ndtmsg *ndt;
	struct nlmsghdr *nlh;
	struct found f = { family, t, 0 };
	int r;

	memset(t, 0, sizeof(*t));
	nl_obj(err, "the %s neighbour table", family == AF_INET ? "ARP" : "NDP");
	r = nl_open(&s, NETLINK_ROUTE, err);
	if (r < 0)
		return r;
	nl_msg_start(&m, buf, sizeof(buf), RTM_GETNEIGHTBL, NLM_F_REQUEST | NLM_F_DUMP, err);
	ndt = nl_put_extra(&m, sizeof(*ndt));
	if (ndt)
		ndt->ndtm_family = (uint8_t)family;
	nlh = nl_msg_done(&m);
	r = nlh ? nl_talk(&s, nlh, on_table, &f, err) : m.ret;
	nl_close(&s);
	if (r == 0 && !f.seen)
		r = nl_fail(err, ENOENT, "the kernel did not list it");
	return r;
}

size_t probe_wave_plan(struct probe_wave *w, const struct probe_neigh *t, int overflowed,
		       size_t settled)
{
	/*
	 * free: what the table has room for now. reclaim: what it may have
	 * once the forced collection frees what it can (down to gc_thresh2,
	 * entries unused for 5 s). A resolved entry stays held (REACHABLE, with
	 * its timer) for the reachable time, 15 to 45 s, which no wait
	 * shortens, and the answering end's for 5 s more (DELAY, then a probe):
	 * so the table drains at some gc_thresh3 entries per 20 to 50 s, and
	 * entries other users keep fresh are unknown too. What the last wave
	 * settled while the table overflowed is what it had room for in one
	 * wave's time: the next is that and a quarter more, to find more room
	 * as it drains; or twice the last, when it settled three quarters or
	 * more (the overflow was another user's, whose counter is the same).
	 */
	uint32_t held = t->entries < t->thresh2 ? t->entries : t->thresh2;
	size_t reclaim = t->thresh3 > held ? t->thresh3 - held : 0;
	size_t free = t->thresh3 > t->entries ? t->thresh3 - t->entries : 0;
	size_t size;

	if (w->waves >= PROBE_WAVES_MAX)
		return 0;
	/* Stuck: waves that settle nothing while the table overflows (someone else keeps it full). */
	if (overflowed && w->size && !settled) {
		if (++w->stuck >= PROBE_WAVE_STUCK)
			return 0;
	} else {
		w->stuck = 0;
	}
	w->gap_ms = PROBE_WAVE_GAP_MS;
	if (w->flushed && !(overflowed && w->size && settled < w->size - w->size / 4)) {
		/*
		 * The last pass's entries are gone: its room is free again. A
		 * cell and its reverse share their two entries, so a wave of k
		 * pings needs some k; a quarter is left to the table's other users.
		 */
		size = free - free / 4;
		w->gap_ms = 0;
	} else if (!w->size) {
		size = reclaim / 2; /* a new entry at each end of every pair */
	} else if (overflowed && settled < w->size - w->size / 4) {
		size = settled + settled / 4;
	} else if (overflowed) {
		/* It settled (nearly) all: the overflow was someone else's, or spare room. */
		size = w->size * 2;
		if (size > reclaim)
			size = reclaim;
	} else {
		size = w->size * 2 > free / 2 ? w->size * 2 : free / 2;
		if (size > reclaim)
			size = reclaim;
		/* Room without reclaiming anything: no need to wait. */
		if (size <= free)
			w->gap_ms = 0;
	}
	if (size < PROBE_WAVE_MIN)
		size = PROBE_WAVE_MIN;
	w->size = size;
	w->waves++;
	return size;
}
