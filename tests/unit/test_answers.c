// SPDX-License-Identifier: MIT
/* Kernel answers no object family owns, parsed with no kernel: errors and namespace ids. */
#include <errno.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "check.h"
#include "core/nl.h"
#include "core/ns.h"

static void error_answer(void)
{
	static char buf[1024];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlmsgerr *e;
	struct nl_err err = { 0 };

	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_CAPPED | NLM_F_ACK_TLVS;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = -ENETUNREACH;
	e->msg.nlmsg_len = 200; /* the original request, capped to its header */
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "Nexthop has invalid gateway");
	CHECK(nl_parse_error(nlh, &err) == -ENETUNREACH, "error answer: errno");
	CHECK_STR(err.msg, "Nexthop has invalid gateway", "error answer: extended ack message");
	e->error = 0;
	CHECK(nl_parse_error(nlh, &err) == 0, "an ACK is not an error");
	nlh->nlmsg_len = 10;
	CHECK(nl_parse_error(nlh, &err) == -EBADMSG, "a truncated error is refused");
	/* Uncapped, the TLVs follow the echoed request: its length must not wrap the offset. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_ACK_TLVS;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = -EINVAL;
	e->msg.nlmsg_len = 4;
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "x");
	CHECK(nl_parse_error(nlh, &err) == -EINVAL && err.code == EINVAL,
	      "an echoed request shorter than a header is not followed");
	e->error = -2147483647 - 1;
	CHECK(nl_parse_error(nlh, &err) == -EPROTO && err.code == EPROTO, "error INT_MIN: EPROTO");
}

/* RTM_NEWNSID: an NSID attribute too short for its u32 is not read. */
static void nsid_answer(void)
{
	static char buf[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtgenmsg *g;
	int id = -1;

	nlh->nlmsg_type = RTM_NEWNSID;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->rtgen_family = AF_UNSPEC;
	mnl_attr_put(nlh, NETNSA_NSID, 0, NULL);
	CHECK(ns_parse_nsid(nlh, &id) == 0 && id == -1, "a 0-byte NSID is skipped (%d)", id);
	mnl_attr_put_u32(nlh, NETNSA_NSID, 5);
	CHECK(ns_parse_nsid(nlh, &id) == 0 && id == 5, "NSID 5 read (%d)", id);
}

int main(void)
{
	error_answer();
	nsid_answer();
	return check_done();
}
