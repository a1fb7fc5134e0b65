-- The graph module, continued: the drawing graph._model makes, written as
-- DOT (graph.dot: HTML-like labels, a port per interface, so that a veth
-- pair is one edge from port to port) and as Mermaid (graph.mermaid, which
-- has no ports: the interfaces go on the edges' labels).
local graph = ...

-- Lab colours (line, fill), given in the order of the labs' sorted names.
local PALETTE = {
  {"#1f6fb4", "#e3eef8"}, {"#c0392b", "#f9e1de"}, {"#2e8b3a", "#e2f3e4"},
  {"#7d3c98", "#efe3f4"}, {"#d4700a", "#fcebd9"}, {"#8c564b", "#efe4e1"},
  {"#c2185b", "#f9e0ea"}, {"#00838f", "#ddf1f3"},
}
local PLAIN = {"#555555", "#f5f5f5"}

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

-- The DOT text of a drawing (graph._model's).
function graph._dot_of(G)
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
    if e.label then at.label = e.label end
    if e.down then at.style = "dashed" end
    out[#out + 1] = ("\t%s -- %s %s;"):format(endpoint(e.a), endpoint(e.b), attrs(at))
  end
  -- The legend: one small table, the labs' colours, plain, dashed.
  local text = table.concat(out, "\n")
  if G.show_labs and #G.labs > 0 then
    local t = {'<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="3" CELLPADDING="3">',
               '<TR><TD BORDER="0" ALIGN="LEFT"><B>legend</B></TD></TR>'}
    local function entry(text, c, style)
      t[#t + 1] = ('<TR><TD STYLE="%s" COLOR="%s" BGCOLOR="%s">%s</TD></TR>'):format(
        style, c[1], c[2], html(text))
    end
    for _, L in ipairs(G.labs) do entry("lab " .. L, colours(G, L), "rounded") end
    -- Only what the picture has: an entry for nothing drawn would puzzle.
    if text:find('COLOR="' .. PLAIN[1] .. '"', 1, true) then entry("no lab", PLAIN, "rounded") end
    local down = false
    for _, e in ipairs(G.edges) do down = down or e.down end
    for _, c in ipairs(G.clusters) do
      for _, n in ipairs(c.nodes) do
        down = down or n.down
        for _, r in ipairs(n.rows or {}) do down = down or r.down end
      end
    end
    if down then entry("down (dashed)", {PLAIN[1], "white"}, "dashed,rounded") end
    t[#t + 1] = "</TABLE>"
    out[#out + 1] = ("\t%s %s;"):format(q("legend"), attrs{label = {table.concat(t)}, shape = "plain",
      fontsize = "9"})
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

-- The Mermaid text of a drawing.
function graph._mermaid_of(G)
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
    if e.label then label = label ~= "" and e.label .. ": " .. label or e.label end
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

-- graph.dot([opts]) and graph.mermaid([opts]): the live state's picture as text.
function graph.dot(a)
  local text = graph._dot_of(graph._model(a))
  return text
end

function graph.mermaid(a)
  local text = graph._mermaid_of(graph._model(a))
  return text
end

return graph
