-- --sandbox=lan: the sandbox gains tutorial 004's "another host" on the
-- host's LAN, 172.17.0.3 in namespace lan, behind veth lan0 (172.17.0.2/16),
-- with no route back to the lab's private ranges: so a namespace reaches it
-- through the host only once the tutorial's NAT step is made. Each case runs
-- a netlab with --sandbox=lan inside this test's sandbox (a sandbox of its
-- own, gone when it exits), checked by `ip -j` and real ping from inside.
local t = require "t"

local dir, script = t.scratch()

t.test("--sandbox=lan: the LAN neighbour, as ip and ping see it, and the NAT step seen working", function()
  local path = script("lan", [=[
local function ip(n, ...) return ns.capture(n, "ip", "-j", ...) end
local function ping(n, a)
  local _, code = ns.capture(n, "ping", "-c1", "-W1", "-q", a)
  return code == 0
end
assert(tostring(netlab.sandbox) == "internet 203.0.113.1, lan 172.17.0.3", tostring(netlab.sandbox))
assert(netlab.sandbox.lan == "172.17.0.3" and netlab.sandbox.internet == "203.0.113.1")
local a = ip("lan", "addr", "show", "dev", "eth0")
assert(a:find('"local":"172.17.0.3","prefixlen":16', 1, true), "lan's eth0: " .. a)
a = ip(nil, "addr", "show", "dev", "lan0")
assert(a:find('"local":"172.17.0.2","prefixlen":16', 1, true), "the root's lan0: " .. a)
local r = ip("lan", "route", "show", "table", "all")
assert(not r:find('"dst":"default"', 1, true) and not r:find('192.168', 1, true), "lan: no way back: " .. r)
assert(ping(nil, "172.17.0.3"), "the host pings its LAN neighbour")
assert(probe.ping("root", "172.17.0.3").ok, "and so does probe")
-- Tutorial 004: red, routed to 172.17.0.0/16 through the host.
ns.add("red", {lo = true})
link.veth{"eth0", ns = "red", up = true, addr = "192.168.15.1/24",
          peer = {"v-red", up = true, addr = "192.168.15.5/24"}}
route.add{ns = "red", dst = "172.17.0.0/16", via = "192.168.15.5"}
ns.forwarding("root", true)
assert(not ping("red", "172.17.0.3"), "before NAT, ping gets no answer: the neighbour has no way back")
local res = probe.ping("red", "172.17.0.3")
assert(not res.ok and res.why == "no answer", "probe agrees: " .. tostring(res))
nat.masquerade{src = "192.168.15.0/24"}
assert(ping("red", "172.17.0.3"), "with NAT, ping gets its reply")
assert(probe.ping("red", "172.17.0.3").ok, "and so does probe")
-- A netlab started inside knows what its sandbox has.
local out = ns.capture(nil, params.bin, "-e", "print(netlab.sandbox.lan)")
assert(out == "172.17.0.3\n", "a nested netlab: " .. out)
print("lan checks passed")
]=])
  local out, code = t.run("run", "--sandbox=lan", path, "bin=" .. t.bin)
  t.eq(code, 0, "the checks inside: " .. out)
  t.ok(out:find("lan checks passed", 1, true), out)
  t.eq(ns.get("lan"), nil, "the LAN neighbour was the nested sandbox's, not this one's")
end)

t.test("tutorial 004's script checks the LAN neighbour when the sandbox has it", function()
  local out, code = t.run("run", "--sandbox=lan", "--dry-run", "red_blue_bridge")
  t.eq(code, 0, out)
  for _, want in ipairs{"! would check in root: ping -c1 -W1 172.17.0.3",
      "! would check in red: ping -c1 -W1 172.17.0.3",
      "! would check there is no answer in blue: ping -c1 -W1 172.17.0.3"} do
    t.ok(out:find(want, 1, true), want .. " in:\n" .. out)
  end
  out, code = t.run("run", "--sandbox", "--dry-run", "red_blue_bridge")
  t.eq(code, 0, out)
  t.ok(not out:find("172.17.0.3", 1, true), "no LAN, no LAN check: " .. out)
  -- Built for real: the expectations hold with NAT (red reaches it) and without (it does not).
  out, code = t.run("run", "--sandbox=lan", "red_blue_bridge")
  t.eq(code, 0, "with NAT: " .. out)
  out, code = t.run("run", "--sandbox=lan", "red_blue_bridge", "nat=false")
  t.eq(code, 0, "without NAT: " .. out)
end)

t.test("--sandbox=PART: an unknown part is refused, the plain sandbox has no LAN", function()
  local out, code = t.run("--sandbox=bogus", "-e", "print(1)")
  t.eq(code, 2, "exit code: " .. out)
  t.ok(out:find('netlab: --sandbox=bogus: unknown part "bogus"', 1, true), out)
  out, code = t.run("run", "--sandbox=lan,bogus", "red_blue_bridge")
  t.ok(code ~= 0 and out:find('unknown part "bogus"', 1, true), out)
  out, code = t.run("--sandbox=internet", "-e", "print(netlab.sandbox, netlab.sandbox.lan)")
  t.eq(code, 0, out)
  t.eq(out, "internet 203.0.113.1\tnil\n", "the plain sandbox")
  out = t.run("-e", "print(netlab.sandbox.lan)")
  t.eq(out, "nil\n", "this test's sandbox (--sandbox) has no LAN")
end)

t.done()
