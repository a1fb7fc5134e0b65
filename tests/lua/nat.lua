-- NAT over nftables: masquerade, port forwarding and forward filtering
-- proved with real traffic between namespaces and the simulated internet,
-- with `nft -j list ruleset` as the independent witness of the rules.
local t = require "t"

-- Rules nft itself made before netlab ran, in tables netlab must never touch.
local function nft(n, ...)
  local argv = {"nft", ...}
  argv.quiet = true
  local out, code = ns.capture(n, argv)
  if code ~= 0 then error("nft " .. table.concat({...}, " ") .. " failed", 2) end
  return out
end
nft(nil, "add", "table", "ip", "filter")
nft(nil, "add", "chain", "ip", "filter", "FORWARD",
  "{ type filter hook forward priority 0; policy accept; }")
nft(nil, "add", "rule", "ip", "filter", "FORWARD", "iifname", "docker0", "accept")
nft(nil, "add", "table", "inet", "mine")
nft(nil, "add", "chain", "inet", "mine", "postrouting",
  "{ type nat hook postrouting priority 100; }")
nft(nil, "add", "rule", "inet", "mine", "postrouting", "oifname", "tun9", "masquerade")

local function ruleset(n)
  return nft(n, "-j", "list", "ruleset")
end

local canon = t.canon

-- Every item of `nft -j list ruleset` that is not of netlab's tables, in full.
local function foreign(n)
  local out = {}
  for _, item in ipairs(t.json.decode(ruleset(n)).nftables) do
    local _, v = next(item)
    if not item.metainfo and not (v.family == "inet" and (v.table or v.name) == "netlab") then
      out[#out + 1] = canon(item)
    end
  end
  return table.concat(out, "\n")
end

-- A rule's expressions as nft decodes them, written out by this test (not by netlab).
local function side(x)
  if type(x) ~= "table" then return tostring(x) end
  if x.payload then return x.payload.protocol .. " " .. x.payload.field end
  if x.meta then return x.meta.key end
  if x.ct then return "ct " .. x.ct.key end
  if x.fib then return "fib " .. table.concat(x.fib.flags, ",") .. " " .. x.fib.result end
  if x.prefix then return x.prefix.addr .. "/" .. x.prefix.len end
  if x.set then return table.concat(x.set, ",") end
  local parts = {}
  for i, v in ipairs(x) do parts[i] = tostring(v) end
  return table.concat(parts, ",")
end

local function exprs(rule)
  local out = {}
  for _, e in ipairs(rule.expr) do
    local k, v = next(e)
    if k == "match" then
      out[#out + 1] = ("%s %s %s"):format(side(v.left), v.op, side(v.right))
    elseif k == "dnat" or k == "snat" then
      out[#out + 1] = ("%s %s %s%s"):format(k, v.family or "", v.addr, v.port and ":" .. v.port or "")
    else
      out[#out + 1] = k
    end
  end
  return table.concat(out, "; ")
end

-- nft's view of one rule of netlab's, and its chain.
local function nft_rule(n, handle, tbl)
  local chains, rule = {}, nil
  for _, item in ipairs(t.json.decode(ruleset(n)).nftables) do
    if item.chain then chains[item.chain.name .. "@" .. item.chain.table] = item.chain end
    local r = item.rule
    if r and r.family == "inet" and r.table == (tbl or "netlab") and r.handle == handle then rule = r end
  end
  return rule, rule and chains[rule.chain .. "@" .. rule.table]
end

local function packets(rule)
  for _, e in ipairs(rule.expr) do
    if e.counter then return e.counter.packets end
  end
end

-- A TCP service that answers every connection with the address it came from.
local SERVER = [[
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1])))
s.listen(16)
while True:
    c, a = s.accept()
    c.sendall(a[0].encode())
    c.close()
]]

local CLIENT = [[
import socket, sys
try:
    c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2)
    print(c.recv(64).decode(), end="")
except OSError as e:
    print("error:", e)
    sys.exit(1)
]]

local function serve(n, port)
  local pid = ns.spawn(n, "python3", "-c", SERVER, tostring(port))
  -- Ready when the socket listens; a bounded wait, not a timed assertion.
  for _ = 1, 200 do
    if ns.capture(n, "ss", "-Hltn", "sport = :" .. port) ~= "" then return pid end
    netlab.sleep(0.025)
  end
  netlab.kill(pid)
  error("the test service on port " .. port .. " in " .. tostring(n) .. " did not start")
end

-- The address the service saw us come from, or nil.
local function connect(n, addr, port)
  local out, code = ns.capture(n, "python3", "-c", CLIENT, addr, tostring(port))
  if code == 0 then return out end
end

local before_foreign = foreign(nil)

-- The cool tutorial's topology, and a second network behind br1: each case
-- builds its own (t.fresh takes it away, with netlab's rules, when the case ends).
local function network()
  local br0 = bridge.add("br0", {up = true, addr = "192.168.1.10/24"})
  local cool = ns.add("cool", {lo = true})
  link.veth{"veth0", ns = cool, up = true, addr = "192.168.1.11/24",
            peer = {"br-veth0", master = br0, up = true}}
  route.add{ns = cool, dst = "default", via = "192.168.1.10"}
  local br1 = bridge.add("br1", {up = true, addr = "192.168.2.10/24"})
  local other = ns.add("other", {lo = true})
  link.veth{"veth0", ns = other, up = true, addr = "192.168.2.11/24",
            peer = {"br-veth1", master = br1, up = true}}
  route.add{ns = other, dst = "default", via = "192.168.2.10"}
  return cool, other, br0
end

t.test("masquerade: the internet is reached only with masquerade and forwarding", function()
  local _ <close> = t.fresh()
  local cool = network()
  local pid = serve("internet", 7000)
  ns.forwarding("root", false)
  t.ok(not t.ping(cool, "203.0.113.1"), "neither: unreachable")
  ns.forwarding("root", true)
  t.ok(not t.ping(cool, "203.0.113.1"), "forwarding alone: the replies have no way back")
  t.eq(connect(cool, "203.0.113.1", 7000), nil, "forwarding alone: no TCP either")
  local r = nat.masquerade{src = "192.168.1.0/24", out = "wan0"}
  ns.forwarding("root", false)
  t.ok(not t.ping(cool, "203.0.113.1"), "masquerade alone: nothing is forwarded")
  ns.forwarding("root", true)
  t.ok(t.ping(cool, "203.0.113.1"), "both: reachable")
  t.eq(connect(cool, "203.0.113.1", 7000), "203.0.113.254",
    "the internet sees the host's address, not 192.168.1.11")
  local rule, chain = nft_rule(nil, r.handle)
  t.ok(rule, "nft sees the rule by its handle")
  t.eq(exprs(rule), "ip saddr == 192.168.1.0/24; oifname == wan0; counter; masquerade", "nft's reading")
  -- This test runs as lab "nat": its rules carry the lab's name.
  t.eq(rule.comment, "netlab:nat", "tagged for nft users")
  t.eq(chain.type .. " " .. chain.hook .. " " .. chain.prio, "nat postrouting 100", "chain")
  t.ok(packets(rule) >= 2, "the rule counted the traffic: " .. packets(rule))
  t.eq(r.text, 'ip saddr 192.168.1.0/24 oifname "wan0" masquerade', "the rule as netlab prints it")
  t.eq(r.chain, "postrouting", "chain")
  netlab.kill(pid)
end)

t.test("forward_port: a service in a namespace, from the internet and from the host", function()
  local _ <close> = t.fresh()
  local cool = network()
  ns.forwarding("root", true)
  nat.masquerade{src = "192.168.1.0/24", out = "wan0"}
  local pid = serve(cool, 80)
  t.eq(connect("internet", "203.0.113.254", 8080), nil, "nothing on the host's 8080 yet")
  local rs = nat.forward_port{proto = "tcp", port = 8080, to = "192.168.1.11:80"}
  t.eq(#rs, 2, "a rule for traffic from outside and one for the host's own")
  t.eq(connect("internet", "203.0.113.254", 8080), "203.0.113.1", "from the internet")
  t.eq(connect(nil, "203.0.113.254", 8080), "203.0.113.254", "from the host itself")
  t.eq(connect(nil, "192.168.1.10", 8080), "192.168.1.10", "to another of the host's addresses")
  local pre = nft_rule(nil, rs[1].handle)
  local out = nft_rule(nil, rs[2].handle)
  t.eq(pre.chain .. " " .. out.chain, "prerouting output", "chains")
  local want = "nfproto == ipv4; fib daddr type == local; tcp dport == 8080; counter; dnat ip 192.168.1.11:80"
  t.eq(exprs(pre), want, "prerouting rule")
  t.eq(exprs(out), want, "output rule")
  t.ok(packets(pre) >= 1 and packets(out) >= 2, "both rules counted their connections")
  -- Only traffic to the host is forwarded: the same port elsewhere passes untouched.
  local far = serve("internet", 8080)
  t.eq(connect(cool, "203.0.113.1", 8080), "203.0.113.254", "cool reaches the internet's 8080")
  netlab.kill(far)
  netlab.kill(pid)
  nat.del(rs)
  t.eq(nft_rule(nil, rs[1].handle), nil, "deleted, both of them")
  t.eq(nft_rule(nil, rs[2].handle), nil, "deleted, the output one too")
end)

t.test("forward_port to one host address, and UDP", function()
  local _ <close> = t.fresh()
  local rs = nat.forward_port{proto = "udp", port = 5353, to = "192.168.1.11", addr = "203.0.113.254",
                              comment = "dns for cool"}
  local pre = nft_rule(nil, rs[1].handle)
  t.eq(exprs(pre), "ip daddr == 203.0.113.254; udp dport == 5353; counter; dnat ip 192.168.1.11",
    "matched by address, the port kept")
  t.eq(pre.comment, "dns for cool", "comment")
  rs:del()
end)

t.test("forward filtering: a drop policy and the tutorial's accept rules", function()
  local _ <close> = t.fresh()
  local cool, other, br0 = network()
  ns.forwarding("root", true)
  nat.masquerade{src = "192.168.1.0/24", out = "wan0"}
  nat.masquerade{src = "192.168.2.0/24", out = "wan0"}
  t.ok(t.ping_eventually(other, "203.0.113.1"), "other reaches the internet before the policy")
  nat.filter{policy = "drop"}
  nat.allow{iif = br0}
  nat.allow{oif = "br0"}
  t.ok(t.ping_eventually(cool, "203.0.113.1"), "in and out through br0: allowed")
  t.ok(not t.ping(other, "203.0.113.1"), "from br1: blocked by the policy")
  local pid = serve(cool, 80)
  local fwd = nat.forward_port{port = 8080, to = "192.168.1.11:80"}
  t.eq(connect("internet", "203.0.113.254", 8080), "203.0.113.1", "forwarded to br0: allowed")
  local back = nat.allow{state = {"established", "related"}}
  local r = nat.allow{iif = "br1"}
  t.ok(t.ping(other, "203.0.113.1"), "br1 allowed out, its replies as established")
  local rule, chain = nft_rule(nil, r.handle)
  t.eq(chain.policy, "drop", "nft sees the policy")
  t.eq(chain.type .. " " .. chain.hook .. " " .. chain.prio, "filter forward 0", "chain")
  t.eq(exprs(rule), "iifname == br1; counter; accept", "iif rule")
  t.eq(exprs(nft_rule(nil, back.handle)), "ct state in established,related; counter; accept",
    "state rule")
  t.ok(packets(nft_rule(nil, back.handle)) >= 1, "the replies went through the state rule")
  nat.del(r)
  t.ok(not t.ping(other, "203.0.113.1"), "blocked again once its rule is gone")
  nat.filter{policy = "accept"}
  t.ok(t.ping(other, "203.0.113.1"), "policy accept: passes")
  netlab.kill(pid)
  nat.del(fwd)
end)

-- Masquerade with src alone leaves the traffic inside src as it is: from one
-- namespace to another routed through the host, and on a bridge, where
-- br_netfilter (loaded on the host, as Docker loads it) hands even bridged
-- frames to the host's postrouting hook. Before, both reached the other side
-- from the host's address, and a bridged one's replies went on by the host's
-- ARP cache (a namespace made again was unreachable while it named the old MAC).
t.test("masquerade with src alone: not the traffic that stays inside src", function()
  local _ <close> = t.fresh()
  ns.forwarding("root", true)
  if io.open("/proc/sys/net/bridge/bridge-nf-call-iptables") then
    ns.sysctl("root", "net.bridge.bridge-nf-call-iptables", 1)
  end
  local br7 = bridge.add("br7", {up = true, addr = "10.7.1.1/24"})
  local n1, n2, n3 = ns.add("n1"), ns.add("n2"), ns.add("n3")
  link.veth{"v1", ns = n1, up = true, addr = "10.7.1.2/24", peer = {"v1-br", master = br7, up = true}}
  link.veth{"v2", ns = n2, up = true, addr = "10.7.1.3/24", peer = {"v2-br", master = br7, up = true}}
  link.veth{"v3", ns = n3, up = true, addr = "10.7.2.2/24", peer = {"v3-r", up = true, addr = "10.7.2.1/24"}}
  route.add{ns = n1, dst = "default", via = "10.7.1.1"}
  route.add{ns = n3, dst = "default", via = "10.7.2.1"}
  local r = nat.masquerade{src = "10.7.0.0/16"}
  t.eq(r.text, "ip saddr 10.7.0.0/16 ip daddr != 10.7.0.0/16 masquerade", "the rule as netlab prints it")
  t.eq(exprs(nft_rule(nil, r.handle)), "ip saddr == 10.7.0.0/16; ip daddr != 10.7.0.0/16; counter; masquerade",
    "nft's reading")
  local p2, p3, pi = serve(n2, 7002), serve(n3, 7003), serve("internet", 7004)
  t.eq(connect(n1, "10.7.1.3", 7002), "10.7.1.2", "on the bridge: n2 sees n1's own address")
  t.eq(connect(n1, "10.7.2.2", 7003), "10.7.1.2", "routed: n3 sees n1's own address")
  t.eq(connect(n1, "203.0.113.1", 7004), "203.0.113.254", "to the internet: masqueraded")
  netlab.kill(p2)
  netlab.kill(p3)
  netlab.kill(pi)
  r:del()
  for _, l in ipairs{"v1-br", "v2-br", "v3-r", "br7"} do link.del(l) end
  for _, n in ipairs{n1, n2, n3} do ns.del(n) end
end)

t.test("list: netlab's rules, or the whole ruleset, readable and with handles", function()
  local _ <close> = t.fresh()
  local cool = network()
  ns.forwarding("root", true)
  nat.masquerade{src = "192.168.1.0/24", out = "wan0"}
  nat.allow{iif = "br0"}
  t.ok(t.ping_eventually(cool, "203.0.113.1"), "traffic through br0, for the counter")
  local list = nat.list()
  t.eq(#list.tables, 1, "one table")
  t.ok(list.tables[1].netlab, "netlab's")
  local seen = {}
  for _, r in ipairs(list) do seen[r.chain .. ": " .. r.text] = r end
  t.ok(seen['postrouting: ip saddr 192.168.1.0/24 oifname "wan0" masquerade'], "masquerade listed")
  t.ok(seen['forward: iifname "br0" accept'], "accept listed")
  t.ok(seen['forward: iifname "br0" accept'].packets > 0, "with its counter")
  local text = tostring(list)
  t.ok(text:find("table inet netlab {", 1, true), text)
  t.ok(text:find("type filter hook forward priority 0; policy accept;", 1, true), text)
  t.ok(text:find('iifname "br0" accept comment "netlab:nat" # handle %d+'), text)
  local all = tostring(nat.list{all = true})
  t.ok(all:find('table ip filter {', 1, true), all)
  t.ok(all:find('iifname "docker0" accept # handle', 1, true), all)
  t.ok(all:find('oifname "tun9" masquerade # handle', 1, true), all)
  local cnt = 0
  for _, r in ipairs(nat.list{all = true}) do
    if r.table ~= "netlab" then cnt = cnt + 1 end
  end
  t.eq(cnt, 2, "the foreign rules are listed too")
  t.eq(#nat.list{ns = cool}, 0, "nothing in cool")
  t.eq(#nat.list{table = "nosuch"}.tables, 0, "no such table: empty")
end)

t.test("a table netlab did not make is never touched", function()
  local _ <close> = t.fresh()
  local before = ruleset(nil)
  t.fails(function() nat.masquerade{src = "10.9.0.0/16", table = "mine"} end,
    "nat.masquerade: table inet mine: a table of that name exists and netlab did not make it (EEXIST)")
  t.fails(function() nat.flush{table = "mine"} end, "table inet mine", "EEXIST")
  t.fails(function() nat.del(1, {table = "mine"}) end, "table inet mine", "EEXIST")
  t.eq(ruleset(nil), before, "nothing changed")
end)

t.test("a batch with one bad rule leaves the ruleset exactly as before", function()
  local _ <close> = t.fresh()
  local a = nat.allow{iif = "br5"}
  local b = nat.allow{iif = "br6"}
  -- b goes behind netlab's back, so only the kernel can find out.
  nft(nil, "delete", "rule", "inet", "netlab", "forward", "handle", tostring(b.handle))
  local before = ruleset(nil)
  t.fails(function() nat.del{a, b} end,
    ("nat.del: forward rule %d 'iifname \"br6\" accept' of table inet netlab: "):format(b.handle),
    "(ENOENT)")
  t.eq(ruleset(nil), before, "nft -j list ruleset unchanged")
  t.ok(nft_rule(nil, a.handle), "the good rule of the batch is still there")
  t.fails(function() nat.del(9999) end, "nat.del: a rule 9999 of table inet netlab: no such rule (ENOENT)")
  a:del()
  t.eq(nft_rule(nil, a.handle), nil, "deleted by itself")
end)

t.test("each namespace has its own rules, in tables of any name", function()
  local _ <close> = t.fresh()
  local cool = network()
  local r = nat.masquerade{ns = cool, out = "veth0", table = "lab1"}
  t.eq(r.ns.name, "cool", "the rule knows its namespace")
  t.eq(exprs(nft_rule("cool", r.handle, "lab1")), "oifname == veth0; counter; masquerade", "in cool")
  t.eq(nft_rule(nil, r.handle, "lab1"), nil, "not in root")
  local r6 = nat.masquerade{ns = cool, src = "fd52::/64", out = "veth0", table = "lab1"}
  t.eq(exprs(nft_rule("cool", r6.handle, "lab1")),
    "ip6 saddr == fd52::/64; oifname == veth0; counter; masquerade", "IPv6")
  t.ok(tostring(r6):find('in "cool"', 1, true), tostring(r6))
  nat.flush{ns = cool, table = "lab1"}
  t.eq(#nat.list{ns = cool, all = true}.tables, 0, "flushed: no table left in cool")
  nat.flush{ns = cool, table = "lab1"} -- nothing left to flush is not an error
end)

t.test("bad arguments are refused before anything reaches the kernel", function()
  local _ <close> = t.fresh()
  local before = ruleset(nil)
  t.fails(function() nat.masquerade{src = "192.168.52.0/33"} end,
    "bad argument #1 to 'masquerade' (field 'src': invalid CIDR \"192.168.52.0/33\" (prefix longer than 32))")
  t.fails(function() nat.masquerade{src = "192.168.52.1/24"} end, "host bits set; the network is 192.168.52.0/24")
  t.fails(function() nat.masquerade{src = "nonsense"} end, "invalid CIDR")
  t.fails(function() nat.masquerade{out = "0123456789abcdef"} end,
    "field 'out': invalid interface name \"0123456789abcdef\" (longer than 15 bytes)")
  t.fails(function() nat.masquerade{} end, "field 'src' or 'out' missing")
  t.fails(function() nat.masquerade{source = "10.0.0.0/8"} end, "unknown field 'source'")
  t.fails(function() nat.masquerade("10.0.0.0/8") end, "table of options expected, got string")
  t.fails(function() nat.masquerade{out = "eth0", table = "bad name"} end, "field 'table': invalid table name")
  t.fails(function() nat.masquerade{out = "eth0", comment = ("x"):rep(200)} end, "field 'comment'")
  t.fails(function() nat.forward_port{port = 0, to = "192.168.1.11:80"} end,
    "bad argument #1 to 'forward_port' (field 'port': invalid port 0 (1 to 65535))")
  t.fails(function() nat.forward_port{port = 70000, to = "192.168.1.11:80"} end, "invalid port 70000")
  t.fails(function() nat.forward_port{port = "80", to = "192.168.1.11:80"} end, "field 'port': integer expected")
  t.fails(function() nat.forward_port{proto = "icmp", port = 80, to = "192.168.1.11"} end,
    "field 'proto': invalid protocol \"icmp\" (tcp or udp)")
  t.fails(function() nat.forward_port{port = 80} end, "field 'to' missing")
  t.fails(function() nat.forward_port{to = "192.168.1.11"} end, "field 'port' missing")
  t.fails(function() nat.forward_port{port = 80, to = "192.168.1.11:0"} end, "port out of range")
  t.fails(function() nat.forward_port{port = 80, to = "192.168.1.0/24"} end, "field 'to': invalid address")
  t.fails(function() nat.forward_port{port = 80, to = "fd00::2", addr = "203.0.113.254"} end,
    "different families")
  t.fails(function() nat.allow{} end, "nothing to match")
  t.fails(function() nat.allow{state = "established,bogus"} end, "field 'state': invalid state")
  t.fails(function() nat.allow{iif = "a/b"} end, "contains '/'")
  t.fails(function() nat.allow{src = "10.0.0.0/8", dst = "fd00::/8"} end, "different families")
  t.fails(function() nat.filter{} end, "field 'policy' missing")
  t.fails(function() nat.filter{policy = "reject"} end, "\"accept\" or \"drop\" expected")
  t.fails(function() nat.del("x") end, "a rule, a handle or a list of them expected, got string")
  t.fails(function() nat.del({}) end, "got an empty table")
  t.fails(function() nat.del(0) end, "invalid rule handle")
  t.fails(function() nat.del(1.5) end, "invalid rule handle")
  t.fails(function() nat.list{ns = "nosuch"} end, 'namespace "nosuch": no such namespace (ENOENT)')
  t.eq(ruleset(nil), before, "the ruleset is as it was")
end)

t.test("flush removes netlab's table and only it", function()
  local _ <close> = t.fresh()
  nat.masquerade{src = "192.168.1.0/24", out = "wan0"}
  nat.filter{policy = "drop"}
  t.ok(nft_rule(nil, nat.allow{iif = "br0"}.handle), "netlab's table is there to flush")
  nat.flush()
  for _, item in ipairs(t.json.decode(ruleset(nil)).nftables) do
    t.ok(not (item.table and item.table.name == "netlab"), "no netlab table left")
  end
  t.eq(foreign(nil), before_foreign, "nft's own tables, chains and rules are all still there")
  t.ok(ruleset(nil):find('"docker0"', 1, true), "nft's rule still there")
  nat.flush()
end)

t.done()
