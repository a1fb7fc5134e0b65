-- The matrix of star N (bench/star.lua): every namespace and the root to
-- every address of the star, by probe.matrix, against a loop of
-- `ip netns exec hI ping -c1 -W1 ADDR` over the same pairs, in one run.
--
--   netlab run --sandbox bench/probe.lua n=100 [loop=K] [ipv6=quiet]
--
-- loop=K: time the ping loop over K pairs spread evenly over the matrix and
--   scale to all of them (a loop over 10,000 pairs takes many minutes); all:
--   every pair.
-- Prints one Markdown row: N, probes, netlab's matrix (address resolution
-- and, past the kernel's neighbour table, its waves included), the answers
-- and the cells left unsure, the ARP table's refusals during the matrix, the
-- ping loop and how many of its pings failed, the ratio, netlab's peak
-- descriptors during the matrix, and a matrix whose 10 targets are all silent.
dofile("bench/star.lua")
local n = tonumber(params.n)

local function now()
  return tonumber((ns.capture(nil, "date", "+%s%N"))) / 1e9
end

local function fulls()
  return tonumber(ns.capture(nil, {"sh", "-c", "ip -s ntable show name arp_cache"}):match("table_fulls (%d+)"))
end

-- New links pass packets a moment after they are up.
for _ = 1, 60 do
  if probe.ping("h" .. n, "10.0.0.1", {timeout = 0.2}).ok then break end
end

local from, to = {"root"}, {"root"}
for i = 1, n do
  from[#from + 1] = "h" .. i
  to[#to + 1] = "h" .. i
end

-- Peak descriptors: a sampler reads this process's /proc/PID/fd every 5 ms.
local me = ns.capture(nil, {"sh", "-c", "echo $PPID"}):match("%d+")
local sampler = ns.spawn(nil, {"sh", "-c", [[m=0; while [ ! -e /run/bench-stop ]; do
  c=$(ls /proc/$1/fd | wc -l); [ "$c" -gt "$m" ] && m=$c && echo "$m" > /run/bench-fds; sleep 0.005; done]],
  "sh", me, quiet = true})
netlab.sleep(0.2)
local base = tonumber((ns.capture(nil, {"sh", "-c", "ls /proc/$1/fd | wc -l", "sh", me})))

local f0 = fulls()
local t0 = now()
local m = probe.matrix{from = from, to = to}
local t1 = now()
local f1 = fulls()
ns.capture(nil, {"touch", "/run/bench-stop"})
netlab.wait(sampler, 5)
local peak = tonumber((ns.capture(nil, {"cat", "/run/bench-fds"})))
local answered, unsure = 0, 0
for _, r in ipairs(m) do
  if r.ok then answered = answered + 1 elseif r.status == "unsure" then unsure = unsure + 1 end
end

-- The loop, once the matrix's neighbour entries are reclaimable.
netlab.sleep(5)
local pairs_all = {}
for _, r in ipairs(m) do pairs_all[#pairs_all + 1] = {r.from, r.to} end
local k = params.loop == "all" and #pairs_all or math.min(#pairs_all, tonumber(params.loop) or 1000)
local step = #pairs_all / k
local lost = 0
local t3 = now()
for j = 0, k - 1 do
  local p = pairs_all[math.floor(j * step) + 1]
  local argv = {"ping", "-c1", "-W1", "-q", p[2], quiet = true}
  if p[1] ~= "root" then argv = {"ip", "netns", "exec", p[1], table.unpack(argv)} argv.quiet = true end
  if not ns.exec(nil, argv) then lost = lost + 1 end
end
local loop = (now() - t3) * #pairs_all / k

local silent = {}
for i = 1, 10 do silent[i] = "10.0.255." .. i end
local t4 = now()
local s = probe.matrix{from = from, to = silent}
local t5 = now()

print(("| %d | %d | %.2f | %d | %d | %d | %.1f%s | %d of %d | %.2gx | %d (+%d) | %d x 10 silent: %.2f s |"):format(
  n, #m, t1 - t0, answered, unsure, f1 - f0, loop, k < #pairs_all and (" (%d timed)"):format(k) or "",
  lost, k, loop / (t1 - t0), peak - base, base, #from, t5 - t4))
