-- Scripts that say what is wrong: an unknown option key is refused by every
-- function that takes options (naming it and the one meant) and builds or
-- changes nothing, as `ip -j` witnesses; a misspelled module function says
-- which one was meant; errors name the function the script called, through
-- pcall and tail calls; parameter errors read without internals.
local t = require "t"

-- The objects the cases name, made anew for each case (t.fresh takes them
-- away): purple with v0 in it; its peer v0-br in root, with an address and
-- a route; br0, with v0-br as its port if attached.
local function fixture(attached)
  local purple = ns.add("purple")
  link.veth{"v0", ns = purple, up = true, peer = {"v0-br", up = true}}
  local br = bridge.add("br0", {up = true})
  link.addr_add("v0-br", "10.9.8.1/24")
  route.add{"10.21.0.0/16", dev = "v0-br"}
  if attached then bridge.attach(br, "v0-br") end
  return {purple = purple, br = br}
end

-- What the kernel holds, read by `ip -j` (not by netlab): namespaces, links
-- with their admin state, mtu and master, addresses, routes.
local function witness()
  local out = {}
  local names = {"root"}
  for _, n in ipairs(t.ip(nil, "netns", "list") or {}) do names[#names + 1] = n.name end
  for _, n in ipairs(names) do
    local where = n ~= "root" and n or nil
    out[#out + 1] = "ns " .. n
    for _, l in ipairs(t.ip(where, "addr", "show")) do
      local up = t.has_flag(l, "UP")
      out[#out + 1] = ("%s link %s %s mtu=%d master=%s"):format(n, l.ifname, up and "up" or "down",
        l.mtu, l.master or "-")
      for _, a in ipairs(l.addr_info or {}) do
        if not a["local"]:match("^fe80:") then
          out[#out + 1] = ("%s addr %s %s/%d"):format(n, l.ifname, a["local"], a.prefixlen)
        end
      end
    end
    for _, r in ipairs(t.ip(where, "route", "show", "table", "all")) do
      if not r.dst:match("^fe80:") and not r.dst:match("^ff00:") then
        out[#out + 1] = ("%s route %s %s %s %s %s"):format(n, r.type or "unicast", r.dst,
          r.gateway or "-", r.dev or "-", tostring(r.metric or 0))
      end
    end
  end
  table.sort(out)
  return table.concat(out, "\n")
end

-- fn(fixture) must fail with every string given and leave the kernel as it was.
local function refused_with(attached, name, fn, ...)
  local wants = {...}
  t.test(name, function()
    local _ <close> = t.fresh()
    local f = fixture(attached)
    local before = witness()
    t.fails(function() fn(f) end, table.unpack(wants))
    local added, removed = t.delta(before, witness())
    t.eq(table.concat(added, "; ") .. table.concat(removed, "; "), "",
         "nothing made, changed or removed")
  end)
end

local function refused(name, fn, ...) refused_with(false, name, fn, ...) end

-- Each public function that takes options, with a misspelled key that the
-- old code ignored (and so built or changed something, or answered wrongly).
refused("ns.add(name, opts): a misspelled key", function()
  ns.add("n1", {lo = true, loopbak = true})
end, "strict.lua:", "bad argument #2 to 'add'", "unknown field 'loopbak' (did you mean 'lo'?)")
refused("ns.add{name, …}: a misspelled key", function()
  ns.add{"n1", ipv66 = false}
end, "bad argument #1 to 'add'", "unknown field 'ipv66' (did you mean 'ipv6'?)")
refused("ns.add: a key with no near one lists the known ones", function()
  ns.add("n1", {zzzz = 1})
end, "unknown field 'zzzz' (known: lo, ipv6, forwarding)")
refused("ns.exec{…}: a misspelled key", function(f)
  ns.exec(f.purple, {"ip", "link", "add", "x1", "type", "dummy", quite = true})
end, "bad argument #2 to 'exec'", "unknown field 'quite' (did you mean 'quiet'?)")
refused("ns.capture{…}: a misspelled key", function(f)
  ns.capture(f.purple, {"ip", "link", "add", "x1", "type", "dummy", quite = true})
end, "bad argument #2 to 'capture'", "'quite' (did you mean 'quiet'?)")
refused("ns.spawn{…}: a misspelled key", function(f)
  ns.spawn(f.purple, {"ip", "link", "add", "x1", "type", "dummy", quite = true})
end, "bad argument #2 to 'spawn'", "'quite' (did you mean 'quiet'?)")

refused("link.add: a misspelled key", function(f)
  link.add{"d1", kind = "dummy", nss = f.purple}
end, "bad argument #1 to 'add'", "unknown field 'nss' (did you mean 'ns'?)")
refused("link.veth: addr misspelled", function()
  link.veth{"v1", adr = "10.9.0.1/24", peer = "v1-br"}
end, "strict.lua:", "bad argument #1 to 'veth'", "unknown field 'adr' (did you mean 'addr'?)")
refused("link.veth(name, opts): the argument number is the caller's", function()
  link.veth("v1", {upp = true, peer = "v1-br"})
end, "bad argument #2 to 'veth'", "unknown field 'upp' (did you mean 'up'?)")
refused("link.veth: a misspelled key of the peer", function(f)
  link.veth{"v1", ns = f.purple, peer = {"v1-br", nss = f.purple}}
end, "bad argument #1 to 'veth'", "unknown field 'nss' (did you mean 'ns'?)")
refused("link.veth: a second positional item", function()
  link.veth{"v1", "v1-br"}
end, "bad argument #1 to 'veth'", "unexpected number key [2]")
refused("link.dummy: a misspelled key", function()
  link.dummy{"d1", mut = 1400}
end, "bad argument #1 to 'dummy'", "unknown field 'mut' (did you mean 'mtu'?)")
refused("link.set: a misspelled key", function()
  link.set("v0-br", {mtu = 1400, upp = false})
end, "bad argument #2 to 'set'", "unknown field 'upp' (did you mean 'up'?)")
refused("link.up: a misspelled key", function(f)
  link.up("v0-br", {nss = f.purple})
end, "bad argument #2 to 'up'", "unknown field 'nss' (did you mean 'ns'?)")
refused("link.down: a misspelled key", function(f)
  link.down("v0-br", {nss = f.purple})
end, "bad argument #2 to 'down'", "unknown field 'nss' (did you mean 'ns'?)")
refused("link.del: a misspelled key", function(f)
  link.del("v0-br", {nss = f.purple})
end, "bad argument #2 to 'del'", "unknown field 'nss' (did you mean 'ns'?)")
refused("link.get: a misspelled key", function(f)
  link.get("v0-br", {nss = f.purple})
end, "bad argument #2 to 'get'", "unknown field 'nss' (did you mean 'ns'?)")
refused("link.list: a misspelled key", function(f)
  link.list{nss = f.purple}
end, "bad argument #1 to 'list'", "unknown field 'nss' (did you mean 'ns'?)")
refused("link.addr_add: a misspelled key", function()
  link.addr_add("v0-br", "10.9.9.1/24", {brdd = "+"})
end, "bad argument #3 to 'addr_add'", "unknown field 'brdd' (did you mean 'brd'?)")
refused("link.addr_del: a misspelled key", function(f)
  link.addr_del("v0-br", "10.9.8.1/24", {nss = f.purple})
end, "bad argument #3 to 'addr_del'", "unknown field 'nss' (did you mean 'ns'?)")
refused("link.addrs: a misspelled key", function()
  link.addrs("v0-br", {famly = "inet"})
end, "bad argument #2 to 'addrs'", "unknown field 'famly' (did you mean 'family'?)")

refused("bridge.add: a misspelled key", function()
  bridge.add("br1", {stpp = true})
end, "bad argument #2 to 'add'", "unknown field 'stpp' (did you mean 'stp'?)")
refused("bridge.attach: a misspelled key", function(f)
  bridge.attach(f.br, "v0-br", {nss = f.purple})
end, "bad argument #3 to 'attach'", "unknown field 'nss' (did you mean 'ns'?)")
refused_with(true, "bridge.detach: a misspelled key", function(f)
  bridge.detach("v0-br", {nss = f.purple})
end, "bad argument #2 to 'detach'", "unknown field 'nss' (did you mean 'ns'?)")
refused("bridge.ports: a misspelled key", function(f)
  bridge.ports("br0", {nss = f.purple})
end, "bad argument #2 to 'ports'", "unknown field 'nss' (did you mean 'ns'?)")
refused("bridge.list: a misspelled key", function(f)
  bridge.list{nss = f.purple}
end, "unknown field 'nss' (did you mean 'ns'?)")
refused("bridge.del: a misspelled key", function(f)
  bridge.del(f.br, {nss = f.purple})
end, "bad argument #2 to 'del'", "unknown field 'nss' (did you mean 'ns'?)")

refused("route.add{…}: device for dev", function()
  route.add{"10.20.0.0/16", device = "v0-br"}
end, "bad argument #1 to 'add'", "unknown field 'device' (did you mean 'dev'?)")
refused("route.add(dst, opts): a misspelled key", function()
  route.add("10.20.0.0/16", {dev = "v0-br", metrc = 5})
end, "bad argument #2 to 'add'", "unknown field 'metrc' (did you mean 'metric'?)")
refused("route.replace: a misspelled key", function()
  route.replace{"10.21.0.0/16", dev = "v0-br", metrc = 5}
end, "bad argument #1 to 'replace'", "unknown field 'metrc' (did you mean 'metric'?)")
refused("route.del: a misspelled key", function(f)
  route.del{"10.21.0.0/16", dev = "v0-br", nss = f.purple}
end, "bad argument #1 to 'del'", "unknown field 'nss' (did you mean 'ns'?)")
refused("route.list: a misspelled key", function()
  route.list{famly = "inet"}
end, "bad argument #1 to 'list'", "unknown field 'famly' (did you mean 'family'?)")
refused("a namespace's :routes goes through route.list's check", function(f)
  f.purple:routes{famly = "inet"}
end, "unknown field 'famly' (did you mean 'family'?)")

refused("netlab.params: a misspelled key of a parameter", function()
  netlab.params{{"count", 1, "how many", knd = "integer"}}
end, "bad argument #1 to 'params'", "unknown field 'knd' (did you mean 'kind'?)")
refused("netlab.params: a misspelled key of the declaration", function()
  netlab.params{dok = "what it builds", {"count", 1, "how many"}}
end, "bad argument #1 to 'params'", "unknown field 'dok' (did you mean 'doc'?)")

local topo = require "netlab.topo"
refused("topo.lan: a misspelled key", function()
  topo.lan{bridge = "br5", subnet = "10.5.0.0/24", gatway = 5, hosts = {{"h5"}}}
end, "bad argument #1 to 'lan'", "unknown field 'gatway' (did you mean 'gateway'?)")
refused("topo.lan: a misspelled key of a host", function()
  topo.lan{bridge = "br5", subnet = "10.5.0.0/24", hosts = {{"h5", hots = 3}}}
end, "bad argument #1 to 'lan'", "unknown field 'hots' (did you mean 'host'?)")
refused("topo.wire: a misspelled key", function()
  topo.wire{"w5", addr = "10.6.0.2/32", hostroute = true}
end, "bad argument #1 to 'wire'", "unknown field 'hostroute' (did you mean 'host_route'?)")
refused("topo.link: a misspelled key", function()
  topo.link{{"l5", "v-l5", "10.7.0.1/24"}, {"l6", "v-l6", "10.7.0.2/24"}, loo = true}
end, "bad argument #1 to 'link'", "unknown field 'loo' (did you mean 'lo'?)")

refused("nat.masquerade: the same check, with what was meant", function()
  nat.masquerade{srcc = "10.9.8.0/24"}
end, "bad argument #1 to 'masquerade'", "unknown field 'srcc' (did you mean 'src'?)")

t.test("the right keys still work, the name at [1] included", function()
  local _ <close> = t.fresh()
  local f = fixture()
  local purple, br = f.purple, f.br
  local l = link.veth{"v2", ns = purple, up = true, addr = "10.9.1.1/24",
                      peer = {"v2-br", master = br, up = true}}
  t.eq(l.name, "v2", "made")
  t.ok(t.ipaddrs("purple", "v2")["10.9.1.1/24"], "address on it")
  route.add("10.22.0.0/16", {dev = "v2", ns = purple, metric = 7})
  t.eq(#route.list{ns = purple, family = "inet", table = 254} > 0, true, "routes listed")
  t.eq(ns.capture(purple, {"true", quiet = true}), "", "exec with quiet")
end)

-- Misspelled functions --------------------------------------------------------

for _, c in ipairs{{"link", "veht", "veth"}, {"ns", "ad", "add"}, {"bridge", "atach", "attach"},
                   {"route", "repalce", "replace"}, {"nat", "masqerade", "masquerade"},
                   {"netlab", "shw", "show"}} do
  local mod, typo, meant = c[1], c[2], c[3]
  t.test(("%s.%s says %s.%s was meant"):format(mod, typo, mod, meant), function()
    t.fails(function() _G[mod][typo]{"x"} end, "strict.lua:",
            ("%s.%s: no such function (did you mean %s.%s?)"):format(mod, typo, mod, meant))
  end)
end

t.test("a name close to none says where to look", function()
  t.fails(function() return link.frobnicate end, "link.frobnicate: no such function (see help(link))")
end)

t.test("netlab's own optional fields and rawget still read as nil", function()
  t.eq(rawget(link, "veht"), nil, "rawget")
  t.eq(netlab._not_a_field, nil, "a '_' name is nil")
  t.eq(type(link.veth), "function", "real functions are there")
end)

-- Where errors point ----------------------------------------------------------

t.test("pcall(link.veth, …) names veth, not pcall", function()
  local ok, err = pcall(link.veth, {"v3"})
  t.eq(ok, false, "fails")
  t.ok(err:find("bad argument #1 to 'veth' (field 'peer' missing", 1, true), err)
end)

t.test("a tail call to a Lua half names the function and the caller's line", function()
  local function make() return link.veth{"v3", peer = "v3-br", addr = "10.0.0.1/33"} end
  local err = t.fails(function() make() end, "bad argument #1 to 'veth' (invalid CIDR")
  t.ok(err:match("^[^:]*strict%.lua:%d+: "), "the script's line: " .. err)
end)

t.test("an error raised by a Lua half says it in words, with no errno", function()
  local err = t.fails(function() netlab._error("something is wrong") end, "something is wrong")
  t.ok(not err:find("EINVAL", 1, true) and not err:find("_error", 1, true), err)
end)

-- The messages as the command line prints them --------------------------------

t.test("netlab -e names the function and (command line):1", function()
  local out, code = t.run("-e", 'link.veth{"e1", adr = "10.0.0.1/24", peer = "e1-br"}')
  t.ok(code ~= 0, "fails")
  t.ok(out:find("netlab: (command line):1: bad argument #1 to 'veth' (unknown field 'adr' " ..
                "(did you mean 'addr'?))", 1, true), out)
  out = t.run("-e", 'link.veht{"e1"}')
  t.ok(out:find("(command line):1: link.veht: no such function (did you mean link.veth?)",
                1, true), out)
  t.eq(t.iplink(nil, "e1"), nil, "nothing made")
end)

t.test("netlab reading stdin names the function and stdin:LINE", function()
  local out = t.sh('printf "x = 1\\nns.add(\\"s1\\", {lo = true, ipv7 = false})\\n" | "$1"', t.bin)
  t.ok(out:find("stdin:2: bad argument #2 to 'add' (unknown field 'ipv7' (did you mean 'ipv6'?))",
                1, true), out)
  t.eq(ns.get("s1"), nil, "nothing made")
end)

t.test("parameter errors name the script and the parameter, without internals", function()
  local dir = os.tmpname()
  os.remove(dir)
  os.execute("mkdir -p " .. dir)
  local f = assert(io.open(dir .. "/p.lua", "w"))
  f:write('local p = netlab.params{{"subnet", "10.0.0.0/24", "the subnet", kind = "subnet"}}\n',
          'ns.add("p1")\n')
  f:close()
  local out, code = t.run("run", dir .. "/p.lua", "subnet=10.0.0.0/33")
  t.ok(code ~= 0, "fails")
  t.ok(out:find(dir .. "/p.lua: parameter subnet=10.0.0.0/33: invalid CIDR", 1, true), out)
  t.ok(out:find("(see --help)", 1, true), out)
  t.ok(not out:find("_error", 1, true) and not out:find("EINVAL", 1, true), out)
  out = t.run("run", dir .. "/p.lua", "subnett=10.0.0.0/24")
  t.ok(out:find('p.lua: unknown parameter "subnett"', 1, true), out)
  t.ok(not out:find("_error", 1, true) and not out:find("EINVAL", 1, true), out)
  t.eq(ns.get("p1"), nil, "nothing made")
  os.execute("rm -rf " .. dir)
end)

-- A dry run never reaches the C halves that make things: the same specs are
-- checked on the way in.
for _, c in ipairs{
  {'link.veth{"dr1", adr = "10.0.0.1/24", peer = "dr1-br"}', "'adr' (did you mean 'addr'?)"},
  {'route.add("10.30.0.0/16", {device = "lo"})', "#2 to 'add' (unknown field 'device' (did you mean 'dev'?))"},
  {'link.set("lo", {upp = true})', "#2 to 'set' (unknown field 'upp' (did you mean 'up'?))"},
  {'link.addr_add("lo", "10.31.0.1/24", {brdd = "+"})', "'brdd' (did you mean 'brd'?)"},
  {'nat.masquerade{srcc = "10.0.0.0/24"}', "'srcc' (did you mean 'src'?)"},
} do
  t.test("--dry-run refuses a misspelled key as a run does: " .. c[1], function()
    local path = os.tmpname()
    local f = assert(io.open(path, "w"))
    f:write(c[1], "\n")
    f:close()
    local out, code = t.run("run", "--dry-run", path)
    t.ok(code ~= 0, "fails: " .. out)
    t.ok(out:find(c[2], 1, true), out)
    t.ok(out:find(":1: ", 1, true), "the script's line: " .. out)
    os.remove(path)
  end)
end

t.done()
