// SPDX-License-Identifier: MIT
/*
 * Fuzzes the receive loop of core/nl.c against a fake kernel: the input is
 * what the kernel answers, datagram by datagram, to a request chosen by the
 * input. The harness stands in for libmnl's socket calls (its definitions of
 * mnl_socket_sendto/recvfrom/get_fd take precedence over the library's), so
 * nl_talk and nl_talk_many run unchanged. Whatever the answers, the loop
 * must end, and an error it returns must be the one err describes.
 *
 * Input: a 16-bit little-endian mode (request kind, below), then datagrams,
 * each a 16-bit little-endian length and that many bytes. The socket's
 * port id is 4242; requests are numbered from 1.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "core/link.h"
#include "core/nl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PORTID 4242

static const uint8_t *in, *in_end;

ssize_t mnl_socket_sendto(const struct mnl_socket *nl, const void *buf, size_t len)
{
	(void)nl;
	(void)buf;
	return (ssize_t)len;
}

ssize_t mnl_socket_recvfrom(const struct mnl_socket *nl, void *buf, size_t bufsiz)
{
	size_t len;

	(void)nl;
	if (in_end - in < 2) {
		errno = EAGAIN; /* what SO_RCVTIMEO gives when the kernel says no more */
		return -1;
	}
	len = (size_t)in[0] | (size_t)in[1] << 8;
	in += 2;
	if (len > (size_t)(in_end - in))
		len = (size_t)(in_end - in);
	if (len > bufsiz) {
		errno = ENOSPC; /* libmnl's answer to a truncated datagram */
		in += len;
		return -1;
	}
	memcpy(buf, in, len);
	in += len;
	return (ssize_t)len;
}

int mnl_socket_get_fd(const struct mnl_socket *nl)
{
	(void)nl;
	return -1;
}

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_info li;

	link_parse(nlh, &li);
	++*(int *)data;
	return 0;
}

static size_t request(char *buf, size_t len, uint16_t flags)
{
	struct nl_msg m;
	struct nl_err err;

	nl_msg_start(&m, buf, len, RTM_GETLINK, NLM_F_REQUEST | flags, &err);
	nl_put_extra(&m, sizeof(struct ifinfomsg));
	nl_put_strz(&m, IFLA_IFNAME, "eth0", IFNAMSIZ, "interface name");
	return MNL_ALIGN(m.nlh->nlmsg_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nl_sock s = { .sk = (struct mnl_socket *)&s, .portid = PORTID, .bus = NETLINK_ROUTE };
	char buf[1024];
	struct nl_err err = { 0 };
	int mode, n = 0, failed = 0, i, r;
	size_t len = 0;

	if (size < 2)
		return 0;
	mode = data[0] % 4;
	in = data + 2;
	in_end = data + size;
	switch (mode) {
	case 0: /* a plain request */
		request(buf, sizeof(buf), 0);
		r = nl_talk(&s, (struct nlmsghdr *)buf, NULL, NULL, &err);
		break;
	case 1: /* a dump */
		request(buf, sizeof(buf), NLM_F_DUMP);
		r = nl_talk(&s, (struct nlmsghdr *)buf, count_cb, &n, &err);
		break;
	default: /* three pipelined requests, without (2) or with (3) a callback */
		for (i = 0; i < 3; i++)
			len += request(buf + len, sizeof(buf) - len, 0);
		r = nl_talk_many(&s, buf, len, mode == 3 ? count_cb : NULL, &n, &failed, &err);
		if (r < 0 && (failed < -1 || failed > 2))
			abort();
		break;
	}
	if (r > 0 || (r < 0 && err.code != -r) || !memchr(err.msg, 0, sizeof(err.msg)))
		abort();
	return 0;
}
