-- The Lua half of the ns module: options of ns.add, namespace objects.
local ns = ...

-- The C primitive stays reachable as ns._add: labs record what it makes.
ns._add = ns.add
local c_spawn = ns.spawn

-- Namespace objects: purple:exec("ping", …), purple:sysctl(…), purple:links().
local M = netlab._meta("netlab.ns")
M.__name = "netlab.ns"
M.__index = {
  exec = netlab._method(ns, "exec", "ns.exec"),
  capture = netlab._method(ns, "capture", "ns.capture"),
  sysctl = netlab._method(ns, "sysctl", "ns.sysctl"),
  del = netlab._method(ns, "del", "ns.del"),
  spawn = netlab._method(ns, "spawn", "ns.spawn"),
  forwarding = netlab._method(ns, "forwarding", "ns.forwarding"),
  links = function(self) return link.list(self) end,
  addrs = function(self) return link.addrs{ns = self} end,
  routes = function(self, o)
    o = netlab._opts(nil, o); o[1] = nil; o.ns = self
    return route.list(o)
  end,
  show = function(self) return netlab.show(self) end,
}
for _, k in ipairs{"exec", "capture", "sysctl", "del"} do netlab._name(M.__index[k], "ns." .. k) end
M.__tostring = function(self) return ("ns %q"):format(self.name) end
M.__eq = function(a, b) return a.name == b.name end

-- ns.add(name, {lo = true, ipv6 = false, forwarding = true}): lo is left
-- down unless asked for, as the kernel makes it and the tutorials teach.
function ns.add(a, b)
  local o = netlab._opts(a, b, {"lo", "ipv6", "forwarding"})
  for _, k in ipairs{"lo", "ipv6", "forwarding"} do
    if o[k] ~= nil and type(o[k]) ~= "boolean" then
      netlab._argerror(type(a) == "table" and 1 or 2,
        ("field '%s': boolean expected, got %s"):format(k, type(o[k])))
    end
  end
  local n = ns._add(o[1])
  local ok, err = pcall(function()
    if o.ipv6 == false then
      -- Before any device exists, so none of them gets IPv6 (no DAD, no autoconf chatter).
      ns.sysctl(n, "net.ipv6.conf.all.disable_ipv6", 1)
      ns.sysctl(n, "net.ipv6.conf.default.disable_ipv6", 1)
    end
    if o.lo then link.set("lo", {ns = n, up = true}) end
    if o.forwarding then ns.forwarding(n, true) end
  end)
  if not ok then
    pcall(ns.del, n)
    error(err, 0)
  end
  return n
end

-- ns.forwarding(ns, on): routing between interfaces, IPv4 (and IPv6 when on).
-- Only a boolean: 0 and "no" are true in Lua, and would turn forwarding on.
function ns.forwarding(n, on)
  if on == nil then
    local v = ns.sysctl(n, "net.ipv4.ip_forward") == "1"
    return v
  end
  if type(on) ~= "boolean" then
    netlab._argerror(2, "boolean expected, got " .. type(on))
  end
  ns.sysctl(n, "net.ipv4.ip_forward", on and 1 or 0)
end

-- Processes a script starts are remembered so netlab.kill ends only those.
function ns.spawn(...)
  local pid = c_spawn(...)
  netlab._adopt(pid)
  return pid
end

return ns
