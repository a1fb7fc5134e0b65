-- probe.why's layer 2 (bindings/probe_why_l2.lua) on models made up here,
-- for the kinds this machine's kernel lacks (ipvlan, vlan) and for the
-- macvlan modes no script uses: where a frame sent out of a link arrives,
-- and the causes the kinds have. The same model shape netlab.state() gives
-- (docs/state.md); the kinds the kernel has are held to real traffic in
-- why.lua and why_scripts.lua.
local t = require "t"

local L2 = probe._why_l2

-- A model: {ns = {NAME = {LINK, …}}}, each link {ifname, kind, up,
-- data (info_data), parent = "NS|IF", peer = "NS|IF", master, addr}.
local function model(spec)
  local W = {ns = {}, owner = {}}
  for name, links in pairs(spec) do
    local e = {name = name, links = {}, byname = {}, routes = {}, forwarding = {}}
    W.ns[name] = e
    for _, s in ipairs(links) do
      local l = {ifname = s[1], kind = s.kind or "veth", up = s.up ~= false, carrier = s.up ~= false,
                 master = s.master, linkinfo = s.data and {info_data = s.data}, addr_info = {}}
      for _, ref in ipairs{"parent", "peer"} do
        if s[ref] then
          local pns, pif = s[ref]:match("^([^|]+)|(.+)$")
          l[ref] = {ns = pns, ifname = pif}
        end
      end
      if s.addr then
        local a, plen = s.addr:match("^([^/]+)/(%d+)$")
        l.addr_info[1] = {["local"] = a, prefixlen = tonumber(plen), family = "inet", scope = "global"}
        W.owner[a] = {ns = name, dev = s[1]}
      end
      e.links[#e.links + 1] = l
      e.byname[l.ifname] = l
    end
  end
  L2.index(W)
  return W
end

-- The ends a frame sent out of (n, dev) reaches, as sorted "NS|IF" words.
local function reached(W, n, dev)
  local out = {}
  for _, e in ipairs((L2.domain(W, n, dev))) do out[#out + 1] = e.ns .. "|" .. e.dev end
  table.sort(out)
  return table.concat(out, " ")
end

t.test("ipvlan: siblings meet unless private or vepa; the parent's wire reaches all, the parent none", function()
  local W = model{
    root = {{"p0", peer = "root|p0-wire", addr = "10.8.0.254/24"}, {"p0-wire", peer = "root|p0"}},
    a = {{"i1", kind = "ipvlan", parent = "root|p0", data = {mode = "l2", bridge = true}, addr = "10.8.0.1/24"}},
    b = {{"i2", kind = "ipvlan", parent = "root|p0", data = {mode = "l3", bridge = true}, addr = "10.8.0.2/24"}},
    c = {{"i3", kind = "ipvlan", parent = "root|p0", data = {mode = "l2", private = true}, addr = "10.8.0.3/24"}},
  }
  t.eq(reached(W, "a", "i1"), "b|i2 root|p0-wire", "i1: its sibling and the wire, not the parent nor the private one")
  t.eq(reached(W, "c", "i3"), "root|p0-wire", "a private one: only the wire")
  t.eq(reached(W, "root", "p0"), "root|p0-wire", "the parent: only its wire, never its ipvlans")
  t.eq(reached(W, "root", "p0-wire"), "a|i1 b|i2 c|i3 root|p0", "from the wire: the parent and every ipvlan")
  local c = L2.cause(W, "root", "p0", "10.8.0.1")
  t.eq(c and c.code, "macvlan-parent", "the parent and its own ipvlan: the cause")
  t.eq(c.ns, "root", "named where the parent is")
  t.eq(c.object, "p0", "the parent")
  t.ok(c.message:find("ipvlan", 1, true), "says ipvlan: " .. c.message)
  t.eq(c.fix.netlab, 'link.addr_del("p0", "10.8.0.254/24"); link.ipvlan{"p0-host", parent = "p0", mode = "l2", ' ..
       'addr = "10.8.0.254/24", up = true}', "an ipvlan on the host, given the parent's address")
  c = L2.cause(W, "a", "i1", "10.8.0.254")
  t.eq(c and c.code, "macvlan-parent", "the other way too")
  c = L2.cause(W, "a", "i1", "10.8.0.3")
  t.eq(c and c.code, "macvlan-mode", "a private sibling")
  t.eq(c.ns, "c", "named where the private one is")
  t.eq(c.object, "i3", "the private one")
  t.eq(c.fix.command, "ip netns exec c ip link set i3 type ipvlan mode l2 bridge", "the command")
  t.eq(L2.cause(W, "a", "i1", "10.8.0.2"), nil, "siblings that meet: no cause")
end)

t.test("macvlan modes: bridge meets bridge only; vepa and private reach only the wire", function()
  local W = model{
    root = {{"p0", peer = "x|w0"}},
    x = {{"w0", peer = "root|p0", addr = "10.9.0.9/24"}},
    a = {{"m1", kind = "macvlan", parent = "root|p0", data = {mode = "bridge"}}},
    b = {{"m2", kind = "macvlan", parent = "root|p0", data = {mode = "bridge"}}},
    c = {{"m3", kind = "macvlan", parent = "root|p0", data = {mode = "vepa"}}},
    d = {{"m4", kind = "macvlan", parent = "root|p0", data = {mode = "private"}}},
  }
  t.eq(reached(W, "a", "m1"), "b|m2 x|w0", "bridge: the bridge sibling and the wire")
  t.eq(reached(W, "c", "m3"), "x|w0", "vepa: the wire only (no switch here sends it back)")
  t.eq(reached(W, "d", "m4"), "x|w0", "private: the wire only")
  t.eq(reached(W, "x", "w0"), "a|m1 b|m2 c|m3 d|m4 root|p0", "the wire's far end reaches them all")
  -- The parent down: its macvlans reach nothing, and the cause names it.
  W.ns.root.byname.p0.up = false
  W.ns.a.byname.m1.carrier = false
  t.eq(reached(W, "a", "m1"), "", "a parent down: nothing")
  local _, down = L2.domain(W, "a", "m1")
  local c = L2.down_cause(W, "a", "m1", down)
  t.eq(c and c.code, "no-carrier", "no carrier")
  t.eq(c.ns .. "|" .. c.object, "root|p0", "the parent named")
  t.eq(c.fix.netlab, 'link.up("p0")', "its fix")
end)

t.test("vlan: tagged frames reach only the vlans of the same id beyond the parent, through a bridge too", function()
  local W = model{
    h1 = {{"eth0", peer = "sw|p1", addr = "10.0.0.1/24"},
          {"eth0.10", kind = "vlan", parent = "h1|eth0", data = {id = 10, protocol = "802.1Q"}, addr = "10.10.0.1/24"},
          {"eth0.20", kind = "vlan", parent = "h1|eth0", data = {id = 20, protocol = "802.1Q"}, addr = "10.20.0.1/24"}},
    sw = {{"br0", kind = "bridge"}, {"p1", peer = "h1|eth0", master = "br0"}, {"p2", peer = "h2|eth0", master = "br0"},
          {"br0.10", kind = "vlan", parent = "sw|br0", data = {id = 10}, addr = "10.10.0.254/24"}},
    h2 = {{"eth0", peer = "sw|p2", addr = "10.0.0.2/24"},
          {"eth0.10", kind = "vlan", parent = "h2|eth0", data = {id = 10}, addr = "10.10.0.2/24"},
          {"eth0.30", kind = "vlan", parent = "h2|eth0", data = {id = 30}, addr = "10.30.0.2/24"}},
  }
  t.eq(reached(W, "h1", "eth0.10"), "h2|eth0.10 sw|br0.10", "VLAN 10: the vlans of id 10 only")
  t.eq(reached(W, "h1", "eth0.20"), "", "VLAN 20: nobody else has it")
  t.eq(reached(W, "h1", "eth0"), "h2|eth0 sw|br0", "untagged: the plain links, no vlan")
  t.eq(reached(W, "sw", "br0.10"), "h1|eth0.10 h2|eth0.10", "from the bridge's own vlan 10")
  -- A port down on the way: noted as down, VLAN 10 of h2 no longer reached.
  W.ns.sw.byname.p2.up = false
  local ends, down = L2.domain(W, "h1", "eth0.10")
  t.eq(#ends, 1, "only the bridge's vlan")
  t.eq(down[1] and down[1].ns .. "|" .. down[1].dev, "sw|p2", "the port down named")
end)

t.done()
