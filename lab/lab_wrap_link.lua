-- netlab.lab_wrap_link: the lab's wrappers of link.add, link.del, link.set,
-- link.addr_add and link.addr_del, link.neighbor_add and link.neighbor_del,
-- bridge.vlan and bridge.vlan_del
-- (lab_record.lua installs them; docs/hacking.md, Lab records).
local S = require "netlab.lab_state"
local K = require "netlab.lab_kernel"
local R = require "netlab.lab_remove"
local P = require "netlab.lab_plan"

local nsname, linkname, copy, keyof = S.nsname, S.linkname, S.copy, S.keyof
local plan = P.plan

local wrappers = {}

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
                               nsid = K.nsid(e.ns), index = s.index}
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
local function remove_lone_end(run, p)
  if not (p.peer and p.peer_ns and p.peer_index) then return end
  local ok, ps = pcall(link._state, p.peer, {ns = p.peer_ns})
  if not (ok and ps and ps.index == p.peer_index) then return end
  -- The kernel may be taking it away already, with a namespace that is going.
  pcall(run.orig.link_del, p.peer, {ns = p.peer_ns})
  R.wait_gone({{ns = p.peer_ns, name = p.peer}}, run.report)
end

-- A link of the previous run that this link.add made and the script then
-- moved or renamed (the record says where it was made).
local function moved_prev(run, dev, kind)
  for _, r in ipairs(run.prevlist) do
    if r.kind == "link" and r.made_ns == dev.ns and r.made_name == dev.name and r.lkind == kind and
       not run.claimed[keyof(r)] then
      return r
    end
  end
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
  -- A bridge's VLAN settings, for a dry run's trace (lab_trace.lua) to say.
  if o.kind == "bridge" then
    want.vlan_filtering = o.vlan_filtering == true or nil
    want.vlan_protocol = type(o.vlan_protocol) == "string" and o.vlan_protocol or nil
    want.vlan_default_pvid = math.type(o.vlan_default_pvid) == "integer" and o.vlan_default_pvid or nil
  end
  local p = run:prev(want)
  local moved = not p and moved_prev(run, dev, o.kind)
  p = p or moved
  local replaced
  if p then
    local s = link._state(p.name, {ns = p.ns})
    local ps = peer and link._state(peer.name, {ns = peer.ns})
    local same = s and s.index == p.index and p.lkind == o.kind and
                 (not peer or (ps and p.peer == peer.name and p.peer_ns == peer.ns and
                               ps.index == p.peer_index))
    if same and moved then
      -- Made, then moved by the script: its calls after this one bring it
      -- where it is and converge it there; what this call gave it (up,
      -- addresses) the move took away.
      run:claim(p)
      if run.dry then plan(run, "=", p) end
      return link_object(p.name, p.ns, p.index)
    elseif same then
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
    -- (One made and moved that is no longer what it was is left to the end
    -- of the run, which removes what the script no longer makes.)
    if not moved then
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
    -- The ends and the kind's options are for the plan's trace (lab_trace.lua), at this line only.
    want.ends, want.opts = ends, o
    plan(run, replaced and "~" or "+", want, replaced)
    want.ends, want.opts = nil, nil
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
  want.nsid = K.nsid(dev.ns)
  want.peer_nsid = peer and K.nsid(peer.ns)
  -- Addresses go with their link, in the same call: written ahead with it,
  -- recorded for re-runs, nothing to undo apart.
  local made = {want}
  for _, a in ipairs(addresses(o, dev, peer)) do
    for _, cidr in ipairs(a[2]) do
      made[#made + 1] = {kind = "addr", ns = a[1].ns, dev = a[1].name, addr = cidr, brd = a[3],
                         nsid = a[1].ns == dev.ns and want.nsid or want.peer_nsid}
    end
  end
  local l = run:make_all(made, orig, o)
  want.index = l.index
  want.peer_index = l.peer and l.peer.index
  run:record(want)
  for i = 2, #made do run:record(made[i], false) end
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
           ((r.kind == "addr" or r.kind == "neigh" or r.kind == "brvlan") and r.ns == nsn and
            r.dev == name)
  end)
end

local set_fields = {"up", "mtu", "master", "alias"}

-- What link.set returns when the wrapper itself answers (a dry run, a
-- converged re-run): the link's object as the C half returns it, which
-- follows its link when renamed or moved, so that the script's next calls
-- on it find it where the plan puts it.
local function as_object(l, name, nsn, c)
  local to_name = c and c.name or name
  local to_ns = c and c.netns and nsname(c.netns) or nsn
  if type(l) ~= "table" then return link_object(to_name, to_ns) end
  if to_name ~= name then l.name = to_name end
  if to_ns ~= nsn then l.ns = setmetatable({name = to_ns}, netlab._meta("netlab.ns")) end
  return l
end

-- Whether the link is the lab's: made by this run, or in a namespace it made.
local function is_mine(run, nsn, name)
  local mine = run:ours_ns(nsn)
  for _, r in ipairs(run.made) do
    if r.kind == "link" and ((r.ns == nsn and r.name == name) or
                             (r.peer_ns == nsn and r.peer == name)) then
      mine = true
    end
  end
  return mine
end

-- Claim: a setting this lab keeps on someone else's link stays recorded
-- even when it is already so (a re-run), so that down still restores it.
local function claim_settings(run, nsn, name, changes)
  for _, f in ipairs(set_fields) do
    if changes[f] ~= nil then
      local k = keyof{kind = "set", ns = nsn, name = name, field = f}
      local p = run.prevkeys[k]
      if p and not run.keys[k] then run:claim(p) end
    end
  end
end

-- Compare: the changes left once what is already so (state s) is left out,
-- and whether nothing is left of changes that asked for something, so that
-- a converged run changes nothing.
local function still_to_change(s, changes, nsn, name)
  local c, needed = copy(changes), false
  for k in pairs(changes) do
    if k ~= "ns" then needed = true end
  end
  if c.up ~= nil and c.up == s.up then c.up = nil end
  if c.name ~= nil and c.name == name then c.name = nil end
  if c.netns ~= nil and nsname(c.netns) == nsn then c.netns = nil end
  if c.mtu ~= nil and c.mtu == s.mtu then c.mtu = nil end
  if c.alias ~= nil and (c.alias or "") == (s.alias or "") then c.alias = nil end
  if c.master ~= nil then
    local m = c.master and link._state(type(c.master) == "table" and c.master.name or c.master,
                                      {ns = nsn})
    if (m and m.index or 0) == s.master then c.master = nil end
  end
  local left = false
  for k in pairs(c) do if k ~= "ns" then left = true end end
  return c, needed and not left
end

-- Record: on someone else's link, how each changed setting was (state s),
-- for down and rollback; the first run's value when a re-run changes it again.
local function record_settings(run, nsn, name, s, c)
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
                 nsid = K.nsid(nsn), index = s.index}
      local k = keyof(r)
      local old = run.keys[k] or run.prevkeys[k]
      if old then r.prev = old.prev end
      run:record(r)
    end
  end
end

-- A link of the lab renamed or moved: its record follows it, under its new
-- key, with the identity it has there (a move may change its index), and
-- keeps where link.add made it (made_ns, made_name), so that a re-run's
-- link.add, which makes it there again, finds it moved.
local function follow_link(run, nsn, name, c)
  if not (c.name or c.netns) then return end
  for _, r in ipairs(run.made) do
    local first = r.ns == nsn and r.name == name
    if r.kind == "link" and (first or (r.peer_ns == nsn and r.peer == name)) then
      run.keys[keyof(r)] = nil
      local to_name, to_ns = c.name or name, c.netns and nsname(c.netns) or nsn
      local ok, s = pcall(link._state, to_name, {ns = to_ns})
      if first then
        r.made_ns, r.made_name = r.made_ns or r.ns, r.made_name or r.name
        r.name, r.ns = to_name, to_ns
        r.nsid = K.nsid(to_ns) or r.nsid
        if ok and s then r.index = s.index end
      else
        r.peer, r.peer_ns = to_name, to_ns
        r.peer_nsid = K.nsid(to_ns) or r.peer_nsid
        if ok and s then r.peer_index = s.index end
      end
      run.keys[keyof(r)] = r
      run:log(S.serialize(r) .. "\n")
    end
  end
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
    return as_object(l, name, nsn, changes)
  end
  local mine = is_mine(run, nsn, name)
  local s = link._state(name, {ns = nsn})
  if not s then
    if run.dry then P.absent(("link %q in %q"):format(name, nsn), "no such link", 19) end
    return orig(l, changes)
  end
  if not mine then claim_settings(run, nsn, name, changes) end
  local c, converged = still_to_change(s, changes, nsn, name)
  if converged then return as_object(l, name, nsn) end
  if run.dry then
    plan(run, "~", {kind = "set", ns = nsn, name = name, changes = c})
    return as_object(l, name, nsn, c)
  end
  if not mine then record_settings(run, nsn, name, s, c) end
  local res = orig(l, c)
  follow_link(run, nsn, name, c)
  return res
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
  want.nsid = K.nsid(nsn)
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

-- link.neighbor_add{addr =, mac =, link =, ns =}: recorded, so that down deletes it.
function wrappers.neighbor_add(run, orig, o)
  local name, nsn = linkname(type(o) == "table" and o.link, o)
  if type(o) ~= "table" or type(name) ~= "string" or type(nsn) ~= "string" or
      type(o.addr) ~= "string" or type(o.mac) ~= "string" then
    return orig(o)
  end
  local want = {kind = "neigh", ns = nsn, dev = name, addr = o.addr, mac = o.mac:lower()}
  local p = run:prev(want)
  if p then
    for _, e in ipairs(link.neighbors(name, {ns = nsn})) do
      if e.addr == o.addr and e.mac == want.mac and e.state == "PERMANENT" then
        run:claim(p)
        if run.dry then plan(run, "=", want) end
        return
      end
    end
  end
  if run.dry then plan(run, "+", want) return end
  want.nsid = K.nsid(nsn)
  run:make(want, orig, o)
  run:record(want)
end

function wrappers.neighbor_del(run, orig, o)
  local name, nsn = linkname(type(o) == "table" and o.link, o)
  local known = type(o) == "table" and type(name) == "string" and type(nsn) == "string" and
                type(o.addr) == "string"
  if run.dry and known then
    plan(run, "-", {kind = "neigh", ns = nsn, dev = name, addr = o.addr, mac = "?"})
    return
  end
  orig(o)
  if known then
    run:forget(function(r) return r.kind == "neigh" and r.ns == nsn and r.dev == name and r.addr == o.addr end)
  end
end

-- The row of bridge.vlans for VLAN vid on link name, or nil.
local function vlan_row(name, nsn, vid)
  local ok, rows = pcall(bridge.vlans, name, {ns = nsn})
  if not ok then return nil end
  for _, v in ipairs(rows) do
    if v.port == name and v.vid == vid then return v end
  end
end

-- bridge.vlan(port, {vid =, pvid =, untagged =, ns =}): recorded, so that down
-- takes it away; a re-run keeps the VLAN the port still has with its flags.
function wrappers.brvlan_add(run, orig, l, o)
  local name, nsn = linkname(l, o)
  if type(name) ~= "string" or type(nsn) ~= "string" or type(o) ~= "table" or
      math.type(o.vid) ~= "integer" then
    return orig(l, o)
  end
  local want = {kind = "brvlan", ns = nsn, dev = name, vid = o.vid, pvid = o.pvid == true,
                untagged = o.untagged == true}
  -- The bridge's own VLANs are asked for with "self" (core/brvlan.c): the trace of a plan says so too.
  local okg, li = pcall(link.get, name, {ns = nsn})
  if okg and li and li.kind == "bridge" then want.self = true end
  local p = run:prev(want)
  if p then
    local v = vlan_row(name, nsn, o.vid)
    if v and v.pvid == want.pvid and v.untagged == want.untagged then
      run:claim(p)
      if run.dry then plan(run, "=", want) end
      return
    end
  end
  if run.dry then plan(run, "+", want) return end
  want.nsid = K.nsid(nsn)
  run:make(want, orig, l, o)
  run:record(want)
end

function wrappers.brvlan_del(run, orig, l, o)
  local name, nsn = linkname(l, o)
  local known = type(name) == "string" and type(nsn) == "string" and type(o) == "table" and
                math.type(o.vid) == "integer"
  if run.dry and known then
    plan(run, "-", {kind = "brvlan", ns = nsn, dev = name, vid = o.vid})
    return
  end
  orig(l, o)
  if known then
    run:forget(function(r) return r.kind == "brvlan" and r.ns == nsn and r.dev == name and r.vid == o.vid end)
  end
end

local hooks = {
  {"link", "_add", "link_add", "link.add", 1, 1},
  {"link", "del", "link_del", "link.del", 2},
  {"link", "set", "link_set", "link.set", 2},
  {"link", "addr_add", "addr_add", "link.addr_add", 3},
  {"link", "addr_del", "addr_del", "link.addr_del", 3},
  {"link", "neighbor_add", "neighbor_add", "link.neighbor_add"},
  {"link", "neighbor_del", "neighbor_del", "link.neighbor_del"},
  {"bridge", "vlan", "brvlan_add", "bridge.vlan", 2},
  {"bridge", "vlan_del", "brvlan_del", "bridge.vlan_del", 2},
}

return {wrappers = wrappers, hooks = hooks}
