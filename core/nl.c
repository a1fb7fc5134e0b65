// SPDX-License-Identifier: MIT
/*
 * The netlink socket and the one request primitive every core file uses.
 * Nothing else in netlab calls sendto() or reads an ACK.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "nl.h"
#include "parse.h"

int nl_fail(struct nl_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	err->code = code;
	err->msg[0] = '\0';
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return -code;
}

void nl_obj(struct nl_err *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->obj, sizeof(err->obj), fmt, ap);
	va_end(ap);
}

int nl_open(struct nl_sock *s, int bus, struct nl_err *err)
{
	/* A bounded wait: an ACK that never comes must not hang a script. */
	struct timeval tv = { .tv_sec = 10 };
	int one = 1;

	s->sk = mnl_socket_open2(bus, SOCK_CLOEXEC);
	if (!s->sk)
		return nl_fail(err, errno, "cannot open a netlink socket");
	/* Without these the kernel's own explanation of an error is lost. */
	mnl_socket_setsockopt(s->sk, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(s->sk, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(mnl_socket_get_fd(s->sk), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (mnl_socket_bind(s->sk, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;

		mnl_socket_close(s->sk);
		s->sk = NULL;
		return nl_fail(err, e, "cannot bind a netlink socket");
	}
	s->portid = mnl_socket_get_portid(s->sk);
	s->seq = 0;
	s->bus = bus;
	return 0;
}

void nl_close(struct nl_sock *s)
{
	if (s->sk)
		mnl_socket_close(s->sk);
	s->sk = NULL;
}

int nl_attr_cidr(const struct nlattr *a, int family, struct cidr *c)
{
	size_t alen = family == AF_INET ? 4 : 16;

	if (!a || mnl_attr_get_payload_len(a) != alen)
		return 0;
	memset(c, 0, sizeof(*c));
	c->family = family;
	memcpy(c->a.b, mnl_attr_get_payload(a), alen);
	c->plen = (int)alen * 8;
	return 1;
}

static int extack_attr(const struct nlattr *a, void *data)
{
	struct nl_err *err = data;

	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0) {
		snprintf(err->msg, sizeof(err->msg), "%s", mnl_attr_get_str(a));
		/* The kernel's sentences end without a period; keep them as they are. */
	}
	return MNL_CB_OK;
}

int nl_parse_error(const struct nlmsghdr *nlh, struct nl_err *err)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	unsigned int off;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
		return nl_fail(err, EBADMSG, "truncated netlink error message");
	if (e->error == 0)
		return 0;
	err->code = -e->error;
	err->msg[0] = '\0';
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return e->error;
	/* The TLVs follow the echoed request, which is only its header when capped. */
	off = sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	if (mnl_nlmsg_size(off) > nlh->nlmsg_len)
		return e->error;
	mnl_attr_parse(nlh, off, extack_attr, err);
	return e->error;
}

/* State shared with the callbacks while one answer is read. */
struct talk {
	nl_cb cb;
	void *data;
	struct nl_err *err;
	int ret;
	unsigned int acked;
	uint32_t first_seq;
	int failed;
};

static int on_data(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;
	int r;

	if (!t->cb)
		return MNL_CB_OK;
	r = t->cb(nlh, t->data);
	if (r < 0) {
		t->ret = r;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static int on_error(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;
	int r = nl_parse_error(nlh, t->err);

	t->acked++;
	if (r < 0 && t->ret == 0) {
		t->ret = r;
		t->failed = (int)(nlh->nlmsg_seq - t->first_seq);
	}
	/* An ACK ends a plain request; keep reading for the rest of a batch. */
	return MNL_CB_STOP;
}

static int on_done(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;
	const int *r = mnl_nlmsg_get_payload(nlh);

	/* A dump that fails midway reports its error in NLMSG_DONE. */
	if (nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(int)) && *r < 0 && t->ret == 0)
		t->ret = nl_fail(t->err, -*r, NULL);
	return MNL_CB_STOP;
}

static mnl_cb_t ctl_cb[NLMSG_MIN_TYPE] = {
	[NLMSG_ERROR] = on_error,
	[NLMSG_DONE] = on_done,
};

/* Reads answers until `want` ACKs (or a dump's end) have come for seqs in [first, last]. */
static int talk_read(struct nl_sock *s, struct talk *t, uint32_t first, uint32_t last,
		     unsigned int want, int dump)
{
	char buf[NL_BUFSZ];

	for (;;) {
		ssize_t n = mnl_socket_recvfrom(s->sk, buf, sizeof(buf));
		const struct nlmsghdr *nlh;
		size_t len;
		int r;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return nl_fail(t->err, ETIMEDOUT, "no answer from the kernel");
			return nl_fail(t->err, errno, "cannot read from netlink");
		}
		/* Walk message by message so that a batch's ACKs are all counted. */
		nlh = (const struct nlmsghdr *)buf;
		len = (size_t)n;
		while (mnl_nlmsg_ok(nlh, (int)len)) {
			if (nlh->nlmsg_seq < first || nlh->nlmsg_seq > last) {
				nlh = mnl_nlmsg_next(nlh, (int *)&len);
				continue;
			}
			r = mnl_cb_run2(nlh, nlh->nlmsg_len, nlh->nlmsg_seq, s->portid, on_data, t,
					ctl_cb, NLMSG_MIN_TYPE);
			if (r == MNL_CB_ERROR && t->ret == 0)
				t->ret = nl_fail(t->err, errno ? errno : EPROTO, "bad netlink answer");
			if (t->ret < 0 && (dump || t->cb))
				return t->ret;
			if (nlh->nlmsg_type == NLMSG_DONE && dump)
				return t->ret;
			if (!dump && t->acked >= want)
				return t->ret;
			nlh = mnl_nlmsg_next(nlh, (int *)&len);
		}
	}
}

/*
 * NLM_F_DUMP is ROOT|MATCH, which share their bits with REPLACE|EXCL on NEW
 * requests: only a request without CREATE or APPEND is a dump.
 */
static int is_dump(const struct nlmsghdr *nlh)
{
	return (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP &&
	       !(nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_APPEND));
}

static unsigned long fault_at, changes;
static int readonly;

void nl_set_readonly(int on)
{
	readonly = on;
}

int nl_readonly(void)
{
	return readonly;
}

void nl_fault_init(void)
{
	const char *s = getenv("NETLAB_FAULT_AT");

	fault_at = s ? strtoul(s, NULL, 10) : 0;
	changes = 0;
}

unsigned long nl_changes(void)
{
	return changes;
}

/*
 * A request that changes the kernel: rtnetlink's NEW/DEL/SET types (GET is
 * type % 4 == 2); on nfnetlink a whole batch is one change, counted at its
 * BEGIN, since the kernel applies it atomically.
 */
static int is_change(const struct nlmsghdr *nlh, int bus)
{
	if (is_dump(nlh))
		return 0;
	if (bus == NETLINK_NETFILTER)
		return nlh->nlmsg_type == NFNL_MSG_BATCH_BEGIN;
	return nlh->nlmsg_type >= RTM_BASE && nlh->nlmsg_type % 4 != 2;
}

int nl_fault_check(const struct nlmsghdr *nlh, struct nl_err *err)
{
	(void)nlh;
	if (readonly)
		return nl_fail(err, EROFS, "a dry run changes nothing in the kernel");
	changes++;
	if (fault_at && changes == fault_at)
		return nl_fail(err, EIO, "fault injected at kernel change %lu (NETLAB_FAULT_AT)",
			       changes);
	return 0;
}

int nl_talk(struct nl_sock *s, struct nlmsghdr *nlh, nl_cb cb, void *data, struct nl_err *err)
{
	struct talk t = { .cb = cb, .data = data, .err = err, .failed = -1 };
	int dump = is_dump(nlh);

	if (is_change(nlh, s->bus)) {
		int r = nl_fault_check(nlh, err);

		if (r < 0)
			return r;
	}
	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = ++s->seq;
	t.first_seq = nlh->nlmsg_seq;
	if (mnl_socket_sendto(s->sk, nlh, nlh->nlmsg_len) < 0)
		return nl_fail(err, errno, "cannot send to netlink");
	return talk_read(s, &t, nlh->nlmsg_seq, nlh->nlmsg_seq, 1, dump);
}

int nl_talk_many(struct nl_sock *s, void *buf, size_t len, nl_cb cb, void *data, int *failed,
		 struct nl_err *err)
{
	struct talk t = { .cb = cb, .data = data, .err = err, .failed = -1 };
	struct nlmsghdr *nlh = buf;
	int left = (int)len;
	unsigned int want = 0;
	uint32_t first = s->seq + 1;
	int r;

	*failed = -1;
	/* Number every message so each ACK maps back to the request it answers. */
	while (mnl_nlmsg_ok(nlh, left)) {
		int batch_mark = s->bus == NETLINK_NETFILTER &&
				 (nlh->nlmsg_type == NFNL_MSG_BATCH_BEGIN ||
				  nlh->nlmsg_type == NFNL_MSG_BATCH_END);

		nlh->nlmsg_seq = ++s->seq;
		if (is_change(nlh, s->bus)) {
			r = nl_fault_check(nlh, err);
			if (r < 0) {
				*failed = (int)(nlh->nlmsg_seq - first);
				return r;
			}
		}
		if (!batch_mark) {
			nlh->nlmsg_flags |= NLM_F_ACK;
			want++;
		}
		nlh = mnl_nlmsg_next(nlh, &left);
	}
	t.first_seq = first;
	if (!want)
		return 0;
	if (mnl_socket_sendto(s->sk, buf, len) < 0)
		return nl_fail(err, errno, "cannot send to netlink");
	r = talk_read(s, &t, first, s->seq, want, 0);
	*failed = t.failed;
	return r;
}
