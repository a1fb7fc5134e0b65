// SPDX-License-Identifier: MIT
/*
 * The packets of probes: echo requests built, and what comes back read
 * (echo replies, and ICMP errors that quote an echo of ours), kept apart
 * from the sockets in probe_sock.c so the unit tests can feed them bytes.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "probe.h"
#include "text.h"

#define ICMP4_ECHOREPLY 0
#define ICMP4_ECHO 8
#define ICMP6_ECHO 128
#define ICMP6_ECHOREPLY 129
#define ICMP_HDR 8
#define IP6_HDR 40

uint16_t probe_csum(const uint8_t *buf, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(buf[i] << 8 | buf[i + 1]);
	if (len & 1)
		sum += (uint32_t)buf[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

size_t probe_build_echo(int family, uint16_t id, uint16_t seq, int size, uint8_t *buf, size_t cap)
{
	size_t len = ICMP_HDR + (size_t)(size > 0 ? size : 0), i;

	if (len > cap)
		return 0;
	memset(buf, 0, ICMP_HDR);
	buf[0] = family == AF_INET6 ? ICMP6_ECHO : ICMP4_ECHO;
	put16(buf + 4, id);
	put16(buf + 6, seq);
	/* ping's own filler, so a capture of netlab's probes reads like ping's. */
	for (i = ICMP_HDR; i < len; i++)
		buf[i] = (uint8_t)(i - ICMP_HDR);
	/* ICMPv6 checksums cover a pseudo-header only the kernel knows: it fills them in. */
	if (family == AF_INET)
		put16(buf + 2, probe_csum(buf, len));
	return len;
}

/* An IPv4 header at p (len bytes): its length, or 0 when it is not one. */
static size_t ip4_hdr(const uint8_t *p, size_t len)
{
	size_t ihl;

	if (len < 20 || p[0] >> 4 != 4)
		return 0;
	ihl = (size_t)(p[0] & 0x0f) * 4;
	return ihl >= 20 && ihl <= len ? ihl : 0;
}

static int parse4(const uint8_t *p, size_t len, struct probe_pkt *out)
{
	const uint8_t *in;
	size_t ihl;

	if (p[0] == ICMP4_ECHOREPLY) {
		out->what = PROBE_PKT_REPLY;
		out->id = get16(p + 4);
		out->seq = get16(p + 6);
		return 0;
	}
	/* Destination unreachable, source quench, time exceeded, parameter problem. */
	if (p[0] != 3 && p[0] != 4 && p[0] != 11 && p[0] != 12)
		return 0;
	in = p + ICMP_HDR;
	ihl = ip4_hdr(in, len - ICMP_HDR);
	/* The quoted packet: its IP header and at least the echo's 8 bytes (RFC 792). */
	if (!ihl || in[9] != IPPROTO_ICMP || len - ICMP_HDR < ihl + ICMP_HDR || in[ihl] != ICMP4_ECHO)
		return 0;
	out->what = PROBE_PKT_ERROR;
	out->type = p[0];
	out->code = p[1];
	out->id = get16(in + ihl + 4);
	out->seq = get16(in + ihl + 6);
	out->inner.family = AF_INET;
	out->inner.plen = 32;
	memcpy(out->inner.a.b, in + 16, 4);
	return 0;
}

static int parse6(const uint8_t *p, size_t len, struct probe_pkt *out)
{
	const uint8_t *in;

	if (p[0] == ICMP6_ECHOREPLY) {
		out->what = PROBE_PKT_REPLY;
		out->id = get16(p + 4);
		out->seq = get16(p + 6);
		return 0;
	}
	/* Errors are types 1..127 (RFC 4443); of those 1..4 are defined. */
	if (p[0] < 1 || p[0] > 4)
		return 0;
	in = p + ICMP_HDR;
	if (len < ICMP_HDR + IP6_HDR + ICMP_HDR || in[0] >> 4 != 6 || in[6] != IPPROTO_ICMPV6 ||
	    in[IP6_HDR] != ICMP6_ECHO)
		return 0;
	out->what = PROBE_PKT_ERROR;
	out->type = p[0];
	out->code = p[1];
	out->id = get16(in + IP6_HDR + 4);
	out->seq = get16(in + IP6_HDR + 6);
	out->inner.family = AF_INET6;
	out->inner.plen = 128;
	memcpy(out->inner.a.b, in + 24, 16);
	return 0;
}

int probe_parse_icmp(int family, int ip, const uint8_t *buf, size_t len, struct probe_pkt *out)
{
	size_t ihl = 0;

	memset(out, 0, sizeof(*out));
	if (family == AF_INET && ip) {
		ihl = ip4_hdr(buf, len);
		if (!ihl || buf[9] != IPPROTO_ICMP)
			return -EINVAL;
	}
	if (len - ihl < ICMP_HDR)
		return -EINVAL;
	if (family == AF_INET)
		return parse4(buf + ihl, len - ihl, out);
	return parse6(buf, len, out);
}

const char *probe_icmp_text(int family, int type, int code)
{
	static const char *const unreach4[] = {
		"network unreachable", "host unreachable", "protocol unreachable",
		"port unreachable", "fragmentation needed", "source route failed",
		"network unknown", "host unknown", "source host isolated",
		"network prohibited", "host prohibited", "network unreachable for TOS",
		"host unreachable for TOS", "administratively prohibited",
		"host precedence violation", "precedence cutoff",
	};
	static const char *const unreach6[] = {
		"no route", "administratively prohibited", "beyond scope of source address",
		"address unreachable", "port unreachable", "source address failed policy",
		"reject route",
	};

	if (family == AF_INET) {
		switch (type) {
		case 3:
			if (code >= 0 && code < (int)(sizeof(unreach4) / sizeof(*unreach4)))
				return unreach4[code];
			return "destination unreachable";
		case 4:
			return "source quench";
		case 11:
			return code == 1 ? "fragment reassembly time exceeded" : "TTL exceeded";
		case 12:
			return "parameter problem";
		}
		return "ICMP error";
	}
	switch (type) {
	case 1:
		if (code >= 0 && code < (int)(sizeof(unreach6) / sizeof(*unreach6)))
			return unreach6[code];
		return "destination unreachable";
	case 2:
		return "packet too big";
	case 3:
		return code == 1 ? "fragment reassembly time exceeded" : "hop limit exceeded";
	case 4:
		return "parameter problem";
	}
	return "ICMPv6 error";
}

const char *probe_status_name(int status)
{
	switch (status) {
	case PROBE_OK:
		return "ok";
	case PROBE_TIMEOUT:
		return "timeout";
	case PROBE_UNREACH:
		return "unreachable";
	case PROBE_NOROUTE:
		return "noroute";
	case PROBE_REFUSED:
		return "refused";
	case PROBE_LOCAL:
		return "error";
	case PROBE_UNSURE:
		return "unsure";
	}
	return "pending";
}

void probe_why(const struct probe *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	size_t k = 0;

	buf[0] = '\0';
	switch (p->status) {
	case PROBE_OK:
		break;
	case PROBE_PENDING:
	case PROBE_TIMEOUT:
		text_append(buf, len, &k, "no answer");
		/* A UDP service may answer nothing, and a filter drop it: the same silence. */
		if (p->kind == PROBE_UDP)
			text_append(buf, len, &k, ": open or filtered (UDP cannot tell)");
		break;
	case PROBE_UNREACH:
		text_append(buf, len, &k, "unreachable");
		if (p->from.family && inet_ntop(p->from.family, p->from.a.b, a, sizeof(a)))
			text_append(buf, len, &k, " from %s", a);
		text_append(buf, len, &k, " (%s)",
			    probe_icmp_text(p->dst.family, p->icmp_type, p->icmp_code));
		break;
	case PROBE_NOROUTE:
		text_append(buf, len, &k, "no route");
		break;
	case PROBE_REFUSED:
		if (p->kind != PROBE_UDP) {
			text_append(buf, len, &k, "refused");
			break;
		}
		text_append(buf, len, &k, "closed: port unreachable");
		if (p->from.family && inet_ntop(p->from.family, p->from.a.b, a, sizeof(a)))
			text_append(buf, len, &k, " from %s", a);
		break;
	case PROBE_UNSURE:
		text_append(buf, len, &k, "unsure: neighbour table full");
		break;
	default:
		text_append(buf, len, &k, "%s", strerror(p->code));
	}
}
