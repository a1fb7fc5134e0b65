-- A 100-namespace star built by a plain Lua loop: one bridge; per namespace a
-- veth made in place, an address and a default route.
local t = require "t"

local N = 100
local script = [[
local n = tonumber(params.n)
local br = bridge.add("br0", {addr = "10.0.0.1/16", up = true})
for i = 1, n do
  local h = ns.add("h" .. i, {lo = true})
  local a = i + 1
  link.veth{"vh" .. i, master = br, up = true,
            peer = {"eth0", ns = h, up = true, addr = ("10.0.%d.%d/16"):format(a // 256, a % 256)}}
  route.add{ns = h, dst = "default", via = "10.0.0.1"}
end
]]

local path = os.tmpname()
local f = assert(io.open(path, "w"))
f:write(script)
f:close()

-- Each case builds its own star; the value returned takes it down when closed.
local function star(...)
  local out, code = t.sh((... or "") .. ' "$@"', t.bin, "run", path, "n=" .. N)
  t.eq(code, 0, "built: " .. out:sub(-300))
  return setmetatable({out = out}, {__close = function()
    local dout, dcode = t.run("down", path)
    t.eq(dcode, 0, "down: " .. dout)
  end})
end

t.test("the star builds, with one netlink socket per namespace", function()
  local built <close> = star("ASAN_OPTIONS=detect_leaks=0 strace -f -qq -e trace=socket")
  local out = built.out
  local sockets = select(2, out:gsub("AF_NETLINK", ""))
  -- root, internet (the sandbox's, made before) are open already; one per new namespace.
  t.ok(sockets <= N + 2, ("netlink sockets opened: %d for %d namespaces"):format(sockets, N))
end)

t.test("kernel state: namespaces, ports, addresses, routes", function()
  local _ <close> = star()
  t.eq(#ns.list(), N + 1, "namespaces (and internet)")
  t.eq(#bridge.ports("br0"), N, "bridge ports")
  local e = t.iplink("h57", "eth0")
  t.ok(t.has_flag(e, "UP") and t.has_flag(e, "LOWER_UP"), "h57 eth0 up, with carrier")
  t.ok(t.ipaddrs("h57", "eth0")["10.0.0.58/16"], "h57 address")
  t.ok(t.ipaddrs("h100", "eth0")["10.0.0.101/16"], "h100 address")
  t.eq(t.ip("h100", "route", "show", "default")[1].gateway, "10.0.0.1", "h100 default route")
  t.eq(t.iplink(nil, "vh100").master, "br0", "vh100 on br0")
  t.eq(link.get("vh3").peer_ns, "h3", "peer resolved")
end)

t.test("reachability across the star", function()
  local _ <close> = star()
  t.ok(t.ping("h1", "10.0.0.1"), "h1 to the bridge")
  t.ok(t.ping("h100", "10.0.0.2"), "h100 to h1")
end)

os.remove(path)
t.done()
