-- The Lua half of the link module: addresses given at creation, the veth
-- and dummy shorthands, and link objects.
local link = ...

-- The C primitive stays reachable as link._add: labs record what it makes.
link._add = link.add

local M = netlab._meta("netlab.link")
M.__name = "netlab.link"
M.__index = {
  up = function(self) link.set(self, {up = true}); return self end,
  down = function(self) link.set(self, {up = false}); return self end,
  -- Through the module table at call time, so that a lab's wrappers see the change.
  set = function(self, c) link.set(self, c); return self end,
  del = netlab._method(link, "del", "link.del"),
  info = netlab._method(link, "get", "link.get"),
  addr = function(self, cidr, o) link.addr_add(self, cidr, o); return self end,
  addrs = netlab._method(link, "addrs", "link.addrs"),
  master = function(self, br) link.set(self, {master = br}); return self end,
  nomaster = function(self) link.set(self, {master = false}); return self end,
}
netlab._name(M.__index.set, "link.set")
netlab._name(M.__index.del, "link.del")
M.__tostring = function(self)
  local i = link.get(self)
  if not i then return ("link %q in %q (gone)"):format(self.name, self.ns.name) end
  return ("link %q in %q: %s %s mtu %d%s%s"):format(self.name, self.ns.name, i.kind, netlab._linkstate(i),
    i.mtu, i.master and " master " .. i.master or "",
    #i.addrs > 0 and " " .. table.concat(i.addrs, " ") or "")
end
M.__eq = function(a, b) return a.name == b.name and a.ns.name == b.ns.name end

-- Checked before anything is created, so a typo builds nothing.
local function check_addrs(o, where)
  if type(o.addr) == "table" and getmetatable(o.addr) ~= nil then
    netlab._argerror(1, where .. "field 'addr': a CIDR string or a plain list of them expected")
  end
  for _, cidr in ipairs(netlab._list(o.addr)) do
    if type(cidr) ~= "string" then
      netlab._argerror(1, ("%sfield 'addr': CIDR string expected, got %s"):format(where, type(cidr)))
    end
    local ok, why = netlab.cidr(cidr)
    if not ok then netlab._argerror(1, where .. why) end
  end
end

-- An impairment as tc's words, in one order: "delay 50ms jitter 5ms loss 1%
-- rate 10mbit" ("" for none); what labs record, netlab show and the picture
-- print. link._impair_words reads it back into link.impair's table.
local impair_order = {"delay", "jitter", "distribution", "loss", "duplicate", "corrupt",
                      "reorder", "rate", "limit"}
function link._impair_text(t)
  local w = {}
  for _, k in ipairs(impair_order) do
    if t and t[k] ~= nil then w[#w + 1] = k .. " " .. tostring(t[k]) end
  end
  return table.concat(w, " ")
end

function link._impair_words(text)
  local t = {}
  for k, v in tostring(text or ""):gmatch("(%a+) (%S+)") do
    t[k] = k == "limit" and math.tointeger(tonumber(v)) or v
  end
  return next(t) and t or false
end

-- impair = {…} on an end of link.add (link.set's is the C half's): checked (link._impair_norm
-- raises as link.impair would) before anything is made; false clears.
local function check_impair(v, where, arg)
  if v == nil or v == false then return end
  if type(v) ~= "table" or getmetatable(v) ~= nil then
    netlab._argerror(arg, ("%sfield 'impair': a table of impairments or false expected, got %s")
      :format(where, type(v)))
  end
  link._impair_norm(v, arg)
end

local function without_impair(t)
  local c = {}
  for k, v in pairs(t) do if k ~= "impair" then c[k] = v end end
  return c
end

-- link.add{name, kind = …, addr = CIDR or {CIDR, …}, brd = "+", …}; a veth's
-- peer table takes addr too. The C half adds the addresses with the link
-- (pipelined with its other requests), and either every part is made or none is.
-- Fields are checked here too (against the C half's spec, link._spec), so
-- that the argument number is the caller's and a --dry-run, which never
-- reaches link._add, refuses a typo as a run does.
--
-- impair = {…} on an end: the link is made, then impaired (through
-- link.impair as it is at call time, so a lab records it); a failure takes
-- the new link away again, so either all of it is made or none.
function link.add(a, b)
  local o = netlab._opts(a, b, link._spec.add)
  check_addrs(o, "")
  if type(o.peer) == "table" and getmetatable(o.peer) ~= nil then
    netlab._argerror(1, "field 'peer': a name or a plain table expected")
  end
  if type(o.peer) == "table" then check_addrs(o.peer, "peer ") end
  local mine, theirs = o.impair, type(o.peer) == "table" and o.peer.impair or nil
  check_impair(mine, "", 1)
  check_impair(theirs, "peer ", 1)
  if mine ~= nil then o = without_impair(o) end
  if theirs ~= nil then o.peer = without_impair(o.peer) end
  local l = link._add(o)
  if mine or theirs then
    local ok, err = pcall(function()
      if mine then link.impair(l, mine) end
      if theirs then link.impair(l.peer, theirs) end
    end)
    if not ok then
      pcall(link.del, l)
      error(err, 0)
    end
  end
  return l
end

-- link.veth{"veth-purple", ns = purple, addr = …, up = true, peer = {"veth-purple-br", master = br, up = true}}
link.veth = netlab._add_kind("veth")
link.dummy = netlab._add_kind("dummy")
-- link.macvlan{"mv0", parent = "eth0", mode = "bridge"}, and ipvlan, vlan, vxlan alike.
link.macvlan = netlab._add_kind("macvlan")
link.ipvlan = netlab._add_kind("ipvlan")
link.vlan = netlab._add_kind("vlan")
link.vxlan = netlab._add_kind("vxlan")

-- The object of link l: l itself, or the link named l in o.ns.
local function object(l, o)
  if getmetatable(l) == M then return l end
  local where = o and o.ns or "root"
  if type(where) == "table" then where = where.name end
  return setmetatable({name = l, ns = setmetatable({name = where}, netlab._meta("netlab.ns"))}, M)
end


-- link.up(l [, {ns =}]) and link.down: the link's object, as l:up() and l:down() return.
local function set_up(up)
  return function(l, o)
    if o ~= nil then netlab._check(o, 2, {"ns"}, 0) end
    link.set(l, {up = up, ns = o and o.ns})
    local r = object(l, o)
    return r
  end
end
link.up, link.down = set_up(true), set_up(false)

return link
