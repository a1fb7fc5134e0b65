/* SPDX-License-Identifier: MIT */
#ifndef NETLAB_QDISC_H
#define NETLAB_QDISC_H

#include <stddef.h>
#include <stdint.h>
#include <net/if.h>

#include "nl.h"
#include "ns.h"

/*
 * A link's impairment (link.impair): what its root qdisc does to the packets
 * it sends. netem does delay, jitter, loss, duplication, corruption,
 * reordering, its queue limit and a rate; tbf does a rate alone, for
 * kernels without netem (docs/hacking.md, Link impairment).
 */
enum {
	QI_DELAY = 1 << 0,
	QI_JITTER = 1 << 1,
	QI_DIST = 1 << 2,
	QI_LOSS = 1 << 3,
	QI_DUPLICATE = 1 << 4,
	QI_CORRUPT = 1 << 5,
	QI_REORDER = 1 << 6,
	QI_LIMIT = 1 << 7,
	QI_RATE = 1 << 8,
};
/* What only netem does. */
#define QI_NETEM (QI_DELAY | QI_JITTER | QI_DIST | QI_LOSS | QI_DUPLICATE | QI_CORRUPT | \
		  QI_REORDER | QI_LIMIT)

enum { QDISC_DIST_UNIFORM, QDISC_DIST_NORMAL };

struct qdisc_impair {
	unsigned int set; /* QI_* bits: what was given */
	uint64_t delay_ns, jitter_ns;
	int dist; /* QDISC_DIST_*, with jitter */
	/* Probabilities as the kernel keeps them: 0 none, UINT32_MAX always. */
	uint32_t loss, duplicate, corrupt, reorder;
	uint32_t limit; /* netem's queue, packets */
	uint64_t rate; /* bits per second */
};

/* A percentage (0-100) as the kernel's probability, and back. */
uint32_t qdisc_prob(double pct);
double qdisc_pct(uint32_t prob);

/*
 * The values as tc(8) writes them and parse_time/parse_rate/parse_percent
 * read them back: "50ms", "1500us", "10mbit", "96bit", "0.5%". Into buf of
 * QDISC_WORD bytes.
 */
#define QDISC_WORD 32
void qdisc_fmt_time(uint64_t ns, char *buf);
void qdisc_fmt_rate(uint64_t bits, char *buf);
void qdisc_fmt_prob(uint32_t prob, char *buf);

/*
 * What cannot go together, before any request: 0, or -EINVAL with why
 * (PARSE_WHY bytes) saying it: jitter or reordering without a delay, a
 * distribution without jitter.
 */
int qdisc_impair_check(const struct qdisc_impair *q, char *why);
/* The names of what q asks of netem, ", "-joined ("delay, loss"), into buf. */
void qdisc_netem_names(const struct qdisc_impair *q, char *buf, size_t len);

/*
 * The requests, pure (tests/unit/test_qdisc.c reads them back): RTM_NEWQDISC
 * replacing the root qdisc of ifindex with netem (q's every part) or tbf
 * (q's rate alone), as `tc qdisc replace dev X root netem …|tbf …`;
 * RTM_DELQDISC of the root qdisc, which gives the link its default one back.
 */
struct nlmsghdr *qdisc_msg_netem(char *buf, size_t len, int ifindex, const struct qdisc_impair *q,
				 struct nl_err *err);
struct nlmsghdr *qdisc_msg_tbf(char *buf, size_t len, int ifindex, const struct qdisc_impair *q,
			       struct nl_err *err);
struct nlmsghdr *qdisc_msg_del(char *buf, size_t len, int ifindex, struct nl_err *err);
/* A tc request for the root of ifindex (0: every link, for a dump) started in m. */
struct tcmsg;
struct tcmsg *qdisc_msg_start(struct nl_msg *m, char *buf, size_t len, uint16_t type,
			      uint16_t flags, int ifindex, struct nl_err *err);

/* tbf's derived numbers for a rate: its bucket (bytes) and queue (bytes). */
uint32_t qdisc_tbf_burst(uint64_t rate);
uint32_t qdisc_tbf_limit(uint64_t rate);

/* One qdisc of a dump. */
struct qdisc_info {
	int ifindex;
	uint32_t handle, parent;
	char kind[IFNAMSIZ];
	int impair; /* 1: a netem or tbf whose options were read into imp */
	struct qdisc_impair imp;
};

/* A RTM_NEWQDISC answer; netem's and tbf's options are read into qi->imp. */
int qdisc_parse(const struct nlmsghdr *nlh, struct qdisc_info *qi);

/*
 * Sets the impairment of link dev in ns (replacing the root qdisc), or, when
 * q->set is 0, takes it away (a root netem or tbf is deleted and the kernel
 * puts the link's default qdisc back; another root qdisc is left alone).
 * Without netem in the kernel, a q that needs it fails with EOPNOTSUPP and
 * a sentence naming CONFIG_NET_SCH_NETEM.
 */
int qdisc_impair(struct ns *ns, const char *dev, const struct qdisc_impair *q, struct nl_err *err);

/*
 * Whether the kernel has netem, asked without a change: its code in
 * /proc/kallsyms (built in, or a module loaded) or its module among
 * /lib/modules/RELEASE's (loaded when first asked for). 1 or 0. A request
 * is still the last word: qdisc_impair() says so when the kernel refuses.
 */
int qdisc_has_netem(void);

typedef int (*qdisc_cb)(const struct qdisc_info *qi, void *data);
/* The root qdisc of every link of ns. */
int qdisc_list(struct ns *ns, qdisc_cb cb, void *data, struct nl_err *err);
/* The root qdisc of dev; qi->kind is empty when it has none. */
int qdisc_root(struct ns *ns, const char *dev, struct qdisc_info *qi, struct nl_err *err);

#endif
