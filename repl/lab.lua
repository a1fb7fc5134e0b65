-- Labs: what one `netlab run` builds. Every object the run creates, and the
-- previous value of everything it changes that it did not create, is recorded
-- in /run/netlab/LAB.state, so that
--   * `netlab down LAB` removes exactly that, in reverse order, and restores
--     what was changed;
--   * a failure (kernel error, Lua error, SIGINT, SIGTERM) rolls the run back;
--   * running the script again converges: what matches is kept, what differs
--     is changed, what the script no longer makes is removed.
--
-- The recording wraps the module functions that change the kernel while a run
-- is in progress; the C halves stay unaware of labs.
local M = {}

M.dir = "/run/netlab"

local unpack = table.unpack

-- Namespace arguments come as nil, names or objects.
local function nsname(n)
  if n == nil then return "root" end
  if type(n) == "table" then return n.name end
  return n
end

local function linkname(l, o)
  if type(l) == "table" then return l.name, nsname(l.ns) end
  return l, nsname(o and o.ns)
end

local function copy(t)
  local c = {}
  for k, v in pairs(t or {}) do c[k] = v end
  return c
end

local function keyof(r)
  if r.kind == "ns" then return "ns|" .. r.name end
  if r.kind == "link" then return "link|" .. r.ns .. "|" .. r.name end
  if r.kind == "addr" then return "addr|" .. r.ns .. "|" .. r.dev .. "|" .. r.addr end
  if r.kind == "route" then
    return ("route|%s|%s|%s|%s"):format(r.ns, r.table or 254, r.dst, r.metric or 0)
  end
  if r.kind == "sysctl" then return "sysctl|" .. r.ns .. "|" .. r.key end
  if r.kind == "set" then return "set|" .. r.ns .. "|" .. r.name .. "|" .. r.field end
  if r.kind == "nft" then return "nft|" .. r.ns .. "|" .. r.family .. "|" .. r.table end
  error("unknown record kind " .. tostring(r.kind))
end

-- Records are written as Lua table constructors, one a line.
local function serialize(r)
  local keys = {}
  for k in pairs(r) do keys[#keys + 1] = k end
  table.sort(keys)
  local parts = {}
  for _, k in ipairs(keys) do
    local v = r[k]
    if type(v) == "string" then
      parts[#parts + 1] = ("%s = %q"):format(k, v)
    elseif type(v) == "number" or type(v) == "boolean" then
      parts[#parts + 1] = ("%s = %s"):format(k, tostring(v))
    end
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end

local function load_file(path)
  local f = io.open(path)
  if not f then return nil end
  local text = f:read("a")
  f:close()
  local chunk = load(text, "=" .. path, "t", {})
  if not chunk then return nil end
  local ok, v = pcall(chunk)
  if ok then return v end
end

local function lab_paths(name)
  local base = M.dir .. "/" .. name
  return base .. ".state", base .. ".journal", base .. ".lock"
end

function M.check_name(name)
  if type(name) ~= "string" or not name:match("^[%w_.%-]+$") or name:match("^%.") then
    return nil, ("invalid lab name %q (letters, digits, '_', '-' and '.')"):format(tostring(name))
  end
  return name
end

-- The lab a script builds is named after it: scripts/purple_orange.lua -> purple_orange.
function M.name_of(script)
  return (script:match("([^/]+)$"):gsub("%.lua$", ""))
end

-- The records of a lab: its state, then whatever a run that died left in its journal.
local function load_records(name)
  local state_path, journal_path = lab_paths(name)
  local state = load_file(state_path)
  local records = state and state.objects or {}
  local f = io.open(journal_path)
  local partial = false
  if f then
    for line in f:lines() do
      local chunk = load("return " .. line, "=journal", "t", {})
      local ok, r = pcall(chunk or error)
      if ok and type(r) == "table" then
        records[#records + 1] = r
        partial = true
      end
    end
    f:close()
  end
  return records, state, partial
end

local function write_state(name, info, records)
  local state_path = lab_paths(name)
  local tmp = state_path .. ".tmp"
  local f = assert(io.open(tmp, "w"))
  f:write("-- netlab lab state: what `netlab down ", name, "` removes\nreturn {\n")
  for _, k in ipairs{"name", "script", "created"} do
    if info[k] then f:write(("  %s = %q,\n"):format(k, info[k])) end
  end
  f:write("  objects = {\n")
  for _, r in ipairs(records) do f:write("    ", serialize(r), ",\n") end
  f:write("  },\n}\n")
  f:close()
  assert(os.rename(tmp, state_path))
end

-- /run/netlab is on tmpfs, like the kernel objects it describes: a reboot clears both.
local function ensure_dir()
  netlab._mkdir(M.dir)
end

-------------------------------------------------------------------------------
-- Removing records: down, the end of a converging run, and rollback.

local removal = {}

-- Whether the kernel object a record names is still the one the lab made.
local function still_ours(r)
  if r.kind == "ns" then
    local n = ns.get(r.name)
    return n ~= nil and (r.id == nil or n.id == r.id), n ~= nil
  elseif r.kind == "link" then
    local s = link._state(r.name, {ns = r.ns})
    return s ~= nil and (r.index == nil or s.index == r.index), s ~= nil
  end
  return true, true
end

local function try(f, ...)
  local ok, err = pcall(f, ...)
  if not ok then return nil, err end
  return true
end

-- Removes records (given newest first). Objects inside a namespace that goes
-- too are left to the kernel, which removes a namespace's devices in one
-- batch; a veth whose other end was in such a namespace goes with it, in the
-- kernel's own time, and is waited for so the lab can be made again at once.
function removal.remove(records, report)
  local dying, dying_links = {}, {}
  for _, r in ipairs(records) do
    if r.kind == "ns" and still_ours(r) then dying[r.name] = true end
  end
  for _, r in ipairs(records) do
    if r.kind == "link" then
      dying_links[r.ns .. "|" .. r.name] = true
      if r.peer then dying_links[r.peer_ns .. "|" .. r.peer] = true end
    end
  end
  local waits = {}
  local done = 0
  local function note(fmt, ...)
    if report then report(fmt:format(...)) end
  end
  local function one(r)
    local inside = r.ns and dying[r.ns]
    if r.kind == "ns" then
      if dying[r.name] then
        ns.del(r.name)
        return true
      elseif select(2, still_ours(r)) then
        note("namespace %q is not the one this lab made; left alone", r.name)
      end
    elseif inside then
      -- Goes with its namespace; a veth's other end outside goes too, in a while.
      if r.kind == "link" and r.lkind == "veth" and r.peer_ns and not dying[r.peer_ns] then
        waits[#waits + 1] = {ns = r.peer_ns, name = r.peer}
      end
      return true
    elseif r.kind == "link" then
      if r.lkind == "veth" and r.peer_ns and dying[r.peer_ns] then
        waits[#waits + 1] = r
        return true
      end
      local ours, there = still_ours(r)
      if ours then
        link.del(r.name, {ns = r.ns})
        if r.lkind == "veth" and r.peer and r.peer_ns then
          waits[#waits + 1] = {ns = r.peer_ns, name = r.peer}
        end
        return true
      elseif there then
        note("link %q in %q is not the one this lab made; left alone", r.name, r.ns)
      end
    elseif r.kind == "addr" then
      if not dying_links[r.ns .. "|" .. r.dev] and try(link.addr_del, r.dev, r.addr, {ns = r.ns}) then
        return true
      end
    elseif r.kind == "route" then
      if not (r.dev and dying_links[r.ns .. "|" .. r.dev]) then
        local spec = {dst = r.dst, ns = r.ns, table = r.table, metric = r.metric,
                      via = r.via, dev = r.dev}
        return try(route.del, spec)
      end
    elseif r.kind == "sysctl" then
      local cur = ns.sysctl(r.ns, r.key)
      if cur == r.value then
        ns.sysctl(r.ns, r.key, r.prev)
        return true
      elseif cur ~= r.prev then
        note("sysctl %s in %q was changed by someone else; left at %s", r.key, r.ns, cur)
      end
    elseif r.kind == "set" then
      return removal.restore_set(r)
    elseif r.kind == "nft" then
      if nat and nat._del_table then
        return try(nat._del_table, r.table, {ns = r.ns, family = r.family})
      end
    end
  end
  for _, r in ipairs(records) do
    -- One object that cannot be removed must not keep the others.
    local ok, res = pcall(one, r)
    if not ok then note("%s: %s", keyof(r):gsub("|", " "), tostring(res))
    elseif res then done = done + 1 end
  end
  removal.wait_gone(waits, report)
  return done
end

function removal.restore_set(r)
  local s = link._state(r.name, {ns = r.ns})
  if not s then return false end
  local change = {ns = r.ns}
  if r.field == "up" then change.up = r.prev
  elseif r.field == "mtu" then change.mtu = r.prev
  elseif r.field == "alias" then change.alias = r.prev or false
  elseif r.field == "master" then change.master = r.prev or false
  else return false end
  return try(link.set, r.name, change)
end

-- Waits until links the kernel removes in its own time are gone, so the lab
-- can be made again at once. It gives up after two seconds in which none went:
-- then something else (a process inside) still holds their namespace.
function removal.wait_gone(waits, report)
  if #waits == 0 then return end
  local byns = {}
  for _, w in ipairs(waits) do
    byns[w.ns] = byns[w.ns] or {}
    byns[w.ns][w.name] = true
  end
  -- Our own cached handles would keep dead namespaces alive.
  netlab._release()
  local idle, last = 0, math.huge
  while true do
    local left = 0
    for n, set in pairs(byns) do
      local ok, names = pcall(link._names, n)
      for name in pairs(set) do
        if ok and names[name] then left = left + 1 else set[name] = nil end
      end
    end
    if left == 0 then return end
    if left < last then idle, last = 0, left else idle = idle + 1 end
    if idle >= 200 then
      if report then
        report(("%d link%s still held by the kernel (a process may still be in a namespace of the lab)")
          :format(left, left == 1 and " is" or "s are"))
      end
      return
    end
    netlab.sleep(0.01)
  end
end

-------------------------------------------------------------------------------
-- A run: recording, converging, rolling back.

local Run = {}
Run.__index = Run

local function plan(run, sign, what)
  run.planned[#run.planned + 1] = sign .. " " .. what
end

function Run:record(r, undo)
  local key = keyof(r)
  if self.keys[key] then
    -- Made again in one run (made, deleted, made): keep the newest record.
    for i, old in ipairs(self.made) do
      if old == self.keys[key] then table.remove(self.made, i) break end
    end
  end
  self.keys[key] = r
  self.made[#self.made + 1] = r
  if undo ~= false then self.undo[#self.undo + 1] = r end
  if self.journal then self.journal:write(serialize(r), "\n") end
  if r.kind == "ns" then self.nsmade[r.name] = true end
end

function Run:claim(r)
  local key = keyof(r)
  self.claimed[key] = true
  if not self.keys[key] then
    self.keys[key] = r
    self.made[#self.made + 1] = r
    if self.journal then self.journal:write(serialize(r), "\n") end
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
      if run.dry then plan(run, "=", "ns " .. name) end
      return cur
    end
  end
  if run.dry then
    plan(run, "+", "ns " .. name)
    run.nsmade[name] = true
    return setmetatable({name = name}, netlab._meta("netlab.ns"))
  end
  local n = orig(name)
  want.id = n.id
  run:record(want)
  -- Nothing in a namespace made just now needs comparing before it is changed.
  run.nsnew[name] = true
  return n
end

function wrappers.ns_del(run, orig, n)
  local name = nsname(n)
  if run.dry then plan(run, "-", "ns " .. name) return end
  orig(n)
  run.nsmade[name] = nil
  run:forget(function(r)
    return (r.kind == "ns" and r.name == name) or r.ns == name or r.peer_ns == name
  end)
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
    plan(run, "~", ("link %s in %s: %s"):format(e.name, e.ns, table.concat(what, ", ")))
    return
  end
  -- Undo restores what the previous run left.
  for _, f in ipairs(what) do
    local prev = s[f]
    if f == "master" then prev = nil end
    run.undo[#run.undo + 1] = {kind = "set", ns = e.ns, name = e.name, field = f, prev = prev}
  end
  run.orig.link_set(e.name, change)
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
                peer = peer and peer.name, peer_ns = peer and peer.ns}
  local p = run:prev(want)
  if p then
    local s = link._state(dev.name, {ns = dev.ns})
    local ps = peer and link._state(peer.name, {ns = peer.ns})
    local same = s and s.index == p.index and p.lkind == o.kind and
                 (not peer or (ps and p.peer == peer.name and p.peer_ns == peer.ns and
                               ps.index == p.peer_index))
    if same then
      run:claim(p)
      if run.dry then plan(run, "=", ("%s %s in %s"):format(o.kind, dev.name, dev.ns)) end
      converge_end(run, dev)
      if peer then converge_end(run, peer) end
      local l = link_object(dev.name, dev.ns, p.index)
      if peer then l.peer = link_object(peer.name, peer.ns, p.peer_index) end
      return l
    end
    -- The previous one differs in kind or peer: it makes way for the new one.
    if s and s.index == p.index then
      if run.dry then
        plan(run, "-", ("%s %s in %s (replaced)"):format(p.lkind, p.name, p.ns))
      else
        run.orig.link_del(dev.name, {ns = dev.ns})
      end
    end
    run.claimed[keyof(p)] = true
  end
  if run.dry then
    plan(run, "+", ("%s %s in %s%s"):format(o.kind, dev.name, dev.ns,
      peer and (" <-> %s in %s"):format(peer.name, peer.ns) or ""))
    local l = link_object(dev.name, dev.ns)
    if peer then l.peer = link_object(peer.name, peer.ns) end
    return l
  end
  local l = orig(o)
  want.index = l.index
  want.peer_index = l.peer and l.peer.index
  run:record(want)
  -- Links outside the lab's own namespaces carry its name, for `ip link` readers.
  local tag = "netlab:" .. run.name
  for _, e in ipairs{l, l.peer} do
    if e and not run:ours_ns(e.ns.name) then run.orig.link_set(e, {alias = tag}) end
  end
  return l
end

function wrappers.link_del(run, orig, l, o)
  local name, nsn = linkname(l, o)
  if run.dry then plan(run, "-", ("link %s in %s"):format(name, nsn)) return end
  orig(l, o)
  run:forget(function(r)
    return (r.kind == "link" and ((r.ns == nsn and r.name == name) or
                                  (r.peer_ns == nsn and r.peer == name))) or
           (r.kind == "addr" and r.ns == nsn and r.dev == name)
  end)
end

local set_fields = {"up", "mtu", "master", "alias"}

function wrappers.link_set(run, orig, l, changes)
  local name, nsn = linkname(l, changes)
  if type(name) ~= "string" or type(nsn) ~= "string" or type(changes) ~= "table" then
    return orig(l, changes)
  end
  if run.nsnew[nsn] and not run.dry then
    local res = orig(l, changes)
    return res
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
    if needed and not left then return l end
    if run.dry then
      plan(run, "~", ("link %s in %s"):format(name, nsn))
      return l
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
          local r = {kind = "set", ns = nsn, name = name, field = f, prev = prev}
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
        if run.dry then plan(run, "=", ("addr %s on %s in %s"):format(cidr, name, nsn)) end
        return
      end
    end
  end
  if run.dry then plan(run, "+", ("addr %s on %s in %s"):format(cidr, name, nsn)) return end
  orig(l, cidr, o)
  run:record(want)
end

function wrappers.addr_del(run, orig, l, cidr, o)
  local name, nsn = linkname(l, o)
  if run.dry then plan(run, "-", ("addr %s on %s in %s"):format(cidr, name, nsn)) return end
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

-- The route the kernel has for a record's destination, table and metric, if any.
local function find_route(r)
  local fam = r.dst:find(":") and "inet6" or (r.via and r.via:find(":") and "inet6") or "inet"
  if r.dst == "default6" then fam = "inet6" end
  local dst = r.dst == "default6" and "default" or r.dst
  for _, x in ipairs(route.list{ns = r.ns, table = r.table, family = fam}) do
    if x.dst == dst and x.metric == (r.metric or x.metric) then return x end
  end
end

local function route_same(x, r)
  return x and x.via == r.via and (r.dev == nil or x.dev == r.dev) and
         (x.onlink or false) == (r.onlink or false)
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
      if run.dry then plan(run, "=", "route " .. want.dst .. " in " .. want.ns) end
      return
    end
    if run.dry then plan(run, p and "~" or "+", "route " .. want.dst .. " in " .. want.ns) return end
    if p and cur then
      run.orig.route_replace(o)
    else
      orig(o)
    end
    if p then run.claimed[keyof(p)] = true end
    run:record(want)
  end
end

wrappers.route_add = route_wrapper("add")
wrappers.route_replace = route_wrapper("replace")

function wrappers.route_del(run, orig, a, b)
  local o = route_spec(a, b)
  local r = route_record(o)
  if run.dry then plan(run, "-", "route " .. r.dst .. " in " .. r.ns) return end
  orig(o)
  run:forget(function(x) return x.kind == "route" and keyof(x) == keyof(r) end)
end

local function sysctl_text(v)
  if type(v) == "boolean" then return v and "1" or "0" end
  return tostring(v)
end

function wrappers.sysctl(run, orig, n, key, value)
  local nsn = nsname(n)
  if value == nil or type(key) ~= "string" or type(nsn) ~= "string" or
     (type(value) ~= "string" and type(value) ~= "number" and type(value) ~= "boolean") then
    return orig(n, key, value)
  end
  local v = sysctl_text(value)
  if run.nsnew[nsn] and not run.dry then
    orig(n, key, value)
    return
  end
  local cur = run.dry and not ns.get(nsn) and "?" or orig(n, key)
  if not run:ours_ns(nsn) then
    local r = {kind = "sysctl", ns = nsn, key = key, value = v, prev = cur}
    local k = keyof(r)
    local old = run.keys[k] or run.prevkeys[k]
    if old then r.prev = old.prev end
    if run.prevkeys[k] then run.claimed[k] = true end
    if not run.dry then run:record(r) end
  end
  if cur == v then return end
  if run.dry then plan(run, "~", ("sysctl %s = %s in %s"):format(key, v, nsn)) return end
  orig(n, key, value)
end

-- Which module functions change the kernel, and the wrapper of each.
local hooks = {
  {"ns", "_add", "ns_add", "ns.add"},
  {"ns", "del", "ns_del", "ns.del"},
  {"ns", "sysctl", "sysctl", "ns.sysctl"},
  {"link", "_add", "link_add", "link.add"},
  {"link", "del", "link_del", "link.del"},
  {"link", "set", "link_set", "link.set"},
  {"link", "addr_add", "addr_add", "link.addr_add"},
  {"link", "addr_del", "addr_del", "link.addr_del"},
  {"route", "add", "route_add", "route.add"},
  {"route", "replace", "route_replace", "route.replace"},
  {"route", "del", "route_del", "route.del"},
}

function Run:install()
  self.orig = {}
  self.saved = {}
  for _, h in ipairs(hooks) do
    local mod, fn, w, qual = h[1], h[2], h[3], h[4]
    local orig = _G[mod][fn]
    self.saved[#self.saved + 1] = {mod, fn, orig}
    self.orig[w] = orig
    local wrapper = wrappers[w]
    local run = self
    -- Not a tail call: errors name the function the script called from this frame.
    local f = function(...)
      local a, b = wrapper(run, orig, ...)
      return a, b
    end
    netlab._name(f, qual)
    _G[mod][fn] = f
  end
end

function Run:uninstall()
  for _, s in ipairs(self.saved or {}) do _G[s[1]][s[2]] = s[3] end
  self.saved = nil
end

local function summary(records)
  local n = {}
  for _, r in ipairs(records) do n[r.kind] = (n[r.kind] or 0) + 1 end
  local words = {
    {"ns", "namespace", "namespaces"}, {"link", "link", "links"},
    {"addr", "address", "addresses"}, {"route", "route", "routes"},
    {"sysctl", "sysctl", "sysctls"}, {"set", "changed link setting", "changed link settings"},
    {"nft", "nftables table", "nftables tables"},
  }
  local out = {}
  for _, w in ipairs(words) do
    local c = n[w[1]]
    if c then out[#out + 1] = ("%d %s"):format(c, c == 1 and w[2] or w[3]) end
  end
  return #out > 0 and table.concat(out, ", ") or "nothing"
end
M.summary = summary

-- Undoes what this run did, newest first; called with signals held.
function Run:rollback()
  local list = {}
  for i = #self.undo, 1, -1 do list[#list + 1] = self.undo[i] end
  self:uninstall()
  return removal.remove(list, self.report)
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
    for _, p in ipairs(gone) do plan(self, "-", keyof(p):gsub("|", " ")) end
    return
  end
  if #gone > 0 then removal.remove(gone, self.report) end
  local state_path, journal_path = lab_paths(self.name)
  if #self.made > 0 then
    write_state(self.name, {name = self.name, script = self.script, created = self.created},
                self.made)
  else
    os.remove(state_path)
  end
  if self.journal then self.journal:close() end
  os.remove(journal_path)
  return #gone
end

-- Runs fn (the script) as lab `name`; rolls back and re-raises on failure.
function M.run(name, script, fn, opts)
  opts = opts or {}
  local ok, why = M.check_name(name)
  if not ok then error(why, 0) end
  ensure_dir()
  local state_path, journal_path, lock_path = lab_paths(name)
  local lock, holder = netlab._lock(lock_path)
  if not lock then
    error(("lab %q is being changed by another netlab (pid %d)"):format(name, holder), 0)
  end
  local prevlist, prevstate = load_records(name)
  local run = setmetatable({
    name = name, script = script, dry = opts.dry_run, planned = {},
    made = {}, keys = {}, undo = {}, claimed = {}, nsmade = {}, nsnew = {},
    prevlist = prevlist, prevkeys = {},
    created = prevstate and prevstate.created or os.date("!%Y-%m-%dT%H:%M:%SZ"),
    report = opts.report,
  }, Run)
  for _, r in ipairs(prevlist) do run.prevkeys[keyof(r)] = r end
  if not run.dry then
    -- Recorded as the run goes, so a netlab killed outright leaves a trail for down.
    run.journal = assert(io.open(journal_path, "a"))
    run.journal:setvbuf("line")
  end
  local changes0 = netlab._changes()
  run:install()
  -- Both ways out of the script enter the critical section while still
  -- protected, so an interruption cannot slip between the script and the
  -- rollback or the save.
  local okrun, err = xpcall(function()
    fn()
    netlab._critical(true)
  end, function(e)
    netlab._critical(true)
    if type(e) == "string" and os.getenv("NETLAB_TRACEBACK") then return debug.traceback(e, 2) end
    return e
  end)
  netlab._critical(true)
  local result
  if okrun then
    local removed = run:commit()
    result = {
      name = name, objects = #run.made, summary = summary(run.made),
      changes = netlab._changes() - changes0, removed = removed, plan = run.planned,
    }
  else
    local undone = run.dry and 0 or run:rollback()
    if run.journal then run.journal:close() end
    os.remove(journal_path)
    if #prevlist > 0 and not prevstate then
      -- The journal was all there was: keep it as the state, so down still works.
      write_state(name, {name = name, script = script}, prevlist)
    end
    lock:release()
    netlab._critical(false, "discard")
    if type(err) ~= "string" then err = tostring(err) end
    error({message = err, undone = undone}, 0)
  end
  lock:release()
  netlab._critical(false)
  return result
end

-- netlab down: removes what the lab made.
function M.down(name, report)
  local ok, why = M.check_name(name)
  if not ok then error(why, 0) end
  local state_path, journal_path, lock_path = lab_paths(name)
  local records = load_records(name)
  if #records == 0 and not io.open(state_path) then
    error(("no lab %q (see netlab ls)"):format(name), 0)
  end
  ensure_dir()
  local lock, holder = netlab._lock(lock_path)
  if not lock then
    error(("lab %q is being changed by another netlab (pid %d)"):format(name, holder), 0)
  end
  netlab._critical(true)
  local list = {}
  for i = #records, 1, -1 do list[#list + 1] = records[i] end
  local n = removal.remove(list, report)
  os.remove(state_path)
  os.remove(journal_path)
  -- The lock file goes while it is still held, so nobody locks a stale one.
  os.remove(lock_path)
  lock:release()
  netlab._critical(false)
  return n, summary(records)
end

-- The command line's side: messages on standard error, a plan on standard output.
local function say(fmt, ...)
  io.stderr:write("netlab: ", fmt:format(...), "\n")
end

function M.cli_run(script, name, opts)
  local chunk, err = loadfile(script, "t")
  if not chunk then
    say("%s", err)
    return false
  end
  if opts.help then
    -- netlab.params prints the parameters and stops the script; no lab.
    netlab._want_help = true
    local ok, e = pcall(chunk)
    if ok or (type(e) == "table" and e.help) then
      if ok then print(("%s declares no parameters (netlab.params)"):format(script)) end
      return true
    end
    say("%s", tostring(e))
    return false
  end
  local ok, res = pcall(M.run, name, script, chunk,
                        {dry_run = opts.dry_run, report = function(s) say("%s", s) end})
  if not ok then
    if type(res) == "table" then
      say("%s", tostring(res.message))
      if res.undone and res.undone > 0 then
        say("rolled back: %d object%s of lab %q removed or restored", res.undone,
            res.undone == 1 and "" or "s", name)
      end
    else
      say("%s", tostring(res))
    end
    return false
  end
  if opts.dry_run then
    print(("plan for lab %q (+ create, ~ change, = keep, - remove):"):format(name))
    for _, line in ipairs(res.plan) do print("  " .. line) end
  elseif opts.verbose or netlab._isatty(2) then
    say("lab %q is up: %s (%d kernel change%s%s)", name, res.summary, res.changes,
        res.changes == 1 and "" or "s",
        (res.removed or 0) > 0 and (", %d removed"):format(res.removed) or "")
  end
  return true
end

-- netlab down LAB|FILE
function M.cli_down(arg)
  local name = arg
  if arg:find("/") or arg:match("%.lua$") then name = M.name_of(arg) end
  local ok, n, what = pcall(M.down, name, function(s) say("%s", s) end)
  if not ok then
    say("down: %s", tostring(n))
    return false
  end
  if netlab._isatty(2) then say("lab %q is down: %s", name, what) end
  return true
end

-- netlab ls
function M.cli_ls()
  local rows = M.list()
  if #rows == 0 then
    print("(no labs)")
    return true
  end
  local t = {}
  for _, r in ipairs(rows) do
    t[#t + 1] = {r.name, tostring(r.objects), r.status, r.script, r.summary}
  end
  print(netlab._columns(t, {"LAB", "OBJECTS", "STATUS", "SCRIPT", "WHAT"}))
  return true
end

-- How far the kernel still agrees with a record: "ok", "gone" or "changed".
local function check(r)
  if r.kind == "ns" or r.kind == "link" then
    local ours, there = still_ours(r)
    return ours and "ok" or (there and "changed" or "gone")
  elseif r.kind == "addr" then
    local ok, list = pcall(link.addrs, r.dev, {ns = r.ns})
    if not ok then return "gone" end
    for _, a in ipairs(list) do if a.addr == r.addr then return "ok" end end
    return "gone"
  elseif r.kind == "route" then
    local ok, x = pcall(find_route, r)
    if not ok or not x then return "gone" end
    return route_same(x, r) and "ok" or "changed"
  elseif r.kind == "sysctl" then
    local ok, v = pcall(ns.sysctl, r.ns, r.key)
    if not ok then return "gone" end
    return v == r.value and "ok" or "changed"
  end
  return "ok"
end

-- netlab ls: every lab, its objects, and whether the kernel still agrees.
function M.list()
  local labs = {}
  for _, file in ipairs(netlab._ls(M.dir)) do
    local name = file:match("^(.-)%.state$") or file:match("^(.-)%.journal$")
    if name and not labs[name] then
      labs[name] = true
      labs[#labs + 1] = name
    end
  end
  local rows = {}
  for _, name in ipairs(labs) do
    local records, state, partial = load_records(name)
    local gone, changed = 0, 0
    local dead = {}
    for _, r in ipairs(records) do
      local inside = r.ns and dead[r.ns]
      local c = inside and "gone" or check(r)
      if c == "gone" then gone = gone + 1 elseif c == "changed" then changed = changed + 1 end
      if r.kind == "ns" and c ~= "ok" then dead[r.name] = true end
    end
    local status = "intact"
    if gone == #records and #records > 0 then status = "gone"
    elseif gone > 0 then status = ("partly gone (%d of %d)"):format(gone, #records)
    elseif changed > 0 then status = ("changed by someone else (%d)"):format(changed) end
    local _, _, lock_path = lab_paths(name)
    local lock, holder = netlab._lock(lock_path)
    if lock then lock:release() else status = ("being built (pid %d)"):format(holder) end
    if partial then status = status .. ", unfinished run" end
    rows[#rows + 1] = {name = name, objects = #records, summary = summary(records),
                       status = status, script = state and state.script or "-"}
  end
  return rows
end

M.removal = removal
M.keyof = keyof
return M
