-- The bridge module: bridges are links, so this is link with a bridge's words.
local bridge = {}

-- bridge.add("super-bridge0", {ns =, addr =, up =, mtu =, stp =, vlan_filtering =})
function bridge.add(a, b)
  local o = netlab._opts(a, b, link._spec.add)
  o.kind = "bridge"
  local br = link.add(o)
  return br
end

-- bridge.attach(br, dev, {ns =}): `ip link set dev master br`.
function bridge.attach(br, dev, o)
  if o ~= nil then netlab._check(o, 3, {"ns"}, 0) end
  link.set(dev, {master = br, ns = o and o.ns})
end

-- bridge.detach(dev, {ns =}): `ip link set dev nomaster`.
function bridge.detach(dev, o)
  if o ~= nil then netlab._check(o, 2, {"ns"}, 0) end
  link.set(dev, {master = false, ns = o and o.ns})
end

-- The links whose master is br.
function bridge.ports(br, o)
  if o ~= nil then netlab._check(o, 2, {"ns"}, 0) end
  local name, where = br, o and o.ns
  if type(br) == "table" then name, where = br.name, br.ns end
  local ports = setmetatable({}, netlab._meta("netlab.links"))
  for _, l in ipairs(link.list{ns = where}) do
    if l.master == name then ports[#ports + 1] = l end
  end
  return ports
end

-- The bridges of a namespace.
function bridge.list(n)
  local out = setmetatable({}, netlab._meta("netlab.links"))
  for _, l in ipairs(link.list(n)) do
    if l.kind == "bridge" then out[#out + 1] = l end
  end
  return out
end

function bridge.del(br, o) link.del(br, o) end

return bridge
