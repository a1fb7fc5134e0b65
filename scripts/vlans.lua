-- Two VLANs on one VLAN-aware bridge, kept apart, and a router between
-- them: what a switch with VLANs and a router on a stick do, with access
-- ports only. Each host's port is in one VLAN untagged (its PVID): frames
-- from the host join that VLAN, frames of it leave without a tag, so the
-- hosts need no VLAN links of their own (and the kernel no 802.1Q), only a
-- bridge that filters VLANs. The router has a port in each VLAN.
--   sudo netlab run --sandbox scripts/vlans.lua [router=false]
local p = netlab.params{
  doc = "two VLANs on one VLAN-aware bridge, a router namespace between them",
  {"vlan1", 10, "the first VLAN's id (red's)", kind = "integer",
   check = function(v) return v >= 1 and v <= 4094, "a VLAN id, 1-4094" end},
  {"vlan2", 20, "the second VLAN's id (blue's and eve's)", kind = "integer",
   check = function(v) return v >= 1 and v <= 4094, "a VLAN id, 1-4094" end},
  {"subnet1", "10.0.10.0/24", "the first VLAN's subnet: the router .1, red .2", kind = "subnet"},
  {"subnet2", "10.0.20.0/24", "the second VLAN's subnet: the router .1, blue .2", kind = "subnet"},
  {"router", true, "whether the router joins the two (false: the VLANs stay apart)",
   kind = "boolean"},
  {"bridge", "br-vlan", "the VLAN-aware bridge, in the root namespace", kind = "ifname"},
}
if p.vlan1 == p.vlan2 then error("vlans.lua: vlan1 and vlan2 must differ (see --help)", 0) end

-- What this lab needs of the kernel, said before anything is built.
bridge.need_vlan_filtering()

-- vlan_default_pvid = 0: a new port is in no VLAN until it is given one, so
-- no port is left in VLAN 1 with every other one.
local br = bridge.add(p.bridge, {vlan_filtering = true, vlan_default_pvid = 0, up = true})

-- A host on an access port: its end eth0 in its namespace, the bridge's
-- end in VLAN vid untagged with that VLAN as its PVID.
local function host(name, vid, addr, gw)
  local n = ns.add(name, {lo = true})
  local port = "p-" .. name
  link.veth{port, master = br, up = true, peer = {"eth0", ns = n, addr = addr, up = true}}
  bridge.vlan(port, {vid = vid, pvid = true, untagged = true})
  if gw then route.add{ns = n, dst = "default", via = gw} end
  return n
end

local h1 = function(n) return netlab.host(p.subnet1, n) end
local h2 = function(n) return netlab.host(p.subnet2, n) end
host("red", p.vlan1, netlab.hostcidr(p.subnet1, 2), h1(1))
host("blue", p.vlan2, netlab.hostcidr(p.subnet2, 2), h2(1))
-- eve sits in the second VLAN with an address of the first: on a plain
-- bridge she would reach red directly; the VLANs keep her out.
host("eve", p.vlan2, netlab.hostcidr(p.subnet1, 9))

-- The router: one access port in each VLAN, and forwarding between them.
if p.router then
  local r = ns.add("router", {lo = true, forwarding = true})
  for i, v in ipairs{{p.vlan1, p.subnet1}, {p.vlan2, p.subnet2}} do
    local port = "p-router" .. i
    link.veth{port, master = br, up = true,
              peer = {"eth" .. i, ns = r, addr = netlab.hostcidr(v[2], 1), up = true}}
    bridge.vlan(port, {vid = v[1], pvid = true, untagged = true})
  end
end

-- What reaches what: red and blue only through the router, which reaches
-- both; eve, in blue's VLAN with red's subnet, never reaches red.
probe.expect{
  {"red", h2(2), p.router},
  {"blue", h1(2), p.router},
  {"eve", h1(2), false},
}
if p.router then probe.expect{{"router", h1(2)}, {"router", h2(2)}} end

local shown = {"root", "red", "blue", "eve"}
if p.router then shown[#shown + 1] = "router" end
print(netlab.show(shown))
