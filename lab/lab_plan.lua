-- netlab.lab_plan: the plan of a dry run (`netlab run --dry-run`, and
-- `run FILE --help`).
--
-- A dry run runs the script with every function that changes the kernel
-- replaced by one that only writes a plan line (lab_wrap_*.lua's `run.dry`
-- branches, through P.plan). What the plan makes does not exist, yet the
-- script and the engine go on reading it: `ns.add(x, {lo = true})` sets x's
-- loopback up, a veth's end is put on a bridge made two lines above,
-- `netlab.show()` prints it all. So each plan line also updates a model of
-- what the plan has laid over the kernel (apply[kind]), and lab_dry.lua
-- answers reads from it.
local S = require "netlab.lab_state"
local Kinds = require "netlab.lab_kinds"

local P = {}
local nsname, copy, keyof = S.nsname, S.copy, S.keyof

-- Plan lines -------------------------------------------------------------------

-- Words a shell would read back as the same command.
local function command_text(argv)
  local out = {}
  for i, w in ipairs(argv) do out[i] = netlab._shword(w) end
  return table.concat(out, " ")
end

-- One function per kind of record (lab_kinds.lua's plan) and of plan-only
-- line: the object in the words of the `+` lines. A `-` line of a record
-- that restores a previous value says which.
P.describe = {
  nat = function(r) return r.what end,
  probe = function(r) return r.what end,
  exec = function(r) return ("would %s in %s: %s"):format(r.verb, r.ns, command_text(r.argv)) end,
}
for name, k in pairs(Kinds.of) do P.describe[name] = k.plan end

-- The model ------------------------------------------------------------------
--
-- run.model.ns[name]      "new" (only in the plan) or "gone" (the plan deletes it)
-- run.model.links[ns|dev] a link as the plan leaves it, or false when it deletes it
-- run.model.sysctl[ns|key] a value the plan sets
-- run.model.routes[ns]    {add = {key = route}, del = {key = true}}
-- run.model.dead[ns]      the plan deletes ns, and with it the far ends of
--                         the kernel's veths into it (even if it makes ns again)

local function model(run)
  run.model = run.model or {ns = {}, links = {}, sysctl = {}, routes = {}, dead = {},
                            order = 0, pids = {}}
  return run.model
end

local function lkey(nsn, name) return nsn .. "|" .. name end

-- Where reads of namespace nsn go: "new" and "gone" never reach the kernel.
local function ns_view(run, nsn)
  return model(run).ns[nsn]
end

local function new_link(run, t)
  local m = model(run)
  m.order = m.order + 1
  -- Indexes no kernel link has, so a planned master never matches a real one.
  t.index = t.index or -m.order
  t.order = m.order
  t.addrs = t.addrs or {}
  m.links[lkey(t.ns, t.name)] = t
  return t
end

-- The model's entry for a link the plan changes: a planned one, or a copy of
-- the kernel's on its first change.
local function touch(run, nsn, name)
  local m = model(run)
  local l = m.links[lkey(nsn, name)]
  if l ~= nil or ns_view(run, nsn) then return l or nil end
  local ok, i = pcall(run.orig.link_get, name, {ns = nsn})
  if not ok or not i then return nil end
  return new_link(run, {name = name, ns = nsn, kind = i.kind, up = i.up, mtu = i.mtu,
                        master = i.master, peer = i.peer, peer_ns = i.peer_ns,
                        alias = i.alias, addrs = copy(i.addrs), index = i.index,
                        impair = i.impair})
end

local function drop_ns(run, nsn)
  local m = model(run)
  for k, l in pairs(m.links) do
    if l and l.ns == nsn then m.links[k] = nil end
  end
  m.routes[nsn] = nil
  for k in pairs(m.sysctl) do
    if k:sub(1, #nsn + 1) == nsn .. "|" then m.sysctl[k] = nil end
  end
end

local function route_key(nsn, t, dst, metric)
  return keyof{kind = "route", ns = nsn, table = t or 254, dst = dst, metric = metric or 0}
end

local function routes_of(run, nsn)
  local m = model(run)
  m.routes[nsn] = m.routes[nsn] or {add = {}, del = {}, order = {}}
  return m.routes[nsn]
end

local function route_family(r)
  if r.dst == "default6" or r.dst:find(":") or (r.via and r.via:find(":")) then return "inet6" end
  return "inet"
end

-- What each plan line does to the model, by kind.
local apply = {}

function apply.ns(run, sign, r)
  local m = model(run)
  if sign == "=" then return end
  drop_ns(run, r.name)
  if sign == "-" then
    m.ns[r.name] = "gone"
    m.dead[r.name] = true
  elseif sign ~= "=" then
    m.ns[r.name] = "new"
    -- A new namespace has its loopback, down.
    new_link(run, {name = "lo", ns = r.name, kind = "loopback", up = false, mtu = 65536})
  end
end

function apply.link(run, sign, r)
  local m = model(run)
  if sign == "-" then
    m.links[lkey(r.ns, r.name)] = false
    if r.peer then m.links[lkey(r.peer_ns, r.peer)] = false end
    return
  end
  for i, e in ipairs(r.ends or {}) do
    local other = r.ends[3 - i]
    new_link(run, {name = e.name, ns = e.ns, kind = r.lkind, up = e.up == true, mtu = e.mtu,
                   master = e.master, peer = other and other.name, peer_ns = other and other.ns,
                   addrs = copy(e.addrs)})
  end
end

function apply.addr(run, sign, r)
  local l = touch(run, r.ns, r.dev)
  if not l then return end
  for i, a in ipairs(l.addrs) do
    if a == r.addr then table.remove(l.addrs, i) break end
  end
  if sign ~= "-" then l.addrs[#l.addrs + 1] = r.addr end
end

function apply.route(run, sign, r)
  local rs = routes_of(run, r.ns)
  local k = route_key(r.ns, r.table, r.dst, r.metric)
  if sign == "-" then
    rs.add[k], rs.del[k] = nil, true
    return
  end
  local fam = route_family(r)
  if not rs.add[k] then rs.order[#rs.order + 1] = k end
  rs.del[k] = true -- the kernel's route of the same key, if any, is replaced
  rs.add[k] = setmetatable({
    dst = (r.dst == "default6" and "default" or r.dst), family = fam, via = r.via, dev = r.dev,
    src = r.src, metric = r.metric or 0, table = r.table or 254, proto = "boot",
    scope = r.via and "global" or "link", type = "unicast", onlink = r.onlink,
  }, netlab._meta("netlab.route"))
end

function apply.impair(run, sign, r)
  if sign == "=" then return end
  local l = touch(run, r.ns, r.dev)
  if l then l.impair = link._impair_words(sign == "-" and r.prev or r.value) or nil end
end

function apply.sysctl(run, sign, r)
  if sign ~= "-" and sign ~= "=" then model(run).sysctl[lkey(r.ns, r.key)] = r.value end
end

function apply.set(run, sign, r)
  if not r.changes or sign == "=" then return end
  local l = touch(run, r.ns, r.name)
  if not l then return end
  local c = r.changes
  if c.up ~= nil then l.up = c.up end
  if c.mtu ~= nil then l.mtu = c.mtu end
  if c.alias ~= nil then l.alias = c.alias or nil end
  if c.master ~= nil then
    l.master = c.master and (type(c.master) == "table" and c.master.name or c.master) or nil
  end
  if c.name or c.netns then
    local m = model(run)
    m.links[lkey(l.ns, l.name)] = false
    l.name = c.name or l.name
    l.ns = c.netns and nsname(c.netns) or l.ns
    m.links[lkey(l.ns, l.name)] = l
  end
end

-- The model as a change leaves it, without a line (a change to what the plan makes).
-- With --trace, each change also as the commands that make it (lab_trace.lua).
function P.apply(run, sign, r)
  if netlab._tracing() then
    for _, l in ipairs(require("netlab.lab_trace").lines(sign, r)) do netlab._trace_line(l) end
  end
  if apply[r.kind] then apply[r.kind](run, sign, r) end
end

-- Whether the link exists only in the plan (made by it, or in a namespace it makes).
function P.planned_link(run, nsn, name)
  local l = model(run).links[lkey(nsn, name)]
  return l and l.index < 0
end

-- The error the kernel would give for what neither it nor the plan has.
function P.absent(what, msg, code)
  netlab._error(msg, what, code)
end

-- Whether record x is inside r: what goes when r goes (a namespace's
-- links, addresses and routes; a link's addresses).
local function inside(x, r)
  if r.kind == "ns" then return x.ns == r.name or x.peer_ns == r.name end
  if r.kind == "link" then
    return x.kind == "addr" and ((x.ns == r.ns and x.dev == r.name) or
                                 (x.ns == r.peer_ns and x.dev == r.peer))
  end
  return false
end

-- Takes back the line at `at` and the + lines of what was inside its object.
local function unplan(run, at)
  local r = run.plan_rec[at]
  for i, x in pairs(run.plan_rec) do
    if i == at or (run.planned[i] and run.planned[i]:sub(1, 1) == "+" and inside(x, r)) then
      run.planned[i] = false
      run.plan_rec[i] = nil
      local ok, k = pcall(keyof, x)
      if ok and run.plan_at[k] == i then run.plan_at[k] = nil end
    end
  end
end

-- plan(run, sign, record [, note]): one line of the plan, and the model as
-- the plan leaves it. A line for an object already in the plan replaces
-- it: made and then deleted is nothing (or the removal of what was there),
-- deleted and then made is a change, so no object shows as both.
function P.plan(run, sign, r, note)
  local line = P.describe[r.kind](r, sign) .. (note and " (" .. note .. ")" or "")
  local ok, key = pcall(keyof, r)
  if not ok then key = nil end
  local at = key and run.plan_at[key]
  if at then
    local old = run.planned[at]:sub(1, 1)
    if sign == "+" and old == "-" then
      sign, line = "~", line .. (note and "" or " (re-made)")
    elseif sign == "-" and (old == "+" or old == "~") then
      -- Made by this run after all: its lines go; what was there before still goes.
      unplan(run, at)
      at = nil
      if not run.prevkeys[key] then
        P.apply(run, "-", r)
        return
      end
    end
  end
  P.apply(run, sign, r)
  -- What the plan makes or changes is there at the end: it is not also removed.
  if key and sign ~= "-" and sign ~= "=" and run.prevkeys[key] then run.claimed[key] = true end
  line = sign .. " " .. line
  if not at then
    at = #run.planned + 1
    if key then run.plan_at[key] = at end
  end
  run.planned[at], run.plan_rec[at] = line, r
end

-- The plan's lines, in the order the script made them.
function P.lines(run)
  local out = {}
  for _, l in ipairs(run.planned) do
    if l then out[#out + 1] = l end
  end
  return out
end

-- For lab_dry.lua, which answers reads from the model.
P.model, P.view, P.link_key, P.route_key = model, ns_view, lkey, route_key

-- A planned namespace as an object: no identity (id) yet.
function P.ns_object(name)
  return setmetatable({name = name}, netlab._meta("netlab.ns"))
end

return P
