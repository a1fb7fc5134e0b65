-- The Lua half of the graph module: the picture of the live kernel. One
-- reading of netlab.state() becomes a drawing (namespaces as clusters,
-- bridges as switches, each veth pair one edge between the two namespaces,
-- other links as nodes, a macvlan, ipvlan or vlan joined to its parent and
-- the two ends of a VXLAN to each other, gateways and NAT as notes on the
-- namespace): this
-- file decides what is drawn; graph_draw.lua writes it as DOT and Mermaid,
-- graph_cli.lua writes files (graph.write, through graph.render, the C half:
-- Graphviz linked as a library) and serves `netlab graph`.
--
-- The text is stable: the same kernel state gives the same bytes (every list
-- sorted, no ifindex, MAC or link-local address, nor counters), so a test may
-- compare committed DOT text with what a script builds.
local graph = ...

local SPEC = {"ns", "lab", "labs", "group"}
-- graph.write's: the drawing's, and the file's format.
local WRITE_SPEC = {"ns", "lab", "labs", "group", "format"}
-- Namespaces of the same shape (one veth to the same bridge, the same
-- prefix, routes and lab) are drawn as one node from this many on.
local GROUP = 5
-- More than a lab can hold: a bigger threshold is a mistake, not a wish.
local GROUP_MAX = 65536
-- Notes past these counts are summed up ("… 3 more").
local MAX_ROUTES, MAX_NAT = 6, 4


-- A name in a message: a long one cut, so that the message stays a line.
local function shown(name)
  if #name <= 160 then return name end
  return name:sub(1, 160) .. "…"
end
graph._shown = shown

-- ns10 after ns9: names compared with their numbers as numbers.
local function natkey(s)
  return (s:gsub("%d+", function(d) return ("0"):rep(math.max(0, 12 - #d)) .. d end))
end

local function natsort(list, key)
  key = key or function(x) return x end
  table.sort(list, function(a, b)
    local ka, kb = natkey(key(a)), natkey(key(b))
    if ka ~= kb then return ka < kb end
    return key(a) < key(b)
  end)
  return list
end

-- Addresses worth drawing: not loopback's nor IPv6 link-local ones (the
-- latter are made from random MACs and say nothing about the topology).
local function addrs(l)
  local out = {}
  for _, a in ipairs(l.addr_info or {}) do
    if a.scope ~= "link" and a.scope ~= "host" then
      out[#out + 1] = ("%s/%d"):format(a["local"], a.prefixlen)
    end
  end
  table.sort(out)
  return out
end

local function is_down(l)
  return not l.up or l.operstate == "DOWN" or l.operstate == "LOWERLAYERDOWN" or
    l.carrier == false
end

local function lab_exists(name)
  local S = require "netlab.lab_state"
  local ok, files = pcall(netlab._ls, S.dir)
  if not ok or type(files) ~= "table" then return false end
  for _, f in ipairs(files) do
    if f == name .. ".state" or f == name .. ".journal" then return true end
  end
  return false
end

-- Whether namespace e holds anything of lab L.
local function holds_lab(e, L)
  if e.lab == L then return true end
  for _, l in ipairs(e.links or {}) do if l.lab == L then return true end end
  for _, r in ipairs(e.routes or {}) do if r.lab == L then return true end end
  for _, r in ipairs(e.nftables and e.nftables.rules or {}) do if r.lab == L then return true end end
  return false
end

-- The root namespace is drawn when it holds more than its loopback.
local function interesting(e)
  if e.gone then return true end
  for _, l in ipairs(e.links or {}) do if l.kind ~= "loopback" then return true end end
  return #(e.nftables and e.nftables.rules or {}) > 0
end

-- The notes of a namespace: routes through a gateway (where its traffic
-- leaves), forwarding, and NAT rules.
local function nat_rule(text)
  return text:match("masquerade") or text:match("snat") or text:match("dnat") or
    text:match("redirect")
end

local function notes_of(e)
  local out, routes = {}, {}
  for _, r in ipairs(e.routes or {}) do
    if r.gateway and r.table == "main" then
      routes[#routes + 1] = ("%s via %s dev %s"):format(r.dst, r.gateway, r.dev or "?")
    elseif r.table == "main" and r.dev and r.protocol ~= "kernel" and (r.type or "unicast") == "unicast" then
      -- A route someone added that names only a device (tutorial 002's host
      -- route to a container): the step a learner typed, so it is drawn.
      routes[#routes + 1] = ("%s dev %s"):format(r.dst, r.dev)
    end
  end
  table.sort(routes, function(a, b)
    local da, db = a:match("^default") ~= nil, b:match("^default") ~= nil
    if da ~= db then return da end
    return a < b
  end)
  for i, r in ipairs(routes) do
    if i > MAX_ROUTES then out[#out + 1] = ("… %d more routes"):format(#routes - MAX_ROUTES) break end
    out[#out + 1] = r
  end
  if e.forwarding and e.forwarding.ipv4 then out[#out + 1] = "forwards IPv4" end
  if e.forwarding and e.forwarding.ipv6 then out[#out + 1] = "forwards IPv6" end
  local nats = {}
  for _, r in ipairs(e.nftables and e.nftables.rules or {}) do
    if r.text and nat_rule(r.text) then nats[#nats + 1] = "NAT: " .. r.text end
  end
  table.sort(nats)
  for i, r in ipairs(nats) do
    if i > MAX_NAT then out[#out + 1] = ("… %d more NAT rules"):format(#nats - MAX_NAT) break end
    out[#out + 1] = r
  end
  -- Forward filtering (tutorial 003's FORWARD policy DROP and its accepts):
  -- a forward chain that drops by default, and the rules that let through.
  local nft = e.nftables or {}
  local filters = {}
  for _, c in ipairs(nft.chains or {}) do
    if c.hook == "forward" and c.policy == "drop" then
      local rules = {}
      for _, r in ipairs(nft.rules or {}) do
        if r.family == c.family and r.table == c.table and r.chain == c.name and r.text then
          rules[#rules + 1] = r.text
        end
      end
      filters[#filters + 1] = ("forward (%s %s): policy drop%s%s"):format(c.table, c.name,
        #rules > 0 and "; " or "", table.concat(rules, "; ", 1, math.min(#rules, MAX_NAT)) ..
        (#rules > MAX_NAT and ("; … %d more"):format(#rules - MAX_NAT) or ""))
    end
  end
  table.sort(filters)
  for _, f in ipairs(filters) do out[#out + 1] = f end
  return out
end

local function ip4num(a)
  local x, y, z, w = a:match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$")
  if not x then return nil end
  return ((tonumber(x) * 256 + tonumber(y)) * 256 + tonumber(z)) * 256 + tonumber(w)
end

-- "10.0.0.2–101/24" for a group's addresses, or the one address, or a count.
local function addr_range(list)
  if #list == 0 then return nil end
  local v4, plen, other = {}, nil, 0
  for _, a in ipairs(list) do
    local ip, p = a:match("^(.-)/(%d+)$")
    local n = ip and ip4num(ip)
    if n and (plen == nil or plen == p) then v4[#v4 + 1] = {n = n, ip = ip}; plen = p
    else other = other + 1 end
  end
  if #v4 == 0 then return ("%d addresses"):format(#list) end
  table.sort(v4, function(a, b) return a.n < b.n end)
  local lo, hi = v4[1].ip, v4[#v4].ip
  local text
  if lo == hi then text = lo .. "/" .. plen
  else
    local i = 1
    local pl, ph = {}, {}
    for o in lo:gmatch("%d+") do pl[#pl + 1] = o end
    for o in hi:gmatch("%d+") do ph[#ph + 1] = o end
    while i < 4 and pl[i] == ph[i] do i = i + 1 end
    text = ("%s–%s/%s"):format(lo, table.concat(ph, ".", i), plen)
  end
  if other > 0 then text = text .. (" and %d more"):format(other) end
  return text
end

-- The kinds that sit on a parent link, drawn as its children.
-- (A vxlan's parent is the dev it sends from, when it names one.)
local CHILD = {macvlan = true, macvtap = true, ipvlan = true, ipvtap = true, vlan = true, vxlan = true}

-- The parent of l in namespace e as {ns, ifname}: the model's (in whichever
-- namespace), or ip's name of a link in the same one; nil when unknown.
local function parent_of(e, l)
  local p = l.parent
  if p and p.ns and p.ns ~= "" and p.ifname then return p end
  if type(l.link) == "string" then return {ns = e.name, ifname = l.link} end
  return nil
end

-- "macvlan bridge", "ipvlan l2", "vlan 10" (and its protocol when not 802.1Q),
-- "vxlan dev".
local function child_label(l)
  local d = l.linkinfo and l.linkinfo.info_data or {}
  if l.kind == "vxlan" then return "vxlan dev" end
  if l.kind == "vlan" then
    return ("vlan %s%s"):format(tostring(d.id or "?"),
      d.protocol and d.protocol ~= "802.1Q" and " " .. d.protocol or "")
  end
  return d.mode and l.kind .. " " .. d.mode or l.kind
end

-- Whether two VXLAN ends of one VNI face each other: each the other's
-- remote when both name theirs; multicast ends (a group) all do.
local function vxlan_pair(a, b)
  local function faces(x, y)
    local r, l = x.remote or x.remote6, y["local"] or y.local6
    return not (r and l) or r == l
  end
  return faces(a, b) and faces(b, a)
end

-- The drawing: clusters (each with its nodes), edges, and the labs seen.
-- What is drawn, from one reading of the model:
--   clusters: {id, name, lab, gone, group, key, nodes}, each node
--     {id, shape, title = {lines}, rows = {{port, lines, lab, down}}, notes, lab, down}
--   edges: {a = {node, port}, b = {node, port}, down, lab, count, label}
--   externals: namespaces a veth reaches that are not drawn.
local function selection(o, arg)
  local names, labsel, known = {}, {}, nil
  -- A table with a metatable of its own is no list of names (nor a name).
  local nsmeta = netlab._meta("netlab.ns")
  for field, v in pairs{ns = o.ns, lab = o.lab} do
    local mt = type(v) == "table" and getmetatable(v)
    if mt and (field == "lab" or mt ~= nsmeta) then
      netlab._argerror(arg, ("field '%s': %s expected, got %s"):format(field,
        field == "ns" and "namespace name, object or a list of them" or "lab name or a list of them",
        mt.__name and tostring(mt.__name) or "a table with a metatable"))
    end
  end
  for _, n in ipairs(netlab._list(o.ns)) do
    if type(n) == "table" and getmetatable(n) == netlab._meta("netlab.ns") then n = n.name end
    if type(n) ~= "string" then
      netlab._argerror(arg, "field 'ns': namespace name, object or a list of them expected, got " ..
        (type(n) == "table" and "a list holding a table" or type(n)))
    end
    if not known then
      known = {root = true}
      for _, x in ipairs(ns.list()) do known[x.name] = true end
    end
    -- "pid:PID", a process's namespace (ns.of), is known when it can be opened.
    if not known[n] and not (n:match("^pid:%d+$") and ns.get(n)) then
      netlab._error(("no namespace %q (ip netns list shows them)"):format(shown(n)))
    end
    names[#names + 1] = n
  end
  for _, L in ipairs(netlab._list(o.lab)) do
    if type(L) ~= "string" then
      netlab._argerror(arg, "field 'lab': lab name or a list of them expected, got " .. type(L))
    end
    if not lab_exists(L) then netlab._error(("no lab %q (netlab ls lists them)"):format(shown(L))) end
    labsel[#labsel + 1] = L
  end
  return names, labsel
end

-- The namespaces of one shape: only a veth (besides lo) whose far end is a
-- port of a bridge drawn, no nftables rules; the key says what they share.
local function shape_key(e, order, links, show_labs)
  local only, count = nil, 0
  for _, l in ipairs(e.links) do
    if l.kind ~= "loopback" then only, count = l, count + 1 end
  end
  if count ~= 1 or only.kind ~= "veth" or not only.peer or not order[only.peer.ns or ""] then return nil end
  local far = links[only.peer.ns][only.peer.ifname]
  if not far or not far.master or #(e.nftables and e.nftables.rules or {}) > 0 then return nil end
  local plens = {}
  for _, a in ipairs(addrs(only)) do plens[#plens + 1] = a:match("/%d+$") end
  -- Routes differ by their gateways, not by the device's name when it is the
  -- one link; notes_of names it, so the key leaves it out.
  local notes = table.concat(notes_of(e), ";"):gsub(" dev " .. only.ifname:gsub("%p", "%%%0"), "")
  return table.concat({only.peer.ns, far.master, only.ifname, table.concat(plens, ","), notes,
    tostring(show_labs and e.lab or ""), tostring(is_down(only) or is_down(far))}, "|")
end

local function model(o, arg)
  local names, labsel = selection(o, arg)
  local state
  if #labsel > 0 or #names == 0 then state = netlab.state() else state = netlab.state(names) end
  local wanted = {}
  for _, n in ipairs(names) do wanted[n] = true end
  local drawn = {}
  for _, e in ipairs(state) do
    local take
    if #names == 0 and #labsel == 0 then
      take = e.name ~= "root" or interesting(e)
    else
      take = wanted[e.name]
      for _, L in ipairs(labsel) do take = take or holds_lab(e, L) end
    end
    if take then drawn[#drawn + 1] = e end
  end
  natsort(drawn, function(e) return e.name == "root" and "" or e.name end)
  local order = {}
  for i, e in ipairs(drawn) do order[e.name] = i end

  local show_labs = o.labs ~= false
  local labs_seen = {}
  local function lab_of(x)
    if show_labs and x and x.lab then labs_seen[x.lab] = true; return x.lab end
  end

  -- Links by namespace and name, for the veth pairs' far ends.
  local links = {}
  for _, e in ipairs(state) do
    local m = {}
    for _, l in ipairs(e.links or {}) do m[l.ifname] = l end
    links[e.name] = m
  end

  -- Groups: from GROUP namespaces of one shape on.
  local group_of, groups = {}, {}
  local min = o.group == nil and GROUP or o.group
  if min then
    local by = {}
    for _, e in ipairs(drawn) do
      local key = e.name ~= "root" and not e.gone and shape_key(e, order, links, show_labs)
      if key then
        by[key] = by[key] or {}
        table.insert(by[key], e)
      end
    end
    for key, members in pairs(by) do
      if #members >= min then
        natsort(members, function(e) return e.name end)
        local g = {key = key, members = members, id = "group:" .. members[1].name, addrs = {}, near = {}}
        for _, e in ipairs(members) do group_of[e.name] = g end
        groups[#groups + 1] = g
      end
    end
  end

  local clusters, edges, nodes = {}, {}, {}
  local function stack_id(name) return "ns:" .. name end
  local function link_id(nsname, ifname) return ("link:%s:%s"):format(nsname, ifname) end
  local function row(node, port, lines, lab, down)
    for _, r in ipairs(node.rows) do if r.port == port then return r end end
    local r = {port = port, lines = lines, lab = lab, down = down}
    node.rows[#node.rows + 1] = r
    return r
  end
  local function ifrow(l)
    local lines = {l.ifname .. (is_down(l) and " (down)" or "")}
    for _, a in ipairs(addrs(l)) do lines[#lines + 1] = a end
    return lines
  end

  for _, e in ipairs(drawn) do
    if not group_of[e.name] then
      local c = {id = "cluster_ns_" .. e.name, name = e.name, lab = lab_of(e), nodes = {},
                 key = natkey(e.name == "root" and "" or e.name), gone = e.gone}
      clusters[#clusters + 1] = c
      local sn = {id = stack_id(e.name), shape = e.gone and "gone" or "stack", title = {e.name},
                  rows = {}, notes = e.gone and {"gone: " .. tostring(e.why or "gone")} or notes_of(e),
                  lab = lab_of(e)}
      c.nodes[1], nodes[sn.id] = sn, sn
      for _, l in ipairs(e.links or {}) do
        local id = link_id(e.name, l.ifname)
        if l.kind == "bridge" then
          -- Its addresses are on its namespace's port for it.
          local title = {l.ifname .. (is_down(l) and " (down)" or ""), "bridge"}
          local n = {id = id, shape = "bridge", title = title, rows = {}, lab = lab_of(l), down = is_down(l)}
          c.nodes[#c.nodes + 1], nodes[id] = n, n
        elseif l.kind ~= "loopback" and not (l.kind == "veth" and l.peer and l.peer.ns) then
          local n = {id = id, shape = "link", title = {l.ifname .. (is_down(l) and " (down)" or ""),
                     l.kind}, rows = {}, lab = lab_of(l), down = is_down(l)}
          c.nodes[#c.nodes + 1], nodes[id] = n, n
        end
      end
    end
  end

  -- Where the end l (named ifname) in namespace nsname attaches: a port of
  -- its bridge, the group's one port, or a port of its namespace's node.
  local externals = {}
  local function attach(nsname, l, ifname, far_group)
    local g = group_of[nsname]
    if g then return {g.id, "each"} end
    if not order[nsname] then
      externals[nsname] = true
      return {"ext:" .. nsname}
    end
    local owner = l and l.master and nodes[link_id(nsname, l.master)] or nodes[stack_id(nsname)]
    if far_group then
      -- The near ends of a group's veths: one port for all of them.
      local port = "to:" .. far_group.id
      row(owner, port, {}, lab_of(l), l and is_down(l))
      far_group.near[#far_group.near + 1] = ifname
      far_group.near_node, far_group.near_port = owner, port
      return {owner.id, port}
    end
    row(owner, ifname, l and ifrow(l) or {ifname}, lab_of(l), l and is_down(l))
    return {owner.id, ifname}
  end

  -- Bridges that hold addresses are the namespace's way onto their LAN;
  -- other links hang off their master, or their namespace.
  for _, e in ipairs(drawn) do
    if not e.gone and not group_of[e.name] then
      for _, l in ipairs(e.links) do
        local n = nodes[link_id(e.name, l.ifname)]
        if n and (n.shape == "link" or l.master or #addrs(l) > 0) then
          local owner = l.master and nodes[link_id(e.name, l.master)] or nodes[stack_id(e.name)]
          row(owner, l.ifname, ifrow(l), lab_of(l), is_down(l))
          edges[#edges + 1] = {a = {owner.id, l.ifname}, b = {n.id}, down = is_down(l), lab = lab_of(l),
                               key = owner.id .. "|" .. n.id}
        end
      end
    end
  end

  -- A macvlan, ipvlan or vlan is a child of its parent link, wherever that
  -- is (a macvlan moved into a container keeps its parent in the host): an
  -- edge from the parent's port to it, named by kind and mode.
  for _, e in ipairs(drawn) do
    for _, l in ipairs(not e.gone and not group_of[e.name] and e.links or {}) do
      local n = nodes[link_id(e.name, l.ifname)]
      local P = n and CHILD[l.kind] and parent_of(e, l)
      if P then
        local pl = links[P.ns] and links[P.ns][P.ifname]
        local a = pl and pl.kind == "bridge" and nodes[link_id(P.ns, P.ifname)] and {link_id(P.ns, P.ifname)} or
                  attach(P.ns, pl, P.ifname)
        edges[#edges + 1] = {a = a, b = {n.id}, label = child_label(l), down = is_down(l) or (pl and is_down(pl)),
                             lab = lab_of(l), key = a[1] .. "|" .. (a[2] or "") .. "|" .. n.id}
      end
    end
  end

  -- A VXLAN is a tunnel between its ends: one edge between two ends with the
  -- same VNI and UDP port (each the other's remote, when both say theirs).
  local tunnels, vnis = {}, {}
  for _, e in ipairs(drawn) do
    for _, l in ipairs(not e.gone and not group_of[e.name] and e.links or {}) do
      local d = l.kind == "vxlan" and l.linkinfo and l.linkinfo.info_data
      if d and d.id and nodes[link_id(e.name, l.ifname)] then
        local k = ("%d|%d"):format(d.id, d.port or 4789)
        if not tunnels[k] then tunnels[k], vnis[#vnis + 1] = {}, k end
        table.insert(tunnels[k], {ns = e.name, l = l, d = d})
      end
    end
  end
  table.sort(vnis)
  for _, k in ipairs(vnis) do
    local ends = tunnels[k]
    for i = 1, #ends do
      for j = i + 1, #ends do
        local A, B = ends[i], ends[j]
        if vxlan_pair(A.d, B.d) then
          local ia, ib = link_id(A.ns, A.l.ifname), link_id(B.ns, B.l.ifname)
          edges[#edges + 1] = {a = {ia}, b = {ib}, down = is_down(A.l) or is_down(B.l),
                               label = ("vxlan %d udp/%d"):format(A.d.id, A.d.port or 4789),
                               lab = lab_of(A.l) or lab_of(B.l), key = ia .. "|" .. ib}
        end
      end
    end
  end

  -- Each veth pair once, from the end in the namespace drawn first.
  local done, group_edge = {}, {}
  for _, e in ipairs(drawn) do
    for _, l in ipairs(not e.gone and e.links or {}) do
      if l.kind == "veth" and l.peer and l.peer.ns and not done[e.name .. "|" .. l.ifname] then
        done[e.name .. "|" .. l.ifname] = true
        done[l.peer.ns .. "|" .. l.peer.ifname] = true
        local far = links[l.peer.ns] and links[l.peer.ns][l.peer.ifname]
        local A = {ns = e.name, l = l, ifname = l.ifname}
        local B = {ns = l.peer.ns, l = far, ifname = l.peer.ifname}
        -- The bridge's end first (the layout flows from tail to head: from
        -- a namespace to its bridge to the hosts on it), else the
        -- namespace drawn first.
        local oa, ob = order[A.ns] or math.huge, order[B.ns] or math.huge
        local ma, mb = A.l and A.l.master ~= nil, B.l and B.l.master ~= nil
        if ma ~= mb then
          if mb then A, B = B, A end
        elseif ob < oa or (ob == oa and natkey(B.ifname) < natkey(A.ifname)) then
          A, B = B, A
        end
        local down = is_down(l) or (far ~= nil and is_down(far))
        local lab = lab_of(l) or lab_of(far)
        local g = group_of[B.ns]
        if g and not group_of[A.ns] then
          if B.l then for _, x in ipairs(addrs(B.l)) do g.addrs[#g.addrs + 1] = x end end
          g.far_if = B.ifname
          local a = attach(A.ns, A.l, A.ifname, g)
          if not group_edge[g.id] then
            group_edge[g.id] = {a = a, b = {g.id, "each"}, down = down, lab = lab, count = 0,
                                key = a[1] .. "|" .. g.id}
            edges[#edges + 1] = group_edge[g.id]
          end
          group_edge[g.id].count = group_edge[g.id].count + 1
        else
          local a, b = attach(A.ns, A.l, A.ifname), attach(B.ns, B.l, B.ifname)
          edges[#edges + 1] = {a = a, b = b, down = down, lab = lab,
                               key = table.concat({A.ns, A.ifname, B.ns, B.ifname}, "|")}
        end
      end
    end
  end

  -- A list of names as its first and last: "vh1 … vh100 (100)".
  local function span(list, what)
    natsort(list)
    if #list == 1 then return list[1] end
    return ("%s … %s (%d %s)"):format(list[1], list[#list], #list, what)
  end
  for _, g in ipairs(groups) do
    local m = g.members
    local title = {("%s … %s (%d namespaces)"):format(m[1].name, m[#m].name, #m)}
    local lines = {(g.far_if or "?") .. " in each"}
    local r = addr_range(g.addrs)
    if r then lines[#lines + 1] = r end
    local n = {id = g.id, shape = "group", title = title, rows = {{port = "each", lines = lines}},
               notes = notes_of(m[1]), lab = lab_of(m[1])}
    nodes[g.id] = n
    clusters[#clusters + 1] = {id = "cluster_group_" .. m[1].name, name = title[1], lab = lab_of(m[1]),
                               key = natkey(m[1].name), group = true, nodes = {n}}
    if g.near_node then
      local rr = row(g.near_node, g.near_port)
      rr.lines = {span(g.near, "ports")}
    end
  end

  for _, n in pairs(nodes) do
    table.sort(n.rows, function(a, b) return natkey(a.port) < natkey(b.port) end)
  end
  for _, c in ipairs(clusters) do
    table.sort(c.nodes, function(a, b)
      if (a.shape == "stack") ~= (b.shape == "stack") then return a.shape == "stack" end
      return natkey(a.id) < natkey(b.id)
    end)
  end
  local ext = {}
  for name in pairs(externals) do ext[#ext + 1] = name end
  natsort(ext)
  table.sort(clusters, function(a, b) if a.key ~= b.key then return a.key < b.key end return a.id < b.id end)
  table.sort(edges, function(a, b) return natkey(a.key) < natkey(b.key) end)
  local labs = {}
  for L in pairs(labs_seen) do labs[#labs + 1] = L end
  table.sort(labs)
  return {clusters = clusters, edges = edges, externals = ext, labs = labs, show_labs = show_labs}
end

local function options(a, spec, arg)
  arg = arg or 1
  if a == nil then return {} end
  if type(a) == "string" or (type(a) == "table" and getmetatable(a) == netlab._meta("netlab.ns")) then
    return {ns = a}
  end
  if type(a) ~= "table" then
    netlab._argerror(arg, "table of options expected, got " .. type(a))
  end
  netlab._check(a, arg, spec or SPEC, 0)
  if a.group ~= nil and a.group ~= false and
      (math.type(a.group) ~= "integer" or a.group < 2 or a.group > GROUP_MAX) then
    netlab._argerror(arg, ("field 'group': false or a whole number of namespaces from 2 to %d expected"):format(
      GROUP_MAX))
  end
  if a.labs ~= nil and type(a.labs) ~= "boolean" then
    netlab._argerror(arg, "field 'labs': boolean expected, got " .. type(a.labs))
  end
  return a
end

-- graph._model(opts): what graph.dot and graph.mermaid draw (graph_draw.lua).
function graph._model(a, spec, arg)
  local G = model(options(a, spec, arg), arg or 1)
  return G
end

graph._fields = SPEC
graph._write_fields = WRITE_SPEC
graph._lab_exists = lab_exists

return graph
