-- netlab graph and the graph module: after each bundled script the DOT has
-- one cluster per namespace and exactly one edge per veth pair, joining
-- the ports of the right two ends (`ip -j -d link` and `ip -j netns
-- list-id` of every namespace are the witness); the same kernel state gives
-- the same bytes, whoever built it; SVG, PNG and PDF are what they claim; a
-- star of 100 is a few nodes; a namespace that is gone is drawn so; bad
-- input gets one line. A macvlan, ipvlan or vlan is joined to its parent and
-- a VXLAN's ends to each other, as `ip -j -d link` says.
local t = require "t"

local function dot(...)
  local out, code = t.run("graph", ...)
  t.eq(code, 0, "netlab graph: " .. out)
  return out
end

-- The DOT read back: the cluster of every node, and the edges as
-- {a = node, ap = port, b = node, bp = port, attrs = text}.
local function parse(text)
  local g = {clusters = {}, node_cluster = {}, edges = {}, nodes = 0}
  local current
  for line in text:gmatch("[^\n]+") do
    local c = line:match('^\tsubgraph "([^"]+)" {$')
    if c then
      current = c
      g.clusters[#g.clusters + 1] = c
    elseif line == "\t}" then
      current = nil
    else
      local a, rest = line:match('^\t+"([^"]+)"(.*)$')
      if a and rest:match("^ %[") then
        g.node_cluster[a] = current
        g.nodes = g.nodes + 1
      elseif a then
        local ap, b, bp, attrs = rest:match('^:?"?([^"]*)"? %-%- "([^"]+)":?"?([^"%s]*)"? (%[.*)$')
        if b then
          g.edges[#g.edges + 1] = {a = a, ap = ap ~= "" and ap or nil, b = b, bp = bp ~= "" and bp or nil,
                                   attrs = attrs}
        end
      end
    end
  end
  return g
end

local function ns_of_cluster(c) return c and c:match("^cluster_ns_(.+)$") end

-- The witness: every veth pair as "nsA:ifA|nsB:ifB" (sorted), from ip.
local function veth_pairs()
  local names = {"root"}
  for _, n in ipairs(t.ip(nil, "netns", "list")) do names[#names + 1] = n.name end
  local byindex, byname = {}, {}
  for _, n in ipairs(names) do
    local arg = n ~= "root" and n or nil
    byindex[n], byname[n] = {}, {}
    for _, l in ipairs(t.ip(arg, "-d", "link", "show")) do
      byindex[n][l.ifindex], byname[n][l.ifname] = l, l
    end
  end
  local pairs_ = {}
  for _, n in ipairs(names) do
    local arg = n ~= "root" and n or nil
    -- Which namespace each id names, seen from n; the unnamed one is the root.
    local ids = {}
    for _, e in ipairs(t.ip(arg, "netns", "list-id")) do ids[e.nsid] = e.name or "root" end
    for _, l in pairs(byindex[n]) do
      -- ip names a peer in the same namespace by name ("link"), one in
      -- another by index and namespace id (link_index, link_netnsid).
      if l.linkinfo and l.linkinfo.info_kind == "veth" and (l.link_index or l.link) then
        local pns = l.link_netnsid and ids[l.link_netnsid] or n
        local peer = l.link_index and byindex[pns] and byindex[pns][l.link_index] or byname[n][l.link]
        t.ok(peer, ("%s %s: its peer found in %s"):format(n, l.ifname, tostring(pns)))
        local x, y = n .. ":" .. l.ifname, pns .. ":" .. peer.ifname
        if y < x then x, y = y, x end
        pairs_[x .. "|" .. y] = true
      end
    end
  end
  local list = {}
  for k in pairs(pairs_) do list[#list + 1] = k end
  table.sort(list)
  return list, names
end

-- The veth edges of the DOT (both ends on a port) as the witness writes them.
local function dot_pairs(g)
  local list = {}
  for _, e in ipairs(g.edges) do
    if e.ap and e.bp then
      local na, nb = ns_of_cluster(g.node_cluster[e.a]), ns_of_cluster(g.node_cluster[e.b])
      local x, y = tostring(na) .. ":" .. e.ap, tostring(nb) .. ":" .. e.bp
      if y < x then x, y = y, x end
      list[#list + 1] = x .. "|" .. y
    end
  end
  table.sort(list)
  return list
end

-- The witness for the kinds: from `ip -j -d link` of every namespace (and
-- `ip -j netns list-id` for a parent elsewhere), each macvlan, ipvlan or
-- vlan as "parentns:parentif > ns:if LABEL" (a vxlan's dev with LABEL
-- "vxlan dev"), each pair of VXLAN ends of one
-- VNI and port as "nsA:ifA|nsB:ifB vxlan ID udp/PORT"; sorted.
local function kind_edges()
  local names = {"root"}
  for _, n in ipairs(t.ip(nil, "netns", "list")) do names[#names + 1] = n.name end
  local byindex, all = {}, {}
  for _, n in ipairs(names) do
    byindex[n] = {}
    for _, l in ipairs(t.ip(n ~= "root" and n or nil, "-d", "link", "show")) do
      byindex[n][l.ifindex] = l
      all[#all + 1] = {ns = n, l = l}
    end
  end
  local out, vx = {}, {}
  for _, x in ipairs(all) do
    local li = x.l.linkinfo or {}
    local kind, d = li.info_kind, li.info_data or {}
    if (kind == "macvlan" or kind == "ipvlan" or kind == "vlan") and x.l.link then
      -- A parent in the same namespace: ip gives its name.
      out[#out + 1] = ("%s:%s > %s:%s %s"):format(x.ns, x.l.link, x.ns, x.l.ifname,
        kind == "vlan" and "vlan " .. d.id or kind .. " " .. tostring(d.mode))
    elseif (kind == "macvlan" or kind == "ipvlan" or kind == "vlan") and x.l.link_index then
      local pns = x.ns
      if x.l.link_netnsid then
        for _, e in ipairs(t.ip(x.ns ~= "root" and x.ns or nil, "netns", "list-id")) do
          if e.nsid == x.l.link_netnsid then pns = e.name or "root" end
        end
      end
      local parent = byindex[pns] and byindex[pns][x.l.link_index]
      local label = kind == "vlan" and "vlan " .. d.id or kind .. " " .. tostring(d.mode)
      out[#out + 1] = ("%s:%s > %s:%s %s"):format(pns, parent and parent.ifname or "?", x.ns, x.l.ifname, label)
    elseif kind == "vxlan" then
      -- The dev it sends from, in its own namespace (ip names it there).
      if d.link and not x.l.link_netnsid then
        out[#out + 1] = ("%s:%s > %s:%s vxlan dev"):format(x.ns, d.link, x.ns, x.l.ifname)
      end
      local k = d.id .. " udp/" .. (d.port or 4789)
      vx[k] = vx[k] or {}
      table.insert(vx[k], x.ns .. ":" .. x.l.ifname)
    end
  end
  for k, ends in pairs(vx) do
    table.sort(ends)
    for i = 1, #ends do
      for j = i + 1, #ends do out[#out + 1] = ("%s|%s vxlan %s"):format(ends[i], ends[j], k) end
    end
  end
  table.sort(out)
  return out
end

-- The same from the DOT: the labelled edges that end at a link node.
local function dot_kind_edges(g)
  local function where(node, port)
    local ns, name = node:match("^link:([^:]+):(.+)$")
    if ns then return ns .. ":" .. (port or name) end
    return tostring(node:match("^ns:(.+)$")) .. ":" .. tostring(port)
  end
  local out = {}
  for _, e in ipairs(g.edges) do
    local label = e.attrs:match('label="([^"]*)"')
    if label and label:match("^vxlan %d") then
      local x, y = where(e.a), where(e.b)
      if y < x then x, y = y, x end
      out[#out + 1] = ("%s|%s %s"):format(x, y, label)
    elseif label and e.b:match("^link:") and not e.bp then
      out[#out + 1] = ("%s > %s %s"):format(where(e.a, e.ap), where(e.b), label)
    end
  end
  table.sort(out)
  return out
end

local scripts = {}
for f in t.sh_ok("ls scripts"):gmatch("[^\n]+") do
  if f:match("%.lua$") then scripts[#scripts + 1] = f:sub(1, -5) end
end
t.ok(#scripts >= 8, "the bundled scripts are found")

for _, name in ipairs(scripts) do
  t.test(name .. ": a cluster per namespace, one edge per veth pair between the right ends", function()
    if t.refused_script(name) then return end
    local _ <close> = t.fresh()
    local out, code = t.run("run", name)
    local _ <close> = setmetatable({}, {__close = function() t.run("down", name) end})
    t.eq(code, 0, "run " .. name .. ": " .. out)
    local text = dot("--format", "dot")
    local g = parse(text)
    local want, names = veth_pairs()
    t.ok(#want >= 1, name .. " has veth pairs")
    t.eq(table.concat(dot_pairs(g), "\n"), table.concat(want, "\n"), name .. ": the veth edges")
    local clusters = {}
    for _, c in ipairs(g.clusters) do
      local n = ns_of_cluster(c)
      if n then clusters[#clusters + 1] = n end
    end
    table.sort(clusters)
    table.sort(names)
    t.eq(table.concat(clusters, " "), table.concat(names, " "), name .. ": one cluster per namespace")
    t.eq(table.concat(dot_kind_edges(g), "\n"), table.concat(kind_edges(), "\n"),
         name .. ": each macvlan/ipvlan/vlan joined to its parent, each VXLAN's ends to each other")
    -- The lab is told apart, with a legend; the ends' names and addresses are on their ports.
    t.ok(text:find("lab " .. name, 1, true), "the lab is named")
    t.ok(text:find('"legend"', 1, true), "a legend")
    -- Stable: the same state, the same bytes.
    t.eq(dot(), text, name .. ": a second reading gives the same DOT")
    -- Mermaid: one edge per veth pair too (and one per bridge with an address, link).
    local mm = dot("--format", "mermaid")
    t.ok(mm:match("^flowchart LR\n"), "mermaid: a flowchart")
    local medges = select(2, mm:gsub("\n  n%d+ %-[%-%.]%-|", ""))
    t.eq(medges, #g.edges, "mermaid: as many edges as the DOT")
  end)
end

t.test("purple_orange: the ports carry names and addresses, gateways and NAT are noted, a lab alone", function()
  local _ <close> = t.fresh()
  local out, code = t.run("run", "purple_orange")
  local _ <close> = setmetatable({}, {__close = function() t.run("down", "purple_orange") end})
  t.eq(code, 0, "run: " .. out)
  local text = dot()
  t.ok(text:find('PORT="veth%-orange"[^>]*>veth%-orange<BR/>192%.168%.52%.2/24<'), "orange's end and address")
  t.ok(text:find('PORT="veth-orange-br"', 1, true), "the bridge's port")
  t.ok(text:find('"link:root:super-bridge0" [', 1, true), "the bridge, a node in root")
  t.ok(text:find('shape="box3d"', 1, true), "drawn as a switch")
  t.ok(text:find("default via 192.168.52.5 dev veth-orange", 1, true), "orange's gateway")
  t.ok(text:find("NAT: ip saddr 192.168.52.0/24 ip daddr != 192.168.52.0/24 masquerade", 1, true),
       "the masquerade where traffic leaves")
  t.ok(text:find("forwards IPv4", 1, true), "root forwards")
  t.ok(not text:find("fe80:", 1, true) and not text:find("ifindex", 1, true), "no link-local address")
  -- The lab alone: its namespaces and the root (its bridge), the rest a stub.
  local g = parse(dot("purple_orange"))
  local clusters = {}
  for _, c in ipairs(g.clusters) do clusters[#clusters + 1] = c end
  t.eq(table.concat(clusters, " "), "cluster_ns_root cluster_ns_orange cluster_ns_purple", "the lab's namespaces")
  t.ok(g.node_cluster["ext:internet"] == nil and text:find("internet", 1, true), "internet not drawn")
  -- A namespace named: it, and its peer's namespace as a stub.
  local one = dot("orange")
  t.ok(one:find('"ext:root"', 1, true), "the root as a stub: " .. one)
  t.ok(not one:find("cluster_ns_purple", 1, true), "purple is not drawn")
  -- A link that is down is said so and dashed.
  t.sh_ok("ip -n purple link set veth-purple down")
  local down = dot()
  t.ok(down:find("veth-purple (down)", 1, true), "the end says it is down")
  local dashed
  for _, e in ipairs(parse(down).edges) do
    if e.bp == "veth-purple" or e.ap == "veth-purple" then dashed = e.attrs:find('style="dashed"', 1, true) end
  end
  t.ok(dashed, "its edge is dashed")
end)

t.test("typed steps are drawn: a route to a device, FORWARD policy drop and its accepts; the legend lists what is drawn", function()
  local _ <close> = t.fresh()
  t.sh_ok([[
    ip netns add c1 && ip link add veth1 type veth peer name eth0 netns c1 &&
    ip link set veth1 up && ip -n c1 link set eth0 up &&
    ip -n c1 addr add 172.17.0.2/24 dev eth0 && ip addr add 172.17.0.1/32 dev veth1 &&
    ip route add 172.17.0.2/32 dev veth1 &&
    iptables -P FORWARD DROP && iptables -A FORWARD -i veth1 -j ACCEPT]])
  local _ <close> = setmetatable({}, {__close = function()
    t.sh("iptables -P FORWARD ACCEPT; iptables -F FORWARD; ip netns del c1") end})
  local text = dot()
  t.ok(text:find("172.17.0.2 dev veth1", 1, true), "the host route typed by hand: " .. text)
  t.ok(not text:find("172.17.0.0/24 dev eth0", 1, true), "not the kernel's own route")
  t.ok(text:find("forward (filter FORWARD): policy drop; ", 1, true) and
       text:find('iifname &quot;veth1&quot;[^<]*accept'), "the FORWARD policy and its accept: " .. text)
  t.ok(not text:find('"legend"', 1, true), "no lab: no legend")
  t.sh_ok("iptables -P FORWARD ACCEPT && iptables -F FORWARD")  -- purple_orange forwards
  local out, code = t.run("run", "purple_orange")
  local _ <close> = setmetatable({}, {__close = function() t.run("down", "purple_orange") end})
  t.eq(code, 0, "run: " .. out)
  text = dot()
  t.ok(text:find(">no lab<", 1, true), "the legend lists no lab when something has none")
  t.ok(not text:find(">down (dashed)<", 1, true), "and no down entry when nothing is down")
  t.sh_ok("ip -n purple link set veth-purple down")
  t.ok(dot():find(">down (dashed)<", 1, true), "a down link: the legend says what dashed means")
end)

t.test("a veth inside one namespace is one edge; a macvlan or vxlan hangs on its parent, where it is", function()
  local _ <close> = t.fresh()
  t.sh_ok([[set -e
    ip netns add h1
    ip netns add h2
    ip link add p0 type veth peer name p1
    ip link add mv link p0 type macvlan mode bridge
    ip link set mv netns h1
    ip link add vx link p0 type vxlan id 42 remote 10.0.0.2 dstport 4789 dev p0
    ip link set vx netns h2
    ip -n h2 link add vxh type vxlan id 43 remote 10.0.0.3 dstport 4789]])
  local text = dot("--format", "dot")
  local g = parse(text)
  local want = veth_pairs()
  t.ok(table.concat(want, " "):find("root:p0|root:p1", 1, true), "the witness has the veth inside root")
  t.eq(table.concat(dot_pairs(g), "\n"), table.concat(want, "\n"), "the veth edges")
  local on = {}
  for _, e in ipairs(g.edges) do
    local label = e.attrs:match('label="(macvlan bridge)"') or e.attrs:match('label="(vxlan dev)"')
    if label then on[#on + 1] = ("%s:%s -- %s (%s)"):format(e.a, tostring(e.ap), e.b, label) end
  end
  table.sort(on)
  t.eq(table.concat(on, ", "), "ns:root:p0 -- link:h1:mv (macvlan bridge), ns:root:p0 -- link:h2:vx (vxlan dev)",
       "the macvlan and the vxlan on p0 in root, the vxlan without a dev on nothing: " .. text)
  local mm = dot("--format", "mermaid")
  t.eq(select(2, mm:gsub('|"macvlan bridge', "")) + select(2, mm:gsub('|"vxlan dev', "")), 2,
       "mermaid: the same two: " .. mm)
end)

t.test("svg is XML, png a PNG of a sane size, pdf a PDF; the format from the name or --format", function()
  local _ <close> = t.fresh()
  local out, code = t.run("run", "two_lans")
  local _ <close> = setmetatable({}, {__close = function() t.run("down", "two_lans") end})
  t.eq(code, 0, "run: " .. out)
  local dir = t.scratch()
  dot("-o", dir .. "/lab.svg")
  local svg = t.read(dir .. "/lab.svg")
  t.ok(svg and svg:find("<svg", 1, true), "an svg")
  -- python3 is one of the test dependencies (make test-deps): a real XML parser.
  local xml = t.sh([[python3 -c 'import sys, xml.dom.minidom as m; print(m.parse(sys.argv[1]).documentElement.tagName)' "$1"]],
                   dir .. "/lab.svg")
  t.eq(xml, "svg\n", "the svg parses as XML")
  -- (Graphviz writes "-" as &#45; in SVG text.)
  t.ok(svg:find(">veth&#45;a1&#45;br<", 1, true) and svg:find(">10.1.0.2/24<", 1, true), "its text is the lab's")
  dot("-o", dir .. "/lab.png")
  local png = t.read(dir .. "/lab.png")
  t.eq(png:sub(1, 8), "\137PNG\r\n\26\n", "the PNG signature")
  t.eq(png:sub(13, 16), "IHDR", "IHDR first")
  local w, h = string.unpack(">I4>I4", png, 17)
  t.ok(w > 200 and w < 10000 and h > 200 and h < 10000, ("a sane size: %dx%d"):format(w, h))
  dot("-o", dir .. "/lab.pdf")
  local pdf = t.read(dir .. "/lab.pdf")
  t.eq(pdf:sub(1, 5), "%PDF-", "a PDF")
  t.ok(pdf:find("%%EOF", -1024, true), "a whole PDF")
  -- --format wins over the name; .gv and .mmd are DOT and Mermaid.
  dot("-o", dir .. "/lab.txt", "--format", "dot")
  t.eq(t.read(dir .. "/lab.txt"), dot(), "--format dot into any file")
  dot("-o", dir .. "/lab.gv")
  t.eq(t.read(dir .. "/lab.gv"), dot(), ".gv is DOT")
  dot("-o", dir .. "/lab.mmd")
  t.ok(t.read(dir .. "/lab.mmd"):match("^flowchart LR"), ".mmd is Mermaid")
  -- svg to a pipe is fine; graph.render is the same bytes.
  local piped = dot("--format", "svg")
  t.ok(piped:find("<svg", 1, true), "svg on a pipe")
  -- (Not byte for byte: Graphviz orders clusters by where their names sit
  -- in memory, so a second layout in one process may place them otherwise.)
  local rendered = graph.render(graph.dot(), "svg")
  t.ok(rendered:find("<title>cluster_ns_router</title>", 1, true), "graph.render draws the same graph")
  t.sh_ok("rm -r " .. dir)
end)

t.test("a lab built by plain ip commands is drawn as the same lab built by netlab", function()
  local _ <close> = t.fresh()
  local dir, script = t.scratch()
  local path = script("hosts", [[
local br = bridge.add("br9", {addr = "10.9.0.1/24", up = true})
for i = 1, 2 do
  local h = ns.add("h" .. i)
  link.veth{"h" .. i .. "-br", master = br, up = true,
            peer = {"eth0", ns = h, up = true, addr = "10.9.0." .. (i + 1) .. "/24"}}
  route.add{ns = h, dst = "default", via = "10.9.0.1"}
end
link.veth{"pa", peer = {"pb", up = true}, up = false}
]])
  local out, code = t.run("run", path)
  t.eq(code, 0, "run: " .. out)
  local plain = "io.write(graph.dot{labs = false})"
  local by_netlab = t.sh_ok(t.bin .. " -e '" .. plain .. "'")
  local marked = dot()
  t.ok(marked:find("lab hosts", 1, true) and marked:find('"legend"', 1, true), "the lab is marked")
  out, code = t.run("down", path)
  t.eq(code, 0, "down: " .. out)
  t.sh_ok([[
    ip netns add h1 && ip netns add h2 &&
    ip link add br9 type bridge && ip addr add 10.9.0.1/24 dev br9 && ip link set br9 up &&
    ip link add h1-br type veth peer name eth0 netns h1 &&
    ip link add h2-br type veth peer name eth0 netns h2 &&
    ip link set h1-br master br9 up && ip link set h2-br master br9 up &&
    ip -n h1 addr add 10.9.0.2/24 dev eth0 && ip -n h1 link set eth0 up &&
    ip -n h2 addr add 10.9.0.3/24 dev eth0 && ip -n h2 link set eth0 up &&
    ip -n h1 route add default via 10.9.0.1 && ip -n h2 route add default via 10.9.0.1 &&
    ip link add pa type veth peer name pb && ip link set pb up]])
  local by_ip = t.sh_ok(t.bin .. " -e '" .. plain .. "'")
  t.eq(by_ip, by_netlab, "the same DOT")
  t.ok(by_ip:find("pa (down)", 1, true), "the veth inside one namespace, its down end said")
  local unmarked = dot()
  t.ok(not unmarked:find("lab hosts", 1, true) and not unmarked:find('"legend"', 1, true),
       "no lab, no legend")
  t.sh_ok("rm -r " .. dir)
end)

t.test("the kinds by plain ip: macvlans on a parent elsewhere and on a bridge, a VXLAN between two hosts", function()
  local _ <close> = t.fresh()
  t.sh_ok([[
    ip netns add a && ip netns add b && ip netns add h1 && ip netns add h2 &&
    ip link add p0 type veth peer name p0-wire && ip link set p0 up &&
    ip link add mva link p0 type macvlan mode private && ip link set mva netns a &&
    ip link add mvb link p0 type macvlan mode vepa && ip link set mvb netns b &&
    ip link add br7 type bridge && ip link set br7 up &&
    ip link add mvbr link br7 type macvlan mode bridge &&
    ip link add u1 netns h1 type veth peer name u2 netns h2 &&
    ip -n h1 addr add 10.0.7.1/24 dev u1 && ip -n h2 addr add 10.0.7.2/24 dev u2 &&
    ip -n h1 link set u1 up && ip -n h2 link set u2 up &&
    ip -n h1 link add vx9 type vxlan id 9 local 10.0.7.1 remote 10.0.7.2 dev u1 dstport 4789 &&
    ip -n h2 link add vx9 type vxlan id 9 local 10.0.7.2 remote 10.0.7.1 dev u2 dstport 4789 &&
    ip -n h1 link set vx9 up && ip -n h2 link set vx9 up]])
  local want = kind_edges()
  t.eq(table.concat(want, "\n"), table.concat({
    "h1:u1 > h1:vx9 vxlan dev",
    "h1:vx9|h2:vx9 vxlan 9 udp/4789",
    "h2:u2 > h2:vx9 vxlan dev",
    "root:br7 > root:mvbr macvlan bridge",
    "root:p0 > a:mva macvlan private",
    "root:p0 > b:mvb macvlan vepa",
  }, "\n"), "the witness reads what ip made")
  local text = dot("--format", "dot")
  local g = parse(text)
  t.eq(table.concat(dot_kind_edges(g), "\n"), table.concat(want, "\n"), "the DOT draws each of them")
  t.ok(text:find('"link:root:br7" -- "link:root:mvbr" [', 1, true), "a macvlan on a bridge hangs off the switch")
  t.ok(text:find('"ns:root":"p0" -- "link:a:mva" [', 1, true), "from the parent's port, across namespaces")
  t.eq(g.node_cluster["link:a:mva"], "cluster_ns_a", "the child in its own namespace")
  t.ok(text:find('label="vxlan 9 udp/4789"', 1, true), "the tunnel's label")
  local mm = dot("--format", "mermaid")
  t.ok(mm:find('|"macvlan private: p0', 1, true) and mm:find('"vxlan 9 udp/4789"', 1, true),
       "mermaid labels them too: " .. mm)
  -- Down: the tunnel dashed.
  t.sh_ok("ip -n h2 link set vx9 down")
  for _, e in ipairs(parse(dot()).edges) do
    if (e.attrs:match('label="([^"]*)"') or ""):match("^vxlan %d") then
      t.ok(e.attrs:find('style="dashed"', 1, true), "a down end dashes the tunnel")
    end
  end
end)

t.test("kinds this kernel lacks (vlan, ipvlan, dummy) drawn from a model", function()
  -- The picture reads netlab.state(); a model given in its place stands for
  -- a kernel that has them (state_kinds.lua and test_link_data.c hold the
  -- model to ip where it can).
  local real = netlab.state
  local _ <close> = setmetatable({}, {__close = function() netlab.state = real end})
  local function link(name, kind, extra)
    local l = {ifname = name, kind = kind, up = true, operstate = "UP", carrier = true, addr_info = {},
               linkinfo = {info_kind = kind}}
    for k, v in pairs(extra or {}) do l[k] = v end
    return l
  end
  netlab.state = function()
    return {
      {name = "root", links = {
        link("eth0", "veth", {}),
        link("eth0.10", "vlan", {link = "eth0", linkinfo = {info_kind = "vlan",
             info_data = {id = 10, protocol = "802.1Q"}}}),
        link("svc", "vlan", {link = "eth0", linkinfo = {info_kind = "vlan",
             info_data = {id = 20, protocol = "802.1ad"}}}),
        link("d0", "dummy"),
      }, routes = {}},
      {name = "c", links = {
        link("ipv", "ipvlan", {parent = {ns = "root", ifname = "eth0"},
             linkinfo = {info_kind = "ipvlan", info_data = {mode = "l2"}}}),
      }, routes = {}},
    }
  end
  local text = graph.dot{labs = false}
  local g = parse(text)
  t.eq(table.concat(dot_kind_edges(g), "\n"), table.concat({
    "root:eth0 > c:ipv ipvlan l2",
    "root:eth0 > root:eth0.10 vlan 10",
    "root:eth0 > root:svc vlan 20 802.1ad",
  }, "\n"), "each child joined to eth0 with its kind's words")
  t.ok(text:find('"link:root:d0" [', 1, true) and text:find("<B>d0</B><BR/>dummy", 1, true),
       "a dummy is a plain node")
  for _, e in ipairs(g.edges) do
    t.ok(not (e.b == "link:root:d0" and e.attrs:find("label=", 1, true)), "with no parent edge")
  end
end)

t.test("star 100: one node for the hosts, a few nodes in all", function()
  local _ <close> = t.fresh()
  local out, code = t.run("run", "bench/star.lua", "n=100", "ipv6=quiet")
  local _ <close> = setmetatable({}, {__close = function() t.run("down", "star") end})
  t.eq(code, 0, "run: " .. out:sub(-300))
  local text = dot()
  local g = parse(text)
  t.ok(g.nodes < 30, ("fewer than 30 nodes: %d"):format(g.nodes))
  t.ok(g.node_cluster["group:h1"], "the group's node")
  t.ok(text:find("h1 … h100 (100 namespaces)", 1, true), "the group's names")
  t.ok(text:find("10.0.0.2–101/16", 1, true), "its addresses' range")
  t.ok(text:find("vh1 … vh100 (100 ports)", 1, true), "the bridge's ports as one")
  t.ok(text:find('label="100 veth pairs"', 1, true), "one edge for the 100")
  t.ok(text:find("default via 10.0.0.1 dev eth0", 1, true), "their gateway")
  -- Without groups, every host is drawn.
  local all = parse(t.sh_ok(t.bin .. " -e 'io.write(graph.dot{group = false})'"))
  t.ok(all.nodes > 100, "group = false draws them all")
  local png = t.sh_ok(t.bin .. " graph --format png | head -c 24")
  t.eq(png:sub(1, 4), "\137PNG", "and renders")
end)

t.test("a stale /run/netns entry is drawn as gone", function()
  local _ <close> = t.fresh()
  t.sh_ok("ip netns add alive && touch /run/netns/ghost")
  local _ <close> = setmetatable({}, {__close = function() os.remove("/run/netns/ghost") end})
  local text = dot()
  t.ok(text:find('subgraph "cluster_ns_ghost"', 1, true), "ghost has its cluster")
  t.ok(text:find("(gone)", 1, true) and text:find('style="dashed,rounded"', 1, true), "drawn as gone")
  t.ok(text:find('subgraph "cluster_ns_alive"', 1, true), "the rest drawn")
  t.ok(dot("ghost"):find("cluster_ns_ghost", 1, true), "named, too")
end)

t.test("bad input: one line, exit 1; usage errors exit 2", function()
  local _ <close> = t.fresh()
  local function fails(code, want, ...)
    local out, c = t.run("graph", ...)
    t.eq(c, code, table.concat({...}, " ") .. ": " .. out)
    t.ok(out:find(want, 1, true), ("%q in: %s"):format(want, out))
    return out
  end
  local out = fails(1, 'netlab: graph: no namespace or lab "nope" (ip netns list, netlab ls)', "nope")
  t.eq(select(2, out:gsub("\n", "")), 1, "one line")
  out = fails(1, 'netlab: graph: unknown format "gif" (one of svg, png, pdf, dot, mermaid)', "--format", "gif")
  t.eq(select(2, out:gsub("\n", "")), 1, "one line")
  fails(1, 'cannot tell the format from "x.txt"', "-o", "x.txt")
  out = fails(1, "netlab: graph: cannot write /nonexistent/x.svg: No such file or directory",
              "-o", "/nonexistent/x.svg")
  t.eq(select(2, out:gsub("\n", "")), 1, "one line")
  fails(2, "netlab: graph: unknown option --frob", "--frob")
  fails(2, "netlab: graph: -o needs a value", "-o")
  -- A picture is not written to a terminal.
  if os.execute("command -v script >/dev/null 2>&1") then
    out = t.sh('script -qec "$1 graph --format png" /dev/null', t.bin)
    t.ok(out:find("png is not for a terminal: write it with -o FILE.png", 1, true), "refused on a tty: " .. out)
  end
  -- The module's own errors.
  t.fails(function() graph.dot{ns = "nope"} end, 'graph.dot: no namespace "nope"')
  t.fails(function() graph.dot{lab = "nope"} end, 'graph.dot: no lab "nope" (netlab ls lists them)')
  t.fails(function() graph.dot{nss = "x"} end, "unknown field 'nss' (did you mean 'ns'?)")
  t.fails(function() graph.dot{group = 1} end, "field 'group'")
  t.fails(function() graph.render("graph {", "svg") end, "graph.render: Graphviz cannot read the DOT text")
  t.fails(function() graph.render("graph {}", "gif") end, "bad argument #2 to 'render'")
  t.fails(function() graph.write("x.txt") end, 'graph.write: cannot tell the format from the name "x.txt"')
  t.fails(function() graph.write("/nonexistent/x.svg") end, "graph.write: cannot write /nonexistent/x.svg")
  t.fails(function() graph.write("x.svg", {format = "gif"}) end, "field 'format'")
end)

t.done()
