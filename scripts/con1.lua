-- Tutorial 001, first part: namespace con1 wired to the host by a veth, with
-- a host route to it and its default route out of its own end. The tutorial's
-- 72.17.0.2 is a typo for 172.17.0.2, and a gateway takes no prefix.
--   sudo netlab run --sandbox scripts/con1.lua
local topo = require "netlab.topo"

local p = netlab.params{
  doc = "a namespace wired to the host by a veth with host routes (tutorial 001)",
  {"ns", "con1", "the namespace", kind = "nsname"},
  {"host_veth", "veth1", "the host's end of the veth", kind = "ifname"},
  {"veth", "veth2", "the namespace's end", kind = "ifname"},
  {"addr", "172.17.0.2", "the namespace's address (a /32)", kind = "addr"},
}

topo.wire{p.ns, host_veth = p.host_veth, veth = p.veth, addr = p.addr .. "/32",
          lo = true, host_route = true, default = p.addr}

print(netlab.show{"root", p.ns})
