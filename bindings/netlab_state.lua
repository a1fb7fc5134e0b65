-- The netlab module, continued: netlab.state(), the one model of the live
-- kernel (namespaces, links, addresses, routes, forwarding, nftables, and
-- the lab each belongs to), and its JSON. netlab.show() and `netlab show
-- [--json]` read this model; nothing else walks the kernel for them.
-- Sugar over the modules' primitives: link.list, link.addrs, route.list,
-- nat.list and ns.sysctl already read what it holds.
local netlab = ...

-- Lists stay lists in JSON even when empty (lua-cjson 2.1 writes an empty
-- table as {}): they carry this metatable, and netlab._json writes them as [].
local ARRAY = netlab._meta("netlab.state.array")
local function array(t) return setmetatable(t or {}, ARRAY) end

-- ip's names of the tables it names; others go by number, as `ip -j` gives them.
local TABLES = {[253] = "default", [254] = "main", [255] = "local"}

-- Which lab made what: every lab's records (lab/lab_state.lua), and the marks
-- a lab leaves on objects outside its own namespaces (a link's alias
-- "netlab:LAB", an nftables rule's comment "netlab:LAB").
local function lab_index()
  local idx = {ns = {}, link = {}, addr = {}, route = {}, nfttable = {}, neigh = {}}
  local S = require "netlab.lab_state"
  local ok, files = pcall(netlab._ls, S.dir)
  if not ok or type(files) ~= "table" then return idx end
  local seen = {}
  for _, file in ipairs(files) do
    local name = file:match("^(.-)%.state$") or file:match("^(.-)%.journal$")
    if name and not seen[name] then
      seen[name] = true
      local okr, records = pcall(S.load_records, name)
      for _, r in ipairs(okr and records or {}) do
        if r.kind == "ns" then idx.ns[r.name] = name
        elseif r.kind == "link" then
          idx.link[r.ns .. "|" .. r.name] = name
          if r.peer and r.peer_ns then idx.link[r.peer_ns .. "|" .. r.peer] = name end
        elseif r.kind == "addr" then idx.addr[r.ns .. "|" .. r.dev .. "|" .. r.addr] = name
        elseif r.kind == "route" then
          idx.route[("%s|%s|%s"):format(r.ns, r.table or 254, r.dst)] = name
        elseif r.kind == "nfttable" then idx.nfttable[r.ns .. "|" .. r.table] = name
        elseif r.kind == "neigh" then idx.neigh[r.ns .. "|" .. r.dev .. "|" .. r.addr] = name
        end
      end
    end
  end
  return idx
end

local function mark(text)
  return type(text) == "string" and text:match("^netlab:(.+)$") or nil
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

-- The links of n once settled: a state read just after building reads as
-- it will a moment later. linkwatch runs at least once a second, so this ends.
local function settled_links(n)
  local links = link.list(n)
  for _ = 1, 60 do
    if not settling(links) then break end
    netlab.sleep(0.02)
    links = link.list(n)
  end
  return links
end

-- A copy of t, for the model to own what the binding gave.
local function copy(t)
  local c = {}
  for k, v in pairs(t) do c[k] = v end
  return c
end

-- ip's linkinfo: the kernel's link kind (which a plain device and loopback
-- lack) and, for the kinds the core reads, info_data, a link of the same
-- namespace in it named as ip names it.
local function linkinfo(l, name_of)
  if l.kind == "device" or l.kind == "loopback" then return nil end
  local data = l.info_data and copy(l.info_data)
  if data and math.type(data.link) == "integer" then data.link = name_of(data.link) end
  if data and data.flags then data.flags = array(data.flags) end
  return {info_kind = l.kind, info_data = data}
end

-- The VLANs of a namespace's bridges and their ports (bridge.vlans, as
-- `bridge -j vlan`), under each link as vlans = {{vid =, pvid =, untagged =}};
-- only where there is a bridge, and none where the kernel lists none (one
-- without VLAN filtering), so a lab without them reads as before.
local function read_vlans(n, list, byname)
  local any = false
  for _, l in ipairs(list) do any = any or l.kind == "bridge" end
  if not any then return end
  -- A dry run's planned namespace has nothing the kernel could list.
  local ok, rows = pcall(bridge.vlans, nil, {ns = n})
  if not ok then return end
  for _, v in ipairs(rows) do
    local e = byname[v.port]
    if e then
      e.vlans = e.vlans or array()
      e.vlans[#e.vlans + 1] = {vid = v.vid, pvid = v.pvid, untagged = v.untagged}
    end
  end
end

local function read_links(n, labs, nslab)
  local out, byname = array(), {}
  local list = settled_links(n)
  local byindex = {}
  for _, l in ipairs(list) do byindex[l.index] = l end
  -- ip names a link it cannot find by its index.
  local function name_of(i) return byindex[i] and byindex[i].name or "if" .. i end
  for _, l in ipairs(list) do
    local e = {
      ifindex = l.index, ifname = l.name, kind = l.kind,
      -- A dry run's planned links (lab_dry.lua) have no flags.
      linkinfo = linkinfo(l, name_of), flags = l.flags and array(copy(l.flags)),
      operstate = l.state, up = l.up, carrier = l.carrier, mtu = l.mtu,
      address = l.mac, master = l.master, ifalias = l.alias,
      link_index = l.link_index, link_netnsid = l.link_netnsid,
      addr_info = array(),
    }
    if l.peer then e.peer = {ns = l.peer_ns, ifname = l.peer} end
    -- The link a macvlan, ipvlan or vlan sits on, or a vxlan sends from, in
    -- whichever namespace it is: a link moved away keeps its parent where
    -- it was made (ip gives only link_index and link_netnsid then).
    if l.parent then e.parent = {ns = l.parent_ns, ifname = l.parent} end
    -- ip names a link in the same namespace (no netnsid) by name, not index:
    -- a veth's peer, a macvlan's, vlan's or ipvlan's parent; and says
    -- M-DOWN when that link is down.
    if l.link_index and not l.link_netnsid then
      e.link, e.link_index = name_of(l.link_index), nil
      -- ip takes a parent it cannot find for down too.
      local parent = byindex[l.link_index]
      if e.flags and not (parent and parent.up) then e.flags[#e.flags + 1] = "M-DOWN" end
    end
    -- The link a macvlan, ipvlan or vlan sits on, or a vxlan sends from,
    -- wherever it is, as {ns, ifname} like a veth's peer (netlab's own, not
    -- ip's: a link moved away has only link_index and link_netnsid there).
    if l.parent then
      e.parent = {ns = l.parent_ns, ifname = l.parent}
    elseif l.link_index and not l.link_netnsid and l.kind ~= "veth" then
      e.parent = {ns = n.name, ifname = e.link}
    end
    e.lab = labs.link[n.name .. "|" .. l.name] or mark(l.alias) or nslab
    out[#out + 1] = e
    byname[l.name] = e
  end
  read_vlans(n, list, byname)
  for _, a in ipairs(link.addrs{ns = n}) do
    local e = byname[a.dev]
    if e then
      local addr, plen = a.addr:match("^(.-)/(%d+)$")
      e.addr_info[#e.addr_info + 1] = {
        family = a.family, ["local"] = addr, prefixlen = tonumber(plen),
        broadcast = a.brd, scope = a.scope,
        lab = labs.addr[n.name .. "|" .. a.dev .. "|" .. a.addr] or e.lab,
      }
    end
  end
  return out
end

local function read_routes(n, labs, nslab)
  local out = array()
  for _, r in ipairs(route.list{ns = n, table = "all"}) do
    local key = r.dst == "default" and r.family == "inet6" and "default6" or r.dst
    out[#out + 1] = {
      -- A host route's dst is its address alone, as ip writes it.
      family = r.family, type = r.type, dst = r.dst:gsub("/32$", ""):gsub("/128$", ""), gateway = r.via, dev = r.dev,
      table = TABLES[r.table] or tostring(r.table), protocol = r.proto, scope = r.scope,
      prefsrc = r.src, metric = r.metric, onlink = r.onlink,
      lab = labs.route[("%s|%s|%s"):format(n.name, r.table, key)] or nslab,
    }
  end
  return out
end

local function read_nft(n, labs, nslab)
  local list = nat.list{ns = n, all = true}
  local tlab = {}
  local out = {tables = array(), chains = array(), rules = array()}
  for _, x in ipairs(list.tables) do
    local lab = labs.nfttable[n.name .. "|" .. x.name] or mark(x.comment) or nslab
    tlab[x.family .. "|" .. x.name] = lab
    out.tables[#out.tables + 1] = {family = x.family, name = x.name, handle = x.handle,
                                   comment = x.comment, netlab = x.netlab, lab = lab}
  end
  for _, c in ipairs(list.chains) do
    out.chains[#out.chains + 1] = {
      family = c.family, table = c.table, name = c.name, handle = c.handle, type = c.type,
      hook = c.hook, prio = c.prio, policy = c.policy, lab = tlab[c.family .. "|" .. c.table],
    }
  end
  for _, r in ipairs(list) do
    out.rules[#out.rules + 1] = {
      family = r.family, table = r.table, chain = r.chain, handle = r.handle, text = r.text,
      comment = r.comment, packets = r.packets, bytes = r.bytes,
      lab = mark(r.comment) or tlab[r.family .. "|" .. r.table],
    }
  end
  return out
end

-- The static neighbours: PERMANENT entries, what a script (link.neighbor_add)
-- or a person (`ip neigh add … nud permanent`) set, as `ip -j neigh` gives
-- them. The dynamic ones (REACHABLE, STALE, …) are left out: they are the
-- kernel's cache of the traffic, change from one second to the next and are
-- shared by nothing a lab makes, so a model holding them would differ between
-- two reads of the same network; link.neighbors lists them.
local function read_neighbors(n, labs, nslab)
  local out = array()
  -- A dry run's planned namespace has no table to read.
  local ok, list = pcall(link.neighbors, {ns = n})
  if not ok then return out end
  for _, e in ipairs(list) do
    if e.state == "PERMANENT" then
      out[#out + 1] = {
        dst = e.addr, dev = e.link, lladdr = e.mac, state = array{"PERMANENT"},
        lab = labs.neigh[n.name .. "|" .. e.link .. "|" .. e.addr] or nslab,
      }
    end
  end
  table.sort(out, function(a, b)
    if a.dev ~= b.dev then return a.dev < b.dev end
    return a.dst < b.dst
  end)
  return out
end

local function sysctl(n, key)
  local ok, v = pcall(ns.sysctl, n, key)
  if ok then return v == "1" end
end

-- One namespace read whole; a namespace that cannot be opened, or that goes
-- while it is read (its reads fail and it is no longer there), is gone.
local function read_ns(name, labs)
  local e = {name = name, lab = labs.ns[name]}
  local n, why = ns.get(name)
  if not n then
    e.gone, e.why = true, why or "gone"
    return e
  end
  if netlab._state_hook then netlab._state_hook(name) end
  local ok, err = pcall(function()
    e.links = read_links(n, labs, e.lab)
    e.routes = read_routes(n, labs, e.lab)
    e.neighbors = read_neighbors(n, labs, e.lab)
    e.forwarding = {ipv4 = sysctl(n, "net.ipv4.ip_forward"),
                    ipv6 = sysctl(n, "net.ipv6.conf.all.forwarding")}
    local okn, nft = pcall(read_nft, n, labs, e.lab)
    e.nftables = okn and nft or nil
  end)
  if not ok then
    local still = ns.get(name)
    if still then error(err, 0) end
    return {name = name, lab = e.lab, gone = true, why = "gone while it was read"}
  end
  return e
end

-- The names asked for, or the root and every namespace.
local function names_of(which)
  local names = {}
  if which == nil then
    names[1] = "root"
    for _, n in ipairs(ns.list()) do names[#names + 1] = n.name end
    return names
  end
  if type(which) == "table" and getmetatable(which) ~= nil and
      getmetatable(which) ~= netlab._meta("netlab.ns") then
    netlab._argerror(1, "namespace name, object or a list of them expected")
  end
  for _, n in ipairs(netlab._list(which)) do
    if type(n) ~= "string" and getmetatable(n) ~= netlab._meta("netlab.ns") then
      netlab._argerror(1, "namespace name, object or a list of them expected, got " .. type(n))
    end
    names[#names + 1] = type(n) == "table" and n.name or n
  end
  return names
end

-- netlab.state([ns | {ns, …}]): a list of namespaces, each with its links,
-- addresses, routes (every table), static neighbours, forwarding and
-- nftables, as one table.
function netlab.state(which)
  local names = names_of(which)
  local labs = lab_index()
  local out = array()
  for _, name in ipairs(names) do out[#out + 1] = read_ns(name, labs) end
  return setmetatable(out, netlab._meta("netlab.state"))
end

-- JSON of a model (or any plain data): lists as arrays even when empty,
-- keys sorted by lua-cjson's order (its own), no metatables consulted.
local cjson = require("cjson").new()
cjson.encode_number_precision(14)
cjson.encode_sparse_array(true)
local EMPTY = "\1netlab-empty-array\1"
local function plain(v)
  if type(v) ~= "table" then return v end
  if getmetatable(v) == ARRAY and next(v) == nil then return EMPTY end
  local c = {}
  for k, x in pairs(v) do c[k] = plain(x) end
  return c
end

function netlab._json(v)
  -- lua-cjson 2.1 escapes every "/" ("10.0.0.0\/24"); JSON needs no escape
  -- there, and jq and ip write none. An escaped backslash stays as it is:
  -- "\\\/" (a backslash, then a slash) has its "\/" last.
  local text = cjson.encode(plain(v)):gsub('"\\u0001netlab%-empty%-array\\u0001"', "[]")
  text = text:gsub("\\/", "/")
  return text
end

return netlab
