-- The probe module, continued: probe.why's layer 2, where a frame sent out
-- of a link arrives without routing. A veth's peer; a bridge's own stack
-- and its other ports; a macvlan's or ipvlan's siblings (as their mode
-- says) and the wire of its parent, but never the parent's own stack; a
-- vlan's frames, tagged, at the vlans of the same id beyond its parent; a
-- vxlan's frames at the far vxlan of the same VNI and UDP port, carried by
-- the underlay, which is walked as a packet of its own (probe_why_walk.lua).
-- And the causes only these kinds have: a parent and its own macvlans, the
-- siblings a mode keeps apart, a VNI or a port that differs, an underlay
-- that does not get there.
local probe = ...

local L = probe._why_lib
local linkof = L.linkof
local cause = L.cause
local ipn = L.ipn
local nsopt = L.nsopt
local nstab = L.nstab
local up_fix = L.up_fix
local family_of = L.family_of

local L2 = {}

-- The kinds that stand on a parent's wire and take frames from it by
-- their own MAC (macvlan) or address (ipvlan): the parent's own stack is
-- not on their path, either way.
local UPPER = {macvlan = true, ipvlan = true}

local VXLAN_PORT = 4789

local function data(l) return l and l.linkinfo and l.linkinfo.info_data or {} end

local function key(...) return table.concat({...}, "|") end

-- Each link's children (the macvlans, ipvlans and vlans on it) by
-- "ns|ifname", in name order, from the model's `parent`.
function L2.index(W)
  W.children = {}
  for name, e in pairs(W.ns) do
    for _, l in ipairs(e.links) do
      local p = l.parent
      if p and p.ns and p.ifname then
        local k = key(p.ns, p.ifname)
        W.children[k] = W.children[k] or {}
        table.insert(W.children[k], {ns = name, dev = l.ifname})
      end
    end
  end
  for _, list in pairs(W.children) do
    table.sort(list, function(a, b) return key(a.ns, a.dev) < key(b.ns, b.dev) end)
  end
end

local function children(W, m, d) return W.children and W.children[key(m, d)] or {} end

-- Whether a macvlan or ipvlan hands a frame straight to a sibling of the
-- same parent: macvlans when both are in mode bridge (private never, vepa
-- only through an outside switch that sends it back), ipvlans unless one
-- is private or vepa.
local function to_sibling(a, b)
  if a.kind ~= b.kind then return false end
  local x, y = data(a), data(b)
  if a.kind == "macvlan" then return x.mode == "bridge" and y.mode == "bridge" end
  return not (x.private or x.vepa or y.private or y.vepa)
end
L2.to_sibling = to_sibling

local function same(a, m, d) return a and a.ns == m and a.ifname == d end

-- The far ends of a vxlan, or the cause that it has none: see far_end.
local find_far

-- Everything a frame sent out of link (n, dev) reaches without routing.
-- Returns the ends whose own stack takes it ({ns, dev, over}: over names
-- the vxlans crossed), the links down on the way, the bridges met, and the
-- causes that stopped a vxlan.
function L2.domain(W, n, dev)
  local seen, ends, down, bridges, blocked = {}, {}, {}, {}, {}
  local arrive, egress

  local function once(...)
    local k = key(...)
    if seen[k] then return false end
    seen[k] = true
    return true
  end
  local function usable(m, d)
    local l = linkof(W, m, d)
    if l and not l.up then
      down[#down + 1] = {ns = m, dev = d}
      return nil
    end
    return l
  end

  -- The link's own stack takes an untagged frame (and its macvlans and
  -- ipvlans theirs, by address); a tagged one goes only to its vlan of
  -- that id.
  local function takes(m, d, tag, over)
    for _, c in ipairs(children(W, m, d)) do
      local cl = linkof(W, c.ns, c.dev)
      if cl and (tag and cl.kind == "vlan" and data(cl).id == tag or not tag and UPPER[cl.kind]) then
        arrive(c.ns, c.dev, nil, over)
      end
    end
    if not tag then ends[#ends + 1] = {ns = m, dev = d, over = over} end
  end

  -- A bridge takes a frame in by one port: its own stack, and out of every
  -- other port.
  local function bridge_takes(m, b, tag, from, over)
    if not once("bridge", m, b, tag or "") then return end
    if not usable(m, b) then return end
    bridges[#bridges + 1] = {ns = m, dev = b}
    takes(m, b, tag, over)
    for _, p in ipairs(W.ns[m].links) do
      if p.master == b and p.ifname ~= from then egress(m, p.ifname, tag, over) end
    end
  end

  function arrive(m, d, tag, over)
    if not once("in", m, d, tag or "") then return end
    local l = usable(m, d)
    if not l then return end
    if l.master then
      bridge_takes(m, l.master, tag, d, over)
    else
      takes(m, d, tag, over)
    end
  end

  local function tunnel(m, d, l, tag, over)
    local far, c = L2.far_end(W, m, d, l)
    if c then blocked[#blocked + 1] = c end
    for _, f in ipairs(far) do
      local via = ("%s (%s → %s)"):format(d, m, f.ns)
      arrive(f.ns, f.dev, tag, over and over .. ", " .. via or via)
    end
  end

  function egress(m, d, tag, over, start)
    if not once("out", m, d, tag or "") then return end
    local l = start and linkof(W, m, d) or usable(m, d)
    if not l then return end
    if l.kind == "bridge" then
      bridges[#bridges + 1] = {ns = m, dev = d}
      for _, p in ipairs(W.ns[m].links) do
        if p.master == d then egress(m, p.ifname, tag, over) end
      end
    elseif l.peer and l.peer.ns and W.ns[l.peer.ns] then
      arrive(l.peer.ns, l.peer.ifname, tag, over)
    elseif UPPER[l.kind] and l.parent then
      -- A parent down takes its children's carrier: not even a sibling is reached.
      local p = linkof(W, l.parent.ns, l.parent.ifname)
      if p and not p.up then
        down[#down + 1] = {ns = l.parent.ns, dev = l.parent.ifname}
        return
      end
      for _, s in ipairs(children(W, l.parent.ns, l.parent.ifname)) do
        local sl = linkof(W, s.ns, s.dev)
        if not (s.ns == m and s.dev == d) and sl and to_sibling(l, sl) then arrive(s.ns, s.dev, tag, over) end
      end
      -- Out on the parent's wire: what is beyond it, never its own stack.
      egress(l.parent.ns, l.parent.ifname, tag, over)
    elseif l.kind == "vlan" and l.parent then
      egress(l.parent.ns, l.parent.ifname, data(l).id, over)
    elseif l.kind == "vxlan" then
      tunnel(m, d, l, tag, over)
    end
  end

  -- The sender does not hear itself.
  once("in", n, dev, "")
  egress(n, dev, nil, nil, true)
  return ends, down, bridges, blocked
end

-- The addresses of a link as "ADDR/PLEN", scope link left out.
local function cidrs(l)
  local out = {}
  for _, a in ipairs(l.addr_info or {}) do
    if a.scope ~= "link" then out[#out + 1] = a["local"] .. "/" .. a.prefixlen end
  end
  return out
end

-- A vxlan made again with one field changed (the kernel changes neither
-- VNI nor port of a vxlan that exists): the netlab line and the commands.
local function recreate(n, l, change)
  local x = data(l)
  local vni, port = change.vni or x.id, change.dstport or x.port or VXLAN_PORT
  local remote, group = x.remote or x.remote6, x.group or x.group6
  local lo = x["local"] or x.local6
  local o, words = {("%q"):format(l.ifname)}, {("link add %s type vxlan id %d"):format(l.ifname, vni)}
  if n ~= "root" then o[#o + 1] = ("ns = %q"):format(n) end
  o[#o + 1] = "vni = " .. vni
  if remote then
    o[#o + 1] = ("remote = %q"):format(remote)
    words[#words + 1] = "remote " .. remote
  end
  if group then
    o[#o + 1] = ("group = %q"):format(group)
    words[#words + 1] = "group " .. group
  end
  if lo then
    o[#o + 1] = ("[\"local\"] = %q"):format(lo)
    words[#words + 1] = "local " .. lo
  end
  if x.link then
    o[#o + 1] = ("dev = %q"):format(x.link)
    words[#words + 1] = "dev " .. x.link
  end
  o[#o + 1] = "dstport = " .. port
  words[#words + 1] = "dstport " .. port
  if x.learning == false then
    o[#o + 1] = "learning = false"
    words[#words + 1] = "nolearning"
  end
  local cmd = {ipn(n) .. "link del " .. l.ifname, ipn(n) .. table.concat(words, " ")}
  if l.master then
    o[#o + 1] = ("master = %q"):format(l.master)
    cmd[#cmd + 1] = ("%slink set %s master %s"):format(ipn(n), l.ifname, l.master)
  end
  local addrs = cidrs(l)
  if #addrs > 0 then
    local q = {}
    for i, a in ipairs(addrs) do
      q[i] = ("%q"):format(a)
      cmd[#cmd + 1] = ("%saddr add %s dev %s"):format(ipn(n), a, l.ifname)
    end
    o[#o + 1] = "addr = {" .. table.concat(q, ", ") .. "}"
  end
  if l.up then
    o[#o + 1] = "up = true"
    cmd[#cmd + 1] = ("%slink set %s up"):format(ipn(n), l.ifname)
  end
  return ("link.del(%q%s); link.vxlan{%s}"):format(l.ifname, nstab(n), table.concat(o, ", ")),
    table.concat(cmd, " && ")
end

function find_far(W, m, d, l)
  local x = data(l)
  local vni, port = x.id, x.port or VXLAN_PORT
  local remote, group = x.remote or x.remote6, x.group or x.group6
  if group then
    -- A multicast group: every vxlan of the group, VNI and port (the
    -- underlay's multicast routing is taken as working).
    local far = {}
    for name, e in pairs(W.ns) do
      for _, o in ipairs(e.links) do
        local y = data(o)
        if o.kind == "vxlan" and not (name == m and o.ifname == d) and (y.group or y.group6) == group and
            y.id == vni and (y.port or VXLAN_PORT) == port then
          far[#far + 1] = {ns = name, dev = o.ifname}
        end
      end
    end
    table.sort(far, function(a, b) return key(a.ns, a.dev) < key(b.ns, b.dev) end)
    return far
  end
  if not remote then
    return {}, cause("unknown", m, d,
                     ("%s's vxlan %s has neither remote nor group: its far ends are in its forwarding " ..
                      "database (bridge fdb), which why does not read"):format(m, d))
  end
  -- The underlay: the UDP packet the vxlan sends, from its local address.
  local at, c = probe._why_underlay(W, m, {src = x["local"] or x.local6, dst = remote, dport = port})
  if c then
    local w = cause("vxlan-underlay", c.ns, c.object,
                    ("%s's vxlan %s carries the frame to %s in UDP port %d, but the underlay does not get it there: %s"):format(
                      m, d, remote, port, c.message or c.code),
                    c.fix and c.fix.netlab, c.fix and c.fix.command)
    w.underlay = c
    return {}, w
  end
  -- The far end: a vxlan where the remote address is, on the same port
  -- with the same VNI (the kernel's socket is the port's, the VNI picks
  -- the vxlan).
  local by_port, by_vni = {}, {}
  for _, o in ipairs(W.ns[at].links) do
    if o.kind == "vxlan" then
      local y = data(o)
      if (y.port or VXLAN_PORT) == port then by_port[#by_port + 1] = o end
      if y.id == vni then by_vni[#by_vni + 1] = o end
    end
  end
  for _, o in ipairs(by_port) do
    if data(o).id == vni then
      if not o.up then
        return {}, cause("link-down", at, o.ifname,
                         ("%s's vxlan %s, the far end of %s's %s, is down: nothing takes the UDP it is sent"):format(
                           at, o.ifname, m, d),
                         up_fix(at, o.ifname))
      end
      return {{ns = at, dev = o.ifname}}
    end
  end
  if by_vni[1] then
    local o = by_vni[1]
    return {}, cause("vxlan-dstport", at, o.ifname,
                     ("%s's vxlan %s sends VNI %d to %s on UDP port %d, but %s's vxlan %s (VNI %d) listens on port %d: " ..
                      "nothing takes it"):format(m, d, vni, remote, port, at, o.ifname, vni, data(o).port or VXLAN_PORT),
                     recreate(at, o, {dstport = port}))
  end
  if by_port[1] then
    local o = by_port[1]
    return {}, cause("vxlan-vni", at, o.ifname,
                     ("%s's vxlan %s sends VNI %d to %s, but %s's vxlan %s there has VNI %d: the frames are dropped"):format(
                       m, d, vni, remote, at, o.ifname, data(o).id),
                     recreate(at, o, {vni = vni}))
  end
  return {}, cause("vxlan-underlay", at, remote,
                   ("%s's vxlan %s sends to %s in UDP port %d, but %s, which has %s, has no vxlan on that port"):format(
                     m, d, remote, port, at, remote))
end

-- A vxlan's far ends ({ns, dev} list) or the cause it has none; once per
-- answer (the walk asks for the same link many times).
function L2.far_end(W, m, d, l)
  W.tunnels = W.tunnels or {}
  local k = key(m, d)
  local got = W.tunnels[k]
  -- A tunnel whose underlay crosses itself: nothing more to find.
  if got == "busy" then return {} end
  if got then return got.far, got.cause end
  W.tunnels[k] = "busy"
  local far, c = find_far(W, m, d, l)
  W.tunnels[k] = {far = far, cause = c}
  return far, c
end

local function kind_words(l) return l.kind == "ipvlan" and "ipvlan" or "macvlan" end

-- The classic surprise: a parent and its own macvlans (or ipvlans) never
-- reach each other, either way; Docker's containers cannot reach their
-- host for it. The fix: a macvlan on the host too, given the parent's
-- address (so the host speaks from it), as Docker's documentation does.
local function parent_cause(W, n, nh, pns, pdev, cns, cdev, to_child)
  local p, c = linkof(W, pns, pdev), linkof(W, cns, cdev)
  local kw = kind_words(c)
  local msg
  if to_child then
    msg = ("%s sends to %s out of %s, but %s is on %s's %s %s, which stands on %s: a parent never reaches its own %ss " ..
           "(what it sends goes out on its wire, not up into them); add a %s on the host too and give it %s's address"):format(
      n, nh, pdev, nh, cns, kw, cdev, pdev, kw, kw, pdev)
  else
    msg = ("%s sends to %s out of its %s %s, but %s is on %s's own parent %s (in %s): a %s never reaches its parent " ..
           "(what it sends goes out on the parent's wire, not up into the parent); add a %s on the host too and give it %s's address"):format(
      n, nh, kw, cdev, nh, cdev, pdev, pns, kw, kw, pdev)
  end
  -- The parent's address to move: the one of nh's family, nh's own when the child sends to it.
  local addr
  for _, a in ipairs(p.addr_info or {}) do
    if a.family == family_of(nh) and a.scope ~= "link" and (not addr or a["local"] == nh) then
      addr = a["local"] .. "/" .. a.prefixlen
    end
  end
  if not addr or (kw == "macvlan" and data(c).mode ~= "bridge") then
    return cause("macvlan-parent", pns, pdev, msg)
  end
  local name = pdev:sub(1, 10) .. "-host"
  local mode = kw == "macvlan" and "bridge" or (data(c).mode or "l2")
  return cause("macvlan-parent", pns, pdev, msg,
               ("link.addr_del(%q, %q%s); link.%s{%q%s, parent = %q, mode = %q, addr = %q, up = true}"):format(
                 pdev, addr, nstab(pns), kw, name, nsopt(pns), pdev, mode, addr),
               ("%slink add %s link %s type %s mode %s && %saddr del %s dev %s && %saddr add %s dev %s && %slink set %s up"):format(
                 ipn(pns), name, pdev, kw, mode, ipn(pns), addr, pdev, ipn(pns), addr, name, ipn(pns), name))
end

-- Why nothing on (n, dev)'s wire has nh, when the kinds explain it: a
-- parent and its own macvlan, siblings whose mode keeps them apart.
function L2.cause(W, n, dev, nh)
  local o = W.owner[nh]
  local l = linkof(W, n, dev)
  local ol = o and linkof(W, o.ns, o.dev)
  if not (l and ol) then return nil end
  if UPPER[ol.kind] and same(ol.parent, n, dev) then
    return parent_cause(W, n, nh, n, dev, o.ns, o.dev, true)
  end
  if UPPER[l.kind] and same(l.parent, o.ns, o.dev) then
    return parent_cause(W, n, nh, o.ns, o.dev, n, dev, false)
  end
  if UPPER[l.kind] and l.kind == ol.kind and l.parent and ol.parent and
      same(ol.parent, l.parent.ns, l.parent.ifname) and not to_sibling(l, ol) then
    -- The one whose mode keeps them apart (the sender's first).
    local bad, bns = l, n
    if l.kind == "macvlan" and data(l).mode == "bridge" or l.kind == "ipvlan" and not (data(l).private or data(l).vepa) then
      bad, bns = ol, o.ns
    end
    local mode = l.kind == "macvlan" and data(bad).mode or (data(bad).private and "private" or "vepa")
    local words = l.kind == "macvlan" and {"ip", "link", "set", bad.ifname, "type", "macvlan", "mode", "bridge"} or
      {"ip", "link", "set", bad.ifname, "type", "ipvlan", "mode", data(bad).mode or "l2", "bridge"}
    local q = {}
    for i, w in ipairs(words) do q[i] = ("%q"):format(w) end
    return cause("macvlan-mode", bns, bad.ifname,
                 ("%s's %s %s and %s's %s share the parent %s, but %s is in mode %s: siblings reach each other only when both are in mode bridge"):format(
                   n, l.kind, dev, o.ns, o.dev, l.parent.ifname, bad.ifname, tostring(mode)),
                 ("ns.exec(%q, {%s})"):format(bns, table.concat(q, ", ")),
                 (bns == "root" and "" or ("ip netns exec %s "):format(bns)) .. table.concat(words, " "))
  end
end

-- A macvlan's, ipvlan's or vlan's parent down: its carrier is gone with it.
function L2.down_cause(W, n, dev, down)
  local l = linkof(W, n, dev)
  local p = l and l.parent
  if not p then return nil end
  for _, e in ipairs(down) do
    if e.ns == p.ns and e.dev == p.ifname then
      return cause(l.carrier == false and "no-carrier" or "link-down", p.ns, p.ifname,
                   ("%s's %s %s stands on %s (in %s), which is down%s"):format(
                     n, l.kind, dev, p.ifname, p.ns, l.carrier == false and " (no carrier)" or ""),
                   up_fix(p.ns, p.ifname))
    end
  end
end

probe._why_l2 = L2

return probe
