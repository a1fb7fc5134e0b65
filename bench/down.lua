-- Tears down what bench/star.lua built, and returns only when the kernel
-- has removed every root-side veth (that is part of the teardown's time).
--
--   netlab run bench/down.lua n=100 [bridges=K]
--
-- The namespaces go first: the kernel removes their devices, with the
-- root-side veths, in one batch after ns.del returns. The bridges go right
-- after, while that runs. (Bridges first measured the same for star 1000,
-- 1.1-1.5 s, and slower with ipv6=quiet: 0.9-1.0 s against 0.8 s.)
local n = tonumber(params.n)
if not n or n < 1 then error("down.lua: n=N expected", 0) end
local nbr = tonumber(params.bridges) or (n <= 1023 and 1 or math.ceil(n / 1000))

-- Polling /sys/class/net needs the sysfs of this network namespace.
local function exists(dev)
  local f = io.open("/sys/class/net/" .. dev)
  if f then f:close() end
  return f ~= nil
end
if not exists("br0") then
  error("down.lua: no br0 in /sys/class/net: nothing built, or /sys is not this namespace's", 0)
end

for i = 1, n do ns.del("h" .. i) end
for j = nbr - 1, 1, -1 do
  link.del("tr" .. j)
  bridge.del("br" .. j)
end
bridge.del("br0")

-- Namespaces go in the order they were deleted, so one pass that waits at
-- the first veth still there visits each name about once.
local i = 1
while i <= n do
  if exists("vh" .. i) then netlab.sleep(0.005) else i = i + 1 end
end
