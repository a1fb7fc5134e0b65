// SPDX-License-Identifier: MIT
/*
 * Probes without a kernel: echo requests built and checked, what comes back
 * (replies, ICMP errors quoting our echo, other people's packets, cut-off
 * ones) read, failures put in words, and bad options refused before any
 * socket is opened.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "check.h"
#include "core/probe.h"

static void ip4(uint8_t *h, uint8_t proto, const char *src, const char *dst, size_t total)
{
	memset(h, 0, 20);
	h[0] = 0x45;
	h[2] = (uint8_t)(total >> 8);
	h[3] = (uint8_t)total;
	h[8] = 64;
	h[9] = proto;
	inet_pton(AF_INET, src, h + 12);
	inet_pton(AF_INET, dst, h + 16);
}

static void ip6(uint8_t *h, uint8_t next, const char *src, const char *dst)
{
	memset(h, 0, 40);
	h[0] = 0x60;
	h[6] = next;
	h[7] = 64;
	inet_pton(AF_INET6, src, h + 8);
	inet_pton(AF_INET6, dst, h + 24);
}

static void test_echo(void)
{
	uint8_t b[128];
	size_t n = probe_build_echo(AF_INET, 0x1234, 7, 56, b, sizeof(b));

	CHECK(n == 64, "an echo of 56 bytes is 64 with its header (%zu)", n);
	CHECK(b[0] == 8 && b[1] == 0, "ICMP echo request, code 0");
	CHECK(b[4] == 0x12 && b[5] == 0x34 && b[6] == 0 && b[7] == 7, "id and seq in network order");
	CHECK(probe_csum(b, n) == 0, "the checksum makes the message sum to zero");
	n = probe_build_echo(AF_INET, 1, 2, 3, b, sizeof(b));
	CHECK(n == 11 && probe_csum(b, n) == 0, "an odd length checksums too");
	n = probe_build_echo(AF_INET6, 1, 2, 0, b, sizeof(b));
	CHECK(n == 8 && b[0] == 128 && b[2] == 0 && b[3] == 0,
	      "ICMPv6 echo request, checksum left to the kernel");
	CHECK(probe_build_echo(AF_INET, 1, 2, 200, b, sizeof(b)) == 0, "too big for the buffer: 0");
}

static void test_reply4(void)
{
	uint8_t b[128];
	struct probe_pkt k;
	size_t n = probe_build_echo(AF_INET, 0xbeef, 3, 16, b + 20, sizeof(b) - 20);

	b[20] = 0; /* echo reply */
	ip4(b, IPPROTO_ICMP, "10.0.0.2", "10.0.0.1", 20 + n);
	CHECK(probe_parse_icmp(AF_INET, 1, b, 20 + n, &k) == 0 && k.what == PROBE_PKT_REPLY &&
	      k.id == 0xbeef && k.seq == 3, "a raw socket's reply, IP header first");
	CHECK(probe_parse_icmp(AF_INET, 0, b + 20, n, &k) == 0 && k.what == PROBE_PKT_REPLY &&
	      k.seq == 3, "a ping socket's reply, no IP header");
	b[20] = 8;
	CHECK(probe_parse_icmp(AF_INET, 1, b, 20 + n, &k) == 0 && k.what == PROBE_PKT_OTHER,
	      "someone's echo request is not an answer");
	CHECK(probe_parse_icmp(AF_INET, 1, b, 24, &k) < 0, "cut short inside the ICMP header");
	b[9] = IPPROTO_UDP;
	CHECK(probe_parse_icmp(AF_INET, 1, b, 20 + n, &k) < 0, "not ICMP");
	b[9] = IPPROTO_ICMP;
	b[0] = 0x4f; /* a 60-byte header: longer than the packet's 44 bytes */
	CHECK(probe_parse_icmp(AF_INET, 1, b, 20 + 8, &k) < 0, "a header length past the end");
}

/* An ICMP error from router to us about our echo to dst. */
static size_t error4(uint8_t *b, int type, int code, const char *dst, size_t quote)
{
	size_t n;

	ip4(b, IPPROTO_ICMP, "10.0.1.1", "10.0.1.2", 0);
	memset(b + 20, 0, 8);
	b[20] = (uint8_t)type;
	b[21] = (uint8_t)code;
	ip4(b + 28, IPPROTO_ICMP, "10.0.1.2", dst, 84);
	n = probe_build_echo(AF_INET, 0x4242, 9, 56, b + 48, 64);
	(void)n;
	return 48 + quote;
}

static void test_error4(void)
{
	uint8_t b[256];
	struct probe_pkt k;
	char a[INET_ADDRSTRLEN];
	size_t n = error4(b, 3, 0, "10.0.3.1", 8);

	CHECK(probe_parse_icmp(AF_INET, 1, b, n, &k) == 0 && k.what == PROBE_PKT_ERROR &&
	      k.type == 3 && k.code == 0 && k.id == 0x4242 && k.seq == 9,
	      "network unreachable quoting our echo: its id and seq");
	inet_ntop(AF_INET, k.inner.a.b, a, sizeof(a));
	CHECK_STR(a, "10.0.3.1", "the quoted echo's destination");
	CHECK(probe_parse_icmp(AF_INET, 1, b, n - 1, &k) == 0 && k.what == PROBE_PKT_OTHER,
	      "a quote shorter than the echo's 8 bytes tells nothing");
	n = error4(b, 11, 0, "10.0.3.1", 8);
	CHECK(probe_parse_icmp(AF_INET, 1, b, n, &k) == 0 && k.what == PROBE_PKT_ERROR && k.type == 11,
	      "time exceeded");
	n = error4(b, 5, 1, "10.0.3.1", 8);
	CHECK(probe_parse_icmp(AF_INET, 1, b, n, &k) == 0 && k.what == PROBE_PKT_OTHER,
	      "a redirect is no failure");
	n = error4(b, 3, 3, "10.0.3.1", 8);
	b[28 + 9] = IPPROTO_UDP;
	CHECK(probe_parse_icmp(AF_INET, 1, b, n, &k) == 0 && k.what == PROBE_PKT_OTHER,
	      "an error about someone's UDP is not ours");
}

static void test_icmp6(void)
{
	uint8_t b[256];
	struct probe_pkt k;
	char a[INET6_ADDRSTRLEN];
	size_t n = probe_build_echo(AF_INET6, 7, 11, 8, b, sizeof(b));

	b[0] = 129;
	CHECK(probe_parse_icmp(AF_INET6, 0, b, n, &k) == 0 && k.what == PROBE_PKT_REPLY && k.id == 7 &&
	      k.seq == 11, "an ICMPv6 echo reply");
	b[0] = 135; /* neighbour solicitation */
	CHECK(probe_parse_icmp(AF_INET6, 0, b, n, &k) == 0 && k.what == PROBE_PKT_OTHER,
	      "neighbour discovery is not an answer");
	memset(b, 0, 8);
	b[0] = 1;
	b[1] = 3;
	ip6(b + 8, IPPROTO_ICMPV6, "fd01::2", "fd03::1");
	probe_build_echo(AF_INET6, 7, 12, 8, b + 48, 64);
	CHECK(probe_parse_icmp(AF_INET6, 0, b, 56, &k) == 0 && k.what == PROBE_PKT_ERROR && k.type == 1 &&
	      k.code == 3 && k.seq == 12, "address unreachable quoting our echo");
	inet_ntop(AF_INET6, k.inner.a.b, a, sizeof(a));
	CHECK_STR(a, "fd03::1", "the quoted echo's destination");
	CHECK(probe_parse_icmp(AF_INET6, 0, b, 55, &k) == 0 && k.what == PROBE_PKT_OTHER,
	      "cut inside the quoted echo");
	CHECK(probe_parse_icmp(AF_INET6, 0, b, 7, &k) < 0, "shorter than a header");
}

static void why_is(int status, int family, int type, int code, const char *from, int err,
		   const char *want)
{
	struct probe p = { 0 };
	char b[128];

	p.status = status;
	p.dst.family = family;
	p.icmp_type = type;
	p.icmp_code = code;
	p.code = err;
	if (from) {
		p.from.family = family;
		inet_pton(family, from, p.from.a.b);
	}
	probe_why(&p, b, sizeof(b));
	CHECK_STR(b, want, "why");
}

static void test_why(void)
{
	char small[12];
	struct probe p = { .status = PROBE_UNREACH, .dst.family = AF_INET, .icmp_type = 3,
			   .icmp_code = 1 };

	why_is(PROBE_OK, AF_INET, 0, 0, NULL, 0, "");
	why_is(PROBE_TIMEOUT, AF_INET, 0, 0, NULL, 0, "no answer");
	why_is(PROBE_NOROUTE, AF_INET, 0, 0, NULL, ENETUNREACH, "no route");
	why_is(PROBE_REFUSED, AF_INET, 0, 0, NULL, ECONNREFUSED, "refused");
	why_is(PROBE_UNREACH, AF_INET, 3, 1, "10.0.1.1", 0, "unreachable from 10.0.1.1 (host unreachable)");
	why_is(PROBE_UNREACH, AF_INET, 3, 13, "10.0.1.1", 0,
	       "unreachable from 10.0.1.1 (administratively prohibited)");
	why_is(PROBE_UNREACH, AF_INET, 11, 0, "10.0.1.1", 0, "unreachable from 10.0.1.1 (TTL exceeded)");
	why_is(PROBE_UNREACH, AF_INET6, 1, 0, "fd01::1", 0, "unreachable from fd01::1 (no route)");
	why_is(PROBE_UNREACH, AF_INET6, 1, 99, NULL, 0, "unreachable (destination unreachable)");
	why_is(PROBE_LOCAL, AF_INET, 0, 0, NULL, EPERM, "Operation not permitted");
	probe_why(&p, small, sizeof(small));
	CHECK(strlen(small) == sizeof(small) - 1, "cut to the buffer, terminated: \"%s\"", small);
	CHECK_STR(probe_status_name(PROBE_NOROUTE), "noroute", "status name");
}

static void refused(struct probe *p, const struct probe_opts *o, const char *want)
{
	struct nl_err err = { 0 };
	int r = probe_run(p, 1, o, &err);

	CHECK(r == -EINVAL && strstr(err.msg, want), "refused before any socket: %s", err.msg);
}

static void test_bad(void)
{
	struct probe_opts o = { .timeout_ms = 100, .count = 1, .size = 56 };
	struct probe p = { .ns = "root", .kind = PROBE_PING };
	struct cidr c;
	char why[PARSE_WHY];

	parse_addr("10.0.0.1", &c, why);
	refused(&p, &o, "no destination address");
	p.dst = c;
	o.timeout_ms = 0;
	refused(&p, &o, "timeout");
	o.timeout_ms = 100;
	o.count = 0;
	refused(&p, &o, "count");
	o.count = PROBE_COUNT_MAX + 1;
	refused(&p, &o, "count");
	o.count = 1;
	o.size = PROBE_SIZE_MAX + 1;
	refused(&p, &o, "size");
	o.size = 56;
	p.kind = PROBE_TCP;
	p.port = 70000;
	refused(&p, &o, "port 70000");
	p.port = 0;
	refused(&p, &o, "port 0");
	p.port = 80;
	parse_addr("fd00::1", &p.src, why);
	refused(&p, &o, "different families");
}

int main(void)
{
	test_echo();
	test_reply4();
	test_error4();
	test_icmp6();
	test_why();
	test_bad();
	return check_done();
}
