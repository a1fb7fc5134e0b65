-- A lab across nodes, one node's side (tests/sh/nodes.sh runs the whole over
-- ssh): netlab.node, netlab.nodes, on(), run --node with the script on
-- standard input, and topo.node_routes / node_vxlan against ip -j.
local t = require "t"
local topo = require "netlab.topo"

t.test("one machine: netlab.node and netlab.nodes nil, on() runs its block", function()
  t.eq(netlab.node, nil, "netlab.node")
  t.eq(netlab.nodes, nil, "netlab.nodes")
  local a, b = on("node1", function() return 1, 2 end)
  t.eq(a, 1, "first result")
  t.eq(b, 2, "second result")
  t.eq(on, netlab.on, "on is netlab.on")
  t.fails(function() on(1, function() end) end, "bad argument #1 to 'on' (node name expected, got number)")
  t.fails(function() on("x") end, "bad argument #2 to 'on' (function expected, got nil)")
end)

local script = [[
ns.add("nd_" .. netlab.node)
print(netlab.node, #netlab.nodes, netlab.nodes[1].name, netlab.nodes.a.addr, netlab.nodes.b.addr)
on("a", function() print("on a") end)
on("b", function() print("on b") end)
probe.expect{{"nowhere", "10.9.9.9"}}
if params.fail then error("failed here") end
]]

t.test("run --node: the script on standard input, as node b of a and b; expectations wait", function()
  local _ <close> = t.fresh()
  local out, code = t.sh('printf "%s" "$1" | exec "$2" run --node b --nodes a=10.7.0.1,b=10.7.0.2 --name nd --as nd.lua -',
                         script, t.bin)
  t.eq(code, 0, "exit code (" .. out .. ")")
  t.ok(out:find("b\t2\ta\t10.7.0.1\t10.7.0.2\n", 1, true), "netlab.node, netlab.nodes: " .. out)
  t.ok(out:find("on b", 1, true) and not out:find("on a", 1, true), "on() ran only b's block: " .. out)
  local ls = t.run("ls")
  t.ok(ls:find("nd%s+%d+%s+intact%s+nd%.lua"), "netlab ls names the script by --as: " .. ls)
  -- netlab check --node runs the expectations the run left for later.
  out, code = t.sh('printf "%s" "$1" | exec "$2" check --node b --nodes a=10.7.0.1,b=10.7.0.2 --name nd --as nd.lua -',
                   script, t.bin)
  t.eq(code, 1, "check fails on the expectation (" .. out .. ")")
  t.ok(out:find("nowhere", 1, true), "the expectation named: " .. out)
  t.run("down", "nd")
end)

t.test("run --node: an error names the script by --as and its line; --node not listed refused", function()
  local _ <close> = t.fresh()
  local out, code = t.sh('printf "%s" "$1" | exec "$2" run --node a --nodes a=10.7.0.1,b=10.7.0.2 --as nd.lua - fail=1',
                         script, t.bin)
  t.eq(code, 1, "exit code")
  t.ok(out:find("nd.lua:6: failed here", 1, true), "file and line: " .. out)
  out, code = t.sh('printf "%s" "$1" | exec "$2" run --node c --nodes a=10.7.0.1,b=10.7.0.2 -', script, t.bin)
  t.eq(code, 1, "exit code")
  t.ok(out:find("--node c: not one of --nodes", 1, true), out)
  out, code = t.run("run", "--node", "a", "-")
  t.eq(code, 2, "--node without --nodes: a usage error (" .. out .. ")")
end)

t.test("topo.node_routes and node_vxlan: routes and tunnels to the other nodes, against ip -j", function()
  local _ <close> = t.fresh()
  local n = ns.add("nd1")
  link.veth{"u0", ns = n, addr = "10.7.0.2/24", up = true, peer = {"u1", ns = n, up = true}}
  -- As node b of a, b, c: what --node b --nodes … sets.
  netlab._set_nodes("b", "a=10.7.0.1,b=10.7.0.2,c=10.7.0.3")
  local made = topo.node_routes{ns = n, net = function(node, i) return ("10.244.%d.0/24"):format(i) end}
  t.ok(made.a and made.c and not made.b, "a route to a and to c, none to itself")
  t.eq(made.c.dev, "u0", "the interface found")
  local r = t.ip(n, "route", "show", "10.244.3.0/24")
  t.eq(r[1] and r[1].gateway, "10.7.0.3", "via c's address")
  t.eq(r[1] and r[1].dev, "u0", "on the interface routing there")
  bridge.add("br0", {ns = n, up = true})
  made = topo.node_vxlan{ns = n, bridge = "br0", vni = 100}
  t.ok(made.a and not made.c, "b, not the hub, tunnels to the hub a only")
  local d = t.ip(n, "-d", "link", "show", "vx2")[1]
  t.eq(d.linkinfo.info_data.id, 102, "VNI: vni + b's place")
  t.eq(d.linkinfo.info_data.remote, "10.7.0.1", "to the hub")
  t.eq(d.master, "br0", "a port of the bridge")
  t.fails(function() topo.node_routes{net = "x"} end, "field 'net': function")
  t.fails(function() topo.node_vxlan{bridge = "br0"} end, "field 'vni'")
  t.fails(function() on("z", function() end) end, "no node \"z\" (--nodes names a, b, c)")
  netlab.node, netlab.nodes = nil, nil
  t.eq(next(topo.node_routes{net = function() return "10.0.0.0/8" end}), nil, "one machine: nothing made")
end)

t.done()
