-- The bundled tutorial scripts: each builds exactly its tutorial's corrected
-- intent (compared with the state before, fact by fact), reaches what it
-- should and nothing more, takes parameters, and goes away with down.
local t = require "t"

local run = t.run

-- The expected facts, sorted and each once (t.delta compares sets of lines).
local function lines(text)
  local out, seen = {}, {}
  for l in text:gmatch("[^\n]+") do
    l = l:gsub("^%s+", "")
    if l ~= "" and not seen[l] then
      seen[l] = true
      out[#out + 1] = l
    end
  end
  table.sort(out)
  return table.concat(out, "\n")
end

local base = t.dump(true)

-- One case's own build of a script; closing it takes the lab down (once:
-- lab.down() does it earlier and gives down's output and code).
local function build(name, words)
  local out, code = run("run", "scripts/" .. name .. ".lua", table.unpack(words))
  t.eq(code, 0, "run: " .. out)
  local lab = {out = out}
  function lab.down()
    if lab.is_down then return end
    lab.is_down = true
    return run("down", name)
  end
  return setmetatable(lab, {__close = lab.down})
end

-- Three cases for a script, each building it for itself: the facts it adds,
-- the pings, and the kernel after down.
local function check(name, words, want, reach)
  local label = name .. (#words > 0 and " " .. table.concat(words, " ") or "")
  t.test(label .. ": builds exactly the corrected intent", function()
    if t.refused_script(name) then return end
    local lab <close> = build(name, words)
    t.ok(lab.out:find("== ", 1, true), "prints what it built")
    local added, removed = t.delta(base, t.dump(true))
    t.eq(table.concat(removed, "\n"), "", "nothing that was there is gone")
    t.eq(table.concat(added, "\n"), lines(want), "what was added")
  end)
  t.test(label .. ": reachability", function()
    if t.refused_script(name) then return end
    local _ <close> = build(name, words)
    local wrong = {}
    -- What must answer first, given the time a lab just built needs on a
    -- loaded machine; then what must not, on a network shown to be up.
    for _, want in ipairs{true, false} do
      for _, r in ipairs(reach) do
        local from, to, ok = r[1], r[2], r[3]
        if ok == want then
          local got
          if ok then got = t.ping_eventually(from, to) else got = t.ping(from, to) end
          if got ~= ok then
            wrong[#wrong + 1] = ("%s -> %s should %s"):format(from, to, ok and "answer" or "not answer")
          end
        end
      end
    end
    t.eq(table.concat(wrong, "; "), "", "pings")
  end)
  t.test(label .. ": down leaves the kernel as it was", function()
    if t.refused_script(name) then return end
    local lab <close> = build(name, words)
    local out, code = lab.down()
    t.eq(code, 0, "down: " .. out)
    local added, removed = t.delta(base, t.dump(true))
    t.eq(table.concat(added, "\n") .. table.concat(removed, "\n"), "", "difference")
  end)
end

check("con1", {}, [[
  ns con1
  con1 addr veth2 172.17.0.2/32
  con1 link lo loopback up
  con1 link veth2 veth up peer=veth1@root
  con1 route default via 172.17.0.2 dev veth2
  root link veth1 veth up peer=veth2@con1 alias=netlab:con1
  root route 172.17.0.2/32 dev veth1 scope link
]], {
  {"root", "172.17.0.2", true},
  {"con1", "127.0.0.1", true},
  {"con1", "203.0.113.1", false},
})

check("con1_bridge", {}, [[
  ns con1
  ns con2
  con1 addr veth2 172.17.0.2/24
  con1 link lo loopback up
  con1 link veth2 veth up peer=veth1@root
  con1 route default via 172.17.0.1 dev veth2
  con2 addr veth4 172.17.0.3/24
  con2 link lo loopback up
  con2 link veth4 veth up peer=veth3@root
  con2 route default via 172.17.0.1 dev veth4
  root addr br0 172.17.0.1/24
  root link br0 bridge up alias=netlab:con1_bridge
  root link veth1 veth up master=br0 peer=veth2@con1 alias=netlab:con1_bridge
  root link veth3 veth up master=br0 peer=veth4@con2 alias=netlab:con1_bridge
]], {
  {"con1", "172.17.0.3", true},
  {"con2", "172.17.0.2", true},
  {"con1", "172.17.0.1", true},
  {"root", "172.17.0.3", true},
  {"con1", "203.0.113.1", false},
})

check("pod", {}, [[
  ns test
  root addr test0 10.244.0.1/24
  root link test0 bridge up alias=netlab:pod
  root link testveth0 veth up master=test0 peer=eth0@test alias=netlab:pod
  test addr eth0 10.244.0.2/24
  test link eth0 veth up peer=testveth0@root
  test link lo loopback down
  test route default via 10.244.0.1 dev eth0
]], {
  {"test", "10.244.0.1", true},
  {"root", "10.244.0.2", true},
  {"test", "203.0.113.1", false},
})

check("pod", {"ns=p2", "bridge=pb0", "subnet=10.250.3.0/24"}, [[
  ns p2
  p2 addr eth0 10.250.3.2/24
  p2 link eth0 veth up peer=testveth0@root
  p2 link lo loopback down
  p2 route default via 10.250.3.1 dev eth0
  root addr pb0 10.250.3.1/24
  root link pb0 bridge up alias=netlab:pod
  root link testveth0 veth up master=pb0 peer=eth0@p2 alias=netlab:pod
]], {
  {"p2", "10.250.3.1", true},
})

check("multinode", {}, [[
  ns node1
  ns node2
  ns pod1
  ns pod2
  node1 addr ens3 192.0.2.1/24
  node1 addr test0 10.244.1.1/24
  node1 link ens3 veth up peer=ens3@node2
  node1 link lo loopback down
  node1 link test0 bridge up
  node1 link testveth0 veth up master=test0 peer=eth0@pod1
  node1 route 10.244.2.0/24 via 192.0.2.2 dev ens3
  node1 sysctl net.ipv4.ip_forward=1
  node2 addr ens3 192.0.2.2/24
  node2 addr test0 10.244.2.1/24
  node2 link ens3 veth up peer=ens3@node1
  node2 link lo loopback down
  node2 link test0 bridge up
  node2 link testveth0 veth up master=test0 peer=eth0@pod2
  node2 route 10.244.1.0/24 via 192.0.2.1 dev ens3
  node2 sysctl net.ipv4.ip_forward=1
  pod1 addr eth0 10.244.1.2/24
  pod1 link eth0 veth up peer=testveth0@node1
  pod1 link lo loopback down
  pod1 route default via 10.244.1.1 dev eth0
  pod2 addr eth0 10.244.2.2/24
  pod2 link eth0 veth up peer=testveth0@node2
  pod2 link lo loopback down
  pod2 route default via 10.244.2.1 dev eth0
]], {
  {"pod1", "10.244.2.2", true},
  {"pod2", "10.244.1.2", true},
  {"pod1", "192.0.2.2", true},
  {"node1", "10.244.2.2", true},
  {"pod1", "203.0.113.1", false},
  {"root", "10.244.1.2", false},
})

check("red_blue", {}, [[
  ns blue
  ns red
  blue addr veth-blue 192.168.15.2/24
  blue link lo loopback down
  blue link veth-blue veth up peer=veth-red@red
  red addr veth-red 192.168.15.1/24
  red link lo loopback down
  red link veth-red veth up peer=veth-blue@blue
]], {
  {"red", "192.168.15.2", true},
  {"blue", "192.168.15.1", true},
  {"red", "203.0.113.1", false},
})

check("red_blue", {"ns1=r2", "ns2=b2", "subnet=10.15.0.0/30"}, [[
  ns b2
  ns r2
  b2 addr veth-b2 10.15.0.2/30
  b2 link lo loopback down
  b2 link veth-b2 veth up peer=veth-r2@r2
  r2 addr veth-r2 10.15.0.1/30
  r2 link lo loopback down
  r2 link veth-r2 veth up peer=veth-b2@b2
]], {
  {"r2", "10.15.0.2", true},
})

check("two_lans", {}, [[
  ns a1
  ns a2
  ns b1
  ns b2
  ns router
  a1 addr veth-a1 10.1.0.2/24
  a1 link lo loopback down
  a1 link veth-a1 veth up peer=veth-a1-br@router
  a1 route default via 10.1.0.1 dev veth-a1
  a2 addr veth-a2 10.1.0.3/24
  a2 link lo loopback down
  a2 link veth-a2 veth up peer=veth-a2-br@router
  a2 route default via 10.1.0.1 dev veth-a2
  b1 addr veth-b1 10.2.0.2/24
  b1 link lo loopback down
  b1 link veth-b1 veth up peer=veth-b1-br@router
  b1 route default via 10.2.0.1 dev veth-b1
  b2 addr veth-b2 10.2.0.3/24
  b2 link lo loopback down
  b2 link veth-b2 veth up peer=veth-b2-br@router
  b2 route default via 10.2.0.1 dev veth-b2
  router addr lan1 10.1.0.1/24
  router addr lan2 10.2.0.1/24
  router link lan1 bridge up
  router link lan2 bridge up
  router link lo loopback up
  router link veth-a1-br veth up master=lan1 peer=veth-a1@a1
  router link veth-a2-br veth up master=lan1 peer=veth-a2@a2
  router link veth-b1-br veth up master=lan2 peer=veth-b1@b1
  router link veth-b2-br veth up master=lan2 peer=veth-b2@b2
  router sysctl net.ipv4.ip_forward=1
]], {
  {"a1", "10.2.0.2", true},
  {"b2", "10.1.0.3", true},
  {"a1", "203.0.113.1", false},
})

check("purple_orange", {}, [[
  ns orange
  ns purple
  orange addr veth-orange 192.168.52.2/24
  orange link lo loopback down
  orange link veth-orange veth up peer=veth-orange-br@root
  orange route default via 192.168.52.5 dev veth-orange
  purple addr veth-purple 192.168.52.1/24
  purple link lo loopback down
  purple link veth-purple veth up peer=veth-purple-br@root
  root addr super-bridge0 192.168.52.5/24
  root link super-bridge0 bridge up alias=netlab:purple_orange
  root link veth-orange-br veth up master=super-bridge0 peer=veth-orange@orange alias=netlab:purple_orange
  root link veth-purple-br veth up master=super-bridge0 peer=veth-purple@purple alias=netlab:purple_orange
  root nft table inet netlab {
  root nft comment "netlab"
  root nft chain postrouting {
  root nft type nat hook postrouting priority srcnat; policy accept;
  root nft ip saddr 192.168.52.0/24 ip daddr != 192.168.52.0/24 masquerade comment "netlab:purple_orange"
  root nft }
  root nft }
  root sysctl net.ipv4.ip_forward=1
]], {
  {"orange", "203.0.113.1", true},
  {"purple", "203.0.113.1", false},
  {"purple", "192.168.52.2", true},
  {"orange", "192.168.52.5", true},
  {"root", "192.168.52.1", true},
})

check("purple_orange", {"subnet=10.77.0.0/24", "bridge=br77"}, [[
  ns orange
  ns purple
  orange addr veth-orange 10.77.0.2/24
  orange link lo loopback down
  orange link veth-orange veth up peer=veth-orange-br@root
  orange route default via 10.77.0.5 dev veth-orange
  purple addr veth-purple 10.77.0.1/24
  purple link lo loopback down
  purple link veth-purple veth up peer=veth-purple-br@root
  root addr br77 10.77.0.5/24
  root link br77 bridge up alias=netlab:purple_orange
  root link veth-orange-br veth up master=br77 peer=veth-orange@orange alias=netlab:purple_orange
  root link veth-purple-br veth up master=br77 peer=veth-purple@purple alias=netlab:purple_orange
  root nft table inet netlab {
  root nft comment "netlab"
  root nft chain postrouting {
  root nft type nat hook postrouting priority srcnat; policy accept;
  root nft ip saddr 10.77.0.0/24 ip daddr != 10.77.0.0/24 masquerade comment "netlab:purple_orange"
  root nft }
  root nft }
  root sysctl net.ipv4.ip_forward=1
]], {
  {"orange", "203.0.113.1", true},
  {"purple", "203.0.113.1", false},
  {"purple", "10.77.0.2", true},
})

check("purple_orange", {"nat=false"}, [[
  ns orange
  ns purple
  orange addr veth-orange 192.168.52.2/24
  orange link lo loopback down
  orange link veth-orange veth up peer=veth-orange-br@root
  orange route default via 192.168.52.5 dev veth-orange
  purple addr veth-purple 192.168.52.1/24
  purple link lo loopback down
  purple link veth-purple veth up peer=veth-purple-br@root
  root addr super-bridge0 192.168.52.5/24
  root link super-bridge0 bridge up alias=netlab:purple_orange
  root link veth-orange-br veth up master=super-bridge0 peer=veth-orange@orange alias=netlab:purple_orange
  root link veth-purple-br veth up master=super-bridge0 peer=veth-purple@purple alias=netlab:purple_orange
]], {
  {"orange", "203.0.113.1", false},
  {"orange", "192.168.52.1", true},
})

check("cool", {}, [[
  ns cool
  cool addr veth0 192.168.1.11/24
  cool link lo loopback up
  cool link veth0 veth up peer=br-veth0@root
  cool route default via 192.168.1.10 dev veth0
  root addr br0 192.168.1.10/24
  root link br-veth0 veth up master=br0 peer=veth0@cool alias=netlab:cool
  root link br0 bridge up alias=netlab:cool
  root nft table inet netlab {
  root nft comment "netlab"
  root nft chain forward {
  root nft chain postrouting {
  root nft type filter hook forward priority filter; policy drop;
  root nft type nat hook postrouting priority srcnat; policy accept;
  root nft iifname "br0" accept comment "netlab:cool"
  root nft oifname "br0" accept comment "netlab:cool"
  root nft ip saddr 192.168.1.0/24 ip daddr != 192.168.1.0/24 masquerade comment "netlab:cool"
  root nft }
  root nft }
  root nft }
  root sysctl net.ipv4.ip_forward=1
]], {
  {"cool", "203.0.113.1", true},
  {"cool", "192.168.1.10", true},
  {"cool", "127.0.0.1", true},
})

check("red_blue_bridge", {}, [[
  ns blue
  ns red
  blue addr veth-blue 192.168.15.2/24
  blue link lo loopback down
  blue link veth-blue veth up peer=veth-blue-br@root
  red addr veth-red 192.168.15.1/24
  red link lo loopback down
  red link veth-red veth up peer=veth-red-br@root
  red route 172.17.0.0/16 via 192.168.15.5 dev veth-red
  red route default via 192.168.15.5 dev veth-red
  root addr v-net-0 192.168.15.5/24
  root link v-net-0 bridge up alias=netlab:red_blue_bridge
  root link veth-blue-br veth up master=v-net-0 peer=veth-blue@blue alias=netlab:red_blue_bridge
  root link veth-red-br veth up master=v-net-0 peer=veth-red@red alias=netlab:red_blue_bridge
  root nft table inet netlab {
  root nft comment "netlab"
  root nft chain postrouting {
  root nft type nat hook postrouting priority srcnat; policy accept;
  root nft ip saddr 192.168.15.0/24 ip daddr != 192.168.15.0/24 masquerade comment "netlab:red_blue_bridge"
  root nft }
  root nft }
  root sysctl net.ipv4.ip_forward=1
]], {
  {"red", "203.0.113.1", true},
  {"blue", "203.0.113.1", false},
  {"red", "192.168.15.2", true},
})

-- The macvlans are made in the root, next to their parent, and moved: they
-- keep the lab's alias, and their parent in the root.
check("macvlan", {}, [[
  ns mv1
  ns mv2
  mv1 addr mv-mv1 10.7.0.1/24
  mv1 link lo loopback down
  mv1 link mv-mv1 macvlan up alias=netlab:macvlan parent=lan0@root mode=bridge
  mv2 addr mv-mv2 10.7.0.2/24
  mv2 link lo loopback down
  mv2 link mv-mv2 macvlan up alias=netlab:macvlan parent=lan0@root mode=bridge
  root addr lan0 10.7.0.254/24
  root link lan0 veth up peer=lan0-wire@root alias=netlab:macvlan
  root link lan0-wire veth up peer=lan0@root alias=netlab:macvlan
]], {
  {"mv1", "10.7.0.2", true},
  {"mv2", "10.7.0.1", true},
  {"root", "10.7.0.1", false},
  {"mv1", "10.7.0.254", false},
})

check("overlay", {}, [[
  ns c1
  ns c2
  ns host1
  ns host2
  c1 addr eth0 10.244.0.1/24
  c1 link eth0 veth up peer=v-c1@host1
  c1 link lo loopback down
  c2 addr eth0 10.244.0.2/24
  c2 link eth0 veth up peer=v-c2@host2
  c2 link lo loopback down
  host1 addr u-host1 10.0.0.1/24
  host1 link br0 bridge up mtu=1450
  host1 link lo loopback down
  host1 link u-host1 veth up peer=u-host2@host2
  host1 link v-c1 veth up master=br0 peer=eth0@c1
  host1 link vxlan42 vxlan up mtu=1450 master=br0 parent=u-host1@host1 id=42 remote=10.0.0.2 local=10.0.0.1 port=4789 learning=true
  host2 addr u-host2 10.0.0.2/24
  host2 link br0 bridge up mtu=1450
  host2 link lo loopback down
  host2 link u-host2 veth up peer=u-host1@host1
  host2 link v-c2 veth up master=br0 peer=eth0@c2
  host2 link vxlan42 vxlan up mtu=1450 master=br0 parent=u-host2@host2 id=42 remote=10.0.0.1 local=10.0.0.2 port=4789 learning=true
]], {
  {"c1", "10.244.0.2", true},
  {"c2", "10.244.0.1", true},
  {"host1", "10.0.0.2", true},
  {"host1", "10.244.0.2", false},
})

-- Two VLANs on one VLAN-aware bridge: the bridge's ports in their VLANs
-- (bridge -j vlan), the router between them. On a kernel without VLAN
-- filtering the script stops at once, and these cases check that instead.
local vlans_root = [[
  root link br-vlan bridge up alias=netlab:vlans
  root link p-red veth up master=br-vlan peer=eth0@red alias=netlab:vlans
  root link p-blue veth up master=br-vlan peer=eth0@blue alias=netlab:vlans
  root link p-eve veth up master=br-vlan peer=eth0@eve alias=netlab:vlans
  root vlan p-red 10 pvid untagged
  root vlan p-blue 20 pvid untagged
  root vlan p-eve 20 pvid untagged
  ns red
  ns blue
  ns eve
  red link lo loopback up
  red link eth0 veth up peer=p-red@root
  red addr eth0 10.0.10.2/24
  red route default via 10.0.10.1 dev eth0
  blue link lo loopback up
  blue link eth0 veth up peer=p-blue@root
  blue addr eth0 10.0.20.2/24
  blue route default via 10.0.20.1 dev eth0
  eve link lo loopback up
  eve link eth0 veth up peer=p-eve@root
  eve addr eth0 10.0.10.9/24
]]
check("vlans", {}, vlans_root .. [[
  root link p-router1 veth up master=br-vlan peer=eth1@router alias=netlab:vlans
  root link p-router2 veth up master=br-vlan peer=eth2@router alias=netlab:vlans
  root vlan p-router1 10 pvid untagged
  root vlan p-router2 20 pvid untagged
  ns router
  router link lo loopback up
  router link eth1 veth up peer=p-router1@root
  router link eth2 veth up peer=p-router2@root
  router addr eth1 10.0.10.1/24
  router addr eth2 10.0.20.1/24
  router sysctl net.ipv4.ip_forward=1
]], {
  {"red", "10.0.20.2", true},
  {"blue", "10.0.10.2", true},
  {"router", "10.0.10.2", true},
  {"eve", "10.0.10.2", false},
})
check("vlans", {"router=false"}, vlans_root, {
  {"red", "10.0.20.2", false},
  {"blue", "10.0.10.2", false},
  {"eve", "10.0.10.2", false},
})

t.test("cool: the bridge's broadcast is brd +, as the tutorial asks", function()
  local out, code = run("run", "scripts/cool.lua")
  t.eq(code, 0, "run: " .. out)
  t.eq(t.ipaddrs(nil, "br0")["192.168.1.10/24"].broadcast, "192.168.1.255", "ip sees brd 192.168.1.255")
  t.eq(select(2, run("down", "cool")), 0, "down")
end)

t.test("every script lists its parameters with --help", function()
  for _, s in ipairs{"purple_orange", "con1", "con1_bridge", "cool", "pod", "multinode",
                     "red_blue", "red_blue_bridge", "two_lans", "macvlan", "overlay", "vlans"} do
    local out, code = run("run", "scripts/" .. s .. ".lua", "--help")
    t.eq(code, 0, s .. " --help exit code: " .. out)
    t.ok(out:find("parameters:", 1, true) and out:find("usage: netlab run", 1, true), s .. ": " .. out)
  end
  local out = run("run", "scripts/pod.lua", "--help")
  t.ok(out:find("subnet=10.244.0.0/24%s+the pod subnet"), out)
end)

t.test("bad parameter values are refused before anything is built", function()
  local cases = {
    {"pod", "subnet=10.244.0.1/24", "parameter subnet=10.244.0.1/24: host bits set (the network is 10.244.0.0/24)"},
    {"pod", "subnet=10.244.0.0/33", "prefix longer than 32"},
    {"pod", "ns=a/b", "parameter ns=a/b"},
    {"pod", "bridge=0123456789abcdefg", "an interface name of 1 to 15 bytes"},
    {"pod", "colour=blue", 'unknown parameter "colour"'},
    {"con1", "addr=172.17.0.2/32", "parameter addr=172.17.0.2/32"},
    {"multinode", "nodes=3", "two nodes"},
    {"multinode", "pods=10", "parameter pods=10"},
  }
  local before = t.dump(true)
  for _, c in ipairs(cases) do
    local out, code = run("run", "scripts/" .. c[1] .. ".lua", c[2])
    t.eq(code, 1, c[1] .. " " .. c[2] .. " exit code: " .. out)
    t.ok(out:find(c[3], 1, true), c[1] .. " " .. c[2] .. ": " .. out)
  end
  t.eq(t.dump(true), before, "nothing built")
end)

t.test("the library refuses bad blocks before building", function()
  local topo = require "netlab.topo"
  t.fails(function() topo.lan{bridge = "b", subnet = "10.0.0.1/24", hosts = {}} end, "host bits set")
  t.fails(function() topo.lan{bridge = "b", subnet = "10.0.0.0/30", hosts = {{"x", host = 9}}} end,
    "hosts[1] (x): host 9 is outside 10.0.0.0/30; hosts are 1 to 2")
  t.fails(function() topo.lan{subnet = "10.0.0.0/24", hosts = {}} end, "field 'bridge'")
  t.fails(function() topo.wire{"w", addr = "1.2.3.4/33"} end, "field 'addr'")
  t.fails(function() topo.link{{"a", "x", "1.2.3.4/40"}, {"b", "y"}} end, "end 1")
  t.eq(link.get("b"), nil, "nothing built")
end)

t.done()
