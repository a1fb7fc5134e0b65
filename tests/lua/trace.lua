-- --trace: the lines a run prints, saved and run by `sh -e` on the machine
-- as it was before the run, build the same kernel state (the dump compares
-- links with kinds, masters, peers, states, MTUs and aliases, addresses,
-- routes of every table, forwarding switches and nftables rules, without
-- ifindexes); the lines of `down` and of a rollback, run the same way, take
-- it all away again. Every bundled script round-trips.
local t = require "t"

local run, sh, sh_ok = t.run, t.sh, t.sh_ok
local dir = t.scratch()

local function lines_of(path)
  local out = {}
  for l in (t.read(path) or ""):gmatch("[^\n]+") do out[#out + 1] = l end
  return out
end

-- The kernel takes a deleted namespace's devices (a veth's far end) in its
-- own time, which netlab's down waits for and sh does not: the state is
-- compared once it has settled (within 5 s).
local function settled(want, what)
  for _ = 1, 50 do
    if t.dump() == want then return end
    netlab.sleep(0.1)
  end
  t.same_state(want, what)
end

local scripts = {}
for _, f in ipairs(netlab._ls("scripts")) do
  local name = f:match("^(.-)%.lua$")
  if name then scripts[#scripts + 1] = name end
end
table.sort(scripts)
t.ok(#scripts >= 10, "the bundled scripts are found")

for _, name in ipairs(scripts) do
  t.test(name .. ": --trace run by sh builds the same state; down's trace takes it away", function()
    local _ <close> = t.fresh()
    local base = t.dump()
    local up, down = dir .. "/" .. name .. ".up.sh", dir .. "/" .. name .. ".down.sh"
    local out, code = run("run", "--trace=" .. up, "scripts/" .. name .. ".lua")
    t.eq(code, 0, "run: " .. out)
    local built = t.dump()
    t.ok(#lines_of(up) > 3, "the run traced its changes")
    for _, l in ipairs(lines_of(up)) do
      t.ok(l:match("^ip ") or l:match("^nft ") or l:match("^sysctl ") or l:match("^tc "), "a command: " .. l)
    end
    out, code = run("--trace=" .. down, "down", name)
    t.eq(code, 0, "down: " .. out)
    t.same_state(base, "after down")
    sh_ok('sh -e "$1"', up)
    t.same_state(built, "the trace run by sh")
    t.ok(#lines_of(down) > 0, "down traced its changes")
    sh_ok('sh -e "$1"', down)
    settled(base, "down's trace run by sh")
  end)
end

-- What a dry run's trace leaves to the run: netlab's marks and nftables.
local function unmarked(dump)
  return (dump:gsub(" alias=netlab:[%w_%-]+", ""):gsub("[^\n]* nft [^\n]*\n?", ""))
end

for _, name in ipairs(scripts) do
  t.test(name .. ": --dry-run --trace changes nothing; its lines run by sh build the run's state", function()
    local _ <close> = t.fresh()
    local base = t.dump()
    local path = dir .. "/" .. name .. ".dry.sh"
    local out, code = run("run", "--dry-run", "--trace=" .. path, "scripts/" .. name .. ".lua")
    t.eq(code, 0, "dry run: " .. out)
    t.same_state(base, "after the dry run")
    t.ok(#lines_of(path) > 3, "the dry run traced what it would change")
    out, code = run("run", "scripts/" .. name .. ".lua")
    t.eq(code, 0, "run: " .. out)
    local built = unmarked(t.dump())
    out, code = run("down", name)
    t.eq(code, 0, "down: " .. out)
    settled(base, "after down")
    sh_ok('sh -e "$1"', path)
    t.eq(t.diff(built, unmarked(t.dump())), "", "the dry run's trace run by sh")
  end)
end

t.test("a rollback's trace undoes the run's: the whole trace run by sh leaves nothing", function()
  local _ <close> = t.fresh()
  local base = t.dump()
  local path = dir .. "/rollback.sh"
  local out, code = t.run_env("NETLAB_FAULT_AT=12", "run", "--trace=" .. path,
                              "scripts/purple_orange.lua")
  t.ok(code ~= 0, "the run fails at the injected fault: " .. out)
  t.same_state(base, "after the rollback")
  local l = lines_of(path)
  t.ok(#l > 11, "made and undone: " .. #l .. " lines")
  t.ok(table.concat(l, "\n"):find("ip netns del purple", 1, true), "the rollback is traced")
  sh_ok('sh -e "$1"', path)
  settled(base, "the trace run by sh")
end)

t.test("netlab.trace(true|false|FILE) in a script; --trace alone writes to stderr", function()
  local _ <close> = t.fresh()
  local file = dir .. "/inline.sh"
  local _, script = t.scratch()
  local p = script("inline", ([[
    ns.add("t1")
    assert(netlab.trace(%q) == false)
    ns.add("t2")
    bridge.add("b0", {ns = "t2", mtu = 1400, up = true})
    assert(netlab.trace(false) == true)
    ns.add("t3")
  ]]):format(file))
  local out, code = run("run", p)
  t.eq(code, 0, out)
  t.eq(t.read(file), "ip netns add t2\nip -n t2 link add b0 mtu 1400 up type bridge\n")
  out = sh_ok('{ "$1" run --trace "$2" 2>&1 >/dev/null; }', t.bin, "scripts/two_lans.lua")
  t.ok(out:find("ip netns add", 1, true), "--trace writes to standard error: " .. out)
  t.fails(function() netlab.trace(1) end, "bad argument #1")
end)

t.done()
