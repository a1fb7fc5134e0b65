-- netlab.lab_wrap_ns: the lab's wrappers of ns.add, ns.get, ns.del, ns.attach, ns.sysctl and ns.spawn
-- (lab_record.lua installs them; docs/hacking.md, Lab records).
local S = require "netlab.lab_state"
local K = require "netlab.lab_kernel"
local P = require "netlab.lab_plan"
local D = require "netlab.lab_dry"

local nsname, copy, keyof = S.nsname, S.copy, S.keyof
local plan = P.plan

local wrappers = {}

-- ns.add and ns.attach (... is what orig takes: the name, and attach's pid):
-- the namespace the previous run made, the same one by id, is kept; else it
-- is made (in a dry run, planned) and recorded. Second result: made just now.
local function add_ns(run, orig, attach, ...)
  local name, pid = ...
  local want = {kind = "ns", name = name}
  local p = run:prev(want)
  if p then
    local cur = ns.get(name)
    if cur and cur.id == p.id then
      run:claim(p)
      if run.dry then plan(run, "=", want) end
      return cur
    end
  end
  if run.dry then
    -- ns.attach's process, for the plan's trace (lab_trace.lua), at this line only.
    if attach then want.pid, want.pid_planned = pid, D.planned_pid(run, pid) end
    plan(run, "+", want)
    want.pid, want.pid_planned = nil, nil
    run.nsmade[name] = true
    return P.ns_object(name)
  end
  local n = run:make(want, orig, ...)
  want.id = n.id
  run:record(want)
  return n, true
end

-- Each wrapper hands arguments it cannot make sense of to the original,
-- which refuses them with the proper message.
function wrappers.ns_add(run, orig, name)
  if type(name) ~= "string" then return orig(name) end
  local n, made = add_ns(run, orig, false, name)
  -- Nothing in a namespace made just now needs comparing before it is changed.
  if made then run.nsnew[name] = true end
  return n
end

-- ns.attach names a running process's namespace: recorded as a namespace,
-- so that down takes the name away (the process and its namespace live on,
-- as after `ip netns del` of an attached name).
function wrappers.ns_attach(run, orig, name, pid)
  if type(name) ~= "string" then return orig(name, pid) end
  return (add_ns(run, orig, true, name, pid))
end

function wrappers.ns_del(run, orig, n)
  local name = nsname(n)
  if run.dry then
    if type(name) ~= "string" then return orig(n) end
    if not ns.get(name) then P.absent(("namespace %q"):format(name), "no such namespace", 2) end
    plan(run, "-", {kind = "ns", name = name})
    run.nsmade[name] = nil
    return
  end
  orig(n)
  run.nsmade[name] = nil
  run:forget(function(r)
    return (r.kind == "ns" and r.name == name) or r.ns == name or r.peer_ns == name
  end)
end

-- ns.get of a namespace the previous run made keeps it, as ns.add would:
-- `ns.get(x) or ns.add(x)` (topo.link) must converge like `ns.add(x)`.
function wrappers.ns_get(run, orig, name)
  if run.dry then
    local planned, n = D.ns_get(run, name)
    if planned then return n end
  end
  local n, why = orig(name)
  local p = n and type(name) == "string" and run:prev{kind = "ns", name = name}
  if p and p.id == n.id then
    run:claim(p)
    if run.dry then plan(run, "=", p) end
  end
  return n, why
end

local function sysctl_text(v)
  if type(v) == "boolean" then return v and "1" or "0" end
  return tostring(v)
end

function wrappers.sysctl(run, orig, n, key, value)
  local nsn = nsname(n)
  if run.dry and value == nil and type(key) == "string" and type(nsn) == "string" then
    -- Reading: what the plan set, or the kernel's value.
    local v = D.sysctl(run, orig, nsn, key)
    return v
  end
  if value == nil or type(key) ~= "string" or type(nsn) ~= "string" or
     (type(value) ~= "string" and type(value) ~= "number" and type(value) ~= "boolean") then
    return orig(n, key, value)
  end
  local v = sysctl_text(value)
  if run.nsnew[nsn] and not run.dry then
    orig(n, key, value)
    return
  end
  local cur
  if run.dry then cur = D.sysctl(run, orig, nsn, key) else cur = orig(n, key) end
  local r = {kind = "sysctl", ns = nsn, key = key, value = v, prev = cur,
             nsid = not run.dry and K.nsid(nsn) or nil}
  if not run:ours_ns(nsn) then
    local k = keyof(r)
    local old = run.keys[k] or run.prevkeys[k]
    if old then r.prev = old.prev end
    if run.prevkeys[k] then run.claimed[k] = true end
    if not run.dry then run:record(r) end
    if run.dry and cur == v then plan(run, "=", r) end
  end
  if cur == v then return end
  if run.dry then plan(run, "~", r) return end
  orig(n, key, value)
end

-- Processes ---------------------------------------------------------------------

-- ns.spawn: the process is recorded (PID and start time) so that down ends
-- it, and its output goes to /run/netlab/LAB.d/NS.log rather than onto the
-- terminal (a REPL's prompt line). On a re-run the same command in the same
-- namespace, still running, is kept.
function wrappers.spawn(run, orig, n, ...)
  local nsn = nsname(n)
  local o
  if select("#", ...) == 1 and type((...)) == "table" then o = copy((...)) else o = {...} end
  if run.dry or type(nsn) ~= "string" or #o == 0 then return orig(n, ...) end
  local words = {}
  for i = 1, #o do words[i] = tostring(o[i]) end
  local cmd = table.concat(words, " ")
  run.spawned = run.spawned or {}
  local nk = nsn .. "|" .. cmd
  run.spawned[nk] = (run.spawned[nk] or 0) + 1
  local want = {kind = "proc", ns = nsn, cmd = cmd, nth = run.spawned[nk]}
  local p = run:prev(want)
  if p and K.proc_alive(p) then
    if not run.nsnew[nsn] then
      run:claim(p)
      return p.pid
    end
    -- Still running in the namespace this run had to make again: it goes.
    netlab._end(p.pid, p.start)
  end
  if o.quiet == nil and o.log == nil then
    local dir = S.log_dir(run.name)
    -- In the lab directory, and checked as it is (a directory only we can write).
    netlab._labdir(dir)
    o.log = dir .. "/" .. nsn .. ".log"
  end
  local pid = orig(n, o)
  want.pid, want.start = pid, netlab._proc_start(pid)
  run:record(want)
  return pid
end


-- Module, function, wrapper, qualified name, and where the options are (lab_record.lua's install).
local hooks = {
  {"ns", "_add", "ns_add", "ns.add"},
  {"ns", "get", "ns_get", "ns.get"},
  {"ns", "del", "ns_del", "ns.del"},
  {"ns", "attach", "ns_attach", "ns.attach"},
  {"ns", "sysctl", "sysctl", "ns.sysctl"},
  {"ns", "spawn", "spawn", "ns.spawn"},
}

return {wrappers = wrappers, hooks = hooks}
