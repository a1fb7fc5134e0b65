/* SPDX-License-Identifier: MIT */
#ifndef NETLAB_TRACE_H
#define NETLAB_TRACE_H

#include <stddef.h>

/*
 * The trace: each kernel change as the command a tutorial would type for it
 * (`ip -n purple addr add 192.168.52.1/24 dev veth-purple`). The line is
 * made from the request itself, the netlink message the core is about to
 * send or the namespace or sysctl the gate lets through, never from what a
 * script asked for: what is printed is what the kernel was told.
 *
 * The formatters are pure (no kernel, no state), bounded by len, and return
 * the line's length, 0 when the message is no change of its own (a batch's
 * BEGIN/END), or -errno: -EMSGSIZE when the line does not fit, -ENODEV when
 * an ifindex cannot be named, -EOPNOTSUPP for a request they cannot say in
 * commands (the caller writes a `# not traced: …` comment instead).
 * Words a shell would split are single-quoted.
 */

struct nlmsghdr;

#define TRACE_LINE 1024

/* What turns the numbers in a request into the names a command uses. */
struct trace_names {
	const char *ns; /* the namespace the request goes to; NULL or "root" for the root */
	/* ifindex in ns -> name (buf holds IFNAMSIZ); 0 or -errno */
	int (*ifname)(void *data, int index, char *buf);
	/* a namespace descriptor carried by the request (IFLA_NET_NS_FD) -> its name */
	const char *(*nsname)(void *data, int fd);
	void *data;
};

/* An rtnetlink NEW/DEL/SET request: ip link/addr/route. */
int trace_rtnl(const struct nlmsghdr *nlh, const struct trace_names *n, char *buf, size_t len);
/* trace_tc.c: a root qdisc replaced or deleted (link.impair), as tc qdisc replace|del. */
int trace_qdisc(const struct nlmsghdr *nlh, const struct trace_names *n, char *buf, size_t len);
struct qdisc_impair;
/*
 * What follows `root` in tc's words for q: "netem delay 50ms loss 1%" (netem
 * 1) or "tbf rate 2mbit burst 15140 limit 27640"; the length or -EMSGSIZE.
 */
int trace_impair_words(const struct qdisc_impair *q, int netem, char *buf, size_t len);
/* One message of an nftables batch: nft add/delete table/chain/rule. */
int trace_nft(const struct nlmsghdr *nlh, const char *ns, char *buf, size_t len);
/* ip netns add|del NAME */
int trace_netns(int add, const char *name, char *buf, size_t len);
/* ip netns attach NAME PID */
int trace_netns_attach(const char *name, long pid, char *buf, size_t len);
/*
 * ns.kill: `ip netns pids NAME | xargs -r kill -SIG`, tutorial 002's words,
 * which signal the namespace's processes when run rather than the numbers
 * this run saw (pasted later, those may be anyone's).
 */
int trace_netns_kill(const char *name, int sig, char *buf, size_t len);
/* sysctl -w KEY=VALUE, through `ip netns exec NS` outside the root. */
int trace_sysctl(const char *ns, const char *key, const char *value, char *buf, size_t len);

struct nl_sock;
/*
 * trace_talk.c: the line of one message nl_talk()/nl_talk_many() sends on s
 * (the names looked up through s and ns.c): 1 when line holds a command or
 * a `# not traced` comment, 0 for no line, -ENODEV when an ifindex has no
 * name yet (a link made earlier in the same datagram: ask again after).
 */
int trace_request(struct nl_sock *s, const struct nlmsghdr *nlh, char *line, size_t len);

/*
 * Where the lines go: the caller's function (the command line's writer to
 * stderr or a file), or nowhere (NULL, the default). The core never prints:
 * it hands each line to this sink once the change has succeeded.
 */
typedef void (*trace_sink)(const char *line, void *data);
void trace_set(trace_sink fn, void *data);
int trace_on(void);
void trace_emit(const char *line);

#endif
