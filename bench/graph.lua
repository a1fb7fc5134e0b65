-- The picture of star N (bench/star.lua): `netlab graph` as a user runs it,
-- DOT to a pipe and an SVG file, timed from outside the process (the model's
-- reading of N+2 namespaces, the grouping and the Graphviz layout).
--
--   netlab run --sandbox bench/graph.lua n=1000 [ipv6=quiet]
--
-- Prints one Markdown row: N, seconds for DOT, seconds for SVG, the nodes.
dofile("bench/star.lua")
local n = tonumber(params.n)

local function now()
  return tonumber((ns.capture(nil, "date", "+%s%N"))) / 1e9
end

-- The binary under test, as bench/graph.sh runs it from the source tree.
local bin = "./netlab"
local t0 = now()
local text = ns.capture(nil, {bin, "graph", "--format", "dot"})
local t1 = now()
ns.capture(nil, {bin, "graph", "-o", "/run/bench-graph.svg"})
local t2 = now()
os.remove("/run/bench-graph.svg")
local nodes = select(2, text:gsub('\n\t+"[^"]+" %[', ""))
print(("| %d | %.2f | %.2f | %d |"):format(n, t1 - t0, t2 - t1, nodes))
