-- Tutorial 003, second part: two nodes (namespaces node1 and node2) joined
-- by a wire ens3 <-> ens3, each with a pod bridge test0 and a pod, and a
-- route on each node to the other node's pods. No NAT: pods reach each
-- other by their own addresses. Nothing is made in the root namespace.
--   netlab run --sandbox scripts/multinode.lua
-- On real machines, the same on each (docs/nodes.md): the nodes are the
-- machines, their network the one they already share.
--   netlab run --nodes node1=root@hostA,node2=root@hostB multinode.lua
local topo = require "netlab.topo"

local p = netlab.params{
  doc = "pods on two nodes with routes between the nodes (tutorial 003)",
  {"wire", "192.0.2.0/24", "the nodes' network: node N is .N", kind = "subnet"},
  {"pods", "10.244", "the pod networks' first two bytes: node N has PODS.N.0/24",
   check = function(v) return v:match("^%d+%.%d+$") ~= nil, "two bytes expected, as 10.244" end},
  {"nodes", 2, "how many nodes", kind = "integer",
   check = function(v) return v >= 2 and v <= 2, "two nodes: the wire is a veth" end},
  {"dev", "", "with --nodes: the interface to the other nodes (default: by route)"},
}

local function pod_net(n) return ("%s.%d.0/24"):format(p.pods, n) end
local pod = function(n) return netlab.host(pod_net(n), 2) end

-- With --nodes, this runs on each machine: node N (its place in --nodes)
-- gets the pod bridge test0 and pod N in its own root namespace, routes to
-- the other nodes' pods via their addresses, and forwarding.
local function across_nodes()
  local me
  for i, n in ipairs(netlab.nodes) do
    if n.name == netlab.node then me = i end
  end
  ns.forwarding(nil, true)
  topo.lan{
    bridge = "test0", subnet = pod_net(me), gateway = 1,
    hosts = {{"pod" .. me, host = 2, veth = "eth0", peer = "testveth0"}},
  }
  topo.node_routes{net = function(_, i) return pod_net(i) end, dev = p.dev ~= "" and p.dev or nil}
  -- Checked once every node is up (run --nodes does): this pod reaches the
  -- other nodes' pods and the other nodes.
  local expect = {}
  for i, n in ipairs(netlab.nodes) do
    if i ~= me then
      expect[#expect + 1] = {"pod" .. me, pod(i)}
      expect[#expect + 1] = {"pod" .. me, n.addr}
    end
  end
  probe.expect(expect)
  print(netlab.show{"pod" .. me})
end
if netlab.nodes then return across_nodes() end

local nodes = {}
for n = 1, 2 do nodes[n] = ns.add("node" .. n, {forwarding = true}) end

-- The nodes' own network: one wire, ens3 on both sides.
link.veth{"ens3", ns = nodes[1], up = true, addr = netlab.hostcidr(p.wire, 1),
          peer = {"ens3", ns = nodes[2], up = true, addr = netlab.hostcidr(p.wire, 2)}}

for n = 1, 2 do
  topo.lan{
    ns = nodes[n], bridge = "test0", subnet = pod_net(n), gateway = 1,
    hosts = {{"pod" .. n, host = 2, veth = "eth0", peer = "testveth0"}},
  }
end

route.add{ns = nodes[1], dst = pod_net(2), via = netlab.host(p.wire, 2), dev = "ens3"}
route.add{ns = nodes[2], dst = pod_net(1), via = netlab.host(p.wire, 1), dev = "ens3"}

-- What reaches what: each pod reaches the other node's pod by its own
-- address (the nodes route between them) and the other node; the nodes
-- reach the pods. The root namespace has no way in, and no pod goes out.
local expect = {{"pod1", pod(2)}, {"pod2", pod(1)}, {"pod1", netlab.host(p.wire, 2)},
                {"node1", pod(2)}, {"node2", pod(1)}, {"root", pod(1), false}}
-- The simulated internet exists only in netlab's sandbox: outside it a
-- probe there would leave the machine, so it is asked only inside.
if netlab.sandbox then expect[#expect + 1] = {"pod1", "203.0.113.1", false} end
probe.expect(expect)

print(netlab.show{"node1", "node2", "pod1", "pod2"})
