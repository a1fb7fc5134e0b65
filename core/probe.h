/* SPDX-License-Identifier: MIT */
#ifndef NETLAB_PROBE_H
#define NETLAB_PROBE_H

#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "nl.h"
#include "parse.h"

/*
 * Probes: real packets sent from inside namespaces, every probe of a call in
 * flight at once (non-blocking sockets opened in each namespace, one poll
 * loop, no threads, no fork). A probe never changes kernel state.
 */
enum probe_kind {
	PROBE_PING, /* ICMP or ICMPv6 echo */
	PROBE_TCP,  /* a TCP connect */
	PROBE_UDP,  /* a datagram, on a connected UDP socket */
};

enum probe_status {
	PROBE_PENDING,	/* not answered yet (only while running) */
	PROBE_OK,	/* an echo reply, a TCP connection made, a UDP reply */
	PROBE_TIMEOUT,	/* no answer within the timeout */
	PROBE_UNREACH,	/* an ICMP error came back: from, icmp_type, icmp_code */
	PROBE_NOROUTE,	/* the local error at send: no route (ENETUNREACH) */
	PROBE_REFUSED,	/* TCP: a reset; UDP: port unreachable (closed), from */
	PROBE_LOCAL,	/* another local error (code): a filter's EPERM, EACCES, … */
	PROBE_UNSURE,	/* no answer while the neighbour table was full, and no wave got one */
};

struct probe {
	/* What: set by the caller. */
	char ns[NAME_MAX + 1]; /* the namespace it is sent from ("root" or "") */
	int kind;
	struct cidr dst;
	int port;	 /* PROBE_TCP, PROBE_UDP: 1..65535 */
	struct cidr src; /* family 0: the kernel chooses the source */
	const char *payload; /* PROBE_UDP: the datagram (the caller's, kept until the end) */
	size_t payload_len;
	/* Results. */
	int status;
	int code;	  /* errno of a local error, or the one an ICMP error means */
	struct cidr from; /* PROBE_UNREACH: who sent the ICMP error (family 0: unknown) */
	int icmp_type, icmp_code;
	int sent, received;
	int raw;	/* PROBE_PING: sent from a raw socket (no ping socket allowed) */
	double rtt_ms;	/* mean over the replies; TCP: the handshake; UDP: to the reply */
	double rtt_min, rtt_max;
};

struct probe_opts {
	int timeout_ms; /* for the whole call, > 0 */
	int count;	/* echoes per ping, 1..PROBE_COUNT_MAX */
	int size;	/* ICMP payload bytes, 0..PROBE_SIZE_MAX (ping -s) */
};
#define PROBE_COUNT_MAX 100
#define PROBE_SIZE_MAX 65507
#define PROBE_SIZE_DEFAULT 56
#define PROBE_UDP_MAX 65507 /* the largest UDP payload over IPv4 */

/*
 * Runs the n probes: every one is sent, then all answers are awaited
 * together until each probe has its outcome or the timeout passes. An echo
 * with no answer by half the timeout is sent once more, so a first packet
 * lost to address resolution does not count as loss. At most
 * PROBE_MAXFD sockets are open at a time: a call needing more runs in rounds,
 * each with its own timeout. Returns 0 when every probe has a result (a
 * failed probe is a result), or -errno when a socket could not be opened
 * (err says where and what would allow it); then no packet of the round
 * was sent.
 *
 * The kernel's neighbour tables are shared by every namespace and capped
 * (probe_neigh.c): when one overflowed during the call (its table_fulls
 * rose), the probes of that family that may have lost their packet to it
 * (probe_suspect) are sent again in waves, 5 s apart, each no larger than
 * the table has room for, until each has had a wave without overflow. One
 * that never had one is PROBE_UNSURE. A call that overflowed nothing costs
 * one timeout.
 */
#define PROBE_MAXFD 256
int probe_run(struct probe *p, size_t n, const struct probe_opts *o, struct nl_err *err);

/*
 * Where a signal handler says stop (nonzero), or NULL (never): a running
 * probe_run looks at it in its poll loop and between its waves, and
 * returns -EINTR ("interrupted") with every socket it opened closed. The
 * command line points it at its Ctrl-C flag (repl/interrupt.c), so Ctrl-C
 * ends a matrix of many waves at once, not when the waves are done.
 */
extern volatile sig_atomic_t *probe_stop;

/*
 * 1 when p's failure may be the neighbour table's (its packet, or the
 * answer, dropped for want of an entry): no answer, a local EINVAL or
 * ENOBUFS at send, or "host unreachable" (a resolution that failed).
 */
int probe_suspect(const struct probe *p);

/* A neighbour table (one for all namespaces) as RTM_GETNEIGHTBL tells it. */
struct probe_neigh {
	int family;
	uint32_t thresh2, thresh3; /* gc_thresh2, gc_thresh3: the host's */
	uint32_t entries;
	uint64_t table_fulls;	   /* new entries refused, since boot */
};
/* Reads family's table (AF_INET: arp_cache, AF_INET6: ndisc_cache); -errno and err. */
int probe_neigh_read(int family, struct probe_neigh *t, struct nl_err *err);
/* One message of the dump: 1 when it is a table's (into *t), 0 when not, -EBADMSG. */
int probe_neigh_parse(const struct nlmsghdr *nlh, struct probe_neigh *t);

/*
 * The waves of one family, planned from the table as it is now, whether
 * the last wave (or the first pass) overflowed it, and how many of the
 * last wave's probes it settled (answered, or failed where the table was
 * not to blame). The first wave is half what the table may reclaim
 * (gc_thresh3 less the entries, of which at most gc_thresh2 are kept); one
 * after an overflow is what the last settled and a quarter more (what the
 * table, draining, had room for), or twice the last when it settled three
 * quarters of it or more (the overflow was someone else's); both wait PROBE_WAVE_GAP_MS first, so
 * the last wave's fresh entries are reclaimable. After a clean wave the
 * next doubles (or takes half the free room, if more), up to what may be
 * reclaimed, at once when it fits the free room. Never below
 * PROBE_WAVE_MIN. Returns the wave's size (gap_ms: the wait before it), or
 * 0 to give up: after PROBE_WAVES_MAX waves, or PROBE_WAVE_STUCK
 * overflowed waves in a row that settled nothing (someone else keeps the
 * table full).
 */
struct probe_wave {
	size_t size; /* the last wave's; 0 before the first */
	int gap_ms;
	int waves;
	int stuck;
	int flushed; /* the last pass's entries were deleted after it (probe_flush.c) */
};
#define PROBE_WAVE_MIN 16
#define PROBE_WAVE_STUCK 12 /* a minute of waves: longer than an entry is held (45 s) */
#define PROBE_WAVES_MAX 480 /* some 45 minutes of waves; star 100 needs some 60 */
#define PROBE_WAVE_GAP_MS 5000 /* an entry is reclaimable 5 s after its last update */
size_t probe_wave_plan(struct probe_wave *w, const struct probe_neigh *t, int overflowed,
		       size_t settled);

/*
 * The neighbour entries a pass made, deleted after it (probe_flush.c): a
 * probe leaves every namespace's neighbour table as it found it, and the
 * shared table has its room back at once instead of some 30 s later. When
 * the last pass was flushed (w->flushed), the next wave is three quarters
 * of the table's free room, at once; unless it overflowed all the same and
 * settled less than three quarters (someone else fills the table), when
 * the plan above applies.
 */
struct probe_neigh_key {
	int family;
	int ifindex; /* 0 in the list of the call's addresses */
	uint8_t a[16];
};
/* One entry of an RTM_GETNEIGH dump into *k (fixed: PERMANENT or NOARP): 1, 0 (not one), -EBADMSG. */
int probe_neigh_entry(const struct nlmsghdr *nlh, struct probe_neigh_key *k, int *fixed);
struct probe_snap {
	struct {
		char name[NAME_MAX + 1];
		struct probe_neigh_key *e; /* sorted */
		size_t n;
	} *ns;
	size_t n, cap;
	struct probe_neigh_key *want; /* the call's addresses, sorted */
	size_t nwant, wcap;
};
/* Every namespace's entries (the root's and /run/netns'), before p[0..n) run; -errno. */
int probe_snap_take(struct probe_snap *s, const struct probe *p, size_t n);
/* Deletes the entries of p's addresses made since, save PERMANENT and NOARP; returns how many. */
size_t probe_snap_restore(struct probe_snap *s);
void probe_snap_free(struct probe_snap *s);

/*
 * A failed probe's outcome in words: "no answer", "no route",
 * "refused", "unreachable from 10.0.0.254 (host unreachable)". Empty for
 * PROBE_OK.
 */
void probe_why(const struct probe *p, char *buf, size_t len);
/* "ok", "timeout", "unreachable", "noroute", "refused", "error", "unsure". */
const char *probe_status_name(int status);
/* What an ICMP or ICMPv6 error type and code mean: "host unreachable", "TTL exceeded". */
const char *probe_icmp_text(int family, int type, int code);

/*
 * What a packet read from a raw ICMP socket says about our echoes. IPv4 raw
 * sockets read the IP header too (ip 1); IPv6 ones and ping sockets do not.
 * PROBE_PKT_REPLY: an echo reply, id and seq set. PROBE_PKT_ERROR: an ICMP
 * error quoting an echo request of ours: type, code, the quoted echo's id,
 * seq and destination (inner). Anything else is PROBE_PKT_OTHER. Pure, so the
 * unit tests feed it packets.
 */
enum { PROBE_PKT_OTHER, PROBE_PKT_REPLY, PROBE_PKT_ERROR };
struct probe_pkt {
	int what;
	uint16_t id, seq;
	int type, code;
	struct cidr inner; /* PROBE_PKT_ERROR: the destination of the quoted echo */
};
int probe_parse_icmp(int family, int ip, const uint8_t *buf, size_t len, struct probe_pkt *out);
/* An echo request (ICMP type 8, or ICMPv6 128) of size payload bytes into buf; returns its length. */
size_t probe_build_echo(int family, uint16_t id, uint16_t seq, int size, uint8_t *buf, size_t cap);
/* The Internet checksum (RFC 1071) of len bytes. */
uint16_t probe_csum(const uint8_t *buf, size_t len);

#endif
