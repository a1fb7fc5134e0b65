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

-- Whether the kernel has yet to settle a link: its carrier and its
-- operational state disagree until linkwatch has run. A bridge's carrier
-- waits for its ports' events too (docs/hacking.md, "Link state").
local function settling(links)
  for _, l in ipairs(links) do
    if l.up then
      local down = l.state == "DOWN" or l.state == "LOWERLAYERDOWN"
      if l.carrier == down then return true end
    end
  end
  return false
end

-- The links of n once settled: a show just after building reads as it will
-- a moment later. linkwatch runs at least once a second, so this ends.
local function settled_links(n)
  local links = link.list(n)
  for _ = 1, 60 do
    if not settling(links) then break end
    netlab.sleep(0.02)
    links = link.list(n)
  end
  return links
end

-- The nftables lines of a namespace: each base chain's policy where it
-- matters (a filter chain, or any that drops), then the chain's rules.
local function nat_lines(n, out)
  local ok, list = pcall(nat.list, n)
  if not ok then return end
  local lines = {}
  for _, c in ipairs(list.chains or {}) do
    if c.policy and (c.type == "filter" or c.policy ~= "accept") then
      lines[#lines + 1] = ("    %s: policy %s"):format(c.name, c.policy)
    end
    for _, r in ipairs(list) do
      if r.chain == c.name and r.table == c.table and r.family == c.family then
        lines[#lines + 1] = ("    %s: %s"):format(r.chain, r.text)
      end
    end
  end
  if #lines == 0 then return end
  out[#out + 1] = "  nat (table inet netlab):"
  for _, l in ipairs(lines) do out[#out + 1] = l end
end

-- What a namespace holds, as a person reads it: its links, then its routes.
local function show_one(n, out)
  local links = settled_links(n)
  local routes = route.list{ns = n, family = "inet"}
  local v6 = route.list{ns = n, family = "inet6"}
  for _, r in ipairs(v6) do
    -- The kernel's own fe80::/64 and multicast routes are noise in a summary.
    if r.proto ~= "kernel" and r.type == "unicast" then routes[#routes + 1] = r end
  end
  out[#out + 1] = ("== %s"):format(n.name)
  out[#out + 1] = "  " .. netlab._columns(link_rows(links, true),
    {"NAME", "STATE", "KIND", "MTU", "MASTER", "PEER", "ADDRESSES"}):gsub("\n", "\n  ")
  if #routes > 0 then
    out[#out + 1] = "  routes:"
    for _, r in ipairs(routes) do out[#out + 1] = "    " .. route_text(r) end
  end
  nat_lines(n, out)
end

-- netlab.show([ns | {ns, …}]): the links and routes of the root and every
-- namespace (or of the ones named), as text. A namespace that is not there
-- (a stale /run/netns entry) is shown as gone, and the rest still shown.
function netlab.show(which)
  local list
  if which == nil then
    list = {ns.root}
    for _, n in ipairs(ns.list()) do list[#list + 1] = n end
  else
    list = {}
    if type(which) == "table" and getmetatable(which) ~= nil and
        getmetatable(which) ~= netlab._meta("netlab.ns") then
      netlab._argerror(1, "namespace name, object or a list of them expected")
    end
    for _, n in ipairs(netlab._list(which)) do
      if type(n) ~= "string" and getmetatable(n) ~= netlab._meta("netlab.ns") then
        netlab._argerror(1, "namespace name, object or a list of them expected, got " .. type(n))
      end
      list[#list + 1] = n
    end
  end
  local out = {}
  for _, n in ipairs(list) do
    local name = type(n) == "table" and n.name or n
    local obj, why = ns.get(name)
    if obj then
      show_one(obj, out)
    else
      out[#out + 1] = ("== %s: %s"):format(tostring(name), why or "gone")
    end
  end
  return table.concat(out, "\n")
end

return netlab
