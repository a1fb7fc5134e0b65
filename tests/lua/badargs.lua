-- Every public function of ns, link, bridge, route, nat, probe, graph and netlab called
-- with a matrix of bad values in each argument and each option field
-- (tests/lib/badargs_worker.lua): each call must end in a clear one-line
-- error naming the function or a legitimate success, never a crash, never a
-- value silently taken as another. The calls run in child netlab processes
-- (`netlab -e`, the C halves without a lab's wrappers), one per module, so
-- that a crash (a sanitizer's report under make check's SANITIZE=1 build) is
-- counted against its call and the child restarted after it.
local t = require "t"
local w = require "badargs_worker"

local MODULES = {"ns", "link", "bridge", "route", "nat", "probe", "graph", "netlab"}

t.test("every public function is in the matrix or skipped with a reason", function()
  local covered, missing = w.covered(), {}
  for _, m in ipairs(MODULES) do
    for k, v in pairs(_G[m]) do
      local name = m .. "." .. tostring(k)
      if type(k) == "string" and k:sub(1, 1) ~= "_" and type(v) == "function" and
          not covered[name] and not w.SKIPPED[name] then
        missing[#missing + 1] = name
      end
    end
  end
  table.sort(missing)
  t.eq(table.concat(missing, ", "), "", "functions not in the matrix")
end)

local totals = {tried = 0, error = 0, ok = 0, crash = 0, wrong = 0, unclear = 0}
local bad, pids = {}, {}

-- Runs the module's calls in children, from first on, until one gets to the end.
local function run_module(m)
  local first, ends = 1, nil
  for _ = 1, 60 do
    local code = ("require('badargs_worker').run(%q, %d)"):format(m, first)
    -- In a directory of its own: a log = "…" that is taken makes a file there.
    local out = t.sh([[
      bin=$(readlink -f "$1"); export LUA_PATH="$PWD/tests/lib/?.lua;;"
      d=$(mktemp -d) && cd "$d" && timeout -k 5 120 "$bin" -e "$2" 2>&1; rc=$?
      cd / && rm -rf "$d"; exit $rc]], t.bin, code)
    local pending
    for line in out:gmatch("[^\n]+") do
      local i = line:match("^T (%d+)$")
      if i then pending = tonumber(i) end
      local n, class, rest = line:match("^R (%d+) (%a+) (.*)$")
      if n then
        pending = nil
        totals.tried = totals.tried + 1
        totals[class] = totals[class] + 1
        if class ~= "error" and class ~= "ok" then bad[#bad + 1] = class .. ": " .. rest end
      end
      local pid = line:match("^PID (%d+)$")
      if pid then pids[#pids + 1] = pid end
      ends = ends or line:match("^END (%d+)$")
    end
    if ends then return end
    if not pending then
      bad[#bad + 1] = ("crash: %s child ended before its first call: %s"):format(m, out:sub(1, 300))
      totals.crash = totals.crash + 1
      return
    end
    -- The call that was running when the child died: counted, and the next one is run.
    local why = out:match("(ERROR: %w+Sanitizer[^\n]*)") or out:match("(runtime error:[^\n]*)") or
      out:match("\n([^\n]*)\n?$") or "?"
    local call = w.calls(m)[pending]
    totals.tried = totals.tried + 1
    totals.crash = totals.crash + 1
    bad[#bad + 1] = ("crash: %s.%s %s = %s: %s"):format(call[1][1], call[1][2], call[2][1], call[3][1], why)
    first = pending + 1
  end
  bad[#bad + 1] = "crash: " .. m .. ": more than 60 crashes, gave up"
end

for _, m in ipairs(MODULES) do
  t.test("bad arguments to " .. m .. ": clear errors, no crash, nothing wrongly taken", function()
    local before = #bad
    run_module(m)
    local mine = {table.unpack(bad, before + 1)}
    t.eq(#mine, 0, ("calls gone wrong (first ones: %s)"):format(table.concat(mine, "; ", 1, math.min(#mine, 8))))
  end)
end

-- Spawned helpers a crashed child could not end (checked to be ours by their command line).
for _, pid in ipairs(pids) do
  local f = io.open("/proc/" .. pid .. "/cmdline")
  if f then
    local cmd = f:read("a")
    f:close()
    if cmd == "sleep\0" .. "600\0" then os.execute("kill " .. pid .. " 2>/dev/null") end
  end
end

print(("# bad calls tried %d / clear errors %d / successes %d / crashes %d / wrong accepts %d / unclear errors %d")
  :format(totals.tried, totals.error, totals.ok, totals.crash, totals.wrong, totals.unclear))
for _, line in ipairs(w.skips()) do print("# not tried: " .. line) end
for name, why in pairs(w.SKIPPED) do print("# not in the matrix: " .. name .. ": " .. why) end
t.done()
