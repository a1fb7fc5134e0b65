// SPDX-License-Identifier: MIT
/*
 * A bridge's VLANs without a kernel (this machine's has no
 * CONFIG_BRIDGE_VLAN_FILTERING, so these are the only witness of the
 * requests there): bridge vlan add/del built and read back, a dump's answer
 * (compressed ranges) parsed into one row per VLAN, a VLAN-aware bridge's
 * create request and the read-back that catches a kernel ignoring it, and
 * the trace's `bridge vlan` lines.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <linux/if_bridge.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "check_msg.h"
#include "core/brvlan.h"
#include "core/link.h"
#include "core/nl.h"
#include "core/trace.h"

static char buf[NL_REQSZ];

static const struct bridge_vlan_info *vinfo(const struct nlmsghdr *nlh, uint16_t *flags)
{
	const struct nlattr *af = attr(nlh, sizeof(struct ifinfomsg), IFLA_AF_SPEC);
	const struct nlattr *f = nested(af, 0, IFLA_BRIDGE_FLAGS);
	const struct nlattr *v = nested(af, 0, IFLA_BRIDGE_VLAN_INFO);

	*flags = f && mnl_attr_get_payload_len(f) == 2 ? mnl_attr_get_u16(f) : 0;
	return v && mnl_attr_get_payload_len(v) == sizeof(struct bridge_vlan_info)
		       ? mnl_attr_get_payload(v) : NULL;
}

static void requests(void)
{
	struct brvlan_spec s = { .vid = 10, .pvid = 1, .untagged = 1 };
	const struct bridge_vlan_info *vi;
	const struct ifinfomsg *ifm;
	struct nl_err err = { 0 };
	struct nlmsghdr *nlh;
	uint16_t flags;

	nlh = brvlan_msg(buf, sizeof(buf), RTM_SETLINK, 7, 0, &s, &err);
	NEED(nlh, "add");
	ifm = mnl_nlmsg_get_payload(nlh);
	vi = vinfo(nlh, &flags);
	CHECK(nlh->nlmsg_type == RTM_SETLINK && ifm->ifi_family == AF_BRIDGE && ifm->ifi_index == 7,
	      "add: RTM_SETLINK in AF_BRIDGE on the port's index");
	CHECK(vi && vi->vid == 10 &&
	      vi->flags == (BRIDGE_VLAN_INFO_PVID | BRIDGE_VLAN_INFO_UNTAGGED) && flags == 0,
	      "add: vid 10 pvid untagged, no self flag on a port");
	s.pvid = s.untagged = 0;
	nlh = brvlan_msg(buf, sizeof(buf), RTM_SETLINK, 3, 1, &s, &err);
	vi = vinfo(nlh, &flags);
	CHECK(vi && vi->vid == 10 && vi->flags == 0 && flags == BRIDGE_FLAGS_SELF,
	      "the bridge's own: tagged, with BRIDGE_FLAGS_SELF");
	s.pvid = 1;
	nlh = brvlan_msg(buf, sizeof(buf), RTM_DELLINK, 7, 0, &s, &err);
	vi = vinfo(nlh, &flags);
	CHECK(nlh && nlh->nlmsg_type == RTM_DELLINK && vi && vi->vid == 10 && vi->flags == 0,
	      "del: RTM_DELLINK with the vid only");
	nlh = brvlan_msg(buf, 24, RTM_SETLINK, 7, 0, &s, &err);
	CHECK(!nlh && err.code == EMSGSIZE, "a buffer too small: EMSGSIZE, no request");
	nlh = brvlan_msg_dump(buf, sizeof(buf), &err);
	NEED(nlh, "dump");
	ifm = mnl_nlmsg_get_payload(nlh);
	CHECK(nlh->nlmsg_type == RTM_GETLINK && (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP &&
	      ifm->ifi_family == AF_BRIDGE &&
	      is_u32(attr(nlh, sizeof(*ifm), IFLA_EXT_MASK), RTEXT_FILTER_BRVLAN_COMPRESSED),
	      "dump: RTM_GETLINK in AF_BRIDGE asking for the VLANs, compressed");
}

struct rows {
	struct brvlan_info v[16];
	int n;
};

static int row_cb(const struct brvlan_info *bi, void *data)
{
	struct rows *r = data;

	if (r->n < 16)
		r->v[r->n] = *bi;
	r->n++;
	return 0;
}

static void put_vi(struct nl_msg *m, uint16_t vid, uint16_t flags)
{
	struct bridge_vlan_info vi = { .flags = flags, .vid = vid };

	nl_put(m, IFLA_BRIDGE_VLAN_INFO, sizeof(vi), &vi);
}

/* An answer as the kernel writes it: the port, its bridge, its VLANs (a range in two). */
static struct nlmsghdr *answer(int family, int with_afspec, uint16_t bad_vid)
{
	struct nl_err err = { 0 };
	struct ifinfomsg *ifm;
	struct nlattr *af;
	struct nl_msg m;

	nl_msg_start(&m, buf, sizeof(buf), RTM_NEWLINK, 0, &err);
	ifm = nl_put_extra(&m, sizeof(*ifm));
	ifm->ifi_family = (uint8_t)family;
	ifm->ifi_index = 7;
	nl_put_strz(&m, IFLA_IFNAME, "p1", IFNAMSIZ, "name");
	nl_put_u32(&m, IFLA_MASTER, 3);
	if (with_afspec) {
		af = nl_nest_start(&m, IFLA_AF_SPEC);
		put_vi(&m, 1, BRIDGE_VLAN_INFO_PVID | BRIDGE_VLAN_INFO_UNTAGGED);
		put_vi(&m, 10, BRIDGE_VLAN_INFO_RANGE_BEGIN | BRIDGE_VLAN_INFO_UNTAGGED);
		put_vi(&m, 12, BRIDGE_VLAN_INFO_RANGE_END | BRIDGE_VLAN_INFO_UNTAGGED);
		put_vi(&m, bad_vid ? bad_vid : 20, 0);
		nl_nest_end(&m, af);
	}
	return nl_msg_done(&m);
}

static void parse(void)
{
	struct rows r = { .n = 0 };
	struct nl_err err = { 0 };
	struct nlmsghdr *nlh = answer(AF_BRIDGE, 1, 0);

	NEED(nlh, "answer");
	CHECK(brvlan_parse(nlh, row_cb, &r) == 0 && r.n == 5, "five rows: 1, 10, 11, 12, 20 (%d)",
	      r.n);
	CHECK(r.v[0].vid == 1 && r.v[0].pvid && r.v[0].untagged && r.v[0].ifindex == 7 &&
	      r.v[0].master == 3 && !strcmp(r.v[0].port, "p1"), "vid 1: pvid, untagged, on p1 of 3");
	CHECK(r.v[1].vid == 10 && r.v[2].vid == 11 && r.v[3].vid == 12 && r.v[2].untagged &&
	      !r.v[2].pvid, "the range 10-12 one row each, untagged");
	CHECK(r.v[4].vid == 20 && !r.v[4].pvid && !r.v[4].untagged, "vid 20: tagged");
	r.n = 0;
	CHECK(brvlan_parse(answer(AF_BRIDGE, 0, 0), row_cb, &r) == 0 && r.n == 0,
	      "a port without VLANs (a kernel without filtering): no rows");
	CHECK(brvlan_parse(answer(AF_UNSPEC, 1, 0), row_cb, &r) == 0 && r.n == 0,
	      "an answer of another family: no rows");
	CHECK(brvlan_parse(answer(AF_BRIDGE, 1, 4095), row_cb, &r) == -EBADMSG,
	      "a VLAN id out of range: EBADMSG");
}

static const struct link_datum *field(const struct link_info *li, const char *name)
{
	unsigned int i;

	for (i = 0; i < li->ndata; i++)
		if (!strcmp(li->data[i].name, name))
			return &li->data[i];
	return NULL;
}

/* A VLAN-aware bridge's create request, and what a kernel's answer must say back. */
static void bridge_create(void)
{
	struct link_spec s = { .kind = "bridge", .dev = { .name = "br0" }, .stp = -1,
			       .vlan_filtering = 1, .mcast_snooping = -1,
			       .br_vlan_proto = ETH_P_8021AD, .br_default_pvid = 10 };
	const struct link_datum *d;
	struct nl_err err = { 0 };
	struct link_info li, none = { 0 };
	struct nlmsghdr *nlh;

	nlh = link_msg_add(buf, sizeof(buf), &s, 0, &err);
	NEED(nlh, "bridge");
	CHECK(link_parse(nlh, &li) == 0, "the request parses as an answer");
	d = field(&li, "vlan_filtering");
	CHECK(d && d->num == 1, "vlan_filtering 1");
	d = field(&li, "vlan_protocol");
	CHECK(d && !strcmp(d->str, "802.1ad"), "vlan_protocol 802.1ad");
	d = field(&li, "vlan_default_pvid");
	CHECK(d && d->num == 10, "vlan_default_pvid 10");
	CHECK(link_bridge_verify(&s, &li, &err) == 0, "the answer that says it all passes");
	CHECK(link_bridge_verify(&s, &none, &err) == -EOPNOTSUPP &&
	      !strcmp(err.msg, "this kernel has no " BRVLAN_CONFIG),
	      "an answer without the settings: the kernel lacks them, said so");
	s.vlan_filtering = 0;
	s.br_vlan_proto = 0;
	s.br_default_pvid = -1;
	nlh = link_msg_add(buf, sizeof(buf), &s, 0, &err);
	CHECK(nlh && link_parse(nlh, &li) == 0 && !field(&li, "vlan_filtering") &&
	      (d = field(&li, "vlan_default_pvid")) && d->num == 0,
	      "vlan_filtering off is not sent (the default); no default PVID is 0");
	err.msg[0] = '\0';
	CHECK(link_bridge_refused(&s, &err) == 1 && err.code == EOPNOTSUPP,
	      "a bare EOPNOTSUPP to VLAN settings: the kernel option named");
	snprintf(err.msg, sizeof(err.msg), "Unknown device type");
	CHECK(link_bridge_refused(&s, &err) == 0, "a kernel without bridges: not a VLAN matter");
	s.br_default_pvid = 0;
	err.msg[0] = '\0';
	CHECK(link_bridge_refused(&s, &err) == 0, "a plain bridge refused: not a VLAN matter");
	s.br_vlan_proto = 0x8100 + 1;
	CHECK(link_bridge_check(&s, &err) == -EINVAL, "another protocol: refused before a request");
	s.br_vlan_proto = 0;
	s.br_default_pvid = 4095;
	CHECK(link_bridge_check(&s, &err) == -EINVAL, "default PVID 4095: refused");
}

static int ifname(void *data, int index, char *out)
{
	(void)data;
	snprintf(out, IF_NAMESIZE, "%s", index == 3 ? "br0" : index == 7 ? "p1" : "");
	return out[0] ? 0 : -ENODEV;
}

static void trace(void)
{
	struct brvlan_spec s = { .vid = 10, .pvid = 1, .untagged = 1 };
	struct trace_names n = { .ns = "lab", .ifname = ifname };
	struct nl_err err = { 0 };
	char line[TRACE_LINE];

	CHECK(trace_rtnl(brvlan_msg(buf, sizeof(buf), RTM_SETLINK, 7, 0, &s, &err), &n, line,
			 sizeof(line)) > 0, "add traced");
	CHECK_STR(line, "bridge -n lab vlan add dev p1 vid 10 pvid untagged", "add");
	n.ns = NULL;
	s.pvid = s.untagged = 0;
	trace_rtnl(brvlan_msg(buf, sizeof(buf), RTM_SETLINK, 3, 1, &s, &err), &n, line,
		   sizeof(line));
	CHECK_STR(line, "bridge vlan add dev br0 vid 10 self", "the bridge's own, in the root");
	trace_rtnl(brvlan_msg(buf, sizeof(buf), RTM_DELLINK, 7, 0, &s, &err), &n, line,
		   sizeof(line));
	CHECK_STR(line, "bridge vlan del dev p1 vid 10", "del");
	CHECK(trace_rtnl(brvlan_msg(buf, sizeof(buf), RTM_DELLINK, 9, 0, &s, &err), &n, line,
			 sizeof(line)) == -ENODEV, "a port without a name: ENODEV, asked again after");
}

int main(void)
{
	requests();
	parse();
	bridge_create();
	trace();
	return check_done();
}
