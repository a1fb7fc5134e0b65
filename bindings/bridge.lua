-- The bridge module: bridges are links, so this is link with a bridge's words;
-- its C half (bridge.c) has the VLANs: vlan, vlan_del, vlans, has_vlan_filtering.
local bridge = ...

-- bridge.add("super-bridge0", {ns =, addr =, up =, mtu =, stp =, vlan_filtering =,
-- vlan_protocol =, vlan_default_pvid =})
bridge.add = netlab._add_kind("bridge")

-- What a script that needs VLAN-aware bridges says first: on a kernel without
-- them it stops here, before it has built anything, with the one clear line.
function bridge.need_vlan_filtering()
  local ok, why = bridge.has_vlan_filtering()
  if not ok then netlab._error(why, nil, 95) end -- EOPNOTSUPP
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

-- The links whose master is br. A bridge that is not there is an error, not
-- an empty list: a misspelt name would otherwise read as a bridge without ports.
function bridge.ports(br, o)
  if o ~= nil then netlab._check(o, 2, {"ns"}, 0) end
  local name, where = br, o and o.ns
  if type(br) == "table" then
    if getmetatable(br) ~= netlab._meta("netlab.link") then
      netlab._argerror(1, "bridge name or object expected, got " .. type(br))
    end
    name, where = rawget(br, "name"), rawget(br, "ns")
  end
  if type(name) ~= "string" then
    netlab._argerror(1, "bridge name or object expected, got " .. type(br))
  end
  local ports, found = setmetatable({}, netlab._meta("netlab.links")), nil
  local links = link.list{ns = where}
  for _, l in ipairs(links) do
    if l.master == name then ports[#ports + 1] = l end
    if l.name == name then found = l end
  end
  if not found or found.kind ~= "bridge" then
    local nsn = type(where) == "table" and where.name or where or "root"
    local obj = ('bridge "%s"%s'):format(name, netlab._in(nsn))
    if not found then netlab._error("no such link", obj, 19) end -- ENODEV
    netlab._error(("a %s, not a bridge"):format(found.kind), obj, 22) -- EINVAL
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
