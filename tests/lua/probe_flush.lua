-- A probe leaves the kernel's neighbour tables as it found them: the
-- entries a matrix made (the prober's for the target, the answerer's for
-- the prober) are deleted after it; an entry that was there before, a
-- PERMANENT one or one an earlier ping resolved, stays.
local t = require "t"

local N = 4

-- Every namespace's neighbour entries as `ip -j neigh` tells them, keyed
-- "NS DEV DST", each with its state list and lladdr.
local function neighbours(names)
  local all = {}
  for _, n in ipairs(names) do
    for _, e in ipairs(t.ip(n ~= "root" and n or nil, "neigh", "show")) do
      all[("%s %s %s"):format(n, e.dev, e.dst)] = e
    end
  end
  return all
end

local function keys(set)
  local out = {}
  for k in pairs(set) do out[#out + 1] = k end
  table.sort(out)
  return out
end

t.test("a matrix leaves every neighbour table as it was", function()
  local _ <close> = t.fresh()
  local br = bridge.add("br0", {addr = "10.9.0.1/24", up = true, addrgenmode = "none"})
  t.sh_ok("ip addr add 2001:db8:9::1/64 dev br0 nodad")
  local names = {"root"}
  for i = 1, N do
    local h = ns.add("h" .. i, {lo = true})
    link.veth{"vh" .. i, master = br, up = true, addrgenmode = "none",
              peer = {"eth0", ns = h, up = true, addrgenmode = "none", addr = ("10.9.0.%d/24"):format(i + 1)}}
    t.sh_ok(("ip -n h%d addr add 2001:db8:9::%d/64 dev eth0 nodad"):format(i, i + 1))
    names[#names + 1] = "h" .. i
  end
  t.ok(t.ping_eventually("h1", "10.9.0.1"), "the star passes packets")
  -- What was there before the matrix: a PERMANENT entry (configuration),
  -- one an earlier ping resolved, and the ping above's.
  -- (h2's real address: the matrix's h1 -> h2 goes by it)
  local mac = t.iplink("h2", "eth0").address
  t.sh_ok(("ip -n h1 neigh add 10.9.0.3 lladdr %s dev eth0 nud permanent"):format(mac))
  t.sh_ok(("ip -n h1 neigh add 2001:db8:9::3 lladdr %s dev eth0 nud permanent"):format(mac))
  t.ok(t.ping_eventually("h3", "10.9.0.5"), "h3 reaches h4 before the matrix")
  local before = neighbours(names)
  t.eq(before["h1 eth0 10.9.0.3"].lladdr, mac, "the permanent entry is in")
  t.ok(before["h3 eth0 10.9.0.5"], "the earlier ping's entry is in")

  local m = probe.matrix{from = names, to = names}
  -- The star's cells (the root's wan0 is the sandbox's, and the hI have no route there).
  local bad, star = {}, 0
  for _, r in ipairs(m) do
    if r.to:match("^10%.9%.") or r.to:match("^2001:db8:9:") then
      star = star + 1
      if not r.ok then bad[#bad + 1] = tostring(r) end
    end
  end
  t.eq(star, (N + 1) * (N + 1) * 2, "every pair of the star probed over IPv4 and IPv6")
  t.eq(#bad, 0, "cells not answered: " .. table.concat(bad, "; ", 1, math.min(#bad, 5)))

  local after = neighbours(names)
  -- The same entries, whatever state the ones of before are in now.
  t.eq(table.concat(keys(after), "\n"), table.concat(keys(before), "\n"),
       "the neighbour entries after the matrix are those of before")
  local p = after["h1 eth0 10.9.0.3"]
  t.ok(p and p.lladdr == mac and p.state[1] == "PERMANENT",
       "the permanent entry is still there, unchanged")
  p = after["h1 eth0 2001:db8:9::3"]
  t.ok(p and p.lladdr == mac and p.state[1] == "PERMANENT",
       "and its IPv6 twin")
  t.ok(after["h3 eth0 10.9.0.5"], "the earlier ping's entry is still there")
  -- The matrix did reach them: h1 to h2 goes through ARP, which it cleaned up.
  t.ok(not after["h1 eth0 10.9.0.2"], "h1's entry for h2, the matrix's, is gone")
  t.ok(t.ping("h1", "10.9.0.2"), "and h1 resolves h2 again when it needs to")
end)

t.done()
