-- netlab.lab_record: a run in progress. While the script runs, the module
-- functions that change the kernel are wrapped: each wrapper records what it
-- makes (or the previous value of what it changes), and on a re-run keeps
-- what already matches, changes what differs, and notes what is no longer
-- made so that the end of the run removes it.
local S = require "netlab.lab_state"
local R = require "netlab.lab_remove"
local P = require "netlab.lab_plan"
local D = require "netlab.lab_dry"

local nsname, linkname, copy, keyof = S.nsname, S.linkname, S.copy, S.keyof
local find_route, route_same = S.find_route, S.route_same

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
  local p = copy(r)
  p.pending = true
  self:log(S.serialize(p) .. "\n")
  local res = table.pack(pcall(f, ...))
  if not res[1] then
    pcall(self.log, self, S.drop_line(r))
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
    r.nsid = S.nsid(r.ns) or r.nsid
    if r.peer_ns then r.peer_nsid = S.nsid(r.peer_ns) or r.peer_nsid end
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

local wrappers = {}
local remove_lone_end

-- Each wrapper hands arguments it cannot make sense of to the original,
-- which refuses them with the proper message.
function wrappers.ns_add(run, orig, name)
  if type(name) ~= "string" then return orig(name) end
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
    plan(run, "+", want)
    run.nsmade[name] = true
    return P.ns_object(name)
  end
  local n = run:make(want, orig, name)
  want.id = n.id
  run:record(want)
  -- Nothing in a namespace made just now needs comparing before it is changed.
  run.nsnew[name] = true
  return n
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

local function end_of(o, defaults_ns)
  if type(o) == "string" then return {name = o, ns = defaults_ns or "root"} end
  if type(o) == "table" then
    return {name = o[1], ns = nsname(o.ns), up = o.up, mtu = o.mtu,
            master = o.master and (type(o.master) == "table" and o.master.name or o.master)}
  end
end

local function link_object(name, nsn, index)
  local n = setmetatable({name = nsn}, netlab._meta("netlab.ns"))
  return setmetatable({name = name, ns = n, index = index}, netlab._meta("netlab.link"))
end

-- Brings an existing end to what the script asks: up, mtu, master.
local function converge_end(run, e)
  local s = link._state(e.name, {ns = e.ns})
  local change, what = {ns = e.ns}, {}
  if (e.up == true) ~= s.up then change.up = e.up == true; what[#what + 1] = "up" end
  if e.mtu and e.mtu ~= s.mtu then change.mtu = e.mtu; what[#what + 1] = "mtu" end
  local want_master = 0
  if e.master then
    local m = link._state(e.master, {ns = e.ns})
    want_master = m and m.index or -1
  end
  if want_master ~= s.master then change.master = e.master or false; what[#what + 1] = "master" end
  if #what == 0 then return end
  if run.dry then
    plan(run, "~", {kind = "set", ns = e.ns, name = e.name, changes = change})
    return
  end
  -- Undo restores what the previous run left.
  for _, f in ipairs(what) do
    local prev = s[f]
    if f == "master" then prev = nil end
    run.undo[#run.undo + 1] = {kind = "set", ns = e.ns, name = e.name, field = f, prev = prev,
                               nsid = S.nsid(e.ns), index = s.index}
  end
  run.orig.link_set(e.name, change)
end

-- The addresses a link.add call gives each end: {end, list, brd}.
local function addresses(o, dev, peer)
  local out = {{dev, netlab._list(o.addr), o.brd}}
  if peer and type(o.peer) == "table" then
    out[2] = {peer, netlab._list(o.peer.addr), o.peer.brd}
  end
  return out
end

-- A veth of the previous run whose first end is gone (deleted by hand, or
-- its namespace deleted) may still have the other end: that end is the
-- lab's, and it makes way so the pair can be made again under its names.
remove_lone_end = function(run, p)
  if not (p.peer and p.peer_ns and p.peer_index) then return end
  local ok, ps = pcall(link._state, p.peer, {ns = p.peer_ns})
  if not (ok and ps and ps.index == p.peer_index) then return end
  -- The kernel may be taking it away already, with a namespace that is going.
  pcall(run.orig.link_del, p.peer, {ns = p.peer_ns})
  R.wait_gone({{ns = p.peer_ns, name = p.peer}}, run.report)
end

function wrappers.link_add(run, orig, o)
  if type(o) ~= "table" or type(o[1]) ~= "string" or type(o.kind) ~= "string" or
     (o.kind == "veth" and not (type(o.peer) == "string" or
                                (type(o.peer) == "table" and type(o.peer[1]) == "string"))) then
    return orig(o)
  end
  local dev = end_of(o)
  local peer = o.kind == "veth" and end_of(o.peer, "root") or nil
  local want = {kind = "link", ns = dev.ns, name = dev.name, lkind = o.kind,
                peer = peer and peer.name, peer_ns = peer and peer.ns,
                master = dev.master, peer_master = peer and peer.master}
  local p = run:prev(want)
  local replaced
  if p then
    local s = link._state(dev.name, {ns = dev.ns})
    local ps = peer and link._state(peer.name, {ns = peer.ns})
    local same = s and s.index == p.index and p.lkind == o.kind and
                 (not peer or (ps and p.peer == peer.name and p.peer_ns == peer.ns and
                               ps.index == p.peer_index))
    if same then
      run:claim(p)
      if run.dry then plan(run, "=", p) end
      converge_end(run, dev)
      if peer then converge_end(run, peer) end
      -- The C half adds a new link's addresses; a kept link's are converged here.
      for _, a in ipairs(addresses(o, dev, peer)) do
        for _, cidr in ipairs(a[2]) do
          wrappers.addr_add(run, run.orig.addr_add, link_object(a[1].name, a[1].ns), cidr,
                            {brd = a[3]})
        end
      end
      local l = link_object(dev.name, dev.ns, p.index)
      if peer then l.peer = link_object(peer.name, peer.ns, p.peer_index) end
      return l
    end
    -- The previous one differs in kind or peer: it makes way for the new one.
    if s and s.index == p.index then
      if run.dry then
        replaced = P.describe.link(p) == P.describe.link(want) and "re-made" or
                   "re-made, was " .. P.describe.link(p)
      else
        run.orig.link_del(dev.name, {ns = dev.ns})
      end
    elseif not run.dry then
      remove_lone_end(run, p)
    end
    run.claimed[keyof(p)] = true
  end
  if run.dry then
    -- The plan's link, with what reads of it must see.
    local ends = {}
    for i, a in ipairs(addresses(o, dev, peer)) do
      ends[i] = {name = a[1].name, ns = a[1].ns, up = a[1].up, mtu = a[1].mtu,
                 master = a[1].master, addrs = a[2]}
    end
    if peer and not ends[2] then
      ends[2] = {name = peer.name, ns = peer.ns, up = peer.up, mtu = peer.mtu,
                 master = peer.master, addrs = {}}
    end
    want.ends = ends
    plan(run, replaced and "~" or "+", want, replaced)
    want.ends = nil
    for _, e in ipairs(ends) do
      for _, cidr in ipairs(e.addrs) do
        local r = {kind = "addr", ns = e.ns, dev = e.name, addr = cidr}
        -- Already in the model with its link: a line, nothing more.
        plan(run, "+", r)
      end
    end
    local l = link_object(dev.name, dev.ns)
    if peer then l.peer = link_object(peer.name, peer.ns) end
    return l
  end
  want.nsid = S.nsid(dev.ns)
  want.peer_nsid = peer and S.nsid(peer.ns)
  local l = run:make(want, orig, o)
  want.index = l.index
  want.peer_index = l.peer and l.peer.index
  run:record(want)
  -- Addresses go with their link: recorded for re-runs, nothing to undo apart.
  for _, a in ipairs(addresses(o, dev, peer)) do
    for _, cidr in ipairs(a[2]) do
      run:record({kind = "addr", ns = a[1].ns, dev = a[1].name, addr = cidr, brd = a[3],
                  nsid = a[1].ns == dev.ns and want.nsid or want.peer_nsid}, false)
    end
  end
  -- Links outside the lab's own namespaces carry its name, for `ip link` readers.
  local tag = "netlab:" .. run.name
  for _, e in ipairs{l, l.peer} do
    if e and not run:ours_ns(e.ns.name) then run.orig.link_set(e, {alias = tag}) end
  end
  return l
end

function wrappers.link_del(run, orig, l, o)
  local name, nsn = linkname(l, o)
  if run.dry and type(name) == "string" and type(nsn) == "string" then
    local i = link.get(name, {ns = nsn})
    if not i then P.absent(("link %q in %q"):format(name, nsn), "no such link", 19) end
    plan(run, "-", {kind = "link", ns = nsn, name = name, lkind = i.kind, peer = i.peer,
                    peer_ns = i.peer and i.peer_ns})
    return
  end
  orig(l, o)
  run:forget(function(r)
    return (r.kind == "link" and ((r.ns == nsn and r.name == name) or
                                  (r.peer_ns == nsn and r.peer == name))) or
           (r.kind == "addr" and r.ns == nsn and r.dev == name)
  end)
end

local set_fields = {"up", "mtu", "master", "alias"}

-- What link.set returns when the wrapper itself answers: the link's object,
-- as the C half returns it.
local function as_object(l, name, nsn)
  if type(l) == "table" then return l end
  return link_object(name, nsn)
end

function wrappers.link_set(run, orig, l, changes)
  local name, nsn = linkname(l, changes)
  if type(name) ~= "string" or type(nsn) ~= "string" or type(changes) ~= "table" then
    return orig(l, changes)
  end
  if run.nsnew[nsn] and not run.dry then
    local res = orig(l, changes)
    return res
  end
  if run.dry and P.planned_link(run, nsn, name) then
    -- Made by the plan: its line says what it is made as.
    P.apply(run, "~", {kind = "set", ns = nsn, name = name, changes = changes})
    return as_object(l, name, nsn)
  end
  local mine = run:ours_ns(nsn)
  for _, r in ipairs(run.made) do
    if r.kind == "link" and ((r.ns == nsn and r.name == name) or
                             (r.peer_ns == nsn and r.peer == name)) then
      mine = true
    end
  end
  local s = link._state(name, {ns = nsn})
  if s and changes and not mine then
    -- A setting this lab keeps on someone else's link stays recorded even
    -- when it is already so (a re-run), so that down still restores it.
    for _, f in ipairs(set_fields) do
      if changes[f] ~= nil then
        local k = keyof{kind = "set", ns = nsn, name = name, field = f}
        local p = run.prevkeys[k]
        if p and not run.keys[k] then run:claim(p) end
      end
    end
  end
  if s and changes then
    -- Leave out what is already so: a converged run changes nothing.
    local c, needed = copy(changes), false
    for k in pairs(changes) do
      if k ~= "ns" then needed = true end
    end
    if c.up ~= nil and c.up == s.up then c.up = nil end
    if c.mtu ~= nil and c.mtu == s.mtu then c.mtu = nil end
    if c.alias ~= nil and (c.alias or "") == (s.alias or "") then c.alias = nil end
    if c.master ~= nil then
      local m = c.master and link._state(type(c.master) == "table" and c.master.name or c.master,
                                        {ns = nsn})
      if (m and m.index or 0) == s.master then c.master = nil end
    end
    local left = false
    for k in pairs(c) do if k ~= "ns" then left = true end end
    if needed and not left then return as_object(l, name, nsn) end
    if run.dry then
      plan(run, "~", {kind = "set", ns = nsn, name = name, changes = c})
      return as_object(l, name, nsn)
    end
    if not mine then
      -- Someone else's link: remember how it was, for down and rollback.
      for _, f in ipairs(set_fields) do
        if c[f] ~= nil then
          local prev = s[f]
          if f == "master" then
            prev = nil
            if s.master ~= 0 then
              for mname, idx in pairs(link._names(nsn)) do
                if idx == s.master then prev = mname end
              end
            end
          end
          local v = c[f]
          if type(v) == "table" then v = v.name end
          local r = {kind = "set", ns = nsn, name = name, field = f, prev = prev, value = v,
                     nsid = S.nsid(nsn), index = s.index}
          local k = keyof(r)
          local old = run.keys[k] or run.prevkeys[k]
          if old then r.prev = old.prev end
          run:record(r)
        end
      end
    end
    local res = orig(l, c)
    if c.name or c.netns then
      for _, r in ipairs(run.made) do
        if r.kind == "link" and r.ns == nsn and r.name == name then
          r.name = c.name or r.name
          r.ns = c.netns and nsname(c.netns) or r.ns
        end
      end
    end
    return res
  end
  if run.dry then P.absent(("link %q in %q"):format(name, nsn), "no such link", 19) end
  return orig(l, changes)
end

function wrappers.addr_add(run, orig, l, cidr, o)
  local name, nsn = linkname(l, o)
  if type(name) ~= "string" or type(nsn) ~= "string" or type(cidr) ~= "string" then
    return orig(l, cidr, o)
  end
  local want = {kind = "addr", ns = nsn, dev = name, addr = cidr, brd = o and o.brd}
  local p = run:prev(want)
  if p then
    for _, a in ipairs(link.addrs(name, {ns = nsn})) do
      if a.addr == cidr then
        run:claim(p)
        if run.dry then plan(run, "=", want) end
        return
      end
    end
  end
  if run.dry then plan(run, "+", want) return end
  want.nsid = S.nsid(nsn)
  run:make(want, orig, l, cidr, o)
  run:record(want)
end

function wrappers.addr_del(run, orig, l, cidr, o)
  local name, nsn = linkname(l, o)
  if run.dry and type(name) == "string" and type(nsn) == "string" and type(cidr) == "string" then
    plan(run, "-", {kind = "addr", ns = nsn, dev = name, addr = cidr})
    return
  end
  orig(l, cidr, o)
  run:forget(function(r) return r.kind == "addr" and r.ns == nsn and r.dev == name and r.addr == cidr end)
end

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
    want.nsid = S.nsid(want.ns)
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
             nsid = not run.dry and S.nsid(nsn) or nil}
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
  if p and R.proc_alive(p) then
    if not run.nsnew[nsn] then
      run:claim(p)
      return p.pid
    end
    -- Still running in the namespace this run had to make again: it goes.
    netlab._end(p.pid, p.start)
  end
  if o.quiet == nil and o.log == nil then
    local dir = S.log_dir(run.name)
    netlab._mkdir(dir)
    o.log = dir .. "/" .. nsn .. ".log"
  end
  local pid = orig(n, o)
  want.pid, want.start = pid, netlab._proc_start(pid)
  run:record(want)
  return pid
end

-- nftables ---------------------------------------------------------------------

-- A call's options as text: what makes two calls the same rule(s).
local function spec_of(fn, o)
  local keys = {}
  for k in pairs(o) do
    if k ~= "ns" and k ~= "table" and k ~= "comment" then keys[#keys + 1] = tostring(k) end
  end
  table.sort(keys)
  local parts = {fn}
  for _, k in ipairs(keys) do
    local v = o[k]
    if type(v) == "table" then
      v = v.name or table.concat(v, ",")
    end
    parts[#parts + 1] = k .. "=" .. tostring(v)
  end
  return table.concat(parts, " ")
end

-- The first time a run adds to (ns, table): a record of the table if the call makes it.
local function note_table(run, nsn, tbl)
  local k = "nfttable|" .. nsn .. "|" .. tbl
  if run.tables_seen[k] then return end
  run.tables_seen[k] = true
  local p = run.prevkeys[k]
  if p then run:claim(p) return end
  local st = S.nft_state(nsn, tbl)
  if st and not st.exists and not run.dry then
    run.pending_tables[#run.pending_tables + 1] = {kind = "nfttable", ns = nsn, table = tbl}
  end
end

-- nat.masquerade, nat.forward_port, nat.allow: rules tagged with the lab's name.
local function nat_adder(fn)
  return function(run, orig, o)
    if type(o) ~= "table" or getmetatable(o) then return orig(o) end
    local nsn = nsname(o.ns)
    if type(nsn) ~= "string" then return orig(o) end
    local tbl = o.table or nat.table
    local c = copy(o)
    c.comment = c.comment or ("netlab:" .. run.name)
    local want = {kind = "nft", ns = nsn, table = tbl, spec = spec_of(fn, o), comment = c.comment}
    local p = run:prev(want)
    if p and R.check(p) == "ok" then
      note_table(run, nsn, tbl)
      run:claim(p)
      if run.dry then plan(run, "=", want) end
      return
    end
    if run.dry then plan(run, "+", want) return end
    -- Part of the previous call's rules deleted by someone: the rest of them
    -- goes, so that the call made again leaves no doubles.
    if p then
      local left = R.nft_mine(p)
      if #left > 0 then run.orig.nat_del(left, {ns = nsn, table = tbl}) end
    end
    note_table(run, nsn, tbl)
    want.nsid = S.nsid(nsn)
    for _, t in ipairs(run.pending_tables) do
      t.nsid = want.nsid
      local pt = copy(t)
      pt.pending = true
      run:log(S.serialize(pt) .. "\n")
    end
    local res = run:make(want, orig, c)
    for _, t in ipairs(run.pending_tables) do run:record(t) end
    run.pending_tables = {}
    local hs = {}
    for _, r in ipairs(res.handle and {res} or res) do hs[#hs + 1] = tostring(r.handle) end
    want.handles = table.concat(hs, ",")
    if p then run.claimed[keyof(p)] = true end
    run:record(want)
    return res
  end
end

wrappers.nat_masquerade = nat_adder("masquerade")
wrappers.nat_forward_port = nat_adder("forward_port")
wrappers.nat_allow = nat_adder("allow")

function wrappers.nat_filter(run, orig, o)
  if type(o) ~= "table" or type(o.policy) ~= "string" then return orig(o) end
  local nsn, tbl = nsname(o.ns), o.table or nat.table
  if type(nsn) ~= "string" then return orig(o) end
  local st = S.nft_state(nsn, tbl)
  local cur = st and st.policy or "none"
  local r = {kind = "nftpolicy", ns = nsn, table = tbl, prev = cur, value = o.policy,
             nsid = S.nsid(nsn)}
  local k = keyof(r)
  local old = run.keys[k] or run.prevkeys[k]
  if old then r.prev = old.prev end
  if run.prevkeys[k] then run.claimed[k] = true end
  if cur == o.policy then
    note_table(run, nsn, tbl)
    if not run.dry then run:record(r) end
    if run.dry then plan(run, "=", r) end
    return
  end
  if run.dry then plan(run, "~", r) return end
  note_table(run, nsn, tbl)
  for _, t in ipairs(run.pending_tables) do
    t.nsid = r.nsid
    local pt = copy(t)
    pt.pending = true
    run:log(S.serialize(pt) .. "\n")
  end
  run:record(r)
  orig(o)
  for _, t in ipairs(run.pending_tables) do run:record(t) end
  run.pending_tables = {}
end

function wrappers.nat_del(run, orig, rules, o)
  if run.dry then
    local n = type(rules) == "table" and not rules.handle and #rules or 1
    plan(run, "-", {kind = "nat", what = ("%d nat rule%s"):format(n, n == 1 and "" or "s")})
    return
  end
  orig(rules, o)
  local gone = {}
  for _, r in ipairs(type(rules) == "table" and not rules.handle and rules or {rules}) do
    gone[tostring(type(r) == "table" and r.handle or r)] = true
  end
  run:forget(function(r)
    if r.kind ~= "nft" then return false end
    for _, h in ipairs(S.handles(r.handles)) do if gone[tostring(h)] then return true end end
    return false
  end)
end

function wrappers.nat_flush(run, orig, o)
  local nsn = type(o) == "table" and not getmetatable(o) and nsname(o.ns) or nsname(o)
  local tbl = type(o) == "table" and o.table or nat.table
  if run.dry and type(nsn) == "string" then
    plan(run, "-", {kind = "nfttable", ns = nsn, table = tbl})
    return
  end
  orig(o)
  run:forget(function(r)
    return (r.kind == "nft" or r.kind == "nftpolicy" or r.kind == "nfttable") and
           r.ns == nsn and r.table == tbl
  end)
end

-- Which module functions change the kernel, and the wrapper of each (and
-- ns.get, which keeps a namespace the previous run made); the last items say
-- where the options table is (an argument number, or "route" for route's
-- f(dst, opts) or f{dst, …}) and how many positional items it has. It is
-- checked against the module's spec (mod._spec.FN) before the wrapper runs,
-- so that a dry run or a kept object refuses a misspelled key as a fresh run
-- does.
local hooks = {
  {"ns", "_add", "ns_add", "ns.add"},
  {"ns", "get", "ns_get", "ns.get"},
  {"ns", "del", "ns_del", "ns.del"},
  {"ns", "sysctl", "sysctl", "ns.sysctl"},
  {"ns", "spawn", "spawn", "ns.spawn"},
  {"link", "_add", "link_add", "link.add", 1, 1},
  {"link", "del", "link_del", "link.del", 2},
  {"link", "set", "link_set", "link.set", 2},
  {"link", "addr_add", "addr_add", "link.addr_add", 3},
  {"link", "addr_del", "addr_del", "link.addr_del", 3},
  {"route", "add", "route_add", "route.add", "route"},
  {"route", "replace", "route_replace", "route.replace", "route"},
  {"route", "del", "route_del", "route.del", "route"},
  {"nat", "masquerade", "nat_masquerade", "nat.masquerade", 1},
  {"nat", "forward_port", "nat_forward_port", "nat.forward_port", 1},
  {"nat", "allow", "nat_allow", "nat.allow", 1},
  {"nat", "filter", "nat_filter", "nat.filter", 1},
  {"nat", "del", "nat_del", "nat.del"},
  {"nat", "flush", "nat_flush", "nat.flush"},
}

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
  install(self, hooks, wrappers)
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
    S.write_state(self.name, {name = self.name, script = self.script, created = self.created},
                self.made)
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
