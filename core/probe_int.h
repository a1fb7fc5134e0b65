/* SPDX-License-Identifier: MIT */
#ifndef NETLAB_PROBE_INT_H
#define NETLAB_PROBE_INT_H

/*
 * What the probe files share (internal to core/probe*.c): one call's state.
 * probe.c plans the rounds and waves, probe_sock.c opens the sockets in
 * their namespaces, probe_loop.c sends and reads in one poll loop,
 * probe_result.c says what each answer means for its probe,
 * probe_neigh.c watches the kernel's neighbour tables.
 */
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sys/socket.h>

#include "probe.h"

#define SEQ_SLOTS 32767 /* echoes per socket: seq = 2 * slot + try */
#define RCVBUF (1 << 20)
#define BUFSZ (PROBE_SIZE_MAX + 512)

enum { WAITING, ANSWERED };

/* One echo of a ping probe, sent once, or twice when the first goes unanswered. */
struct slot {
	size_t probe;
	int state;
	int tries;
	struct timespec sent[2];
};

/* One ICMP socket: a namespace, a family and a source address. */
struct group {
	const char *ns;
	int family;
	const struct cidr *src;
	int fd;
	int raw;
	uint16_t id;
	size_t *slot, nslot, cap;
};

struct run {
	struct probe *p;
	size_t n;
	const struct probe_opts *o;
	struct group *g;
	size_t ng, gcap;
	struct slot *s;
	size_t nsl, scap;
	int *own;		 /* per probe: its own (TCP or UDP) socket, or -1 */
	struct timespec *start;	 /* per probe: when its connect or datagram was sent */
	int *left;		 /* per probe: echoes (or the connect, the datagram) without an outcome */
	struct pollfd *pfd;	 /* groups first, then one per TCP or UDP probe */
	size_t *owner;		 /* pfd i >= ng: the probe */
	size_t npfd;
	size_t open;		 /* probes without an outcome */
	int stopped;		 /* *probe_stop was seen: the round was cut short */
	uint8_t *buf;
};

static inline double ms_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

static inline void now(struct timespec *t)
{
	clock_gettime(CLOCK_MONOTONIC, t);
}

/* probe.c */
const char *probe_nsname(const struct probe *p);

static inline int probe_stopping(void)
{
	return probe_stop && *probe_stop;
}

/* probe_sock.c: every socket of the round, opened inside its namespace. */
socklen_t probe_to_sockaddr(const struct cidr *c, int port, struct sockaddr_storage *ss);
void probe_from_sockaddr(const struct sockaddr *sa, struct cidr *c);
int probe_round_open(struct run *r, size_t from, size_t to, struct nl_err *err);

/* probe_loop.c: sends the round's probes and waits for their answers. */
void probe_round_loop(struct run *r, size_t from, size_t to);

/* probe_result.c */
void probe_settle(struct run *r, size_t i);
void probe_fail(struct probe *p, int status, int code);
void probe_unreach(struct probe *p, const struct cidr *from, int type, int code);
void probe_answered(struct run *r, struct slot *s, int try, const struct timespec *t);
void probe_round_close(struct run *r, size_t from, size_t to);

#endif
