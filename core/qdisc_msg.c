// SPDX-License-Identifier: MIT
/*
 * The pure half of qdisc.c: link.impair's requests built (netem, tbf, the
 * root deleted), answers parsed, values written in tc's words and checked;
 * no kernel, so tests/unit/test_qdisc.c reads every request back.
 *
 * Times: netem's struct carries delays in the kernel's scheduler ticks, which
 * have been 64 ns since PSCHED_SHIFT became 6 (2.6.31); tc reads the factor
 * from /proc/net/psched, which says the same on every kernel netlab runs on.
 * The ticks stay for old readers; TCA_NETEM_LATENCY64/JITTER64 carry the
 * exact nanoseconds and win where the kernel knows them (4.15+). tbf's rate
 * table and buffer are in ticks too, computed as tc's tc_core.c does.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "parse.h"
#include "qdisc.h"
#include "text.h"

#define TICK_NS 64 /* 1 << PSCHED_SHIFT */
#define NETEM_LIMIT 1000 /* netem's queue when none is given, as tc's */
/*
 * The normal distribution's table: tc loads 4096 values from normal.dist;
 * netlab computes them (no file to find), 1024 of them so the request keeps
 * within NL_REQSZ. The kernel takes any size up to NETEM_DIST_MAX.
 */
#define DIST_SIZE 1024
#define TBF_MTU 2047 /* the size tc's rate table covers when no mtu is given */

uint32_t qdisc_prob(double pct)
{
	double v = pct / 100.0 * (double)UINT32_MAX;

	return v >= (double)UINT32_MAX ? UINT32_MAX : (uint32_t)(v + 0.5);
}

double qdisc_pct(uint32_t prob)
{
	return (double)prob * 100.0 / (double)UINT32_MAX;
}

void qdisc_fmt_time(uint64_t ns, char *buf)
{
	static const struct {
		uint64_t per;
		const char *unit;
	} u[] = { { 1000000000, "s" }, { 1000000, "ms" }, { 1000, "us" }, { 1, "ns" } };
	size_t i;

	/* The largest unit that says it exactly; 0 is "0ms", not "0ns". */
	for (i = 0; ns && i < 3 && ns % u[i].per; i++)
		;
	if (!ns)
		i = 1;
	snprintf(buf, QDISC_WORD, "%llu%s", (unsigned long long)(ns / u[i].per), u[i].unit);
}

void qdisc_fmt_rate(uint64_t bits, char *buf)
{
	static const struct {
		uint64_t per;
		const char *unit;
	} u[] = { { 1000000000, "gbit" }, { 1000000, "mbit" }, { 1000, "kbit" }, { 1, "bit" } };
	size_t i;

	for (i = 0; i < 3 && bits % u[i].per; i++)
		;
	snprintf(buf, QDISC_WORD, "%llu%s", (unsigned long long)(bits / u[i].per), u[i].unit);
}

void qdisc_fmt_prob(uint32_t prob, char *buf)
{
	/* Six digits: what a 32-bit probability holds of a percentage a person typed. */
	snprintf(buf, QDISC_WORD, "%.6g%%", qdisc_pct(prob));
}

int qdisc_impair_check(const struct qdisc_impair *q, char *why)
{
	const char *bad = NULL;
	int delay = (q->set & QI_DELAY) && q->delay_ns;

	if ((q->set & QI_JITTER) && !delay)
		bad = "jitter without a delay to vary";
	else if ((q->set & QI_JITTER) && q->jitter_ns > q->delay_ns)
		bad = "jitter larger than the delay";
	/* netem reorders by sending some packets at once and delaying the rest. */
	else if ((q->set & QI_REORDER) && !delay)
		bad = "reorder without a delay (the packets not reordered are the ones delayed)";
	else if ((q->set & QI_DIST) && !(q->set & QI_JITTER))
		bad = "distribution without a jitter to shape";
	else if ((q->set & QI_LIMIT) && q->limit == 0)
		bad = "limit of 0 packets";
	if (!bad)
		return 0;
	snprintf(why, PARSE_WHY, "%s", bad);
	return -EINVAL;
}

void qdisc_netem_names(const struct qdisc_impair *q, char *buf, size_t len)
{
	static const struct {
		unsigned int bit;
		const char *name;
	} names[] = {
		{ QI_DELAY, "delay" }, { QI_JITTER, "jitter" }, { QI_DIST, "distribution" },
		{ QI_LOSS, "loss" }, { QI_DUPLICATE, "duplicate" }, { QI_CORRUPT, "corrupt" },
		{ QI_REORDER, "reorder" }, { QI_LIMIT, "limit" },
	};
	size_t i, k = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (q->set & names[i].bit)
			text_append(buf, len, &k, "%s%s", k ? ", " : "", names[i].name);
}

struct tcmsg *qdisc_msg_start(struct nl_msg *m, char *buf, size_t len, uint16_t type,
			      uint16_t flags, int ifindex, struct nl_err *err)
{
	struct tcmsg *t;

	nl_msg_start(m, buf, len, type, NLM_F_REQUEST | flags, err);
	t = nl_put_extra(m, sizeof(*t));
	t->tcm_family = AF_UNSPEC;
	t->tcm_ifindex = ifindex;
	t->tcm_parent = TC_H_ROOT;
	return t;
}

static uint32_t ticks(uint64_t ns)
{
	uint64_t t = ns / TICK_NS;

	return t > UINT32_MAX ? UINT32_MAX : (uint32_t)t;
}

/* The inverse of the standard normal distribution at p, by bisection over erfc. */
static double normal_inv(double p)
{
	double lo = -8, hi = 8, mid;
	int i;

	for (i = 0; i < 60; i++) {
		mid = (lo + hi) / 2;
		if (0.5 * erfc(-mid / M_SQRT2) < p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

/*
 * netem draws a delay as mu + sigma * table[random] / NETEM_DIST_SCALE: the
 * table is the distribution's inverse at evenly spaced points.
 */
static void put_dist(struct nl_msg *m)
{
	int16_t t[DIST_SIZE];
	double v;
	int i;

	for (i = 0; i < DIST_SIZE; i++) {
		v = normal_inv((i + 0.5) / DIST_SIZE) * NETEM_DIST_SCALE;
		t[i] = (int16_t)(v > INT16_MAX ? INT16_MAX : v < INT16_MIN ? INT16_MIN : lrint(v));
	}
	nl_put(m, TCA_NETEM_DELAY_DIST, sizeof(t), t);
}

struct nlmsghdr *qdisc_msg_netem(char *buf, size_t len, int ifindex, const struct qdisc_impair *q,
				 struct nl_err *err)
{
	struct tc_netem_qopt *o;
	struct nlattr *nest;
	struct nl_msg m;
	uint64_t bytes;

	qdisc_msg_start(&m, buf, len, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE, ifindex, err);
	nl_put_strz(&m, TCA_KIND, "netem", IFNAMSIZ, "qdisc kind");
	/* netem's options are its struct, then attributes after it in the same TCA_OPTIONS. */
	nest = nl_nest_start(&m, TCA_OPTIONS);
	o = nl_put_extra(&m, sizeof(*o));
	o->latency = ticks(q->delay_ns);
	o->jitter = ticks(q->jitter_ns);
	o->limit = q->set & QI_LIMIT ? q->limit : NETEM_LIMIT;
	o->loss = q->loss;
	o->duplicate = q->duplicate;
	/* Reordering needs a gap; 1, as tc: every packet is a candidate. */
	o->gap = q->reorder ? 1 : 0;
	if (q->set & QI_DELAY) {
		int64_t d = (int64_t)q->delay_ns, j = (int64_t)q->jitter_ns;

		nl_put(&m, TCA_NETEM_LATENCY64, sizeof(d), &d);
		nl_put(&m, TCA_NETEM_JITTER64, sizeof(j), &j);
	}
	if (q->reorder) {
		struct tc_netem_reorder r = { .probability = q->reorder };

		nl_put(&m, TCA_NETEM_REORDER, sizeof(r), &r);
	}
	if (q->corrupt) {
		struct tc_netem_corrupt c = { .probability = q->corrupt };

		nl_put(&m, TCA_NETEM_CORRUPT, sizeof(c), &c);
	}
	if (q->set & QI_RATE) {
		struct tc_netem_rate r = { 0 };

		bytes = q->rate / 8;
		/* As tc: a rate past 32 bits goes in RATE64, the struct saying "see there". */
		r.rate = bytes >= UINT32_MAX ? UINT32_MAX : (uint32_t)bytes;
		nl_put(&m, TCA_NETEM_RATE, sizeof(r), &r);
		if (bytes >= UINT32_MAX)
			nl_put(&m, TCA_NETEM_RATE64, sizeof(bytes), &bytes);
	}
	if ((q->set & QI_DIST) && q->dist == QDISC_DIST_NORMAL)
		put_dist(&m);
	nl_nest_end(&m, nest);
	return nl_msg_done(&m);
}

/* tc_core.c's tc_calc_xmittime: how long size bytes take at rate bytes/s, in ticks. */
static uint32_t xmit_ticks(uint64_t rate, uint32_t size)
{
	return ticks((uint64_t)((double)size * 1e9 / (double)rate));
}

uint32_t qdisc_tbf_burst(uint64_t rate)
{
	uint64_t b = rate / 8 / 100;

	/*
	 * tc-tbf(8) asks the bucket to hold at least a timer tick's worth of
	 * the rate (rate/HZ); 10 ms of it covers HZ=100, and ten full frames
	 * keep a slow rate from stalling on one segment.
	 */
	if (b < 10 * 1514)
		b = 10 * 1514;
	return b > UINT32_MAX / 2 ? UINT32_MAX / 2 : (uint32_t)b;
}

uint32_t qdisc_tbf_limit(uint64_t rate)
{
	/* tc's `latency 50ms`: the queue holds the bucket and 50 ms at the rate. */
	uint64_t l = qdisc_tbf_burst(rate) + rate / 8 / 20;

	return l > UINT32_MAX ? UINT32_MAX : (uint32_t)l;
}

struct nlmsghdr *qdisc_msg_tbf(char *buf, size_t len, int ifindex, const struct qdisc_impair *q,
			       struct nl_err *err)
{
	uint64_t bytes = q->rate / 8;
	uint32_t rtab[256], burst = qdisc_tbf_burst(q->rate);
	struct tc_tbf_qopt o = { 0 };
	struct nlattr *nest;
	struct nl_msg m;
	int cell_log = 0, i;

	qdisc_msg_start(&m, buf, len, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE, ifindex, err);
	nl_put_strz(&m, TCA_KIND, "tbf", IFNAMSIZ, "qdisc kind");
	nest = nl_nest_start(&m, TCA_OPTIONS);
	/* tc_calc_rtable: 256 cells cover an MTU; cell i is the time (i + 1) << cell_log bytes take. */
	while ((TBF_MTU >> cell_log) > 255)
		cell_log++;
	for (i = 0; i < 256; i++)
		rtab[i] = xmit_ticks(bytes, (uint32_t)(i + 1) << cell_log);
	o.rate.cell_log = (unsigned char)cell_log;
	o.rate.linklayer = TC_LINKLAYER_ETHERNET;
	o.rate.rate = bytes >= UINT32_MAX ? UINT32_MAX : (uint32_t)bytes;
	o.limit = qdisc_tbf_limit(q->rate);
	o.buffer = xmit_ticks(bytes, burst);
	nl_put(&m, TCA_TBF_PARMS, sizeof(o), &o);
	if (bytes >= UINT32_MAX)
		nl_put(&m, TCA_TBF_RATE64, sizeof(bytes), &bytes);
	nl_put(&m, TCA_TBF_RTAB, sizeof(rtab), rtab);
	/* The bucket in bytes too, so the kernel need not derive it back from the ticks. */
	nl_put_u32(&m, TCA_TBF_BURST, burst);
	nl_nest_end(&m, nest);
	return nl_msg_done(&m);
}

struct nlmsghdr *qdisc_msg_del(char *buf, size_t len, int ifindex, struct nl_err *err)
{
	struct nl_msg m;

	qdisc_msg_start(&m, buf, len, RTM_DELQDISC, 0, ifindex, err);
	return nl_msg_done(&m);
}

/* Parsing -------------------------------------------------------------------- */

static const enum mnl_attr_data_type tca_types[TCA_MAX + 1] = {
	[TCA_KIND] = MNL_TYPE_NUL_STRING,
	[TCA_OPTIONS] = MNL_TYPE_BINARY,
};
static const struct nl_attrs tca_attrs = NL_ATTRS(tca_types);

static const enum mnl_attr_data_type tbf_types[TCA_TBF_MAX + 1] = {
	[TCA_TBF_PARMS] = MNL_TYPE_BINARY,
	[TCA_TBF_RATE64] = MNL_TYPE_U64,
};
static const struct nl_attrs tbf_attrs = NL_ATTRS(tbf_types);

/* An attribute's payload when it holds at least n bytes, else NULL. */
static const void *payload(const struct nlattr *a, size_t n)
{
	return a && mnl_attr_get_payload_len(a) >= n ? mnl_attr_get_payload(a) : NULL;
}

static int parse_netem(const struct nlattr *opts, struct qdisc_impair *q)
{
	const struct tc_netem_qopt *o = payload(opts, sizeof(*o));
	size_t skip = MNL_ALIGN(sizeof(*o)), len;
	const struct nlattr *attr;
	const char *p;
	int64_t v;

	if (!o)
		return -EBADMSG;
	q->delay_ns = (uint64_t)o->latency * TICK_NS;
	q->jitter_ns = (uint64_t)o->jitter * TICK_NS;
	q->loss = o->loss;
	q->duplicate = o->duplicate;
	q->limit = o->limit;
	/* The attributes after the struct, each checked for its size before it is read. */
	p = (const char *)mnl_attr_get_payload(opts);
	len = mnl_attr_get_payload_len(opts);
	len = len > skip ? len - skip : 0;
	mnl_attr_for_each_payload((const void *)(p + skip), len) {
		switch (mnl_attr_get_type(attr)) {
		case TCA_NETEM_LATENCY64:
		case TCA_NETEM_JITTER64:
			if (!payload(attr, sizeof(v)))
				break;
			memcpy(&v, mnl_attr_get_payload(attr), sizeof(v));
			if (v < 0)
				v = 0;
			if (mnl_attr_get_type(attr) == TCA_NETEM_LATENCY64)
				q->delay_ns = (uint64_t)v;
			else
				q->jitter_ns = (uint64_t)v;
			break;
		case TCA_NETEM_REORDER:
			if (payload(attr, sizeof(struct tc_netem_reorder)))
				q->reorder = ((const struct tc_netem_reorder *)
					      mnl_attr_get_payload(attr))->probability;
			break;
		case TCA_NETEM_CORRUPT:
			if (payload(attr, sizeof(struct tc_netem_corrupt)))
				q->corrupt = ((const struct tc_netem_corrupt *)
					      mnl_attr_get_payload(attr))->probability;
			break;
		case TCA_NETEM_RATE:
			if (payload(attr, sizeof(struct tc_netem_rate)) && !(q->set & QI_RATE) &&
			    ((const struct tc_netem_rate *)mnl_attr_get_payload(attr))->rate)
				q->rate = 8ull * ((const struct tc_netem_rate *)
						  mnl_attr_get_payload(attr))->rate;
			break;
		case TCA_NETEM_DELAY_DIST:
			/* In a request only (the kernel gives no table back): netlab makes only normal's. */
			q->set |= QI_DIST;
			q->dist = QDISC_DIST_NORMAL;
			break;
		case TCA_NETEM_RATE64:
			if (payload(attr, sizeof(uint64_t))) {
				q->rate = 8 * mnl_attr_get_u64(attr);
				q->set |= QI_RATE;
			}
			break;
		}
	}
	if (q->delay_ns)
		q->set |= QI_DELAY;
	if (q->jitter_ns)
		q->set |= QI_JITTER;
	if (q->loss)
		q->set |= QI_LOSS;
	if (q->duplicate)
		q->set |= QI_DUPLICATE;
	if (q->corrupt)
		q->set |= QI_CORRUPT;
	if (q->reorder)
		q->set |= QI_REORDER;
	if (q->rate)
		q->set |= QI_RATE;
	/* The kernel's limit is always there; it is said only when it is not the default. */
	if (q->limit != NETEM_LIMIT)
		q->set |= QI_LIMIT;
	/* The kernel does not give the distribution's table back: it stays unsaid. */
	return 0;
}

static int parse_tbf(const struct nlattr *opts, struct qdisc_impair *q)
{
	const struct nlattr *tb[TCA_TBF_MAX + 1];
	const struct tc_tbf_qopt *o;

	if (nl_attr_index_nested(opts, &tbf_attrs, tb) < 0)
		return -EBADMSG;
	o = payload(tb[TCA_TBF_PARMS], sizeof(*o));
	if (!o)
		return -EBADMSG;
	q->rate = 8ull * (tb[TCA_TBF_RATE64] ? mnl_attr_get_u64(tb[TCA_TBF_RATE64]) : o->rate.rate);
	q->set |= QI_RATE;
	return 0;
}

int qdisc_parse(const struct nlmsghdr *nlh, struct qdisc_info *qi)
{
	const struct nlattr *tb[TCA_MAX + 1];
	const struct tcmsg *t = nl_msg_index(nlh, RTM_NEWQDISC, sizeof(*t), &tca_attrs, tb);

	if (!t)
		return -EBADMSG;
	memset(qi, 0, sizeof(*qi));
	qi->ifindex = t->tcm_ifindex;
	qi->handle = t->tcm_handle;
	qi->parent = t->tcm_parent;
	if (tb[TCA_KIND])
		snprintf(qi->kind, sizeof(qi->kind), "%s", mnl_attr_get_str(tb[TCA_KIND]));
	if (!tb[TCA_OPTIONS])
		return 0;
	if (!strcmp(qi->kind, "netem") && parse_netem(tb[TCA_OPTIONS], &qi->imp) == 0)
		qi->impair = 1;
	else if (!strcmp(qi->kind, "tbf") && parse_tbf(tb[TCA_OPTIONS], &qi->imp) == 0)
		qi->impair = 1;
	return 0;
}
