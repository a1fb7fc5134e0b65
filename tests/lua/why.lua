-- probe.why and `netlab why` against the tutorials' classic breakages, each
-- built here (with netlab, and by hand with plain `ip` commands as learners
-- break their labs): the cause's code, namespace and object are checked,
-- then its netlab fix line is run as written and the real probe must get
-- through afterwards: the best proof that the reasoning named the right
-- thing. route.get is held to `ip -j route get` as its witness.
local t = require "t"

local run = t.run
-- Whether the nftables half (bindings/why_nft.lua) is in this build: without
-- it every chain reads as accept and only the real probe sees a drop.
local HAS_NFT = pcall(require, "netlab.why_nft")

-- A probe that must answer: three tries, as a new link may need a moment.
local function reaches(from, to, o)
  for _ = 1, 3 do
    local r = o and o.port and probe.tcp(from, to .. ":" .. o.port) or probe.ping(from, to)
    if r.ok then return true end
  end
  return false
end

-- probe.why(from, to) must name code in namespace ns and object obj; then its
-- netlab fix, run as written, must make the probe answer. Returns the answer.
local function broken(from, to, code, ns_, obj, o)
  local w = probe.why(from, to, o)
  local c = w.cause or {}
  t.eq(w.reachable, false, "not reachable: " .. tostring(w))
  t.eq(c.code, code, "the cause's code: " .. tostring(w))
  t.eq(c.ns, ns_, "the cause's namespace: " .. tostring(w))
  if obj then t.eq(c.object, obj, "the cause's object: " .. tostring(w)) end
  t.ok(c.message and #c.message > 10, "a sentence: " .. tostring(w))
  return w
end

local function apply(w)
  t.ok(w.cause.fix and w.cause.fix.netlab, "a netlab fix line: " .. tostring(w))
  t.ok(w.cause.fix.command and #w.cause.fix.command > 5, "a tutorial command: " .. tostring(w))
  local f = assert(load(w.cause.fix.netlab, "=fix"))
  f()
end

local function fixed(from, to, o)
  t.ok(reaches(from, to, o), ("%s reaches %s after the fix"):format(from, to))
  local w = probe.why(from, to, o)
  t.eq(w.reachable, true, "why says reachable after the fix: " .. tostring(w))
  return w
end

-- a --- r --- b, by hand with ip(8): r routes between 10.0.1.0/24 and 10.0.2.0/24.
local function three(opts)
  opts = opts or {}
  t.sh_ok([[
ip netns add a && ip netns add r && ip netns add b
ip -n a link add eth0 type veth peer name ra netns r
ip -n b link add eth0 type veth peer name rb netns r
ip -n a addr add 10.0.1.2/24 dev eth0 && ip -n a link set eth0 up
ip -n r addr add 10.0.1.1/24 dev ra && ip -n r link set ra up
ip -n b addr add 10.0.2.2/24 dev eth0 && ip -n b link set eth0 up
ip -n r addr add 10.0.2.1/24 dev rb && ip -n r link set rb up
ip -n a route add default via 10.0.1.1
]])
  if not opts.no_return then t.sh_ok("ip -n b route add default via 10.0.2.1") end
  if not opts.no_forward then t.sh_ok("ip netns exec r sysctl -qw net.ipv4.ip_forward=1") end
end

t.test("route.get is ip route get: local, via, from … iif …, and the kernel's refusals", function()
  local _ <close> = t.fresh()
  three{no_forward = true}
  local function witness(n, ...)
    local argv = {"ip", "-j", "route", "get", ...}
    argv.quiet = true
    local out, code = ns.capture(n, argv)
    if code ~= 0 then return nil, out end
    return t.json.decode(out)[1]
  end
  local r = route.get("a", "10.0.2.2")
  local w = witness("a", "10.0.2.2")
  t.eq(r.type, "unicast", "a to b: unicast")
  t.eq(r.via, w.gateway, "gateway as ip route get")
  t.eq(r.dev, w.dev, "dev as ip route get")
  t.eq(r.src, w.prefsrc, "prefsrc as ip route get")
  t.eq(route.get("r", "10.0.1.1").type, "local", "an own address: local")
  t.eq(witness("r", "10.0.1.1").type, "local", "ip says local too")
  -- A packet arriving at r on ra for b: forwarding is off, and the kernel says so.
  local g, msg, code = route.get("r", "10.0.2.2", {src = "10.0.1.2", iif = "ra"})
  local iw, iout = witness("r", "10.0.2.2", "from", "10.0.1.2", "iif", "ra")
  t.eq(g, nil, "forwarding off: refused")
  t.eq(iw, nil, "ip route get … iif refused too: " .. tostring(iout))
  t.eq(code, "EHOSTUNREACH", "forwarding off: EHOSTUNREACH (" .. tostring(msg) .. ")")
  t.sh_ok("ip netns exec r sysctl -qw net.ipv4.ip_forward=1")
  g = route.get("r", "10.0.2.2", {src = "10.0.1.2", iif = "ra"})
  iw = witness("r", "10.0.2.2", "from", "10.0.1.2", "iif", "ra")
  t.eq(g.dev, "rb", "forwarded out of rb")
  t.eq(iw.dev, "rb", "as ip says")
  g = route.get("r", "10.0.2.2", {oif = "rb"})
  t.eq(g.dev, "rb", "oif honoured")
  t.sh_ok("ip -n b route del default")
  local none, m2, c2 = route.get("b", "10.0.1.2")
  t.eq(none, nil, "b has no way to a: nil")
  t.eq(c2, "ENETUNREACH", "the kernel's errno name")
  t.ok(m2:find("unreachable", 1, true), "the kernel's words: " .. tostring(m2))
  t.ok(witness("b", "10.0.1.2") == nil, "ip route get fails there too")
  t.fails(function() route.get("a", "10.0.2.2", {iif = "nope"}) end, 'no link "nope"')
  t.fails(function() route.get("a", "10.0.2") end, "bad argument #2 to 'get'")
  t.fails(function() route.get("a", "10.0.2.2", {via = 1}) end, "unknown field 'via'")
  t.fails(function() route.get("a", "10.0.2.2", {src = "fd00::1"}) end, "family")
  t.fails(function() route.get("nope", "10.0.2.2") end, 'namespace "nope"')
end)

t.test("reachable: the path there and back, and netlab why exits 0", function()
  local _ <close> = t.fresh()
  three()
  t.ok(reaches("a", "10.0.2.2"), "a reaches b")
  local w = probe.why("a", "10.0.2.2")
  t.eq(w.reachable, true, tostring(w))
  t.eq(w.cause, nil, "no cause")
  t.eq(w.disagree, nil, "reasoning and probe agree")
  local names = {}
  for _, h in ipairs(w.path) do names[#names + 1] = h.ns end
  t.eq(table.concat(names, " "), "a r b", "the path there")
  names = {}
  for _, h in ipairs(w.reply) do names[#names + 1] = h.ns end
  t.eq(table.concat(names, " "), "b r a", "the path back")
  t.eq(w.path[1].out, "eth0", "a sends out of eth0")
  t.eq(w.path[1].via, "10.0.1.1", "via r")
  t.eq(w.path[2]["in"], "ra", "r takes it in on ra")
  t.eq(w.path[2].out, "rb", "and out of rb")
  local out, code = run("why", "a", "10.0.2.2")
  t.eq(code, 0, "netlab why: exit 0: " .. out)
  t.ok(out:find("a → 10.0.2.2: reachable", 1, true), out)
  out, code = run("why", "--json", "a", "b")
  t.eq(code, 0, "netlab why --json a b: " .. out)
  local j = t.json.decode(out)
  t.eq(j.reachable, true, "json reachable")
  t.eq(j.to, "10.0.2.2", "a namespace as target: its address")
  t.eq(#j.path, 3, "json path")
  t.eq(j.path[2].ns, "r", "json hop ns")
  t.eq(j.path[2]["in"], "ra", "json hop in")
  t.eq(j.path[2].out, "rb", "json hop out")
  t.eq(j.cause, t.json.null, "json cause null")
end)

t.test("no default route (netlab: purple_orange in the sandbox)", function()
  local _ <close> = t.fresh()
  local out, code = run("run", "purple_orange")
  t.eq(code, 0, out)
  local w = broken("purple", "203.0.113.1", "no-default-route", "purple", "default")
  t.eq(w.cause.fix.netlab, 'route.add{"default", via = "192.168.52.5", ns = "purple"}', "the fix")
  t.eq(w.cause.fix.command, "ip -n purple route add default via 192.168.52.5", "the command")
  out, code = run("why", "purple", "203.0.113.1")
  t.eq(code, 1, "netlab why exits 1: " .. out)
  t.ok(out:find("no default route", 1, true), out)
  out, code = run("why", "--json", "purple", "203.0.113.1")
  local j = t.json.decode(out)
  t.eq(code, 1, "--json exits 1 too")
  t.eq(j.reachable, false, "json: not reachable")
  t.eq(j.cause.code, "no-default-route", "json code")
  t.eq(j.cause.ns, "purple", "json ns")
  t.eq(j.cause.fix.netlab, w.cause.fix.netlab, "json fix")
  apply(w)
  w = fixed("purple", "203.0.113.1")
  if HAS_NFT then
    t.eq(w.disagree, nil, "the reasoning meets the probe: " .. tostring(w))
    t.ok(tostring(w):find("masquerade", 1, true), "the masquerade on the way: " .. tostring(w))
  end
  run("down", "purple_orange")
end)

t.test("forwarding off, then no NAT: the reply has no way home (purple_orange nat=false)", function()
  local _ <close> = t.fresh()
  local out, code = run("run", "purple_orange", "nat=false")
  t.eq(code, 0, out)
  local w = broken("orange", "203.0.113.1", "forwarding-off", "root", "net.ipv4.ip_forward")
  t.eq(w.cause.fix.netlab, 'ns.forwarding("root", true)', "the fix")
  apply(w)
  w = broken("orange", "203.0.113.1", "no-nat", "internet", "192.168.52.2")
  t.eq(w.cause.fix.netlab, 'nat.masquerade{src = "192.168.52.0/24"}', "the fix")
  t.eq(w.cause.fix.command, "iptables -t nat -A POSTROUTING -s 192.168.52.0/24 -j MASQUERADE", "the command")
  t.eq(tostring(w):match("^[^\n]*"), "orange → 203.0.113.1: the reply cannot come back: internet has no " ..
    "route to 192.168.52.2; the source must be masqueraded on the way out " ..
    "(nat.masquerade{src = \"192.168.52.0/24\"} / iptables -t nat -A POSTROUTING -s 192.168.52.0/24 -j MASQUERADE)",
    "the issue's sentence")
  apply(w)
  fixed("orange", "203.0.113.1")
  run("down", "purple_orange")
end)

t.test("forwarding off in the router (by hand with ip)", function()
  local _ <close> = t.fresh()
  three{no_forward = true}
  local w = broken("a", "10.0.2.2", "forwarding-off", "r", "net.ipv4.ip_forward")
  t.eq(w.cause.fix.command, "ip netns exec r sysctl -w net.ipv4.ip_forward=1", "the command")
  apply(w)
  fixed("a", "10.0.2.2")
end)

t.test("no route back on the far node (by hand with ip, tutorial 003's two nodes)", function()
  local _ <close> = t.fresh()
  three{no_return = true}
  local w = broken("a", "10.0.2.2", "no-return-route", "b", "10.0.1.2")
  t.eq(w.cause.fix.netlab, 'route.add{"10.0.1.0/24", via = "10.0.2.1", ns = "b"}', "the fix")
  t.eq(w.cause.fix.command, "ip -n b route add 10.0.1.0/24 via 10.0.2.1", "the command")
  apply(w)
  fixed("a", "10.0.2.2")
end)

t.test("a veth end down, then the far end down (no carrier), by hand with ip", function()
  local _ <close> = t.fresh()
  three()
  t.sh_ok("ip -n r link set ra down")
  local w = broken("r", "10.0.1.2", "link-down", "r", "ra")
  t.eq(w.cause.fix.command, "ip -n r link set ra up", "the command")
  apply(w)
  fixed("r", "10.0.1.2")
  t.sh_ok("ip -n a link set eth0 down")
  w = broken("r", "10.0.1.2", "no-carrier", "a", "eth0")
  t.eq(w.cause.fix.netlab, 'link.up("eth0", {ns = "a"})', "the fix")
  apply(w)
  fixed("r", "10.0.1.2")
end)

t.test("no address to send from: a route typed to a device before any address (by hand with ip)", function()
  local _ <close> = t.fresh()
  t.sh_ok([[
    ip netns add x && ip netns add y &&
    ip link add va netns x type veth peer name vb netns y &&
    ip -n x link set va up && ip -n y link set vb up &&
    ip -n y addr add 10.0.0.2/24 dev vb && ip -n x route add 10.0.0.0/24 dev va]])
  t.ok(not t.ping("x", "10.0.0.2"), "ping fails: the witness")
  local w = probe.why("x", "10.0.0.2")
  t.eq(w.reachable, false, tostring(w))
  t.eq(w.cause.code, "no-address", tostring(w))
  t.eq(w.cause.ns, "x", "the sender")
  t.eq(w.cause.object, "va", "the link it leaves by")
  t.eq(w.cause.fix.command, "ip -n x addr add 10.0.0.1/24 dev va", "a free address of the subnet")
  load(w.cause.fix.netlab)()
  t.ok(probe.ping("x", "10.0.0.2").ok, "the fix applied, the probe gets through")
end)

t.test("lo down for a namespace's own address (netlab: purple_orange)", function()
  local _ <close> = t.fresh()
  local out, code = run("run", "purple_orange")
  t.eq(code, 0, out)
  local w = broken("orange", "192.168.52.2", "lo-down", "orange", "lo")
  t.eq(w.cause.fix.netlab, 'link.up("lo", {ns = "orange"})', "the fix")
  apply(w)
  fixed("orange", "192.168.52.2")
  run("down", "purple_orange")
end)

t.test("a bridge port never attached (by hand with ip, the tutorial-004 mistake)", function()
  local _ <close> = t.fresh()
  t.sh_ok([[
ip link add br9 type bridge && ip addr add 10.9.0.1/24 dev br9 && ip link set br9 up
ip netns add h1 && ip netns add h2
ip link add h1-br type veth peer name eth0 netns h1
ip link add h2-br type veth peer name eth0 netns h2
ip link set h1-br up && ip link set h2-br master br9 up
ip -n h1 addr add 10.9.0.2/24 dev eth0 && ip -n h1 link set eth0 up
ip -n h2 addr add 10.9.0.3/24 dev eth0 && ip -n h2 link set eth0 up
]])
  local w = broken("h1", "10.9.0.3", "not-on-bridge", "root", "h1-br")
  t.eq(w.cause.fix.netlab, 'link.set("h1-br", {master = "br9"})', "the fix")
  t.eq(w.cause.fix.command, "ip link set h1-br master br9", "the command")
  w = broken("h2", "10.9.0.2", "not-on-bridge", "root", "h1-br")
  apply(w)
  fixed("h2", "10.9.0.2")
  fixed("h1", "10.9.0.1")
  -- A host behind the bridge down: named where it is, past the bridge.
  t.sh_ok("ip -n h2 link set eth0 down")
  w = broken("h1", "10.9.0.3", "link-down", "h2", "eth0")
  apply(w)
  fixed("h1", "10.9.0.3")
end)

t.test("a wrong gateway (no-neighbor) and a wrong subnet (no-route), netlab-built", function()
  local _ <close> = t.fresh()
  bridge.add("br8", {up = true, addr = "10.8.0.1/24"})
  for i = 2, 3 do
    ns.add("w" .. i, {lo = true})
    link.veth{"eth0", ns = "w" .. i, up = true, addr = ("10.8.%d.%d/24"):format(i == 3 and 1 or 0, i),
              peer = {"w" .. i .. "-br", master = "br8", up = true}}
  end
  route.add{"default", via = "10.8.0.9", dev = "eth0", ns = "w2", onlink = true}
  local w = broken("w2", "203.0.113.1", "no-neighbor", "w2", "10.8.0.9")
  t.eq(w.cause.fix, nil, "no fix guessed for a gateway nobody has")
  route.replace{"default", via = "10.8.0.1", ns = "w2"}
  t.eq(probe.why("w2", "10.8.0.1").reachable, true, "the bridge's address, once the gateway is right")
  -- w3 has 10.8.1.3/24 on the 10.8.0.0/24 LAN: a typo in its address.
  w = broken("w3", "10.8.0.2", "no-route", "w3", "eth0")
  t.eq(w.cause.fix.command, "ip -n w3 addr del 10.8.1.3/24 dev eth0 && ip -n w3 addr add 10.8.0.3/24 dev eth0",
       "the command")
  apply(w)
  fixed("w3", "10.8.0.2")
end)

t.test("rp_filter strict on an asymmetric path (by hand with ip)", function()
  local _ <close> = t.fresh()
  three()
  -- a's second link to r; a sends to b through it, but from its first address.
  t.sh_ok([[
ip -n a link add eth1 type veth peer name ra2 netns r
ip -n a addr add 10.0.3.2/24 dev eth1 && ip -n a link set eth1 up
ip -n r addr add 10.0.3.1/24 dev ra2 && ip -n r link set ra2 up
ip -n a route add 10.0.2.0/24 via 10.0.3.1 src 10.0.1.2
ip netns exec r sysctl -qw net.ipv4.conf.all.rp_filter=1
ip netns exec r sysctl -qw net.ipv4.conf.ra2.rp_filter=1
]])
  t.ok(not reaches("a", "10.0.2.2"), "strict rp_filter drops it")
  local w = broken("a", "10.0.2.2", "rp-filter", "r", "net.ipv4.conf.ra2.rp_filter")
  apply(w)
  fixed("a", "10.0.2.2")
end)

-- Fixes applied one by one (the way there, then the way back) until reachable.
local function filtered_until_fixed(from, to, where, what)
  local seen = 0
  for _ = 1, 3 do
    local w = probe.why(from, to)
    if w.reachable then break end
    seen = seen + 1
    t.eq(w.cause.code, "filtered", what .. ": " .. tostring(w))
    t.eq(w.cause.ns, where, what .. ": the namespace")
    t.ok(w.cause.object:find("forward", 1, true) or w.cause.object:find("FORWARD", 1, true),
         what .. ": the chain named: " .. tostring(w))
    t.ok(w.cause.object:find("policy drop", 1, true), what .. ": the policy named: " .. tostring(w))
    apply(w)
  end
  t.ok(seen >= 1, what .. ": the drop was named")
  fixed(from, to)
end

t.test("a FORWARD policy drop (tutorial 002) with netlab, fixed with accept rules", function()
  local _ <close> = t.fresh()
  three()
  nat.filter{policy = "drop", ns = "r"}
  t.ok(not reaches("a", "10.0.2.2"), "the policy drops it")
  if not HAS_NFT then
    t.eq(probe.why("a", "10.0.2.2").cause.code, "unknown", "without why_nft: the probe's answer stands")
    return
  end
  filtered_until_fixed("a", "10.0.2.2", "r", "netlab's forward chain")
end)

t.test("a FORWARD policy drop typed with iptables, then the accept rules (reachable)", function()
  local _ <close> = t.fresh()
  three()
  t.sh_ok("ip netns exec r iptables -P FORWARD DROP")
  t.ok(not reaches("a", "10.0.2.2"), "the policy drops it")
  if not HAS_NFT then return end
  local w = probe.why("a", "10.0.2.2")
  t.eq(w.cause.object, "table ip filter chain FORWARD policy drop", "the object: " .. tostring(w))
  t.eq(w.cause.fix.command, "ip netns exec r iptables -I FORWARD -s 10.0.1.0/24 -d 10.0.2.0/24 -j ACCEPT",
       "the tutorial's command")
  filtered_until_fixed("a", "10.0.2.2", "r", "iptables' FORWARD")
  -- The tutorial's own rules, typed by hand: reachable, and why agrees.
  t.sh_ok("ip netns exec r iptables -F FORWARD")
  t.ok(not reaches("a", "10.0.2.2"), "dropped again")
  t.sh_ok("ip netns exec r iptables -A FORWARD -i ra -o rb -j ACCEPT")
  t.sh_ok("ip netns exec r iptables -A FORWARD -i rb -o ra -m state --state ESTABLISHED,RELATED -j ACCEPT")
  w = fixed("a", "10.0.2.2")
  t.eq(w.disagree, nil, "reasoning and probe agree: " .. tostring(w))
end)

t.test("a forwarded port (DNAT) there and back, and a closed port", function()
  local _ <close> = t.fresh()
  local out, code = run("run", "purple_orange")
  t.eq(code, 0, out)
  nat.forward_port{proto = "tcp", port = 8080, to = "192.168.52.2:80"}
  local pid = ns.spawn("orange", {"python3", "-c", [[
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 80)); s.listen(16)
while True:
    c, _ = s.accept(); c.close()
]], quiet = true})
  local _k <close> = setmetatable({}, {__close = function() netlab.kill(pid) end})
  -- The listener is up once the root reaches it directly.
  for _ = 1, 30 do
    if probe.tcp("root", "192.168.52.2:80").ok then break end
    netlab.sleep(0.1)
  end
  t.ok(reaches("internet", "203.0.113.254", {port = 8080}), "the forwarded port answers")
  local w = probe.why("internet", "203.0.113.254", {port = 8080})
  t.eq(w.reachable, true, tostring(w))
  t.eq(w.disagree, nil, "reasoning and probe agree: " .. tostring(w))
  t.eq(w.path[#w.path].ns, "orange", "DNAT takes it to orange: " .. tostring(w))
  t.eq(w.reply[#w.reply].ns, "internet", "the reply goes home: " .. tostring(w))
  w = probe.why("internet", "203.0.113.254", {port = 8081})
  t.eq(w.reachable, false, tostring(w))
  t.ok(w.cause.message:find("nothing listens", 1, true), "a closed port said as such: " .. tostring(w))
  -- UDP: the real probe is a datagram; a closed port answers port unreachable.
  w = probe.why("internet", "203.0.113.254", {proto = "udp", port = 8081})
  t.eq(w.reachable, false, tostring(w))
  t.ok(w.probe:find("closed", 1, true), "the probe was a UDP one: " .. tostring(w.probe))
  t.ok(w.cause.message:find("nothing listens on 203.0.113.254 udp port 8081", 1, true),
       "a closed UDP port said as such: " .. tostring(w))
  run("down", "purple_orange")
end)

-- Two namespaces on macvlans of one parent (p0 in the root, a veth whose
-- other end stands for the LAN's wire), by hand with ip as learners type it.
local function macvlans(mode2)
  t.sh_ok(([[
ip link add p0 type veth peer name p0-wire && ip link set p0 up && ip link set p0-wire up
ip addr add 10.7.0.254/24 dev p0
ip netns add m1 && ip netns add m2
ip link add mv1 link p0 type macvlan mode bridge && ip link set mv1 netns m1
ip link add mv2 link p0 type macvlan mode %s && ip link set mv2 netns m2
ip -n m1 addr add 10.7.0.1/24 dev mv1 && ip -n m1 link set mv1 up
ip -n m2 addr add 10.7.0.2/24 dev mv2 && ip -n m2 link set mv2 up
]]):format(mode2 or "bridge"))
end

t.test("macvlan siblings in mode bridge reach each other (by hand with ip)", function()
  local _ <close> = t.fresh()
  macvlans()
  t.ok(reaches("m1", "10.7.0.2"), "the witness: ping gets through")
  local w = probe.why("m1", "10.7.0.2")
  t.eq(w.reachable, true, tostring(w))
  t.eq(w.disagree, nil, "reasoning and probe agree: " .. tostring(w))
  t.eq(w.path[#w.path].ns, "m2", "straight to m2: " .. tostring(w))
  t.eq(w.path[1].out, "mv1", "out of the macvlan")
  t.eq(w.reply[#w.reply].ns, "m1", "and back")
end)

t.test("a macvlan's parent cannot reach it, either way: its own cause, and a macvlan on the host fixes it", function()
  local _ <close> = t.fresh()
  macvlans()
  t.ok(not reaches("root", "10.7.0.1"), "the witness: the parent's namespace does not reach it")
  local w = broken("root", "10.7.0.1", "macvlan-parent", "root", "p0")
  t.ok(w.cause.message:find("add a macvlan on the host too", 1, true), "the sentence says the fix: " .. tostring(w))
  t.eq(w.cause.fix.command, "ip link add p0-host link p0 type macvlan mode bridge && ip addr del 10.7.0.254/24 dev p0 && " ..
       "ip addr add 10.7.0.254/24 dev p0-host && ip link set p0-host up", "the tutorial's commands")
  -- The other way: m1 reaches the root (it answers ARP on p0-wire), the reply does not come back.
  w = broken("m1", "10.7.0.254", "macvlan-parent", "root", "p0")
  t.ok(w.cause.message:find("^the reply cannot come back"), "the reply: " .. tostring(w))
  apply(w)
  fixed("root", "10.7.0.1")
  fixed("m1", "10.7.0.254")
  fixed("m1", "10.7.0.2")
end)

t.test("macvlan siblings kept apart by mode private, and a parent down (by hand with ip)", function()
  local _ <close> = t.fresh()
  macvlans("private")
  t.ok(not reaches("m1", "10.7.0.2"), "the witness: private keeps them apart")
  local w = broken("m1", "10.7.0.2", "macvlan-mode", "m2", "mv2")
  t.eq(w.cause.fix.command, "ip netns exec m2 ip link set mv2 type macvlan mode bridge", "the command")
  apply(w)
  fixed("m1", "10.7.0.2")
  t.sh_ok("ip link set p0 down")
  t.ok(not reaches("m1", "10.7.0.2"), "the witness: a parent down takes its macvlans' carrier")
  w = broken("m1", "10.7.0.2", "no-carrier", "root", "p0")
  t.eq(w.cause.fix.netlab, 'link.up("p0")', "the fix")
  apply(w)
  fixed("m1", "10.7.0.2")
end)

-- Docker's overlay in miniature (scripts/overlay.lua's shape): hosts h1 and
-- h2 joined by an underlay, in each a bridge with a vxlan and a container
-- behind it. vni2/port2: host h2's vxlan, when it differs.
local function overlay(vni2, port2)
  for i = 1, 2 do
    ns.add("h" .. i)
    ns.add("c" .. i)
  end
  link.veth{"u0", ns = "h1", addr = "10.6.0.1/24", up = true, peer = {"u0", ns = "h2", addr = "10.6.0.2/24", up = true}}
  for i = 1, 2 do
    local h = "h" .. i
    bridge.add("br0", {ns = h, up = true})
    link.vxlan{"vx0", ns = h, vni = i == 2 and vni2 or 42, dstport = i == 2 and port2 or 4789, dev = "u0",
               ["local"] = "10.6.0." .. i, remote = "10.6.0." .. (3 - i), master = "br0", up = true}
    link.veth{"eth0", ns = "c" .. i, addr = "10.244.0." .. i .. "/24", up = true,
              peer = {"v" .. i, ns = h, master = "br0", up = true}}
  end
end

t.test("vxlan: reachable over the overlay, then a VNI and a port that differ, then the underlay's UDP dropped", function()
  local _ <close> = t.fresh()
  overlay(42, 4789)
  t.ok(reaches("c1", "10.244.0.2"), "the witness: the overlay carries it")
  local w = probe.why("c1", "10.244.0.2")
  t.eq(w.reachable, true, tostring(w))
  t.eq(w.disagree, nil, "reasoning and probe agree: " .. tostring(w))
  t.eq(w.path[1].over, "vx0 (h1 → h2)", "over the vxlan: " .. tostring(w))
  t.eq(w.path[#w.path].ns, "c2", "to c2")
  local out, code = run("why", "--json", "c1", "c2")
  t.eq(code, 0, "netlab why --json: " .. out)
  t.eq(t.json.decode(out).path[1].over, "vx0 (h1 → h2)", "json: the vxlan crossed")
  link.del("vx0", {ns = "h2"})
  link.vxlan{"vx0", ns = "h2", vni = 43, dev = "u0", ["local"] = "10.6.0.2", remote = "10.6.0.1",
             master = "br0", up = true}
  t.ok(not reaches("c1", "10.244.0.2"), "the witness: VNI 42 meets 43")
  w = broken("c1", "10.244.0.2", "vxlan-vni", "h2", "vx0")
  t.ok(w.cause.message:find("VNI 43", 1, true), "the VNIs named: " .. tostring(w))
  apply(w)
  fixed("c1", "10.244.0.2")
  fixed("c2", "10.244.0.1")
  -- By hand: h2's vxlan made again on Linux's old port.
  t.sh_ok([[ip -n h2 link del vx0 &&
    ip -n h2 link add vx0 type vxlan id 42 remote 10.6.0.1 local 10.6.0.2 dev u0 dstport 8472 &&
    ip -n h2 link set vx0 master br0 && ip -n h2 link set vx0 up]])
  t.ok(not reaches("c1", "10.244.0.2"), "the witness: port 4789 meets 8472")
  w = broken("c1", "10.244.0.2", "vxlan-dstport", "h2", "vx0")
  t.ok(w.cause.message:find("8472", 1, true), "the ports named: " .. tostring(w))
  apply(w)
  fixed("c1", "10.244.0.2")
  -- A firewall on the underlay: h2 drops what comes in on UDP 4789.
  t.sh_ok("ip netns exec h2 iptables -A INPUT -p udp --dport 4789 -j DROP")
  t.ok(not reaches("c1", "10.244.0.2"), "the witness: the underlay's UDP dropped")
  if HAS_NFT then
    w = broken("c1", "10.244.0.2", "vxlan-underlay", "h2", 'table ip filter chain INPUT rule "udp dport 4789 drop"')
    t.eq(w.cause.underlay.code, "filtered", "the underlay's own cause: " .. tostring(w))
    apply(w)
    fixed("c1", "10.244.0.2")
  end
end)

t.test("vxlan whose underlay has no route to its remote (by hand with ip)", function()
  local _ <close> = t.fresh()
  -- h1 and h2 on two underlay subnets with r routing between; h1 lacks its route.
  t.sh_ok([[
ip netns add h1 && ip netns add h2 && ip netns add r && ip netns add c1 && ip netns add c2
ip -n h1 link add u0 type veth peer name r1 netns r
ip -n h2 link add u0 type veth peer name r2 netns r
ip -n h1 addr add 10.1.1.2/24 dev u0 && ip -n h1 link set u0 up
ip -n h2 addr add 10.1.2.2/24 dev u0 && ip -n h2 link set u0 up
ip -n r addr add 10.1.1.1/24 dev r1 && ip -n r link set r1 up
ip -n r addr add 10.1.2.1/24 dev r2 && ip -n r link set r2 up
ip netns exec r sysctl -qw net.ipv4.ip_forward=1
ip -n h2 route add default via 10.1.2.1
ip -n h1 link add br0 type bridge && ip -n h1 link set br0 up
ip -n h2 link add br0 type bridge && ip -n h2 link set br0 up
ip -n h1 link add vx0 type vxlan id 42 remote 10.1.2.2 local 10.1.1.2 dev u0 dstport 4789
ip -n h2 link add vx0 type vxlan id 42 remote 10.1.1.2 local 10.1.2.2 dev u0 dstport 4789
ip -n h1 link set vx0 master br0 && ip -n h1 link set vx0 up
ip -n h2 link set vx0 master br0 && ip -n h2 link set vx0 up
ip -n c1 link add eth0 type veth peer name v1 netns h1
ip -n c2 link add eth0 type veth peer name v2 netns h2
ip -n h1 link set v1 master br0 && ip -n h1 link set v1 up
ip -n h2 link set v2 master br0 && ip -n h2 link set v2 up
ip -n c1 addr add 10.244.0.1/24 dev eth0 && ip -n c1 link set eth0 up
ip -n c2 addr add 10.244.0.2/24 dev eth0 && ip -n c2 link set eth0 up
]])
  t.ok(not reaches("c1", "10.244.0.2"), "the witness: the overlay cannot get there")
  local w = broken("c1", "10.244.0.2", "vxlan-underlay", "h1", "default")
  t.ok(w.cause.message:find("underlay", 1, true), "the underlay named: " .. tostring(w))
  t.eq(w.cause.fix.netlab, 'route.add{"default", via = "10.1.1.1", ns = "h1"}', "the underlay's fix")
  t.eq(w.cause.underlay.code, "no-default-route", "the underlay's own cause")
  apply(w)
  fixed("c1", "10.244.0.2")
  w = fixed("c2", "10.244.0.1")
  t.eq(w.path[1].over, "vx0 (h2 → h1)", "the way back over the vxlan: " .. tostring(w))
end)

t.test("why() in the REPL prints probe.why", function()
  local _ <close> = t.fresh()
  three()
  local R = require "netlab.repl"
  t.eq(R.shorthands.why, "probe.why", "a shorthand the REPL's help names")
  R.install()
  local printed = {}
  local real = print
  print = function(...) printed[#printed + 1] = tostring((...)) end
  local ok, err = pcall(_G.why, "a", "10.0.2.2")
  print = real
  t.ok(ok, tostring(err))
  t.ok((printed[1] or ""):find("a → 10.0.2.2: reachable", 1, true), "printed: " .. tostring(printed[1]))
end)

t.test("bad arguments and the command line's usage", function()
  local _ <close> = t.fresh()
  three()
  t.fails(function() probe.why("nope", "10.0.2.2") end, 'no namespace "nope"')
  t.fails(function() probe.why("a", "nope") end, "neither an address nor a namespace")
  t.fails(function() probe.why("a", "10.0.2.2", {proto = "sctp"}) end, "field 'proto'")
  t.fails(function() probe.why("a", "10.0.2.2", {proto = "tcp"}) end, "field 'port'")
  t.fails(function() probe.why("a", "10.0.2.2", {port = 70000}) end, "field 'port'")
  t.fails(function() probe.why("a", "10.0.2.2", {prot = "tcp"}) end, "prot")
  local out, code = run("why", "a")
  t.eq(code, 2, "one word: usage, exit 2: " .. out)
  out, code = run("why", "--bogus", "a", "b")
  t.eq(code, 2, "unknown option: exit 2: " .. out)
  out, code = run("why", "--port", "x", "a", "b")
  t.eq(code, 2, "a port that is not one: " .. out)
end)

t.done()
