-- netlab.lab_dry: the world as a dry run sees it (see lab_plan.lua).
--
-- During a dry run the functions that read (ns.get, ns.list, link.get,
-- link.list, link.addrs, link._state, link._names, route.list, nat.list and
-- ns.sysctl's reading half) answer from the plan's model for what the plan
-- made, changed or removed, and from the kernel for the rest. A namespace
-- that exists only in the plan reads as what the plan put there; nothing in
-- it is looked up in the kernel.
--
-- Commands are not run either (ns.exec, ns.capture, ns.spawn, netlab.kill,
-- netlab.wait): a plan line says what would run, and the call answers as a
-- command that succeeded with no output would.
local S = require "netlab.lab_state"
local P = require "netlab.lab_plan"

local D = {}
local nsname, linkname, copy = S.nsname, S.linkname, S.copy
local model, ns_view, lkey, route_key = P.model, P.view, P.link_key, P.route_key

-- ns.get of a namespace the plan made or deleted: true and what it reads as.
function D.ns_get(run, name)
  local v = ns_view(run, name == nil and "root" or name)
  if v == "new" then return true, P.ns_object(name) end
  if v == "gone" then return true, nil end
  return false
end

-- A value ns.sysctl reads: the plan's, nothing in a planned namespace, else the kernel's.
function D.sysctl(run, orig, nsn, key)
  local v = model(run).sysctl[lkey(nsn, key)]
  if v ~= nil or ns_view(run, nsn) then return v end
  return orig(nsn, key)
end

-- Whether a link the kernel has goes with a namespace the plan deletes.
local function dies(run, i)
  return i.peer_ns ~= nil and model(run).dead[i.peer_ns] == true
end

-- Planned links of nsn, in the order the plan made them.
local function planned_links(run, nsn)
  local out = {}
  for _, l in pairs(model(run).links) do
    if l and l.ns == nsn then out[#out + 1] = l end
  end
  table.sort(out, function(a, b) return a.order < b.order end)
  return out
end

local function master_index(run, nsn, name)
  if not name then return 0 end
  local s = D.wrappers.link_state(run, run.orig.link_state, name, {ns = nsn})
  return s and s.index or 0
end

local function info_of(l)
  local i = {}
  for _, k in ipairs{"name", "ns", "index", "kind", "up", "mtu", "master", "peer", "peer_ns",
                     "alias"} do
    i[k] = l[k]
  end
  i.mtu = i.mtu or (l.kind == "loopback" and 65536 or 1500)
  i.state = l.up and "UP" or "DOWN"
  -- As the plan means it: an end brought up passes packets (show says UP).
  i.carrier = l.up or false
  i.addrs = copy(l.addrs)
  return setmetatable(i, netlab._meta("netlab.linkinfo"))
end

-- The links of nsn as the plan leaves them.
local function links_of(run, orig, nsn, arg)
  local v = ns_view(run, nsn)
  local out = setmetatable({}, netlab._meta("netlab.links"))
  local seen = {}
  if not v then
    for _, i in ipairs(orig(arg)) do
      local l = model(run).links[lkey(nsn, i.name)]
      if l ~= false and (l or not dies(run, i)) then
        out[#out + 1] = l and info_of(l) or i
        seen[i.name] = true
      end
    end
  end
  if v ~= "gone" then
    for _, l in ipairs(planned_links(run, nsn)) do
      if not seen[l.name] then out[#out + 1] = info_of(l) end
    end
  end
  return out
end

-- The namespace a listing function's argument names: nil, a name, an
-- object, or an options table with ns.
local function listed_ns(a)
  if type(a) == "table" and getmetatable(a) == nil then return nsname(a.ns) end
  return nsname(a)
end

-- Whether nsn reads straight from the kernel (nothing of it in the plan).
local function untouched(run, nsn)
  if ns_view(run, nsn) or next(model(run).dead) then return false end
  for _, l in pairs(model(run).links) do
    if l == false or l.ns == nsn then return false end
  end
  return true
end

D.wrappers = {}
local W = D.wrappers

-- The model's entry for the link a read names, and its namespace: false
-- when the plan has no such link, nil when the kernel's answer stands.
local function model_link(run, l, o)
  local name, nsn = linkname(l, o)
  if type(name) ~= "string" or type(nsn) ~= "string" then return nil end
  local m = model(run).links[lkey(nsn, name)]
  if m == nil and ns_view(run, nsn) then return false end
  if m == nil and next(model(run).dead) then
    local i = run.orig.link_get(l, o)
    if i and dies(run, i) then return false end
  end
  return m, nsn
end

function W.link_state(run, orig, l, o)
  local m, nsn = model_link(run, l, o)
  if m == false then return nil end
  if m == nil then return orig(l, o) end
  return {index = m.index, kind = m.kind, up = m.up, alias = m.alias,
          mtu = m.mtu or (m.kind == "loopback" and 65536 or 1500),
          master = master_index(run, nsn, m.master)}
end

function W.link_get(run, orig, l, o)
  local m = model_link(run, l, o)
  if m == false then return nil end
  if m == nil then return orig(l, o) end
  return info_of(m)
end

function W.link_list(run, orig, a)
  local nsn = listed_ns(a)
  if type(nsn) ~= "string" or untouched(run, nsn) then return orig(a) end
  return links_of(run, orig, nsn, a)
end

function W.link_names(run, orig, n)
  local nsn = nsname(n)
  if type(nsn) ~= "string" or untouched(run, nsn) then return orig(n) end
  local out = {}
  for _, l in ipairs(links_of(run, run.orig.link_list, nsn, n)) do out[l.name] = l.index end
  return out
end

-- link.addrs([link], {ns =, family =}) from the links as the plan leaves them.
function W.link_addrs(run, orig, a, b)
  local dev, o
  if type(a) == "table" and getmetatable(a) == nil then
    o = a
  else
    o = b or {}
    if a ~= nil then dev = linkname(a, o) end
  end
  local nsn = type(a) == "table" and getmetatable(a) and a.ns and nsname(a.ns) or nsname(o.ns)
  if type(nsn) ~= "string" or untouched(run, nsn) then return orig(a, b) end
  local fam = o.family or "all"
  local out = setmetatable({}, netlab._meta("netlab.addrs"))
  for _, l in ipairs(links_of(run, run.orig.link_list, nsn, nsn)) do
    if dev == nil or l.name == dev then
      for _, cidr in ipairs(l.addrs) do
        local f = cidr:find(":") and "inet6" or "inet"
        if fam == "all" or fam == f then
          out[#out + 1] = setmetatable({dev = l.name, addr = cidr, family = f, scope = "global"},
                                       netlab._meta("netlab.addr"))
        end
      end
    end
  end
  return out
end

function W.route_list(run, orig, a)
  local nsn = listed_ns(a)
  local rs = type(nsn) == "string" and model(run).routes[nsn]
  local v = type(nsn) == "string" and ns_view(run, nsn)
  if not rs and not v then return orig(a) end
  local o = type(a) == "table" and getmetatable(a) == nil and a or {}
  local fam, tbl = o.family or "all", o.table
  local function wanted(r)
    return (fam == "all" or r.family == fam) and (tbl == "all" or r.table == (tbl or 254))
  end
  local out = setmetatable({}, netlab._meta("netlab.routes"))
  rs = rs or {add = {}, del = {}, order = {}}
  if not v then
    for _, r in ipairs(orig(a)) do
      local dst = (r.dst == "default" and r.family == "inet6") and "default6" or r.dst
      if not rs.del[route_key(nsn, r.table, dst, r.metric)] then out[#out + 1] = r end
    end
  end
  if v ~= "gone" then
    for _, k in ipairs(rs.order) do
      local r = rs.add[k]
      if r and wanted(r) then out[#out + 1] = r end
    end
  end
  return out
end

function W.nat_list(run, orig, a)
  local nsn = listed_ns(a)
  if type(nsn) == "string" and ns_view(run, nsn) then
    return setmetatable({tables = {}, chains = {}}, netlab._meta("netlab.nat.list"))
  end
  return orig(a)
end

function W.ns_list(run, orig)
  local list = orig()
  local out, seen = setmetatable({}, getmetatable(list)), {}
  for _, n in ipairs(list) do
    seen[n.name] = true
    if ns_view(run, n.name) ~= "gone" then out[#out + 1] = n end
  end
  local new = {}
  for name, v in pairs(model(run).ns) do
    if v == "new" and not seen[name] then new[#new + 1] = name end
  end
  table.sort(new)
  for _, name in ipairs(new) do out[#out + 1] = P.ns_object(name) end
  return out
end

-- Commands: a plan line, and the answer of a command that succeeded.
local function command(n, ...)
  local argv = select(1, ...)
  if type(argv) ~= "table" then argv = {...} end
  local words = {}
  for i = 1, #argv do words[i] = argv[i] end
  return {kind = "exec", ns = tostring(nsname(n)), argv = words}
end

local function planned_command(run, verb, n, ...)
  local r = command(n, ...)
  r.verb = verb
  P.plan(run, "!", r)
  return r
end

function W.ns_exec(run, _, n, ...)
  planned_command(run, "run", n, ...)
  return true, "exit", 0
end

function W.ns_capture(run, _, n, ...)
  planned_command(run, "run", n, ...)
  return "", 0
end

-- Pids above the kernel's largest (pid_max is at most 2^22): no process has one.
local FAKE_PID = 1 << 22

function W.ns_spawn(run, _, n, ...)
  local r = planned_command(run, "start", n, ...)
  local m = model(run)
  local pid = FAKE_PID + #m.pids + 1
  m.pids[#m.pids + 1] = r
  return pid
end

-- Whether pid is one the plan gave out (a process the run would start).
function D.planned_pid(run, pid)
  return math.type(pid) == "integer" and model(run).pids[pid - FAKE_PID] ~= nil
end

function W.netlab_kill(run, orig, pid, sig)
  local r = math.type(pid) == "integer" and model(run).pids[pid - FAKE_PID]
  if not r then return orig(pid, sig) end
  local verb = sig and "send SIG" .. tostring(sig) .. " to what it started" or "end"
  P.plan(run, "!", {kind = "exec", verb = verb, ns = r.ns, argv = r.argv})
  return true
end

function W.netlab_wait(run, orig, pid, secs)
  if math.type(pid) == "integer" and model(run).pids[pid - FAKE_PID] then return "exit", 0 end
  return orig(pid, secs)
end

-- Probes: nothing is sent, since what they would cross is only planned. Each
-- says what it would check, and answers as a command that succeeded would
-- (marked planned, so probe.expect compares nothing and a matrix shows "?").
-- Under `netlab check` (run.check) the script's changes are planned but its
-- probes are sent, against the lab that is up.

-- A probe's target, read by the C half's parser (as the call itself reads
-- it, with its errors): KIND "ping", "tcp", "udp", or "any" (probe._run's
-- items: a port makes a TCP probe). Returns the address, port and kind.
local function target(to, kind, arg, item)
  if type(to) ~= "string" then
    if item then netlab._argerror(arg, ("item %d: address expected at [2], got %s"):format(item, type(to))) end
    netlab._argerror(2, "string expected, got " .. type(to))
  end
  return probe._hostport(to, kind, arg, item)
end

local function planned_probe(from, to, kind)
  local r = {from = tostring(nsname(from)), to = to, ok = true, status = "planned", planned = true,
             kind = kind}
  return setmetatable(r, netlab._meta("netlab.probe.result"))
end

-- What a user would run by hand for the same check.
local function probe_argv(host, port, kind)
  if kind == "udp" then return {"nc", "-u", "-w1", host, tostring(port)} end
  if port then return {"nc", "-z", "-w1", host, tostring(port)} end
  return {"ping", "-c1", "-W1", host}
end

local function one_probe(kind)
  return function(run, orig, n, to, ...)
    if run.check then
      run.probes = (run.probes or 0) + 1
      local r = orig(n, to, ...)
      return r
    end
    local host, port = target(to, kind)
    P.plan(run, "!", {kind = "exec", verb = "probe", ns = tostring(nsname(n)),
                      argv = probe_argv(host, port, kind)})
    return planned_probe(n, to, kind)
  end
end
W.probe_ping, W.probe_tcp, W.probe_udp = one_probe("ping"), one_probe("tcp"), one_probe("udp")

function W.probe_run(run, orig, items, o, arg)
  if run.check then
    run.probes = (run.probes or 0) + (type(items) == "table" and #items or 0)
    local r = orig(items, o, arg)
    return r
  end
  orig({}, o, arg) -- its options are checked as in a run
  local out = {}
  for i, it in ipairs(type(items) == "table" and items or {}) do
    local host, port, kind = target(it[2], "any", arg or 1, i)
    if not run.probing then
      P.plan(run, "!", {kind = "exec", verb = it[3] == false and "check there is no answer" or "check",
                        ns = tostring(nsname(it[1])), argv = probe_argv(host, port, kind)})
    end
    out[i] = planned_probe(it[1], it[2], kind)
  end
  return out
end

-- One line for a whole matrix, which reads the plan's namespaces and addresses.
function W.probe_matrix(run, orig, o)
  if run.check then
    local m = orig(o)
    return m
  end
  run.probing = true
  local ok, m = pcall(orig, o)
  run.probing = nil
  if not ok then error(m, 0) end
  P.plan(run, "!", {kind = "probe", what = ("would probe from %d namespace%s to %d address%s"):format(
    #m.sources, #m.sources == 1 and "" or "s", #m.targets, #m.targets == 1 and "" or "es")})
  return m
end

-- The functions a dry run answers in place of the kernel, each by the
-- wrapper W.MOD_FN (link._state: W.link_state), as lab_record.lua's hooks
-- {module, function, wrapper, name in messages, position of an options
-- table checked against the function's spec}. The run's own wrappers
-- (lab_wrap_*.lua) already keep every change out of the kernel.
local opts_at = {["probe.ping"] = 3, ["probe.tcp"] = 3, ["probe.udp"] = 3}
D.hooks = {}
for _, qual in ipairs{"ns.list", "ns.exec", "ns.capture", "ns.spawn", "link._state", "link._names",
    "link.get", "link.list", "link.addrs", "route.list", "nat.list", "netlab.kill", "netlab.wait",
    "probe.ping", "probe.tcp", "probe.udp", "probe._run", "probe.matrix"} do
  local mod, fn = qual:match("^(%w+)%.(.+)$")
  local w = mod .. "_" .. fn:gsub("^_", "")
  assert(W[w], w)
  D.hooks[#D.hooks + 1] = {mod, fn, w, qual, opts_at[qual]}
end

return D
