// SPDX-License-Identifier: MIT
/*
 * Fuzzes the validators of what users type (core/parse.c, the nft names and
 * states): each input is one string, given to every parser. Beyond not
 * crashing, what a parser accepts must mean what it says: a CIDR prints back
 * to one that parses to the same value, a port is 1..65535, an accepted name
 * is short enough for the kernel's field.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>

#include "core/nft.h"
#include "core/parse.h"
#include "core/qdisc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same_cidr(const struct cidr *a, const char *s, int need_plen)
{
	char buf[INET6_ADDRSTRLEN + 8], why[PARSE_WHY];
	struct cidr b;
	int max = a->family == AF_INET ? 32 : 128;

	if (a->family != AF_INET && a->family != AF_INET6)
		abort();
	if (a->plen < 0 || a->plen > max)
		abort(); /* "10.0.0.1/ -9" was taken as /-9 */
	cidr_fmt(a, buf, sizeof(buf));
	if (parse_cidr(buf, need_plen, &b, why) < 0 || b.family != a->family || b.plen != a->plen ||
	    memcmp(a->a.b, b.a.b, sizeof(a->a.b)))
		abort();
	(void)s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), why[PARSE_WHY], w[QDISC_WORD];
	uint64_t v, back;
	double pct;
	struct cidr c, n;
	uint32_t bits;
	unsigned char mac[6];
	int port;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (parse_cidr(s, 1, &c, why) == 0) {
		same_cidr(&c, s, 1);
		n = c;
		cidr_network(&n);
		if (!cidr_contains(&n, &c) || cidr_has_host_bits(&n))
			abort();
	}
	if (parse_cidr(s, 0, &c, why) == 0)
		same_cidr(&c, s, 0);
	if (parse_addr(s, &c, why) == 0 && c.plen != (c.family == AF_INET ? 32 : 128))
		abort();
	if (parse_hostport(s, &c, &port, why) == 0 && (port < 0 || port > 65535))
		abort();
	if (parse_ifname(s, why) == 0 && (strlen(s) >= IFNAMSIZ || strchr(s, '/') || !*s))
		abort();
	if (parse_nsname(s, why) == 0 && (strchr(s, '/') || !*s))
		abort();
	if (parse_mac(s, mac, why) == 0 && strlen(s) != 17)
		abort();
	/* tc's units: what is accepted is in range and reads back from its own words. */
	if (parse_time(s, &v, why) == 0) {
		qdisc_fmt_time(v, w);
		if (v > 3600000000000ull || parse_time(w, &back, why) < 0 || back != v)
			abort();
	}
	if (parse_rate(s, &v, why) == 0) {
		qdisc_fmt_rate(v, w);
		if (v < 8 || parse_rate(w, &back, why) < 0 || back != v)
			abort();
	}
	if (parse_percent(s, &pct, why) == 0 && !(pct >= 0 && pct <= 100))
		abort();
	if (nft_table_check(s, why) == 0 && (strlen(s) > 64 || !*s))
		abort();
	if (nft_ctstate_parse(s, &bits, why) == 0 && !bits)
		abort();
	free(s);
	return 0;
}
