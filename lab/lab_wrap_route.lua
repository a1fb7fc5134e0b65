-- netlab.lab_wrap_route: the lab's wrappers of route.add, route.replace and route.del
-- (lab_record.lua installs them; docs/hacking.md, Lab records).
local S = require "netlab.lab_state"
local K = require "netlab.lab_kernel"
local P = require "netlab.lab_plan"

local nsname, copy, keyof = S.nsname, S.copy, S.keyof
local find_route, route_same = K.find_route, K.route_same
local plan = P.plan

local wrappers = {}

local function route_spec(a, b)
  local o
  if type(a) == "string" then
    o = copy(b)
    o.dst = a
  else
    o = copy(a)
    o.dst = o.dst or o[1]
  end
  o[1] = nil
  return o
end

local function route_record(o)
  return {kind = "route", ns = nsname(o.ns), dst = o.dst, via = o.via,
          dev = o.dev and (type(o.dev) == "table" and o.dev.name or o.dev),
          table = o.table, metric = o.metric, onlink = o.onlink, src = o.src}
end

local function route_wrapper(op)
  return function(run, orig, a, b)
    if not (type(a) == "string" and (b == nil or type(b) == "table")) and type(a) ~= "table" then
      return orig(a, b)
    end
    local o = route_spec(a, b)
    if type(o.dst) ~= "string" or type(nsname(o.ns)) ~= "string" then return orig(a, b) end
    local want = route_record(o)
    local p = run:prev(want)
    local cur = (p or op == "replace") and find_route(want)
    if p and route_same(cur, want) then
      run:claim(p)
      if run.dry then plan(run, "=", want) end
      return
    end
    if run.dry then plan(run, (p or cur) and "~" or "+", want) return end
    want.nsid = K.nsid(want.ns)
    run:make(want, p and cur and run.orig.route_replace or orig, o)
    if p then run.claimed[keyof(p)] = true end
    run:record(want)
  end
end

wrappers.route_add = route_wrapper("add")
wrappers.route_replace = route_wrapper("replace")

function wrappers.route_del(run, orig, a, b)
  local o = route_spec(a, b)
  local r = route_record(o)
  if run.dry and type(r.dst) == "string" and type(r.ns) == "string" then
    plan(run, "-", r)
    return
  end
  orig(o)
  run:forget(function(x) return x.kind == "route" and keyof(x) == keyof(r) end)
end

local hooks = {
  {"route", "add", "route_add", "route.add", "route"},
  {"route", "replace", "route_replace", "route.replace", "route"},
  {"route", "del", "route_del", "route.del", "route"},
}

return {wrappers = wrappers, hooks = hooks}
