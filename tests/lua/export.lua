-- netlab export --sh: the script it writes, run by `sh -e` on the machine as
-- it was before, rebuilds the same kernel state (t.dump: links with kinds,
-- masters, peers, states, MTUs and aliases, addresses, routes of every
-- table, forwarding, nftables), for every bundled script (--all and LAB) and
-- for every tutorial built by hand with its own ip/iptables commands; and
-- export --lua, run by netlab, the same (nftables aside where iptables made
-- them), with a star written as a loop over netlab.params.
local t = require "t"

local run, sh_ok = t.run, t.sh_ok
local dir = t.scratch()

-- iptables-nft marks its tables so that nft warns; nft's own table has no mark.
local function dump()
  return (t.dump():gsub("[^\n]* nft # Warning: table [^\n]*\n?", ""))
end

-- The kernel takes a deleted namespace's devices in its own time.
local function settled(want, what)
  for _ = 1, 50 do
    if dump() == want then return end
    netlab.sleep(0.1)
  end
  t.same_state(want, what, dump)
end

-- t.fresh, and the nftables tables made since (iptables' too) go with it.
local function scope()
  local had = t.sh_ok("nft list tables") .. "\n"
  local f = t.fresh()
  return setmetatable({}, {__close = function()
    for fam, name in t.sh_ok("nft list tables"):gmatch("table (%S+) (%S+)") do
      if not had:find("table " .. fam .. " " .. name .. "\n", 1, true) then
        t.sh_ok('nft delete table "$1" "$2"', fam, name)
      end
    end
    getmetatable(f).__close(f)
  end})
end

local function export(path, ...)
  local out, code = run("export", "--sh", ...)
  t.eq(code, 0, "export: " .. out)
  local f = assert(io.open(path, "w"))
  f:write(out)
  f:close()
  return out
end

local scripts = {}
for _, f in ipairs(netlab._ls("scripts")) do
  local name = f:match("^(.-)%.lua$")
  if name then scripts[#scripts + 1] = name end
end
table.sort(scripts)

for _, name in ipairs(scripts) do
  t.test(name .. ": export --sh --all and export --sh LAB, run by sh, rebuild it", function()
    if t.refused_script(name) then return end
    local _ <close> = t.fresh()
    local base = t.dump()
    local out, code = run("run", "scripts/" .. name .. ".lua")
    t.eq(code, 0, "run: " .. out)
    local built = t.dump()
    local all, one = dir .. "/" .. name .. ".all.sh", dir .. "/" .. name .. ".lab.sh"
    local text = export(all, "--all")
    t.ok(text:find("^#!/bin/sh\n# ") and text:find("\nset %-e\n"), "a header and set -e")
    t.ok(text:find("# not exported: namespace internet and wan0", 1, true),
         "the sandbox's uplink is named, not dropped")
    export(one, name)
    out, code = run("down", name)
    t.eq(code, 0, "down: " .. out)
    settled(base, "after down")
    do
      local _ <close> = t.fresh()
      sh_ok('sh -e "$1"', all)
      t.same_state(built, "export --all run by sh")
    end
    settled(base, "after the --all copy is taken away")
    sh_ok('sh -e "$1"', one)
    t.same_state(built, "export " .. name .. " run by sh")
  end)
end

t.test("a network built by hand with ip, iptables and sysctl is captured", function()
  local _ <close> = scope()
  local base = dump()
  local hand = [[
    ip netns add purple
    ip netns add orange
    ip link add super-bridge0 type bridge
    ip link set super-bridge0 up
    ip addr add 192.168.52.5/24 dev super-bridge0
    ip link add veth-purple netns purple type veth peer name veth-purple-br
    ip link add veth-orange netns orange type veth peer name veth-orange-br
    ip link set veth-purple-br master super-bridge0 up
    ip link set veth-orange-br master super-bridge0 up
    ip -n purple addr add 192.168.52.1/24 dev veth-purple
    ip -n orange addr add 192.168.52.2/24 dev veth-orange
    ip -n purple link set veth-purple mtu 1400 up
    ip -n orange link set veth-orange up
    ip -n purple link set lo up
    ip -n orange route add default via 192.168.52.5
    ip -n orange route add 10.7.0.0/16 via 192.168.52.1 metric 7 table 100
    ip -n purple -6 addr add 2001:db8::1/64 dev veth-purple
    sysctl -qw net.ipv4.ip_forward=1
    iptables -t nat -A POSTROUTING -s 192.168.52.0/24 ! -o super-bridge0 -j MASQUERADE
  ]]
  sh_ok("set -e\n" .. hand)
  local built = dump()
  local path = dir .. "/hand.sh"
  local text = export(path, "--all")
  local _, veths = text:gsub("type veth", "")
  t.eq(veths, 2, "each veth once: " .. text)
  t.ok(text:find("ip link add veth-purple-br type veth peer name veth-purple netns purple", 1, true),
       "a veth with its peer, made in place: " .. text)
  t.ok(text:find("masquerade", 1, true), "iptables' MASQUERADE as nft's masquerade")
  t.ok(not text:find("fe80:", 1, true), "no link-local address")
  t.ok(not text:find("proto kernel", 1, true), "no kernel route")
  -- Take it away as by hand, then run the export.
  sh_ok("ip netns del purple; ip netns del orange; ip link del super-bridge0; " ..
        "sysctl -qw net.ipv4.ip_forward=0; iptables -t nat -F; nft delete table ip nat")
  settled(base, "taken away")
  sh_ok('sh -e "$1"', path)
  t.eq(t.diff(built, dump()), "", "the export run by sh builds what the hand built")

  -- As a netlab script: the same network, but for the NAT rule, which
  -- nat.masquerade writes its own way in its own table.
  local script = dir .. "/hand_copy.lua"
  local out, code = run("export", "--lua", "--all")
  t.eq(code, 0, out)
  local f = assert(io.open(script, "w"))
  f:write(out)
  f:close()
  t.ok(out:find('link.veth{"veth-purple", ns = "purple", addr = {"192.168.52.1/24", "2001:db8::1/64"}, ' ..
                'mtu = 1400, up = true,\n          peer = {"veth-purple-br", master = "super-bridge0", up = true}}',
                1, true), "a veth with its peer, addresses and master in one call: " .. out)
  t.ok(out:find('nat.masquerade{src = "192.168.52.0/24"}', 1, true), "the masquerade: " .. out)
  t.ok(out:find("-- not exported: table ip nat", 1, true), "iptables' table named: " .. out)
  t.ok(out:find('-- was (table ip nat): oifname != "super-bridge0" ip saddr 192.168.52.0/24 masquerade\n' ..
                "-- nat.masquerade spares packets to 192.168.52.0/24 where this rule spared those leaving by " ..
                "super-bridge0:\n", 1, true), "how the masquerade differs: " .. out)
  sh_ok("ip netns del purple; ip netns del orange; ip link del super-bridge0; " ..
        "sysctl -qw net.ipv4.ip_forward=0; nft delete table ip nat")
  settled(base, "taken away again")
  out, code = run("run", script)
  t.eq(code, 0, out)
  local function plain(d)
    return (d:gsub(" alias=netlab:[%w_%-]+", ""):gsub("[^\n]* nft [^\n]*\n?", ""))
  end
  t.eq(t.diff(plain(built), plain(dump())), "", "export --lua run by netlab builds what the hand built")
end)

-- Each tutorial built by hand with its own commands (../shared/tutorials),
-- corrected where they do not run as printed, and kept inside the sandbox
-- (no pings, no traceroute, no `xargs kill`). lua: the calls export --lua
-- must write for the nftables part, which it says in netlab's own table.
local TUTORIALS = {
  {name = "000 purple and orange", lua = {'nat.masquerade{src = "192.168.52.0/24"}',
    "-- nat.masquerade also spares packets to 192.168.52.0/24 (from one of its hosts to another"}, cmds = {
    "ip netns add purple && ip netns add orange",
    "ip link add super-bridge0 type bridge",
    "ip link set dev super-bridge0 up",
    "ip link add veth-purple type veth peer name veth-purple-br",
    "ip link add veth-orange type veth peer name veth-orange-br",
    "ip link set veth-purple netns purple",
    "ip link set veth-orange netns orange",
    "ip link set veth-purple-br master super-bridge0",
    "ip link set veth-orange-br master super-bridge0",
    "ip -n purple addr add 192.168.52.1/24 dev veth-purple",
    "ip -n purple link set veth-purple up",
    "ip -n orange addr add 192.168.52.2/24 dev veth-orange",
    "ip -n orange link set veth-orange up",
    "ip addr add 192.168.52.5/24 dev super-bridge0",
    "ip link set dev veth-purple-br up",
    "ip link set dev veth-orange-br up",
    "iptables -t nat -A POSTROUTING -s 192.168.52.0/24 -j MASQUERADE",
    "ip netns exec orange ip route add default via 192.168.52.5",
    "sysctl -w net.ipv4.ip_forward=1",
  }},
  -- 001: ip takes no `via 72.17.0.2/32` ("any valid address is expected"), and
  -- 72.17.0.2 is con1's own address: the route meant is `default dev veth2`.
  {name = "001 con1", lua = {}, cmds = {
    "ip netns add con1",
    "ip link add veth1 type veth peer name veth2",
    "ip link set veth2 netns con1",
    "ip netns exec con1 ip addr add 72.17.0.2 dev veth2",
    "ip netns exec con1 ip link set dev veth2 up",
    "ip link set dev veth1 up",
    "ip netns exec con1 ip link set lo up",
    "ip route add 72.17.0.2/32 dev veth1",
    "ip netns exec con1 ip route add default dev veth2",
  }},
  -- 002's summary script, with $NS=cool, $VETH=veth0, $PVETH=br-veth0, $BR=br0.
  {name = "002 cool", lua = {'nat.masquerade{src = "192.168.1.0/24"}', 'nat.filter{policy = "drop"}',
                             'nat.allow{iif = "br0"}', 'nat.allow{oif = "br0"}'}, cmds = {
    "ip netns add cool",
    "ip netns exec cool ip link set up dev lo",
    "ip link add br-veth0 type veth peer name veth0",
    "ip link set veth0 netns cool",
    "ip link add name br0 type bridge",
    "ip link set br0 up",
    "ip netns exec cool ip addr add 192.168.1.11/24 dev veth0",
    "ip netns exec cool ip link set veth0 up",
    "ip link set br-veth0 up",
    "ip link set br-veth0 master br0",
    "ip addr add 192.168.1.10/24 brd + dev br0",
    "ip netns exec cool ip route add default via 192.168.1.10",
    "sysctl -w net.ipv4.ip_forward=1",
    "iptables -P FORWARD DROP",
    "iptables -F FORWARD",
    "iptables -t nat -F",
    "iptables -t nat -A POSTROUTING -s 192.168.1.0/24 -j MASQUERADE",
    "iptables -A FORWARD -i br0 -j ACCEPT",
    "iptables -A FORWARD -o br0 -j ACCEPT",
  }},
  {name = "003 test", lua = {}, cmds = {
    "ip netns add test",
    "ip link add name test0 type bridge",
    "ip link add testveth0 type veth peer name eth0",
    "ip link set eth0 netns test",
    "ip link set testveth0 master test0",
    "ip link set testveth0 up",
    "ip -n test link set eth0 up",
  }},
  -- 004 with the bridge: the veths to it, which the text never makes, are made
  -- as 000 makes them; `via 192.168.15.5/24` takes no prefix and 172.17.0.3/15
  -- is not a network address (ip says so): 172.16.0.0/15 is the one meant.
  {name = "004 red and blue", lua = {'nat.masquerade{src = "192.168.15.0/24"}'}, cmds = {
    "ip netns add red",
    "ip netns add blue",
    "ip link add veth-red netns red type veth peer name veth-red-br",
    "ip link add veth-blue netns blue type veth peer name veth-blue-br",
    "ip -n red addr add 192.168.15.1/24 dev veth-red",
    "ip netns exec blue ip addr add 192.168.15.2/24 dev veth-blue",
    "ip -n red link set veth-red up",
    "ip -n blue link set veth-blue up",
    "ip link add v-net-0 type bridge",
    "ip link set veth-red-br master v-net-0",
    "ip link set veth-blue-br master v-net-0",
    "ip link set veth-red-br up",
    "ip link set veth-blue-br up",
    "ip link set v-net-0 up",
    "ip addr add 192.168.15.5/24 dev v-net-0",
    "ip netns exec red ip route add 172.16.0.0/15 via 192.168.15.5",
    "iptables -t nat -A POSTROUTING -s 192.168.15.0/24 -j MASQUERADE",
    "ip netns exec red ip route add default via 192.168.15.5",
  }},
}

-- What export --lua cannot keep: the marks of the lab its run makes, and the
-- nftables rules, which netlab writes in its own table (the calls are checked).
local function nonft(d)
  return (d:gsub(" alias=netlab:[%w_%-]+", ""):gsub("[^\n]* nft [^\n]*\n?", ""))
end

t.test("a macvlan and a vxlan made by hand on their parent and moved away are made on it again", function()
  local _ <close> = scope()
  local base = dump()
  -- Docker's way: the macvlan is made on the host's link and moved into
  -- the container, where it is eth0 as the host's own link is.
  sh_ok([[set -e
    ip netns add c1
    ip netns add c2
    ip link add eth0 type veth peer name eth0-wire
    ip addr add 10.0.0.1/24 dev eth0
    ip link set eth0 up
    ip link set eth0-wire up
    ip link add mv link eth0 type macvlan mode bridge
    ip link set mv netns c1
    ip -n c1 link set mv name eth0
    ip -n c1 addr add 10.0.0.5/24 dev eth0
    ip -n c1 link set eth0 up
    ip link add vx0 type vxlan id 42 local 10.0.0.1 remote 10.0.0.2 dstport 4789 dev eth0
    ip link set vx0 netns c2
    ip -n c2 addr add 10.244.0.1/24 dev vx0
    ip -n c2 link set vx0 mtu 1400 up
    ip -n c2 link add u0 type veth peer name u1
    ip -n c2 link add mv2 link u0 type macvlan mode private
    ip -n c2 link set mv2 netns c1
    ip -n c2 link add mv3 link u0 type macvlan mode vepa]])
  local built = dump()
  t.ok(built:find("c1 link eth0 macvlan up mtu=1500 parent=eth0@root mode=bridge\n", 1, true) and
       built:find("c2 link vx0 vxlan up mtu=1400 parent=eth0@root id=42 remote=10.0.0.2 local=10.0.0.1 port=4789 ", 1, true) and
       built:find("c1 link mv2 macvlan down mtu=1500 parent=u0@c2 mode=private\n", 1, true) and
       built:find("c2 link mv3 macvlan down mtu=1500 parent=u0@c2 mode=vepa\n", 1, true),
       "the dump names each parent where it is: " .. built)
  local path = dir .. "/moved.sh"
  local text = export(path, "--all")
  t.ok(text:find("\nip link add eth0 link eth0 netns c1 type macvlan mode bridge\n", 1, true),
       "the macvlan made on its parent and put where it is, in one command: " .. text)
  t.ok(text:find("\nip link add vx0 netns c2 type vxlan id 42 remote 10.0.0.2 local 10.0.0.1 dev eth0 dstport 4789\n", 1, true),
       "the vxlan made on its dev: " .. text)
  t.ok(text:find("\nip -n c2 link add mv2 link u0 netns c1 type macvlan mode private\n", 1, true) and
       text:find("\nip -n c2 link add mv3 link u0 type macvlan mode vepa\n", 1, true),
       "a parent in a namespace: " .. text)
  t.ok(text:find("ip -n c2 link add u1 type veth peer name u0\n", 1, true) <
       text:find("link add mv2", 1, true), "the parents first: " .. text)
  local lua, code = run("export", "--lua", "--all")
  t.eq(code, 0, lua)
  t.ok(lua:find('  local l = link.macvlan{"tmp0", parent = "eth0", mode = "bridge"}\n' ..
                '  link.set(l, {netns = "c1", name = "eth0"})\n  link.addr_add(l, "10.0.0.5/24")\n' ..
                '  link.set(l, {up = true})\n', 1, true),
       "export --lua: made on the parent under a free name, moved, addressed and up: " .. lua)
  t.ok(lua:find('  local l = link.macvlan{"mv2", ns = "c2", parent = "u0", mode = "private"}\n' ..
                '  link.set(l, {netns = "c1"})\nend\n', 1, true), "under its own name: " .. lua)
  t.ok(lua:find('link.vxlan{"vx0", mtu = 1400, vni = 42, remote = "10.0.0.2", ["local"] = "10.0.0.1", dev = "eth0", ' ..
                'dstport = 4789}', 1, true), "the vxlan on its dev: " .. lua)
  sh_ok("ip netns del c1; ip netns del c2; ip link del eth0")
  settled(base, "taken away")
  do
    local _ <close> = scope()
    sh_ok('sh -e "$1"', path)
    t.eq(t.diff(built, dump()), "", "export --sh run by sh: " .. text)
  end
  settled(base, "the --sh copy taken away")
  local script = dir .. "/moved.lua"
  local f = assert(io.open(script, "w"))
  f:write(lua)
  f:close()
  local out
  out, code = run("run", script)
  t.eq(code, 0, out .. "\n" .. lua)
  t.eq(t.diff(nonft(built), nonft(dump())), "", "export --lua run by netlab: " .. lua)
  out, code = run("down", "moved")
  t.eq(code, 0, out)
  settled(base, "the --lua copy taken away")
end)

for _, tut in ipairs(TUTORIALS) do
  t.test("tutorial " .. tut.name .. " by hand: export --sh --all by sh, export --lua --all by netlab", function()
    local base = dump()
    local built, sh, lua
    local id = tut.name:match("^%d+")
    do
      local _ <close> = scope()
      sh_ok("set -e\n" .. table.concat(tut.cmds, "\n"))
      built = dump()
      sh = export(dir .. "/hand" .. id .. ".sh", "--all")
      local out, code = run("export", "--lua", "--all")
      t.eq(code, 0, out)
      lua = out
    end
    settled(base, "after the hand-built network is taken away")
    do
      local _ <close> = scope()
      sh_ok('sh -e "$1"', dir .. "/hand" .. id .. ".sh")
      t.eq(t.diff(built, dump()), "", "export --sh --all run by sh -e: " .. sh)
    end
    settled(base, "after the --sh copy is taken away")
    for _, call in ipairs(tut.lua) do
      t.ok(lua:find(call, 1, true), call .. " in " .. lua)
    end
    t.ok(not lua:find("not exported: rule", 1, true), "every rule said by a call: " .. lua)
    local path = dir .. "/hand" .. id .. ".lua"
    local f = assert(io.open(path, "w"))
    f:write(lua)
    f:close()
    do
      local _ <close> = scope()
      local out, code = run("run", path)
      t.eq(code, 0, "export --lua run by netlab: " .. out .. "\n" .. lua)
      t.eq(t.diff(nonft(built), nonft(dump())), "", "export --lua run by netlab: " .. lua)
      out, code = run("down", "hand" .. id)
      t.eq(code, 0, "down: " .. out)
    end
    settled(base, "after the --lua copy is taken away")
  end)
end

t.test("a star built by hand: export --lua writes a loop over netlab.params n and subnet", function()
  local base = dump()
  local built, lua
  do
    local _ <close> = scope()
    sh_ok([[set -e
      ip link add br0 type bridge
      ip link set br0 up
      ip addr add 10.9.0.254/24 dev br0
      for i in 1 2 3 4; do
        ip netns add h$i
        ip link add eth0 netns h$i type veth peer name h$i-br
        ip link set h$i-br master br0 up
        ip -n h$i addr add 10.9.0.$i/24 dev eth0
        ip -n h$i link set eth0 up
        ip -n h$i link set lo up
        ip -n h$i route add default via 10.9.0.254
      done]])
    built = dump()
    local code
    lua, code = run("export", "--lua", "--all")
    t.eq(code, 0, lua)
  end
  settled(base, "after the star is taken away")
  t.ok(lua:find('{"n", 4, ', 1, true) and lua:find('{"subnet", "10.9.0.0/24", ', 1, true), "the params: " .. lua)
  t.ok(lua:find("for i = 1, p.n do\n", 1, true), "the loop: " .. lua)
  t.ok(lua:find('addr = netlab.hostcidr(p.subnet, i)', 1, true), "addresses from the subnet: " .. lua)
  t.ok(not lua:find('ns.add("h1"', 1, true), "no namespace written out one by one: " .. lua)
  local path = dir .. "/star.lua"
  local f = assert(io.open(path, "w"))
  f:write(lua)
  f:close()
  do
    local _ <close> = scope()
    local out, code = run("run", path)
    t.eq(code, 0, out)
    t.eq(t.diff(nonft(built), nonft(dump())), "", "the loop builds the star: " .. lua)
    out, code = run("down", "star")
    t.eq(code, 0, out)
  end
  settled(base, "after the copy is taken away")
  do
    local _ <close> = scope()
    local out, code = run("run", path, "n=5", "subnet=10.7.0.0/24")
    t.eq(code, 0, out)
    t.ok(t.ipaddrs("h5", "eth0")["10.7.0.5/24"], "n and subnet given")
    t.ok(t.ipaddrs(nil, "br0")["10.7.0.254/24"], "the bridge's address follows the subnet")
    out, code = run("down", "star")
    t.eq(code, 0, out)
  end
  settled(base, "after the second copy is taken away")
end)

t.test("a star with a gap in its addresses keeps the plain form", function()
  local _ <close> = scope()
  sh_ok([[set -e
    ip link add br0 type bridge
    for i in 1 2 3; do
      ip netns add h$i
      ip link add eth0 netns h$i type veth peer name h$i-br
      ip link set h$i-br master br0
      ip -n h$i addr add 10.9.0.$((i * i))/24 dev eth0
    done]])
  local lua, code = run("export", "--lua", "--all")
  t.eq(code, 0, lua)
  t.ok(not lua:find("netlab.params", 1, true), "no params: " .. lua)
  t.ok(lua:find('ns.add("h3")', 1, true) and lua:find('addr = "10.9.0.9/24"', 1, true), "one call each: " .. lua)
end)

-- A run of the exported script is a lab of its own: its marks name it.
local function unlabelled(dump)
  return (dump:gsub("netlab:[%w_%-]+", "netlab:*"))
end

for _, name in ipairs(scripts) do
  t.test(name .. ": export --lua, run by netlab, rebuilds it", function()
    if t.refused_script(name) then return end
    local _ <close> = t.fresh()
    local base = t.dump()
    local out, code = run("run", "scripts/" .. name .. ".lua")
    t.eq(code, 0, "run: " .. out)
    local built = unlabelled(t.dump())
    local path = dir .. "/" .. name .. "_copy.lua"
    out, code = run("export", "--lua", "--all")
    t.eq(code, 0, "export --lua: " .. out)
    local f = assert(io.open(path, "w"))
    f:write(out)
    f:close()
    t.ok(not out:find("not exported: rule", 1, true), "every rule written as a call: " .. out)
    out, code = run("down", name)
    t.eq(code, 0, "down: " .. out)
    settled(base, "after down")
    out, code = run("run", path)
    t.eq(code, 0, "the export run by netlab: " .. out .. "\n" .. t.read(path))
    t.eq(t.diff(built, unlabelled(t.dump())), "", "export --lua run by netlab")
    out, code = run("down", name .. "_copy")
    t.eq(code, 0, "down of the copy: " .. out)
    settled(base, "after the copy's down")
  end)
end

t.test("bad input: an unknown lab, no format", function()
  local out, code = run("export", "--sh", "nosuchlab")
  t.eq(code, 1, out)
  t.ok(out:find('no lab "nosuchlab"', 1, true), out)
  out, code = run("export", "--all")
  t.eq(code, 2, out)
  t.ok(out:find("export needs --sh", 1, true), out)
  out, code = run("export", "--sh", "a", "--all")
  t.eq(code, 2, out)
end)

t.done()
