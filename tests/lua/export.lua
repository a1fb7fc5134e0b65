-- netlab export --sh: the script it writes, run by `sh -e` on the machine as
-- it was before, rebuilds the same kernel state (t.dump: links with kinds,
-- masters, peers, states, MTUs and aliases, addresses, routes of every
-- table, forwarding, nftables), for every bundled script (--all and LAB) and
-- for a network built by hand with the tutorial's ip/iptables commands.
local t = require "t"

local run, sh_ok = t.run, t.sh_ok
local dir = t.scratch()

-- The kernel takes a deleted namespace's devices in its own time.
local function settled(want, what)
  for _ = 1, 50 do
    if t.dump() == want then return end
    netlab.sleep(0.1)
  end
  t.same_state(want, what)
end

-- iptables-nft marks its tables so that nft warns; nft's own table has no mark.
local function dump()
  return (t.dump():gsub("[^\n]* nft # Warning: table [^\n]*\n?", ""))
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
  local _ <close> = t.fresh()
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

-- A run of the exported script is a lab of its own: its marks name it.
local function unlabelled(dump)
  return (dump:gsub("netlab:[%w_%-]+", "netlab:*"))
end

for _, name in ipairs(scripts) do
  t.test(name .. ": export --lua, run by netlab, rebuilds it", function()
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
