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

-- The PERMANENT entries of `ip -j neigh` in n, as "dst dev lladdr" lines, sorted.
local function permanent(n)
  local out = {}
  for _, e in ipairs(t.ip(n, "neigh", "show")) do
    if e.state and e.state[1] == "PERMANENT" then out[#out + 1] = ("%s %s %s"):format(e.dst, e.dev, e.lladdr) end
  end
  table.sort(out)
  return table.concat(out, "\n")
end

local function model_lines(list)
  local out = {}
  for _, e in ipairs(list) do out[#out + 1] = ("%s %s %s"):format(e.dst, e.dev, e.lladdr) end
  table.sort(out)
  return table.concat(out, "\n")
end

t.test("static neighbours in the model: netlab.state, show, export --sh and --lua rebuild them", function()
  local _ <close> = t.fresh()
  t.sh_ok([[
    ip netns add blue
    ip link add veth-blue-r type veth peer name veth-blue netns blue
    ip addr add 10.77.0.1/24 dev veth-blue-r
    ip link set veth-blue-r up
    ip -n blue addr add 10.77.0.2/24 dev veth-blue
    ip -n blue link set veth-blue up
    ip -n blue neigh add 10.77.0.9 lladdr 02:aa:00:00:00:09 dev veth-blue nud permanent
    ip -n blue neigh add fd77::9 lladdr 02:aa:00:00:00:0a dev veth-blue nud permanent
    ip neigh add 10.77.0.8 lladdr 02:aa:00:00:00:08 dev veth-blue-r nud permanent
  ]])
  t.ok(t.ping_eventually("blue", "10.77.0.1"), "a real ping: blue learns root's MAC")
  t.ok(ipneigh("blue")["10.77.0.1"], "ip lists the learnt (dynamic) entry")
  local want = permanent("blue")
  t.eq(select(2, want:gsub("\n", "")) + 1, 2, "ip has the two permanent entries in blue")
  local st = netlab.state("blue")[1]
  t.eq(model_lines(st.neighbors), want, "the model's neighbours are ip's PERMANENT ones")
  for _, e in ipairs(st.neighbors) do
    t.eq(e.state[1], "PERMANENT", "state as ip -j gives it")
    t.ok(e.dst ~= "10.77.0.1", "the learnt entry is not in the model")
  end
  local json = require "cjson"
  local out, code = t.run("show", "--json", "blue")
  t.eq(code, 0, "show --json")
  t.eq(model_lines(json.decode(out)[1].neighbors), want, "show --json holds them")
  out = t.run("show", "blue")
  t.ok(out:find("  neighbours:\n    10.77.0.9 dev veth-blue lladdr 02:aa:00:00:00:09 PERMANENT", 1, true),
       "netlab show lists them: " .. out)
  local root_want = permanent(nil)
  t.ok(root_want:find("10.77.0.8 veth-blue-r", 1, true), "root's own static entry")
  -- export --sh: ip neigh add … nud permanent, run by sh on a clean machine.
  local sh, lua = t.scratch()
  local text = t.run("export", "--sh", "--all")
  t.ok(text:find("ip -n blue neigh add 10.77.0.9 lladdr 02:aa:00:00:00:09 dev veth-blue nud permanent", 1, true),
       "export --sh writes the entry: " .. text)
  local path = sh .. "/neigh.sh"
  local f = assert(io.open(path, "w")); f:write(text); f:close()
  local ltext = t.run("export", "--lua", "--all")
  t.ok(ltext:find('link.neighbor_add{addr = "10.77.0.9", mac = "02:aa:00:00:00:09", link = "veth-blue", ns = "blue"}', 1, true),
       "export --lua writes link.neighbor_add: " .. ltext)
  local lpath = lua("neighlua", ltext)
  local function clean()
    t.sh_ok("ip netns del blue; ip link del veth-blue-r 2>/dev/null || true")
    for _ = 1, 50 do
      if not t.iplink(nil, "veth-blue-r") then break end
      netlab.sleep(0.05)
    end
  end
  clean()
  t.sh_ok('sh -e "$1"', path)
  t.eq(permanent("blue"), want, "sh rebuilt blue's static neighbours (ip -j neigh)")
  t.eq(permanent(nil), root_want, "and root's")
  clean()
  out, code = t.run("run", lpath)
  t.eq(code, 0, "export --lua run by netlab: " .. out)
  t.eq(permanent("blue"), want, "netlab rebuilt blue's static neighbours (ip -j neigh)")
  t.eq(permanent(nil), root_want, "and root's")
  t.run("down", "neighlua")
end)

t.done()
