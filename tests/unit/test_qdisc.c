// SPDX-License-Identifier: MIT
/*
 * link.impair's requests built and parsed back with no kernel: tc's units,
 * netem's struct and attributes, tbf's parameters and rate table, the root
 * qdisc deleted, and the trace's tc line of each.
 */
#include <errno.h>
#include <stdint.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "check_msg.h"
#include "core/nl.h"
#include "core/parse.h"
#include "core/qdisc.h"
#include "core/trace.h"

static void units(void)
{
	static const char *const bad_time[] = { "", "50", "-5ms", "5 ms", "ms", "5msx", "1e3ms",
						"0x10ms", "5.5.5ms", "2h", NULL };
	static const char *const bad_rate[] = { "", "10", "0mbit", "0bit", "-1mbit", "10mb",
						"10 mbit", "4bit", "mbit", NULL };
	static const char *const bad_pct[] = { "", "1", "101%", "-1%", "1 %", "%", "1%%", NULL };
	char why[PARSE_WHY], w[QDISC_WORD];
	uint64_t v;
	double p;
	size_t i;

	CHECK(parse_time("50ms", &v, why) == 0 && v == 50000000, "50ms");
	CHECK(parse_time("1.5s", &v, why) == 0 && v == 1500000000, "1.5s");
	CHECK(parse_time("100us", &v, why) == 0 && v == 100000, "100us");
	CHECK(parse_time("0ms", &v, why) == 0 && v == 0, "0ms");
	for (i = 0; bad_time[i]; i++)
		CHECK(parse_time(bad_time[i], &v, why) == -EINVAL && strstr(why, "invalid time"),
		      "time refused: \"%s\" (%s)", bad_time[i], why);
	CHECK(parse_rate("10mbit", &v, why) == 0 && v == 10000000, "10mbit");
	CHECK(parse_rate("2Mbit", &v, why) == 0 && v == 2000000, "2Mbit, as tc takes either case");
	CHECK(parse_rate("1kibit", &v, why) == 0 && v == 1024, "1kibit");
	CHECK(parse_rate("100kbps", &v, why) == 0 && v == 800000, "100kbps is bytes");
	CHECK(parse_rate("1gbit", &v, why) == 0 && v == 1000000000, "1gbit");
	for (i = 0; bad_rate[i]; i++)
		CHECK(parse_rate(bad_rate[i], &v, why) == -EINVAL && strstr(why, "invalid rate"),
		      "rate refused: \"%s\" (%s)", bad_rate[i], why);
	CHECK(parse_rate("0mbit", &v, why) < 0 && strstr(why, "zero"), "rate 0 says zero: %s", why);
	CHECK(parse_percent("1%", &p, why) == 0 && p == 1, "1%%");
	CHECK(parse_percent("0.5%", &p, why) == 0 && p == 0.5, "0.5%%");
	CHECK(parse_percent("100%", &p, why) == 0 && p == 100, "100%%");
	for (i = 0; bad_pct[i]; i++)
		CHECK(parse_percent(bad_pct[i], &p, why) == -EINVAL && strstr(why, "percentage"),
		      "percentage refused: \"%s\" (%s)", bad_pct[i], why);
	CHECK(qdisc_prob(100) == UINT32_MAX && qdisc_prob(0) == 0, "0%% and 100%% are 0 and ~0");
	qdisc_fmt_prob(qdisc_prob(1), w);
	CHECK_STR(w, "1%", "1% comes back as 1%");
	qdisc_fmt_prob(qdisc_prob(0.1), w);
	CHECK_STR(w, "0.1%", "0.1% comes back");
	qdisc_fmt_time(50000000, w);
	CHECK_STR(w, "50ms", "50 ms");
	qdisc_fmt_time(1500000000, w);
	CHECK_STR(w, "1500ms", "1.5 s, exactly");
	qdisc_fmt_time(0, w);
	CHECK_STR(w, "0ms", "0");
	qdisc_fmt_rate(10000000, w);
	CHECK_STR(w, "10mbit", "10 mbit/s");
	qdisc_fmt_rate(2500000, w);
	CHECK_STR(w, "2500kbit", "2.5 mbit/s, exactly");
}

static void checks(void)
{
	struct qdisc_impair q = { .set = QI_JITTER, .jitter_ns = 5 };
	char why[PARSE_WHY], names[96];

	CHECK(qdisc_impair_check(&q, why) == -EINVAL && strstr(why, "jitter without a delay"),
	      "jitter without delay: %s", why);
	q = (struct qdisc_impair){ .set = QI_REORDER, .reorder = 9 };
	CHECK(qdisc_impair_check(&q, why) == -EINVAL && strstr(why, "reorder"), "reorder without delay");
	q = (struct qdisc_impair){ .set = QI_DELAY | QI_DIST, .delay_ns = 9 };
	CHECK(qdisc_impair_check(&q, why) == -EINVAL && strstr(why, "distribution"),
	      "distribution without jitter");
	q = (struct qdisc_impair){ .set = QI_DELAY | QI_LOSS | QI_RATE };
	CHECK(qdisc_impair_check(&q, why) == 0, "delay, loss and rate go together");
	qdisc_netem_names(&q, names, sizeof(names));
	CHECK_STR(names, "delay, loss", "what needs netem (rate does not)");
}

static const struct nlattr *options(const struct nlmsghdr *nlh)
{
	const struct nlattr *attr, *opts = NULL;

	mnl_attr_for_each(attr, nlh, sizeof(struct tcmsg))
		if (mnl_attr_get_type(attr) == TCA_OPTIONS)
			opts = attr;
	return opts;
}

/* The netem attribute of type t after the struct in TCA_OPTIONS, or NULL. */
static const struct nlattr *netem_attr(const struct nlmsghdr *nlh, uint16_t t)
{
	const struct nlattr *attr, *opts = options(nlh);
	size_t skip = MNL_ALIGN(sizeof(struct tc_netem_qopt));

	if (!opts)
		return NULL;
	mnl_attr_for_each_payload((const void *)((const char *)mnl_attr_get_payload(opts) + skip),
				  mnl_attr_get_payload_len(opts) - skip)
		if (mnl_attr_get_type(attr) == t)
			return attr;
	return NULL;
}

static int names_cb(void *data, int index, char *buf)
{
	(void)data;
	if (index != 7)
		return -ENODEV;
	strcpy(buf, "veth-a");
	return 0;
}

static void netem(void)
{
	static char buf[NL_REQSZ];
	struct qdisc_impair q = {
		.set = QI_DELAY | QI_JITTER | QI_DIST | QI_LOSS | QI_DUPLICATE | QI_CORRUPT |
		       QI_REORDER | QI_RATE | QI_LIMIT,
		.delay_ns = 50000000, .jitter_ns = 5000000, .dist = QDISC_DIST_NORMAL,
		.loss = qdisc_prob(1), .duplicate = qdisc_prob(0.5), .corrupt = qdisc_prob(0.1),
		.reorder = qdisc_prob(25), .rate = 10000000, .limit = 200,
	};
	struct trace_names n = { .ns = "site-a", .ifname = names_cb };
	struct nl_err err = { 0 };
	const struct tc_netem_qopt *o;
	const struct tcmsg *t;
	const struct nlattr *a;
	struct qdisc_info qi;
	struct nlmsghdr *nlh;
	char line[TRACE_LINE];
	const int16_t *dist;

	nlh = qdisc_msg_netem(buf, sizeof(buf), 7, &q, &err);
	NEED(nlh, "netem");
	t = mnl_nlmsg_get_payload(nlh);
	CHECK(nlh->nlmsg_type == RTM_NEWQDISC && (nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_REPLACE)) ==
	      (NLM_F_CREATE | NLM_F_REPLACE), "netem: created or replaced, as tc qdisc replace");
	CHECK(t->tcm_ifindex == 7 && t->tcm_parent == TC_H_ROOT && t->tcm_handle == 0,
	      "netem: the root of index 7, the kernel picks the handle");
	CHECK(qdisc_parse(nlh, &qi) == 0 && !strcmp(qi.kind, "netem") && qi.impair,
	      "netem: parses back as a netem");
	NEED(options(nlh), "netem options");
	o = mnl_attr_get_payload(options(nlh));
	CHECK(o->latency == 50000000 / 64 && o->jitter == 5000000 / 64,
	      "the struct's delay and jitter in 64 ns ticks: %u %u", o->latency, o->jitter);
	CHECK(o->limit == 200 && o->gap == 1 && o->loss == qdisc_prob(1) &&
	      o->duplicate == qdisc_prob(0.5), "limit, gap 1 for reordering, loss, duplicate");
	a = netem_attr(nlh, TCA_NETEM_LATENCY64);
	CHECK(a && mnl_attr_get_u64(a) == 50000000, "LATENCY64 in nanoseconds");
	a = netem_attr(nlh, TCA_NETEM_RATE);
	CHECK(a && ((const struct tc_netem_rate *)mnl_attr_get_payload(a))->rate == 1250000,
	      "RATE in bytes a second");
	CHECK(!netem_attr(nlh, TCA_NETEM_RATE64), "no RATE64 below 32 bits");
	a = netem_attr(nlh, TCA_NETEM_DELAY_DIST);
	dist = a ? mnl_attr_get_payload(a) : NULL;
	CHECK(dist && mnl_attr_get_payload_len(a) == 1024 * 2 && dist[0] < -2 * 8192 &&
	      dist[511] < 0 && dist[512] > 0 && dist[1023] > 2 * 8192 && dist[0] == -dist[1023],
	      "the normal table: symmetric, tails past 2 sigma (%d %d)", dist ? dist[0] : 0,
	      dist ? dist[1023] : 0);
	CHECK(qi.imp.delay_ns == q.delay_ns && qi.imp.jitter_ns == q.jitter_ns &&
	      qi.imp.loss == q.loss && qi.imp.duplicate == q.duplicate && qi.imp.corrupt == q.corrupt &&
	      qi.imp.reorder == q.reorder && qi.imp.rate == q.rate && qi.imp.limit == 200 &&
	      qi.imp.set == q.set, "every part reads back (set %x want %x)", qi.imp.set, q.set);
	CHECK(trace_rtnl(nlh, &n, line, sizeof(line)) > 0, "traced");
	CHECK_STR(line, "tc -n site-a qdisc replace dev veth-a root netem delay 50ms 5ms "
		  "distribution normal loss 1% duplicate 0.5% corrupt 0.1% reorder 25% rate 10mbit "
		  "limit 200", "the trace's line");

	q = (struct qdisc_impair){ .set = QI_LOSS | QI_RATE, .loss = UINT32_MAX, .rate = 80000000000ull };
	nlh = qdisc_msg_netem(buf, sizeof(buf), 7, &q, &err);
	NEED(nlh, "netem 80gbit");
	a = netem_attr(nlh, TCA_NETEM_RATE64);
	CHECK(a && mnl_attr_get_u64(a) == 10000000000ull, "80gbit goes in RATE64");
	CHECK(!netem_attr(nlh, TCA_NETEM_LATENCY64) && !netem_attr(nlh, TCA_NETEM_DELAY_DIST),
	      "no delay attributes without a delay");
	CHECK(qdisc_parse(nlh, &qi) == 0 && qi.imp.rate == 80000000000ull &&
	      qi.imp.loss == UINT32_MAX && qi.imp.set == (QI_LOSS | QI_RATE), "80gbit and 100%% loss back");
	CHECK(!qdisc_msg_netem(buf, 64, 7, &q, &err) && err.code == EMSGSIZE, "too small a buffer: EMSGSIZE");
}

static void tbf(void)
{
	static char buf[NL_REQSZ];
	struct qdisc_impair q = { .set = QI_RATE, .rate = 2000000 };
	struct trace_names n = { .ns = "root", .ifname = names_cb };
	const struct tc_tbf_qopt *o = NULL;
	const uint32_t *rtab = NULL;
	struct nl_err err = { 0 };
	const struct nlattr *attr, *opts;
	struct qdisc_info qi;
	struct nlmsghdr *nlh;
	char line[TRACE_LINE];
	uint32_t burst = 0;
	int rate64 = 0;

	nlh = qdisc_msg_tbf(buf, sizeof(buf), 7, &q, &err);
	NEED(nlh, "tbf");
	opts = options(nlh);
	NEED(opts, "tbf options");
	mnl_attr_for_each_nested(attr, opts) {
		if (mnl_attr_get_type(attr) == TCA_TBF_PARMS)
			o = mnl_attr_get_payload(attr);
		else if (mnl_attr_get_type(attr) == TCA_TBF_RTAB)
			rtab = mnl_attr_get_payload(attr);
		else if (mnl_attr_get_type(attr) == TCA_TBF_BURST)
			burst = mnl_attr_get_u32(attr);
		else if (mnl_attr_get_type(attr) == TCA_TBF_RATE64)
			rate64 = 1;
	}
	NEED(o && rtab, "tbf parameters and rate table");
	CHECK(o->rate.rate == 250000 && o->rate.linklayer == TC_LINKLAYER_ETHERNET &&
	      o->rate.cell_log == 3, "2mbit: 250000 bytes/s, ethernet, cells of 8 bytes");
	/* 8 bytes at 250000 B/s is 32 us, 500 ticks of 64 ns; 2048 bytes 128000 ticks. */
	CHECK(rtab[0] == 500 && rtab[255] == 128000, "the rate table: %u %u", rtab[0], rtab[255]);
	CHECK(burst == qdisc_tbf_burst(q.rate) && burst >= 10 * 1514, "the bucket in bytes: %u", burst);
	CHECK(o->buffer == (uint32_t)((uint64_t)burst * 1000000000ull / 250000 / 64),
	      "the bucket in ticks: %u", o->buffer);
	CHECK(o->limit == burst + 250000 / 20, "the queue: the bucket and 50 ms");
	CHECK(!rate64, "no RATE64 below 32 bits");
	CHECK(qdisc_parse(nlh, &qi) == 0 && !strcmp(qi.kind, "tbf") && qi.impair &&
	      qi.imp.set == QI_RATE && qi.imp.rate == 2000000, "tbf: parses back as 2mbit");
	CHECK(trace_rtnl(nlh, &n, line, sizeof(line)) > 0, "traced");
	CHECK_STR(line, "tc qdisc replace dev veth-a root tbf rate 2mbit burst 15140 limit 27640",
		  "the trace's line");

	nlh = qdisc_msg_del(buf, sizeof(buf), 7, &err);
	NEED(nlh, "del");
	CHECK(nlh->nlmsg_type == RTM_DELQDISC &&
	      ((const struct tcmsg *)mnl_nlmsg_get_payload(nlh))->tcm_parent == TC_H_ROOT,
	      "del: the root qdisc");
	CHECK(trace_rtnl(nlh, &n, line, sizeof(line)) > 0, "del traced");
	CHECK_STR(line, "tc qdisc del dev veth-a root", "the trace's del line");
}

int main(void)
{
	units();
	checks();
	netem();
	tbf();
	return check_done();
}
