-- The Lua half of the netlab module: shared helpers for the other halves,
-- text layout of listings, and netlab.show().
--
-- A rule for every Lua half: no tail calls in functions scripts call
-- (`local r = f(); return r`). Error messages name the function the
-- script called by finding its frame, and a tail call removes that frame.
local netlab = ...

-- netlab._check(t, arg, spec, npos): refuses a field of t that spec does not
-- list (netlab._fields, the check the C halves make: one spec per function,
-- one "did you mean"); integer keys 1..npos are positional. spec.X, a spec
-- itself, checks a table given as field X (a veth's peer{name, …}).
function netlab._check(t, arg, spec, npos)
  if type(t) ~= "table" then
    netlab._argerror(arg, "table of options expected, got " .. type(t))
  end
  netlab._fields(t, arg, spec, npos)
  for k, sub in pairs(spec) do
    if type(k) == "string" and type(t[k]) == "table" and getmetatable(t[k]) == nil then
      netlab._check(t[k], arg, sub, 1)
    end
  end
end

-- f(name, opts) or f{name, …}: a fresh options table with the name at [1],
-- so the caller's table is never changed. With spec (the fields the function
-- takes), any other field is refused before anything is made.
function netlab._opts(a, b, spec)
  local o = {}
  if type(a) == "table" and getmetatable(a) == nil then
    if spec then netlab._check(a, 1, spec, 1) end
    for k, v in pairs(a) do o[k] = v end
  else
    if b ~= nil and type(b) ~= "table" then
      netlab._argerror(2, "table of options expected, got " .. type(b))
    end
    if spec and b then netlab._check(b, 2, spec, 0) end
    for k, v in pairs(b or {}) do o[k] = v end
    o[1] = a
  end
  return o
end

-- An object's method that calls mod[name] as it is at the time of the call,
-- not at load time: while a lab runs, ns.exec and link.set are the lab's
-- wrappers (a dry run's ns.exec runs nothing), and obj:exec must be too.
-- Errors name it qual, as they name the function.
function netlab._method(mod, name, qual)
  local f = function(...)
    local r = table.pack(mod[name](...))
    return table.unpack(r, 1, r.n)
  end
  netlab._name(f, qual)
  return f
end

-- Files Lua opens are close-on-exec as netlab's own are (netlab._cloexec):
-- a lab's journal must not leak into every command a script runs.
do
  local open = io.open
  function io.open(...)
    local f, err, code = open(...)
    if f then netlab._cloexec(f) end
    return f, err, code
  end
end

-- o.kind = kind for link.veth, link.dummy and bridge.add: a kind the caller
-- gave is refused unless it is that one, rather than replaced unsaid.
function netlab._kind(o, kind, a)
  if o.kind ~= nil and o.kind ~= kind then
    netlab._argerror(type(a) == "table" and getmetatable(a) == nil and 1 or 2,
      ("field 'kind': this makes a %s, got %s"):format(kind,
        type(o.kind) == "string" and ("%q"):format(o.kind:sub(1, 40)) or type(o.kind)))
  end
  o.kind = kind
end

-- "a", an object, or a list of them, as a list.
function netlab._list(v)
  if v == nil then return {} end
  if type(v) == "table" and rawget(v, "name") == nil then return v end
  return {v}
end

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

-- Script parameters --------------------------------------------------------

-- Checks a parameter's text against its kind; returns the value or nil, why.
local kinds = {}

function kinds.string(s) return s end

function kinds.number(s)
  local v = tonumber(s)
  if not v then return nil, "a number expected" end
  return v
end

function kinds.integer(s)
  local v = math.tointeger(tonumber(s))
  if not v then return nil, "a whole number expected" end
  return v
end

function kinds.boolean(s)
  local t = {["true"] = true, yes = true, on = true, ["1"] = true,
             ["false"] = false, no = false, off = false, ["0"] = false}
  if t[s] == nil then return nil, "true or false expected" end
  return t[s]
end

function kinds.cidr(s)
  local c, why = netlab.cidr(s)
  if not c then return nil, why end
  return s
end

-- A network: a CIDR without host bits, as "192.168.52.0/24".
function kinds.subnet(s)
  local c, why = netlab.cidr(s)
  if not c then return nil, why end
  if c.network ~= s then
    return nil, ("host bits set (the network is %s)"):format(c.network)
  end
  return s
end

function kinds.addr(s)
  local c, why = netlab.cidr(s, false)
  if not c or s:find("/") then return nil, why or "an address without prefix expected" end
  return s
end

function kinds.ifname(s)
  if #s == 0 or #s > 15 or s:find("[/%s:]") then
    return nil, "an interface name of 1 to 15 bytes without '/', ':' or spaces expected"
  end
  return s
end

function kinds.nsname(s)
  if #s == 0 or #s > 254 or s:find("[/%s]") or s == "." or s == ".." or s == "root" then
    return nil, "a namespace name without '/' or spaces (and not \"root\") expected"
  end
  return s
end

local function help_text(decl)
  local lines = {}
  local script = arg and arg[0] or "script"
  lines[#lines + 1] = decl.doc and ("%s: %s"):format(script, decl.doc) or script
  lines[#lines + 1] = ""
  lines[#lines + 1] = ("usage: netlab run [--sandbox] %s [key=value ...]"):format(script)
  lines[#lines + 1] = ""
  lines[#lines + 1] = "parameters:"
  local rows = {}
  for _, d in ipairs(decl) do
    rows[#rows + 1] = {"  " .. d[1] .. "=" .. tostring(d[2]), d[3] or ""}
  end
  lines[#lines + 1] = netlab._columns(rows)
  return table.concat(lines, "\n")
end

-- netlab.params{doc = "what the script builds",
--   {"subnet", "192.168.52.0/24", "the LAN's subnet", kind = "subnet"}, …}
-- Declares the script's parameters with defaults and one-line descriptions.
-- Returns their values, from `netlab run FILE key=value` or the defaults,
-- checked before the script builds anything; `netlab run FILE --help`
-- prints them and ends the script.
function netlab.params(decl)
  if type(decl) ~= "table" then netlab._argerror(1, "table of parameters expected") end
  netlab._check(decl, 1, {"doc"}, -1)
  if decl.doc ~= nil and type(decl.doc) ~= "string" then
    netlab._argerror(1, "field 'doc': string expected, got " .. type(decl.doc))
  end
  local known, values = {}, {}
  for i, d in ipairs(decl) do
    if type(d) ~= "table" or type(d[1]) ~= "string" or d[2] == nil then
      netlab._argerror(1, ("parameter %d: {name, default, description} expected"):format(i))
    end
    netlab._check(d, 1, {"kind", "check"}, 3)
    local kind = d.kind or type(d[2])
    if not kinds[kind] and type(d.check) ~= "function" then
      netlab._argerror(1, ("parameter %q: unknown kind %q"):format(d[1], tostring(kind)))
    end
    known[d[1]] = d
  end
  if netlab._want_help then
    -- The end of the script: `netlab run FILE --help` prints the text.
    error(setmetatable({help = true, text = help_text(decl)},
                       {__tostring = function() return "help" end}), 0)
  end
  -- What is wrong is on the command line, not at a line of the script: the
  -- message names the script and the parameter, in words, as a usage error.
  local script = arg and arg[0] or "script"
  local function usage(fmt, ...)
    error(("%s: " .. fmt .. " (see --help)"):format(script, ...), 0)
  end
  local given = params or {}
  for k in pairs(given) do
    if not known[k] then
      local names = {}
      for _, d in ipairs(decl) do names[#names + 1] = d[1] end
      usage("unknown parameter %q (this script takes: %s)", k, table.concat(names, ", "))
    end
  end
  for _, d in ipairs(decl) do
    local name, default = d[1], d[2]
    local text = given[name]
    local v = default
    if text ~= nil then
      local kind = d.kind or type(default)
      local why
      v, why = kinds[kind or "string"](text)
      if v ~= nil and d.check then
        local ok, w = d.check(v)
        if not ok then v, why = nil, w end
      end
      if v == nil then usage("parameter %s=%s: %s", name, text, why or "invalid") end
    end
    values[name] = v
  end
  return values
end

return netlab
