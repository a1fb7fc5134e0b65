-- The benchmark's star: bridge br0 with 10.0.0.1/16 in the root namespace;
-- for I = 1..n a namespace hI, a veth vhI (root side, on the bridge, up) to
-- eth0 (in hI, up, 10.0.A.B/16 where A.B is I+1 as two bytes), lo up, and a
-- default route via 10.0.0.1.
--
--   netlab run bench/star.lua n=100 [ipv6=quiet] [bridges=K]
--
-- ipv6=quiet: no IPv6 link-local addresses anywhere (addrgenmode "none" on
--   every link), so no duplicate address detection, router solicitations or
--   MLD reports. Each of those is flooded to every port of the bridge and
--   answered in every namespace, which grows as n^2 and swamps a lab of a
--   few hundred namespaces; the bridges also skip multicast snooping, which
--   has nothing to snoop then.
-- bridges=K: one Linux bridge holds at most 1023 ports, so past that the
--   hosts are spread over K bridges (default: one per 1000 hosts), br1 ...
--   joined to br0 by a veth each (trJ on br0, to upJ on brJ): still one
--   Ethernet, one subnet. bridges=1 keeps a lone bridge, which fails past
--   1023 ports with an error that says so.
local n = tonumber(params.n)
if not n or n < 1 or n ~= math.floor(n) or n > 65533 then
  error("star.lua: n=N expected, 1 to 65533 (the hosts of 10.0.0.0/16)", 0)
end
local quiet = params.ipv6 == "quiet"
if params.ipv6 and not quiet then error("star.lua: ipv6=quiet or nothing", 0) end
local v6 = quiet and "none" or nil
local snoop = quiet and false or nil
local nbr = tonumber(params.bridges) or (n <= 1023 and 1 or math.ceil(n / 1000))
local per = math.ceil(n / nbr)

local bridges = {bridge.add("br0", {addr = "10.0.0.1/16", up = true, addrgenmode = v6,
                                    mcast_snooping = snoop})}
for j = 1, nbr - 1 do
  bridges[j + 1] = bridge.add("br" .. j, {up = true, addrgenmode = v6, mcast_snooping = snoop})
  link.veth{"tr" .. j, master = "br0", up = true, addrgenmode = v6,
            peer = {"up" .. j, master = bridges[j + 1], up = true, addrgenmode = v6}}
end

for i = 1, n do
  local h = ns.add("h" .. i, {lo = true})
  local a = i + 1
  link.veth{"vh" .. i, master = bridges[(i - 1) // per + 1], up = true, addrgenmode = v6,
            peer = {"eth0", ns = h, up = true, addrgenmode = v6,
                    addr = ("10.0.%d.%d/16"):format(a // 256, a % 256)}}
  route.add{ns = h, dst = "default", via = "10.0.0.1"}
end
