-- Links: veth pairs made in place in any namespace, bridges, changes,
-- listing, addresses; each checked against `ip -j` as a witness.
local t = require "t"

-- Each case makes the namespaces it uses; t.fresh takes them away when it ends.
local function with(...)
  local out = {}
  for i, name in ipairs{...} do out[i] = ns.add(name) end
  return table.unpack(out)
end

t.test("veth with each end in its own namespace, made in place", function()
  local _ <close> = t.fresh()
  local purple, orange = with("purple", "orange")
  local l = link.veth{"veth-purple", ns = purple, up = true, mtu = 1400,
                      peer = {"veth-purple-br", ns = orange, up = true}}
  t.eq(l.name, "veth-purple", "object name")
  t.eq(l.ns.name, "purple", "object ns")
  t.eq(l.peer.name, "veth-purple-br", "peer object")
  t.eq(l.peer.ns.name, "orange", "peer ns")
  local a, b = t.iplink("purple", "veth-purple"), t.iplink("orange", "veth-purple-br")
  t.ok(a and b, "both ends exist where asked")
  t.eq(t.iplink(nil, "veth-purple"), nil, "nothing in root")
  t.eq(a.mtu, 1400, "mtu")
  t.ok(t.has_flag(a, "UP") and t.has_flag(a, "LOWER_UP"), "up, carrier on")
  t.ok(t.has_flag(b, "UP") and t.has_flag(b, "LOWER_UP"), "peer up, carrier on")
  t.eq(l.index, a.ifindex, "index from the kernel")
  t.eq(l.peer.index, b.ifindex, "peer index")
  link.del(l)
  t.eq(t.iplink("orange", "veth-purple-br"), nil, "deleting one end removes both")
end)

t.test("link.get reports kind, state, mtu, master, peer and addresses", function()
  local _ <close> = t.fresh()
  local purple = with("purple")
  local br = bridge.add("br0", {up = true, addr = "10.1.0.1/24"})
  link.veth{"v1", ns = purple, up = true, addr = {"10.1.0.2/24", "fd00::2/64"},
            peer = {"v1-br", master = br, up = true}}
  local i = link.get("v1", {ns = purple})
  t.eq(i.kind, "veth", "kind")
  t.eq(i.state, "UP", "state")
  t.eq(i.up, true, "admin up")
  t.eq(i.mtu, 1500, "mtu")
  t.eq(i.peer, "v1-br", "peer name")
  t.eq(i.peer_ns, "root", "peer namespace")
  t.eq(i.addrs[1], "10.1.0.2/24", "IPv4 address")
  local has6 = false
  for _, a in ipairs(i.addrs) do has6 = has6 or a == "fd00::2/64" end
  t.ok(has6, "IPv6 address")
  local p = link.get("v1-br")
  t.eq(p.master, "br0", "master")
  t.eq(p.peer, "v1", "root end sees its peer")
  t.eq(p.peer_ns, "purple", "in purple")
  t.eq(t.iplink(nil, "v1-br").master, "br0", "ip agrees on the master")
  t.eq(link.get("nosuch"), nil, "absence is nil")
  local names = {}
  for _, l in ipairs(link.list()) do names[l.name] = l end
  t.ok(names.br0 and names["v1-br"] and names.wan0 and names.lo, "link.list of root")
  t.eq(names.br0.kind, "bridge", "bridge kind in listing")
  local pl = {}
  for _, l in ipairs(link.list(purple)) do pl[#pl + 1] = l.name end
  t.eq(table.concat(pl, " "), "lo v1", "purple has lo and v1")
end)

t.test("veth peer with a master: the request names the mastered end", function()
  local _ <close> = t.fresh()
  local purple, orange = with("purple", "orange")
  local br = bridge.add("br1", {ns = orange, up = true})
  -- The first end has no master; the peer has one in another namespace.
  link.veth{"x1", ns = purple, peer = {"x1-br", ns = orange, master = br, up = true}}
  t.eq(t.iplink("orange", "x1-br").master, "br1", "peer on its bridge")
  t.ok(t.iplink("purple", "x1"), "first end where asked")
  t.eq(t.iplink("purple", "x1").operstate, "DOWN", "first end left down")
  link.del("x1", {ns = purple})
  bridge.del(br)
end)

t.test("up, down, mtu, master and nomaster", function()
  local _ <close> = t.fresh()
  local l = link.veth{"s1", peer = "s1p"}
  t.eq(link.get(l).up, false, "created down")
  l:up()
  t.eq(link.get(l).up, true, "up")
  -- The peer is down: s1 is UP without carrier, so no LOWER_UP to mistake for it.
  t.ok(t.has_flag(t.iplink(nil, "s1"), "UP"), "ip: UP flag")
  l:down()
  t.ok(not t.has_flag(t.iplink(nil, "s1"), "UP"), "ip: no UP flag once down")
  l:up()
  l:down()
  t.eq(link.get(l).up, false, "down")
  link.set(l, {mtu = 9000})
  t.eq(t.iplink(nil, "s1").mtu, 9000, "mtu by ip")
  local br = bridge.add("br2")
  l:master(br)
  t.eq(t.iplink(nil, "s1").master, "br2", "master")
  t.eq(bridge.ports(br)[1].name, "s1", "bridge.ports")
  l:nomaster()
  t.eq(t.iplink(nil, "s1").master, nil, "nomaster")
  bridge.attach("br2", "s1p")
  t.eq(t.iplink(nil, "s1p").master, "br2", "bridge.attach")
  bridge.detach("s1p")
  t.eq(t.iplink(nil, "s1p").master, nil, "bridge.detach")
  link.del(l)
  bridge.del("br2")
end)

t.test("rename and move; the object follows", function()
  local _ <close> = t.fresh()
  local orange = with("orange")
  local l = link.veth{"m1", peer = "m1p"}
  link.set(l, {name = "m2"})
  t.eq(l.name, "m2", "object renamed")
  t.ok(t.iplink(nil, "m2") and not t.iplink(nil, "m1"), "kernel renamed")
  link.set(l, {netns = orange})
  t.eq(l.ns.name, "orange", "object moved")
  t.ok(t.iplink("orange", "m2") and not t.iplink(nil, "m2"), "kernel moved")
  t.eq(link.get("m1p").peer_ns, "orange", "peer sees the move")
  link.set(l, {netns = "root", name = "m3"})
  t.ok(t.iplink(nil, "m3"), "moved back and renamed in one request")
  link.del("m3")
end)

t.test("addresses: add, list, delete, brd +", function()
  local _ <close> = t.fresh()
  local br = bridge.add("br3", {up = true})
  link.addr_add(br, "192.168.1.10/24", {brd = "+"})
  link.addr_add("br3", "172.16.5.1/16")
  link.addr_add("br3", "2001:db8::1/64")
  local a = t.ipaddrs(nil, "br3")
  t.eq(a["192.168.1.10/24"].broadcast, "192.168.1.255", "brd + as ip computes it")
  t.eq(a["172.16.5.1/16"].broadcast, nil, "no brd without asking, as plain ip addr add")
  t.ok(a["2001:db8::1/64"], "IPv6")
  local list = link.addrs(br)
  local seen = {}
  for _, x in ipairs(list) do seen[x.addr] = x end
  t.eq(seen["192.168.1.10/24"].brd, "192.168.1.255", "netlab lists the broadcast")
  t.eq(seen["2001:db8::1/64"].family, "inet6", "family")
  t.eq(#link.addrs(br, {family = "inet"}), 2, "family filter")
  link.addr_del(br, "172.16.5.1/16")
  t.eq(t.ipaddrs(nil, "br3")["172.16.5.1/16"], nil, "deleted")
  t.fails(function() link.addr_del(br, "172.16.5.1/16") end,
    '172.16.5.1/16 on "br3"', "EADDRNOTAVAIL")
  t.fails(function() link.addr_add(br, "192.168.1.10/24") end,
    'link.addr_add: 192.168.1.10/24 on "br3": ipv4: Address already assigned (EEXIST)')
  bridge.del(br)
end)

t.test("EEXIST names the end that exists", function()
  local _ <close> = t.fresh()
  local purple = with("purple")
  link.veth{"e1", ns = purple, peer = "e1-root"}
  t.fails(function() link.veth{"e2", ns = purple, peer = "e1-root"} end,
    'link.veth: veth "e1-root": File exists (EEXIST)')
  t.fails(function() link.veth{"e1", ns = purple, peer = "e3"} end,
    'veth "e1" in "purple": File exists (EEXIST)')
  t.eq(t.iplink(nil, "e3"), nil, "nothing half-built")
  link.del("e1", {ns = purple})
end)

t.test("a failing address removes the link it was for", function()
  local _ <close> = t.fresh()
  local purple = with("purple")
  -- The first address goes on, the second collides with it: nothing may stay.
  t.fails(function()
    link.veth{"h1", ns = purple, addr = {"10.7.0.5/24", "10.7.0.5/24"},
              peer = {"h1p", addr = "10.8.0.6/24"}}
  end, 'link.veth: 10.7.0.5/24 on "h1" in "purple"', "EEXIST")
  t.eq(t.iplink("purple", "h1"), nil, "h1 removed")
  t.eq(t.iplink(nil, "h1p"), nil, "its peer removed")
end)

t.test("kernel errors name the object and the kernel's reason", function()
  local _ <close> = t.fresh()
  local purple = with("purple")
  t.fails(function() link.set("nosuch", {up = true}) end,
    'link.set: link "nosuch": no such link (ENODEV)')
  t.fails(function() link.del("nosuch", {ns = purple}) end,
    'link "nosuch" in "purple"', "ENODEV")
  t.fails(function() link.veth{"q1", master = "nobr", peer = "q1p"} end,
    'no master "nobr" to put it on', "ENODEV")
  t.fails(function() link.veth{"q2", ns = "nosuch", peer = "q2p"} end,
    'link.veth: namespace "nosuch": no such namespace (ENOENT)')
  t.eq(t.iplink(nil, "q1p"), nil, "nothing made")
end)

t.test("bad arguments are refused before anything happens", function()
  local _ <close> = t.fresh()
  t.fails(function() link.veth{"0123456789abcdef", peer = "p"} end,
    'interface name "0123456789abcdef" (longer than 15 bytes)')
  t.fails(function() link.veth{"a/b", peer = "p"} end, "contains '/'")
  t.fails(function() link.veth{"ok1", peer = ""} end, "empty")
  t.fails(function() link.veth{"ok2"} end, "field 'peer' missing")
  t.fails(function() link.veth{"ok3", peer = "p", mtu = "big"} end,
    "bad argument #1 to 'veth' (field 'mtu': integer expected, got string)")
  t.fails(function() link.veth{"ok4", peer = "p", mtu = 10} end, "out of range")
  t.fails(function() link.veth{"ok5", peer = "p", addr = "192.168.52.1/33"} end,
    "bad argument #1 to 'veth' (invalid CIDR \"192.168.52.1/33\" (prefix longer than 32))")
  t.fails(function() link.veth{"ok6", peer = "p", addr = "300.1.1.1/24"} end, "invalid CIDR")
  t.fails(function() link.veth{"ok7", peer = {"p", addr = "fe80::/129"}} end,
    "peer invalid CIDR \"fe80::/129\"")
  t.fails(function() link.veth{"ok8", peer = "p", up = "yes"} end, "field 'up': boolean expected")
  t.fails(function() link.add{"ok9"} end, "field 'kind' missing")
  t.fails(function() link.addr_add("lo", "10.0.0.1") end, "prefix length missing")
  t.fails(function() link.addr_add("lo", "10.0.0.1/8", {brd = "x"}) end, "field 'brd'")
  t.fails(function() link.set("lo") end, "table of changes expected")
  t.fails(function() link.set(5, {up = true}) end, "link name or object expected")
  t.fails(function() link.veth(nil) end, "bad argument #1")
  for _, n in ipairs{"ok1", "ok2", "ok3", "ok4", "ok5", "ok6", "ok7", "ok8", "p"} do
    t.eq(t.iplink(nil, n), nil, n .. " not made")
  end
end)

t.done()
