-- netlab.lab_record: a run in progress. While the script runs, the module
-- functions that change the kernel are wrapped: each wrapper records what it
-- makes (or the previous value of what it changes), and on a re-run keeps
-- what already matches, changes what differs, and notes what is no longer
-- made so that the end of the run removes it.
local S = require "netlab.lab_state"
local K = require "netlab.lab_kernel"
local R = require "netlab.lab_remove"
local P = require "netlab.lab_plan"
local D = require "netlab.lab_dry"

local copy, keyof = S.copy, S.keyof

local Run = {}
Run.__index = Run

local plan = P.plan

-- A run: the fields every run starts with, and those given (name, script, dry, prevlist, ...).
function Run.new(t)
  local run = setmetatable({
    planned = {}, plan_at = {}, plan_rec = {}, made = {}, keys = {}, undo = {}, claimed = {},
    nsmade = {}, nsnew = {}, tables_seen = {}, pending_tables = {}, prevlist = {}, prevkeys = {},
  }, Run)
  for k, v in pairs(t) do run[k] = v end
  for _, r in ipairs(run.prevlist) do run.prevkeys[keyof(r)] = r end
  return run
end

-- A record made now under the key of a previous run's record is that
-- object again: made anew because someone deleted or changed it behind the
-- lab's back, so the previous record is settled (claimed), not left for
-- commit to remove what was just re-made.
function Run:record(r, undo)
  local key = keyof(r)
  if self.prevkeys[key] then self.claimed[key] = true end
  if self.keys[key] then
    -- Made again in one run (made, deleted, made): keep the newest record.
    for i, old in ipairs(self.made) do
      if old == self.keys[key] then table.remove(self.made, i) break end
    end
  end
  self.keys[key] = r
  self.made[#self.made + 1] = r
  if undo ~= false then self.undo[#self.undo + 1] = r end
  self:log(S.serialize(r) .. "\n")
  if r.kind == "ns" then self.nsmade[r.name] = true end
end

-- A journal line on the disk (written, synced) before going on: a run that
-- cannot keep its records fails and rolls back.
function Run:log(line)
  if self.journal then S.put(self.journal, line, "the lab's journal") end
end

-- Write-ahead: r, marked pending, is on the disk before the kernel call f
-- makes it; the caller records it once made, with what identifies it. A
-- call that fails cancels the pending record, so that nothing of someone
-- else's that happens to have the name is ever taken for it.
function Run:make(r, f, ...)
  return self:make_all({r}, f, ...)
end

-- Write-ahead for a call that makes several objects at once (a link and the
-- addresses the C half adds with it): each is pending until recorded, so a
-- kill between the records written after the call leaves none unnamed.
function Run:make_all(rs, f, ...)
  local lines = {}
  for i, r in ipairs(rs) do
    local p = copy(r)
    p.pending = true
    lines[i] = S.serialize(p) .. "\n"
  end
  self:log(table.concat(lines))
  local res = table.pack(pcall(f, ...))
  if not res[1] then
    for _, r in ipairs(rs) do pcall(self.log, self, S.drop_line(r)) end
    error(res[2], 0)
  end
  return table.unpack(res, 2, res.n)
end

-- A claimed record names an object this run found as the script wants it,
-- in the namespace the script names now (maybe made again by this run):
-- the record takes that namespace's identity.
function Run:claim(r)
  local key = keyof(r)
  if r.kind ~= "ns" and r.kind ~= "proc" then
    r.nsid = K.nsid(r.ns) or r.nsid
    if r.peer_ns then r.peer_nsid = K.nsid(r.peer_ns) or r.peer_nsid end
  end
  self.claimed[key] = true
  if not self.keys[key] then
    self.keys[key] = r
    self.made[#self.made + 1] = r
    self:log(S.serialize(r) .. "\n")
  end
  if r.kind == "ns" then self.nsmade[r.name] = true end
end

-- Drops the records of objects the script deleted itself.
function Run:forget(match)
  local keep = {}
  for _, r in ipairs(self.made) do
    if match(r) then self.keys[keyof(r)] = nil else keep[#keep + 1] = r end
  end
  self.made = keep
  local u = {}
  for _, r in ipairs(self.undo) do if not match(r) then u[#u + 1] = r end end
  self.undo = u
end

function Run:prev(r)
  local p = self.prevkeys[keyof(r)]
  if p and not self.claimed[keyof(p)] then return p end
end

-- In a namespace this lab made, everything inside goes with the namespace.
function Run:ours_ns(name)
  return self.nsmade[name]
end

-- The wrappers, by module family: each file gives its wrappers and its
-- hooks, {module, function, wrapper, qualified name [, options at, positional items]}.
local families = {}
for _, f in ipairs{"ns", "link", "route", "nat"} do
  families[#families + 1] = require("netlab.lab_wrap_" .. f)
end


-- Which module functions change the kernel, and the wrapper of each (and
-- ns.get, which keeps a namespace the previous run made); the last items say
-- where the options table is (an argument number, or "route" for route's
-- f(dst, opts) or f{dst, …}) and how many positional items it has. It is
-- checked against the module's spec (mod._spec.FN) before the wrapper runs,
-- so that a dry run or a kept object refuses a misspelled key as a fresh run
-- does.
-- The options of a hooked call, checked as the C half checks them.
local function check_options(spec, at, npos, ...)
  if at == "route" then
    at = type((...)) == "table" and 1 or 2
    npos = at == 1 and 1 or 0
  end
  local o = select(at, ...)
  if type(o) == "table" and getmetatable(o) == nil then netlab._check(o, at, spec, npos) end
end

local function install(run, list, ws)
  for _, h in ipairs(list) do
    local mod, fn, w, qual, at, npos = h[1], h[2], h[3], h[4], h[5], h[6] or 0
    local orig = _G[mod][fn]
    local spec = at and _G[mod]._spec[qual:match("%.(.*)")]
    run.saved[#run.saved + 1] = {mod, fn, orig}
    run.orig[w] = orig
    local wrapper = ws[w]
    -- Not a tail call: errors name the function the script called from this
    -- frame. As many results as the wrapper gives: print(nat.list()) prints one.
    local f = function(...)
      if spec then check_options(spec, at, npos, ...) end
      local r = table.pack(wrapper(run, orig, ...))
      return table.unpack(r, 1, r.n)
    end
    netlab._name(f, qual)
    _G[mod][fn] = f
  end
end

function Run:install()
  self.orig = {}
  self.saved = {}
  for _, fam in ipairs(families) do install(self, fam.hooks, fam.wrappers) end
  -- A dry run also answers reads of what it planned, and runs no command.
  if self.dry then install(self, D.hooks, D.wrappers) end
end

function Run:uninstall()
  for _, s in ipairs(self.saved or {}) do _G[s[1]][s[2]] = s[3] end
  self.saved = nil
end

-- Undoes what this run did, newest first; called with signals held.
function Run:rollback()
  local list = {}
  for i = #self.undo, 1, -1 do list[#list + 1] = self.undo[i] end
  self:uninstall()
  return R.remove(list, self.report)
end

function Run:commit()
  self:uninstall()
  -- What the previous run made and this one did not: removed, newest first.
  local gone = {}
  for i = #self.prevlist, 1, -1 do
    local p = self.prevlist[i]
    if not self.claimed[keyof(p)] then gone[#gone + 1] = p end
  end
  if self.dry then
    for _, p in ipairs(gone) do plan(self, "-", p) end
    return
  end
  if #gone > 0 then R.remove(gone, self.report) end
  local state_path = S.paths(self.name)
  if #self.made > 0 then
    S.write_state(self.name, {name = self.name, script = self.script, created = self.created,
                              params = self.params}, self.made)
  else
    os.remove(state_path)
  end
  if self.journal then self.journal:close() end
  self.journal = nil
  os.remove(select(2, S.paths(self.name)))
  return #gone
end

-- run -i: after the script, the lab stays open while the REPL runs. A new
-- run starts from what the script made, all of it settled, so that what is
-- typed joins the lab (and is journalled as it goes) and nothing is removed
-- when it is committed on leaving the REPL.
function Run:reopen()
  local r = Run.new{
    name = self.name, script = self.script, nsmade = copy(self.nsmade),
    created = self.created, report = self.report, spawned = self.spawned,
  }
  for _, x in ipairs(self.made) do
    r.made[#r.made + 1] = x
    r.keys[keyof(x)] = x
  end
  r.journal = S.open_journal(self.name)
  r:install()
  return r
end

return Run
