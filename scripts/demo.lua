-- The demo `make demo` runs: two namespaces on a bridge, a gateway on the
-- bridge with NAT to the outside, then what was built and who can reach whom.
--   netlab run --sandbox scripts/demo.lua
local purple = ns.add("purple", {lo = true})
local orange = ns.add("orange", {lo = true})
local br = bridge.add("super-bridge0", {addr = "192.168.52.5/24", up = true})

for i, n in ipairs{purple, orange} do
  link.veth{"veth-" .. n.name, ns = n, addr = ("192.168.52.%d/24"):format(i), up = true,
            peer = {"veth-" .. n.name .. "-br", master = br, up = true}}
  route.add{ns = n, dst = "default", via = "192.168.52.5"}
end
ns.forwarding("root", true)
nat.masquerade{src = "192.168.52.0/24"}

print(netlab.show())
print()

local function ping(from, to)
  local ok = ns.exec(from, {"ping", "-c1", "-W1", "-q", to, quiet = true})
  print(("  %-7s -> %-14s %s"):format(from.name, to, ok and "reachable" or "no answer"))
  return ok
end

print("reachability:")
ping(purple, "192.168.52.2")
ping(orange, "192.168.52.1")
ping(orange, "192.168.52.5")
-- The simulated internet answers only because the host masquerades the LAN.
ping(orange, "203.0.113.1")
print()
print(nat.list())
