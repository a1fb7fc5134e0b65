-- Tutorial 004, first part: namespaces red and blue on a veth straight
-- between them.
--   netlab run --sandbox scripts/red_blue.lua
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

-- What reaches what, as the tutorial tells: red and blue reach each other
-- over their veth, and nothing else (the host has no way to them).
local h = function(n) return netlab.host(p.subnet, n) end
local expect = {{p.ns1, h(2)}, {p.ns2, h(1)}, {"root", h(1), false}}
-- The simulated internet exists only in netlab's sandbox: outside it a
-- probe there would leave the machine, so it is asked only inside.
if netlab.sandbox then expect[#expect + 1] = {p.ns1, "203.0.113.1", false} end
probe.expect(expect)

print(netlab.show{p.ns1, p.ns2})
