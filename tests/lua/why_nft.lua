-- netlab.why_nft: the nftables verdict at one hook, worked out from the
-- model, for rules made by netlab, by plain nft and by iptables as the
-- tutorials type it. Every verdict is held to reality: a real ping or TCP
-- connection through the same path passes exactly when the verdicts on its
-- way (and its reply's) are accept, and a translation is what the far side
-- (a listener, conntrack) sees.
local t = require "t"
local W = require "netlab.why_nft"

-- The verdict at hook of the sandbox's root, the router here.
local function verdict(hook, pkt)
  return W.verdict(netlab.state("root")[1], hook, pkt)
end

-- The path of the cases: cool (192.168.1.11) on br0 and other (192.168.2.11)
-- on br1, both routed by root to the internet (203.0.113.1, behind wan0).
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
  ns.forwarding("root", true)
  return cool, other
end

-- The packets: cool's echo on its way out, its reply on the way back.
local OUT = {src = "192.168.1.11", dst = "203.0.113.1", iif = "br0", oif = "wan0"}
local BACK = {src = "203.0.113.1", dst = "192.168.1.11", iif = "wan0", oif = "br0", ct = "established"}
local OTHER = {src = "192.168.2.11", dst = "203.0.113.1", iif = "br1", oif = "wan0"}

local function with(pkt, changes)
  local p = {}
  for k, v in pairs(pkt) do p[k] = v end
  for k, v in pairs(changes) do p[k] = v end
  return p
end

-- Whether a ping passes: a few tries where it should (a lab just built can
-- lose the first), one where it should not (a drop never lets one through).
local function pings(n, addr, want)
  for _ = 1, want and 3 or 1 do
    if probe.ping(n, addr, {timeout = 1}).ok then return true end
  end
  return false
end

-- A verdict and reality: the ping passes exactly when every verdict is accept.
local function agree(n, addr, verdicts, what)
  local all = true
  for _, v in ipairs(verdicts) do all = all and v.verdict == "accept" end
  t.eq(pings(n, addr, all), all, what .. ": a real ping " .. (all and "passes" or "is stopped"))
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
    sys.exit(1)
]]

local function serve(n, port)
  local pid = ns.spawn(n, "python3", "-c", SERVER, tostring(port))
  for _ = 1, 200 do
    if ns.capture(n, "ss", "-Hltn", "sport = :" .. port) ~= "" then return pid end
    netlab.sleep(0.025)
  end
  netlab.kill(pid)
  error("the test service on port " .. port .. " did not start")
end

-- The address the far side saw the connection come from, or nil.
local function seen_from(n, addr, port)
  local out, code = ns.capture(n, "python3", "-c", CLIENT, addr, tostring(port))
  if code == 0 then return out end
end

-- t.fresh, and the tables nft and iptables made in root taken away too.
local function fresh()
  local before = {}
  for _, x in ipairs(nat.list{all = true}.tables) do before[x.family .. " " .. x.name] = true end
  local f = t.fresh()
  return setmetatable({}, {__close = function()
    for _, x in ipairs(nat.list{all = true}.tables) do
      if not before[x.family .. " " .. x.name] and x.name ~= "netlab" then
        t.sh("nft delete table " .. x.family .. " " .. x.name)
      end
    end
    getmetatable(f).__close(f)
  end})
end

-- nft -f with the rules given (what a learner's file or `nft -f -` holds).
local function nft_file(text)
  local path = os.tmpname()
  local f = assert(io.open(path, "w"))
  f:write(text)
  f:close()
  local out, code = t.sh("nft -f " .. path)
  os.remove(path)
  if code ~= 0 then error("nft -f failed: " .. out .. "\n" .. text, 2) end
end

local function has_conntrack()
  return select(2, t.sh("command -v conntrack")) == 0
end

t.test("netlab's rules: masquerade, a drop policy, the accept rules and the replies", function()
  local _ <close> = fresh()
  local cool, other = network()
  local v = verdict("forward", OUT)
  t.eq(v.verdict, "accept", "no rules: accept")
  t.eq(#v.chains, 0, "no chain at the hook")
  t.eq(v.nat, nil, "nothing translates")
  nat.masquerade{src = "192.168.1.0/24", out = "wan0"}
  v = verdict("postrouting", OUT)
  t.eq(v.verdict, "accept", "masquerade accepts")
  t.eq(v.nat and v.nat.kind, "masquerade", "masquerade found")
  t.eq(v.nat.table .. " " .. v.nat.chain, "netlab postrouting", "in netlab's chain")
  t.eq(v.nat.rule, 'ip saddr 192.168.1.0/24 oifname "wan0" masquerade', "the rule")
  t.eq(v.nat.addr, "203.0.113.254", "to wan0's address")
  local pid = serve("internet", 7004)
  t.ok(pings(cool, "203.0.113.1", true), "cool reaches the internet")
  t.eq(seen_from(cool, "203.0.113.1", 7004), v.nat.addr, "the far side sees the masqueraded address")
  netlab.kill(pid)
  t.eq(verdict("postrouting", OTHER).nat, nil, "other's subnet is not masqueraded")
  agree(other, "203.0.113.1", {{verdict = "drop"}}, "other without masquerade (the reply has no way back)")
  nat.masquerade{src = "192.168.2.0/24", out = "wan0"}
  t.eq(verdict("postrouting", OTHER).nat.kind, "masquerade", "other's masqueraded now")

  nat.filter{policy = "drop"}
  v = verdict("forward", OUT)
  t.eq(v.verdict, "drop", "policy drop")
  t.ok(v.policy, "the policy decided")
  t.eq(v.table .. " " .. v.chain, "netlab forward", "netlab's forward chain")
  t.eq(v.rule, nil, "no rule")
  agree(cool, "203.0.113.1", {v}, "policy drop")
  nat.allow{iif = "br0", oif = "wan0"}
  local out, back = verdict("forward", OUT), verdict("forward", BACK)
  t.eq(out.verdict, "accept", "out through br0 → wan0: accepted")
  t.eq(out.rule, 'iifname "br0" oifname "wan0" accept', "by its rule")
  t.eq(back.verdict .. " " .. tostring(back.policy), "drop true", "the reply: the policy drops it")
  agree(cool, "203.0.113.1", {out, back}, "out accepted, the reply dropped")
  nat.allow{state = "established,related"}
  out, back = verdict("forward", OUT), verdict("forward", BACK)
  t.eq(back.verdict, "accept", "the reply, established: accepted")
  t.eq(back.rule, "ct state established,related accept", "by the state rule")
  t.eq(verdict("forward", with(BACK, {ct = "new"})).verdict, "drop",
    "a new connection from the internet is not established")
  agree(cool, "203.0.113.1", {out, back}, "both ways accepted")
  local o = verdict("forward", OTHER)
  t.eq(o.verdict, "drop", "other: dropped by the policy")
  agree(other, "203.0.113.1", {o}, "other, by the policy")
end)

t.test("netlab's forward_port: the dnat the far side answers from", function()
  local _ <close> = fresh()
  local cool = network()
  nat.masquerade{src = "192.168.1.0/24", out = "wan0"}
  local pid = serve(cool, 80)
  local IN = {src = "203.0.113.1", dst = "203.0.113.254", proto = "tcp", sport = 40000, dport = 8080,
              iif = "wan0"}
  t.eq(verdict("prerouting", IN).nat, nil, "before: no dnat")
  t.eq(seen_from("internet", "203.0.113.254", 8080), nil, "and nothing answers on 8080")
  nat.forward_port{proto = "tcp", port = 8080, to = "192.168.1.11:80"}
  local v = verdict("prerouting", IN)
  t.eq(v.verdict, "accept", "accepted")
  t.eq(v.nat and v.nat.kind, "dnat", "dnat")
  t.eq(v.nat.to, "192.168.1.11:80", "to")
  t.eq(v.nat.addr .. " " .. v.nat.port, "192.168.1.11 80", "address and port")
  t.eq(v.nat.rule, "meta nfproto ipv4 fib daddr type local tcp dport 8080 dnat ip to 192.168.1.11:80",
    "netlab's rule, fib daddr type local evaluated")
  t.eq(seen_from("internet", "203.0.113.254", 8080), "203.0.113.1", "cool's service answers")
  t.ok(probe.tcp("internet", "203.0.113.254:8080").ok, "probe.tcp agrees")
  if has_conntrack() then
    local ct = t.sh_ok("conntrack -L -p tcp --orig-port-dst 8080 2>/dev/null")
    t.ok(ct:find("src=192.168.1.11 dst=203.0.113.1 sport=80", 1, true), "conntrack: " .. ct)
  end
  t.eq(verdict("prerouting", with(IN, {dport = 8081})).nat, nil, "another port: none")
  t.eq(verdict("prerouting", with(IN, {dst = "203.0.113.9"})).nat, nil,
    "an address not the router's own: none")
  t.eq(verdict("prerouting", with(IN, {ct = "established"})).nat, nil,
    "a packet after the first: nat chains are not run")
  t.eq(verdict("prerouting", with(IN, {proto = "udp"})).nat, nil, "udp: none")
  v = verdict("output", {src = "203.0.113.254", dst = "203.0.113.254", proto = "tcp", dport = 8080})
  t.eq(v.nat and v.nat.chain, "output", "the router's own connection: dnat in output")
  t.eq(seen_from(nil, "203.0.113.254", 8080), "203.0.113.254", "and it is answered")
  netlab.kill(pid)
end)

t.test("iptables as the tutorials type it: FORWARD DROP, ACCEPT rules, conntrack, MASQUERADE, DNAT, REJECT", function()
  local _ <close> = fresh()
  local cool, other = network()
  t.sh_ok("iptables -t nat -A POSTROUTING -s 192.168.1.0/24 -j MASQUERADE")
  local v = verdict("postrouting", OUT)
  t.eq(v.nat and v.nat.kind, "masquerade", "MASQUERADE read")
  t.eq(v.nat.table .. " " .. v.nat.chain .. " " .. v.nat.family, "nat POSTROUTING ip", "where")
  t.eq(v.nat.rule, "ip saddr 192.168.1.0/24 masquerade", "the rule as nft prints it")
  local pid = serve("internet", 7004)
  local pid5 = serve("internet", 7005)
  t.ok(pings(cool, "203.0.113.1", true), "cool reaches the internet")
  t.eq(seen_from(cool, "203.0.113.1", 7004), v.nat.addr, "the far side sees the masqueraded address")
  t.eq(verdict("postrouting", OTHER).nat, nil, "other: not masqueraded")

  t.sh_ok("iptables -P FORWARD DROP")
  v = verdict("forward", OUT)
  t.eq(v.verdict, "drop", "-P FORWARD DROP")
  t.ok(v.policy, "by the policy")
  t.eq(v.family .. " " .. v.table .. " " .. v.chain, "ip filter FORWARD", "iptables' chain")
  agree(cool, "203.0.113.1", {v}, "FORWARD DROP")
  t.sh_ok("iptables -A FORWARD -i br0 -o wan0 -j ACCEPT")
  local out, back = verdict("forward", OUT), verdict("forward", BACK)
  t.eq(out.verdict, "accept", "-i br0 -o wan0 -j ACCEPT")
  t.eq(out.rule, 'iifname "br0" oifname "wan0" accept', "the rule")
  t.eq(back.verdict, "drop", "the reply still dropped")
  agree(cool, "203.0.113.1", {out, back}, "only the way out accepted")
  t.sh_ok("iptables -A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT")
  out, back = verdict("forward", OUT), verdict("forward", BACK)
  t.eq(back.verdict, "accept", "--ctstate RELATED,ESTABLISHED accepts the reply")
  t.eq(back.rule, "ct state established,related accept", "the rule")
  agree(cool, "203.0.113.1", {out, back}, "both ways")
  agree(other, "203.0.113.1", {verdict("forward", OTHER)}, "other: not by those rules")

  t.sh_ok("iptables -I FORWARD 1 -p tcp --dport 7004 -j REJECT")
  local tcp = with(OUT, {proto = "tcp", sport = 40000, dport = 7004})
  v = verdict("forward", tcp)
  t.eq(v.verdict, "reject", "-p tcp --dport 7004 -j REJECT")
  t.eq(v.rule, "tcp dport 7004 reject", "the rule")
  t.ok(not probe.tcp(cool, "203.0.113.1:7004").ok, "a real connection is refused")
  v = verdict("forward", with(tcp, {dport = 7005}))
  t.eq(v.verdict, "accept", "another port: accepted")
  t.ok(probe.tcp(cool, "203.0.113.1:7005").ok, "a real connection passes")
  netlab.kill(pid)
  netlab.kill(pid5)

  local web = serve(cool, 80)
  t.sh_ok("iptables -t nat -A PREROUTING -p tcp --dport 8080 -j DNAT --to-destination 192.168.1.11:80")
  local IN = {src = "203.0.113.1", dst = "203.0.113.254", proto = "tcp", sport = 40000, dport = 8080,
              iif = "wan0"}
  v = verdict("prerouting", IN)
  t.eq(v.nat and v.nat.kind, "dnat", "-j DNAT read")
  t.eq(v.nat.rule, "tcp dport 8080 dnat to 192.168.1.11:80", "the rule as nft prints it")
  t.eq(v.nat.addr .. ":" .. v.nat.port, "192.168.1.11:80", "where to")
  local fwd = verdict("forward", {src = "203.0.113.1", dst = v.nat.addr, proto = "tcp", dport = v.nat.port,
                                  iif = "wan0", oif = "br0"})
  t.eq(fwd.verdict, "drop", "but FORWARD drops the translated packet")
  t.ok(not probe.tcp("internet", "203.0.113.254:8080").ok, "so a real connection does not pass")
  t.sh_ok("iptables -A FORWARD -i wan0 -o br0 -p tcp --dport 80 -j ACCEPT")
  fwd = verdict("forward", {src = "203.0.113.1", dst = v.nat.addr, proto = "tcp", dport = v.nat.port,
                            iif = "wan0", oif = "br0"})
  t.eq(fwd.verdict, "accept", "accepted once FORWARD allows it")
  t.eq(seen_from("internet", "203.0.113.254", 8080), "203.0.113.1", "cool's service answers")
  netlab.kill(web)
  t.sh_ok("iptables -P FORWARD ACCEPT")
end)

t.test("plain nft: chains by priority, accept ends one chain only, jump, goto, return, prefixes", function()
  local _ <close> = fresh()
  local cool = network()
  nat.masquerade{src = "192.168.1.0/24", out = "wan0"}
  local pid = serve("internet", 7004)
  nft_file([[
table ip late {
  chain fw { type filter hook forward priority 10; policy accept; ip saddr 192.168.1.0/24 jump sub; }
  chain sub { tcp dport 7004 return; meta l4proto icmp drop; }
}
table inet early {
  chain fw { type filter hook forward priority -10; policy accept; accept; }
}
]])
  local v = verdict("forward", OUT)
  t.eq(v.verdict, "drop", "the later chain drops what the earlier accepted")
  t.eq(v.table .. " " .. v.chain, "late sub", "in the chain it jumped to")
  t.eq(v.rule, "meta l4proto icmp drop", "the rule")
  t.eq(#v.chains, 2, "both base chains crossed")
  t.eq(v.chains[1].table .. " " .. v.chains[1].verdict, "early accept", "by priority: early first")
  agree(cool, "203.0.113.1", {v}, "ICMP dropped in late")
  v = verdict("forward", with(OUT, {proto = "tcp", sport = 40000, dport = 7004}))
  t.eq(v.verdict, "accept", "tcp 7004 returns from sub and meets the policy")
  t.ok(v.policy, "late's policy")
  t.ok(probe.tcp(cool, "203.0.113.1:7004").ok, "a real connection passes")
  nft_file([[
flush chain ip late sub
add chain ip late gone
add rule ip late sub oifname "wa*" goto gone
add rule ip late sub drop
add rule ip late gone ip daddr != 203.0.113.0/24 drop
add rule ip late gone tcp dport >= 7000 tcp dport <= 7003 reject
]])
  v = verdict("forward", OUT)
  t.eq(v.verdict, "accept", "goto: the end of gone returns past fw's jump, to fw's policy")
  t.ok(v.policy, "the policy")
  agree(cool, "203.0.113.1", {v}, "ICMP through goto")
  v = verdict("forward", with(OUT, {oif = "eth9"}))
  t.eq(v.verdict .. " " .. v.chain, "drop sub", "another oifname: not \"wa*\"")
  v = verdict("forward", with(OUT, {dst = "198.51.100.1"}))
  t.eq(v.verdict .. " " .. v.rule, "drop ip daddr != 203.0.113.0/24 drop", "!= prefix")
  v = verdict("forward", with(OUT, {proto = "tcp", dport = 7002}))
  t.eq(v.verdict, "reject", "a port range")
  v = verdict("forward", with(OUT, {proto = "tcp", dport = 7004}))
  t.eq(v.verdict, "accept", "outside the range")
  t.ok(probe.tcp(cool, "203.0.113.1:7004").ok, "a real connection passes")
  netlab.kill(pid)
end)

t.test("what cannot be evaluated is listed, never guessed", function()
  local _ <close> = fresh()
  nft_file([[
table inet f {
  chain fw { type filter hook forward priority 0; policy accept;
    tcp dport { 7004, 7005 } drop
    meta mark 0x1 drop
    ip saddr 10.9.0.0/16 meta mark 0x1 drop
  }
}
]])
  local v = verdict("forward", with(OUT, {proto = "tcp", dport = 7004}))
  t.eq(v.verdict, "accept", "taken as not matching")
  t.eq(#v.unknown, 2, "the set and the mark rule listed")
  t.eq(v.unknown[1].rule, "tcp dport @__set0 drop", "the set rule")
  t.ok(v.unknown[1].why:find("set", 1, true), "why: " .. v.unknown[1].why)
  t.eq(v.unknown[1].table .. " " .. v.unknown[1].chain, "f fw", "where")
  t.ok(v.unknown[2].rule:find("meta mark", 1, true), "the mark rule")
  v = verdict("forward", OUT)
  t.eq(#v.unknown, 1, "ICMP: a tcp match settles the set rule; the source the third")
end)

t.test("families, hooks and arguments", function()
  local _ <close> = fresh()
  t.sh_ok("ip6tables -P FORWARD DROP")
  t.sh_ok("iptables -N MINE && iptables -A FORWARD -j MINE")
  local v6 = {src = "fd00::1", dst = "fd00:1::1", iif = "br0", oif = "wan0"}
  t.eq(verdict("forward", v6).verdict, "drop", "ip6tables' policy: IPv6")
  t.eq(verdict("forward", v6).family, "ip6", "in ip6 filter")
  t.eq(verdict("forward", OUT).verdict, "accept", "IPv4 is not ip6's")
  t.eq(verdict("input", OUT).verdict, "accept", "another hook: not forward's")
  for _, c in ipairs(netlab.state("root")[1].nftables.chains) do
    if c.name == "MINE" then
      t.eq(c.hook, nil, "a regular chain has no hook")
      t.eq(c.policy, nil, "and no policy")
    end
  end
  t.sh_ok("ip6tables -P FORWARD ACCEPT")
  t.fails(function() verdict("ingress", OUT) end, "bad argument #2", "hook \"ingress\"")
  t.fails(function() W.verdict(nil, "forward", OUT) end, "bad argument #1")
  t.fails(function() verdict("forward", "x") end, "bad argument #3")
end)

t.done()
