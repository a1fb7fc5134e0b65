-- The bundled tutorial scripts state what reaches what (probe.expect): each
-- builds with its expectations met, its whole matrix equals, cell by cell,
-- what `ip netns exec NS ping -c1 -W1 ADDR` says, and a lab broken behind
-- its back makes `netlab check` fail naming every cell that differs.
local t = require "t"

local run = t.run

-- The witnesses: real ping(8) from inside each namespace, all at once; a
-- failure is asked once more, as a probe resends an unanswered echo, so a
-- first packet lost to address resolution does not count.
local function witness(list)
  local out = t.pings(list)
  local again, at = {}, {}
  for i, ok in ipairs(out) do
    if not ok then
      again[#again + 1] = list[i]
      at[#again] = i
    end
  end
  for k, ok in ipairs(t.pings(again)) do out[at[k]] = ok end
  return out
end

-- Every bundled script (a new one is checked here without a word more).
local SCRIPTS = t.scripts()
t.ok(#SCRIPTS >= 13, "the bundled scripts are found")

for _, name in ipairs(SCRIPTS) do
  t.test(name .. ": its expectations hold, and its matrix is ping's, cell by cell", function()
    if t.refused_script(name) then return end
    local _ <close> = t.fresh()
    local out, code = run("run", "scripts/" .. name .. ".lua")
    t.eq(code, 0, "run (its expectations met): " .. out)
    out, code = run("check", name)
    t.eq(code, 0, "check " .. name .. ": " .. out)
    local n = tonumber(out:match('lab "' .. name .. '": (%d+) probes? as the script expects'))
    t.ok(n and n >= 2, "the script states what reaches what: " .. out)
    -- Every namespace (the sandbox's internet too) to every address.
    local m = probe.matrix()
    t.ok(#m >= 4, "a matrix: " .. tostring(m))
    local list = {}
    for i, r in ipairs(m) do list[i] = {r.from, r.to} end
    local w = witness(list)
    local differ = {}
    for i, r in ipairs(m) do
      if r.ok ~= w[i] then
        differ[#differ + 1] = ("%s -> %s: netlab %s, ping %s"):format(r.from, r.to,
          r.ok and "answered" or r.why, w[i] and "answered" or "no answer")
      end
    end
    t.eq(table.concat(differ, "; "), "", ("cells that differ of %d"):format(#m))
    out, code = run("down", name)
    t.eq(code, 0, "down: " .. out)
  end)
end

-- The plan lines of a dry run of purple_orange that probe the internet.
local function internet_checks(text)
  local n = 0
  for _ in text:gmatch("would check[^\n]*203%.0%.113%.1") do n = n + 1 end
  return n
end

t.test("the internet is probed only in netlab's sandbox (netlab.sandbox)", function()
  local out, code = run("run", "--dry-run", "scripts/purple_orange.lua")
  t.eq(code, 0, "dry run: " .. out)
  t.eq(internet_checks(out), 2, "in the sandbox, orange's and purple's: " .. out)
  out = t.sh_ok([[exec "$@" -e 'print("sandbox:", netlab.sandbox)']], t.bin)
  t.ok(out:find("sandbox:\tinternet 203.0.113.1\n", 1, true), "a netlab started inside the sandbox knows: " .. out)
  -- A network namespace made inside the sandbox has no internet: not sandboxed.
  local wall = "unshare --net --mount --propagation private sh -c " ..
    [['mount -t tmpfs none /run && mkdir /run/netns && exec "$@"' sh "$@"]]
  out, code = t.sh(wall, t.bin, "run", "--dry-run", "scripts/purple_orange.lua")
  t.eq(code, 0, "dry run outside: " .. out)
  t.eq(internet_checks(out), 0, "no internet probe planned: " .. out)
  t.ok(out:find("would check in purple: ping -c1 -W1 192.168.52.2", 1, true),
    "what the lab holds is still checked: " .. out)
  out = t.sh_ok(wall .. [[ -e 'print("sandbox:", netlab.sandbox)']], t.bin)
  t.ok(out:find("sandbox:\tfalse", 1, true), out)
  -- The mark is the sandbox's network namespace, not any file of that name.
  out = t.sh_ok("unshare --net sh -c 'exec \"$@\" -e \"print(netlab.sandbox)\"' sh " .. t.bin)
  t.ok(out:find("false", 1, true), "another network namespace in the sandbox's /run: " .. out)
end)

t.test("netlab check LAB names every cell a broken lab gets wrong, and changes nothing", function()
  local _ <close> = t.fresh()
  local out, code = run("run", "scripts/purple_orange.lua")
  t.eq(code, 0, "run: " .. out)
  -- Behind the lab's back: the masquerade goes, and purple's veth goes down.
  local handle
  for _, r in ipairs(nat.list()) do
    if r.text and r.text:find("masquerade", 1, true) then handle = r.handle end
  end
  t.ok(handle, "the masquerade rule: " .. tostring(nat.list()))
  t.sh_ok("nft delete rule inet netlab postrouting handle " .. handle)
  link.set("veth-purple", {ns = "purple", up = false})
  local before = t.dump()
  for _, arg in ipairs{"purple_orange", "scripts/purple_orange.lua"} do
    out, code = run("check", arg)
    t.eq(code, 1, "check " .. arg .. ": " .. out)
    for _, cell in ipairs{"orange → 203.0.113.1: no answer (expected an answer)",
        "orange → 192.168.52.1: no answer (expected an answer)",
        "purple → 192.168.52.2: no route (expected an answer)",
        "root → 192.168.52.1: no answer (expected an answer)"} do
      t.ok(out:find(cell, 1, true), cell .. " in:\n" .. out)
    end
    t.ok(out:find('check: lab "purple_orange": 4 not as', 1, true), "all four, counted: " .. out)
    t.ok(not out:find("rolled back", 1, true), out)
  end
  t.same_state(before, "check")
  out, code = run("down", "purple_orange")
  t.eq(code, 0, "down: " .. out)
  out, code = run("check", "purple_orange")
  t.eq(code, 1, "check of a lab that is gone: " .. out)
  t.ok(out:find("no such file, nor a bundled script, nor a lab that is up", 1, true)
    or out:find("is not up", 1, true), out)
end)

t.test("netlab ping: exit 1 when a target given does not answer", function()
  local _ <close> = t.fresh()
  local out, code = run("run", "scripts/purple_orange.lua")
  t.eq(code, 0, "run: " .. out)
  out, code = run("ping", "--from", "orange", "203.0.113.1", "purple")
  t.eq(code, 0, "all answer: " .. out)
  out, code = run("ping", "--from", "purple", "--from", "orange", "203.0.113.1")
  t.eq(code, 1, "purple does not: " .. out)
  t.ok(out:find("✗ purple → 203.0.113.1: no route", 1, true), out)
  out, code = run("ping", "--json", "--from", "purple", "203.0.113.1")
  t.eq(code, 1, "--json too: " .. out)
  out, code = run("ping", "--timeout", "0.5")
  t.eq(code, 0, "the whole matrix expects nothing: " .. out)
  t.ok(out:find("✗", 1, true), "though some cells fail (lo down): " .. out)
  run("down", "purple_orange")
end)

t.test("the REPL's ping(FROM, TO) prints one line", function()
  local _ <close> = t.fresh()
  local R = require "netlab.repl"
  R.install()
  local lines = {}
  local print0 = print
  print = function(...)
    local parts = {}
    for i = 1, select("#", ...) do parts[i] = tostring((select(i, ...))) end
    lines[#lines + 1] = table.concat(parts, "\t")
  end
  local ok, err = pcall(function()
    t.eq(select("#", ping("root", "203.0.113.1")), 0, "returns nothing: the REPL prints no more")
    ping("internet", "192.0.2.77", {timeout = 0.2})
  end)
  print = print0
  t.ok(ok, err)
  t.eq(#lines, 2, "one line each: " .. table.concat(lines, "\n"))
  t.ok(lines[1]:match("^root → 203%.0%.113%.1: ok, [%d.]+ ms$"), lines[1])
  t.eq(lines[2], "internet → 192.0.2.77: no route", "what ping(8) says too")
  t.ok(not ns.exec("internet", {"ping", "-c1", "-W1", "-q", "192.0.2.77", quiet = true}), "ping(8)")
  t.ok(R.help(ping):find("probe.ping(NS, ADDR", 1, true), "help(ping) is probe.ping's")
  t.fails(function() ping("nosuch", "10.0.0.1") end, 'namespace "nosuch"')
end)

t.done()
