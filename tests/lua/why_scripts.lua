-- For every bundled tutorial script, `why` says reachable exactly where the
-- probe matrix does, and its reasoning (routes, links, far sides,
-- forwarding, rp_filter, nftables) meets the real probe in every cell: no
-- "the probe got through although …" and no "every hop checks out but …".
local t = require "t"

local run = t.run

-- Every bundled script (a new one is checked here without a word more).
local SCRIPTS = t.scripts()
t.ok(#SCRIPTS >= 13, "the bundled scripts are found")

for _, name in ipairs(SCRIPTS) do
  t.test(name .. ": why agrees with the matrix, and with itself, in every cell", function()
    if t.refused_script(name) then return end
    local _ <close> = t.fresh()
    local out, code = run("run", "scripts/" .. name .. ".lua")
    t.eq(code, 0, "run: " .. out)
    local m = probe.matrix()
    local differ = {}
    for _, r in ipairs(m) do
      local w = probe.why(r.from, r.to)
      if w.reachable ~= r.ok then
        -- A matrix cell and a probe a moment later: ask once more before blaming.
        r = probe.ping(r.from, r.to)
      end
      if w.reachable ~= r.ok or w.disagree then
        differ[#differ + 1] = ("%s -> %s: matrix %s, why %s"):format(r.from, r.to, tostring(r.ok), tostring(w))
      end
    end
    t.eq(table.concat(differ, "\n"), "", ("cells that differ of %d"):format(#m))
    out, code = run("down", name)
    t.eq(code, 0, "down: " .. out)
  end)
end

t.done()
