-- What a script trips on and should be told plainly (issue 10): host
-- arithmetic, stale /run/netns entries, bridge.ports of what is no bridge,
-- netlab.wait after netlab.kill, what link.up returns, ns.forwarding's
-- argument, and netlab.show's states and chain policies. Each checked
-- against the kernel through `ip -j` and `nft -j`.
local t = require "t"
local json = require "cjson"

-- Each case that needs it makes purple; t.fresh takes it away when the case ends.
local function make_purple() return ns.add("purple", {lo = true}) end

t.test("netlab.host refuses an IPv4 subnet's network and broadcast addresses", function()
  local _ <close> = t.fresh()
  t.eq(netlab.host("10.0.0.0/24", 1), "10.0.0.1", "first host")
  t.eq(netlab.host("10.0.0.0/24", 254), "10.0.0.254", "last host")
  t.eq(netlab.host("10.0.0.0/16", 300), "10.0.1.44", "carries into the next byte")
  t.fails(function() netlab.host("10.0.0.0/24", 0) end,
    "bad argument #2 to 'host'", "host 0 is the network address of 10.0.0.0/24")
  t.fails(function() netlab.host("10.0.0.0/24", 255) end,
    "host 255 is the broadcast address of 10.0.0.0/24; hosts are 1 to 254")
  t.fails(function() netlab.host("10.0.0.0/24", 256) end, "host 256 is outside 10.0.0.0/24")
  t.fails(function() netlab.host("10.0.0.0/24", -1) end, "outside")
  t.fails(function() netlab.host("10.0.0.0/33", 1) end, "bad argument #1 to 'host'", "prefix longer")
  -- RFC 3021: both addresses of a /31 are hosts; a /32 is its one address.
  t.eq(netlab.host("10.0.0.0/31", 0), "10.0.0.0", "/31 host 0")
  t.eq(netlab.host("10.0.0.0/31", 1), "10.0.0.1", "/31 host 1")
  t.eq(netlab.host("10.0.0.9/32", 0), "10.0.0.9", "/32")
end)

t.test("netlab.host works for IPv6, and netlab.hostcidr gives the prefix too", function()
  local _ <close> = t.fresh()
  local purple = make_purple()
  t.eq(netlab.host("fd00:1::/64", 10), "fd00:1::a", "IPv6 host")
  t.eq(netlab.host("fd00:1::/64", 0x10000), "fd00:1::1:0", "IPv6 carry")
  t.fails(function() netlab.host("fd00:1::/64", 0) end, "Subnet-Router anycast")
  t.fails(function() netlab.host("fd00:1::/120", 256) end, "outside fd00:1::/120")
  t.eq(netlab.hostcidr("10.0.0.0/24", 2), "10.0.0.2/24", "IPv4 with its prefix")
  t.eq(netlab.hostcidr("fd00:1::/64", 7), "fd00:1::7/64", "IPv6 with its prefix")
  t.fails(function() netlab.hostcidr("10.0.0.0/30", 3) end, "bad argument #2 to 'hostcidr'", "broadcast")
  local d = bridge.add{"d-host", ns = purple, up = true,
                       addr = {netlab.hostcidr("10.7.0.0/24", 2), netlab.hostcidr("fd00:7::/64", 2)}}
  local got = t.ipaddrs("purple", "d-host")
  t.ok(got["10.7.0.2/24"], "ip sees 10.7.0.2/24")
  t.ok(got["fd00:7::2/64"], "ip sees fd00:7::2/64")
  t.eq(got["10.7.0.2/24"].broadcast, nil, "no broadcast asked for")
  link.del(d)
end)

t.test("a stale /run/netns entry is listed as gone and shown as gone; the rest still shows", function()
  local _ <close> = t.fresh()
  local purple = make_purple()
  t.ok(ns.exec(nil, "ln", "-s", "/proc/999999/ns/net", "/run/netns/dead"), "dangling link")
  t.ok(ns.exec(nil, "touch", "/run/netns/empty"), "plain file")
  local marks = {}
  for _, n in ipairs(ns.list()) do marks[n.name] = n.gone or false end
  t.eq(marks.dead, true, "dead marked")
  t.eq(marks.empty, true, "empty marked")
  t.eq(marks.purple, false, "purple is not gone")
  t.ok(tostring(ns.list()):find("dead (gone)", 1, true), "the listing says so")
  local out = netlab.show()
  t.ok(out:find("== dead: the namespace is gone: /run/netns/dead links to /proc/999999/ns/net",
                1, true), out)
  t.ok(out:find("== empty: the namespace is gone: /run/netns/empty is left over", 1, true), out)
  -- Everything after the stale entries is still there.
  t.ok(out:find("== purple", 1, true) and out:find("== internet", 1, true), out)
  local n, why = ns.get("dead")
  t.eq(n, nil, "ns.get of a stale entry")
  t.ok(why and why:find("gone", 1, true), "and why: " .. tostring(why))
  t.eq(ns.get("nosuch"), nil, "absent still nil")
  t.fails(function() link.list("dead") end,
    'link.list: namespace "dead": the namespace is gone: /run/netns/dead links to', "(ENOENT)")
  t.fails(function() link.dummy{"x", ns = "empty"} end, 'namespace "empty": the namespace is gone')
  t.ok(netlab.show("dead"):find("== dead: the namespace is gone", 1, true), "show of it by name")
  ns.del("dead")
  ns.del("empty")
  local left = ns.capture(nil, "ls", "/run/netns")
  t.ok(not left:find("dead") and not left:find("empty"), "ns.del removes stale entries: " .. left)
end)

t.test("a /run/netns link to a running process's namespace is a namespace", function()
  local _ <close> = t.fresh()
  local purple = make_purple()
  local pid = ns.spawn(purple, "sleep", "30")
  t.ok(ns.exec(nil, "ln", "-s", ("/proc/%d/ns/net"):format(pid), "/run/netns/live"), "link")
  for _, n in ipairs(ns.list()) do
    if n.name == "live" then t.eq(n.gone, nil, "not gone") end
  end
  local names = {}
  for _, l in ipairs(link.list("live")) do names[#names + 1] = l.name end
  t.eq(table.concat(names, " "), "lo", "purple's links through the link")
  netlab.kill(pid)
  netlab.wait(pid)
  local _, why = ns.get("live")
  t.ok(why and why:find("gone", 1, true), "gone once the process is: " .. tostring(why))
  ns.del("live")
end)

t.test("bridge.ports of a missing link or of a non-bridge is an error naming it", function()
  local _ <close> = t.fresh()
  local purple = make_purple()
  local br = bridge.add("br-p", {ns = purple, up = true})
  link.veth{"vp1", ns = purple, peer = {"vp1-br", ns = purple, master = br}}
  t.fails(function() bridge.ports("nosuch") end, 'bridge.ports: bridge "nosuch": no such link (ENODEV)')
  t.fails(function() bridge.ports("nosuch", {ns = purple}) end, 'bridge "nosuch" in "purple"')
  t.fails(function() bridge.ports("vp1", {ns = purple}) end,
    'bridge "vp1" in "purple": a veth, not a bridge (EINVAL)')
  t.fails(function() bridge.ports(nil) end, "bad argument #1 to 'ports'")
  local got = {}
  for _, l in ipairs(bridge.ports(br)) do got[#got + 1] = l.name end
  local want = {}
  for _, l in ipairs(t.ip("purple", "link", "show", "master", "br-p")) do want[#want + 1] = l.ifname end
  t.eq(table.concat(got, " "), table.concat(want, " "), "the ports ip sees")
  t.eq(#got, 1, "one port")
  local empty = bridge.add("br-e", {ns = purple})
  t.eq(#bridge.ports(empty), 0, "a bridge without ports: an empty list")
  link.del(br)
  link.del(empty)
  link.del("vp1", {ns = purple})
end)

t.test("netlab.wait after netlab.kill gives how the process ended", function()
  local _ <close> = t.fresh()
  local purple = make_purple()
  local pid = ns.spawn(purple, "sleep", "30")
  t.eq(netlab.kill(pid), true, "killed")
  t.eq(io.open(("/proc/%d/stat"):format(pid)), nil, "reaped: no such process any more")
  local how, n = netlab.wait(pid)
  t.eq(how, "signal", "ended by a signal")
  t.eq(n, 15, "SIGTERM")
  t.fails(function() netlab.wait(pid) end, "is not a process this script started")
  -- And a process that ignores TERM is killed.
  local stubborn = ns.spawn(purple, "sh", "-c", "trap '' TERM; sleep 30")
  netlab.sleep(0.1)
  t.eq(netlab.kill(stubborn), true, "killed")
  local how2, n2 = netlab.wait(stubborn)
  t.eq(how2 .. " " .. n2, "signal 9", "SIGKILL after TERM was ignored")
end)

t.test("link.up(name), link.down and l:up() all return the link object", function()
  local _ <close> = t.fresh()
  local purple = make_purple()
  local l = bridge.add("d-up", {ns = purple})
  local function ipup() return t.has_flag(t.iplink("purple", l.name), "UP") end
  local a = link.up("d-up", {ns = purple})
  t.eq(getmetatable(a), getmetatable(l), "a link object")
  t.eq(a, l, "the same link")
  t.eq(a.ns.name, "purple", "its namespace")
  t.eq(ipup(), true, "up for ip")
  local b = link.down("d-up", {ns = purple})
  t.eq(b, l, "down returns it too")
  t.eq(ipup(), false, "down for ip")
  t.eq(rawequal(l:up(), l), true, "the method returns the object itself")
  t.eq(rawequal(link.up(l), l), true, "and link.up(object) too")
  local s = link.set("d-up", {ns = purple, name = "d-up2"})
  t.eq(s.name, "d-up2", "link.set by name returns the renamed link")
  t.eq(s.ns.name, "purple", "in its namespace")
  t.ok(t.iplink("purple", "d-up2"), "ip sees the new name")
  t.eq(link.get(s).name, "d-up2", "usable")
  -- A change that is already so (the lab's recording leaves it out) still
  -- returns the object: wan0 is not in a namespace the lab made.
  local mtu = link.get("wan0").mtu
  local w = link.set("wan0", {mtu = mtu})
  t.eq(getmetatable(w), getmetatable(l), "link.set of what is already so: a link object")
  t.eq(w.name, "wan0", "named")
  link.del(s)
end)

t.test("changes made through object methods belong to the lab: down undoes them", function()
  local _ <close> = t.fresh()
  local dir, script = t.scratch()
  local path = script("objlab", [=[
local w = link.up("wan0")
w:set{mtu = 1400}
ns.root:sysctl("net.ipv4.ip_forward", 1)
]=])
  local out, code = t.run("run", path)
  t.eq(code, 0, "run: " .. out)
  t.eq(t.iplink(nil, "wan0").mtu, 1400, "l:set changed wan0")
  t.eq(ns.capture(nil, "cat", "/proc/sys/net/ipv4/ip_forward"), "1\n", "n:sysctl set forwarding")
  out, code = t.run("down", "objlab")
  t.eq(code, 0, "down: " .. out)
  t.eq(t.iplink(nil, "wan0").mtu, 1500, "down restored wan0's mtu")
  t.eq(ns.capture(nil, "cat", "/proc/sys/net/ipv4/ip_forward"), "0\n", "and forwarding")
  os.remove(path)
  os.remove(dir)
end)

t.test("ns.forwarding takes only booleans", function()
  local _ <close> = t.fresh()
  local purple = make_purple()
  local function fwd() return ns.capture(purple, "cat", "/proc/sys/net/ipv4/ip_forward") end
  t.eq(fwd(), "0\n", "off to begin with")
  t.fails(function() ns.forwarding(purple, 0) end, "bad argument #2 to 'forwarding' (boolean expected, got number)")
  t.fails(function() ns.forwarding(purple, "no") end, "boolean expected, got string")
  t.fails(function() purple:forwarding(1) end, "boolean expected, got number")
  t.eq(fwd(), "0\n", "still off")
  ns.forwarding(purple, true)
  t.eq(fwd(), "1\n", "on")
  t.eq(ns.forwarding(purple), true, "reads back")
  ns.forwarding(purple, false)
  t.eq(fwd(), "0\n", "off")
end)

-- The STATE cell of a link in netlab.show's text.
local function state_in(text, section, name)
  local inside = text:match("== " .. section .. "\n(.-)\n==") or text:match("== " .. section .. "\n(.*)$")
  for line in inside:gmatch("[^\n]+") do
    -- Columns are two or more spaces apart; a cell has single spaces at most.
    local cells = {}
    for c in (line:gsub("^%s+", "") .. "  "):gmatch("(.-)%s%s+") do cells[#cells + 1] = c end
    if cells[1] == name then return cells[2] end
  end
end

t.test("netlab.show just after building shows settled states, and carrier", function()
  local _ <close> = t.fresh()
  local orange = ns.add("orange", {lo = true})
  local br = bridge.add("br-s", {up = true, addr = "10.8.0.1/24"})
  link.veth{"eth0", ns = orange, up = true, addr = "10.8.0.2/24",
            peer = {"orange-br", master = br, up = true}}
  -- A veth up whose peer is down: up, but no carrier.
  link.veth{"lonely", ns = orange, up = true, peer = {"lonely-peer", ns = orange}}
  local out = netlab.show()
  t.ok(not out:find("UNKNOWN", 1, true), "no UNKNOWN: " .. out)
  t.eq(state_in(out, "root", "br-s"), "UP", "the bridge: " .. out)
  t.eq(state_in(out, "root", "orange-br"), "UP", "its port")
  t.eq(state_in(out, "orange", "eth0"), "UP", "the namespace's end")
  t.eq(state_in(out, "orange", "lo"), "UP", "lo")
  t.eq(state_in(out, "orange", "lonely"), "UP, no carrier", "up without carrier: " .. out)
  t.eq(state_in(out, "orange", "lonely-peer"), "DOWN", "down")
  -- The witness: what ip says once the kernel has settled, and a ping.
  t.ok(t.ping(orange, "10.8.0.1"), "ping the bridge")
  local lonely = t.iplink("orange", "lonely")
  local flags = table.concat(lonely.flags, ",")
  t.ok(t.has_flag(lonely, "NO-CARRIER") and t.has_flag(lonely, "UP"), "ip: " .. flags)
  t.ok(not t.has_flag(lonely, "LOWER_UP"), "ip: no LOWER_UP without carrier: " .. flags)
  t.ok(t.has_flag(t.iplink(nil, "br-s"), "LOWER_UP"), "ip: bridge has carrier")
  local i = link.get("lonely", {ns = orange})
  t.eq(i.up, true, "link.get: up")
  t.eq(i.carrier, false, "link.get: no carrier")
  t.eq(link.get(br).carrier, true, "link.get: the bridge has carrier")
  link.del(br)
  ns.del(orange)
end)

t.test("netlab.show shows the forward chain's policy", function()
  local _ <close> = t.fresh()
  nat.filter{policy = "drop"}
  local out = netlab.show("root")
  t.ok(out:find("    forward: policy drop\n", 1, true) or out:find("    forward: policy drop$"), out)
  local rs = json.decode((ns.capture(nil, "nft", "-j", "list", "chain", "inet", "netlab", "forward")))
  local policy
  for _, o in ipairs(rs.nftables) do if o.chain then policy = o.chain.policy end end
  t.eq(policy, "drop", "nft agrees")
  nat.filter{policy = "accept"}
  t.ok(netlab.show("root"):find("forward: policy accept", 1, true), "accept shows too")
  nat.flush()
  t.ok(not netlab.show("root"):find("policy", 1, true), "no table, no policy line")
end)

t.done()
