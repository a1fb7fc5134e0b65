// SPDX-License-Identifier: MIT
/*
 * Validation of what users type, done before anything reaches the kernel, so
 * that a typo gets a sentence about the typo instead of a kernel errno.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

static int bad(char *why, const char *what, const char *s, const char *detail)
{
	if (detail)
		snprintf(why, PARSE_WHY, "invalid %s \"%.64s\" (%s)", what, s, detail);
	else
		snprintf(why, PARSE_WHY, "invalid %s \"%.64s\"", what, s);
	return -EINVAL;
}

/*
 * A decimal number written with digits only, into *v (capped just above
 * max, so a long run of digits reads as too big rather than overflowing).
 * strtol() would also take " 24", "+24", "-9" and "\t80".
 */
static int digits(const char *s, long max, long *v)
{
	long n = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		if (n <= max)
			n = n * 10 + (*s - '0');
	}
	*v = n;
	return 0;
}

static int parse_host(const char *s, size_t n, struct cidr *out)
{
	char tmp[INET6_ADDRSTRLEN + 1];

	if (n == 0 || n >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, tmp, &out->a.v4) == 1) {
		out->family = AF_INET;
		out->plen = 32;
		return 0;
	}
	if (inet_pton(AF_INET6, tmp, &out->a.v6) == 1) {
		out->family = AF_INET6;
		out->plen = 128;
		return 0;
	}
	return -EINVAL;
}

int parse_cidr(const char *s, int need_plen, struct cidr *out, char *why)
{
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	int max;

	if (parse_host(s, n, out) < 0)
		return bad(why, "CIDR", s, strchr(s, ':') ? "not an IPv6 address" :
				     "not an IPv4 or IPv6 address");
	max = out->family == AF_INET ? 32 : 128;
	if (!slash) {
		if (need_plen)
			return bad(why, "CIDR", s, "prefix length missing, as in 10.0.0.1/24");
		return 0;
	}
	{
		long v;

		if (digits(slash + 1, max, &v) < 0)
			return bad(why, "CIDR", s, "prefix length is not a number");
		if (v > max)
			return bad(why, "CIDR", s, max == 32 ? "prefix longer than 32" :
							   "prefix longer than 128");
		out->plen = (int)v;
	}
	return 0;
}

int parse_addr(const char *s, struct cidr *out, char *why)
{
	if (strchr(s, '/'))
		return bad(why, "address", s, "an address takes no prefix length here");
	if (parse_host(s, strlen(s), out) < 0)
		return bad(why, "address", s, NULL);
	return 0;
}

int cidr_fmt(const struct cidr *c, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(c->family, c->a.b, a, sizeof(a));
	return snprintf(buf, len, "%s/%d", a, c->plen);
}

void cidr_network(struct cidr *c)
{
	int bytes = c->family == AF_INET ? 4 : 16;
	int i;

	for (i = 0; i < bytes; i++) {
		int keep = c->plen - i * 8;

		if (keep >= 8)
			continue;
		c->a.b[i] &= keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
	}
}

int cidr_has_host_bits(const struct cidr *c)
{
	struct cidr n = *c;

	cidr_network(&n);
	return memcmp(n.a.b, c->a.b, c->family == AF_INET ? 4 : 16) != 0;
}

int cidr_multicast(const struct cidr *c)
{
	return c->family == AF_INET ? (c->a.b[0] & 0xf0) == 0xe0 : c->a.b[0] == 0xff;
}

int cidr_contains(const struct cidr *net, const struct cidr *addr)
{
	struct cidr a = *addr, n = *net;

	if (net->family != addr->family)
		return 0;
	a.plen = n.plen;
	cidr_network(&a);
	cidr_network(&n);
	return memcmp(a.a.b, n.a.b, net->family == AF_INET ? 4 : 16) == 0;
}

int cidr_host(const struct cidr *net, long long n, struct cidr *out, char *why)
{
	int bytes = net->family == AF_INET ? 4 : 16, hostbits = bytes * 8 - net->plen;
	/* The last usable host number, and the first: the ends are reserved in big subnets. */
	unsigned long long last = hostbits >= 63 ? LLONG_MAX : (1ULL << hostbits) - 1;
	long long first = 0;
	unsigned long long v = (unsigned long long)n;
	char name[INET6_ADDRSTRLEN + 4];
	int i;

	*out = *net;
	cidr_network(out);
	cidr_fmt(out, name, sizeof(name));
	if (net->family == AF_INET && hostbits >= 2) {
		first = 1;
		last--;
	} else if (net->family == AF_INET6 && hostbits >= 2) {
		first = 1;
	}
	if (n == 0 && first) {
		snprintf(why, PARSE_WHY, "host 0 is the %s address of %s; hosts are %lld to %llu",
			 net->family == AF_INET ? "network" : "Subnet-Router anycast", name, first,
			 last);
		return -EINVAL;
	}
	if (net->family == AF_INET && first && v == last + 1) {
		snprintf(why, PARSE_WHY, "host %lld is the broadcast address of %s; hosts are 1 to %llu",
			 n, name, last);
		return -EINVAL;
	}
	if (n < 0 || v > last) {
		snprintf(why, PARSE_WHY, "host %lld is outside %s; hosts are %lld to %llu", n, name,
			 first, last);
		return -EINVAL;
	}
	/* The host bits are all zero, so adding is setting them, from the last byte up. */
	for (i = bytes - 1; i >= 0 && v; i--, v >>= 8)
		out->a.b[i] |= (uint8_t)(v & 0xff);
	return 0;
}

/* The kernel's dev_valid_name(), checked here so the error names the problem. */
int parse_ifname(const char *s, char *why)
{
	const char *p;

	if (!*s)
		return bad(why, "interface name", s, "empty");
	if (strlen(s) >= IFNAMSIZ)
		return bad(why, "interface name", s, "longer than 15 bytes");
	if (!strcmp(s, ".") || !strcmp(s, ".."))
		return bad(why, "interface name", s, NULL);
	for (p = s; *p; p++) {
		if (*p == '/')
			return bad(why, "interface name", s, "contains '/'");
		if (*p == ':')
			return bad(why, "interface name", s, "contains ':'");
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\v' || *p == '\f')
			return bad(why, "interface name", s, "contains white space");
	}
	return 0;
}

/* iproute2's rule (a file name under /run/netns), plus the name netlab reserves. */
int parse_nsname(const char *s, char *why)
{
	const char *p;

	if (!*s)
		return bad(why, "namespace name", s, "empty");
	if (strlen(s) >= NAME_MAX)
		return bad(why, "namespace name", s, "too long");
	if (!strcmp(s, ".") || !strcmp(s, ".."))
		return bad(why, "namespace name", s, NULL);
	for (p = s; *p; p++) {
		if (*p == '/')
			return bad(why, "namespace name", s, "contains '/'");
		if ((unsigned char)*p < 0x20 || *p == ' ')
			return bad(why, "namespace name", s, "contains white space or control characters");
	}
	return 0;
}

int parse_port(long long v, char *why)
{
	if (v < 1 || v > 65535) {
		snprintf(why, PARSE_WHY, "invalid port %lld (1 to 65535)", v);
		return -EINVAL;
	}
	return 0;
}

int parse_hostport(const char *s, struct cidr *out, int *port, char *why)
{
	const char *host = s, *colon;
	size_t n;

	*port = 0;
	if (*s == '[') {
		const char *end = strchr(s, ']');

		if (!end)
			return bad(why, "address", s, "']' missing");
		if (end[1] && end[1] != ':')
			return bad(why, "address", s, "':PORT' or nothing expected after ']'");
		host = s + 1;
		n = (size_t)(end - host);
		colon = end[1] ? end + 1 : NULL;
	} else {
		/* One colon separates a port; more make a bare IPv6 address. */
		colon = strchr(s, ':');
		if (colon && strchr(colon + 1, ':'))
			colon = NULL;
		n = colon ? (size_t)(colon - s) : strlen(s);
	}
	if (parse_host(host, n, out) < 0 || (host != s && out->family != AF_INET6))
		return bad(why, "address", s, host != s ? "not an IPv6 address in brackets" :
				 "not ADDR or ADDR:PORT");
	if (colon) {
		long v;

		if (digits(colon + 1, 65535, &v) < 0)
			return bad(why, "address", s, "port is not a number");
		if (v < 1 || v > 65535)
			return bad(why, "address", s, "port out of range, 1 to 65535");
		*port = (int)v;
	}
	return 0;
}

int parse_mac(const char *s, unsigned char mac[6], char *why)
{
	int i, hi, lo;

	/* Exactly six pairs of hex digits split by ':': sscanf would take "1:2:3:4:5:6" and trailing junk. */
	for (i = 0; i < 6; i++) {
		const char *p = s + 3 * i;

		if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]) ||
		    p[2] != (i < 5 ? ':' : '\0'))
			return bad(why, "MAC address", s, "six hex pairs as 02:00:00:00:00:01 expected");
		hi = isdigit((unsigned char)p[0]) ? p[0] - '0' : (tolower((unsigned char)p[0]) - 'a' + 10);
		lo = isdigit((unsigned char)p[1]) ? p[1] - '0' : (tolower((unsigned char)p[1]) - 'a' + 10);
		mac[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/*
 * A decimal number with a unit after it, as tc(8) writes them ("50ms",
 * "1.5mbit", "0.1%"): the number into *v, the unit (possibly empty) into
 * unit. strtod() would also take " 5", "+5", "0x10", "inf" and "nan", none of
 * which tc's users mean: only digits with at most one point are read.
 */
static int number_unit(const char *s, double *v, const char **unit)
{
	const char *p = s;
	int dot = 0, seen = 0;

	for (; (*p >= '0' && *p <= '9') || (*p == '.' && !dot); p++) {
		if (*p == '.')
			dot = 1;
		else
			seen = 1;
	}
	if (!seen)
		return -EINVAL;
	*v = strtod(s, NULL);
	*unit = p;
	return 0;
}

struct unit {
	const char *name;
	double factor;
};

static const struct unit *unit_find(const struct unit *u, const char *name)
{
	for (; u->name; u++)
		if (!strcmp(u->name, name))
			return u;
	return NULL;
}

int parse_time(const char *s, uint64_t *ns, char *why)
{
	/* tc(8)'s time units; a bare number is refused rather than read as tc's microseconds. */
	static const struct unit units[] = {
		{ "s", 1e9 }, { "sec", 1e9 }, { "secs", 1e9 },
		{ "ms", 1e6 }, { "msec", 1e6 }, { "msecs", 1e6 },
		{ "us", 1e3 }, { "usec", 1e3 }, { "usecs", 1e3 },
		{ "ns", 1 }, { "nsec", 1 }, { "nsecs", 1 }, { NULL, 0 },
	};
	const struct unit *u;
	const char *unit;
	double v;

	if (*s == '-')
		return bad(why, "time", s, "negative");
	if (number_unit(s, &v, &unit) < 0)
		return bad(why, "time", s, "a number and a unit as \"50ms\" expected");
	if (!*unit)
		return bad(why, "time", s, "no unit: s, ms or us");
	u = unit_find(units, unit);
	if (!u)
		return bad(why, "time", s, "unknown unit: s, ms, us or ns");
	v *= u->factor;
	/* The kernel keeps delays as signed 64-bit nanoseconds; an hour is plenty. */
	if (v > 3600e9)
		return bad(why, "time", s, "longer than an hour");
	*ns = (uint64_t)(v + 0.5);
	return 0;
}

int parse_rate(const char *s, uint64_t *bits, char *why)
{
	/* tc(8)'s rate units: "bit" and SI multiples of it, IEC ones, and bytes ("bps"). */
	static const struct unit units[] = {
		{ "bit", 1 }, { "kbit", 1e3 }, { "mbit", 1e6 }, { "gbit", 1e9 }, { "tbit", 1e12 },
		{ "kibit", 1024. }, { "mibit", 1048576. }, { "gibit", 1073741824. },
		{ "tibit", 1099511627776. }, { "bps", 8 }, { "kbps", 8e3 }, { "mbps", 8e6 },
		{ "gbps", 8e9 }, { "tbps", 8e12 }, { NULL, 0 },
	};
	const struct unit *u;
	const char *unit;
	char low[8];
	size_t i;
	double v;

	if (*s == '-')
		return bad(why, "rate", s, "negative");
	if (number_unit(s, &v, &unit) < 0)
		return bad(why, "rate", s, "a number and a unit as \"10mbit\" expected");
	if (!*unit)
		return bad(why, "rate", s, "no unit: bit, kbit, mbit or gbit");
	for (i = 0; unit[i] && i + 1 < sizeof(low); i++)
		low[i] = (char)tolower((unsigned char)unit[i]);
	low[i] = '\0';
	u = unit[i] ? NULL : unit_find(units, low);
	if (!u)
		return bad(why, "rate", s, "unknown unit: bit, kbit, mbit, gbit or bps");
	v *= u->factor;
	/* The kernel counts bytes per second: less than 8 bit/s is no rate at all. */
	if (v < 8)
		return bad(why, "rate", s, v == 0 ? "zero: link.impair(LINK, false) clears it" :
			   "below 8bit, a byte a second");
	if (v > 8e15)
		return bad(why, "rate", s, "above 8000tbit");
	*bits = (uint64_t)(v + 0.5);
	return 0;
}

int parse_percent(const char *s, double *pct, char *why)
{
	const char *unit;
	double v;

	if (*s == '-')
		return bad(why, "percentage", s, "negative");
	if (number_unit(s, &v, &unit) < 0 || strcmp(unit, "%"))
		return bad(why, "percentage", s, "a number and %, as \"1%\" expected");
	if (v > 100)
		return bad(why, "percentage", s, "above 100%");
	*pct = v;
	return 0;
}
