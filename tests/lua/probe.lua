-- Probes against real ping(8), a real TCP client and /proc/net/snmp: a
-- router between two namespaces (IPv4 and IPv6), a bridge star, the
-- sandbox's simulated internet with and without masquerade. Every verdict
-- of netlab's is compared with what `ping -c1 -W1` (or a Python connect)
-- says from inside the same namespace, in both directions.
local t = require "t"

-- a --- r --- b (r routes; a and b default via r), and lone with only lo.
local a = ns.add("a", {lo = true})
local r = ns.add("r", {lo = true, forwarding = true})
local b = ns.add("b", {lo = true})
local lone = ns.add("lone", {lo = true})
for _, n in ipairs{a, r, b} do
  -- Addresses usable at once: no duplicate address detection to wait for.
  ns.sysctl(n, "net.ipv6.conf.default.accept_dad", 0)
end
ns.sysctl(r, "net.ipv6.conf.all.forwarding", 1)
-- Every ICMP error the router owes is sent (the kernel rate-limits them per host).
ns.sysctl(r, "net.ipv4.icmp_ratelimit", 0)
ns.sysctl(r, "net.ipv6.icmp.ratelimit", 0)
link.veth{"eth0", ns = a, up = true, addr = {"10.0.1.2/24", "fd01::2/64"},
          peer = {"ra", ns = r, up = true, addr = {"10.0.1.1/24", "fd01::1/64"}}}
link.veth{"eth0", ns = b, up = true, addr = {"10.0.2.2/24", "fd02::2/64"},
          peer = {"rb", ns = r, up = true, addr = {"10.0.2.1/24", "fd02::1/64"}}}
route.add{ns = a, dst = "default", via = "10.0.1.1"}
route.add{ns = a, dst = "default", via = "fd01::1"}
route.add{ns = b, dst = "default", via = "10.0.2.1"}
route.add{ns = b, dst = "default", via = "fd02::1"}

-- A star on bridge br0 in the root, which routes to the internet.
local br = bridge.add("br0", {up = true, addr = "192.168.70.254/24"})
for i = 1, 3 do
  local h = ns.add("h" .. i, {lo = true})
  link.veth{"eth0", ns = h, up = true, addr = "192.168.70." .. i .. "/24",
            peer = {"vh" .. i, master = br, up = true}}
  route.add{ns = h, dst = "default", via = "192.168.70.254"}
end
ns.forwarding("root", true)

-- Settled: new links pass packets a moment after they are up.
for _, p in ipairs{{a, "10.0.2.2"}, {a, "fd02::2"}, {"h1", "192.168.70.254"}, {"h2", "192.168.70.3"}} do
  assert(t.ping(p[1], p[2]), "the topology works: " .. tostring(p[1]) .. " -> " .. p[2])
end

local function name(n)
  return type(n) == "table" and n.name or n or "root"
end

-- The witnesses: `ping -c1 -W1` from inside each namespace, all at once.
local witness = t.pings

local function icmp_out_echos(n)
  local f = ns.capture(n, "cat", "/proc/net/snmp")
  local head, vals = f:match("Icmp: (In.-)\nIcmp: ([%d%s%-]+)\n")
  local i = 0
  for k in head:gmatch("%S+") do
    i = i + 1
    if k == "OutEchos" then
      local j = 0
      for v in vals:gmatch("%S+") do
        j = j + 1
        if j == i then return tonumber(v) end
      end
    end
  end
end

-- Pairs whose answer is known: what netlab says, what ping says, what the topology means.
local PAIRS = {
  {a, "10.0.2.2", true}, {a, "fd02::2", true}, {a, "10.0.1.1", true}, {b, "fd01::2", true},
  {a, "10.0.1.2", true}, {"h1", "192.168.70.2", true}, {"h1", "192.168.70.254", true},
  {"root", "192.168.70.1", true}, {"h3", "10.0.1.2", false}, {"root", "203.0.113.1", true},
  {a, "10.0.3.1", false}, {a, "fd03::1", false}, {lone, "10.0.1.2", false},
  {a, "10.0.1.9", false}, {"root", "10.0.1.2", false}, {"h1", "203.0.113.1", false},
  {"internet", "192.168.70.1", false}, {b, "fd03::9", false},
}

local function agree(list, what)
  local seen = witness(list)
  local yes, no = 0, 0
  for i, p in ipairs(list) do
    local res = probe.ping(p[1], p[2], {timeout = 1})
    local where = ("%s: %s -> %s"):format(what, name(p[1]), p[2])
    t.eq(res.ok, seen[i], where .. " (netlab: " .. tostring(res) .. "; ping(8) said " .. tostring(seen[i]) .. ")")
    if p[3] ~= nil then t.eq(res.ok, p[3], where .. " as the topology means") end
    if res.ok then yes = yes + 1 else no = no + 1 end
  end
  return yes, no
end

t.test("probe.ping answers as ping -c1 -W1 does, reachable and not", function()
  local yes, no = agree(PAIRS, "raw socket")
  t.ok(yes >= 8 and no >= 8, ("both verdicts seen: %d reachable, %d not"):format(yes, no))
end)

t.test("what came back: unreachable from the router, no route, no answer", function()
  local res = probe.ping(a, "10.0.3.1", {timeout = 1})
  t.eq(res.status, "unreachable", "status")
  t.eq(res.by, "10.0.1.1", "the router said so")
  t.eq(res.why, "unreachable from 10.0.1.1 (network unreachable)", "why")
  res = probe.ping(a, "fd03::1", {timeout = 1})
  t.eq(res.why, "unreachable from fd01::1 (no route)", "IPv6: the router's words")
  res = probe.ping(lone, "10.0.1.2", {timeout = 1})
  t.eq(res.status, "noroute", "no route")
  t.eq(res.why, "no route", "no route: why")
  t.eq(res.by, nil, "no route: nobody sent anything")
  res = probe.ping(a, "10.0.1.9", {timeout = 0.5})
  t.eq(res.status, "timeout", "nobody at 10.0.1.9")
  t.eq(res.why, "no answer", "no answer: why")
  res = probe.ping(a, "10.0.2.2")
  t.ok(res.ok and res.rtt > 0 and res.rtt < 1000, "an answer has its round trip: " .. tostring(res.rtt))
  t.eq(res.why, nil, "an answer has no why")
  t.eq(res.socket, "raw", "a new namespace allows no ping socket: a raw one")
  t.eq(tostring(res):match("^a → 10%.0%.2%.2: ok, [%d.]+ ms$") ~= nil, true, "prints: " .. tostring(res))
end)

t.test("count, size and src", function()
  local res = probe.ping(a, "fd02::2", {count = 3, size = 1400})
  t.eq(res.sent, 3, "sent")
  t.eq(res.received, 3, "received")
  t.ok(res.rtt_min <= res.rtt and res.rtt <= res.rtt_max, "min <= mean <= max")
  t.ok(probe.ping(a, "10.0.2.2", {src = "10.0.1.2"}).ok, "from a's own address")
  t.fails(function() probe.ping(a, "10.0.2.2", {src = "10.0.2.2"}) end,
    "probe.ping", 'source 10.0.2.2 is not an address of "a"')
end)

t.test("an address of one's own namespace fails with lo down, as ping says", function()
  link.set("lo", {ns = b, up = false})
  local ok, err = pcall(function()
    local yes = agree({{b, "10.0.2.2", false}, {b, "fd02::2", false}}, "lo down")
    t.eq(yes, 0, "nothing answers")
  end)
  link.set("lo", {ns = b, up = true})
  assert(ok, err)
  t.ok(probe.ping(b, "10.0.2.2").ok, "lo up again: answered")
end)

t.test("ping sockets where ping_group_range allows them: the same verdicts", function()
  for _, n in ipairs{a, b, lone} do ns.sysctl(n, "net.ipv4.ping_group_range", "0 2147483647") end
  local res = probe.ping(a, "10.0.2.2")
  t.eq(res.socket, "ping", "a ping socket")
  local mine = {}
  for _, p in ipairs(PAIRS) do
    if p[1] == a or p[1] == b or p[1] == lone then mine[#mine + 1] = p end
  end
  local yes, no = agree(mine, "ping socket")
  t.ok(yes >= 3 and no >= 3, ("both verdicts seen: %d, %d"):format(yes, no))
  res = probe.ping(a, "10.0.3.1")
  t.eq(res.why, "unreachable from 10.0.1.1 (network unreachable)", "the error queue names the router")
  res = probe.ping(a, "fd03::1")
  t.eq(res.why, "unreachable from fd01::1 (no route)", "IPv6 too")
  t.eq(probe.ping(lone, "10.0.1.2").why, "no route", "no route")
  for _, n in ipairs{a, b, lone} do ns.sysctl(n, "net.ipv4.ping_group_range", "1 0") end
  t.eq(probe.ping(a, "10.0.2.2").socket, "raw", "back to raw")
end)

local SERVER = [[
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", int(sys.argv[1])))
s.listen(64)
while True:
    c, _ = s.accept()
    c.close()
]]

local CLIENT = [[
import errno, socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1).close()
    print("ok")
except socket.timeout:
    print("timeout")
except ConnectionRefusedError:
    print("refused")
except OSError as e:
    print(errno.errorcode.get(e.errno, "?"))
]]

local function connect(n, addr, port)
  return (ns.capture(n, "python3", "-c", CLIENT, addr, tostring(port)))
end

t.test("probe.tcp: open, refused, filtered, unreachable, no route, as a real connect", function()
  local pid = ns.spawn(b, {"python3", "-c", SERVER, "7000", quiet = true})
  local ready = false
  for _ = 1, 200 do
    if ns.capture(b, "ss", "-Hltn", "sport = :7000") ~= "" then ready = true break end
    netlab.sleep(0.025)
  end
  t.ok(ready, "the listener listens")
  ns.capture(b, "nft", "add table inet t; add chain inet t in { type filter hook input priority 0; };" ..
    " add rule inet t in tcp dport 7002 drop")
  local cases = {
    {"10.0.2.2", 7000, "ok", "ok"}, {"fd02::2", 7000, "ok", "ok"},
    {"10.0.2.2", 7001, "refused", "refused"}, {"fd02::2", 7001, "refused", "refused"},
    {"10.0.2.2", 7002, "timeout", "timeout"},
    {"10.0.3.1", 80, "unreachable", "ENETUNREACH"},
  }
  for _, c in ipairs(cases) do
    local to = c[1]:find(":") and ("[%s]:%d"):format(c[1], c[2]) or ("%s:%d"):format(c[1], c[2])
    local res = probe.tcp(a, to, {timeout = 1})
    t.eq(res.status, c[3], "netlab: " .. tostring(res))
    t.eq(connect(a, c[1], c[2]):gsub("%s+$", ""), c[4], "a real connect to " .. to)
    t.eq(res.kind, "tcp", "kind")
  end
  local res = probe.tcp(a, "10.0.3.1:80")
  t.eq(res.why, "unreachable from 10.0.1.1 (network unreachable)", "who said so")
  res = probe.tcp(lone, "10.0.2.2:7000")
  t.eq(res.status, "noroute", "no route: " .. tostring(res))
  t.eq(connect(lone, "10.0.2.2", 7000):gsub("%s+$", ""), "ENETUNREACH", "a real connect: no route")
  t.ok(probe.tcp(a, "10.0.2.2:7000", {src = "10.0.1.2"}).ok, "from a given source")
  netlab.kill(pid)
  t.eq(probe.tcp(a, "10.0.2.2:7000").status, "refused", "the listener gone: refused")
  ns.capture(b, "nft", "delete table inet t")
end)

local UDP_ECHO = [[
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", int(sys.argv[1])))
while True:
    d, peer = s.recvfrom(65535)
    s.sendto(b"echo:" + d, peer)
]]

-- A real UDP client: a connected socket, as netlab's, so an ICMP port
-- unreachable is told (ECONNREFUSED) and not taken for silence.
local UDP_CLIENT = [[
import errno, socket, sys
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1)
try:
    s.connect((sys.argv[1], int(sys.argv[2])))
    s.send(b"x")
    print("ok " + s.recv(100).decode())
except socket.timeout:
    print("timeout")
except ConnectionRefusedError:
    print("refused")
except OSError as e:
    print(errno.errorcode.get(e.errno, "?"))
]]

t.test("probe.udp: open, closed, no answer (open or filtered), unreachable, no route", function()
  -- b answers every port unreachable it owes (the kernel rate-limits them per host).
  ns.sysctl(b, "net.ipv4.icmp_ratelimit", 0)
  ns.sysctl(b, "net.ipv6.icmp.ratelimit", 0)
  local pid = ns.spawn(b, {"python3", "-c", UDP_ECHO, "7100", quiet = true})
  local ready = false
  for _ = 1, 200 do
    if ns.capture(b, "ss", "-Hlun", "sport = :7100") ~= "" then ready = true break end
    netlab.sleep(0.025)
  end
  t.ok(ready, "the UDP echo listener listens")
  ns.capture(b, "nft", "add table inet u; add chain inet u in { type filter hook input priority 0; };" ..
    " add rule inet u in udp dport 7102 drop")
  local cases = {
    {"10.0.2.2", 7100, "ok", "open", "ok echo:x"}, {"fd02::2", 7100, "ok", "open", "ok echo:x"},
    {"10.0.2.2", 7101, "refused", "closed", "refused"}, {"fd02::2", 7101, "refused", "closed", "refused"},
    {"10.0.2.2", 7102, "timeout", "open|filtered", "timeout"},
    {"fd02::2", 7102, "timeout", "open|filtered", "timeout"},
  }
  for _, c in ipairs(cases) do
    local to = c[1]:find(":") and ("[%s]:%d"):format(c[1], c[2]) or ("%s:%d"):format(c[1], c[2])
    local res = probe.udp(a, to, {timeout = 1, payload = "x"})
    t.eq(res.status, c[3], "netlab: " .. tostring(res))
    t.eq(res.state, c[4], "state of " .. to)
    t.eq(res.kind, "udp", "kind")
    t.eq((ns.capture(a, "python3", "-c", UDP_CLIENT, c[1], tostring(c[2])):gsub("%s+$", "")), c[5],
      "a real UDP client to " .. to)
  end
  local res = probe.udp(a, "10.0.2.2:7101")
  t.eq(res.why, "closed: port unreachable from 10.0.2.2", "closed: who said so")
  t.eq(res.by, nil, "by is for unreachables a router sent")
  res = probe.udp(a, "10.0.2.2:7102", {timeout = 0.5})
  t.eq(res.why, "no answer: open or filtered (UDP cannot tell)", "silence: why")
  res = probe.udp(a, "10.0.3.1:53", {timeout = 1})
  t.eq(res.status .. " " .. tostring(res.state), "unreachable filtered", "the router has no route: " .. tostring(res))
  t.eq(res.why, "unreachable from 10.0.1.1 (network unreachable)", "who said so")
  res = probe.udp(lone, "10.0.2.2:7100")
  t.eq(res.why, "no route", "no route: " .. tostring(res))
  t.ok(probe.udp(a, "10.0.2.2:7100", {src = "10.0.1.2", payload = ""}).ok, "an empty datagram, from a given source")
  t.ok(probe.udp(a, "10.0.2.2:7100", {payload = ("z"):rep(1400)}).ok, "a large one")
  t.fails(function() probe.udp(a, "10.0.2.2") end, "bad argument #2 to 'udp'", "the port is missing")
  t.fails(function() probe.udp(a, "10.0.2.2:0") end, "bad argument #2 to 'udp'", "port out of range")
  t.fails(function() probe.udp(a, "10.0.2.2:1", {payload = 5}) end, "field 'payload': string expected")
  t.fails(function() probe.udp(a, "10.0.2.2:1", {bogus = 5}) end, "bogus")
  t.fails(function() probe.udp(a, "10.0.2.2:1", {payload = ("z"):rep(70000)}) end,
    "more than a datagram holds (65507)")
  netlab.kill(pid)
  t.eq(probe.udp(a, "10.0.2.2:7100").state, "closed", "the listener gone: closed")
  ns.capture(b, "nft", "delete table inet u")
end)

-- Every cell of a matrix against its own witness.
local function check_matrix(m, what)
  local list = {}
  for _, res in ipairs(m) do list[#list + 1] = {res.from, res.to} end
  local seen = witness(list)
  local differ = {}
  for i, res in ipairs(m) do
    if res.ok ~= seen[i] then
      differ[#differ + 1] = ("%s (ping(8): %s)"):format(tostring(res), seen[i] and "answered" or "no answer")
    end
  end
  t.eq(table.concat(differ, "; "), "", what .. ": cells where netlab and ping(8) differ")
end

t.test("probe.matrix of the star and the internet, without and with masquerade", function()
  local o = {from = {"root", "h1", "h2", "h3", "internet"},
             to = {"h1", "h2", "h3", "192.168.70.254", "203.0.113.1"}, timeout = 1}
  local m = probe.matrix(o)
  t.eq(#m, 25, "5 sources x 5 targets")
  t.eq(table.concat(m.targets, " "), "192.168.70.1 192.168.70.2 192.168.70.3 192.168.70.254 203.0.113.1",
    "namespaces given as their addresses")
  t.eq(m.owners["192.168.70.2"], "h2:eth0", "owner")
  t.eq(m:get("h1", "203.0.113.1").ok, false, "no masquerade: the internet has no way back")
  t.eq(m:get("h1", "192.168.70.3").ok, true, "h1 reaches h3")
  check_matrix(m, "without masquerade")
  local text = tostring(m)
  t.ok(text:find("^ +h1 +h2 +h3 +root +internet\nfrom \\ to  192%.168%.70%.1 "), "the grid's head: " .. text)
  t.ok(text:find("\nh1 +✓ +✓ +✓ +✓ +✗\n"), "h1's row: " .. text)
  t.ok(text:find("✗ h1 → 203.0.113.1: no answer", 1, true), "the failures told")
  nat.masquerade{src = "192.168.70.0/24", out = "wan0"}
  m = probe.matrix(o)
  t.eq(m:get("h1", "203.0.113.1").ok, true, "masquerade: the internet answers")
  t.eq(m:get("internet", "192.168.70.1").ok, false, "but does not reach in")
  check_matrix(m, "with masquerade")
end)

t.test("probe.matrix by default: every namespace to every address of the lab", function()
  local m = probe.matrix{timeout = 1}
  local want = {"root"}
  for _, n in ipairs(ns.list()) do want[#want + 1] = n.name end
  t.eq(table.concat(m.sources, " "), table.concat(want, " "), "sources: the root and every namespace")
  local targets = " " .. table.concat(m.targets, " ") .. " "
  for _, addr in ipairs{"10.0.1.2", "fd01::2", "10.0.2.1", "192.168.70.254", "203.0.113.1", "203.0.113.254"} do
    t.ok(targets:find(" " .. addr .. " ", 1, true), addr .. " is a target:" .. targets)
  end
  t.ok(not targets:find(" 127.", 1, true) and not targets:find(" ::1 ", 1, true) and
    not targets:find(" fe80:", 1, true), "no loopback or link-local target:" .. targets)
  t.eq(#m, #m.sources * #m.targets, "every cell")
  check_matrix(m, "whole lab")
end)

t.test("all probes of a call are in flight at once: 20 silent targets cost one timeout", function()
  local to = {}
  for i = 100, 119 do to[#to + 1] = "10.0.1." .. i end
  local t0 = os.clock() -- CPU time: a poll loop that waits costs almost none
  local wall = os.time()
  local m = probe.matrix{from = a, to = to, timeout = 0.5}
  t.eq(#m:failed(), 20, "nobody answers")
  -- One after the other they would take 10 s; all at once, one timeout.
  t.ok(os.time() - wall <= 3, ("took %d s"):format(os.time() - wall))
  t.ok(os.clock() - t0 < 1, "waited in poll, not in a loop")
end)

t.test("probe.expect passes, or fails naming the cells that differ", function()
  local res = probe.expect{{"h1", "192.168.70.2"}, {lone, "10.0.1.2", false}, {a, "fd02::2", true}}
  t.eq(#res, 3, "the results")
  local err = t.fails(function()
    probe.expect{{"h1", "192.168.70.2"}, {lone, "10.0.1.2"}, {a, "10.0.2.2", false}, timeout = 0.5}
  end, "probe.lua:", "probe.expect: 2 of 3 not as expected: ",
    "lone → 10.0.1.2: no route (expected an answer)", "a → 10.0.2.2: answered (expected none)")
  t.ok(not err:find("h1", 1, true), "the cell as expected is not named: " .. err)
end)

t.test("a run whose expectation fails is rolled back", function()
  local path = os.tmpname()
  local f = assert(io.open(path, "w"))
  f:write('ns.add("x1", {lo = true})\nprobe.expect{{"x1", "203.0.113.1"}}\n')
  f:close()
  local out, code = t.run("run", path)
  os.remove(path)
  t.eq(code, 1, "the run failed: " .. out)
  t.ok(out:find(":2: probe.expect: 1 of 1 not as expected: x1 → 203.0.113.1: no route", 1, true),
    "the message names the line and the cell: " .. out)
  t.eq(ns.get("x1"), nil, "rolled back")
end)

t.test("a failed expectation names the full neighbour table when it overflowed meanwhile", function()
  local dir, script = t.scratch()
  -- Nobody has 10.9.0.77: the expectation waits out its retries, then fails.
  local path = script("full", 'local x = ns.add("x9", {lo = true})\n' ..
    'link.veth{"e0", ns = x, up = true, addr = "10.9.0.1/24", peer = {"e9", up = true, addr = "10.9.0.2/24"}}\n' ..
    'probe.expect{{x, "10.9.0.77"}, {x, "10.9.0.2"}, timeout = 0.3}\n')
  local HINT = "meanwhile the kernel's neighbour table, one for all namespaces of the host, was full " ..
    "(net.ipv4.neigh.default.gc_thresh3): address resolutions were dropped (see docs/probe.md)"
  -- The table's counter rises between expect's two reads, as when it overflows.
  local out, code = t.run_env("NETLAB_FAULT_TABLE_FULLS=3", "run", path)
  t.eq(code, 1, "the run failed: " .. out)
  t.ok(out:find("full.lua:3: probe.expect: 1 of 2 not as expected: x9 → 10.9.0.77: no answer " ..
    "(expected an answer); " .. HINT, 1, true), "the hint follows the cells: " .. out)
  t.eq(ns.get("x9"), nil, "rolled back")
  -- The kernel's own counter: no hint unless the table really overflowed
  -- meanwhile (it is the host's: another session's big lab may fill it).
  local before = probe._table_fulls()
  out, code = t.run("run", path)
  local overflowed = probe._table_fulls() ~= before
  t.eq(code, 1, "the run failed: " .. out)
  t.ok(out:find("x9 → 10.9.0.77: no answer (expected an answer)", 1, true), out)
  t.ok(overflowed or not out:find("neighbour table", 1, true),
    "a hint only when the host's table overflowed meanwhile: " .. out)
  -- netlab check names the cells, then the hint on a line of its own.
  local mk = script("full2", 'local x = ns.add("x9", {lo = true})\n' ..
    'link.veth{"e0", ns = x, up = true, addr = "10.9.0.1/24", peer = {"e9", up = true, addr = "10.9.0.2/24"}}\n')
  out, code = t.run("run", mk)
  t.eq(code, 0, "the lab is up: " .. out)
  local chk = script("full2", t.read(mk) .. 'probe.expect{{x, "10.9.0.77"}, timeout = 0.3}\n')
  out, code = t.run_env("NETLAB_FAULT_TABLE_FULLS=1", "check", chk)
  t.eq(code, 1, "check: not as expected: " .. out)
  t.ok(out:find("x9 → 10.9.0.77: no answer (expected an answer)", 1, true), out)
  t.ok(out:find("check: " .. HINT, 1, true), "check's hint: " .. out)
  t.eq(select(2, t.run("down", "full2")), 0, "down")
end)

t.test("netlab ping: the matrix from the command line, as a grid or JSON", function()
  local out, code = t.run("ping", "--json", "--timeout", "1", "--from", "a", "--from=h1", "10.0.2.2",
    "203.0.113.1", "h2")
  local list, seen = {}, {}
  for line in out:gmatch("[^\n]+") do
    local o = t.json.decode(line)
    list[#list + 1] = {o.from, o.to}
    seen[#seen + 1] = o
  end
  t.eq(#seen, 6, "one object per probe: " .. out)
  local w = witness(list)
  for i, o in ipairs(seen) do
    t.eq(o.ok, w[i], ("%s -> %s as ping(8) says"):format(o.from, o.to))
    t.eq(o.rtt_ms ~= nil, o.ok, "rtt_ms when it answered")
    t.eq(o.why ~= nil, not o.ok, "why when it did not")
  end
  -- A target named must answer: a cannot reach h2 (r has no route there).
  t.eq(seen[3].from .. " " .. seen[3].to .. " " .. tostring(seen[3].ok), "a 192.168.70.2 false", "a -> h2")
  t.eq(code, 1, "exit code, a target not answering: " .. out)
  t.eq(seen[1].from .. " " .. seen[1].to .. " " .. tostring(seen[1].owner), "a 10.0.2.2 b:eth0", "owner")
  t.eq(seen[6].from .. " " .. seen[6].to .. " " .. tostring(seen[6].why), "h1 192.168.70.2 nil",
    "a namespace stands for its addresses")
  out, code = t.run("ping", "--from", "h1", "--timeout", "1", "h2", "203.0.113.1")
  t.eq(code, 0, "grid: exit code")
  t.ok(out:find("\nh1 +✓ +✓\n"), "the grid: " .. out)
  out, code = t.run("ping", "--bogus")
  t.eq(code, 2, "an unknown option: " .. out)
  t.ok(out:find("unknown option --bogus", 1, true) and out:find("usage: netlab ping", 1, true), out)
  out, code = t.run("ping", "--timeout", "0")
  t.eq(code, 1, "a bad timeout")
  t.ok(out:find("field 'timeout': 0 is not a number of seconds", 1, true), out)
  out, code = t.run("ping", "--from", "nosuch")
  t.eq(code, 1, "an unknown namespace")
  t.ok(out:find('namespace "nosuch": no such namespace', 1, true), out)
end)

t.test("a dry run sends nothing: it says what it would check", function()
  local path = os.tmpname()
  local f = assert(io.open(path, "w"))
  f:write('local x = ns.add("x2", {lo = true})\n' ..
    'probe.expect{{"x2", "203.0.113.1", false}, {x, "10.9.9.9"}, {"root", "203.0.113.1:80"}}\n' ..
    'print(probe.ping(x, "10.9.9.9"))\n' ..
    'print(probe.matrix{from = x, to = {"203.0.113.1"}})\n' ..
    'print(probe.udp(x, "[FD00::0001]:53"))\n')
  f:close()
  local out, code = t.run("run", "--dry-run", path)
  t.eq(code, 0, "the dry run goes through: " .. out)
  for _, want in ipairs{"! would check there is no answer in x2: ping -c1 -W1 203.0.113.1",
      "! would check in x2: ping -c1 -W1 10.9.9.9", "! would check in root: nc -z -w1 203.0.113.1 80",
      "! would probe in x2: ping -c1 -W1 10.9.9.9", "x2 → 10.9.9.9: not sent (a dry run)",
      "! would probe from 1 namespace to 1 address", "(a dry run: nothing sent)",
      "! would probe in x2: nc -u -w1 fd00::1 53", "x2 → [FD00::0001]:53: not sent (a dry run)"} do
    t.ok(out:find(want, 1, true), want .. " in:\n" .. out)
  end
  t.eq(ns.get("x2"), nil, "nothing made")
  out, code = t.run("run", path, "--help")
  os.remove(path)
  t.eq(code, 0, "run FILE --help too: " .. out)
end)

t.test("a dry run refuses a bad target with the words of a run", function()
  local bad = {
    'probe.tcp("root", "10.0.0.1:70000")', 'probe.tcp("root", "10.0.0.1")', 'probe.udp("root", "10.0.0.1")',
    'probe.ping("root", "10.0.0.1:80")', 'probe.tcp("root", "[10.0.0.1]:80")', 'probe.udp("root", "fd00::1:x")',
    'probe.expect{{"root", "10.0.0.1"}, {"root", "10.0.0.1:0"}}', 'probe.expect{{"root", 7}}',
    'probe.tcp("root", nil)',
  }
  for i, call in ipairs(bad) do
    local path = os.tmpname()
    local f = assert(io.open(path, "w"))
    f:write(call .. "\n")
    f:close()
    local out, code = t.run("run", path)
    local dout, dcode = t.run("run", "--dry-run", path)
    os.remove(path)
    local msg = out:match(":1: (bad argument[^\n]*)")
    t.ok(msg, i .. ": a run refuses it: " .. out)
    t.eq(code, 1, i .. ": run's exit code")
    t.eq(dcode, 1, i .. ": the dry run's exit code: " .. dout)
    t.eq(dout:match(":1: (bad argument[^\n]*)"), msg, i .. ": the dry run's words, for " .. call)
  end
end)

t.test("netlab check: a script's expectations against its lab as it is up", function()
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir " .. dir))
  local path = dir .. "/chk.lua"
  local f = assert(io.open(path, "w"))
  f:write('local x = ns.add("x3", {lo = true})\n' ..
    'link.veth{"e0", ns = x, up = true, addr = "10.3.0.1/24", peer = {"e1", up = true, addr = "10.3.0.2/24"}}\n' ..
    'probe.expect{{x, "10.3.0.2"}, {x, "203.0.113.1", false}}\n')
  f:close()
  local out, code = t.run("check", path)
  t.eq(code, 1, "not up yet: " .. out)
  t.ok(out:find('check: lab "chk" is not up', 1, true), out)
  out, code = t.run("run", path)
  t.eq(code, 0, "run: " .. out)
  out, code = t.run("check", path)
  t.eq(code, 0, "check: " .. out)
  t.ok(out:find('lab "chk": 2 probes as the script expects', 1, true), out)
  -- Behind the lab's back: its root end goes down, so x3 no longer reaches it.
  link.set("e1", {up = false})
  out, code = t.run("check", path)
  t.eq(code, 1, "an expectation not met: " .. out)
  t.ok(out:find("x3 → 10.3.0.2: no answer (expected an answer)", 1, true) or
    out:find("x3 → 10.3.0.2: unreachable from 10.3.0.1 (host unreachable) (expected an answer)", 1, true),
    "as ping(8) would say, after its address resolution failed or before: " .. out)
  t.ok(not out:find("rolled back", 1, true), "nothing to roll back: " .. out)
  t.eq(link.get("e1").up, false, "check changed nothing: e1 is still down")
  t.ok(ns.get("x3"), "the lab is still up")
  out, code = t.run("down", "chk")
  t.eq(code, 0, "down: " .. out)
  os.remove(path)
  os.remove(dir)
end)

t.test("bad input: a clear error before any packet is sent", function()
  local before = icmp_out_echos(a)
  t.fails(function() probe.ping("nosuch", "10.0.0.1") end, "probe.ping", "no such namespace")
  t.fails(function() probe.ping(a, "10.0.0.300") end, "bad argument #2 to 'ping'", "10.0.0.300")
  t.fails(function() probe.ping(a, "10.0.2.2:80") end, "bad argument #2 to 'ping'", "a ping takes no port")
  t.fails(function() probe.tcp(a, "10.0.2.2") end, "bad argument #2 to 'tcp'", "the port is missing")
  t.fails(function() probe.tcp(a, "10.0.2.2:0") end, "bad argument #2 to 'tcp'", "port")
  t.fails(function() probe.tcp(a, "10.0.2.2:70000") end, "bad argument #2 to 'tcp'", "port")
  for _, v in ipairs{0, -1, 0 / 0, 61, "1"} do
    t.fails(function() probe.ping(a, "10.0.2.2", {timeout = v}) end, "bad argument #3 to 'ping'",
      "field 'timeout'")
  end
  t.fails(function() probe.ping(a, "10.0.2.2", {timout = 1}) end, "unknown field 'timout' (did you mean 'timeout'?)")
  t.fails(function() probe.ping(a, "10.0.2.2", {count = 0}) end, "field 'count'")
  t.fails(function() probe.ping(a, "10.0.2.2", {size = 70000}) end, "field 'size'")
  t.fails(function() probe.ping(a, "10.0.2.2", {src = "fd01::2"}) end, "field 'src'", "family")
  t.fails(function() probe.tcp(a, "10.0.2.2:80", {count = 2}) end, "unknown field 'count'")
  t.fails(function() probe.matrix{frm = {a}} end, "bad argument #1 to 'matrix'", "did you mean 'from'")
  t.fails(function() probe.matrix{from = {a, "nosuch"}, to = {"10.0.2.2"}} end, "probe.matrix",
    "no such namespace")
  t.fails(function() probe.matrix{to = {true}} end, "bad argument #1 to 'matrix'", "field 'to'")
  t.fails(function() probe.matrix{timeout = 0} end, "bad argument #1 to 'matrix'", "field 'timeout': 0 is")
  t.fails(function() probe.expect{{a, "10.0.2.2"}, timeout = -1.5} end, "bad argument #1 to 'expect'",
    "field 'timeout': -1.5 is")
  t.fails(function() probe.expect{{a}} end, "bad argument #1 to 'expect'", "item 1: address expected")
  t.fails(function() probe.expect{"a"} end, "bad argument #1 to 'expect'", "item 1: table")
  t.fails(function() probe.expect{{a, "10.0.2.2", "yes"}} end, "bad argument #1 to 'expect'", "boolean")
  t.fails(function() probe.expect{{a, "10.0.2.2"}, {"nosuch", "10.0.2.2"}} end, "probe.expect",
    "no such namespace")
  t.eq(icmp_out_echos(a), before, "a sent no echo")
  probe.ping(a, "10.0.2.2")
  t.ok(icmp_out_echos(a) > before, "the counter counts netlab's echoes (so the check above can fail)")
end)

t.done()
