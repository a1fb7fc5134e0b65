-- Not a tutorial: a topology composed from netlab.topo's blocks. Two LANs,
-- each a bridge inside a router namespace that forwards between them, so a
-- host on one LAN reaches a host on the other through the router.
--   netlab run --sandbox scripts/two_lans.lua
local topo = require "netlab.topo"

local p = netlab.params{
  doc = "two LANs joined by a router namespace (an example built from netlab.topo)",
  {"router", "router", "the router's namespace", kind = "nsname"},
  {"lan1", "10.1.0.0/24", "the first LAN (router .1, hosts a1 .2 and a2 .3)", kind = "subnet"},
  {"lan2", "10.2.0.0/24", "the second LAN (router .1, hosts b1 .2 and b2 .3)", kind = "subnet"},
}

local r = ns.add(p.router, {lo = true, forwarding = true})
topo.lan{ns = r, bridge = "lan1", subnet = p.lan1, gateway = 1,
         hosts = {{"a1", host = 2}, {"a2", host = 3}}}
topo.lan{ns = r, bridge = "lan2", subnet = p.lan2, gateway = 1,
         hosts = {{"b1", host = 2}, {"b2", host = 3}}}

-- What reaches what: a host on one LAN reaches a host on the other through
-- the router, and its own LAN; nothing goes out of the router.
local h1 = function(n) return netlab.host(p.lan1, n) end
local h2 = function(n) return netlab.host(p.lan2, n) end
local expect = {{"a1", h2(2)}, {"b2", h1(3)}, {"a1", h1(3)}, {"b1", h2(3)}, {"root", h1(2), false}}
-- The simulated internet exists only in netlab's sandbox: outside it a
-- probe there would leave the machine, so it is asked only inside.
if netlab.sandbox then expect[#expect + 1] = {"a1", "203.0.113.1", false} end
probe.expect(expect)

print(netlab.show{p.router, "a1", "b1"})
