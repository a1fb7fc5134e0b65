-- Namespaces: made as `ip netns add` makes them, usable both ways, lo left
-- down, sysctls per namespace, commands run inside.
local t = require "t"

t.test("ns.add makes a namespace ip netns list shows, with lo down", function()
  local n = ns.add("purple")
  t.eq(n.name, "purple", "object name")
  local out = ns.capture(nil, "ip", "netns", "list")
  t.ok(out:find("purple", 1, true), "ip netns list shows purple: " .. out)
  local lo = t.iplink("purple", "lo")
  t.ok(lo, "lo exists in purple")
  t.eq(lo.operstate, "DOWN", "lo state")
  t.eq(link.get("lo", {ns = n}).up, false, "netlab sees lo down")
end)

t.test("a namespace made by ip netns add is usable by netlab", function()
  t.ok(ns.exec(nil, "ip", "netns", "add", "byip"), "ip netns add")
  local n = t.ok(ns.get("byip"), "ns.get finds it")
  bridge.add("d0", {ns = n, up = true, addr = "10.9.0.1/24"})
  t.ok(t.iplink("byip", "d0"), "ip sees d0 in byip")
  t.ok(t.ipaddrs("byip", "d0")["10.9.0.1/24"], "ip sees the address")
  t.ok(ns.exec(nil, "ip", "netns", "del", "byip"), "ip netns del")
  t.eq(ns.get("byip"), nil, "gone for netlab too")
end)

t.test("ns.list is sorted and ns.get returns nil for a missing one", function()
  ns.add("orange")
  local names = {}
  for _, n in ipairs(ns.list()) do names[#names + 1] = n.name end
  t.eq(table.concat(names, " "), "internet orange purple", "names")
  t.eq(ns.get("nosuch"), nil, "missing")
  t.eq(ns.get("root").name, "root", "root")
  t.eq(ns.root, ns.get("root"), "ns.root equals ns.get('root')")
end)

t.test("ns.add of an existing name fails with EEXIST and the name", function()
  t.fails(function() ns.add("purple") end, 'ns.add: namespace "purple": File exists (EEXIST)')
end)

t.test("ns.del removes the namespace and its devices", function()
  local n = ns.add("gone")
  link.veth{"vgone", ns = n, peer = "vgone-root"}
  t.ok(t.iplink(nil, "vgone-root"), "root end exists")
  ns.del(n)
  t.eq(ns.get("gone"), nil, "namespace gone")
  t.ok(not ns.capture(nil, "ip", "netns", "list"):find("gone"), "ip agrees")
  -- The kernel removes the root end in its own time; wait for it.
  for _ = 1, 100 do
    if not t.iplink(nil, "vgone-root") then break end
    netlab.sleep(0.02)
  end
  t.eq(t.iplink(nil, "vgone-root"), nil, "root end of the veth went with it")
  t.fails(function() ns.del("gone") end, 'namespace "gone"', "ENOENT")
end)

t.test("a namespace re-made under the same name is the new one", function()
  ns.add("again")
  bridge.add("old", {ns = "again"})
  t.ok(ns.exec(nil, "ip", "netns", "del", "again"))
  t.ok(ns.exec(nil, "ip", "netns", "add", "again"))
  t.eq(link.get("old", {ns = "again"}), nil, "netlab does not keep using the deleted one")
  ns.del("again")
end)

t.test("sysctls are per namespace", function()
  ns.sysctl("purple", "net.ipv4.ip_forward", 1)
  t.eq(ns.sysctl("purple", "net.ipv4.ip_forward"), "1", "purple forwards")
  t.eq(ns.sysctl("orange", "net.ipv4.ip_forward"), "0", "orange does not")
  t.eq(ns.sysctl(nil, "net.ipv4.ip_forward"), "0", "root does not")
  local out = ns.capture("purple", "cat", "/proc/sys/net/ipv4/ip_forward")
  t.eq(out, "1\n", "witness inside purple")
  ns.forwarding("orange", true)
  t.eq(ns.forwarding("orange"), true, "ns.forwarding reads back")
  ns.forwarding("orange", false)
  t.eq(ns.sysctl("orange", "net.ipv4.ip_forward"), "0", "and off again")
  ns.sysctl("orange", "net/ipv6/conf/all/disable_ipv6", true)
  t.eq(ns.sysctl("orange", "net.ipv6.conf.all.disable_ipv6"), "1", "slash form and booleans")
end)

t.test("sysctl errors name the key and namespace", function()
  t.fails(function() ns.sysctl("purple", "net.ipv4.no_such", 1) end,
    'sysctl net.ipv4.no_such in "purple": no such sysctl (ENOENT)')
  t.fails(function() ns.sysctl("purple", "kernel.hostname", "x") end, "only keys under net.")
  t.fails(function() ns.sysctl("purple", "net.ipv4.ip_forward", {}) end, "bad argument #3")
end)

t.test("ns.add options: lo up, IPv6 off, forwarding", function()
  local n = ns.add("opts", {lo = true, ipv6 = false, forwarding = true})
  t.eq(t.iplink("opts", "lo").operstate, "UNKNOWN", "lo up (UNKNOWN is what ip shows for lo)")
  t.eq(ns.sysctl(n, "net.ipv6.conf.default.disable_ipv6"), "1", "ipv6 off for new devices")
  t.eq(ns.sysctl(n, "net.ipv4.ip_forward"), "1", "forwarding")
  link.veth{"d6", ns = n, up = true, peer = {"d6p", ns = n, up = true}}
  t.eq(next(t.ipaddrs("opts", "d6")), nil, "no IPv6 link-local on a new device")
  -- The contrast: with IPv6 left on, the same pair gets link-local addresses.
  local v6 = ns.add("v6on")
  link.veth{"d6", ns = v6, up = true, peer = {"d6p", ns = v6, up = true}}
  local found
  for a in pairs(t.ipaddrs("v6on", "d6")) do found = found or a:match("^fe80:") end
  t.ok(found, "link-local address with IPv6 on")
  ns.del(n)
  ns.del(v6)
end)

t.test("a bad option is refused before the namespace is made", function()
  t.fails(function() ns.add("half", {forwarding = true, lo = "yes"}) end,
    "bad argument #2 to 'add' (field 'lo': boolean expected, got string)")
  t.eq(ns.get("half"), nil, "nothing made")
end)

t.test("exec runs inside the namespace and returns like os.execute", function()
  local ok, how, code = ns.exec("purple", "sh", "-c", "exit 3")
  t.eq(ok, nil, "failure")
  t.eq(how, "exit", "how")
  t.eq(code, 3, "code")
  t.eq((ns.exec("purple", "true")), true, "success")
  local out = ns.capture("purple", "ls", "/sys/class/net")
  t.ok(out:find("lo") and not out:find("wan0"), "sees its own /sys/class/net: " .. out)
  local o, c = ns.capture("purple", {"sh", "-c", "echo hi; exit 2"})
  t.eq(o, "hi\n", "captured output")
  t.eq(c, 2, "exit code")
  t.fails(function() ns.exec("purple", "/no/such/program") end,
    '"/no/such/program" in "purple"', "ENOENT")
  local p = ns.get("purple")
  t.eq(p:capture("cat", "/proc/sys/net/ipv4/ip_forward"), "1\n", "method form")
end)

t.test("spawn starts a background process netlab.kill can end", function()
  local pid = ns.spawn("purple", "sleep", "30")
  t.ok(pid > 0, "pid")
  t.ok(ns.exec(nil, "kill", "-0", tostring(pid)), "running")
  t.eq(netlab.kill(pid), true, "killed")
  t.ok(not ns.exec(nil, {"kill", "-0", tostring(pid), quiet = true}), "gone")
  t.fails(function() netlab.kill(1) end, "not a process this script started")
end)

t.test("bad arguments are refused before anything happens", function()
  t.fails(function() ns.add("a/b") end, "namespace name", "contains '/'")
  t.fails(function() ns.add("") end, "empty")
  t.fails(function() ns.add("root") end, "names the namespace netlab started in")
  t.fails(function() ns.add{} end, "bad argument #1")
  t.fails(function() ns.get("x/y") end, "bad argument #1 to 'get'")
  t.fails(function() ns.exec("nosuch", "true") end, 'namespace "nosuch": no such namespace (ENOENT)')
  t.fails(function() ns.exec("purple") end, "a command expected")
  t.fails(function() ns.add("x", 5) end, "bad argument #2")
end)

t.done()
