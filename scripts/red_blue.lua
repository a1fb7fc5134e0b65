-- Tutorial 004, first part: namespaces red and blue on a veth straight
-- between them.
--   sudo netlab run --sandbox scripts/red_blue.lua
local topo = require "netlab.topo"

local p = netlab.params{
  doc = "two namespaces on a direct veth (tutorial 004)",
  {"subnet", "192.168.15.0/24", "red is .1, blue .2", kind = "subnet"},
  {"ns1", "red", "the first namespace", kind = "nsname"},
  {"ns2", "blue", "the second namespace", kind = "nsname"},
}

local plen = netlab.cidr(p.subnet).plen
topo.link{
  {p.ns1, "veth-" .. p.ns1, ("%s/%d"):format(netlab.host(p.subnet, 1), plen)},
  {p.ns2, "veth-" .. p.ns2, ("%s/%d"):format(netlab.host(p.subnet, 2), plen)},
}

print(netlab.show{p.ns1, p.ns2})
