/* SPDX-License-Identifier: MIT */
#ifndef NETLAB_PARSE_H
#define NETLAB_PARSE_H

#include <stdint.h>
#include <netinet/in.h>

/* An address with its prefix length, IPv4 or IPv6. */
struct cidr {
	int family; /* AF_INET or AF_INET6 */
	int plen;
	union {
		struct in_addr v4;
		struct in6_addr v6;
		uint8_t b[16];
	} a;
};

/*
 * The validators run before any syscall. Each returns 0 or -EINVAL and writes
 * what is wrong into why (at least 128 bytes), phrased to follow the value,
 * e.g. `invalid CIDR "192.168.52.1/33" (prefix longer than 32)`.
 */
#define PARSE_WHY 160

/* "10.0.0.1/24", "fe80::1/64"; with need_plen 0 a bare address means /32 or /128. */
int parse_cidr(const char *s, int need_plen, struct cidr *out, char *why);
/* An address without prefix. */
int parse_addr(const char *s, struct cidr *out, char *why);
int cidr_fmt(const struct cidr *c, char *buf, size_t len);
/* The network of c: host bits cleared. */
void cidr_network(struct cidr *c);
/* 1 when c has host bits set (as in "10.0.0.1/24" given as a route destination). */
int cidr_has_host_bits(const struct cidr *c);
int cidr_contains(const struct cidr *net, const struct cidr *addr);
/* 1 when c is a multicast address (224.0.0.0/4, ff00::/8). */
int cidr_multicast(const struct cidr *c);
/*
 * Host n of the subnet net (its host bits are ignored), with net's prefix
 * length. Refused: n outside the subnet, and the addresses no host may have:
 * an IPv4 subnet's network (0) and broadcast (last) addresses, except in /31
 * (RFC 3021) and /32; an IPv6 subnet's Subnet-Router anycast address (0,
 * RFC 4291 2.6.1), except in /127 (RFC 6164) and /128.
 */
int cidr_host(const struct cidr *net, long long n, struct cidr *out, char *why);

int parse_ifname(const char *s, char *why);
int parse_nsname(const char *s, char *why);
/* "02:00:00:00:00:01": six hex pairs, either case. */
int parse_mac(const char *s, unsigned char mac[6], char *why);
/* A port 1..65535. */
int parse_port(long long v, char *why);
/* "10.0.0.2", "10.0.0.2:80", "fd00::2" or "[fd00::2]:80"; *port is 0 when none is given. */
int parse_hostport(const char *s, struct cidr *out, int *port, char *why);

/*
 * tc(8)'s units, for link.impair: a time ("50ms", "1.5s", "100us") in
 * nanoseconds; a rate ("10mbit", "512kbit", "1gbit", "100kbps") in bits per
 * second, never 0; a percentage ("1%", "0.5%") from 0 to 100. Negative
 * values, missing or unknown units are refused.
 */
int parse_time(const char *s, uint64_t *ns, char *why);
int parse_rate(const char *s, uint64_t *bits, char *why);
int parse_percent(const char *s, double *pct, char *why);

#endif
