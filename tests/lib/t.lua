-- The test library of netlab's Lua tests. Each test file runs in a fresh
-- sandbox (netlab run --sandbox), calls t.test for each case and t.done().
local json = require "json"

local t = {}
local passed, failed = 0, 0

local function show(v)
  if type(v) == "string" then return ("%q"):format(v) end
  return tostring(v)
end

function t.test(name, fn)
  local ok, err = xpcall(fn, debug.traceback)
  if ok then
    passed = passed + 1
    print("ok - " .. name)
  else
    failed = failed + 1
    print("not ok - " .. name)
    print("# " .. tostring(err):gsub("\n", "\n# "))
  end
  io.stdout:flush()
end

function t.eq(got, want, what)
  if got ~= want then
    error(("%s: expected %s, got %s"):format(what or "value", show(want), show(got)), 2)
  end
end

function t.ok(v, what)
  if not v then error((what or "condition") .. ": expected true, got " .. show(v), 2) end
  return v
end

-- Runs fn, which must raise; the message must contain every plain string given.
function t.fails(fn, ...)
  local ok, err = pcall(fn)
  if ok then error("expected an error, got none", 2) end
  err = tostring(err)
  for _, want in ipairs({...}) do
    if not err:find(want, 1, true) then
      error(("error %q does not contain %q"):format(err, want), 2)
    end
  end
  return err
end

-- Independent witness: `ip -j ARGS` inside namespace n (nil: root), decoded.
function t.ip(n, ...)
  local out, code = ns.capture(n, "ip", "-j", ...)
  if code ~= 0 then error("ip -j " .. table.concat({...}, " ") .. " failed", 2) end
  return json.decode(out)
end

-- The `ip -j link` entry of one link, or nil.
function t.iplink(n, name)
  for _, l in ipairs(t.ip(n, "link", "show")) do
    if l.ifname == name then return l end
  end
end

-- Every "ADDR/PLEN" of a link as `ip -j addr` reports it, as a set.
function t.ipaddrs(n, name)
  local set = {}
  for _, l in ipairs(t.ip(n, "addr", "show", "dev", name)) do
    for _, a in ipairs(l.addr_info or {}) do set[a.local_ .. "/" .. a.prefixlen] = a end
  end
  return set
end

function t.ping(n, addr)
  local out, code = ns.capture(n, {"ping", "-c1", "-W1", "-q", addr, quiet = true})
  return code == 0
end

-- Runs the netlab under test (the same binary) with words; returns output and code.
function t.netlab(...)
  local bin = os.getenv("NETLAB") or "./netlab"
  -- Standard error too, since that is where netlab's messages go.
  return ns.capture(nil, {"sh", "-c", 'exec "$@" 2>&1', "sh", bin, ...})
end

function t.done()
  print(("# %d passed, %d failed"):format(passed, failed))
  io.stdout:flush()
  if failed > 0 then os.exit(1, true) end
end

t.json = json
return t
