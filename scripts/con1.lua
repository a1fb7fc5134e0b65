-- Tutorial 001, first part: namespace con1 wired to the host by a veth, with
-- a host route to it and its default route out of its own end. The tutorial's
-- 72.17.0.2 is a typo for 172.17.0.2, and a gateway takes no prefix.
--   netlab run --sandbox scripts/con1.lua
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

-- What reaches what: the host reaches con1 by its host route, con1 its own
-- loopback; nothing forwards or masquerades for it, so not the internet.
local expect = {{"root", p.addr}, {p.ns, "127.0.0.1"}, {p.ns, p.addr}}
-- The simulated internet exists only in netlab's sandbox: outside it a
-- probe there would leave the machine, so it is asked only inside.
if netlab.sandbox then expect[#expect + 1] = {p.ns, "203.0.113.1", false} end
probe.expect(expect)

print(netlab.show{"root", p.ns})
