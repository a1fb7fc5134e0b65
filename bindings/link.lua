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
  set = netlab._method(link, "set", "link.set"),
  del = netlab._method(link, "del", "link.del"),
  info = netlab._method(link, "get", "link.get"),
  addr = function(self, cidr, o) link.addr_add(self, cidr, o); return self end,
  addrs = netlab._method(link, "addrs", "link.addrs"),
  master = function(self, br) link.set(self, {master = br}); return self end,
  nomaster = function(self) link.set(self, {master = false}); return self end,
}
M.__tostring = function(self)
  local i = link.get(self)
  if not i then return ("link %q in %q (gone)"):format(self.name, self.ns.name) end
  return ("link %q in %q: %s %s mtu %d%s%s"):format(self.name, self.ns.name, i.kind, i.state,
    i.mtu, i.master and " master " .. i.master or "",
    #i.addrs > 0 and " " .. table.concat(i.addrs, " ") or "")
end
M.__eq = function(a, b) return a.name == b.name and a.ns.name == b.ns.name end

-- Checked before anything is created, so a typo builds nothing.
local function check_addrs(o, where)
  for _, cidr in ipairs(netlab._list(o.addr)) do
    if type(cidr) ~= "string" then
      netlab._argerror(1, ("%sfield 'addr': CIDR string expected, got %s"):format(where, type(cidr)))
    end
    local ok, why = netlab.cidr(cidr)
    if not ok then netlab._argerror(1, where .. why) end
  end
end

-- link.add{name, kind = …, addr = CIDR or {CIDR, …}, brd = "+", …}; a veth's
-- peer table takes addr too. The C half adds the addresses with the link
-- (pipelined with its other requests), and either every part is made or none is.
function link.add(a, b)
  local o = netlab._opts(a, b)
  check_addrs(o, "")
  if type(o.peer) == "table" then check_addrs(o.peer, "peer ") end
  local l = link._add(o)
  return l
end

-- link.veth{"veth-purple", ns = purple, addr = …, up = true, peer = {"veth-purple-br", master = br, up = true}}
function link.veth(a, b)
  local o = netlab._opts(a, b)
  o.kind = "veth"
  local l = link.add(o)
  return l
end

function link.dummy(a, b)
  local o = netlab._opts(a, b)
  o.kind = "dummy"
  local l = link.add(o)
  return l
end

function link.up(l, o)
  local r = link.set(l, {up = true, ns = o and o.ns})
  return r
end

function link.down(l, o)
  local r = link.set(l, {up = false, ns = o and o.ns})
  return r
end

return link
