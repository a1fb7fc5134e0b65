-- Tutorial 000: namespaces purple and orange on bridge super-bridge0, the
-- bridge as their gateway, and NAT to the outside. As in the tutorial, only
-- orange gets a default route, so only orange reaches the outside.
--   netlab run --sandbox scripts/purple_orange.lua
local topo = require "netlab.topo"

local p = netlab.params{
  doc = "purple and orange on a bridge with a gateway and NAT (tutorial 000)",
  {"subnet", "192.168.52.0/24", "the LAN: hosts .1 and .2, the bridge .5", kind = "subnet"},
  {"bridge", "super-bridge0", "the bridge's name", kind = "ifname"},
  {"ns1", "purple", "the first namespace (no default route)", kind = "nsname"},
  {"ns2", "orange", "the second namespace (default route via the bridge)", kind = "nsname"},
  {"nat", true, "masquerade the subnet to the outside and forward"},
}

topo.lan{
  bridge = p.bridge, subnet = p.subnet, gateway = 5,
  hosts = {{p.ns1, host = 1, default = false}, {p.ns2, host = 2}},
  forward = p.nat, nat = p.nat,
}

-- What reaches what, as the tutorial tells: the two namespaces reach each
-- other and the host reaches them through the bridge; orange reaches the
-- internet (through NAT), purple, without a default route, does not.
local h = function(n) return netlab.host(p.subnet, n) end
local expect = {{p.ns1, h(2)}, {p.ns2, h(1)}, {p.ns2, h(5)}, {"root", h(1)}, {"root", h(2)}}
-- The simulated internet exists only in netlab's sandbox: outside it a
-- probe there would leave the machine, so it is asked only inside.
if netlab.sandbox then
  expect[#expect + 1] = {p.ns2, "203.0.113.1", p.nat}
  expect[#expect + 1] = {p.ns1, "203.0.113.1", false}
end
probe.expect(expect)

print(netlab.show{"root", p.ns1, p.ns2})
