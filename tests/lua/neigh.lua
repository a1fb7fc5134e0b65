-- Neighbours: link.neighbors, link.neighbor_add and link.neighbor_del, with
-- `ip -j neigh` as the witness and a real ping to make the kernel learn one.
local t = require "t"

local function network()
  local blue = ns.add("blue")
  local v = link.veth{"veth-blue", ns = blue, up = true, addr = "10.77.0.2/24",
            peer = {"veth-blue-r", up = true, addr = "10.77.0.1/24"}}
  return blue, v
end

-- `ip -j neigh` in n, by address.
local function ipneigh(n)
  local out = {}
  for _, e in ipairs(t.ip(n, "neigh", "show")) do out[e.dst] = e end
  return out
end

local function find(list, addr)
  for _, e in ipairs(list) do if e.addr == addr then return e end end
end

t.test("an entry the kernel learnt from a real ping", function()
  local _ <close> = t.fresh()
  local blue, v = network()
  t.ok(t.ping_eventually("blue", "10.77.0.1"), "blue reaches root")
  local mine = find(link.neighbors(blue), "10.77.0.1")
  t.ok(mine, "link.neighbors lists the gateway")
  local w = ipneigh("blue")["10.77.0.1"]
  t.ok(w, "ip neigh lists it")
  t.eq(mine.mac, w.lladdr, "mac as ip says")
  t.eq(mine.link, "veth-blue", "link")
  t.eq(mine.state, w.state[1], "state as ip says")
  t.eq(mine.mac, link.get("veth-blue-r").mac, "the MAC is the peer's")
  -- By link, by name and ns, by ns name in options: the same entry.
  t.eq(tostring(getmetatable(v) and v.name), "veth-blue", "link.veth gave the link object")
  t.ok(find(link.neighbors(v), "10.77.0.1"), "by link object")
  t.ok(find(link.neighbors("veth-blue", {ns = "blue"}), "10.77.0.1"), "by link name and ns")
  t.ok(find(link.neighbors{ns = "blue"}, "10.77.0.1"), "by ns option")
  t.ok(find(link.neighbors("veth-blue-r"), "10.77.0.2"), "root learnt blue from the reply")
  t.eq(find(link.neighbors(), "10.77.0.2").link, "veth-blue-r", "root, all links")
end)

t.test("a permanent entry added, then deleted", function()
  local _ <close> = t.fresh()
  network()
  link.neighbor_add{addr = "10.77.0.9", mac = "02:AA:00:00:00:09", link = "veth-blue", ns = "blue"}
  local w = ipneigh("blue")["10.77.0.9"]
  t.ok(w, "ip sees the entry")
  t.eq(w.lladdr, "02:aa:00:00:00:09", "ip's lladdr")
  t.eq(w.state[1], "PERMANENT", "ip's state")
  local mine = find(link.neighbors("veth-blue", {ns = "blue"}), "10.77.0.9")
  t.eq(mine.state, "PERMANENT", "our state")
  t.eq(mine.mac, "02:aa:00:00:00:09", "our mac")
  -- IPv6 too, and a second add replaces (as ip neigh replace).
  link.neighbor_add{addr = "fd77::9", mac = "02:00:00:00:00:0a", link = "veth-blue", ns = "blue"}
  link.neighbor_add{addr = "10.77.0.9", mac = "02:00:00:00:00:0b", link = "veth-blue", ns = "blue"}
  w = ipneigh("blue")
  t.eq(w["fd77::9"].lladdr, "02:00:00:00:00:0a", "IPv6 entry")
  t.eq(w["10.77.0.9"].lladdr, "02:00:00:00:00:0b", "replaced")
  link.neighbor_del{addr = "10.77.0.9", link = "veth-blue", ns = "blue"}
  link.neighbor_del{addr = "fd77::9", link = "veth-blue", ns = "blue"}
  w = ipneigh("blue")
  t.eq(w["10.77.0.9"], nil, "ip no longer sees it")
  t.eq(w["fd77::9"], nil, "nor the IPv6 one")
  t.fails(function() link.neighbor_del{addr = "10.77.0.9", link = "veth-blue", ns = "blue"} end,
    "neighbor_del", "neighbour 10.77.0.9 on \"veth-blue\" in \"blue\"", "ENOENT")
end)

t.test("bad input: clear errors, nothing made", function()
  local _ <close> = t.fresh()
  network()
  t.fails(function() link.neighbor_add{addr = "10.77.0.9", mac = "02:aa:00:00:00", link = "veth-blue", ns = "blue"} end,
    "bad argument #1 to 'neighbor_add'", "invalid MAC address \"02:aa:00:00:00\"")
  t.fails(function() link.neighbor_add{addr = "10.77.0.9", mac = "02:aa:00:00:00:0g", link = "veth-blue", ns = "blue"} end,
    "invalid MAC address")
  t.fails(function() link.neighbor_add{addr = "10.77.0.300", mac = "02:aa:00:00:00:01", link = "veth-blue", ns = "blue"} end,
    "field 'addr'", "invalid address \"10.77.0.300\"")
  t.fails(function() link.neighbor_add{addr = "10.77.0.9/24", mac = "02:aa:00:00:00:01", link = "veth-blue", ns = "blue"} end,
    "field 'addr'", "no prefix length")
  t.fails(function() link.neighbor_add{addr = "10.77.0.9", mac = "02:aa:00:00:00:01", link = "nope", ns = "blue"} end,
    "neighbor_add", "nope")
  t.fails(function() link.neighbor_add{addr = "10.77.0.9", link = "veth-blue", ns = "blue"} end, "field 'mac'")
  t.fails(function() link.neighbor_add{addr = "10.77.0.9", mac = "02:aa:00:00:00:01", ns = "blue"} end, "field 'link'")
  t.fails(function() link.neighbor_add{adr = "10.77.0.9", link = "veth-blue"} end, "did you mean 'addr'")
  t.fails(function() link.neighbors("nope") end, "neighbors", "nope")
  t.eq(ipneigh("blue")["10.77.0.9"], nil, "nothing was added")
end)

t.test("a lab records its neighbours: down deletes one on a link it did not make", function()
  local _ <close> = t.fresh()
  local _, script = t.scratch()
  -- wan0 is the sandbox's: it outlives the lab, so only the record can remove the entry.
  local path = script("neighlab", [[
link.neighbor_add{addr = "203.0.113.77", mac = "02:00:00:00:00:77", link = "wan0"}
local b = ns.add("nb")
link.veth{"vn", ns = b, up = true, peer = {"vn-r", up = true}}
link.neighbor_add{addr = "10.78.0.9", mac = "02:00:00:00:00:79", link = "vn", ns = b}
]])
  local out, code = t.run("run", "--dry-run", path)
  t.eq(code, 0, "dry run: " .. out)
  t.ok(out:find("neighbour 203.0.113.77 at 02:00:00:00:00:77 on wan0 in root", 1, true), "planned: " .. out)
  t.eq(ipneigh(nil)["203.0.113.77"], nil, "a dry run adds nothing")
  out, code = t.run("run", path)
  t.eq(code, 0, "run: " .. out)
  t.eq(ipneigh(nil)["203.0.113.77"].state[1], "PERMANENT", "made")
  out, code = t.run("run", path)
  t.eq(code, 0, "a re-run keeps it: " .. out)
  out, code = t.run("down", "neighlab")
  t.eq(code, 0, "down: " .. out)
  t.eq(ipneigh(nil)["203.0.113.77"], nil, "down deleted the entry on wan0")
  t.eq(ns.get("nb"), nil, "and the namespace with its own")
end)

t.done()
