-- netlab.topo: the building blocks the bundled scripts are made of, for
-- your own scripts too (local topo = require "netlab.topo").
--
--   topo.lan{...}    namespaces on a bridge, the bridge holding the gateway,
--                    with default routes, forwarding and NAT as asked
--   topo.wire{...}   a namespace wired to its host by a veth, with host routes
--   topo.link{...}   a veth between two namespaces, an address on each end
--   topo.node_routes{...}  a lab across nodes (run --nodes): routes from this
--                    node to the other nodes' networks through the nodes' own
--                    network
--   topo.node_vxlan{...}  a lab across nodes: one bridge stretched over the
--                    nodes by VXLAN tunnels
--
-- Every function checks all its arguments (an unknown field too) before it
-- builds anything, and returns the objects it made.
local topo = {}

local function fail(arg, msg)
  netlab._argerror(arg, msg)
end

local function need(t, field, kind)
  local v = t[field]
  if type(v) ~= kind then
    fail(1, ("field '%s': %s expected, got %s"):format(field, kind, type(v)))
  end
  return v
end

local function subnet_of(t)
  local s = need(t, "subnet", "string")
  local c, why = netlab.cidr(s)
  if not c then fail(1, "field 'subnet': " .. why) end
  if c.network ~= s then
    fail(1, ("field 'subnet': %q has host bits set (the network is %s)"):format(s, c.network))
  end
  return c
end

-- Host n of the subnet: its address with the prefix, and without.
local function host(c, n, what)
  local cidr, why
  if math.type(n) == "integer" then cidr, why = netlab._hostcidr(c.network, n) end
  if not cidr then
    fail(1, ("%s: %s"):format(what, why or ("host number expected, got " .. tostring(n))))
  end
  return cidr, cidr:match("^[^/]+")
end

-- topo.lan{bridge = "super-bridge0", subnet = "192.168.52.0/24", gateway = 5,
--          hosts = {{"purple", host = 1}, {"orange", host = 2}}, ...}
--
-- The bridge is made in ns (default: the root) and holds address .gateway (a
-- host number, or false for none); brd = "+" gives it a broadcast address.
-- Each host is a namespace {NAME, host = N, veth = its end's name (default
-- "veth-NAME"), peer = the bridge end's name (default "veth-NAME-br"),
-- default = false to leave out its default route, lo = true to bring its
-- loopback up, exists = true when the namespace is already there}.
-- forward = true turns on forwarding in ns; nat = true masquerades the
-- subnet there. Returns {bridge = link, ns = {NAME = namespace}, gateway = address}.
function topo.lan(t)
  if type(t) ~= "table" then fail(1, "table expected, got " .. type(t)) end
  netlab._check(t, 1, {"bridge", "subnet", "gateway", "hosts", "ns", "brd", "default", "lo",
                       "forward", "nat"}, 0)
  local c = subnet_of(t)
  local bname = need(t, "bridge", "string")
  local hosts = need(t, "hosts", "table")
  local gwcidr, gw
  if t.gateway ~= false then gwcidr, gw = host(c, t.gateway or 1, "field 'gateway'") end
  local plan = {}
  for i, h in ipairs(hosts) do
    if type(h) ~= "table" or type(h[1]) ~= "string" then
      fail(1, ("hosts[%d]: {NAME, host = N, ...} expected"):format(i))
    end
    netlab._check(h, 1, {"host", "veth", "peer", "default", "lo", "exists"}, 1)
    plan[i] = {
      name = h[1], addr = (host(c, h.host or i, ("hosts[%d] (%s)"):format(i, h[1]))),
      veth = h.veth or "veth-" .. h[1], peer = h.peer or "veth-" .. h[1] .. "-br",
      default = h.default ~= false and t.default ~= false and gw ~= nil,
      lo = h.lo or t.lo, exists = h.exists,
    }
  end
  local where = t.ns
  local br = bridge.add(bname, {ns = where, up = true, brd = t.brd, addr = gwcidr})
  local made = {bridge = br, ns = {}, gateway = gw}
  for _, p in ipairs(plan) do
    local n = p.exists and ns.get(p.name) or ns.add(p.name, {lo = p.lo})
    if p.exists and p.lo then link.up("lo", {ns = n}) end
    made.ns[p.name] = n
    link.veth{p.veth, ns = n, up = true, addr = p.addr,
              peer = {p.peer, ns = where, master = br, up = true}}
    if p.default then route.add{ns = n, dst = "default", via = gw} end
  end
  if t.forward then ns.forwarding(where, true) end
  if t.nat then nat.masquerade{src = c.network, ns = where} end
  return made
end

-- topo.wire{"con1", host_veth = "veth1", veth = "veth2", addr = "172.17.0.2/32",
--           lo = true, host_route = true, default = "172.17.0.2"}
--
-- A namespace joined to its host (ns, default the root) by a veth: addr on
-- the namespace's end, host_addr on the host's, a host route to addr through
-- the host's end when host_route is set, and a default route in the
-- namespace via default (on its end of the wire).
function topo.wire(t)
  if type(t) ~= "table" then fail(1, "table expected, got " .. type(t)) end
  netlab._check(t, 1, {"addr", "host_veth", "veth", "host_addr", "lo", "host_route", "default",
                       "ns"}, 1)
  local name = need(t, 1, "string")
  local addr = need(t, "addr", "string")
  local c, why = netlab.cidr(addr)
  if not c then fail(1, "field 'addr': " .. why) end
  if t.default ~= nil then
    local d, w = netlab.cidr(t.default, false)
    if not d or t.default:find("/") then
      fail(1, "field 'default': an address without prefix expected" .. (w and " (" .. w .. ")" or ""))
    end
  end
  local host_veth = t.host_veth or "veth-" .. name
  local veth = t.veth or "eth0"
  local n = ns.add(name, {lo = t.lo})
  local l = link.veth{host_veth, ns = t.ns, up = true, addr = t.host_addr,
                      peer = {veth, ns = n, up = true, addr = addr}}
  if t.host_route then
    route.add{ns = t.ns, dst = ("%s/%d"):format(c.addr, c.family == "inet" and 32 or 128),
              dev = host_veth}
  end
  if t.default then route.add{ns = n, dst = "default", via = t.default, dev = veth} end
  return {ns = n, link = l}
end

-- topo.link{{"red", "veth-red", "192.168.15.1/24"}, {"blue", "veth-blue", "192.168.15.2/24"}}
--
-- A veth straight between two namespaces (made unless they exist), up, with
-- an address on each end.
function topo.link(t)
  if type(t) ~= "table" or type(t[1]) ~= "table" or type(t[2]) ~= "table" then
    fail(1, "two ends {NS, NAME, CIDR} expected")
  end
  netlab._check(t, 1, {"lo"}, 2)
  for i = 1, 2 do
    local e = t[i]
    netlab._check(e, 1, {}, 3)
    if type(e[1]) ~= "string" or type(e[2]) ~= "string" then
      fail(1, ("end %d: {NS, NAME, CIDR} expected"):format(i))
    end
    if e[3] then
      local ok, why = netlab.cidr(e[3])
      if not ok then fail(1, ("end %d: %s"):format(i, why)) end
    end
  end
  local a = ns.get(t[1][1]) or ns.add(t[1][1], {lo = t.lo})
  local b = ns.get(t[2][1]) or ns.add(t[2][1], {lo = t.lo})
  local l = link.veth{t[1][2], ns = a, up = true, addr = t[1][3],
                      peer = {t[2][2], ns = b, up = true, addr = t[2][3]}}
  return {a = a, b = b, link = l}
end

-- The interface the kernel reaches a node's address through, on this node.
local function dev_to(t, node, who)
  if t.dev then return t.dev end
  local r, why = route.get(t.ns, node.addr)
  if not r then error(("%s: node %s (%s): %s"):format(who, node.name, node.addr, why), 3) end
  return r.dev
end

-- topo.node_routes{net = function(node, i) return CIDR end, dev = IF, ns = NS}
--
-- Joins namespaces on several nodes by routes through the nodes' own network
-- (tutorial 003, Kubernetes' pod routes): on this node (in ns, default the
-- root), for every other node of netlab.nodes a route to its network
-- net(node, i) (nil: none) via its address (node.addr, where the controller
-- reached it) on dev, by default the interface the kernel routes that
-- address through. On one machine (no --nodes) nothing is made. Returns the
-- routes made ({dst =, via =, dev =}), by node name.
function topo.node_routes(t)
  if type(t) ~= "table" then fail(1, "table expected, got " .. type(t)) end
  netlab._check(t, 1, {"net", "dev", "ns"}, 0)
  if type(t.net) ~= "function" then
    fail(1, "field 'net': function (node, i) -> CIDR expected, got " .. type(t.net))
  end
  if t.dev ~= nil and type(t.dev) ~= "string" then
    fail(1, "field 'dev': interface name expected, got " .. type(t.dev))
  end
  local made = {}
  for i, node in ipairs(netlab.nodes or {}) do
    local dst = node.name ~= netlab.node and t.net(node, i) or nil
    if dst then
      local r = {ns = t.ns, dst = dst, via = node.addr, dev = dev_to(t, node, "topo.node_routes")}
      route.add(r)
      made[node.name] = r
    end
  end
  return made
end

-- topo.node_vxlan{bridge = BR, vni = N, dev = IF, hub = NAME, ns = NS}
--
-- Stretches the bridge BR (made by the script on every node, in ns) over the
-- nodes: an L2 segment whose ports sit on different machines. The tunnels
-- form a star from the hub (default the first node of --nodes) to each
-- other node, not a mesh: a broadcast then has one way round, where a mesh
-- of tunnels on one bridge would loop it for ever. The tunnel between the
-- hub and the i-th node is VXLAN vni + i (two tunnels of one VNI and port
-- would collide on the hub), named vxI on both ends, from this node's
-- address to the other's (node.addr) over dev (default: the interface that
-- routes there), a port of BR. On one machine nothing is made. Returns the
-- tunnels made, by the name of the node at their other end.
function topo.node_vxlan(t)
  if type(t) ~= "table" then fail(1, "table expected, got " .. type(t)) end
  netlab._check(t, 1, {"bridge", "vni", "dev", "hub", "ns"}, 0)
  local br = t.bridge
  if type(br) ~= "string" and not (type(br) == "table" or type(br) == "userdata") then
    fail(1, "field 'bridge': bridge name or object expected, got " .. type(br))
  end
  if math.type(t.vni) ~= "integer" or t.vni < 0 then
    fail(1, "field 'vni': the first VNI (an integer) expected, got " .. tostring(t.vni))
  end
  if t.dev ~= nil and type(t.dev) ~= "string" then
    fail(1, "field 'dev': interface name expected, got " .. type(t.dev))
  end
  local made = {}
  local nodes = netlab.nodes
  if not nodes then return made end
  local hub = nodes[t.hub or nodes[1].name]
  if not hub then fail(1, ("field 'hub': no node %q"):format(tostring(t.hub))) end
  local me, mine = nodes[netlab.node], nil
  for i, n in ipairs(nodes) do
    if n == me then mine = i end
  end
  for i, node in ipairs(nodes) do
    -- The hub's tunnels go to every other node; the others' only to the hub.
    local idx
    if me == hub and node ~= hub then
      idx = i
    elseif me ~= hub and node == hub then
      idx = mine
    end
    if idx then
      made[node.name] = link.vxlan{"vx" .. idx, ns = t.ns, vni = t.vni + idx, remote = node.addr,
                                   ["local"] = me.addr, dev = dev_to(t, node, "topo.node_vxlan"),
                                   master = br, up = true}
    end
  end
  return made
end

return topo
