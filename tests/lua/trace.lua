-- --trace: the lines a run prints, saved and run by `sh -e` on the machine
-- as it was before the run, build the same kernel state (the dump compares
-- links with kinds, masters, peers, states, MTUs and aliases, addresses,
-- routes of every table, forwarding switches and nftables rules, without
-- ifindexes); the lines of `down` and of a rollback, run the same way, take
-- it all away again. Every bundled script round-trips.
local t = require "t"

local run, sh, sh_ok = t.run, t.sh, t.sh_ok
local dir = t.scratch()

local function lines_of(path)
  local out = {}
  for l in (t.read(path) or ""):gmatch("[^\n]+") do out[#out + 1] = l end
  return out
end

-- The kernel takes a deleted namespace's devices (a veth's far end) in its
-- own time, which netlab's down waits for and sh does not: the state is
-- compared once it has settled (within 5 s).
local function settled(want, what)
  for _ = 1, 50 do
    if t.dump() == want then return end
    netlab.sleep(0.1)
  end
  t.same_state(want, what)
end

local scripts = {}
for _, f in ipairs(netlab._ls("scripts")) do
  local name = f:match("^(.-)%.lua$")
  if name then scripts[#scripts + 1] = name end
end
table.sort(scripts)
t.ok(#scripts >= 10, "the bundled scripts are found")

for _, name in ipairs(scripts) do
  t.test(name .. ": --trace run by sh builds the same state; down's trace takes it away", function()
    if t.refused_script(name) then return end
    local _ <close> = t.fresh()
    local base = t.dump()
    local up, down = dir .. "/" .. name .. ".up.sh", dir .. "/" .. name .. ".down.sh"
    local out, code = run("run", "--trace=" .. up, "scripts/" .. name .. ".lua")
    t.eq(code, 0, "run: " .. out)
    local built = t.dump()
    t.ok(#lines_of(up) > 3, "the run traced its changes")
    for _, l in ipairs(lines_of(up)) do
      t.ok(l:match("^ip ") or l:match("^nft ") or l:match("^sysctl ") or l:match("^bridge "),
           "a command: " .. l)
    end
    out, code = run("--trace=" .. down, "down", name)
    t.eq(code, 0, "down: " .. out)
    t.same_state(base, "after down")
    sh_ok('sh -e "$1"', up)
    t.same_state(built, "the trace run by sh")
    t.ok(#lines_of(down) > 0, "down traced its changes")
    sh_ok('sh -e "$1"', down)
    settled(base, "down's trace run by sh")
  end)
end

-- What a dry run's trace leaves to the run: netlab's marks and nftables.
local function unmarked(dump)
  return (dump:gsub(" alias=netlab:[%w_%-]+", ""):gsub("[^\n]* nft [^\n]*\n?", ""))
end

for _, name in ipairs(scripts) do
  t.test(name .. ": --dry-run --trace changes nothing; its lines run by sh build the run's state", function()
    if t.refused_script(name) then return end
    local _ <close> = t.fresh()
    local base = t.dump()
    local path = dir .. "/" .. name .. ".dry.sh"
    local out, code = run("run", "--dry-run", "--trace=" .. path, "scripts/" .. name .. ".lua")
    t.eq(code, 0, "dry run: " .. out)
    t.same_state(base, "after the dry run")
    t.ok(#lines_of(path) > 3, "the dry run traced what it would change")
    out, code = run("run", "scripts/" .. name .. ".lua")
    t.eq(code, 0, "run: " .. out)
    local built = unmarked(t.dump())
    out, code = run("down", name)
    t.eq(code, 0, "down: " .. out)
    settled(base, "after down")
    sh_ok('sh -e "$1"', path)
    t.eq(t.diff(built, unmarked(t.dump())), "", "the dry run's trace run by sh")
  end)
end

t.test("a rollback's trace undoes the run's: the whole trace run by sh leaves nothing", function()
  local _ <close> = t.fresh()
  local base = t.dump()
  local path = dir .. "/rollback.sh"
  local out, code = t.run_env("NETLAB_FAULT_AT=12", "run", "--trace=" .. path,
                              "scripts/purple_orange.lua")
  t.ok(code ~= 0, "the run fails at the injected fault: " .. out)
  t.same_state(base, "after the rollback")
  local l = lines_of(path)
  t.ok(#l > 11, "made and undone: " .. #l .. " lines")
  t.ok(table.concat(l, "\n"):find("ip netns del purple", 1, true), "the rollback is traced")
  sh_ok('sh -e "$1"', path)
  settled(base, "the trace run by sh")
end)

t.test("netlab.trace(true|false|FILE) in a script; --trace alone writes to stderr", function()
  local _ <close> = t.fresh()
  local file = dir .. "/inline.sh"
  local _, script = t.scratch()
  local p = script("inline", ([[
    ns.add("t1")
    assert(netlab.trace(%q) == false)
    ns.add("t2")
    bridge.add("b0", {ns = "t2", mtu = 1400, up = true})
    assert(netlab.trace(false) == true)
    ns.add("t3")
  ]]):format(file))
  local out, code = run("run", p)
  t.eq(code, 0, out)
  t.eq(t.read(file), "ip netns add t2\nip -n t2 link add b0 mtu 1400 up type bridge\n")
  out = sh_ok('{ "$1" run --trace "$2" 2>&1 >/dev/null; }', t.bin, "scripts/two_lans.lua")
  t.ok(out:find("ip netns add", 1, true), "--trace writes to standard error: " .. out)
  t.fails(function() netlab.trace(1) end, "bad argument #1")
end)

-- The witness: what `ip -j -d link` says of each macvlan and vxlan (kind,
-- info_data, parent, master, up) and `ip -j neigh` of the permanent entries,
-- in root and k1; MACs and indexes left out (the kernel picks them).
local function kinds_witness()
  local out = {}
  for _, n in ipairs(ns.get("k1") and {"root", "k1"} or {"root"}) do
    local where = n ~= "root" and n or nil
    for _, l in ipairs(t.ip(where, "-d", "link", "show")) do
      local k = l.linkinfo and l.linkinfo.info_kind
      if k == "macvlan" or k == "vxlan" then
        local up = false
        for _, f in ipairs(l.flags or {}) do up = up or f == "UP" end
        out[#out + 1] = ("%s %s %s"):format(n, l.ifname, t.canon{kind = k, data = l.linkinfo.info_data,
          link = l.link, netnsid = l.link_netnsid ~= nil, master = l.master, up = up})
      end
    end
    for _, e in ipairs(t.ip(where, "neigh", "show")) do
      for _, st in ipairs(e.state or {}) do
        if st == "PERMANENT" then
          out[#out + 1] = ("%s neigh %s %s %s"):format(n, e.dst, e.lladdr, e.dev)
        end
      end
    end
  end
  table.sort(out)
  return table.concat(out, "\n")
end

-- The lines of a trace about the new kinds and neighbours, in order.
local function kind_lines(path)
  local out = {}
  for _, l in ipairs(lines_of(path)) do
    if l:find("mv[01]") or l:find("vx[01]") or l:find(" neigh ", 1, true) then out[#out + 1] = l end
  end
  return table.concat(out, "\n")
end

t.test("macvlan, vxlan, neighbours: the exact lines; run by sh they build what ip -j -d link shows", function()
  local _ <close> = t.fresh()
  local base = t.dump()
  local _, script = t.scratch()
  local p = script("kinds", [[
    ns.add("k1")
    link.veth{"lan0", up = true, peer = {"lan0-wire", up = true}}
    link.veth{"p0", ns = "k1", addr = "10.6.0.1/24", up = true, peer = {"p0-wire", ns = "k1", up = true}}
    -- made in its namespace, and made in the root and moved there
    link.macvlan{"mv0", ns = "k1", parent = "p0", mode = "private"}
    link.set(link.macvlan{"mv1", parent = "lan0", mode = "vepa"}, {netns = "k1"})
    link.vxlan{"vx0", ns = "k1", vni = 42, remote = "10.6.0.2", ["local"] = "10.6.0.1", dev = "p0",
               dstport = 4789, learning = false, up = true}
    link.vxlan{"vx1", ns = "k1", vni = 43, group = "239.1.1.1", dev = "p0", dstport = 4790}
    link.neighbor_add{addr = "10.6.0.9", mac = "02:00:00:00:00:09", link = "p0", ns = "k1"}
  ]])
  local up, dry = dir .. "/kinds.up.sh", dir .. "/kinds.dry.sh"
  local out, code = run("run", "--dry-run", "--trace=" .. dry, p)
  t.eq(code, 0, "dry run: " .. out)
  t.eq(kind_lines(dry), table.concat({
    "ip -n k1 link add mv0 link p0 type macvlan mode private",
    "ip link add mv1 link lan0 type macvlan mode vepa",
    "ip link set dev mv1 netns k1",
    "ip -n k1 link add vx0 type vxlan id 42 remote 10.6.0.2 local 10.6.0.1 dev p0 dstport 4789 nolearning",
    "ip -n k1 link set dev vx0 up",
    "ip -n k1 link add vx1 type vxlan id 43 group 239.1.1.1 dev p0 dstport 4790",
    "ip -n k1 neigh replace 10.6.0.9 lladdr 02:00:00:00:00:09 dev p0 nud permanent",
  }, "\n"), "the dry run's lines")
  out, code = run("run", "--trace=" .. up, p)
  t.eq(code, 0, "run: " .. out)
  t.eq(kind_lines(up), table.concat({
    "ip -n k1 link add mv0 link p0 type macvlan mode private",
    "ip link add mv1 link lan0 type macvlan mode vepa",
    "ip link set dev mv1 alias netlab:kinds",
    "ip link set dev mv1 netns k1",
    "ip -n k1 link add vx0 up type vxlan id 42 remote 10.6.0.2 local 10.6.0.1 dev p0 dstport 4789 nolearning",
    "ip -n k1 link add vx1 type vxlan id 43 group 239.1.1.1 dev p0 dstport 4790",
    "ip -n k1 neigh replace 10.6.0.9 lladdr 02:00:00:00:00:09 dev p0 nud permanent",
  }, "\n"), "the run's lines")
  t.ok(not t.read(up):find("# not traced", 1, true), "every request traced: " .. t.read(up))
  local built, witness = t.dump(), kinds_witness()
  t.eq(select(2, witness:gsub("[^\n]+", "")), 5, "4 links and a neighbour seen:\n" .. witness)
  out, code = run("down", "kinds")
  t.eq(code, 0, "down: " .. out)
  settled(base, "after down")
  t.eq(kinds_witness(), "", "down took them all")
  sh_ok('sh -e "$1"', up)
  t.same_state(built, "the trace run by sh")
  t.eq(kinds_witness(), witness, "ip -j -d link and ip -j neigh: the same kinds, data and entries")
  sh_ok("ip netns del k1 && ip link del lan0")
  settled(base, "cleaned")
  sh_ok('sh -e "$1"', dry)
  t.eq(kinds_witness(), witness, "the dry run's lines run by sh: the same")
end)

t.test("ns.attach and ns.kill: ip netns attach, ip netns pids | xargs kill, which run by sh do the same", function()
  local _ <close> = t.fresh()
  local file = dir .. "/attach.sh"
  local pid = t.container()
  t.eq(netlab.trace(file), false, "the trace was off")
  ns.attach("box", pid)
  netlab.trace(false)
  t.eq(t.read(file), ("ip netns attach box %d\n"):format(pid), "attach's line")
  ns.del("box")
  sh_ok('sh -e "$1"', file)
  t.eq(t.sh_ok("ip netns identify $1", pid), "box\n", "the line run by sh names the same namespace")
  netlab.trace(file)
  t.eq(ns.kill("box"), 1, "ns.kill signalled the container")
  netlab.trace(false)
  t.eq(t.read(file), "ip netns pids box | xargs -r kill -TERM\n", "kill's line")
  t.eq(netlab.wait(pid, 5), "signal", "the container ended")
  local pid2 = ns.spawn("box", {"sleep", "60", quiet = true})
  sh_ok('sh -e "$1"', file)
  t.eq(netlab.wait(pid2, 5), "signal", "the line run by sh ends what is in it")
  ns.del("box")
end)

t.done()
