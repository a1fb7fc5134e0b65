-- link.add of macvlan, ipvlan, vlan, vxlan and dummy: made by netlab (in a
-- namespace, as ns = says), checked against `ip -j -d link` (info_kind,
-- info_data) and netlab.state(); a kind this kernel lacks gives the one
-- line that names its CONFIG_ option, found out by asking ip first (detect,
-- don't assume); options refused before any request; a lab records the new
-- links and `netlab down` takes them away.
local t = require "t"

local dir, script = t.scratch()

-- The `ip -j -d link` entry of name in namespace n.
local function ipd(n, name)
  return t.ip(n, "-d", "link", "show", "dev", name)[1]
end

-- netlab.state()'s entry for name in namespace n.
local function modeled(n, name)
  for _, l in ipairs(netlab.state(n)[1].links) do
    if l.ifname == name then return l end
  end
end

local function agrees(n, name)
  local bad = t.link_disagreements(name, modeled(n, name), ipd(n, name))
  t.eq(table.concat(bad, "\n"), "", name .. ": netlab.state agrees with ip -j -d link")
end

-- Whether the kernel takes `ip link add … type kind …` (inside a scratch namespace).
local function kernel_has(kind, args)
  local out, code = t.sh("exec 2>&1; ip netns add probe-k && ip -n probe-k link add dp0 type veth peer name dp1 && " ..
                         "ip -n probe-k link add k0 " .. args .. "; r=$?; ip netns del probe-k; exit $r")
  return code == 0, out
end

t.test("macvlan in every mode the kernel takes, inside a namespace", function()
  local _ <close> = t.fresh()
  local a = ns.add("a")
  link.veth{"p0", ns = a, peer = {"p1", ns = a}, up = true}
  local made = 0
  for _, mode in ipairs{"bridge", "private", "vepa", "passthru", "source"} do
    local ok = kernel_has("macvlan", "link dp0 type macvlan mode " .. mode)
    local name = "mv-" .. mode
    if ok then
      local l = link.macvlan{name, ns = a, parent = "p0", mode = mode, up = true,
                             addr = "10.5.0.1/24"}
      t.eq(l.name, name, "returned link")
      local w = ipd(a, name)
      t.eq(w.linkinfo.info_kind, "macvlan", name .. " kind by ip")
      t.eq(w.linkinfo.info_data.mode, mode, name .. " mode by ip")
      t.eq(w.link, "p0", name .. "'s parent by ip")
      t.ok(t.ipaddrs(a, name)["10.5.0.1/24"], name .. "'s address")
      agrees(a, name)
      t.eq(modeled(a, name).linkinfo.info_data.mode, mode, name .. " mode in netlab.state")
      link.del(name, {ns = a})
      made = made + 1
    end
  end
  t.ok(made >= 1, "the kernel takes some macvlan mode")
  -- Without a mode: bridge, as ip makes it.
  link.add{"mv-d", kind = "macvlan", ns = a, parent = "p0"}
  t.eq(ipd(a, "mv-d").linkinfo.info_data.mode, "bridge", "default mode")
end)

t.test("macvlan on a parent in another namespace: not found there, nothing made", function()
  local _ <close> = t.fresh()
  local a, b = ns.add("a"), ns.add("b")
  link.veth{"p0", ns = a, peer = {"p1", ns = b}}
  t.fails(function() link.macvlan{"mv0", ns = b, parent = "p0"} end,
          'link.macvlan: macvlan "mv0" in "b": no parent "p0" in its namespace')
  t.eq(t.iplink(b, "mv0"), nil, "nothing made")
end)

t.test("vxlan: vni, remote, local, dev, dstport, learning, against ip -j -d link", function()
  local _ <close> = t.fresh()
  local a = ns.add("a")
  link.veth{"u0", ns = a, addr = "10.6.0.1/24", up = true, peer = {"u1", ns = a, up = true}}
  link.vxlan{"vx0", ns = a, vni = 42, remote = "10.6.0.2", ["local"] = "10.6.0.1", dev = "u0",
             learning = false, up = true}
  local d = ipd(a, "vx0").linkinfo
  t.eq(d.info_kind, "vxlan", "kind")
  t.eq(d.info_data.id, 42, "vni")
  t.eq(d.info_data.remote, "10.6.0.2", "remote")
  t.eq(d.info_data["local"], "10.6.0.1", "local")
  t.eq(d.info_data.link, "u0", "dev")
  t.eq(d.info_data.port, 4789, "dstport defaults to 4789")
  t.eq(d.info_data.learning, false, "learning off")
  agrees(a, "vx0")
  link.add{"vx1", kind = "vxlan", ns = a, vni = 16777215, group = "239.1.1.1", dev = "u0", dstport = 8472}
  d = ipd(a, "vx1").linkinfo.info_data
  t.eq(d.group, "239.1.1.1", "group")
  t.eq(d.id, 16777215, "the top VNI")
  t.eq(d.port, 8472, "dstport")
  t.eq(d.learning, true, "learning: the kernel's default")
  agrees(a, "vx1")
end)

-- The kinds this kernel may lack: netlab's error names the option where ip fails too.
local missing = {
  {"dummy", "type dummy", {}, "this kernel has no dummy (CONFIG_DUMMY)"},
  {"ipvlan", "link dp0 type ipvlan mode l2", {parent = "p0", mode = "l2"},
   "this kernel has no ipvlan (CONFIG_IPVLAN)"},
  {"vlan", "link dp0 type vlan id 10", {parent = "p0", id = 10},
   "this kernel has no 802.1Q VLAN support (CONFIG_VLAN_8021Q)"},
}
for _, m in ipairs(missing) do
  local kind, args, opts, msg = m[1], m[2], m[3], m[4]
  t.test(kind .. ": made where the kernel has it, else the CONFIG_ option named", function()
    local _ <close> = t.fresh()
    local a = ns.add("a")
    link.veth{"p0", ns = a, peer = {"p1", ns = a}}
    local o = {"k0", kind = kind, ns = a}
    for k, v in pairs(opts) do o[k] = v end
    local has, out = kernel_has(kind, args)
    if has then
      link.add(o)
      local w = ipd(a, "k0")
      t.eq(w.linkinfo.info_kind, kind, "kind by ip")
      if kind == "vlan" then t.eq(w.linkinfo.info_data.id, 10, "vlan id by ip") end
      if kind == "ipvlan" then t.eq(w.linkinfo.info_data.mode, "l2", "ipvlan mode by ip") end
      agrees(a, "k0")
    else
      t.ok(out:find("Unknown device type", 1, true) or out:find("not supported", 1, true), out)
      local err = t.fails(function() link.add(o) end,
                          ('link.add: %s "k0" in "a": %s'):format(kind, msg))
      t.ok(not err:find("Operation not supported", 1, true), "no bare EOPNOTSUPP: " .. err)
      t.eq(t.iplink(a, "k0"), nil, "nothing made")
    end
  end)
end

t.test("bad input is refused before any request", function()
  local _ <close> = t.fresh()
  local a = ns.add("a")
  link.veth{"p0", ns = a, peer = {"p1", ns = a}}
  local before = #t.ip(a, "link", "show")
  t.fails(function() link.add{"q", kind = "nosuchkind", ns = a} end,
          'link.add: nosuchkind "q" in "a": this kernel knows no link kind "nosuchkind"')
  t.fails(function() link.add{"q", kind = "macvlan", ns = a} end,
          "field 'parent' missing: a macvlan sits on a link of its namespace")
  t.fails(function() link.ipvlan{"q", ns = a} end, "field 'parent' missing")
  t.fails(function() link.vlan{"q", ns = a, id = 10} end, "field 'parent' missing")
  t.fails(function() link.vlan{"q", ns = a, parent = "p0"} end, "field 'id' missing")
  t.fails(function() link.vlan{"q", ns = a, parent = "p0", id = 0} end, "field 'id': 0 is out of range (1 to 4094)")
  t.fails(function() link.vlan{"q", ns = a, parent = "p0", id = 5000} end, "field 'id': 5000 is out of range")
  t.fails(function() link.vlan{"q", ns = a, parent = "p0", id = 5, protocol = "802.1x"} end,
          [[field 'protocol': "802.1Q" or "802.1ad" expected]])
  t.fails(function() link.vxlan{"q", ns = a, vni = 1, remote = "10.0.0.2", group = "239.1.1.1", dev = "p0"} end,
          "fields 'remote' and 'group' together")
  t.fails(function() link.vxlan{"q", ns = a, vni = 16777216} end, "field 'vni': 16777216 is out of range (0 to 16777215)")
  t.fails(function() link.vxlan{"q", ns = a, vni = -1} end, "field 'vni'")
  t.fails(function() link.vxlan{"q", ns = a} end, "field 'vni' missing")
  t.fails(function() link.vxlan{"q", ns = a, vni = 1, remote = "239.1.1.1"} end, "a group =, not a remote =")
  t.fails(function() link.vxlan{"q", ns = a, vni = 1, group = "10.0.0.1", dev = "p0"} end, "is not a multicast")
  t.fails(function() link.vxlan{"q", ns = a, vni = 1, group = "239.1.1.1"} end, "field 'group' without a 'dev'")
  t.fails(function() link.macvlan{"q", ns = a, parent = "p0", mode = "l2"} end,
          [[field 'mode': macvlan mode "bridge", "private", "vepa", "passthru" or "source" expected, got "l2"]])
  t.fails(function() link.ipvlan{"q", ns = a, parent = "p0", mode = "bridge"} end,
          [[field 'mode': ipvlan mode "l2", "l3" or "l3s" expected, got "bridge"]])
  t.fails(function() link.add{"q", kind = "dummy", ns = a, vni = 3} end, "field 'vni': only a vxlan has it, not a dummy")
  t.fails(function() link.add{"q", kind = "vxlan", ns = a, vni = 3, parent = "p0"} end,
          "field 'parent': only a macvlan, ipvlan or vlan has it")
  t.fails(function() link.add{"q", kind = "veth", ns = a, peer = "q1", mode = "bridge"} end,
          "field 'mode': only a macvlan or ipvlan has it")
  t.eq(#t.ip(a, "link", "show"), before, "nothing made")
end)

t.test("a lab records a macvlan and a vxlan; down takes them away", function()
  local _ <close> = t.fresh()
  local before = t.dump()
  local path = script("kinds1", [[
local a = ns.add("ka")
link.veth{"u0", ns = a, addr = "10.7.0.1/24", up = true, peer = {"u1", ns = a, up = true}}
link.macvlan{"mv0", ns = a, parent = "u1", mode = "bridge", up = true}
link.vxlan{"vx0", ns = a, vni = 9, remote = "10.7.0.2", dev = "u0"}
link.macvlan{"mvr", parent = "wan0", mode = "private"}
]])
  local out, code = t.run("run", path)
  t.eq(code, 0, "run: " .. out)
  t.eq(ipd("ka", "mv0").linkinfo.info_kind, "macvlan", "made")
  t.eq(ipd(nil, "mvr").linkinfo.info_data.mode, "private", "root macvlan made")
  out, code = t.run("ls", "kinds1")
  t.eq(code, 0, "ls: " .. out)
  t.ok(out:find("1 namespace, 4 links", 1, true), "ls counts them: " .. out)
  out, code = t.run("down", "kinds1")
  t.eq(code, 0, "down: " .. out)
  t.eq(t.iplink(nil, "mvr"), nil, "root macvlan gone")
  t.same_state(before, "after down")
end)

t.test("export --sh and --lua of a lab with a macvlan and vxlans rebuild it", function()
  local _ <close> = t.fresh()
  local path = script("kinds2", [[
local a = ns.add("kb")
link.veth{"u0", ns = a, addr = "10.8.0.1/24", up = true, peer = {"u1", ns = a, up = true}}
link.macvlan{"mv0", ns = a, parent = "u1", mode = "private", addr = "10.8.1.1/24", up = true}
link.vxlan{"vx0", ns = a, vni = 77, remote = "10.8.0.2", ["local"] = "10.8.0.1", dev = "u0",
           learning = false, up = true}
link.vxlan{"vx1", ns = a, vni = 78, group = "239.1.1.9", dev = "u0", dstport = 4790}
]])
  local before = t.dump()
  local out, code = t.run("run", path)
  t.eq(code, 0, "run: " .. out)
  local built = t.dump()
  local ip = {}
  for _, n in ipairs{"mv0", "vx0", "vx1"} do ip[n] = ipd("kb", n).linkinfo end
  for _, fmt in ipairs{"--sh", "--lua"} do
    local text
    text, code = t.run("export", fmt, "kinds2")
    t.eq(code, 0, "export: " .. text)
    t.ok(not text:find("not exported: link", 1, true), fmt .. " exports every link: " .. text)
    local f = dir .. "/rebuild" .. (fmt == "--sh" and ".sh" or ".lua")
    local h = assert(io.open(f, "w")); h:write(text); h:close()
    out, code = t.run("down", "kinds2")
    t.eq(code, 0, "down: " .. out)
    t.same_state(before, "after down")
    if fmt == "--sh" then t.sh_ok("sh -e " .. f) else
      out, code = t.run("run", f)
      t.eq(code, 0, "run the export: " .. out)
    end
    t.eq(t.dump(), built, fmt .. ": the same state")
    for n, li in pairs(ip) do
      local now = ipd("kb", n).linkinfo
      for k, v in pairs(li.info_data) do
        if type(v) ~= "table" then t.eq(now.info_data[k], v, fmt .. " " .. n .. " " .. k) end
      end
    end
    if fmt == "--sh" then
      t.sh_ok("ip netns del kb")
      out, code = t.run("run", path)
      t.eq(code, 0, "run again: " .. out)
    else
      t.run("down", "rebuild")
    end
  end
end)

t.done()
