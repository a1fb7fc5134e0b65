// SPDX-License-Identifier: MIT
/* The validators: what users type, checked before any syscall. */
#include <arpa/inet.h>

#include "check.h"
#include "core/parse.h"

static void cidr_ok(const char *s, int family, int plen, const char *want)
{
	char why[PARSE_WHY], b[64];
	struct cidr c;
	int r = parse_cidr(s, 1, &c, why);

	CHECK(r == 0 && c.family == family && c.plen == plen, "cidr \"%s\" parses", s);
	if (r == 0) {
		cidr_fmt(&c, b, sizeof(b));
		CHECK_STR(b, want, "cidr_fmt");
	}
}

static void cidr_bad(const char *s, const char *why_part)
{
	char why[PARSE_WHY] = "";
	struct cidr c;

	CHECK(parse_cidr(s, 1, &c, why) < 0 && strstr(why, why_part),
	      "cidr \"%s\" rejected: %s", s, why);
}

/* Host n of net: want is the CIDR, or (starting with '!') a part of the refusal. */
static void host_is(const char *net, long long n, const char *want)
{
	char why[PARSE_WHY], got[64];
	struct cidr c, h;

	if (parse_cidr(net, 1, &c, why) < 0) {
		CHECK(0, "host %lld of %s: the subnet does not parse: %s", n, net, why);
		return;
	}
	if (cidr_host(&c, n, &h, why) < 0) {
		CHECK(want[0] == '!' && strstr(why, want + 1), "host %lld of %s refused: %s", n, net,
		      why);
		return;
	}
	cidr_fmt(&h, got, sizeof(got));
	CHECK_STR(got, want, "host of a subnet");
}

static void hostport_ok(const char *s, int family, int port)
{
	char why[PARSE_WHY];
	struct cidr c;
	int p = -1;

	CHECK(parse_hostport(s, &c, &p, why) == 0 && c.family == family && p == port,
	      "\"%s\" is an address and port %d", s, port);
}

static void hostport_bad(const char *s, const char *why_part)
{
	char why[PARSE_WHY] = "";
	struct cidr c;
	int p;

	CHECK(parse_hostport(s, &c, &p, why) < 0 && strstr(why, why_part),
	      "\"%s\" rejected: %s", s, why);
}

int main(void)
{
	char why[PARSE_WHY];
	struct cidr c, n;

	cidr_ok("192.168.52.1/24", AF_INET, 24, "192.168.52.1/24");
	cidr_ok("10.0.0.0/0", AF_INET, 0, "10.0.0.0/0");
	cidr_ok("fe80::1/64", AF_INET6, 64, "fe80::1/64");
	cidr_ok("2001:db8::/128", AF_INET6, 128, "2001:db8::/128");
	cidr_bad("192.168.52.1/33", "prefix longer than 32");
	cidr_bad("300.1.1.1/24", "not an IPv4 or IPv6 address");
	cidr_bad("fe80::/129", "prefix longer than 128");
	cidr_bad("10.0.0.1", "prefix length missing");
	cidr_bad("10.0.0.1/", "not a number");
	cidr_bad("10.0.0.1/-1", "not a number");
	cidr_bad("10.0.0.1/2x", "not a number");
	cidr_bad("", "invalid CIDR");
	/* strtol skipped the space and took the sign: /-9 installed "ip saddr 0.0.0.0". */
	cidr_bad("10.0.0.1/ -9", "not a number");
	cidr_bad("0.0.0.0/ -8", "not a number");
	cidr_bad("10.0.0.1/ 24", "not a number");
	cidr_bad("10.0.0.1/+24", "not a number");
	cidr_bad("10.0.0.1/\t24", "not a number");
	cidr_bad("10.0.0.1/24 ", "not a number");
	cidr_bad("/ 24", "invalid CIDR");
	cidr_bad("10.0.0.1/99999999999999999999", "prefix longer than 32");
	hostport_bad("10.0.0.2: 80", "port is not a number");
	hostport_bad("10.0.0.2:+80", "port is not a number");
	hostport_bad("[fd00::2]: 80", "port is not a number");
	hostport_bad("10.0.0.2:99999999999999999999", "port out of range");
	CHECK(parse_cidr("10.0.0.1", 0, &c, why) == 0 && c.plen == 32, "bare address is /32");
	CHECK(parse_addr("10.0.0.1/24", &c, why) < 0, "an address takes no prefix");

	CHECK(parse_cidr("10.1.2.3/16", 1, &c, why) == 0 && cidr_has_host_bits(&c),
	      "10.1.2.3/16 has host bits");
	n = c;
	cidr_network(&n);
	CHECK(n.a.v4.s_addr == htonl(0x0a010000), "network of 10.1.2.3/16 is 10.1.0.0");
	CHECK(cidr_contains(&n, &c), "10.1.0.0/16 contains 10.1.2.3");
	CHECK(parse_cidr("2001:db8:1:2::5/60", 1, &c, why) == 0, "2001:db8:1:2::5/60 parses");
	n = c;
	cidr_network(&n);
	cidr_fmt(&n, why, sizeof(why));
	CHECK_STR(why, "2001:db8:1::/60", "IPv6 network");

	host_is("10.0.0.0/24", 2, "10.0.0.2/24");
	host_is("10.0.0.7/24", 254, "10.0.0.254/24");
	host_is("10.0.0.0/24", 0, "!network address of 10.0.0.0/24");
	host_is("10.0.0.0/24", 255, "!broadcast address of 10.0.0.0/24; hosts are 1 to 254");
	host_is("10.0.0.0/24", 256, "!outside 10.0.0.0/24");
	host_is("10.0.0.0/24", -1, "!outside");
	host_is("10.0.0.0/16", 300, "10.0.1.44/16");
	host_is("10.0.0.0/30", 2, "10.0.0.2/30");
	host_is("10.0.0.0/30", 3, "!broadcast");
	host_is("10.0.0.0/31", 0, "10.0.0.0/31");
	host_is("10.0.0.0/31", 1, "10.0.0.1/31");
	host_is("10.0.0.0/31", 2, "!outside");
	host_is("10.0.0.9/32", 0, "10.0.0.9/32");
	host_is("10.0.0.9/32", 1, "!outside");
	host_is("0.0.0.0/0", 4294967294LL, "255.255.255.254/0");
	host_is("2001:db8::/64", 2, "2001:db8::2/64");
	host_is("2001:db8::/64", 0x10000, "2001:db8::1:0/64");
	host_is("2001:db8::/64", 0, "!Subnet-Router anycast");
	host_is("2001:db8::/120", 255, "2001:db8::ff/120");
	host_is("2001:db8::/120", 256, "!outside");
	host_is("2001:db8::/127", 0, "2001:db8::/127");
	host_is("2001:db8::/32", 0x7fffffffffffffffLL, "2001:db8::7fff:ffff:ffff:ffff/32");

	CHECK(parse_ifname("veth-purple", why) == 0, "veth-purple is a valid name");
	CHECK(parse_ifname("0123456789abcde", why) == 0, "15 bytes is fine");
	CHECK(parse_ifname("0123456789abcdef", why) < 0 && strstr(why, "longer than 15"),
	      "16 bytes is too long: %s", why);
	CHECK(parse_ifname("a/b", why) < 0 && strstr(why, "'/'"), "'/' rejected");
	CHECK(parse_ifname("a b", why) < 0 && strstr(why, "white space"), "space rejected");
	CHECK(parse_ifname("", why) < 0 && strstr(why, "empty"), "empty rejected");
	CHECK(parse_ifname("..", why) < 0, "'..' rejected");
	CHECK(parse_nsname("purple", why) == 0, "purple is a valid namespace name");
	CHECK(parse_nsname("a/b", why) < 0, "namespace with '/' rejected");
	CHECK(parse_nsname("", why) < 0, "empty namespace rejected");
	CHECK(parse_port(0, why) < 0 && parse_port(70000, why) < 0 && parse_port(80, why) == 0,
	      "ports 1..65535");
	hostport_ok("10.0.0.2:80", AF_INET, 80);
	hostport_ok("10.0.0.2", AF_INET, 0);
	hostport_ok("fd00::2", AF_INET6, 0);
	hostport_ok("[fd00::2]:8080", AF_INET6, 8080);
	hostport_ok("[fd00::2]", AF_INET6, 0);
	hostport_bad("10.0.0.2:0", "port out of range");
	hostport_bad("10.0.0.2:70000", "port out of range");
	hostport_bad("10.0.0.2:http", "port is not a number");
	hostport_bad("10.0.0.2:", "port is not a number");
	hostport_bad("[10.0.0.2]:80", "not an IPv6 address in brackets");
	hostport_bad("[fd00::2:80", "']' missing");
	hostport_bad("[fd00::2]x", "':PORT' or nothing");
	hostport_bad("10.0.0.0/24", "not ADDR or ADDR:PORT");
	hostport_bad("", "not ADDR or ADDR:PORT");
	return check_done();
}
