-- netlab.state and `netlab show --json`: the one model of the live kernel
-- agrees, field by field, with `ip -j -d link`, `ip -j addr`, `ip -j route
-- show table all` and `nft -j list ruleset` of every namespace, after each
-- bundled script and for a lab built by plain ip commands; a namespace that
-- goes is shown as gone; bad input gets one line.
local t = require "t"
local cjson = t.json

local function show_json(...)
  local out, code = t.run("show", "--json", ...)
  t.eq(code, 0, "netlab show --json: " .. out)
  local ok, v = pcall(cjson.decode, out)
  t.ok(ok, "show --json prints JSON: " .. out:sub(1, 300))
  return v
end

local function by(list, key)
  local m = {}
  for _, x in ipairs(list) do m[x[key]] = x end
  return m
end

local function keys(m)
  local k = {}
  for name in pairs(m) do k[#k + 1] = tostring(name) end
  table.sort(k)
  return table.concat(k, " ")
end

local function nsarg(e) return e.name ~= "root" and e.name or nil end

-- What disagrees between the model's namespace e and the witnesses, in
-- words (empty when they agree). cjson.null reads as absent.
local function disagreements(e)
  local bad = {}
  local function want(what, got, expect)
    if expect == cjson.null then expect = nil end
    if got ~= expect then
      bad[#bad + 1] = ("%s %s: netlab %s, witness %s"):format(e.name, what, tostring(got), tostring(expect))
    end
  end
  local n = nsarg(e)
  -- Links, ip -j -d link.
  local iplinks = by(t.ip(n, "-d", "link", "show"), "ifname")
  local links = by(e.links, "ifname")
  want("links", keys(links), keys(iplinks))
  for name, w in pairs(iplinks) do
    local g = links[name]
    if g then
      local kind = w.linkinfo and w.linkinfo.info_kind or
                   (w.link_type == "loopback" and "loopback" or "device")
      want(name .. " ifindex", g.ifindex, w.ifindex)
      want(name .. " kind", g.kind, kind)
      want(name .. " linkinfo.info_kind", g.linkinfo and g.linkinfo.info_kind,
           w.linkinfo and w.linkinfo.info_kind)
      want(name .. " mtu", g.mtu, w.mtu)
      want(name .. " address", g.address, w.address)
      want(name .. " operstate", g.operstate, w.operstate)
      want(name .. " up", g.up, t.has_flag(w, "UP"))
      want(name .. " carrier", g.carrier, t.has_flag(w, "LOWER_UP"))
      want(name .. " master", g.master, w.master)
      want(name .. " ifalias", g.ifalias, w.ifalias)
      want(name .. " link", g.link, w.link)
      want(name .. " link_index", g.link_index, w.link_index)
      want(name .. " link_netnsid", g.link_netnsid, w.link_netnsid)
      for _, b in ipairs(t.link_disagreements(e.name .. " " .. name, g, w)) do bad[#bad + 1] = b end
    end
  end
  -- Addresses, ip -j addr.
  for _, w in ipairs(t.ip(n, "addr", "show")) do
    local g = links[w.ifname]
    local have = {}
    for _, a in ipairs(g and g.addr_info or {}) do have[a["local"] .. "/" .. a.prefixlen] = a end
    local seen = {}
    for _, a in ipairs(w.addr_info or {}) do
      local k = a["local"] .. "/" .. a.prefixlen
      seen[k] = true
      local h = have[k]
      want(w.ifname .. " addr " .. k, h and k, k)
      if h then
        want(w.ifname .. " " .. k .. " family", h.family, a.family)
        want(w.ifname .. " " .. k .. " scope", h.scope, a.scope)
        want(w.ifname .. " " .. k .. " broadcast", h.broadcast, a.broadcast)
      end
    end
    for k in pairs(have) do
      if not seen[k] then want(w.ifname .. " addr " .. k, k, "none") end
    end
  end
  -- Routes of every table, ip -j route show table all (both families):
  -- ip leaves out what is the default (main table, unicast, metric 0, universe scope).
  local function rkey(r)
    return ("%s %s %s metric %d"):format(r.table or "main", r.type or "unicast", r.dst, r.metric or 0)
  end
  local iproutes, routes = {}, {}
  for _, fam in ipairs{"-4", "-6"} do
    for _, r in ipairs(t.ip(n, fam, "route", "show", "table", "all")) do iproutes[rkey(r)] = r end
  end
  for _, r in ipairs(e.routes) do routes[rkey(r)] = r end
  want("routes", keys(routes), keys(iproutes))
  for k, w in pairs(iproutes) do
    local g = routes[k]
    if g then
      want(k .. " dev", g.dev, w.dev)
      want(k .. " gateway", g.gateway, w.gateway)
      want(k .. " protocol", g.protocol, w.protocol or "boot")
      want(k .. " scope", g.scope, w.scope or "global")
      want(k .. " prefsrc", g.prefsrc, w.prefsrc)
    end
  end
  -- Forwarding, as /proc/sys reads inside the namespace.
  local v4 = ns.capture(n, "cat", "/proc/sys/net/ipv4/ip_forward")
  local v6 = ns.capture(n, "cat", "/proc/sys/net/ipv6/conf/all/forwarding")
  want("forwarding.ipv4", e.forwarding.ipv4, v4:match("^1") ~= nil)
  want("forwarding.ipv6", e.forwarding.ipv6, v6:match("^1") ~= nil)
  -- nftables, nft -j list ruleset.
  local tables, chains, rules = {}, {}, {}
  for _, item in ipairs(cjson.decode((ns.capture(n, "nft", "-j", "list", "ruleset"))).nftables) do
    if item.table then tables[item.table.family .. " " .. item.table.name] = item.table end
    if item.chain then
      chains[("%s %s %s"):format(item.chain.family, item.chain.table, item.chain.name)] = item.chain
    end
    if item.rule then rules[("%s %s %d"):format(item.rule.family, item.rule.table, item.rule.handle)] = item.rule end
  end
  local nft = e.nftables
  local gt, gc, gr = {}, {}, {}
  for _, x in ipairs(nft.tables) do gt[x.family .. " " .. x.name] = x end
  for _, x in ipairs(nft.chains) do gc[("%s %s %s"):format(x.family, x.table, x.name)] = x end
  for _, x in ipairs(nft.rules) do gr[("%s %s %d"):format(x.family, x.table, x.handle)] = x end
  want("nft tables", keys(gt), keys(tables))
  want("nft chains", keys(gc), keys(chains))
  want("nft rules", keys(gr), keys(rules))
  for k, w in pairs(tables) do
    if gt[k] then want(k .. " handle", gt[k].handle, w.handle) end
  end
  for k, w in pairs(chains) do
    local g = gc[k]
    if g then
      for _, f in ipairs{"handle", "type", "hook", "prio", "policy"} do want(k .. " " .. f, g[f], w[f]) end
    end
  end
  for k, w in pairs(rules) do
    if gr[k] then
      want(k .. " chain", gr[k].chain, w.chain)
      want(k .. " comment", gr[k].comment, w.comment)
    end
  end
  return bad
end

-- Every namespace of `netlab show --json` agrees with its witnesses, and
-- the model names every namespace there is. A link's IPv6 link-local
-- address (and its route) comes a moment after it is up, so a read that
-- raced it is read again, a few times at most.
local function agrees(what)
  local bad
  for _ = 1, 5 do
    local st = show_json()
    local names = {root = true}
    for _, n in ipairs(ns.list()) do names[n.name] = true end
    bad = {}
    local got = {}
    for _, e in ipairs(st) do
      got[e.name] = true
      t.ok(not e.gone, what .. ": " .. e.name .. " is not gone")
      for _, b in ipairs(disagreements(e)) do bad[#bad + 1] = b end
    end
    t.eq(keys(got), keys(names), what .. ": the namespaces")
    if #bad == 0 then return st end
    netlab.sleep(0.3)
  end
  error(what .. ":\n" .. table.concat(bad, "\n"), 2)
end

local function find(st, nsname, ifname)
  for _, e in ipairs(st) do
    if e.name == nsname then
      if not ifname then return e end
      for _, l in ipairs(e.links) do
        if l.ifname == ifname then return l end
      end
    end
  end
end

local scripts = {}
for f in t.sh_ok("ls scripts"):gmatch("[^\n]+") do
  if f:match("%.lua$") then scripts[#scripts + 1] = f:sub(1, -5) end
end
t.ok(#scripts >= 8, "the bundled scripts are found")

for _, name in ipairs(scripts) do
  t.test(name .. ": show --json agrees with ip -j and nft -j, and names the lab", function()
    if t.refused_script(name) then return end
    local _ <close> = t.fresh()
    local out, code = t.run("run", name)
    local _ <close> = setmetatable({}, {__close = function() t.run("down", name) end})
    t.eq(code, 0, "run " .. name .. ": " .. out)
    local st = agrees(name)
    -- The lab's own namespaces, and every object in them, are the lab's.
    local labs = {}
    for _, e in ipairs(st) do
      if e.name ~= "root" and e.name ~= "internet" then
        t.eq(e.lab, name, e.name .. "'s lab")
        for _, l in ipairs(e.links) do t.eq(l.lab, name, e.name .. " " .. l.ifname .. "'s lab") end
      end
      for _, l in ipairs(e.links) do if l.lab then labs[l.lab] = true end end
    end
    t.ok(labs[name], "some link is the lab's")
    -- What the lab made in the root, known from its records.
    if name == "con1" then
      local r
      for _, x in ipairs(find(st, "root").routes) do if x.dst == "172.17.0.2" then r = x end end
      t.eq(r and r.lab, "con1", "con1's route in root")
    end
    for _, x in ipairs(find(st, "root").nftables.rules) do
      t.eq(x.lab, x.comment and x.comment:match("^netlab:(.+)") or nil, "the lab of rule " .. x.text)
    end
    for _, x in ipairs(find(st, "root").nftables.tables) do
      if x.name == "netlab" then t.eq(x.lab, name, "the lab of table netlab") end
    end
    out, code = t.run("down", name)
    t.eq(code, 0, "down: " .. out)
  end)
end

t.test("a lab built by plain ip commands is read the same way, peers found across namespaces", function()
  local _ <close> = t.fresh()
  t.sh_ok([[
    ip netns add h1 && ip netns add h2 &&
    ip link add br9 type bridge && ip link set br9 up &&
    ip link add h1-br type veth peer name eth0 netns h1 &&
    ip link add h2-br type veth peer name eth0 netns h2 &&
    ip link set h1-br master br9 up && ip link set h2-br master br9 up &&
    ip -n h1 addr add 10.9.0.1/24 dev eth0 && ip -n h1 link set eth0 up &&
    ip -n h2 addr add 10.9.0.2/24 dev eth0 && ip -n h2 link set eth0 up &&
    ip -n h1 route add default via 10.9.0.2 &&
    ip link add pa type veth peer name pb && ip link set pa mtu 1400 &&
    nft add table ip filter && nft add chain ip filter FORWARD "{ type filter hook forward priority 0; policy drop; }" &&
    nft add rule ip filter FORWARD iifname br9 accept]])
  local st = agrees("hand-built")
  local l = find(st, "root", "h1-br")
  t.eq(l.kind, "veth", "kind")
  t.eq(l.master, "br9", "master")
  t.eq(l.peer.ns, "h1", "peer's namespace")
  t.eq(l.peer.ifname, "eth0", "peer's name")
  t.eq(l.lab, nil, "no lab made it")
  l = find(st, "h2", "eth0")
  t.eq(l.peer.ns, "root", "the root seen from h2")
  t.eq(l.peer.ifname, "h2-br", "peer seen from h2")
  t.eq(l.addr_info[1]["local"], "10.9.0.2", "address")
  t.eq(l.addr_info[1].prefixlen, 24, "prefixlen")
  l = find(st, "root", "pa")
  t.eq(l.link, "pb", "a peer in the same namespace by name, as ip names it")
  t.eq(l.mtu, 1400, "mtu")
  local gw
  for _, r in ipairs(find(st, "h1").routes) do
    if r.dst == "default" then gw = r end
  end
  t.eq(gw and gw.gateway, "10.9.0.2", "h1's default route's gateway")
  t.eq(gw and gw.table, "main", "its table")
  t.eq(gw and gw.dev, "eth0", "its dev")
  -- Others' nftables are in the model too, no lab's.
  local nft = find(st, "root").nftables
  t.eq(#nft.tables, 1, "one table")
  t.eq(nft.tables[1].name, "filter", "its name")
  t.eq(nft.tables[1].lab, nil, "no lab's")
  t.eq(nft.chains[1].policy, "drop", "its chain's policy")
  t.ok(nft.rules[1].text:find("br9", 1, true), "its rule decoded: " .. nft.rules[1].text)
  -- The text of netlab show is the same model printed.
  local out = t.sh_ok(t.bin .. " show h1 h2")
  t.ok(out:find("== h1", 1, true) and out:find("eth0%s+UP%s+veth%s+1500%s+%-%s+h1%-br@root%s+10%.9%.0%.1/24"),
       "show prints h1's link: " .. out)
  t.ok(out:find("default via 10.9.0.2 dev eth0", 1, true), "show prints h1's route: " .. out)
  t.ok(not out:find("== root", 1, true), "only the namespaces named: " .. out)
  -- Empty lists stay lists in JSON.
  local raw = t.sh_ok(t.bin .. " show --json h2")
  t.ok(raw:find('"rules":[]', 1, true), "an empty list is [] : " .. raw:sub(1, 200))
  t.ok(not raw:find("\\/", 1, true), "no escaped slashes: " .. raw:sub(1, 200))
end)

t.test("a stale /run/netns entry is shown as gone, the rest still shown", function()
  local _ <close> = t.fresh()
  t.sh_ok("ip netns add alive && touch /run/netns/ghost")
  local st = show_json()
  local g = find(st, "ghost")
  t.ok(g and g.gone, "ghost is gone")
  t.ok(find(st, "alive") and not find(st, "alive").gone, "alive is read")
  t.ok(#find(st, "alive").links >= 1, "alive's links")
  local out, code = t.run("show")
  t.eq(code, 0, "show: " .. out)
  t.ok(out:find("== ghost: ", 1, true), "the text says so: " .. out)
  t.sh_ok("rm /run/netns/ghost")
end)

t.test("a namespace deleted while it is read is shown as gone, never an abort", function()
  local _ <close> = t.fresh()
  t.sh_ok("ip netns add victim && ip netns add bystander && ip -n victim link add v0 type veth peer name v1")
  local deleted = false
  -- Called after the namespace is opened and before it is read.
  netlab._state_hook = function(name)
    if name == "victim" then
      t.sh_ok("ip netns del victim")
      deleted = true
    end
  end
  local ok, st = pcall(netlab.state)
  netlab._state_hook = nil
  t.ok(ok, "netlab.state does not raise: " .. tostring(st))
  t.ok(deleted, "the hook ran")
  local v = find(st, "victim")
  t.ok(v and v.gone, "victim is gone")
  t.eq(v.why, "gone while it was read", "why")
  t.ok(find(st, "bystander").links, "bystander is read")
  t.ok(tostring(st):find("== victim: gone while it was read", 1, true), "shown as gone")
end)

t.test("bad input: one clear line", function()
  local out, code = t.run("show", "nosuchns")
  t.eq(code, 1, "unknown namespace's exit code")
  t.eq(out, 'netlab: show: no namespace "nosuchns" (ip netns list shows them)\n', "its line")
  out, code = t.run("show", "--jsn")
  t.eq(code, 2, "unknown option's exit code")
  t.eq(out, "netlab: show: unknown option --jsn (netlab --help)\n", "its line")
  out, code = t.run("ls", "--jsn")
  t.eq(code, 2, "ls: unknown option's exit code")
  t.eq(out, "netlab: ls: unknown option --jsn (netlab --help)\n", "ls's line")
  out, code = t.run("show", "root", "--json")
  t.eq(code, 0, "--json after the names: " .. out)
  t.eq(t.json.decode(out)[1].name, "root", "--json after the names is JSON of root")
  out, code = t.run("show", "--json", "root", "nosuchns")
  t.eq(code, 1, "one unknown among known names")
  t.eq(select(2, out:gsub("\n", "")), 1, "one line: " .. out)
end)

t.test("ls --json: every lab as JSON, and one lab's problems", function()
  local _ <close> = t.fresh()
  -- This test is a lab too (netlab run --sandbox state.lua): labs but it.
  local function others(list)
    local out = {}
    for _, l in ipairs(list) do if l.name ~= "state" then out[#out + 1] = l end end
    return out
  end
  local out, code = t.run("ls", "--json")
  t.eq(code, 0, "ls --json: " .. out)
  t.eq(#others(cjson.decode(out)), 0, "no labs but this test's: " .. out)
  out, code = t.run("run", "red_blue")
  local _ <close> = setmetatable({}, {__close = function() t.run("down", "red_blue") end})
  t.eq(code, 0, "run: " .. out)
  local list = others(cjson.decode(t.sh_ok(t.bin .. " ls --json")))
  t.eq(#list, 1, "one lab")
  t.eq(list[1].name, "red_blue", "name")
  t.eq(list[1].status, "intact", "status")
  t.ok(list[1].objects > 0, "objects")
  t.sh_ok("ip netns del blue")
  local one = cjson.decode(t.sh_ok(t.bin .. " ls --json red_blue"))
  t.eq(one.name, "red_blue", "one lab's name")
  t.ok(one.status:find("partly gone", 1, true), "status: " .. one.status)
  t.ok(#one.problems >= 1 and one.problems[1]:find("blue", 1, true), "its problems name blue")
  t.sh_ok(t.bin .. " down red_blue")
end)

t.done()
