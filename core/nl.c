// SPDX-License-Identifier: MIT
/*
 * The netlink socket and the one request primitive every core file uses.
 * Nothing else in netlab calls sendto() or reads an ACK.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "change.h"
#include "nl.h"
#include "parse.h"
#include "trace.h"

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
	s->scratch = 0;
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

struct nlmsghdr *nl_msg_start(struct nl_msg *m, void *buf, size_t cap, uint16_t type,
			      uint16_t flags, struct nl_err *err)
{
	m->cap = cap;
	m->ret = 0;
	m->err = err;
	if (cap < MNL_NLMSG_HDRLEN) {
		/* Not even a header fits: build it aside, never to be sent. */
		m->ret = nl_fail(err, EMSGSIZE, "request buffer of %zu bytes too small", cap);
		m->cap = sizeof(m->spare);
		buf = m->spare;
	}
	memset(buf, 0, m->cap);
	m->nlh = mnl_nlmsg_put_header(buf);
	m->nlh->nlmsg_type = type;
	m->nlh->nlmsg_flags = flags;
	return m->nlh;
}

static int too_big(struct nl_msg *m)
{
	if (m->ret == 0)
		m->ret = nl_fail(m->err, EMSGSIZE, "request does not fit in %zu bytes", m->cap);
	return m->ret;
}

void *nl_put_extra(struct nl_msg *m, size_t len)
{
	if (m->ret == 0 && m->nlh->nlmsg_len + MNL_ALIGN(len) <= m->cap)
		return mnl_nlmsg_put_extra_header(m->nlh, len);
	too_big(m);
	memset(m->spare, 0, sizeof(m->spare));
	return m->spare;
}

void nl_put_strz(struct nl_msg *m, uint16_t type, const char *s, size_t max, const char *what)
{
	size_t n = strnlen(s, max);

	if (m->ret)
		return;
	if (n >= max) {
		m->ret = nl_fail(m->err, EINVAL, "invalid %s \"%.32s%s\" (longer than %zu bytes)",
				 what, s, strnlen(s, 33) > 32 ? "..." : "", max - 1);
		return;
	}
	if (!mnl_attr_put_strz_check(m->nlh, m->cap, type, s))
		too_big(m);
}

void nl_put_u8(struct nl_msg *m, uint16_t type, uint8_t v)
{
	if (m->ret == 0 && !mnl_attr_put_u8_check(m->nlh, m->cap, type, v))
		too_big(m);
}

void nl_put_u32(struct nl_msg *m, uint16_t type, uint32_t v)
{
	if (m->ret == 0 && !mnl_attr_put_u32_check(m->nlh, m->cap, type, v))
		too_big(m);
}

void nl_put(struct nl_msg *m, uint16_t type, size_t len, const void *data)
{
	if (m->ret == 0 && !mnl_attr_put_check(m->nlh, m->cap, type, len, data))
		too_big(m);
}

struct nlattr *nl_nest_start(struct nl_msg *m, uint16_t type)
{
	struct nlattr *n = m->ret ? NULL : mnl_attr_nest_start_check(m->nlh, m->cap, type);

	if (!n)
		too_big(m);
	return n;
}

void nl_nest_end(struct nl_msg *m, struct nlattr *nest)
{
	if (nest && m->ret == 0)
		mnl_attr_nest_end(m->nlh, nest);
}

struct nlmsghdr *nl_msg_done(struct nl_msg *m)
{
	return m->ret ? NULL : m->nlh;
}

struct attr_index {
	const struct nl_attrs *p;
	const struct nlattr **tb;
};

static int index_attr(const struct nlattr *a, void *data)
{
	const struct attr_index *x = data;
	uint16_t type = mnl_attr_get_type(a);

	/* Unlike libmnl's examples, a bad attribute does not fail the message: it is skipped. */
	if (type <= x->p->max && x->p->type[type] != MNL_TYPE_UNSPEC &&
	    mnl_attr_validate(a, x->p->type[type]) >= 0)
		x->tb[type] = a;
	return MNL_CB_OK;
}

int nl_attr_index(const struct nlmsghdr *nlh, size_t hdrlen, const struct nl_attrs *p,
		  const struct nlattr **tb)
{
	struct attr_index x = { p, tb };

	memset(tb, 0, ((size_t)p->max + 1) * sizeof(*tb));
	return mnl_attr_parse(nlh, (unsigned int)hdrlen, index_attr, &x) < 0 ? -EBADMSG : 0;
}

int nl_attr_index_nested(const struct nlattr *a, const struct nl_attrs *p, const struct nlattr **tb)
{
	struct attr_index x = { p, tb };

	memset(tb, 0, ((size_t)p->max + 1) * sizeof(*tb));
	return mnl_attr_parse_nested(a, index_attr, &x) < 0 ? -EBADMSG : 0;
}

const void *nl_msg_index(const struct nlmsghdr *nlh, uint16_t type, size_t hdrlen,
			 const struct nl_attrs *p, const struct nlattr **tb)
{
	if (nlh->nlmsg_type != type || nlh->nlmsg_len < mnl_nlmsg_size(MNL_ALIGN(hdrlen)) ||
	    nl_attr_index(nlh, hdrlen, p, tb) < 0)
		return NULL;
	return mnl_nlmsg_get_payload(nlh);
}

static const enum mnl_attr_data_type extack_types[NLMSGERR_ATTR_MAX + 1] = {
	[NLMSGERR_ATTR_MSG] = MNL_TYPE_NUL_STRING,
};
static const struct nl_attrs extack_attrs = NL_ATTRS(extack_types);

/*
 * The positive errno of an error field, or EPROTO when it is not one: a
 * reply may carry anything, and -INT_MIN has no int.
 */
static int errno_of(int e)
{
	return e < 0 && e >= -4095 ? -e : EPROTO;
}

int nl_parse_error(const struct nlmsghdr *nlh, struct nl_err *err)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
		return nl_fail(err, EBADMSG, "truncated netlink error message");
	if (e->error == 0)
		return 0;
	nl_fail(err, errno_of(e->error), NULL);
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return -err->code;
	/* The TLVs follow the echoed request, which is only its header when capped. */
	off = sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (e->msg.nlmsg_len < sizeof(e->msg))
			return -err->code;
		off += (size_t)e->msg.nlmsg_len - sizeof(e->msg);
	}
	if (MNL_ALIGN(off) + MNL_NLMSG_HDRLEN > nlh->nlmsg_len)
		return -err->code;
	nl_attr_index(nlh, off, &extack_attrs, tb);
	/* The kernel's sentences end without a period; keep them as they are. */
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(err->msg, sizeof(err->msg), "%s", mnl_attr_get_str(tb[NLMSGERR_ATTR_MSG]));
	return -err->code;
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
	struct nl_err e;
	int r = nl_parse_error(nlh, &e);

	t->acked++;
	/* The first error is the one reported: later ACKs of a batch must not overwrite it. */
	if (r < 0 && t->ret == 0) {
		t->ret = r;
		t->err->code = e.code;
		memcpy(t->err->msg, e.msg, sizeof(e.msg));
		t->failed = (int)(nlh->nlmsg_seq - t->first_seq);
	}
	/* An ACK ends a plain request; keep reading for the rest of a batch. */
	return MNL_CB_STOP;
}

static int on_done(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;
	int r;

	/* A dump that fails midway reports its error in NLMSG_DONE. */
	if (nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(int))) {
		memcpy(&r, mnl_nlmsg_get_payload(nlh), sizeof(r));
		if (r < 0 && t->ret == 0)
			t->ret = nl_fail(t->err, errno_of(r), NULL);
	}
	return MNL_CB_STOP;
}

static mnl_cb_t ctl_cb[NLMSG_MIN_TYPE] = {
	[NLMSG_ERROR] = on_error,
	[NLMSG_DONE] = on_done,
};

/*
 * Reads answers until `want` ACKs (or a dump's end) have come for seqs in
 * [first, last]. Every message is checked to lie inside what was read before
 * anything looks at it: an nlmsg_len that is too small, or runs past the
 * datagram (2^31 and more, which libmnl's int arithmetic takes for
 * negative), ends the read with EBADMSG rather than a loop or a wild read.
 */
static int talk_read(struct nl_sock *s, struct talk *t, uint32_t first, uint32_t last,
		     unsigned int want, int dump)
{
	char buf[NL_BUFSZ];

	for (;;) {
		ssize_t n = mnl_socket_recvfrom(s->sk, buf, sizeof(buf));
		size_t off = 0, len;
		int r;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return nl_fail(t->err, ETIMEDOUT, "no answer from the kernel");
			if (errno == ENOBUFS)
				return nl_fail(t->err, ENOBUFS,
					       "answers lost (receive buffer full): the outcome is unknown");
			return nl_fail(t->err, errno, "cannot read from netlink");
		}
		len = (size_t)n;
		/* Walk message by message so that a batch's ACKs are all counted. */
		while (len - off >= sizeof(struct nlmsghdr)) {
			const struct nlmsghdr *nlh = (const struct nlmsghdr *)(buf + off);

			if (nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > len - off) {
				if (t->ret == 0)
					t->ret = nl_fail(t->err, EBADMSG, "malformed netlink answer");
				return t->ret;
			}
			off += NLMSG_ALIGN(nlh->nlmsg_len) < len - off ? NLMSG_ALIGN(nlh->nlmsg_len) :
									 len - off;
			if (nlh->nlmsg_seq < first || nlh->nlmsg_seq > last)
				continue;
			errno = 0;
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

/*
 * A change's line once the kernel has taken it; again now when it could not
 * be named before (again: an ifindex of a link made in the same datagram).
 */
static void trace_after(struct nl_sock *s, const struct nlmsghdr *nlh, char *line, int again)
{
	int r = again ? trace_request(s, nlh, line, TRACE_LINE) : 1;

	if (r == -ENODEV)
		snprintf(line, TRACE_LINE, "# not traced: rtnetlink request type %u (%s)",
			 (unsigned int)nlh->nlmsg_type, "an interface index without a name");
	if (r != 0 && line[0])
		trace_emit(line);
}

/*
 * The lines of the changes of a datagram, made before it is sent; NULL
 * when no trace is on. One TRACE_LINE per message, "" for none, and "\1"
 * for one to name after (trace_after).
 */
static char *trace_before(struct nl_sock *s, void *buf, size_t len)
{
	struct nlmsghdr *nlh = buf;
	int left = (int)len;
	size_t n = 0, i = 0;
	char *lines;

	if (!trace_on())
		return NULL;
	while (mnl_nlmsg_ok(nlh, left)) {
		n++;
		nlh = mnl_nlmsg_next(nlh, &left);
	}
	lines = calloc(n ? n : 1, TRACE_LINE);
	if (!lines)
		return NULL;
	/* An nftables batch is named after: it holds no ifindex. */
	if (s->bus == NETLINK_NETFILTER)
		return lines;
	nlh = buf;
	left = (int)len;
	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left), i++) {
		char *line = lines + i * TRACE_LINE;

		if (!is_change(nlh, s->bus))
			continue;
		if (trace_request(s, nlh, line, TRACE_LINE) == -ENODEV)
			strcpy(line, "\1");
	}
	return lines;
}

/* The lines of the messages before upto (all: -1) that the kernel took. */
static void trace_many(struct nl_sock *s, void *buf, size_t len, char *lines, int upto)
{
	struct nlmsghdr *nlh = buf;
	int left = (int)len, i = 0;

	for (; mnl_nlmsg_ok(nlh, left) && (upto < 0 || i < upto);
	     nlh = mnl_nlmsg_next(nlh, &left), i++) {
		char *line = lines + (size_t)i * TRACE_LINE;

		if (s->bus == NETLINK_NETFILTER)
			trace_after(s, nlh, line, 1);
		else if (!strcmp(line, "\1"))
			trace_after(s, nlh, line, 1);
		else if (line[0])
			trace_emit(line);
	}
}

int nl_talk(struct nl_sock *s, struct nlmsghdr *nlh, nl_cb cb, void *data, struct nl_err *err)
{
	struct talk t = { .cb = cb, .data = data, .err = err, .failed = -1 };
	int dump = is_dump(nlh), traced = 0, r;
	char line[TRACE_LINE];

	if (!s->scratch && is_change(nlh, s->bus)) {
		r = change_check(err);
		if (r < 0)
			return r;
		/* Named before sending: a link a DEL takes has no name after. */
		if (trace_on())
			traced = trace_request(s, nlh, line, sizeof(line)) == -ENODEV ? 2 : 1;
	}
	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = ++s->seq;
	t.first_seq = nlh->nlmsg_seq;
	if (mnl_socket_sendto(s->sk, nlh, nlh->nlmsg_len) < 0)
		return nl_fail(err, errno, "cannot send to netlink");
	r = talk_read(s, &t, nlh->nlmsg_seq, nlh->nlmsg_seq, 1, dump);
	if (r == 0 && traced)
		trace_after(s, nlh, line, traced == 2);
	return r;
}

/*
 * The kernel answers a whole batch before sendto() returns, and drops what
 * does not fit in the socket's receive buffer (ENOBUFS): an nft batch of a
 * few hundred rules loses ACKs of changes it made. Room for every answer is
 * made before sending; the default buffer (about 200 KiB) holds this many.
 */
#define NL_ANSWERS_UNSIZED 64
/* What one answer may take in the buffer: an echoed rule and its ACK, with the kernel's overhead. */
#define NL_ANSWER_ROOM 4096

static void answer_room(struct nl_sock *s, unsigned int want)
{
	int fd = mnl_socket_get_fd(s->sk), cur = 0, v;
	socklen_t l = sizeof(cur);
	size_t need = (size_t)want * NL_ANSWER_ROOM;

	/* The kernel doubles what it is given and reports the doubled value. */
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &cur, &l) == 0 && cur > 0 && (size_t)cur >= need)
		return;
	v = need / 2 > INT_MAX / 2 ? INT_MAX / 2 : (int)(need / 2);
	/* FORCE passes net.core.rmem_max, which netlab, with CAP_NET_ADMIN, may. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
}

int nl_talk_many(struct nl_sock *s, void *buf, size_t len, nl_cb cb, void *data, int *failed,
		 struct nl_err *err)
{
	struct talk t = { .cb = cb, .data = data, .err = err, .failed = -1 };
	struct nlmsghdr *nlh = buf;
	int left = (int)len;
	unsigned int want = 0;
	uint32_t first;
	char *lines = NULL;
	int r;

	*failed = -1;
	/* Before the numbering: naming an ifindex is a request of its own. */
	lines = trace_before(s, buf, len);
	first = s->seq + 1;
	/* Number every message so each ACK maps back to the request it answers. */
	while (mnl_nlmsg_ok(nlh, left)) {
		int batch_mark = s->bus == NETLINK_NETFILTER &&
				 (nlh->nlmsg_type == NFNL_MSG_BATCH_BEGIN ||
				  nlh->nlmsg_type == NFNL_MSG_BATCH_END);

		nlh->nlmsg_seq = ++s->seq;
		if (is_change(nlh, s->bus)) {
			r = change_check(err);
			if (r < 0) {
				*failed = (int)(nlh->nlmsg_seq - first);
				free(lines);
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
	if (!want) {
		free(lines);
		return 0;
	}
	if (want > NL_ANSWERS_UNSIZED)
		answer_room(s, want);
	if (mnl_socket_sendto(s->sk, buf, len) < 0) {
		free(lines);
		return nl_fail(err, errno, "cannot send to netlink");
	}
	r = talk_read(s, &t, first, s->seq, want, 0);
	*failed = t.failed;
	/*
	 * What the kernel took: all of it, or, rtnetlink's requests being
	 * applied one by one, those before the one that failed (an nftables
	 * batch is all or nothing).
	 */
	if (lines && (r == 0 || (s->bus != NETLINK_NETFILTER && t.failed > 0)))
		trace_many(s, buf, len, lines, r == 0 ? -1 : t.failed);
	free(lines);
	return r;
}
