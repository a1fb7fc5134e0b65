/* SPDX-License-Identifier: MIT */
#ifndef NETLAB_NL_H
#define NETLAB_NL_H

#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>
#include <libmnl/libmnl.h>

/*
 * What went wrong, for the one error formatter in the bindings.
 * code is a positive errno; msg is the kernel's extended-ack text or netlab's
 * own explanation (empty: use strerror); obj names the object the failing
 * request was about, e.g. `veth "veth-purple"`.
 */
struct nl_err {
	int code;
	char msg[256];
	char obj[192];
};

/* Size of the buffers answers are read into. */
#define NL_BUFSZ 32768
/*
 * The one size every request is built in (the builders take their buffer's
 * length and refuse to write past it). The largest, a veth with its peer's
 * attributes or a bridge with all its options, takes well under 1 KiB.
 */
#define NL_REQSZ 8192

struct nl_sock {
	struct mnl_socket *sk;
	uint32_t portid;
	uint32_t seq;
	int bus;
	const char *ns; /* the namespace's name, for the trace (NULL: the root) */
	/*
	 * 1: a socket in a throwaway namespace of netlab's own (brvlan_kernel's
	 * question to the kernel): its requests change nothing a script or lab
	 * has, so they pass no change gate and are not traced.
	 */
	int scratch;
};

/* Called for every data message of an answer; return 0 to go on, <0 to stop with that error. */
typedef int (*nl_cb)(const struct nlmsghdr *nlh, void *data);

int nl_open(struct nl_sock *s, int bus, struct nl_err *err);
void nl_close(struct nl_sock *s);

/*
 * The one request primitive: sends nlh (adding NLM_F_ACK and a sequence
 * number), reads every answer, hands data messages to cb and turns an error
 * ACK into -errno with the kernel's extended-ack message in err->msg.
 */
int nl_talk(struct nl_sock *s, struct nlmsghdr *nlh, nl_cb cb, void *data, struct nl_err *err);

/*
 * Sends several requests built back to back in buf as one datagram and reads
 * an ACK for each; used for nftables batches and pipelined rtnetlink work.
 * On failure *failed is set to the index (0-based) of the message whose ACK
 * carried the error, or -1.
 */
int nl_talk_many(struct nl_sock *s, void *buf, size_t len, nl_cb cb, void *data, int *failed,
		 struct nl_err *err);

/*
 * A request being built in a buffer of known size. Every attribute goes
 * through the nl_put_* writers, which never write past cap bytes and refuse a
 * string that is longer than its attribute allows (max counts the NUL): the
 * first failure is kept in ret and err (EINVAL naming the string, or
 * EMSGSIZE), later writes do nothing, and nl_msg_done() gives NULL instead
 * of a request. The buffer is zeroed first, so no padding the kernel reads
 * is left uninitialised.
 */
struct nl_msg {
	struct nlmsghdr *nlh;
	size_t cap;
	int ret;
	struct nl_err *err;
	uint32_t spare[16]; /* where a family header goes when even it does not fit */
};

struct nlmsghdr *nl_msg_start(struct nl_msg *m, void *buf, size_t cap, uint16_t type,
			      uint16_t flags, struct nl_err *err);
/* The family header (ifinfomsg, rtgenmsg …), zeroed. */
void *nl_put_extra(struct nl_msg *m, size_t len);
void nl_put_strz(struct nl_msg *m, uint16_t type, const char *s, size_t max, const char *what);
void nl_put_u8(struct nl_msg *m, uint16_t type, uint8_t v);
void nl_put_u32(struct nl_msg *m, uint16_t type, uint32_t v);
void nl_put(struct nl_msg *m, uint16_t type, size_t len, const void *data);
/* NULL (and m->ret set) when there is no room; nl_nest_end() takes NULL. */
struct nlattr *nl_nest_start(struct nl_msg *m, uint16_t type);
void nl_nest_end(struct nl_msg *m, struct nlattr *nest);
/* The request, or NULL after a failure (then m->err says what). */
struct nlmsghdr *nl_msg_done(struct nl_msg *m);

/*
 * The attributes of one family that netlab reads, for nl_attr_index():
 * type[t] is what attribute t must validate as, MNL_TYPE_UNSPEC (0) for an
 * attribute netlab does not read; max is the highest type the table holds.
 * NL_ATTRS(table) makes one from a table sized [FAMILY_MAX + 1].
 */
struct nl_attrs {
	const enum mnl_attr_data_type *type;
	uint16_t max;
};
#define NL_ATTRS(table) { (table), (uint16_t)(sizeof(table) / sizeof((table)[0]) - 1) }

/*
 * The one attribute-callback skeleton (libmnl's examples' data_attr_cb):
 * indexes the attributes after the first hdrlen bytes of nlh's payload (the
 * family header) by type into tb[0..p->max], which it zeroes first. An
 * attribute the table does not read, or one that fails its validation, is
 * left out rather than trusted, so a reader tests tb[t] and nothing else.
 * -EBADMSG when libmnl refuses the message, else 0.
 */
int nl_attr_index(const struct nlmsghdr *nlh, size_t hdrlen, const struct nl_attrs *p,
		  const struct nlattr **tb);
/* The same for the attributes nested in a. */
int nl_attr_index_nested(const struct nlattr *a, const struct nl_attrs *p, const struct nlattr **tb);
/*
 * An answer's family header (ifinfomsg, ifaddrmsg …, hdrlen bytes), with its
 * attributes indexed into tb as nl_attr_index() does; NULL when nlh is not
 * of the given type or too short to hold the header.
 */
const void *nl_msg_index(const struct nlmsghdr *nlh, uint16_t type, size_t hdrlen,
			 const struct nl_attrs *p, const struct nlattr **tb);

struct cidr;
/*
 * Copies an address attribute (4 bytes for AF_INET, 16 for AF_INET6) into
 * c as a host address; 0 when a is absent or of the wrong size.
 */
int nl_attr_cidr(const struct nlattr *a, int family, struct cidr *c);

/* Parses an NLMSG_ERROR message; returns -errno (0 for an ACK) and copies the extack text. */
int nl_parse_error(const struct nlmsghdr *nlh, struct nl_err *err);

/* Fills err and returns -code; fmt may be NULL to leave msg empty. */
int nl_fail(struct nl_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Sets err->obj. */
void nl_obj(struct nl_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
