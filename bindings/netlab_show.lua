-- The netlab module, continued: the text of listings (links, routes,
-- addresses, namespaces) as a person reads them, and netlab.show().
local netlab = ...

-- Rows of strings laid out in aligned columns, as `ip -br` does.
function netlab._columns(rows, header)
  local width, out = {}, {}
  local all = header and {header, table.unpack(rows)} or rows
  for _, r in ipairs(all) do
    for i, cell in ipairs(r) do
      width[i] = math.max(width[i] or 0, utf8.len(tostring(cell)) or #tostring(cell))
    end
  end
  for _, r in ipairs(all) do
    local line = {}
    for i, cell in ipairs(r) do
      cell = tostring(cell)
      line[i] = i < #r and cell .. (" "):rep(width[i] - #cell) or cell
    end
    out[#out + 1] = table.concat(line, "  ")
  end
  return table.concat(out, "\n")
end

-- A link's state as a person needs it: up or down as asked, and whether it
-- has carrier (IFF_UP and IFF_LOWER_UP, set with the change itself), rather
-- than the operational state the kernel's linkwatch sets up to a second later.
function netlab._linkstate(l)
  if not l.up then return "DOWN" end
  return l.carrier and "UP" or "UP, no carrier"
end

local function link_rows(links, brief)
  local rows = {}
  for _, l in ipairs(links) do
    local addrs = l.addrs
    if brief then
      -- Every IPv6 device has a link-local address; a summary reads better without.
      addrs = {}
      for _, a in ipairs(l.addrs) do
        if not a:match("^fe80:") then addrs[#addrs + 1] = a end
      end
    end
    local peer = l.peer and (l.peer_ns == l.ns and l.peer or l.peer .. "@" .. (l.peer_ns or "?"))
    rows[#rows + 1] = {
      l.name, netlab._linkstate(l), l.kind, tostring(l.mtu),
      l.master or "-", peer or "-",
      #addrs > 0 and table.concat(addrs, " ") or "-",
    }
  end
  return rows
end

netlab._meta("netlab.links").__tostring = function(links)
  if #links == 0 then return "(no links)" end
  return netlab._columns(link_rows(links),
    {"NAME", "STATE", "KIND", "MTU", "MASTER", "PEER", "ADDRESSES"})
end

netlab._meta("netlab.linkinfo").__tostring = function(l)
  return netlab._columns(link_rows({l}))
end

local function route_text(r)
  local s = {r.dst}
  if r.via then s[#s + 1] = "via " .. r.via end
  if r.dev then s[#s + 1] = "dev " .. r.dev end
  if r.proto ~= "boot" then s[#s + 1] = "proto " .. tostring(r.proto) end
  if r.scope ~= "global" then s[#s + 1] = "scope " .. r.scope end
  if r.src then s[#s + 1] = "src " .. r.src end
  if r.metric ~= 0 then s[#s + 1] = "metric " .. r.metric end
  if r.table ~= 254 then s[#s + 1] = "table " .. r.table end
  if r.onlink then s[#s + 1] = "onlink" end
  return table.concat(s, " ")
end

netlab._meta("netlab.route").__tostring = route_text

netlab._meta("netlab.routes").__tostring = function(routes)
  if #routes == 0 then return "(no routes)" end
  local out = {}
  for i, r in ipairs(routes) do out[i] = route_text(r) end
  return table.concat(out, "\n")
end

netlab._meta("netlab.addr").__tostring = function(a)
  return a.dev .. "  " .. a.addr .. (a.brd and " brd " .. a.brd or "")
end

netlab._meta("netlab.addrs").__tostring = function(addrs)
  if #addrs == 0 then return "(no addresses)" end
  local rows = {}
  for _, a in ipairs(addrs) do
    rows[#rows + 1] = {a.dev, a.family, a.addr, a.brd and "brd " .. a.brd or "", a.scope}
  end
  return netlab._columns(rows)
end

netlab._meta("netlab.nslist").__tostring = function(list)
  if #list == 0 then return "(no namespaces)" end
  local names = {}
  for i, n in ipairs(list) do names[i] = n.gone and n.name .. " (gone)" or n.name end
  return table.concat(names, "\n")
end

-- A link's kind with its key details, short enough for the KIND column:
-- macvlan(bridge)@veth0, ipvlan(l2)@eth0, vlan 10@eth0, vxlan 42@eth0,
-- bridge(stp). The parent is the link ip names after "@".
local function kind_text(l)
  local d = l.linkinfo and l.linkinfo.info_data
  if not d then return l.kind end
  local parent = l.link or (l.link_index and "if" .. l.link_index)
  local at = parent and "@" .. parent or ""
  if l.kind == "macvlan" or l.kind == "ipvlan" then
    return ("%s(%s)%s"):format(l.kind, d.mode or "?", at)
  elseif l.kind == "vlan" then
    local proto = d.protocol and d.protocol ~= "802.1Q" and d.protocol .. " " or ""
    return ("vlan %s%s%s"):format(proto, tostring(d.id), at)
  elseif l.kind == "vxlan" then
    return ("vxlan %s%s"):format(tostring(d.id or "external"), d.link and "@" .. d.link or "")
  elseif l.kind == "bridge" then
    local on = {}
    if (d.stp_state or 0) ~= 0 then on[#on + 1] = "stp" end
    if (d.vlan_filtering or 0) ~= 0 then on[#on + 1] = "vlan_filtering" end
    return #on > 0 and ("bridge(%s)"):format(table.concat(on, ",")) or "bridge"
  end
  return l.kind
end

-- A VXLAN's endpoints, as `ip -d link` words them: too long for a column.
local function vxlan_text(l)
  local d = l.linkinfo.info_data
  local s = {"vxlan id " .. tostring(d.id)}
  for _, f in ipairs{{"group", "group"}, {"group6", "group"}, {"remote", "remote"},
                     {"remote6", "remote"}, {"local", "local"}, {"local6", "local"},
                     {"link", "dev"}, {"port", "dstport"}} do
    if d[f[1]] ~= nil then s[#s + 1] = f[2] .. " " .. tostring(d[f[1]]) end
  end
  return table.concat(s, " ")
end

-- The rows of a namespace's links in the model (netlab.state), as link_rows
-- makes them from link.list.
local function model_rows(links)
  local rows = {}
  for _, l in ipairs(links) do
    local addrs = {}
    for _, a in ipairs(l.addr_info) do
      addrs[#addrs + 1] = a["local"] .. "/" .. a.prefixlen
    end
    rows[#rows + 1] = {
      name = l.ifname, up = l.up, carrier = l.carrier, kind = kind_text(l),
      mtu = l.mtu, master = l.master, peer = l.peer and l.peer.ifname,
      peer_ns = l.peer and l.peer.ns, addrs = addrs,
    }
  end
  return rows
end

-- The nftables lines of a namespace: each base chain's policy where it
-- matters (a filter chain, or any that drops), then the chain's rules;
-- netlab's own table only, as a lab's readers expect.
local function nat_lines(e, out)
  local nft = e.nftables
  if not nft then return end
  local lines = {}
  for _, c in ipairs(nft.chains) do
    if c.table == "netlab" and c.family == "inet" then
      if c.policy and (c.type == "filter" or c.policy ~= "accept") then
        lines[#lines + 1] = ("    %s: policy %s"):format(c.name, c.policy)
      end
      for _, r in ipairs(nft.rules) do
        if r.chain == c.name and r.table == c.table and r.family == c.family then
          lines[#lines + 1] = ("    %s: %s"):format(r.chain, r.text)
        end
      end
    end
  end
  if #lines == 0 then return end
  out[#out + 1] = "  nat (table inet netlab):"
  for _, l in ipairs(lines) do out[#out + 1] = l end
end

-- What a namespace of the model holds, as a person reads it: its links,
-- then its routes of the main table (the kernel's own IPv6 link-local and
-- multicast routes left out: noise in a summary), its static neighbours.
local function show_one(e, out)
  if e.gone then
    out[#out + 1] = ("== %s: %s"):format(e.name, e.why or "gone")
    return
  end
  out[#out + 1] = ("== %s"):format(e.name)
  out[#out + 1] = "  " .. netlab._columns(link_rows(model_rows(e.links), true),
    {"NAME", "STATE", "KIND", "MTU", "MASTER", "PEER", "ADDRESSES"}):gsub("\n", "\n  ")
  -- Per-link sections: a title, then "    NAME: TEXT" for each link that
  -- has something to say (text(l) not nil).
  local function section(title, text)
    local rows = {}
    for _, l in ipairs(e.links) do
      local x = text(l)
      if x then rows[#rows + 1] = ("    %s: %s"):format(l.ifname, x) end
    end
    if #rows > 0 then
      out[#out + 1] = "  " .. title .. ":"
      table.move(rows, 1, #rows, #out + 1, out)
    end
  end
  section("vxlan", function(l)
    return l.kind == "vxlan" and l.linkinfo and l.linkinfo.info_data and vxlan_text(l) or nil
  end)
  -- A VLAN-aware bridge's VLANs, port by port, as `bridge vlan` words them.
  section("vlans", function(l)
    if not l.vlans then return nil end
    local w = {}
    for _, v in ipairs(l.vlans) do
      w[#w + 1] = tostring(v.vid) .. (v.pvid and " PVID" or "") .. (v.untagged and " untagged" or "")
    end
    return table.concat(w, ", ")
  end)
  -- What link.impair does to a link's sending side, in tc's words.
  section("impaired (egress)", function(l) return l.impair and link._impair_text(l.impair) or nil end)
  local routes = {}
  for _, r in ipairs(e.routes) do
    if r.table == "main" and (r.family == "inet" or (r.protocol ~= "kernel" and r.type == "unicast")) then
      local dst = r.dst
      if dst ~= "default" and not dst:find("/") then dst = dst .. (r.family == "inet" and "/32" or "/128") end
      routes[#routes + 1] = route_text{dst = dst, via = r.gateway, dev = r.dev, proto = r.protocol,
                                       scope = r.scope, src = r.prefsrc, metric = r.metric,
                                       table = 254, onlink = r.onlink}
    end
  end
  if #routes > 0 then
    out[#out + 1] = "  routes:"
    for _, r in ipairs(routes) do out[#out + 1] = "    " .. r end
  end
  -- The static neighbours, as `ip neigh` writes them (the model holds no others).
  if e.neighbors and #e.neighbors > 0 then
    out[#out + 1] = "  neighbours:"
    for _, n in ipairs(e.neighbors) do
      out[#out + 1] = ("    %s dev %s lladdr %s PERMANENT"):format(n.dst, n.dev, n.lladdr or "-")
    end
  end
  nat_lines(e, out)
end

netlab._meta("netlab.state").__tostring = function(state)
  local out = {}
  for _, e in ipairs(state) do show_one(e, out) end
  return table.concat(out, "\n")
end

-- netlab.show([ns | {ns, …}]): the links and routes of the root and every
-- namespace (or of the ones named), as text: the model netlab.state reads,
-- printed. A namespace that is not there (a stale /run/netns entry) is
-- shown as gone, and the rest still shown.
function netlab.show(which)
  local text = tostring(netlab.state(which))
  return text
end

return netlab
