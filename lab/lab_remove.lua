-- netlab.lab_remove: taking a lab's objects away again (down, the end of a
-- converging run, rollback), and checking that the kernel still agrees.
local S = require "netlab.lab_state"

local R = {}
local keyof = S.keyof

local function try(f, ...)
  local ok, err = pcall(f, ...)
  if not ok then return nil, err end
  return true
end

-- Whether the kernel object a record names is the one the lab made, by what
-- identifies it: "ok", "gone", "other" (something else has its name now), or
-- "unknown" (the record carries nothing to check it by, as a forged or
-- foreign one: nothing is done to it). A pending record (written before its
-- kernel call, never confirmed) is taken for the object only if that looks
-- as the call leaves it: a namespace with nothing but lo, a link of the kind.
function R.identify(r)
  if r.kind == "proc" then return R.proc_alive(r) and "ok" or "gone" end
  if r.kind == "ns" then
    local ok, n = pcall(ns.get, r.name)
    if not ok or not n then return "gone" end
    if r.id ~= nil then return n.id == r.id and "ok" or "other" end
    if r.pending then
      local lok, names = pcall(link._names, r.name)
      local count = 0
      for _ in pairs(lok and names or {}) do count = count + 1 end
      return (lok and count <= 1 and (count == 0 or names.lo)) and "ok" or "other"
    end
    return "unknown"
  end
  local id = S.nsid(r.ns)
  if not id then return "gone" end
  if r.nsid == nil then return "unknown" end
  if id ~= r.nsid then return "other" end
  if r.kind == "link" or (r.kind == "set" and r.index ~= nil) then
    local ok, s = pcall(link._state, r.name, {ns = r.ns})
    if not ok or not s then return "gone" end
    if r.index ~= nil then return s.index == r.index and "ok" or "other" end
    if r.pending and r.kind == "link" then return s.kind == r.lkind and "ok" or "other" end
    return "unknown"
  end
  if r.kind == "nft" and not r.pending and r.handles == nil then return "unknown" end
  return "ok"
end

-- For what went before: true when the object is the lab's, and whether
-- anything has its name.
local function still_ours(r)
  local id = R.identify(r)
  return id == "ok", id ~= "gone"
end

-- Removes records (given newest first). Objects inside a namespace that goes
-- too are left to the kernel, which removes a namespace's devices in one
-- batch; a veth whose other end was in such a namespace goes with it, in the
-- kernel's own time, and is waited for so the lab can be made again at once.
function R.remove(records, report)
  local dying, dying_links, confirmed = {}, {}, {}
  for _, r in ipairs(records) do
    if r.kind == "ns" and still_ours(r) then dying[r.name] = true end
    if r.kind == "nft" and not r.pending then
      for _, h in ipairs(S.handles(r.handles)) do confirmed[r.ns .. "|" .. r.table .. "|" .. h] = true end
    end
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
    if not inside and r.kind ~= "ns" then
      local id = R.identify(r)
      if id == "unknown" then
        note("%s: the record does not say what identifies it; left alone", R.describe(r))
        return
      elseif id == "other" then
        if r.kind == "link" then
          note("link %q in %q is not the one this lab made; left alone", r.name, r.ns)
        else
          note("%s is not the one this lab made; left alone", R.describe(r))
        end
        return
      elseif id == "gone" then
        return
      end
    end
    if r.kind == "proc" then
      -- Namespaces going away do not end the processes in them (a process
      -- keeps its namespace alive): ended by PID, if it is still the process
      -- the lab started.
      return R.proc_alive(r) and netlab._end(r.pid, r.start)
    elseif r.kind == "ns" then
      if dying[r.name] then
        ns.del(r.name)
        return true
      else
        local id = R.identify(r)
        if id == "gone" and r.pending then
          -- Killed between creating /run/netns/NAME and mounting the namespace on it.
          return netlab._ns_placeholder(r.name)
        elseif id == "other" then
          note("namespace %q is not the one this lab made; left alone", r.name)
        elseif id == "unknown" then
          note("namespace %q: the record does not say what identifies it; left alone", r.name)
        end
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
      if ours and r.lkind == "bridge" then R.note_ports(r, dying_links, note) end
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
      return R.restore_set(r)

    elseif r.kind == "nft" then
      local mine = R.nft_mine(r, confirmed)
      if #mine > 0 then
        nat.del(mine, {ns = r.ns, table = r.table})
        return true
      end
    elseif r.kind == "nftpolicy" then
      local st = S.nft_state(r.ns, r.table)
      if st and st.policy == r.value then
        nat.filter{ns = r.ns, table = r.table, policy = r.prev == "none" and "accept" or r.prev}
        return true
      end
    elseif r.kind == "nfttable" then
      -- The table goes when the lab made it and nobody's rules are left in it.
      local st = S.nft_state(r.ns, r.table)
      if st and st.exists and next(st.rules) == nil then
        nat.flush{ns = r.ns, table = r.table}
        return true
      end
    end
  end
  for _, r in ipairs(records) do
    -- One object that cannot be removed must not keep the others.
    local ok, res = pcall(one, r)
    if not ok then note("%s: %s", keyof(r):gsub("|", " "), tostring(res))
    elseif res then done = done + 1 end
  end
  R.wait_gone(waits, report)
  return done
end

-- A bridge the lab made may hold ports it did not make (another lab's):
-- they lose it with the bridge, and down says so.
function R.note_ports(r, mine, note)
  local ok, br = pcall(link._state, r.name, {ns = r.ns})
  local nok, names = pcall(link._names, r.ns)
  if not (ok and br and nok) then return end
  local others = {}
  for name in pairs(names) do
    local sok, s = pcall(link._state, name, {ns = r.ns})
    if sok and s and s.master == br.index and not mine[r.ns .. "|" .. name] then
      others[#others + 1] = name
    end
  end
  if #others == 0 then return end
  table.sort(others)
  local shown = {table.unpack(others, 1, math.min(#others, 5))}
  note("bridge %s in %s also holds %d port%s this lab did not make (%s%s): deleted with it, they are left without a bridge",
       r.name, r.ns, #others, #others == 1 and "" or "s", table.concat(shown, ", "),
       #others > #shown and ", ..." or "")
end

-- The handles of a record's rules that are still there: only rules that
-- still carry the lab's comment are the lab's. A pending record (killed
-- before its handles were known) claims the rules with its comment that no
-- confirmed record of the lab names.
function R.nft_mine(r, confirmed)
  local st = S.nft_state(r.ns, r.table)
  local mine = {}
  if r.pending then
    for h, x in pairs(st and st.rules or {}) do
      if x.comment == r.comment and not (confirmed or {})[r.ns .. "|" .. r.table .. "|" .. h] then
        mine[#mine + 1] = h
      end
    end
    table.sort(mine)
    return mine
  end
  for _, h in ipairs(S.handles(r.handles)) do
    local x = st and st.rules[h]
    if x and x.comment == r.comment then mine[#mine + 1] = h end
  end
  return mine
end

function R.restore_set(r)
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
-- can be made again at once. The kernel may take seconds (a packet still
-- waiting for an ARP answer holds its device until the answer times out);
-- after ten seconds in which none went, something else (a process inside)
-- holds their namespace, and waiting longer would not help.
function R.wait_gone(waits, report)
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
    if idle >= 1000 then
      if report then
        report(("%d link%s still held by the kernel (a process may still be in a namespace of the lab)")
          :format(left, left == 1 and " is" or "s are"))
      end
      return
    end
    netlab.sleep(0.01)
  end
end

-- Whether the process a record names still runs: same PID, same start time.
function R.proc_alive(r)
  return r.pid ~= nil and r.start ~= nil and netlab._proc_start(r.pid) == r.start
end

-- A record in words, as `netlab ls LAB` names it.
function R.describe(r)
  local k = r.kind
  if k == "ns" then return "namespace " .. r.name end
  if k == "link" then
    local what = ("%s %s in %s"):format(r.lkind or "link", r.name, r.ns)
    if r.peer then what = what .. (" <-> %s in %s"):format(r.peer, r.peer_ns) end
    return what
  end
  if k == "addr" then return ("address %s on %s in %s"):format(r.addr, r.dev, r.ns) end
  if k == "route" then
    local dst = r.dst == "default6" and "default (IPv6)" or r.dst
    return ("route %s%s%s%s%s in %s"):format(dst, r.via and " via " .. r.via or "",
      r.dev and " dev " .. r.dev or "", r.table and " table " .. r.table or "",
      r.metric and " metric " .. r.metric or "", r.ns)
  end
  if k == "sysctl" then return ("sysctl %s in %s"):format(r.key, r.ns) end
  if k == "set" then return ("%s of link %s in %s"):format(r.field, r.name, r.ns) end
  if k == "nft" then return ("nat %s in %s"):format(r.spec, r.ns) end
  if k == "nftpolicy" then return ("forward policy of nat table %s in %s"):format(r.table, r.ns) end
  if k == "nfttable" then return ("nat table %s in %s"):format(r.table, r.ns) end
  if k == "proc" then return ("process %d (%s) in %s"):format(r.pid, r.cmd or "?", r.ns) end
  return (keyof(r):gsub("|", " "))
end

local function text(v)
  if v == nil or v == false then return "none" end
  if v == true then return "on" end
  return tostring(v)
end

-- A link setting as the kernel has it now, in the terms of a set record.
local function setting(r, s)
  if r.field == "master" then
    if s.master == 0 then return false end
    for name, idx in pairs(link._names(r.ns)) do
      if idx == s.master then return name end
    end
    return "?"
  end
  if r.field == "alias" then return s.alias or false end
  return s[r.field]
end

-- How far the kernel still agrees with a record: "ok", "gone" or "changed",
-- and for "changed" what it is now, in words ("is 0, lab set 1").
function R.check(r)
  local iok, id = pcall(R.identify, r)
  if not iok or id == "gone" then return "gone" end
  if id == "unknown" then return "unverifiable", "(the record does not say what identifies it)" end
  if id == "other" then return "changed", "is another one, made since" end
  if r.kind == "ns" then
    return "ok"
  elseif r.kind == "link" then
    -- On the bridge the lab put it on (a bridge another lab's down took away).
    for _, e in ipairs{{r.name, r.ns, r.master}, {r.peer, r.peer_ns, r.peer_master}} do
      if e[1] and e[3] then
        local ok, s = pcall(link._state, e[1], {ns = e[2]})
        local mok, m = pcall(link._state, e[3], {ns = e[2]})
        if ok and s and not (mok and m and s.master == m.index) then
          return "changed", ("%s is no longer on bridge %s"):format(e[1], e[3])
        end
      end
    end
    return "ok"
  elseif r.kind == "addr" then
    local ok, list = pcall(link.addrs, r.dev, {ns = r.ns})
    if not ok then return "gone" end
    for _, a in ipairs(list) do if a.addr == r.addr then return "ok" end end
    return "gone"
  elseif r.kind == "route" then
    local ok, x = pcall(S.find_route, r)
    if not ok or not x then return "gone" end
    if S.route_same(x, r) then return "ok" end
    return "changed", ("goes via %s dev %s, lab set via %s"):format(text(x.via), text(x.dev),
                                                                    text(r.via))
  elseif r.kind == "nft" then
    local st = S.nft_state(r.ns, r.table)
    if not st then return "gone" end
    for _, h in ipairs(S.handles(r.handles)) do
      local x = st.rules[h]
      if not x then return "gone" end
      if x.comment ~= r.comment then return "changed", "carries another comment" end
    end
    return "ok"
  elseif r.kind == "nftpolicy" then
    local st = S.nft_state(r.ns, r.table)
    if st and st.policy == r.value then return "ok" end
    return "changed", ("is %s, lab set %s"):format(st and st.policy or "none", r.value)
  elseif r.kind == "nfttable" then
    local st = S.nft_state(r.ns, r.table)
    return st and st.exists and "ok" or "gone"
  elseif r.kind == "sysctl" then
    local ok, v = pcall(ns.sysctl, r.ns, r.key)
    if not ok then return "gone" end
    if v == r.value then return "ok" end
    return "changed", ("is %s, lab set %s"):format(v, r.value)
  elseif r.kind == "set" then
    local ok, s = pcall(link._state, r.name, {ns = r.ns})
    if not ok or not s then return "gone" end
    -- States written before settings carried their value: nothing to compare.
    if r.value == nil then return "ok" end
    local now = setting(r, s)
    if now == r.value or (r.field == "alias" and (now or "") == (r.value or "")) then return "ok" end
    return "changed", ("is %s, lab set %s"):format(text(now), text(r.value))
  elseif r.kind == "proc" then
    return R.proc_alive(r) and "ok" or "gone"
  end
  return "ok"
end

return R
