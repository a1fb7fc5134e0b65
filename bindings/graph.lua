-- The Lua half of the graph module: the picture of the live kernel. One
-- reading of netlab.state() becomes a drawing (namespaces as clusters,
-- bridges as switches, each veth pair one edge between the two namespaces,
-- other links as nodes, gateways and NAT as notes on the namespace), which
-- graph.dot and graph.mermaid write as text and graph.write renders through
-- graph.render (the C half: Graphviz linked as a library).
--
-- The text is stable: the same kernel state gives the same bytes (every list
-- sorted, no ifindex, MAC or link-local address, nor counters), so a test may
-- compare committed DOT text with what a script builds.
local graph = ...

local SPEC = {"ns", "lab", "labs", "group", "format"}
-- Namespaces of the same shape (one veth to the same bridge, the same
-- prefix, routes and lab) are drawn as one node from this many on.
local GROUP = 5
-- Notes past these counts are summed up ("… 3 more").
local MAX_ROUTES, MAX_NAT = 6, 4

-- Lab colours (line, fill), given in the order of the labs' sorted names.
local PALETTE = {
  {"#1f6fb4", "#e3eef8"}, {"#c0392b", "#f9e1de"}, {"#2e8b3a", "#e2f3e4"},
  {"#7d3c98", "#efe3f4"}, {"#d4700a", "#fcebd9"}, {"#8c564b", "#efe4e1"},
  {"#c2185b", "#f9e0ea"}, {"#00838f", "#ddf1f3"},
}
local PLAIN = {"#555555", "#f5f5f5"}

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

-- The drawing: clusters (each with its nodes), edges, and the labs seen.
-- What is drawn, from one reading of the model:
--   clusters: {id, name, lab, gone, group, key, nodes}, each node
--     {id, shape, title = {lines}, rows = {{port, lines, lab, down}}, notes, lab, down}
--   edges: {a = {node, port}, b = {node, port}, down, lab, count}
--   externals: namespaces a veth reaches that are not drawn.
local function selection(o)
  local names, labsel, known = {}, {}, nil
  for _, n in ipairs(netlab._list(o.ns)) do
    if type(n) == "table" and getmetatable(n) == netlab._meta("netlab.ns") then n = n.name end
    if type(n) ~= "string" then
      netlab._argerror(1, "field 'ns': namespace name, object or a list of them expected, got " .. type(n))
    end
    if not known then
      known = {root = true}
      for _, x in ipairs(ns.list()) do known[x.name] = true end
    end
    if not known[n] then error(("no namespace %q (ip netns list shows them)"):format(n), 0) end
    names[#names + 1] = n
  end
  for _, L in ipairs(netlab._list(o.lab)) do
    if type(L) ~= "string" then
      netlab._argerror(1, "field 'lab': lab name or a list of them expected, got " .. type(L))
    end
    if not lab_exists(L) then error(("no lab %q (netlab ls lists them)"):format(L), 0) end
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

local function model(o)
  local names, labsel = selection(o)
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
        local oa, ob = order[A.ns] or math.huge, order[B.ns] or math.huge
        if ob < oa or (ob == oa and natkey(B.ifname) < natkey(A.ifname)) then A, B = B, A end
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

local function options(a)
  if a == nil then return {} end
  if type(a) == "string" or (type(a) == "table" and getmetatable(a) == netlab._meta("netlab.ns")) then
    return {ns = a}
  end
  if type(a) ~= "table" then
    netlab._argerror(1, "table of options expected, got " .. type(a))
  end
  netlab._check(a, 1, SPEC, 0)
  if a.group ~= nil and a.group ~= false and
      (math.type(a.group) ~= "integer" or a.group < 2) then
    netlab._argerror(1, "field 'group': false or a whole number of namespaces from 2 expected")
  end
  return a
end

-- DOT ---------------------------------------------------------------------

local function q(s)
  return '"' .. tostring(s):gsub('[\\"]', "\\%0"):gsub("\n", "\\n") .. '"'
end

local function colours(G, lab)
  if not G.show_labs or not lab then return PLAIN end
  for i, L in ipairs(G.labs) do
    if L == lab then return PALETTE[(i - 1) % #PALETTE + 1] end
  end
  return PLAIN
end

local function attrs(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys)
  local out = {}
  for _, k in ipairs(keys) do
    local v = t[k]
    -- An HTML-like label is written between <>, not quoted.
    if type(v) == "table" then out[#out + 1] = k .. "=<" .. v[1] .. ">"
    else out[#out + 1] = k .. "=" .. q(v) end
  end
  return "[" .. table.concat(out, ", ") .. "]"
end

local function html(s)
  return (tostring(s):gsub("[&<>\"]", {["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;"}))
end

local function br(lines)
  local t = {}
  for i, l in ipairs(lines) do t[i] = html(l) end
  return table.concat(t, "<BR/>")
end

-- A node as an HTML-like table: its title, a row (a port edges end at) per
-- interface, and its notes in small print.
local function node_label(G, n)
  local c = colours(G, n.lab)
  local t = {('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="3">')}
  local title = {}
  for i, l in ipairs(n.title) do title[i] = i == 1 and "<B>" .. html(l) .. "</B>" or html(l) end
  t[#t + 1] = ("<TR><TD>%s</TD></TR>"):format(table.concat(title, "<BR/>"))
  for _, r in ipairs(n.rows) do
    local rc = colours(G, r.lab or n.lab)
    t[#t + 1] = ('<TR><TD PORT="%s" BORDER="1" STYLE="%s" COLOR="%s" BGCOLOR="%s">%s</TD></TR>'):format(
      html(r.port), r.down and "dashed,rounded" or "rounded", rc[1], rc[2], br(r.lines))
  end
  for _, note in ipairs(n.notes or {}) do
    t[#t + 1] = ('<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="8" COLOR="%s">%s</FONT></TD></TR>'):format(
      "#333333", html(note))
  end
  t[#t + 1] = "</TABLE>"
  local _ = c
  return table.concat(t)
end

local SHAPES = {
  stack = {shape = "box", style = "rounded,filled"},
  bridge = {shape = "box3d", style = "filled"},
  link = {shape = "ellipse", style = "filled"},
  group = {shape = "box", style = "rounded,filled", peripheries = "2"},
  gone = {shape = "box", style = "dashed,rounded"},
}

local function node_dot(G, n, out, indent)
  local c = colours(G, n.lab)
  local a = {}
  for k, v in pairs(SHAPES[n.shape]) do a[k] = v end
  a.label = {node_label(G, n)}
  a.color = n.shape == "gone" and "#999999" or c[1]
  if a.style:match("filled") then a.fillcolor = "white" end
  if n.down then a.style = a.style .. ",dashed" end
  out[#out + 1] = ("%s%s %s;"):format(indent, q(n.id), attrs(a))
end

local function endpoint(p)
  if p[2] then return q(p[1]) .. ":" .. q(p[2]) end
  return q(p[1])
end

function graph.dot(a)
  local G = model(options(a))
  local out = {
    'graph "netlab" {',
    '\tgraph [rankdir="LR", fontname="Helvetica", fontsize="11", nodesep="0.25", ranksep="0.9"];',
    '\tnode [fontname="Helvetica", fontsize="10", margin="0.05"];',
    '\tedge [fontname="Helvetica", fontsize="9"];',
  }
  for _, c in ipairs(G.clusters) do
    local col = colours(G, c.lab)
    local lines = {c.group and "namespaces of one shape" or
      (c.name == "root" and "root namespace" or "netns " .. c.name)}
    if c.lab and G.show_labs then lines[#lines + 1] = "lab " .. c.lab end
    if c.gone then lines[#lines + 1] = "(gone)" end
    -- Left-aligned lines, as the label sits at the cluster's left.
    for i, l in ipairs(lines) do lines[i] = html(l) .. '<BR ALIGN="LEFT"/>' end
    out[#out + 1] = ("\tsubgraph %s {"):format(q(c.id))
    out[#out + 1] = ("\t\tgraph %s;"):format(attrs{label = {table.concat(lines)}, color = c.gone and "#999999" or col[1],
      style = c.gone and "dashed,rounded" or "filled,rounded", fillcolor = c.gone and "white" or col[2],
      labeljust = "l"})
    for _, n in ipairs(c.nodes) do node_dot(G, n, out, "\t\t") end
    out[#out + 1] = "\t}"
  end
  for _, name in ipairs(G.externals) do
    out[#out + 1] = ("\t%s %s;"):format(q("ext:" .. name), attrs{
      label = (name == "root" and "root namespace" or "netns " .. name) .. "\n(not drawn)",
      shape = "box", style = "dashed,rounded", color = "#999999"})
  end
  for _, e in ipairs(G.edges) do
    local c = colours(G, e.lab)
    local at = {color = c[1], penwidth = e.lab and G.show_labs and "1.6" or "1.2"}
    if e.count then at.label = ("%d veth pairs"):format(e.count) end
    if e.down then at.style = "dashed" end
    out[#out + 1] = ("\t%s -- %s %s;"):format(endpoint(e.a), endpoint(e.b), attrs(at))
  end
  if G.show_labs and #G.labs > 0 then
    out[#out + 1] = '\tsubgraph "cluster_legend" {'
    out[#out + 1] = '\t\tgraph [label="legend", labeljust="l", color="#bbbbbb", style="rounded"];'
    for i, L in ipairs(G.labs) do
      local c = colours(G, L)
      out[#out + 1] = ("\t\t%s %s;"):format(q("legend:" .. i), attrs{label = "lab " .. L, shape = "box",
        style = "filled,rounded", color = c[1], fillcolor = c[2]})
    end
    out[#out + 1] = ("\t\t%s %s;"):format(q("legend:none"), attrs{label = "no lab", shape = "box",
      style = "filled,rounded", color = PLAIN[1], fillcolor = PLAIN[2]})
    out[#out + 1] = ("\t\t%s %s;"):format(q("legend:down"), attrs{label = "dashed: down",
      shape = "box", style = "dashed,rounded", color = PLAIN[1]})
    out[#out + 1] = "\t}"
  end
  out[#out + 1] = "}"
  return table.concat(out, "\n") .. "\n"
end

-- Mermaid -----------------------------------------------------------------

local function mq(s)
  return '"' .. tostring(s):gsub('"', "#quot;"):gsub("\n", "<br/>") .. '"'
end

-- Mermaid has no ports: a row's text goes on the edge's label instead.
local function row_text(nodes, p)
  local n = nodes[p[1]]
  for _, r in ipairs(n and n.rows or {}) do
    if r.port == p[2] then return table.concat(r.lines, " ") end
  end
  return nil
end

function graph.mermaid(a)
  local G = model(options(a))
  local ids, count, nodes = {}, 0, {}
  local function id(x)
    if not ids[x] then count = count + 1; ids[x] = "n" .. count end
    return ids[x]
  end
  local out = {"flowchart LR"}
  for ci, c in ipairs(G.clusters) do
    local label = c.group and "namespaces of one shape" or
      (c.name == "root" and "root namespace" or "netns " .. c.name)
    if c.lab and G.show_labs then label = label .. " · lab " .. c.lab end
    if c.gone then label = label .. " (gone)" end
    out[#out + 1] = ("  subgraph c%d[%s]"):format(ci, mq(label))
    for _, n in ipairs(c.nodes) do
      nodes[n.id] = n
      local lines = {}
      for _, l in ipairs(n.title) do lines[#lines + 1] = l end
      for _, l in ipairs(n.notes or {}) do lines[#lines + 1] = l end
      local shape = (n.shape == "bridge" or n.shape == "group") and "[[%s]]" or
        n.shape == "link" and "([%s])" or "(%s)"
      out[#out + 1] = "    " .. id(n.id) .. shape:format(mq(table.concat(lines, "\n")))
    end
    out[#out + 1] = "  end"
  end
  for _, name in ipairs(G.externals) do
    out[#out + 1] = ("  %s[%s]"):format(id("ext:" .. name), mq(name .. " (not drawn)"))
  end
  for _, e in ipairs(G.edges) do
    local parts = {}
    parts[#parts + 1] = row_text(nodes, e.a)
    parts[#parts + 1] = row_text(nodes, e.b)
    local label = table.concat(parts, " — ")
    if e.count then label = ("%d veth pairs: %s"):format(e.count, label) end
    local arrow = e.down and "-.-" or "---"
    if label ~= "" then
      out[#out + 1] = ("  %s %s|%s| %s"):format(id(e.a[1]), arrow, mq(label), id(e.b[1]))
    else
      out[#out + 1] = ("  %s %s %s"):format(id(e.a[1]), arrow, id(e.b[1]))
    end
  end
  if G.show_labs then
    for i, L in ipairs(G.labs) do
      local c = colours(G, L)
      out[#out + 1] = ("  classDef lab%d fill:%s,stroke:%s"):format(i, c[2], c[1])
    end
    for _, c in ipairs(G.clusters) do
      for _, n in ipairs(c.nodes) do
        for i, L in ipairs(G.labs) do
          if n.lab == L then out[#out + 1] = ("  class %s lab%d"):format(id(n.id), i) end
        end
      end
    end
  end
  return table.concat(out, "\n") .. "\n"
end

-- Files -------------------------------------------------------------------

local FORMATS = {svg = "svg", png = "png", pdf = "pdf", dot = "dot", gv = "dot",
                 mermaid = "mermaid", mmd = "mermaid"}
graph._formats = "svg, png, pdf, dot, mermaid"

-- The format a file's name asks for (its extension), or nil.
function graph._format_of(file)
  local ext = file:match("%.([%w]+)$")
  return ext and FORMATS[ext:lower()]
end

-- The bytes of the picture in format fmt.
function graph._bytes(fmt, o)
  if fmt == "dot" then return graph.dot(o) end
  if fmt == "mermaid" then return graph.mermaid(o) end
  local bytes = graph.render(graph.dot(o), fmt)
  return bytes
end

-- graph.write(FILE[, opts]): the picture into FILE, in opts.format or the
-- format FILE's extension names. Returns FILE and the format.
function graph.write(file, o)
  if type(file) ~= "string" then netlab._argerror(1, "file name expected, got " .. type(file)) end
  if o ~= nil and type(o) ~= "table" then netlab._argerror(2, "table of options expected, got " .. type(o)) end
  o = o or {}
  netlab._check(o, 2, SPEC, 0)
  local fmt = o.format
  if fmt ~= nil then
    if type(fmt) ~= "string" or not FORMATS[fmt] or fmt == "gv" or fmt == "mmd" then
      netlab._argerror(2, ("field 'format': %s is not one of %s"):format(
        type(fmt) == "string" and ("%q"):format(fmt) or type(fmt), graph._formats))
    end
    fmt = FORMATS[fmt]
  else
    fmt = graph._format_of(file)
    if not fmt then
      error(("graph.write: cannot tell the format from the name %q (say format = one of %s)"):format(
        file, graph._formats), 2)
    end
  end
  local bytes = graph._bytes(fmt, o)
  local f, why = io.open(file, "wb")
  if not f then error("graph.write: cannot write " .. why, 2) end
  local ok, werr = f:write(bytes)
  local cok, cerr = f:close()
  if not ok or not cok then error(("graph.write: cannot write %s: %s"):format(file, werr or cerr), 2) end
  return file, fmt
end

-- `netlab graph [LAB|NS…] [-o FILE] [--format F]` (repl/main.c): the exit code.
local USAGE = "usage: netlab graph [LAB|NS ...] [-o FILE] [--format svg|png|pdf|dot|mermaid]\n" ..
  "  the picture of the live kernel (every namespace, or the labs and namespaces named);\n" ..
  "  the format is FILE's extension's, else dot; svg, png and pdf need -o on a terminal\n"

function graph._cli(args)
  local words, file, fmt = {}, nil, nil
  local i = 1
  local function usage(msg)
    io.stderr:write("netlab: graph: ", msg, "\n", USAGE)
    return 2
  end
  while i <= #args do
    local a = args[i]
    local opt, val = a:match("^(%-%-%w+)=(.*)$")
    opt = opt or a
    if opt == "-o" or opt == "--output" or opt == "--format" then
      if not val then i = i + 1; val = args[i] end
      if val == nil then return usage(opt .. " needs a value") end
      if opt == "--format" then fmt = val else file = val end
    elseif a == "--help" or a == "-h" then
      io.stdout:write(USAGE)
      return 0
    elseif a:sub(1, 1) == "-" then
      return usage("unknown option " .. a)
    else
      words[#words + 1] = a
    end
    i = i + 1
  end
  local function fail(msg)
    io.stderr:write("netlab: graph: ", msg, "\n")
    return 1
  end
  if fmt then
    if not FORMATS[fmt] or fmt == "gv" or fmt == "mmd" then
      return fail(("unknown format %q (one of %s)"):format(fmt, graph._formats))
    end
    fmt = FORMATS[fmt]
  elseif file then
    fmt = graph._format_of(file)
    if not fmt then
      return fail(("cannot tell the format from %q: give --format (one of %s)"):format(file, graph._formats))
    end
  else
    fmt = "dot"
  end
  if not file and (fmt == "svg" or fmt == "png" or fmt == "pdf") and netlab._isatty(1) then
    return fail(("%s is not for a terminal: write it with -o FILE.%s (or pipe it)"):format(fmt, fmt))
  end
  -- A word is a namespace, a lab, or both (then both are drawn).
  local o = {ns = {}, lab = {}}
  local nsknown = {root = true}
  for _, n in ipairs(ns.list()) do nsknown[n.name] = true end
  for _, w in ipairs(words) do
    local isns, islab = nsknown[w], lab_exists(w)
    if isns then o.ns[#o.ns + 1] = w end
    if islab then o.lab[#o.lab + 1] = w end
    if not isns and not islab then
      return fail(("no namespace or lab %q (ip netns list, netlab ls)"):format(w))
    end
  end
  local ok, bytes = pcall(graph._bytes, fmt, o)
  if not ok then return fail(tostring(bytes)) end
  if not file then
    io.stdout:write(bytes)
    io.stdout:flush()
    return 0
  end
  local f, why = io.open(file, "wb")
  if not f then return fail("cannot write " .. why) end
  local wok, werr = f:write(bytes)
  local cok, cerr = f:close()
  if not wok or not cok then return fail(("cannot write %s: %s"):format(file, werr or cerr)) end
  return 0
end

return graph
