-- The matrix of star N (bench/star.lua): every namespace and the root to
-- every address of the star, by probe.matrix, against a loop of
-- `ip netns exec hI ping -c1 -W1 ADDR` over the same pairs, in one run.
--
--   netlab run --sandbox bench/probe.lua n=100 [loop=K] [ipv6=quiet]
--
-- loop=K: time the ping loop over K pairs spread evenly over the matrix and
--   scale to all of them (a loop over 10,000 pairs takes minutes); all: every pair.
-- Prints one Markdown row: N, probes, netlab's first matrix (address
-- resolution included) and a second one, the answers, the ping loop, the
-- ratio, and a matrix whose 10 targets are all silent.
dofile("bench/star.lua")
local n = tonumber(params.n)

local function now()
  return tonumber((ns.capture(nil, "date", "+%s%N"))) / 1e9
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

local t0 = now()
local cold = probe.matrix{from = from, to = to}
local t1 = now()
local warm = probe.matrix{from = from, to = to}
local t2 = now()
local answered = #warm - #warm:failed()

local pairs_all = {}
for _, r in ipairs(warm) do pairs_all[#pairs_all + 1] = {r.from, r.to} end
local k = params.loop == "all" and #pairs_all or math.min(#pairs_all, tonumber(params.loop) or 1000)
local step = #pairs_all / k
local t3 = now()
for j = 0, k - 1 do
  local p = pairs_all[math.floor(j * step) + 1]
  local argv = {"ping", "-c1", "-W1", "-q", p[2], quiet = true}
  if p[1] ~= "root" then argv = {"ip", "netns", "exec", p[1], table.unpack(argv)} argv.quiet = true end
  ns.exec(nil, argv)
end
local loop = (now() - t3) * #pairs_all / k

local silent = {}
for i = 1, 10 do silent[i] = "10.0.255." .. i end
local t4 = now()
local s = probe.matrix{from = from, to = silent}
local t5 = now()

print(("| %d | %d | %.3f | %.3f | %d | %.1f%s | %.0fx | %d x 10 silent: %.2f s (%d answered) |"):format(
  n, #warm, t1 - t0, t2 - t1, answered, loop, k < #pairs_all and (" (%d timed)"):format(k) or "",
  loop / (t2 - t1), #from, t5 - t4, #s - #s:failed()))
