-- Tutorial 003, first part: a Kubernetes-style pod bridge test0 and a pod
-- namespace test on it (its loopback left down, as in the tutorial).
--   netlab run --sandbox scripts/pod.lua
local topo = require "netlab.topo"

local p = netlab.params{
  doc = "a pod namespace on a pod bridge (tutorial 003)",
  {"ns", "test", "the pod's namespace", kind = "nsname"},
  {"bridge", "test0", "the pod bridge", kind = "ifname"},
  {"subnet", "10.244.0.0/24", "the pod subnet: bridge .1, pod .2", kind = "subnet"},
}

topo.lan{
  bridge = p.bridge, subnet = p.subnet, gateway = 1,
  hosts = {{p.ns, host = 2, veth = "eth0", peer = "testveth0"}},
}

-- What reaches what: the pod reaches its bridge, the host the pod; no NAT,
-- no forwarding: not the internet.
local h = function(n) return netlab.host(p.subnet, n) end
local expect = {{p.ns, h(1)}, {"root", h(2)}}
-- The simulated internet exists only in netlab's sandbox: outside it a
-- probe there would leave the machine, so it is asked only inside.
if netlab.sandbox then expect[#expect + 1] = {p.ns, "203.0.113.1", false} end
probe.expect(expect)

print(netlab.show{"root", p.ns})
