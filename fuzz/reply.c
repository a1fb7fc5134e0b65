// SPDX-License-Identifier: MIT
/*
 * Fuzzes the parsers of what the kernel answers: one netlink message per
 * input, given to every parser (each checks its own type), as the receive
 * loop hands them over: nlmsg_len never more than what was read.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>

#include "core/addr.h"
#include "core/brvlan.h"
#include "core/link.h"
#include "core/neigh.h"
#include "core/nft.h"
#include "core/nl.h"
#include "core/route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A row of a bridge's VLANs: its id is one a VLAN can have, its port name ends. */
static int vlan_cb(const struct brvlan_info *bi, void *data)
{
	(void)data;
	if (bi->vid < 1 || bi->vid > 4094 || !memchr(bi->port, 0, sizeof(bi->port)))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nlmsghdr *nlh;
	struct link_info li;
	struct addr_info ai;
	struct neigh_info ni;
	struct route_info ri;
	struct nl_err err;
	char text[NFT_TEXT];
	int id = -1, r;

	if (size < sizeof(*nlh) || size > 65536)
		return 0;
	/*
	 * A copy of the message padded to 4 bytes, as it lies in the receive
	 * buffer (libmnl reads up to the aligned end), so ASan sees any read past it.
	 */
	nlh = calloc(1, MNL_ALIGN(size));
	if (!nlh)
		return 0;
	memcpy(nlh, data, size);
	if (nlh->nlmsg_len > size)
		nlh->nlmsg_len = (uint32_t)size;
	if (nlh->nlmsg_len >= sizeof(*nlh)) {
		link_parse(nlh, &li);
		addr_parse_msg(nlh, &ai);
		if (neigh_parse_msg(nlh, &ni) == 0 && ni.maclen > sizeof(ni.mac))
			abort();
		route_parse(nlh, &ri);
		brvlan_parse(nlh, vlan_cb, NULL);
		ns_parse_nsid(nlh, &id);
		memset(&err, 0, sizeof(err));
		r = nl_parse_error(nlh, &err);
		if (r > 0 || (r < 0 && err.code != -r) || memchr(err.msg, 0, sizeof(err.msg)) == NULL)
			abort();
		if (nft_msg_check(nlh) == 0) {
			r = nft_msg_text(nlh, text, sizeof(text));
			if (r >= (int)sizeof(text) || memchr(text, 0, sizeof(text)) == NULL)
				abort();
		}
	}
	free(nlh);
	return 0;
}
