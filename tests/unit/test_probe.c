// SPDX-License-Identifier: MIT
/*
 * Probes without a kernel: echo requests built and checked, what comes back
 * (replies, ICMP errors quoting our echo, other people's packets, cut-off
 * ones) read, failures put in words, bad options refused before any
 * socket is opened, the kernel's neighbour-table answers read and the
 * waves a matrix is paced in when the table overflows.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

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

/* An RTM_NEWNEIGHTBL message as the kernel sends for a table; stats_len cuts NDTA_STATS. */
static struct nlmsghdr *neightbl(uint8_t *buf, int family, uint32_t entries, uint64_t fulls,
				 size_t stats_len)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ndtmsg *m;
	struct ndt_config c;
	struct ndt_stats st;

	nlh->nlmsg_type = RTM_NEWNEIGHTBL;
	m = mnl_nlmsg_put_extra_header(nlh, sizeof(*m));
	m->ndtm_family = (uint8_t)family;
	memset(&c, 0, sizeof(c));
	memset(&st, 0, sizeof(st));
	c.ndtc_entries = entries;
	st.ndts_table_fulls = fulls;
	st.ndts_allocs = 99;
	mnl_attr_put_strz(nlh, NDTA_NAME, family == AF_INET ? "arp_cache" : "ndisc_cache");
	mnl_attr_put_u32(nlh, NDTA_THRESH1, 128);
	mnl_attr_put_u32(nlh, NDTA_THRESH2, 512);
	mnl_attr_put_u32(nlh, NDTA_THRESH3, 1024);
	mnl_attr_put(nlh, NDTA_CONFIG, sizeof(c), &c);
	mnl_attr_put(nlh, NDTA_STATS, stats_len, &st);
	return nlh;
}

static void test_neigh_parse(void)
{
	uint8_t buf[1024] __attribute__((aligned(4)));
	struct probe_neigh t;
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	memset(&t, 0, sizeof(t));
	nlh = neightbl(buf, AF_INET, 1065, 0xb0dc, sizeof(struct ndt_stats));
	CHECK(probe_neigh_parse(nlh, &t) == 1, "arp_cache's message is a table's");
	CHECK(t.family == AF_INET && t.thresh2 == 512 && t.thresh3 == 1024,
	      "family and thresholds: %d %u %u", t.family, t.thresh2, t.thresh3);
	CHECK(t.entries == 1065, "entries from NDTA_CONFIG: %u", t.entries);
	CHECK(t.table_fulls == 0xb0dc, "table_fulls from NDTA_STATS: %llu",
	      (unsigned long long)t.table_fulls);
	nlh = neightbl(buf, AF_INET6, 3, 7, sizeof(struct ndt_stats));
	CHECK(probe_neigh_parse(nlh, &t) == 1 && t.family == AF_INET6 && t.table_fulls == 7,
	      "ndisc_cache's too");

	/* Stats cut before table_fulls: refused, not read past the attribute. */
	nlh = neightbl(buf, AF_INET, 1, 1, offsetof(struct ndt_stats, ndts_table_fulls));
	CHECK(probe_neigh_parse(nlh, &t) == -EBADMSG, "a cut NDTA_STATS is refused");

	/* A namespace's per-device parameters come in the same dump: not a table. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWNEIGHTBL;
	((struct ndtmsg *)mnl_nlmsg_put_extra_header(nlh, sizeof(struct ndtmsg)))->ndtm_family = AF_INET;
	mnl_attr_put_strz(nlh, NDTA_NAME, "arp_cache");
	nest = mnl_attr_nest_start(nlh, NDTA_PARMS);
	mnl_attr_put_u32(nlh, NDTPA_IFINDEX, 2);
	mnl_attr_nest_end(nlh, nest);
	CHECK(probe_neigh_parse(nlh, &t) == 0, "per-device parameters are not a table");
	nlh->nlmsg_type = RTM_NEWLINK;
	CHECK(probe_neigh_parse(nlh, &t) == -EBADMSG, "another message type is refused");
}

static void test_waves(void)
{
	struct probe_neigh full = { AF_INET, 512, 1024, 1065, 0 };
	struct probe_neigh roomy = { AF_INET, 512, 1024, 900, 0 };
	struct probe_wave w;
	size_t n;
	int i;

	memset(&w, 0, sizeof(w));
	/* First wave: half of what may be reclaimed (1024 - 512), after the gap. */
	n = probe_wave_plan(&w, &full, 1, 0);
	CHECK(n == 256 && w.gap_ms == PROBE_WAVE_GAP_MS, "first wave 256 after 5 s: %zu, %d", n,
	      w.gap_ms);
	/* An overflow: what the last wave settled, and a quarter more. */
	n = probe_wave_plan(&w, &full, 1, 100);
	CHECK(n == 125 && w.gap_ms == PROBE_WAVE_GAP_MS, "100 settled: 125 after the gap: %zu", n);
	n = probe_wave_plan(&w, &full, 1, 100);
	CHECK(n == 250, "all settled despite an overflow (another user's): doubled: %zu", n);
	probe_wave_plan(&w, &full, 1, 2000);
	n = probe_wave_plan(&w, &full, 1, 2000);
	CHECK(n == 512, "but never more than may be reclaimed: %zu", n);
	CHECK(probe_wave_plan(&w, &full, 1, 8) == PROBE_WAVE_MIN, "never below the smallest");
	/* A clean wave: the next doubles, or takes half the free room; at once if it fits. */
	n = probe_wave_plan(&w, &roomy, 0, 16);
	CHECK(n == 62 && w.gap_ms == 0, "after a clean wave, half the free room at once: %zu, %d",
	      n, w.gap_ms);
	n = probe_wave_plan(&w, &full, 0, 62);
	CHECK(n == 124 && w.gap_ms == PROBE_WAVE_GAP_MS, "no free room: double, after the gap: %zu",
	      n);
	for (i = 0; i < 10; i++)
		n = probe_wave_plan(&w, &full, 0, n);
	CHECK(n == 512, "never more than may be reclaimed: %zu", n);

	/* Overflowed waves that settle nothing, PROBE_WAVE_STUCK in a row: give up. */
	memset(&w, 0, sizeof(w));
	w.size = PROBE_WAVE_MIN;
	for (i = 1; i < PROBE_WAVE_STUCK; i++)
		CHECK(probe_wave_plan(&w, &full, 1, 0) == PROBE_WAVE_MIN, "stuck %d: still trying", i);
	CHECK(probe_wave_plan(&w, &full, 1, 0) == 0, "stuck %d times: given up", PROBE_WAVE_STUCK);
	memset(&w, 0, sizeof(w));
	w.size = PROBE_WAVE_MIN;
	probe_wave_plan(&w, &full, 1, 0);
	probe_wave_plan(&w, &full, 1, 3);
	CHECK(w.stuck == 0, "a wave that settles some ends being stuck");
	probe_wave_plan(&w, &full, 1, 0);
	probe_wave_plan(&w, &roomy, 0, 16);
	CHECK(w.stuck == 0, "so does a clean wave");
	w.waves = PROBE_WAVES_MAX;
	CHECK(probe_wave_plan(&w, &roomy, 0, 16) == 0, "at most %d waves", PROBE_WAVES_MAX);

	/* The last pass's entries deleted: three quarters of the free room, at once. */
	memset(&w, 0, sizeof(w));
	w.flushed = 1;
	n = probe_wave_plan(&w, &roomy, 1, 0);
	CHECK(n == 93 && w.gap_ms == 0, "flushed, first wave: 3/4 of 124 free at once: %zu, %d", n,
	      w.gap_ms);
	n = probe_wave_plan(&w, &roomy, 1, 93);
	CHECK(n == 93 && w.gap_ms == 0, "an overflow that settled all (another's): the same: %zu", n);
	n = probe_wave_plan(&w, &full, 1, 10);
	CHECK(n == 16 && w.gap_ms == PROBE_WAVE_GAP_MS,
	      "an overflow that settled little: the table's drain after all: %zu, %d", n, w.gap_ms);
}

static void test_suspect(void)
{
	struct probe p;
	char why[128];

	memset(&p, 0, sizeof(p));
	p.dst.family = AF_INET;
	p.status = PROBE_TIMEOUT;
	CHECK(probe_suspect(&p), "no answer: maybe the table's");
	p.status = PROBE_LOCAL;
	p.code = EINVAL;
	CHECK(probe_suspect(&p), "EINVAL at send (no neighbour entry): maybe the table's");
	p.code = EPERM;
	CHECK(!probe_suspect(&p), "EPERM (a filter): not the table's");
	p.status = PROBE_UNREACH;
	p.icmp_type = ICMP_DEST_UNREACH;
	p.icmp_code = ICMP_HOST_UNREACH;
	CHECK(probe_suspect(&p), "host unreachable (a router's resolution failed): maybe");
	p.icmp_code = ICMP_NET_UNREACH;
	CHECK(!probe_suspect(&p), "network unreachable: not the table's");
	p.dst.family = AF_INET6;
	p.icmp_type = ICMPV6_DEST_UNREACH;
	p.icmp_code = ICMPV6_ADDR_UNREACH;
	CHECK(probe_suspect(&p), "ICMPv6 address unreachable: maybe");
	p.status = PROBE_NOROUTE;
	CHECK(!probe_suspect(&p), "no route: not the table's");
	p.status = PROBE_REFUSED;
	CHECK(!probe_suspect(&p), "refused: an answer");
	p.status = PROBE_OK;
	CHECK(!probe_suspect(&p), "ok: an answer");
	p.status = PROBE_UNSURE;
	CHECK_STR(probe_status_name(p.status), "unsure", "status name");
	probe_why(&p, why, sizeof(why));
	CHECK_STR(why, "unsure: neighbour table full", "why");
}

int main(void)
{
	test_echo();
	test_reply4();
	test_error4();
	test_icmp6();
	test_why();
	test_bad();
	test_neigh_parse();
	test_waves();
	test_suspect();
	return check_done();
}
