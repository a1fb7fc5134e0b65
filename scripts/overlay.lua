-- An overlay, as Flannel's or Docker swarm's vxlan backends build it: two
-- hosts joined by an underlay link, in each a vxlan (VNI 42, UDP 4789) on
-- a bridge, and a container behind each bridge. The containers share one
-- overlay subnet; their frames cross the underlay inside UDP.
--   netlab run --sandbox scripts/overlay.lua
local p = netlab.params{
  doc = "two hosts joined by an underlay, containers on a vxlan overlay",
  {"underlay", "10.0.0.0/24", "the underlay: host1 .1, host2 .2", kind = "subnet"},
  {"overlay", "10.244.0.0/24", "the overlay: c1 .1, c2 .2", kind = "subnet"},
  {"vni", 42, "the VXLAN network identifier"},
  {"port", 4789, "the underlay's UDP port (IANA's)"},
}

local hosts = {{"host1", "c1"}, {"host2", "c2"}}
for _, h in ipairs(hosts) do
  ns.add(h[1])
  ns.add(h[2])
end
link.veth{"u-host1", ns = "host1", addr = netlab.hostcidr(p.underlay, 1), up = true,
          peer = {"u-host2", ns = "host2", addr = netlab.hostcidr(p.underlay, 2), up = true}}

for i, h in ipairs(hosts) do
  local host, c = h[1], h[2]
  local br = bridge.add("br0", {ns = host, up = true})
  link.vxlan{"vxlan42", ns = host, vni = p.vni, dstport = p.port, dev = "u-" .. host,
             ["local"] = netlab.host(p.underlay, i), remote = netlab.host(p.underlay, 3 - i),
             master = br, up = true}
  link.veth{"eth0", ns = c, addr = netlab.hostcidr(p.overlay, i), up = true,
            peer = {"v-" .. c, ns = host, master = br, up = true}}
end

-- What reaches what: the containers reach each other across the overlay;
-- the hosts reach each other on the underlay, but not the containers (the
-- bridges carry no overlay address).
local o = function(n) return netlab.host(p.overlay, n) end
probe.expect{{"c1", o(2)}, {"c2", o(1)}, {"host1", netlab.host(p.underlay, 2)},
             {"host1", o(2), false}}

print(netlab.show{"host1", "host2", "c1", "c2"})
