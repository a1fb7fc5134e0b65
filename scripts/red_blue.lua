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

topo.link{
  {p.ns1, "veth-" .. p.ns1, netlab.hostcidr(p.subnet, 1)},
  {p.ns2, "veth-" .. p.ns2, netlab.hostcidr(p.subnet, 2)},
}

print(netlab.show{p.ns1, p.ns2})
