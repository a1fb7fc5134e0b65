-- Bridge VLAN filtering: bridge.add's vlan_filtering, vlan_protocol and
-- vlan_default_pvid, bridge.vlan / vlan_del / vlans, bridge.has_vlan_filtering,
-- with `ip -j -d link` and `bridge -j vlan` as witnesses and real ping as
-- the traffic. Whether this kernel has the feature is asked of it with ip
-- (the witness), never assumed: where it has it, the VLANs are built and
-- checked; where not, every call that needs it must fail with the one line
-- naming CONFIG_BRIDGE_VLAN_FILTERING and leave nothing behind.
local t = require "t"

local LINE = "this kernel has no bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING)"

-- ip's own answer, in a namespace of the test's own.
local function kernel_has()
  local out, code = t.sh("exec 2>&1; ip netns add probe-v && " ..
                         "ip -n probe-v link add b0 type bridge vlan_filtering 1; r=$?; " ..
                         "ip netns del probe-v; exit $r")
  return code == 0, out
end
local HAS, ip_says = kernel_has()

local function ipd(n, name)
  return t.ip(n, "-d", "link", "show", "dev", name)[1]
end

-- bridge -j vlan in n as a set of "PORT VID [pvid] [untagged]".
local function witness(n)
  return table.concat(t.bridge_vlans(n), "\n")
end

local function ours(n, dev)
  local out = {}
  for _, v in ipairs(bridge.vlans(dev, {ns = n})) do
    out[#out + 1] = ("%s %d%s%s"):format(v.port, v.vid, v.pvid and " pvid" or "",
                                         v.untagged and " untagged" or "")
  end
  table.sort(out)
  return table.concat(out, "\n")
end

t.test("netlab and ip agree whether this kernel filters VLANs", function()
  local has, why = bridge.has_vlan_filtering()
  t.eq(has, HAS, "bridge.has_vlan_filtering against ip: " .. ip_says)
  if not HAS then
    t.eq(why, LINE, "the reason")
    t.ok(ip_says:find("not supported", 1, true), "ip fails too: " .. ip_says)
  end
  t.eq(bridge.has_vlan_filtering(), has, "asked again, the same answer")
end)

t.test("asking changes nothing anywhere", function()
  local before = t.snapshot()
  local out, code = t.run("-e", "print(bridge.has_vlan_filtering())")
  t.eq(code, 0, out)
  t.ok(out:find(HAS and "^true" or "^false\t" .. LINE:gsub("%p", "%%%0")), out)
  t.same_state(before, "after asking", t.snapshot)
  -- Not counted as a change: a dry run asks too, and a fault injected at
  -- the first change does not hit the question.
  out, code = t.run_env("NETLAB_FAULT_AT=1", "-e", "print(bridge.has_vlan_filtering())")
  t.eq(code, 0, "NETLAB_FAULT_AT=1: " .. out)
end)

if not HAS then
  t.test("without the kernel's VLAN filtering: one clear line, nothing made", function()
    local _ <close> = t.fresh()
    local a = ns.add("a")
    local before = t.dump()
    for _, o in ipairs{{vlan_filtering = true}, {vlan_protocol = "802.1ad"},
                       {vlan_default_pvid = 10}, {vlan_default_pvid = 0}} do
      o.ns = a
      local err = t.fails(function() bridge.add("br0", o) end,
                          'bridge.add: bridge "br0" in "a": ' .. LINE)
      t.ok(not err:find("Operation not supported", 1, true), "no bare EOPNOTSUPP: " .. err)
      t.eq(t.iplink(a, "br0"), nil, "no bridge left")
    end
    t.same_state(before, "nothing half-built")
    -- A plain bridge (vlan_filtering = false is the default: nothing sent).
    bridge.add("br0", {ns = a, vlan_filtering = false, up = true})
    t.eq(ipd(a, "br0").linkinfo.info_data.vlan_filtering, 0, "a plain bridge is made")
    link.veth{"p1", ns = a, master = "br0", up = true, peer = {"h1", ns = a}}
    t.fails(function() bridge.vlan("p1", {ns = a, vid = 10, pvid = true, untagged = true}) end,
            'bridge.vlan: VLAN 10 on "p1" in "a": ' .. LINE)
    t.fails(function() bridge.vlan("br0", {ns = a, vid = 10}) end,
            'bridge.vlan: VLAN 10 on "br0" in "a": ' .. LINE)
    t.eq(#bridge.vlans("br0", {ns = a}), 0, "no VLANs listed")
    t.eq(witness("a"), "", "bridge -j vlan lists none either")
    t.fails(function() bridge.need_vlan_filtering() end, "bridge.need_vlan_filtering: " .. LINE)
  end)

  t.test("in a lab: the run stops at the refused bridge and rolls back", function()
    local _ <close> = t.fresh()
    local dir, script = t.scratch()
    local before = t.snapshot()
    local path = script("vf", [[
ns.add("vf1")
bridge.add("br0", {ns = "vf1", vlan_filtering = true})
]])
    local out, code = t.run("run", path)
    t.eq(code, 1, out)
    t.ok(out:find('vf.lua:2: bridge.add: bridge "br0" in "vf1": ' .. LINE, 1, true), out)
    t.same_state(before, "rolled back", t.snapshot)
    os.execute("rm -rf " .. dir)
  end)
end

t.test("bad input is refused before any request", function()
  local _ <close> = t.fresh()
  local a = ns.add("a")
  bridge.add("br0", {ns = a, up = true})
  link.veth{"p1", ns = a, master = "br0", peer = {"h1", ns = a}}
  t.fails(function() bridge.vlan("p1", {ns = a, vid = 0}) end, "bad argument #2 to 'vlan'",
          "field 'vid'")
  t.fails(function() bridge.vlan("p1", {ns = a, vid = 4095}) end, "field 'vid'")
  t.fails(function() bridge.vlan("p1", {ns = a}) end, "field 'vid' missing")
  t.fails(function() bridge.vlan("p1", {ns = a, vid = 10, pvdi = true}) end,
          "unknown field 'pvdi' (did you mean 'pvid'?)")
  t.fails(function() bridge.vlan("h1", {ns = a, vid = 10}) end,
          'bridge.vlan: VLAN 10 on "h1" in "a": "h1" in "a" is on no bridge')
  t.fails(function() bridge.vlan("nope", {ns = a, vid = 10}) end, "no such link (ENODEV)")
  t.fails(function() bridge.vlans("nope", {ns = a}) end, 'link "nope" in "a": no such link')
  t.fails(function() bridge.add("br1", {ns = a, vlan_protocol = "802.1x"}) end,
          "field 'vlan_protocol': \"802.1Q\" or \"802.1ad\" expected")
  t.fails(function() bridge.add("br1", {ns = a, vlan_default_pvid = 4095}) end,
          "field 'vlan_default_pvid'")
  t.fails(function() link.veth{"v1", ns = a, vlan_filtering = true, peer = "v2"} end,
          "field 'vlan_filtering': only a bridge has it")
  t.eq(t.iplink(a, "br1"), nil, "nothing made")
end)

if HAS then
  t.test("a VLAN-aware bridge as ip sees it", function()
    local _ <close> = t.fresh()
    local a = ns.add("a")
    bridge.add("br0", {ns = a, vlan_filtering = true, vlan_protocol = "802.1ad",
                       vlan_default_pvid = 0, up = true})
    local d = ipd(a, "br0").linkinfo.info_data
    t.eq(d.vlan_filtering, 1, "vlan_filtering by ip")
    t.eq(d.vlan_protocol, "802.1ad", "vlan_protocol by ip")
    t.eq(d.vlan_default_pvid, 0, "no default PVID, by ip")
    bridge.add("br1", {ns = a, vlan_filtering = true})
    t.eq(ipd(a, "br1").linkinfo.info_data.vlan_default_pvid, 1, "the kernel's default PVID")
    local st = netlab.state("a")[1]
    for _, l in ipairs(st.links) do
      if l.ifname == "br0" then t.eq(l.linkinfo.info_data.vlan_filtering, 1, "netlab.state") end
    end
  end)

  t.test("ports in VLANs: bridge.vlans is bridge -j vlan, flags changed and taken away", function()
    local _ <close> = t.fresh()
    local a = ns.add("a")
    bridge.add("br0", {ns = a, vlan_filtering = true, vlan_default_pvid = 0, up = true})
    for i = 1, 2 do
      link.veth{"p" .. i, ns = a, master = "br0", up = true, peer = {"h" .. i, ns = a}}
    end
    bridge.vlan("p1", {ns = a, vid = 10, pvid = true, untagged = true})
    bridge.vlan("p2", {ns = a, vid = 10})
    bridge.vlan("p2", {ns = a, vid = 11})
    bridge.vlan("p2", {ns = a, vid = 12})
    bridge.vlan("br0", {ns = a, vid = 10})
    local want = "br0 10\np1 10 pvid untagged\np2 10\np2 11\np2 12"
    t.eq(witness("a"), want, "bridge -j vlan")
    t.eq(ours("a", "br0"), want, "bridge.vlans(bridge): the bridge's and its ports'")
    t.eq(ours("a", "p2"), "p2 10\np2 11\np2 12", "bridge.vlans(port), a range one row each")
    bridge.vlan("p2", {ns = a, vid = 11, untagged = true})
    t.ok(witness("a"):find("p2 11 untagged", 1, true), "flags changed: " .. witness("a"))
    bridge.vlan_del("p2", {ns = a, vid = 11})
    t.ok(not witness("a"):find("p2 11", 1, true), "taken away: " .. witness("a"))
    local st = netlab.state("a")[1]
    for _, l in ipairs(st.links) do
      if l.ifname == "p1" then
        t.eq(#l.vlans, 1, "netlab.state: p1's vlans")
        t.eq(l.vlans[1].vid, 10, "vid")
        t.eq(l.vlans[1].pvid, true, "pvid")
      end
    end
  end)

  t.test("traffic: access ports of two VLANs are apart; a router joins them", function()
    local _ <close> = t.fresh()
    bridge.add("brv", {vlan_filtering = true, vlan_default_pvid = 0, up = true})
    local function host(name, vid, addr, gw)
      local n = ns.add(name, {lo = true})
      link.veth{"p-" .. name, master = "brv", up = true, peer = {"eth0", ns = n, addr = addr, up = true}}
      bridge.vlan("p-" .. name, {vid = vid, pvid = true, untagged = true})
      if gw then route.add{ns = n, dst = "default", via = gw} end
    end
    host("va", 10, "10.61.0.2/24", "10.61.0.1")
    host("vb", 20, "10.62.0.2/24", "10.62.0.1")
    host("va2", 10, "10.61.0.3/24")
    host("vx", 20, "10.61.0.9/24")
    t.ok(t.ping_eventually("va", "10.61.0.3"), "same VLAN: answers")
    t.eq(t.ping("vx", "10.61.0.2"), false, "same subnet, other VLAN: no answer")
    t.eq(t.ping("va", "10.62.0.2"), false, "other VLAN, no router: no answer")
    local r = ns.add("vr", {lo = true, forwarding = true})
    for i, v in ipairs{{10, "10.61.0.1/24"}, {20, "10.62.0.1/24"}} do
      link.veth{"p-vr" .. i, master = "brv", up = true, peer = {"eth" .. i, ns = r, addr = v[2], up = true}}
      bridge.vlan("p-vr" .. i, {vid = v[1], pvid = true, untagged = true})
    end
    t.ok(t.ping_eventually("va", "10.62.0.2"), "through the router: answers")
    t.eq(t.ping("vx", "10.61.0.2"), false, "still apart at layer 2")
  end)

  t.test("a lab records the VLANs: a re-run keeps them, down takes them away", function()
    local _ <close> = t.fresh()
    local dir, script = t.scratch()
    local path = script("vl", [[
bridge.add("brl", {vlan_filtering = true, vlan_default_pvid = 0, up = true})
bridge.add("brx", {up = true})
link.veth{"pl", master = "brl", up = true, peer = "plx"}
bridge.vlan("pl", {vid = 30, pvid = true, untagged = true})
]])
    local before = t.dump()
    local out, code = t.run("run", path)
    t.eq(code, 0, out)
    t.ok(witness("root"):find("pl 30 pvid untagged", 1, true), "made: " .. witness("root"))
    out, code = t.run("run", "--dry-run", path)
    t.eq(code, 0, out)
    t.ok(out:find("= VLAN 30 (pvid, untagged) on pl in root", 1, true), "kept: " .. out)
    out, code = t.run("ls", "vl")
    t.ok(out:find("VLAN", 1, true) or out:find("bridge VLAN", 1, true), "ls names it: " .. out)
    out, code = t.run("down", "vl")
    t.eq(code, 0, out)
    t.same_state(before, "after down")
    os.execute("rm -rf " .. dir)
  end)
end

t.done()
