-- Tutorial 004, second part: red and blue on bridge v-net-0 (the tutorial
-- forgets to create the -br ends), red routed through the bridge to
-- 172.17.0.0/16 and to the outside, NAT on the host. The tutorial's
-- 172.17.0.3/15 is not a network and its gateways take no prefix.
--   netlab run --sandbox=lan scripts/red_blue_bridge.lua
-- (--sandbox=lan adds the tutorial's LAN neighbour 172.17.0.3.)
local topo = require "netlab.topo"

local p = netlab.params{
  doc = "red and blue on a bridge, red routed out through it with NAT (tutorial 004)",
  {"subnet", "192.168.15.0/24", "red is .1, blue .2, the bridge .5", kind = "subnet"},
  {"bridge", "v-net-0", "the bridge's name", kind = "ifname"},
  {"route", "172.17.0.0/16", "the network red reaches through the bridge", kind = "subnet"},
  {"nat", true, "masquerade the subnet to the outside and forward"},
}

local lan = topo.lan{
  bridge = p.bridge, subnet = p.subnet, gateway = 5,
  hosts = {{"red", host = 1}, {"blue", host = 2, default = false}},
  forward = p.nat, nat = p.nat,
}
route.add{ns = "red", dst = p.route, via = lan.gateway}

-- What reaches what, as the tutorial tells: red and blue reach each other,
-- the host reaches them once the bridge has an address, and red reaches the
-- internet through the host's NAT; blue has no default route.
local h = function(n) return netlab.host(p.subnet, n) end
local expect = {{"red", h(2)}, {"blue", h(1)}, {"root", h(1)}, {"red", h(5)}}
-- The simulated internet exists only in netlab's sandbox: outside it a
-- probe there would leave the machine, so it is asked only inside.
if netlab.sandbox then
  expect[#expect + 1] = {"red", "203.0.113.1", p.nat}
  expect[#expect + 1] = {"blue", "203.0.113.1", false}
end
-- The tutorial's "another host" on the host's LAN, 172.17.0.3, which
-- `--sandbox=lan` simulates: red reaches it through the route above only
-- with NAT (it has no route back to the lab's subnet); blue has no route.
if netlab.sandbox and netlab.sandbox.lan then
  expect[#expect + 1] = {"root", netlab.sandbox.lan}
  expect[#expect + 1] = {"red", netlab.sandbox.lan, p.nat}
  expect[#expect + 1] = {"blue", netlab.sandbox.lan, false}
end
probe.expect(expect)

print(netlab.show{"root", "red", "blue"})
