-- Tutorial 002: namespace cool behind bridge br0, the host forwarding for it
-- with a FORWARD policy of DROP that accepts what comes from or goes to the
-- bridge, and NAT to the outside.
--   netlab run --sandbox scripts/cool.lua
local topo = require "netlab.topo"

local p = netlab.params{
  doc = "a namespace behind a bridge with FORWARD DROP, accept rules and NAT (tutorial 002)",
  {"ns", "cool", "the namespace", kind = "nsname"},
  {"bridge", "br0", "the bridge", kind = "ifname"},
  {"subnet", "192.168.1.0/24", "the bridge is .10, the namespace .11", kind = "subnet"},
  {"veth", "veth0", "the namespace's end of the veth", kind = "ifname"},
  {"peer", "br-veth0", "the bridge's end", kind = "ifname"},
  {"nat", true, "masquerade the subnet to the outside"},
  {"filter", true, "forward policy drop, accepting in from and out to the bridge"},
}

topo.lan{
  bridge = p.bridge, subnet = p.subnet, gateway = 10, brd = "+",
  hosts = {{p.ns, host = 11, veth = p.veth, peer = p.peer, lo = true}},
  forward = true, nat = p.nat,
}
if p.filter then
  nat.filter{policy = "drop"}
  nat.allow{iif = p.bridge}
  nat.allow{oif = p.bridge}
end

-- What reaches what, as the tutorial tells: cool reaches the bridge and its
-- own loopback, the host reaches cool through the filter, and with NAT cool
-- reaches the internet (without it, nothing brings the answers home).
local h = function(n) return netlab.host(p.subnet, n) end
local expect = {{p.ns, h(10)}, {p.ns, "127.0.0.1"}, {"root", h(11)}}
-- The simulated internet exists only in netlab's sandbox: outside it a
-- probe there would leave the machine, so it is asked only inside.
if netlab.sandbox then expect[#expect + 1] = {p.ns, "203.0.113.1", p.nat} end
probe.expect(expect)

print(netlab.show{"root", p.ns})
