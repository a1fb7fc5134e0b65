/* SPDX-License-Identifier: MIT */
/*
 * Reading back the requests the builders make, for the message unit tests:
 * attributes found by type, never read past what is there.
 */
#ifndef NETLAB_CHECK_MSG_H
#define NETLAB_CHECK_MSG_H

#include <stdint.h>
#include <string.h>
#include <libmnl/libmnl.h>

#include "check.h"

static inline const struct nlattr *find(const struct nlattr *start, size_t len, int type)
{
	const struct nlattr *a;

	for (a = start; mnl_attr_ok(a, (int)len); a = mnl_attr_next(a)) {
		if (mnl_attr_get_type(a) == type)
			return a;
		len -= MNL_ALIGN(a->nla_len);
	}
	return NULL;
}

/*
 * The attribute of nlh (after a family header of hdr bytes), or of the nest
 * n (after skip bytes): NULL when it, or what holds it, is missing, so a
 * case fails on a missing attribute instead of crashing the file.
 */
static inline const struct nlattr *attr(const struct nlmsghdr *nlh, size_t hdr, int type)
{
	if (!nlh || nlh->nlmsg_len < MNL_NLMSG_HDRLEN + MNL_ALIGN(hdr))
		return NULL;
	return find(mnl_nlmsg_get_payload_offset(nlh, hdr),
		    nlh->nlmsg_len - MNL_NLMSG_HDRLEN - MNL_ALIGN(hdr), type);
}

static inline const struct nlattr *nested(const struct nlattr *n, size_t skip, int type)
{
	if (!n || mnl_attr_get_payload_len(n) < MNL_ALIGN(skip))
		return NULL;
	return find((const struct nlattr *)((const char *)mnl_attr_get_payload(n) + MNL_ALIGN(skip)),
		    mnl_attr_get_payload_len(n) - MNL_ALIGN(skip), type);
}

/* An attribute's value, compared only when it is there and of its size. */
static inline int is_u32(const struct nlattr *a, uint32_t v)
{
	return a && mnl_attr_get_payload_len(a) == 4 && mnl_attr_get_u32(a) == v;
}

static inline int is_u8(const struct nlattr *a, uint8_t v)
{
	return a && mnl_attr_get_payload_len(a) == 1 && mnl_attr_get_u8(a) == v;
}

/* A NUL-terminated string attribute's text, or "(missing)" to print and compare. */
static inline const char *str(const struct nlattr *a)
{
	size_t n = a ? mnl_attr_get_payload_len(a) : 0;

	if (!n || memchr(mnl_attr_get_payload(a), '\0', n) == NULL)
		return "(missing)";
	return mnl_attr_get_str(a);
}

/* A builder that gave no request fails the case there, rather than crash on NULL. */
#define NEED(nlh, what)                                                             \
	do {                                                                        \
		if (!(nlh)) {                                                       \
			CHECK(0, "%s: the builder gave no request (%s)", what, err.msg); \
			return;                                                     \
		}                                                                   \
	} while (0)

#endif
