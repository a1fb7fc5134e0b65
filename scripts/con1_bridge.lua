-- Tutorial 001, second part: containers con1 and con2 on bridge br0, which
-- holds their gateway 172.17.0.1.
--   netlab run --sandbox scripts/con1_bridge.lua
local topo = require "netlab.topo"

local p = netlab.params{
  doc = "two containers on a bridge that is their gateway (tutorial 001)",
  {"bridge", "br0", "the bridge's name", kind = "ifname"},
  {"subnet", "172.17.0.0/24", "the containers' subnet: bridge .1, containers .2 and .3",
   kind = "subnet"},
  {"ns1", "con1", "the first container", kind = "nsname"},
  {"ns2", "con2", "the second container", kind = "nsname"},
}

topo.lan{
  bridge = p.bridge, subnet = p.subnet, gateway = 1, lo = true,
  hosts = {
    {p.ns1, host = 2, veth = "veth2", peer = "veth1"},
    {p.ns2, host = 3, veth = "veth4", peer = "veth3"},
  },
}

-- What reaches what: the containers reach each other and their gateway, the
-- host reaches them through the bridge; nothing forwards to the internet.
local h = function(n) return netlab.host(p.subnet, n) end
local expect = {{p.ns1, h(3)}, {p.ns2, h(2)}, {p.ns1, h(1)}, {p.ns2, h(1)}, {"root", h(2)}, {"root", h(3)}}
-- The simulated internet exists only in netlab's sandbox: outside it a
-- probe there would leave the machine, so it is asked only inside.
if netlab.sandbox then expect[#expect + 1] = {p.ns1, "203.0.113.1", false} end
probe.expect(expect)

print(netlab.show{"root", p.ns1, p.ns2})
