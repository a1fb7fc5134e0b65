// SPDX-License-Identifier: MIT
/*
 * The receive loop of core/nl.c against a fake kernel: this file's
 * mnl_socket_sendto/recvfrom/get_fd stand in for libmnl's (an executable's
 * definitions come first), so nl_talk and nl_talk_many run unchanged on
 * answers written here, including ones no kernel should send.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "check.h"
#include "core/link.h"
#include "core/nl.h"

#define PORTID 4242

static char answers[8][1024];
static size_t answer_len[8];
static int nanswers, next_answer, rcvbuf_asked;

ssize_t mnl_socket_sendto(const struct mnl_socket *nl, const void *buf, size_t len)
{
	(void)nl;
	(void)buf;
	return (ssize_t)len;
}

ssize_t mnl_socket_recvfrom(const struct mnl_socket *nl, void *buf, size_t bufsiz)
{
	(void)nl;
	if (next_answer >= nanswers || answer_len[next_answer] > bufsiz) {
		errno = EAGAIN;
		return -1;
	}
	memcpy(buf, answers[next_answer], answer_len[next_answer]);
	return (ssize_t)answer_len[next_answer++];
}

int mnl_socket_get_fd(const struct mnl_socket *nl)
{
	(void)nl;
	return -1;
}

/* The buffer size a big batch asks for, seen instead of the kernel. */
int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	(void)fd;
	(void)len;
	if (level == SOL_SOCKET && (name == SO_RCVBUFFORCE || name == SO_RCVBUF))
		rcvbuf_asked = *(const int *)val;
	return 0;
}

static void reset(void)
{
	nanswers = next_answer = rcvbuf_asked = 0;
	memset(answers, 0, sizeof(answers));
	memset(answer_len, 0, sizeof(answer_len));
}

/* Appends to answer i a message of the given length field, with len bytes really there. */
static struct nlmsghdr *add(int i, uint16_t type, uint32_t seq, size_t len)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)(answers[i] + answer_len[i]);

	nlh->nlmsg_len = (uint32_t)len;
	nlh->nlmsg_type = type;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = PORTID;
	answer_len[i] += MNL_ALIGN(len);
	if (i >= nanswers)
		nanswers = i + 1;
	return nlh;
}

static void add_ack(int i, uint32_t seq, int error)
{
	struct nlmsghdr *nlh = add(i, NLMSG_ERROR, seq, mnl_nlmsg_size(sizeof(struct nlmsgerr)));
	struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

	nlh->nlmsg_flags = NLM_F_CAPPED;
	e->error = error;
	e->msg.nlmsg_len = sizeof(e->msg);
	e->msg.nlmsg_seq = seq;
}

static size_t request(char *buf, size_t len)
{
	struct nl_msg m;
	struct nl_err err;

	nl_msg_start(&m, buf, len, RTM_GETLINK, NLM_F_REQUEST, &err);
	nl_put_extra(&m, sizeof(struct ifinfomsg));
	return MNL_ALIGN(m.nlh->nlmsg_len);
}

static struct nl_sock sock(void)
{
	static int dummy;
	struct nl_sock s = { .sk = (struct mnl_socket *)&dummy, .portid = PORTID,
			     .bus = NETLINK_ROUTE };

	return s;
}

/* One request, answered with what answers[] holds; a fresh socket numbers it 1. */
static int talk_one(struct nl_err *err)
{
	struct nl_sock s = sock();
	char buf[256];

	request(buf, sizeof(buf));
	return nl_talk(&s, (struct nlmsghdr *)buf, NULL, NULL, err);
}

static void hang(int sig)
{
	/* The old loop never came back from a 2^31 nlmsg_len. */
	static const char msg[] = "not ok - talk: the receive loop hangs on an nlmsg_len of 2^31\n";

	(void)sig;
	if (write(1, msg, sizeof(msg) - 1) < 0)
		_exit(2);
	_exit(1);
}

static void huge_length(void)
{
	struct nl_err err = { 0 };
	int r;

	reset();
	/* 32 bytes read, the header says 2^32 - 3: libmnl's int arithmetic takes it for -3. */
	add(0, RTM_NEWLINK, 1, 32)->nlmsg_len = 0xfffffffd;
	signal(SIGALRM, hang);
	alarm(5);
	r = talk_one(&err);
	alarm(0);
	CHECK(r == -EBADMSG && err.code == EBADMSG, "talk: nlmsg_len past the datagram is refused (%d)",
	      r);
	reset();
	add(0, RTM_NEWLINK, 1, 32)->nlmsg_len = 0x80000000u;
	alarm(5);
	r = talk_one(&err);
	alarm(0);
	CHECK(r == -EBADMSG, "talk: nlmsg_len 2^31 is refused (%d)", r);
	reset();
	add(0, RTM_NEWLINK, 1, 32)->nlmsg_len = 8;
	CHECK(talk_one(&err) == -EBADMSG, "talk: nlmsg_len shorter than a header is refused");
}

static void first_error_kept(void)
{
	struct nl_sock s = sock();
	struct nl_err err = { 0 };
	char buf[512];
	size_t len = 0;
	int failed, i, r;

	reset();
	for (i = 0; i < 3; i++)
		len += request(buf + len, sizeof(buf) - len);
	add_ack(0, 1, -EEXIST);
	add_ack(0, 2, 0);
	add_ack(0, 3, -ENODEV);
	r = nl_talk_many(&s, buf, len, NULL, NULL, &failed, &err);
	CHECK(r == -EEXIST && failed == 0, "batch: the first error is returned (%d, message %d)", r,
	      failed);
	CHECK(err.code == EEXIST, "batch: err describes the first error, not the last (%d)", err.code);
}

static void odd_errors(void)
{
	struct nl_err err = { 0 };
	int r;

	reset();
	add_ack(0, 1, INT_MIN);
	r = talk_one(&err);
	CHECK(r == -EPROTO && err.code == EPROTO, "an error of INT_MIN reads as EPROTO (%d, %d)", r,
	      err.code);
	reset();
	add_ack(0, 1, 5);
	CHECK(talk_one(&err) == -EPROTO, "a positive error reads as EPROTO");
	reset();
	CHECK(talk_one(&err) == -ETIMEDOUT, "no answer: ETIMEDOUT");
}

/*
 * A link answer without the attributes a link must have (its name) is not
 * taken for a link: the lookup's result stays empty rather than half filled.
 */
static void missing_attributes(void)
{
	struct nl_sock s = sock();
	struct nl_err err = { 0 };
	struct link_info li = { 0 };
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;
	char buf[256];
	int r;

	reset();
	nlh = add(0, RTM_NEWLINK, 1, mnl_nlmsg_size(sizeof(*ifm)));
	ifm = mnl_nlmsg_get_payload(nlh);
	ifm->ifi_index = 4;
	add_ack(0, 1, 0);
	request(buf, sizeof(buf));
	r = nl_talk(&s, (struct nlmsghdr *)buf, link_info_cb, &li, &err);
	CHECK(r == 0 && li.index == 0 && li.name[0] == '\0',
	      "a link answer with no name is not a link (%d, index %d)", r, li.index);
	reset();
	nlh = add(0, RTM_NEWLINK, 1, mnl_nlmsg_size(sizeof(*ifm)) + MNL_ATTR_HDRLEN + 8);
	ifm = mnl_nlmsg_get_payload(nlh);
	ifm->ifi_index = 5;
	nlh->nlmsg_len = mnl_nlmsg_size(sizeof(*ifm));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
	add_ack(0, 1, 0);
	s = sock();
	r = nl_talk(&s, (struct nlmsghdr *)buf, link_info_cb, &li, &err);
	CHECK(r == 0 && li.index == 5 && !strcmp(li.name, "eth0"),
	      "the same answer with its name is (%d, index %d)", r, li.index);
}

static void big_batch(void)
{
	static char buf[400 * 32];
	struct nl_sock s = sock();
	struct nl_err err = { 0 };
	size_t len = 0;
	int failed, i;

	reset();
	for (i = 0; i < 400; i++)
		len += request(buf + len, sizeof(buf) - len);
	nl_talk_many(&s, buf, len, NULL, NULL, &failed, &err);
	/* The kernel doubles what it is given. */
	CHECK(rcvbuf_asked * 2 >= 400 * 1024,
	      "a batch of 400 asks for room for every answer (%d bytes)", rcvbuf_asked * 2);
	reset();
	len = 0;
	for (i = 0; i < 3; i++)
		len += request(buf + len, sizeof(buf) - len);
	nl_talk_many(&s, buf, len, NULL, NULL, &failed, &err);
	CHECK(rcvbuf_asked == 0, "a small batch leaves the buffer alone");
}

int main(void)
{
	huge_length();
	first_error_kept();
	odd_errors();
	missing_attributes();
	big_batch();
	return check_done();
}
