-- macvlan, as Docker's macvlan driver uses it: each container gets its own
-- MAC address on the host's LAN link (the parent), no bridge in between.
-- Here the LAN link is one end of a veth in the root namespace (its other
-- end stands for the LAN's wire, so the parent has carrier and nothing
-- leaves the machine); a macvlan of it is made in the root and moved into
-- each namespace, as `ip link add … link lan0 type macvlan mode bridge` and
-- `ip link set … netns …` do.
--   netlab run --sandbox scripts/macvlan.lua
local p = netlab.params{
  doc = "two namespaces with macvlans (mode bridge) of one parent link",
  {"subnet", "10.7.0.0/24", "the LAN: the parent .254, the macvlans .1 and .2", kind = "subnet"},
  {"parent", "lan0", "the parent link (a veth in the root namespace)", kind = "ifname"},
  {"ns1", "mv1", "the first namespace", kind = "nsname"},
  {"ns2", "mv2", "the second namespace", kind = "nsname"},
}

link.veth{p.parent, addr = netlab.hostcidr(p.subnet, 254), up = true,
          peer = {p.parent .. "-wire", up = true}}
for i, n in ipairs{p.ns1, p.ns2} do
  ns.add(n)
  local name = "mv-" .. n
  local l = link.macvlan{name, parent = p.parent, mode = "bridge"}
  link.set(l, {netns = n})
  link.addr_add(l, netlab.hostcidr(p.subnet, i))
  link.up(l)
end

-- What reaches what, as the kernel does it: in mode bridge the siblings
-- reach each other (the kernel switches between them on the parent); the
-- parent's own namespace does not reach them through the parent (what it
-- sends on the parent goes out on the parent's wire, never up into its
-- macvlans, which is why Docker's containers cannot reach their host).
local h = function(n) return netlab.host(p.subnet, n) end
local expect = {{p.ns1, h(2)}, {p.ns2, h(1)}, {"root", h(1), false}, {p.ns1, h(254), false}}
probe.expect(expect)

print(netlab.show{"root", p.ns1, p.ns2})
