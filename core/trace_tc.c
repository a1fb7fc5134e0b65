// SPDX-License-Identifier: MIT
/*
 * The trace's words for qdisc requests (link.impair): `tc [-n NS] qdisc
 * replace dev X root netem delay 50ms 5ms loss 1% rate 10mbit` or `… tbf
 * rate 2mbit burst 15140 limit 27640`, and `tc qdisc del dev X root`. Kept
 * apart from trace.c, which calls it for RTM_NEWQDISC and RTM_DELQDISC; the
 * numbers are read back from the request through qdisc_parse(), as
 * everything the trace prints is.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <net/if.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "qdisc.h"
#include "text.h"
#include "trace.h"

static void tc_cmd(char *buf, size_t len, size_t *k, const struct trace_names *n)
{
	text_append(buf, len, k, "tc");
	/* Namespace names are checked by parse_nsname: nothing a shell would split. */
	if (n->ns && strcmp(n->ns, "root"))
		text_append(buf, len, k, " -n %s", n->ns);
}

static void netem_words(char *buf, size_t len, size_t *k, const struct qdisc_impair *q)
{
	static const struct {
		unsigned int bit;
		const char *word;
		size_t off;
	} pcts[] = {
		{ QI_LOSS, "loss", offsetof(struct qdisc_impair, loss) },
		{ QI_DUPLICATE, "duplicate", offsetof(struct qdisc_impair, duplicate) },
		{ QI_CORRUPT, "corrupt", offsetof(struct qdisc_impair, corrupt) },
		{ QI_REORDER, "reorder", offsetof(struct qdisc_impair, reorder) },
	};
	char w[QDISC_WORD];
	size_t i;

	/* tc's order: `delay TIME [JITTER]`, then the distribution of the jitter. */
	if (q->set & QI_DELAY) {
		qdisc_fmt_time(q->delay_ns, w);
		text_append(buf, len, k, " delay %s", w);
		if (q->jitter_ns) {
			qdisc_fmt_time(q->jitter_ns, w);
			text_append(buf, len, k, " %s", w);
		}
	}
	if (q->set & QI_DIST)
		text_append(buf, len, k, " distribution %s",
			    q->dist == QDISC_DIST_NORMAL ? "normal" : "uniform");
	for (i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++) {
		if (!(q->set & pcts[i].bit))
			continue;
		qdisc_fmt_prob(*(const uint32_t *)((const char *)q + pcts[i].off), w);
		text_append(buf, len, k, " %s %s", pcts[i].word, w);
	}
	if (q->set & QI_RATE) {
		qdisc_fmt_rate(q->rate, w);
		text_append(buf, len, k, " rate %s", w);
	}
	if (q->set & QI_LIMIT)
		text_append(buf, len, k, " limit %u", q->limit);
}

int trace_impair_words(const struct qdisc_impair *q, int netem, char *buf, size_t len)
{
	char w[QDISC_WORD];
	size_t k = 0;

	buf[0] = '\0';
	if (netem) {
		text_append(buf, len, &k, "netem");
		netem_words(buf, len, &k, q);
	} else {
		qdisc_fmt_rate(q->rate, w);
		text_append(buf, len, &k, "tbf rate %s burst %u limit %u", w, qdisc_tbf_burst(q->rate),
			    qdisc_tbf_limit(q->rate));
	}
	return k + 1 >= len ? -EMSGSIZE : (int)k;
}

int trace_qdisc(const struct nlmsghdr *nlh, const struct trace_names *n, char *buf, size_t len)
{
	const struct tcmsg *t = mnl_nlmsg_get_payload(nlh);
	char dev[IFNAMSIZ];
	struct qdisc_info qi;
	size_t k = 0;
	int r;

	buf[0] = '\0';
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*t) || t->tcm_parent != TC_H_ROOT)
		return -EOPNOTSUPP;
	r = n->ifname(n->data, t->tcm_ifindex, dev);
	if (r < 0)
		return r;
	tc_cmd(buf, len, &k, n);
	if (nlh->nlmsg_type == RTM_DELQDISC) {
		text_append(buf, len, &k, " qdisc del dev %s root", dev);
	} else {
		if (qdisc_parse(nlh, &qi) < 0 || !qi.impair)
			return -EOPNOTSUPP;
		text_append(buf, len, &k, " qdisc replace dev %s root ", dev);
		if (trace_impair_words(&qi.imp, !strcmp(qi.kind, "netem"), buf + k, len - k) < 0)
			return -EMSGSIZE;
		k += strlen(buf + k);
	}
	if (k + 1 >= len)
		return -EMSGSIZE;
	return (int)k;
}
