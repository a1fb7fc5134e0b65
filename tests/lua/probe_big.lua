-- A matrix larger than the kernel's neighbour table: star 40 on one bridge
-- needs some 1,700 ARP entries, more than the host's gc_thresh3 (1024 by
-- default, one table for every namespace). Before the waves, the cells
-- whose resolution did not fit read "no answer" although ping gets
-- through; now every cell must be answered, and agree with `ping -c1 -W1`
-- from inside the same namespace for a sample of pairs. Correctness only:
-- how long it takes is bench/probe.sh's to measure, never a test's.
local t = require "t"

local N = 40

-- The table as the kernel tells it, from any namespace (`ip -s ntable`):
-- its cap and how many new entries it has refused since boot.
local function arp_table()
  local out = t.sh_ok("ip -s ntable show name arp_cache")
  return {thresh3 = tonumber(out:match("thresh3 (%d+)")), fulls = tonumber(out:match("table_fulls (%d+)"))}
end

t.test("star " .. N .. ": every cell of the matrix answered, past the neighbour table's cap", function()
  local _ <close> = t.fresh()
  local br = bridge.add("br0", {addr = "10.0.0.1/16", up = true, addrgenmode = "none"})
  local names = {"root"}
  for i = 1, N do
    local h = ns.add("h" .. i, {lo = true})
    local a = ("10.0.%d.%d"):format((i + 1) // 256, (i + 1) % 256)
    link.veth{"vh" .. i, master = br, up = true, addrgenmode = "none",
              peer = {"eth0", ns = h, up = true, addrgenmode = "none", addr = a .. "/16"}}
    route.add{ns = h, dst = "default", via = "10.0.0.1"}
    names[#names + 1] = "h" .. i
  end
  t.ok(t.ping_eventually("h" .. N, "10.0.0.1"), "the star passes packets")

  local cap = arp_table()
  t.ok(cap.thresh3 and cap.thresh3 < (N + 1) * (N + 1),
       ("the host's gc_thresh3 (%s) is below what the matrix needs"):format(cap.thresh3))
  local m = probe.matrix{from = names, to = names}
  -- The root has the sandbox's wan0 address too.
  t.ok(#m >= (N + 1) * (N + 1), ("every pair probed (%d)"):format(#m))
  local bad = {}
  for _, r in ipairs(m) do
    if not r.ok then bad[#bad + 1] = tostring(r) end
  end
  t.eq(#bad, 0, "cells not answered: " .. table.concat(bad, "; ", 1, math.min(#bad, 5)))

  -- The witness: ping(8) from inside, for pairs spread over the matrix.
  local step = #m // 24
  for j = 1, #m, step do
    local r = m[j]
    local argv = r.from == "root" and "ping -c1 -W1 -q " .. r.to
                 or "ip netns exec " .. r.from .. " ping -c1 -W1 -q " .. r.to
    local _, code = t.sh(argv)
    t.eq(code == 0, r.ok, ("ping %s -> %s agrees with the matrix"):format(r.from, r.to))
  end
end)

t.done()
