-- Routes: default, via, dev, onlink, metric, table, replace, delete, IPv4
-- and IPv6, in any namespace, with `ip -j route` as the witness.
local t = require "t"

-- Each case's own network: orange behind br0 in root. t.fresh takes it
-- away, and with its links every route through them, when the case ends.
local function network()
  local orange = ns.add("orange")
  local br = bridge.add("br0", {up = true, addr = {"192.168.52.5/24", "fd52::5/64"}})
  link.veth{"veth-orange", ns = orange, up = true, addr = {"192.168.52.2/24", "fd52::2/64"},
            peer = {"veth-orange-br", master = br, up = true}}
  return orange, br
end

local function iproutes(n, ...)
  local out = {}
  for _, r in ipairs(t.ip(n, "route", "show", ...)) do out[r.dst] = r end
  return out
end

t.test("default via a gateway in a namespace", function()
  local _ <close> = t.fresh()
  local orange = network()
  route.add{ns = "orange", dst = "default", via = "192.168.52.5"}
  local r = iproutes("orange").default
  t.ok(r, "ip sees a default route")
  t.eq(r.gateway, "192.168.52.5", "gateway")
  t.eq(r.dev, "veth-orange", "the kernel found the device")
  local mine
  for _, x in ipairs(route.list(orange)) do if x.dst == "default" then mine = x end end
  t.eq(mine.via, "192.168.52.5", "route.list via")
  t.eq(mine.dev, "veth-orange", "route.list dev")
  t.eq(mine.proto, "boot", "proto boot, as ip route add")
  t.ok(t.ping_eventually("orange", "192.168.52.5"), "orange reaches its gateway")
end)

t.test("dev routes, metric and table", function()
  local _ <close> = t.fresh()
  local orange = network()
  route.add("10.20.0.0/16", {dev = "br0", metric = 50})
  local r = iproutes(nil)["10.20.0.0/16"]
  t.eq(r.dev, "br0", "dev")
  t.eq(r.metric, 50, "metric")
  t.eq(r.scope, "link", "a route without gateway is on the link")
  route.add{dst = "10.30.0.0/16", via = "192.168.52.2", table = 100}
  t.eq(iproutes(nil, "table", "100")["10.30.0.0/16"].gateway, "192.168.52.2", "table 100")
  t.eq(iproutes(nil)["10.30.0.0/16"], nil, "not in main")
  local found
  for _, x in ipairs(route.list{table = 100}) do found = found or x.dst == "10.30.0.0/16" end
  t.ok(found, "route.list{table = 100}")
  route.del{dst = "10.30.0.0/16", table = 100}
  t.eq(iproutes(nil, "table", "100")["10.30.0.0/16"], nil, "deleted from table 100")
end)

t.test("replace changes a route in place; add refuses a duplicate", function()
  local _ <close> = t.fresh()
  local orange = network()
  route.add("10.40.0.0/16", {via = "192.168.52.2"})
  t.fails(function() route.add("10.40.0.0/16", {via = "192.168.52.2"}) end,
    "route.add: 10.40.0.0/16 via 192.168.52.2: File exists (EEXIST)")
  route.replace("10.40.0.0/16", {dev = "br0"})
  local r = iproutes(nil)["10.40.0.0/16"]
  t.eq(r.gateway, nil, "no gateway after replace")
  t.eq(r.dev, "br0", "now a dev route")
  route.del("10.40.0.0/16")
  t.eq(iproutes(nil)["10.40.0.0/16"], nil, "deleted")
  t.fails(function() route.del("10.40.0.0/16") end, "10.40.0.0/16", "ESRCH")
end)

t.test("onlink: a gateway outside every subnet of the device", function()
  local _ <close> = t.fresh()
  local orange = network()
  t.fails(function() route.add{ns = orange, dst = "10.50.0.0/16", via = "10.99.0.1"} end,
    'route.add: 10.50.0.0/16 via 10.99.0.1 in "orange": Nexthop has invalid gateway (ENETUNREACH)')
  route.add{ns = orange, dst = "10.50.0.0/16", via = "10.99.0.1", dev = "veth-orange", onlink = true}
  local r = iproutes("orange")["10.50.0.0/16"]
  t.ok(t.has_flag(r, "onlink"), "onlink flag")
end)

t.test("the con1 pattern: a /32 host route and a default via it", function()
  local _ <close> = t.fresh()
  local orange = network()
  local con1 = ns.add("con1", {lo = true})
  link.veth{"veth1", up = true, peer = {"veth2", ns = con1, up = true, addr = "172.17.0.2/32"}}
  route.add{dst = "172.17.0.2/32", dev = "veth1"}
  route.add{ns = con1, dst = "default", via = "172.17.0.2", dev = "veth2"}
  t.eq(iproutes("con1").default.gateway, "172.17.0.2", "default via its own address")
  t.eq(iproutes(nil)["172.17.0.2"].dev, "veth1", "host route in root")
end)

t.test("IPv6 routes", function()
  local _ <close> = t.fresh()
  local orange = network()
  route.add{ns = orange, dst = "default", via = "fd52::5"}
  local r = t.ip("orange", "-6", "route", "show", "default")[1]
  t.eq(r.gateway, "fd52::5", "IPv6 default gateway")
  route.add{dst = "fd99::/64", dev = "br0", metric = 7}
  local found
  for _, x in ipairs(route.list{family = "inet6"}) do
    if x.dst == "fd99::/64" then found = x end
  end
  t.eq(found.metric, 7, "IPv6 route listed with its metric")
  route.del{dst = "fd99::/64", dev = "br0"}
end)

t.test("bad arguments are refused before anything happens", function()
  local _ <close> = t.fresh()
  local orange = network()
  t.fails(function() route.add{dst = "10.0.0.1/24", via = "192.168.52.2"} end,
    "invalid route destination \"10.0.0.1/24\" (host bits set; the network is 10.0.0.0/24)")
  t.fails(function() route.add{dst = "default", via = "192.168.52.5/24"} end,
    "field 'via'", "an address takes no prefix length")
  t.fails(function() route.add{dst = "default", via = "300.0.0.1"} end, "invalid address")
  t.fails(function() route.add{dst = "10.0.0.0/24"} end, "a route needs 'via' or 'dev'")
  t.fails(function() route.add{via = "1.2.3.4"} end, "field 'dst' missing")
  t.fails(function() route.add{dst = "default", via = "fd52::5", src = "10.0.0.1"} end, "field 'src'")
  t.fails(function() route.add{dst = "10.0.0.0/8", via = "fd52::5"} end, "not of the destination's family")
  t.fails(function() route.add{dst = "10.0.0.0/8", dev = "nosuch"} end, "route.add: 10.0.0.0/8 dev nosuch: no link \"nosuch\" (ENODEV)")
  t.fails(function() route.add{dst = "10.0.0.0/8", dev = "br0", metric = -1} end, "out of range")
  t.fails(function() route.add{dst = "10.0.0.0/8", dev = "br0", ns = "nosuch"} end,
    'namespace "nosuch": no such namespace (ENOENT)')
  t.fails(function() route.list{family = "ipx"} end, "field 'family'")
end)

t.done()
