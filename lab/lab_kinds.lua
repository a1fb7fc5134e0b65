-- netlab.lab_kinds: what the lab engine knows of each kind of record, one
-- table per kind (docs/hacking.md, Lab records). A new kind is one entry:
--
--   key(r)         the record's identity in a lab: two records with one key
--                  name one object (lab_state.lua's keyof)
--   words          {one, many}, for summaries ("2 links")
--   describe(r)    the record in words, as `netlab ls LAB` names it
--   plan(r, sign)  the record in the words of a dry run's plan line
--   identify(r)    whether the kernel's object is the one the lab made, for
--                  kinds that are not inside a namespace (ns) or not named by
--                  one (proc); the others are identified by their namespace,
--                  then by same(r) when the kind says more
--   check(r)       how far the kernel still agrees, once identified: "ok",
--                  "gone" or "changed" and what it is now (default "ok")
--   remove(r, ctx) takes the object away, true when it did; inside(r, ctx)
--                  when it goes with its namespace instead, unless always
--                  (a process outlives its namespace's name)
--   name(r)        how a note names an object that is not the lab's
--                  (default describe)
local K = require "netlab.lab_kernel"

local M = {of = {}, order = {}}

local function kind(name, t)
  M.of[name] = t
  M.order[#M.order + 1] = name
end

local function try(f, ...)
  local ok, err = pcall(f, ...)
  if not ok then return nil, err end
  return true
end

-- An nft record's handles ("12,13") as numbers.
function M.handles(text)
  local out = {}
  for h in tostring(text or ""):gmatch("%d+") do out[#out + 1] = math.tointeger(tonumber(h)) end
  return out
end

-- Whether the kernel object a record names is the one the lab made, by what
-- identifies it: "ok", "gone", "other" (something else has its name now), or
-- "unknown" (the record carries nothing to check it by, as a forged or
-- foreign one: nothing is done to it). A pending record (written before its
-- kernel call, never confirmed) is taken for the object only if that looks
-- as the call leaves it: a namespace with nothing but lo, a link of the kind.
function M.identify(r)
  local k = M.of[r.kind]
  if k and k.identify then return k.identify(r) end
  local id = K.nsid(r.ns)
  if not id then return "gone" end
  if r.nsid == nil then return "unknown" end
  if id ~= r.nsid then return "other" end
  if k and k.same then return k.same(r) end
  return "ok"
end

-- For what went before: true when the object is the lab's, and whether
-- anything has its name.
local function still_ours(r)
  local id = M.identify(r)
  return id == "ok", id ~= "gone"
end

local function text(v)
  if v == nil or v == false then return "none" end
  if v == true then return "on" end
  return tostring(v)
end

-- A plan line's "(back to …)": the previous value a removal restores.
local function back(prev)
  return (" (back to %s)"):format(prev == nil and "none" or tostring(prev))
end

local function nsname(n)
  if type(n) == "table" then return n.name end
  return n
end

-- link.set's changes as words, in a fixed order: "up, mtu 1400, master br0".
local change_words = {
  {"up", function(v) return v and "up" or "down" end},
  {"mtu", function(v) return "mtu " .. tostring(v) end},
  {"master", function(v)
    if not v then return "no master" end
    return "master " .. (type(v) == "table" and tostring(v.name) or tostring(v))
  end},
  {"alias", function(v) return v and ("alias %q"):format(v) or "no alias" end},
  {"name", function(v) return "renamed " .. tostring(v) end},
  {"netns", function(v) return "moved to " .. tostring(nsname(v)) end},
}

local function changes_text(c)
  local out = {}
  for _, w in ipairs(change_words) do
    if c[w[1]] ~= nil then out[#out + 1] = w[2](c[w[1]]) end
  end
  return table.concat(out, ", ")
end

-- Namespaces ---------------------------------------------------------------------

kind("ns", {
  key = function(r) return "ns|" .. r.name end,
  words = {"namespace", "namespaces"},
  describe = function(r) return "namespace " .. r.name end,
  plan = function(r) return "namespace " .. r.name end,
  identify = function(r)
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
  end,
  remove = function(r, ctx)
    if ctx.dying[r.name] then
      ns.del(r.name)
      return true
    end
    local id = M.identify(r)
    if id == "gone" and r.pending then
      -- Killed between creating /run/netns/NAME and mounting the namespace on it.
      return netlab._ns_placeholder(r.name)
    elseif id == "other" then
      ctx.note("namespace %q is not the one this lab made; left alone", r.name)
    elseif id == "unknown" then
      ctx.note("namespace %q: the record does not say what identifies it; left alone", r.name)
    end
  end,
})

-- Links --------------------------------------------------------------------------

-- A link (or a setting of one) identified by its index, or, pending, by its kind.
local function same_link(r)
  local ok, s = pcall(link._state, r.name, {ns = r.ns})
  if not ok or not s then return "gone" end
  if r.index ~= nil then return s.index == r.index and "ok" or "other" end
  if r.pending and r.kind == "link" then return s.kind == r.lkind and "ok" or "other" end
  return "unknown"
end

-- A bridge the lab made may hold ports it did not make (another lab's):
-- they lose it with the bridge, and down says so.
local function note_ports(r, mine, note)
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

local function link_words(r)
  local what = ("%s %s in %s"):format(r.lkind or "link", r.name, r.ns)
  if r.peer then what = what .. (" <-> %s in %s"):format(r.peer, r.peer_ns) end
  return what
end

kind("link", {
  key = function(r) return "link|" .. r.ns .. "|" .. r.name end,
  words = {"link", "links"},
  describe = link_words,
  plan = link_words,
  name = function(r) return ("link %q in %q"):format(r.name, r.ns) end,
  same = same_link,
  check = function(r)
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
  end,
  -- Goes with its namespace; a veth's other end outside goes too, in a while.
  inside = function(r, ctx)
    if r.lkind == "veth" and r.peer_ns and not ctx.dying[r.peer_ns] then
      ctx.waits[#ctx.waits + 1] = {ns = r.peer_ns, name = r.peer}
    end
  end,
  remove = function(r, ctx)
    if r.lkind == "veth" and r.peer_ns and ctx.dying[r.peer_ns] then
      ctx.waits[#ctx.waits + 1] = r
      return true
    end
    local ours, there = still_ours(r)
    if ours and r.lkind == "bridge" then note_ports(r, ctx.dying_links, ctx.note) end
    if ours then
      link.del(r.name, {ns = r.ns})
      if r.lkind == "veth" and r.peer and r.peer_ns then
        ctx.waits[#ctx.waits + 1] = {ns = r.peer_ns, name = r.peer}
      end
      return true
    elseif there then
      ctx.note("link %q in %q is not the one this lab made; left alone", r.name, r.ns)
    end
  end,
})

kind("addr", {
  key = function(r) return "addr|" .. r.ns .. "|" .. r.dev .. "|" .. r.addr end,
  words = {"address", "addresses"},
  describe = function(r) return ("address %s on %s in %s"):format(r.addr, r.dev, r.ns) end,
  plan = function(r) return ("address %s on %s in %s"):format(r.addr, r.dev, r.ns) end,
  check = function(r)
    local ok, list = pcall(link.addrs, r.dev, {ns = r.ns})
    if not ok then return "gone" end
    for _, a in ipairs(list) do if a.addr == r.addr then return "ok" end end
    return "gone"
  end,
  remove = function(r, ctx)
    if not ctx.dying_links[r.ns .. "|" .. r.dev] and try(link.addr_del, r.dev, r.addr, {ns = r.ns}) then
      return true
    end
  end,
})

-- A permanent neighbour entry (link.neighbor_add): removed with its link
-- when that goes, else deleted by itself.
kind("neigh", {
  key = function(r) return "neigh|" .. r.ns .. "|" .. r.dev .. "|" .. r.addr end,
  words = {"neighbour", "neighbours"},
  describe = function(r) return ("neighbour %s at %s on %s in %s"):format(r.addr, r.mac, r.dev, r.ns) end,
  plan = function(r) return ("neighbour %s at %s on %s in %s"):format(r.addr, r.mac, r.dev, r.ns) end,
  check = function(r)
    local ok, list = pcall(link.neighbors, r.dev, {ns = r.ns})
    if not ok then return "gone" end
    for _, e in ipairs(list) do
      if e.addr == r.addr and e.state == "PERMANENT" then return "ok" end
    end
    return "gone"
  end,
  remove = function(r, ctx)
    if not ctx.dying_links[r.ns .. "|" .. r.dev] and
        try(link.neighbor_del, {addr = r.addr, link = r.dev, ns = r.ns}) then
      return true
    end
  end,
})

-- A VLAN on a bridge's port or the bridge itself (bridge.vlan): removed with
-- its link when that goes, else deleted by itself.
local function vlan_words(r)
  local f = {}
  if r.pvid then f[#f + 1] = "pvid" end
  if r.untagged then f[#f + 1] = "untagged" end
  return ("VLAN %d%s on %s in %s"):format(r.vid, #f > 0 and " (" .. table.concat(f, ", ") .. ")" or "",
                                          r.dev, r.ns)
end
kind("brvlan", {
  key = function(r) return ("brvlan|%s|%s|%d"):format(r.ns, r.dev, r.vid) end,
  words = {"bridge VLAN", "bridge VLANs"},
  describe = vlan_words,
  plan = vlan_words,
  check = function(r)
    local ok, rows = pcall(bridge.vlans, r.dev, {ns = r.ns})
    if not ok then return "gone" end
    for _, v in ipairs(rows) do
      if v.port == r.dev and v.vid == r.vid then
        if v.pvid == (r.pvid == true) and v.untagged == (r.untagged == true) then return "ok" end
        return "changed", vlan_words{vid = v.vid, pvid = v.pvid, untagged = v.untagged,
                                     dev = r.dev, ns = r.ns}
      end
    end
    return "gone"
  end,
  remove = function(r, ctx)
    if not ctx.dying_links[r.ns .. "|" .. r.dev] and
        try(bridge.vlan_del, r.dev, {vid = r.vid, ns = r.ns}) then
      return true
    end
  end,
})

kind("route", {
  key = function(r)
    return ("route|%s|%s|%s|%s"):format(r.ns, r.table or 254, r.dst, r.metric or 0)
  end,
  words = {"route", "routes"},
  describe = function(r)
    local dst = r.dst == "default6" and "default (IPv6)" or r.dst
    return ("route %s%s%s%s%s in %s"):format(dst, r.via and " via " .. r.via or "",
      r.dev and " dev " .. r.dev or "", r.table and " table " .. r.table or "",
      r.metric and " metric " .. r.metric or "", r.ns)
  end,
  plan = function(r)
    local w = {"route", r.dst == "default6" and "default (IPv6)" or r.dst}
    if r.via then w[#w + 1] = "via " .. r.via end
    if r.dev then w[#w + 1] = "dev " .. r.dev end
    if r.table and r.table ~= 254 then w[#w + 1] = "table " .. r.table end
    if r.metric and r.metric ~= 0 then w[#w + 1] = "metric " .. r.metric end
    return table.concat(w, " ") .. " in " .. r.ns
  end,
  check = function(r)
    local ok, x = pcall(K.find_route, r)
    if not ok or not x then return "gone" end
    if K.route_same(x, r) then return "ok" end
    return "changed", ("goes via %s dev %s, lab set via %s"):format(text(x.via), text(x.dev),
                                                                    text(r.via))
  end,
  remove = function(r, ctx)
    if not (r.dev and ctx.dying_links[r.ns .. "|" .. r.dev]) then
      local spec = {dst = r.dst, ns = r.ns, table = r.table, metric = r.metric,
                    via = r.via, dev = r.dev}
      return try(route.del, spec)
    end
  end,
})

kind("sysctl", {
  key = function(r) return "sysctl|" .. r.ns .. "|" .. r.key end,
  words = {"sysctl", "sysctls"},
  describe = function(r) return ("sysctl %s in %s"):format(r.key, r.ns) end,
  plan = function(r, sign)
    return ("sysctl %s = %s in %s"):format(r.key, r.value, r.ns) ..
           (sign == "-" and back(r.prev) or "")
  end,
  check = function(r)
    local ok, v = pcall(ns.sysctl, r.ns, r.key)
    if not ok then return "gone" end
    if v == r.value then return "ok" end
    return "changed", ("is %s, lab set %s"):format(v, r.value)
  end,
  remove = function(r, ctx)
    local cur = ns.sysctl(r.ns, r.key)
    if cur == r.value then
      ns.sysctl(r.ns, r.key, r.prev)
      return true
    elseif cur ~= r.prev then
      ctx.note("sysctl %s in %q was changed by someone else; left at %s", r.key, r.ns, cur)
    end
  end,
})

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

-- A setting of a link the lab did not make (field, prev, value).
kind("set", {
  key = function(r) return "set|" .. r.ns .. "|" .. r.name .. "|" .. r.field end,
  words = {"changed link setting", "changed link settings"},
  describe = function(r) return ("%s of link %s in %s"):format(r.field, r.name, r.ns) end,
  -- In a plan also a change link.set makes (changes).
  plan = function(r, sign)
    if r.changes then return ("link %s in %s: %s"):format(r.name, r.ns, changes_text(r.changes)) end
    return ("%s of link %s in %s"):format(r.field, r.name, r.ns) ..
           (sign == "-" and back(r.prev) or "")
  end,
  same = function(r)
    if r.index ~= nil then return same_link(r) end
    return "ok"
  end,
  check = function(r)
    local ok, s = pcall(link._state, r.name, {ns = r.ns})
    if not ok or not s then return "gone" end
    -- States written before settings carried their value: nothing to compare.
    if r.value == nil then return "ok" end
    local now = setting(r, s)
    if now == r.value or (r.field == "alias" and (now or "") == (r.value or "")) then return "ok" end
    return "changed", ("is %s, lab set %s"):format(text(now), text(r.value))
  end,
  remove = function(r)
    local s = link._state(r.name, {ns = r.ns})
    if not s then return false end
    local change = {ns = r.ns}
    if r.field == "up" then change.up = r.prev
    elseif r.field == "mtu" then change.mtu = r.prev
    elseif r.field == "alias" then change.alias = r.prev or false
    elseif r.field == "master" then change.master = r.prev or false
    else return false end
    return try(link.set, r.name, change)
  end,
})

-- nftables -----------------------------------------------------------------------

-- The handles of a record's rules that are still there: only rules that
-- still carry the lab's comment are the lab's. A pending record (killed
-- before its handles were known) claims the rules with its comment that no
-- confirmed record of the lab names.
function M.nft_mine(r, confirmed)
  local st = K.nft_state(r.ns, r.table)
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
  for _, h in ipairs(M.handles(r.handles)) do
    local x = st and st.rules[h]
    if x and x.comment == r.comment then mine[#mine + 1] = h end
  end
  return mine
end

-- The rules one nat call made (spec), tagged with the lab's comment.
kind("nft", {
  key = function(r) return "nft|" .. r.ns .. "|" .. r.table .. "|" .. r.spec end,
  words = {"nat rule call", "nat rule calls"},
  describe = function(r) return ("nat %s in %s"):format(r.spec, r.ns) end,
  plan = function(r)
    return ("nat %s in %s"):format(r.spec, r.ns) ..
           (r.table ~= nat.table and " (table " .. r.table .. ")" or "")
  end,
  same = function(r)
    if not r.pending and r.handles == nil then return "unknown" end
    return "ok"
  end,
  check = function(r)
    local st = K.nft_state(r.ns, r.table)
    if not st then return "gone" end
    for _, h in ipairs(M.handles(r.handles)) do
      local x = st.rules[h]
      if not x then return "gone" end
      if x.comment ~= r.comment then return "changed", "carries another comment" end
    end
    return "ok"
  end,
  remove = function(r, ctx)
    local mine = M.nft_mine(r, ctx.confirmed)
    if #mine > 0 then
      nat.del(mine, {ns = r.ns, table = r.table})
      return true
    end
  end,
})

kind("nftpolicy", {
  key = function(r) return "nftpolicy|" .. r.ns .. "|" .. r.table end,
  words = {"forward policy", "forward policies"},
  describe = function(r) return ("forward policy of nat table %s in %s"):format(r.table, r.ns) end,
  plan = function(r, sign)
    return ("forward policy %s in %s"):format(r.value, r.ns) .. (sign == "-" and back(r.prev) or "")
  end,
  check = function(r)
    local st = K.nft_state(r.ns, r.table)
    if st and st.policy == r.value then return "ok" end
    return "changed", ("is %s, lab set %s"):format(st and st.policy or "none", r.value)
  end,
  remove = function(r)
    local st = K.nft_state(r.ns, r.table)
    if st and st.policy == r.value then
      nat.filter{ns = r.ns, table = r.table, policy = r.prev == "none" and "accept" or r.prev}
      return true
    end
  end,
})

kind("nfttable", {
  key = function(r) return "nfttable|" .. r.ns .. "|" .. r.table end,
  words = {"nftables table", "nftables tables"},
  describe = function(r) return ("nat table %s in %s"):format(r.table, r.ns) end,
  plan = function(r) return ("nftables table inet %s in %s"):format(r.table, r.ns) end,
  check = function(r)
    local st = K.nft_state(r.ns, r.table)
    return st and st.exists and "ok" or "gone"
  end,
  -- The table goes when the lab made it and nobody's rules are left in it.
  remove = function(r)
    local st = K.nft_state(r.ns, r.table)
    if st and st.exists and next(st.rules) == nil then
      nat.flush{ns = r.ns, table = r.table}
      return true
    end
  end,
})

-- Processes ----------------------------------------------------------------------

kind("proc", {
  -- The nth process a run started with this command in this namespace.
  key = function(r) return ("proc|%s|%s|%d"):format(r.ns, r.cmd, r.nth or 1) end,
  words = {"process", "processes"},
  describe = function(r) return ("process %d (%s) in %s"):format(r.pid, r.cmd or "?", r.ns) end,
  plan = function(r) return ("process %s in %s"):format(r.cmd or "?", r.ns) end,
  identify = function(r) return K.proc_alive(r) and "ok" or "gone" end,
  check = function(r) return K.proc_alive(r) and "ok" or "gone" end,
  -- Namespaces going away do not end the processes in them (a process
  -- keeps its namespace alive): ended by PID, if it is still the process
  -- the lab started.
  always = true,
  remove = function(r) return K.proc_alive(r) and netlab._end(r.pid, r.start) end,
})

return M
