-- The module primitives with no lab around them. Every other test file runs
-- as a lab (tests/run.sh: netlab run --sandbox FILE), where lab/'s wrappers
-- stand in front of ns.add, link.veth, route.add, nat.masquerade and the rest
-- and record what they make. A script run by `netlab -e` or the REPL calls
-- the bare functions: the same kernel changes and the same error messages
-- must come out of them, read back with `ip -j` and `nft -j` as witnesses.
local t = require "t"

if not os.getenv("NETLAB_BARE") then
  -- Here a lab is running: the cases run in a child `netlab -e`, in this
  -- same sandbox, where none is. Its "ok" lines are this file's.
  local me = debug.getinfo(1, "S").source:gsub("^@", "")
  local out, code = t.run_env("NETLAB_BARE=1", "-e", ("dofile(%q)"):format(me))
  io.write(out)
  io.stdout:flush()
  if code ~= 0 then error(("the cases outside a lab exited with %d"):format(code), 0) end
  return
end

-- What a lab's wrappers are: Lua functions of lab/lab_record.lua in front
-- of the C ones. Outside a lab the module tables hold the C functions.
t.test("outside a lab the primitives are the C functions, unwrapped", function()
  local lab = {}
  for _, f in ipairs{{"ns", "_add"}, {"ns", "del"}, {"ns", "sysctl"}, {"link", "_add"},
                     {"link", "del"}, {"link", "set"}, {"link", "addr_add"}, {"link", "addr_del"},
                     {"route", "add"}, {"route", "replace"}, {"route", "del"},
                     {"nat", "masquerade"}, {"nat", "allow"}, {"nat", "del"}, {"nat", "flush"}} do
    local info = debug.getinfo(_G[f[1]][f[2]], "S")
    if info.what ~= "C" then lab[#lab + 1] = f[1] .. "." .. f[2] .. " from " .. info.source end
  end
  t.eq(table.concat(lab, ", "), "", "wrapped")
  t.eq(package.loaded["netlab.lab"], nil, "the lab engine is not even loaded")
end)

t.test("ns.add and ns.del, bare: ip netns list agrees; EEXIST and ENOENT name it", function()
  local _ <close> = t.fresh()
  local n = ns.add("purple")
  t.eq(n.name, "purple", "object name")
  local names = {}
  for _, e in ipairs(t.ip(nil, "netns", "list")) do names[e.name] = true end
  t.ok(names.purple, "ip netns list shows purple")
  t.eq(t.iplink("purple", "lo").operstate, "DOWN", "lo left down")
  t.fails(function() ns.add("purple") end, 'ns.add: namespace "purple": File exists (EEXIST)')
  ns.del(n)
  names = {}
  for _, e in ipairs(t.ip(nil, "netns", "list")) do names[e.name] = true end
  t.eq(names.purple, nil, "ip netns list: gone")
  t.fails(function() ns.del("purple") end, 'ns.del: namespace "purple": no such namespace (ENOENT)')
end)

t.test("ns.sysctl, bare: the kernel's value changes, and a missing key is named", function()
  local _ <close> = t.fresh()
  local n = ns.add("purple")
  ns.sysctl(n, "net.ipv4.ip_forward", 1)
  t.eq(ns.capture(n, "cat", "/proc/sys/net/ipv4/ip_forward"), "1\n", "witness inside purple")
  t.eq(ns.capture(nil, "cat", "/proc/sys/net/ipv4/ip_forward"), "0\n", "root untouched")
  t.fails(function() ns.sysctl(n, "net.ipv4.no_such", 1) end,
    'sysctl net.ipv4.no_such in "purple": no such sysctl (ENOENT)')
end)

t.test("link.veth, bare: both ends where asked, up, no lab tag; EEXIST names the end", function()
  local _ <close> = t.fresh()
  local purple = ns.add("purple")
  local l = link.veth{"v1", ns = purple, up = true, mtu = 1400, peer = {"v1-root", up = true}}
  t.eq(l.peer.name, "v1-root", "peer object")
  local a, b = t.iplink("purple", "v1"), t.iplink(nil, "v1-root")
  t.ok(a and b, "both ends exist where asked")
  t.eq(a.mtu, 1400, "mtu")
  t.ok(t.has_flag(a, "UP") and t.has_flag(b, "UP"), "both up")
  -- A lab tags links outside its own namespaces with its name; no lab, no tag.
  t.eq(b.ifalias, nil, "no lab's alias on the root end")
  t.fails(function() link.veth{"v2", ns = purple, peer = "v1-root"} end,
    'link.veth: veth "v1-root": File exists (EEXIST)')
  t.fails(function() link.veth{"v1", ns = purple, peer = "v3"} end,
    'link.veth: veth "v1" in "purple": File exists (EEXIST)')
  t.eq(t.iplink(nil, "v3"), nil, "nothing half-built")
  link.del(l)
  t.eq(t.iplink(nil, "v1-root"), nil, "deleting one end removes both")
  t.fails(function() link.del("v1", {ns = purple}) end,
    'link.del: link "v1" in "purple": no such link (ENODEV)')
end)

t.test("link.veth, bare: a failing address takes the pair away", function()
  local _ <close> = t.fresh()
  local purple = ns.add("purple")
  t.fails(function()
    link.veth{"h1", ns = purple, addr = {"10.7.0.5/24", "10.7.0.5/24"}, peer = "h1p"}
  end, 'link.veth: 10.7.0.5/24 on "h1" in "purple"', "(EEXIST)")
  t.eq(t.iplink("purple", "h1"), nil, "h1 removed")
  t.eq(t.iplink(nil, "h1p"), nil, "its peer removed")
end)

t.test("link.set and addresses, bare: ip sees each change; errors name the link", function()
  local _ <close> = t.fresh()
  local br = bridge.add("br3")
  link.set(br, {up = true, mtu = 1400})
  local l = t.iplink(nil, "br3")
  t.ok(t.has_flag(l, "UP"), "up")
  t.eq(l.mtu, 1400, "mtu")
  link.addr_add(br, "192.168.1.10/24", {brd = "+"})
  t.eq(t.ipaddrs(nil, "br3")["192.168.1.10/24"].broadcast, "192.168.1.255", "the address, brd +")
  t.fails(function() link.addr_add(br, "192.168.1.10/24") end,
    'link.addr_add: 192.168.1.10/24 on "br3": ipv4: Address already assigned (EEXIST)')
  link.addr_del(br, "192.168.1.10/24")
  t.eq(t.ipaddrs(nil, "br3")["192.168.1.10/24"], nil, "deleted")
  t.fails(function() link.addr_del(br, "192.168.1.10/24") end,
    'link.addr_del: 192.168.1.10/24 on "br3": ipv4: Address not found (EADDRNOTAVAIL)')
  t.fails(function() link.set("nosuch", {up = true}) end,
    'link.set: link "nosuch": no such link (ENODEV)')
end)

t.test("route.add, replace and del, bare: ip route agrees; EEXIST, ESRCH, ENETUNREACH", function()
  local _ <close> = t.fresh()
  local purple = ns.add("purple")
  link.veth{"vr", ns = purple, up = true, addr = "192.168.52.2/24",
            peer = {"vr-root", up = true, addr = "192.168.52.5/24"}}
  local function routes(n)
    local out = {}
    for _, r in ipairs(t.ip(n, "route", "show")) do out[r.dst] = r end
    return out
  end
  route.add{ns = purple, dst = "default", via = "192.168.52.5"}
  t.eq(routes("purple").default.gateway, "192.168.52.5", "default via the root end")
  route.add("10.40.0.0/16", {via = "192.168.52.2"})
  t.eq(routes(nil)["10.40.0.0/16"].gateway, "192.168.52.2", "via")
  t.fails(function() route.add("10.40.0.0/16", {via = "192.168.52.2"}) end,
    "route.add: 10.40.0.0/16 via 192.168.52.2: File exists (EEXIST)")
  route.replace("10.40.0.0/16", {dev = "vr-root"})
  t.eq(routes(nil)["10.40.0.0/16"].gateway, nil, "replaced by a dev route")
  route.del("10.40.0.0/16")
  t.eq(routes(nil)["10.40.0.0/16"], nil, "deleted")
  t.fails(function() route.del("10.40.0.0/16") end, "route.del: 10.40.0.0/16: no such route (ESRCH)")
  t.fails(function() route.add{ns = purple, dst = "10.50.0.0/16", via = "10.99.0.1"} end,
    'route.add: 10.50.0.0/16 via 10.99.0.1 in "purple": Nexthop has invalid gateway (ENETUNREACH)')
  t.ok(t.ping_eventually(purple, "192.168.52.5"), "purple reaches root over the pair")
end)

-- nft's view of netlab's rule with handle h in root, or nil.
local function nft_rule(h)
  local out = ns.capture(nil, "nft", "-j", "list", "ruleset")
  for _, item in ipairs(t.json.decode(out).nftables) do
    local r = item.rule
    if r and r.family == "inet" and r.table == "netlab" and r.handle == h then return r end
  end
end

t.test("nat.masquerade and nat.del, bare: nft lists the rule, untagged by a lab; ENOENT", function()
  local _ <close> = t.fresh()
  local r = nat.masquerade{src = "10.1.0.0/24", out = "wan0"}
  local rule = nft_rule(r.handle)
  t.ok(rule, "nft -j sees the rule by its handle")
  t.eq(rule.chain, "postrouting", "chain")
  -- In a lab the comment carries the lab's name ("netlab:LAB").
  t.eq(rule.comment, "netlab", "netlab's comment, no lab's name")
  nat.del(r)
  t.eq(nft_rule(r.handle), nil, "deleted")
  t.fails(function() nat.del(r.handle) end,
    ("nat.del: a rule %d of table inet netlab: no such rule (ENOENT)"):format(r.handle))
end)

t.test("nat, bare: a table netlab did not make is refused with EEXIST and left as it was", function()
  local _ <close> = t.fresh()
  t.ok(ns.exec(nil, "nft", "add", "table", "inet", "mine"), "nft makes a table of its own")
  local before = ns.capture(nil, "nft", "-j", "list", "ruleset")
  t.fails(function() nat.masquerade{src = "10.9.0.0/16", table = "mine"} end,
    "nat.masquerade: table inet mine: a table of that name exists and netlab did not make it (EEXIST)")
  t.eq(ns.capture(nil, "nft", "-j", "list", "ruleset"), before, "the ruleset is as it was")
  t.ok(ns.exec(nil, "nft", "delete", "table", "inet", "mine"), "clean up")
end)

t.done()
