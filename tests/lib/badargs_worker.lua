-- The bad-argument matrix of tests/lua/badargs.lua, run in a child netlab
-- (`netlab -e`, so the C halves are reached without a lab's wrappers) so
-- that a crash ends one child, not the test: the parent restarts after the
-- call that crashed. Every call is numbered the same way in every child.
--
-- Output, unbuffered, one line each: "T idx" before a call, then
-- "R idx class where | message" after it, class one of:
--   error   a clear one-line error naming the function
--   ok      a success that is legitimate
--   unclear an error without the function's name, several lines, or Lua's
--           internals ("attempt to", "to '?'", a metamethod's own error)
--   wrong   a success with a value that cannot be meant (NaN, 1500.7 as an
--           integer, a NUL byte, a 5000-byte or 16-byte interface name, …)
local M = {}

-- The bad values, each with the name a report shows.
local index_fn = setmetatable({}, {__index = function()
  collectgarbage()
  return "x" .. tostring(math.random())
end})
local tostring_raises = setmetatable({}, {__tostring = function() error("__tostring raised") end})
local index_raises = setmetatable({}, {__index = function() error("__index raised") end})
local VALUES = {
  {"nil", nil}, {"true", true}, {"false", false}, {"0", 0}, {"-1", -1},
  {"1500.7", 1500.7}, {"2^40", 2 ^ 40}, {"NaN", 0 / 0}, {"+huge", math.huge},
  {"-huge", -math.huge}, {"mininteger", math.mininteger}, {"maxinteger", math.maxinteger},
  {"\"\"", ""}, {"NUL", "ab\0cd"}, {"16 bytes", ("a"):rep(16)}, {"5000 bytes", ("b"):rep(5000)},
  {"\"/\"", "/"}, {"\"..\"", ".."}, {"unicode", "ñämé€🙂"}, {"\"1500\"", "1500"},
  {"function", print}, {"{}", {}}, {"__index fn", index_fn},
  {"__tostring raises", tostring_raises}, {"__index raises", index_raises},
  {"coroutine", coroutine.create(print)}, {"userdata", io.stdout},
}
M.VALUES = VALUES

-- Values no function may take silently (in an options position, a table
-- that is otherwise plain is an empty set of options, which is legitimate).
local NEVER = {
  ["1500.7"] = true, ["2^40"] = true, NaN = true, ["+huge"] = true, ["-huge"] = true,
  mininteger = true, maxinteger = true, NUL = true, ["5000 bytes"] = true, ["function"] = true,
  ["__index fn"] = true, ["__tostring raises"] = true, ["__index raises"] = true,
  coroutine = true, userdata = true,
}

local PID = setmetatable({}, {__name = "pid placeholder"})

-- A good call of every public function: module, function, arguments (an
-- argument table with `fields` is an options table whose fields are varied
-- too), and which slots name an interface (where 16 bytes cannot be taken).
-- `query`: a nil first result is an answer ("not there"), not an accept.
-- `skip`: values not tried in a slot, with the reason.
local function cases()
  local link_add = link._spec.add
  local route_f = route._spec.add
  return {
    {"ns", "add", {"bn1"}, ifname = {}},
    {"ns", "add", {{"bn2", fields = {"lo", "ipv6", "forwarding"}}}},
    {"ns", "del", {"bnone"}},
    {"ns", "del", {{name = "bnone", fields = {"name"}}}},
    {"ns", "get", {"bx"}, query = true},
    {"ns", "sysctl", {"bx", "net.ipv4.ip_forward"}},
    {"ns", "sysctl", {"bx", "net.ipv4.conf.all.forwarding", 0}},
    {"ns", "exec", {"bx", "true"}},
    {"ns", "exec", {"bx", {"true", quiet = true, log = "badargs.log", fields = {"quiet", "log"}}}},
    {"ns", "capture", {"bx", "true"}},
    {"ns", "spawn", {"bx", "true"}},
    {"ns", "forwarding", {"bx", true}},
    {"ns", "attach", {"bnone", 999999999}},
    {"ns", "pids", {"bx"}},
    {"ns", "kill", {"bx", "TERM"}},
    {"ns", "of", {999999999}, query = true},
    {"link", "add", {{"la0", kind = "bridge", fields = link_add}}, ifname = {"1:1", "1.master"}},
    {"link", "veth", {{"lv0", peer = "lv1", fields = link_add}}, ifname = {"1:1", "1.peer", "1.master"}},
    {"link", "veth", {{"lv2", peer = {"lv3", fields = link._spec.add.peer}}}, ifname = {"1:1", "1.peer:1"}},
    {"link", "dummy", {{"ld0", fields = link_add}}},
    {"link", "macvlan", {{"lm0", parent = "bv0", mode = "bridge", fields = link_add}},
      ifname = {"1:1", "1.parent"}},
    {"link", "ipvlan", {{"li0", parent = "bv0", mode = "l2", fields = link_add}},
      ifname = {"1:1", "1.parent"}},
    {"link", "vlan", {{"lq0", parent = "bv0", id = 10, protocol = "802.1ad", fields = link_add}},
      ifname = {"1:1", "1.parent"}},
    {"link", "vxlan", {{"lx0", vni = 7, remote = "10.77.0.9", dev = "bv0", dstport = 4790,
      learning = false, fields = link_add}}, ifname = {"1:1", "1.dev"}},
    {"link", "set", {"bv0", {mtu = 1400, fields = link._spec.set}}, ifname = {"2.name", "2.master"},
      ints = {"2.mtu"}},
    {"link", "del", {"lnone", {fields = link._spec.del}}},
    {"link", "get", {"bv0", {fields = {"ns"}}}, query = true},
    {"link", "list", {"bx"}},
    {"link", "list", {{ns = "bx", fields = {"ns"}}}},
    {"link", "addr_add", {"bv0", "10.77.0.1/24", {brd = "+", fields = link._spec.addr_add}}},
    {"link", "addr_del", {"bv0", "10.77.9.1/24", {fields = link._spec.addr_del}}},
    {"link", "addrs", {"bv0", {family = "inet", fields = {"ns", "family"}}}},
    {"link", "neighbors", {"bv0", {fields = {"ns"}}}},
    {"link", "neighbors", {{ns = "bx", fields = {"ns"}}}},
    {"link", "neighbor_add", {{addr = "10.77.0.9", mac = "02:00:00:00:00:09", link = "bv0",
      fields = {"addr", "mac", "link", "ns"}}}, ifname = {"1.link"}},
    {"link", "neighbor_del", {{addr = "10.77.9.9", link = "bv0", fields = {"addr", "link", "ns"}}},
      ifname = {"1.link"}},
    {"link", "impair", {"bv0", {rate = "1mbit", fields = {"delay", "jitter", "distribution", "loss",
      "duplicate", "corrupt", "reorder", "rate", "limit", "ns"}}}},
    {"link", "impair", {"bv0", false, {fields = {"ns"}}}},
    {"link", "has_netem", {}, query = true},
    {"link", "up", {"bv0", {fields = {"ns"}}}},
    {"link", "down", {"bbr", {fields = {"ns"}}}},
    {"bridge", "add", {"bb1", {up = true, fields = link_add}}, ifname = {"1"}},
    {"bridge", "attach", {"bbr", "bv0", {fields = {"ns"}}}, ifname = {"1", "2"}},
    {"bridge", "detach", {"bv0", {fields = {"ns"}}}},
    {"bridge", "ports", {"bbr", {fields = {"ns"}}}},
    {"bridge", "list", {"bx"}},
    {"bridge", "del", {"bnone0", {fields = {"ns"}}}},
    {"bridge", "vlan", {"bv0", {vid = 10, pvid = true, untagged = true, fields = bridge._spec.vlan}},
      ifname = {"1"}, ints = {"2.vid"}},
    {"bridge", "vlan_del", {"bv0", {vid = 10, fields = bridge._spec.vlan_del}}, ifname = {"1"},
      ints = {"2.vid"}},
    {"bridge", "vlans", {"bbr", {fields = {"ns"}}}, query = true},
    {"bridge", "has_vlan_filtering", {}, query = true},
    {"bridge", "need_vlan_filtering", {}},
    {"route", "add", {{"10.88.0.0/16", dev = "bv0", fields = route_f}}, ifname = {"1.dev"}},
    {"route", "replace", {"10.89.0.0/16", {dev = "bv0", fields = route_f}}, ifname = {"2.dev"}},
    {"route", "del", {{"10.99.0.0/16", dev = "bv0", fields = route_f}}},
    {"route", "list", {{ns = "bx", family = "inet", fields = {"ns", "family", "table"}}}},
    {"route", "get", {"bx", "127.0.0.1", {src = "127.0.0.1", oif = "lo", fields = route._spec.get}},
      ifname = {"3.iif", "3.oif"}, query = true},
    {"nat", "masquerade", {{src = "10.0.0.0/8", out = "bv0", fields = nat._spec.masquerade}},
      ifname = {"1.out"}},
    {"nat", "allow", {{iif = "bv0", state = "established,related", fields = nat._spec.allow}},
      ifname = {"1.iif", "1.oif"}},
    {"nat", "forward_port", {{port = 8080, to = "10.0.0.2:80", fields = nat._spec.forward_port}}},
    {"nat", "filter", {{policy = "accept", fields = nat._spec.filter}}},
    {"nat", "list", {{ns = "root", fields = {"ns", "table", "all"}}}},
    {"nat", "flush", {{ns = "bx", fields = {"ns", "table"}}}},
    {"nat", "del", {123456789, {fields = {"ns", "table"}}}},
    -- Loopback answers at once, so a call that is taken costs no timeout.
    {"probe", "ping", {"bx", "127.0.0.1", {timeout = 0.05, count = 1, size = 8, src = "127.0.0.1",
      fields = probe._spec.ping}}},
    {"probe", "tcp", {"bx", "127.0.0.1:1", {timeout = 0.05, src = "127.0.0.1", fields = probe._spec.tcp}}},
    -- A datagram's payload is bytes: NUL and 5000 of them are data.
    {"probe", "udp", {"bx", "127.0.0.1:1", {timeout = 0.05, src = "127.0.0.1", payload = "x",
      fields = probe._spec.udp}}, text = {"3.payload"}},
    {"probe", "matrix", {{from = {"bx"}, to = {"127.0.0.1"}, timeout = 0.05, rtt = true,
      fields = probe._spec.matrix}}},
    {"probe", "expect", {{{"bx", "127.0.0.1"}, timeout = 0.05, fields = probe._spec.expect}}},
    -- The child runs in a directory of its own: graph.write's file lands there.
    {"graph", "dot", {{ns = "bx", labs = false, group = 5, fields = graph._fields}}},
    {"graph", "mermaid", {{ns = "bx", lab = nil, fields = graph._fields}}},
    {"graph", "render", {"graph { a -- b }", "svg"}},
    {"graph", "write", {"badargs.svg", {ns = "bx", format = "svg", fields = graph._write_fields}}},
    {"probe", "why", {"bx", "127.0.0.1", {timeout = 0.05, fields = probe._spec.why}}},
    {"netlab", "cidr", {"10.0.0.1/24", true}, query = true},
    {"netlab", "host", {"10.0.0.0/24", 5}},
    {"netlab", "hostcidr", {"10.0.0.0/24", 5}},
    {"netlab", "show", {"bx"}},
    {"netlab", "state", {"bx"}},
    {"netlab", "sleep", {0.001}, skip = {["1"] = {["1500.7"] = "sleeps 25 minutes",
      ["\"1500\""] = "sleeps 25 minutes"}}},
    {"netlab", "kill", {PID, "TERM"}},
    {"netlab", "wait", {PID, 0.01}, skip = {["2"] = {["2^40"] = "waits for 2^40 s (the process sleeps on)",
      ["maxinteger"] = "waits for 2^63 s", ["1500.7"] = "waits 25 minutes", ["\"1500\""] = "waits 25 minutes",
      ["+huge"] = "waits for ever", ["nil"] = "waits until the process ends"}}},
    {"netlab", "params", {{doc = "d", {"n", 1, "a number"}, fields = {"doc"}}}, text = {"1.doc"}},
    {"netlab", "trace", {false}},
    -- On one machine on() runs its block: the block here does nothing.
    {"netlab", "on", {"node1", function() end}, skip = {["2"] = {["function"] = "a block is what on() runs"}}},
  }
end

-- Public functions not in the matrix, and why; the parent checks that every
-- public function is either here or in a case.
M.SKIPPED = {
  ["ns.list"] = "takes no argument (extra arguments are ignored, as in Lua)",
}

-- A deep copy of a case's argument, fields list removed, with the pid placeholder filled.
local function copy(v, pid)
  if v == PID then return pid end
  if type(v) ~= "table" or getmetatable(v) then return v end
  local o = {}
  for k, x in pairs(v) do
    if k ~= "fields" then o[k] = copy(x, pid) end
  end
  return o
end

-- The slots of a case: "N" (argument N), "N.field", "N:1" (item 1 of an
-- options table), "N.sub:1" / "N.sub.field" (a table-valued field).
local function slots(args)
  local out = {}
  for i, a in ipairs(args) do
    out[#out + 1] = {tostring(i), i}
    if type(a) == "table" and a ~= PID then
      if type(a[1]) == "string" then out[#out + 1] = {i .. ":1", i, 1} end
      for _, f in ipairs(a.fields or {}) do
        out[#out + 1] = {i .. "." .. f, i, f}
        if type(a[f]) == "table" and a[f].fields then
          local sub = a[f]
          if type(sub[1]) == "string" then out[#out + 1] = {i .. "." .. f .. ":1", i, f, 1} end
          for _, g in ipairs(sub.fields) do out[#out + 1] = {i .. "." .. f .. "." .. g, i, f, g} end
        end
      end
    end
  end
  return out
end

-- Every call of the matrix, in a fixed order: {case, slot, value}.
function M.calls(only)
  local list = {}
  for _, c in ipairs(cases()) do
    if not only or c[1] == only then
      for _, s in ipairs(slots(c[3])) do
        for _, v in ipairs(VALUES) do
          local skip = c.skip and c.skip[s[1]] and c.skip[s[1]][v[1]]
          if not skip then list[#list + 1] = {c, s, v} end
        end
      end
    end
  end
  return list
end

-- Every public function the matrix covers, as "mod.fn".
function M.covered()
  local set = {}
  for _, c in ipairs(cases()) do set[c[1] .. "." .. c[2]] = true end
  return set
end

-- The skips of values in slots, as lines for the report.
function M.skips()
  local out = {}
  for _, c in ipairs(cases()) do
    for slot, vals in pairs(c.skip or {}) do
      for v, why in pairs(vals) do
        out[#out + 1] = ("%s.%s argument %s = %s: %s"):format(c[1], c[2], slot, v, why)
      end
    end
  end
  table.sort(out)
  return out
end

local function args_for(call, pid)
  local c, s, v = call[1], call[2], call[3]
  local args = copy(c[3], pid)
  local n = #c[3]
  if #s == 2 then
    args[s[2]] = v[2]
  elseif #s == 3 then
    args[s[2]][s[3]] = v[2]
  else
    if type(args[s[2]][s[3]]) ~= "table" then args[s[2]][s[3]] = {} end
    args[s[2]][s[3]][s[4]] = v[2]
  end
  return args, n
end

-- The lab every call starts from: namespace bx, veth bv0 (root) - bv1 (bx),
-- bridge bbr, and a spawned process for netlab.kill and netlab.wait.
local pid
local function reset()
  for _, n in ipairs(ns.list()) do
    if n.name ~= "bx" then pcall(ns.del, n.name) end
  end
  if not ns.get("bx") then ns.add("bx", {lo = true}) end
  local root, bx = link._names(), link._names("bx")
  for name in pairs(root) do
    if name ~= "lo" and name ~= "bv0" and name ~= "bbr" then pcall(link.del, name) end
  end
  for name in pairs(bx) do
    if name ~= "lo" and name ~= "bv1" then pcall(link.del, name, {ns = "bx"}) end
  end
  if not (root.bv0 and bx.bv1) then
    pcall(link.del, "bv0")
    pcall(link.del, "bv1", {ns = "bx"})
    link.veth{"bv0", up = true, peer = {"bv1", ns = "bx", up = true}}
  end
  if not root.bbr then bridge.add("bbr", {up = true}) end
  if not pid or netlab.wait(pid, 0) ~= nil then
    -- Quiet: its output must not hold the pipe the parent reads to its end.
    pid = ns.spawn("bx", {"sleep", "600", quiet = true})
    print("PID " .. pid)
  end
end

-- What the matrix made goes, and its process ends.
local function cleanup()
  if pid then pcall(netlab.kill, pid) end
  pcall(nat.flush)
  for _, name in ipairs{"bv0", "bbr"} do pcall(link.del, name) end
  for _, n in ipairs(ns.list()) do pcall(ns.del, n.name) end
end

local function clean(msg)
  msg = tostring(msg):gsub("\n", "\\n")
  if #msg > 300 then msg = msg:sub(1, 300) .. "…" end
  return msg
end

local function classify(call, ok, r1, err)
  local c, s, v = call[1], call[2], call[3]
  local fn = c[2]
  if ok then
    -- Free text (a description) may hold any bytes.
    for _, x in ipairs(c.text or {}) do
      if x == s[1] and type(v[2]) == "string" then return "ok" end
    end
    if not NEVER[v[1]] and not (v[1] == "16 bytes" and c.ifname and
        (function() for _, x in ipairs(c.ifname) do if x == s[1] then return true end end end)()) then
      return "ok"
    end
    -- A table in an options slot holding only a __tostring is an empty set of options.
    local slotval = c[3][s[2]]
    if #s == 2 and type(slotval) == "table" and slotval.fields and v[1] == "__tostring raises" then
      return "ok"
    end
    if c.query and r1 == nil then return "ok" end
    return "wrong"
  end
  if type(err) ~= "string" then return "unclear" end
  if err:find("\n") or err:find("attempt to", 1, true) or err:find("to '?'", 1, true) or
      err:find("raised", 1, true) or err:find("stack traceback", 1, true) or #err > 600 then
    return "unclear"
  end
  if not (err:find("'" .. fn .. "'", 1, true) or err:find(c[1] .. "." .. fn, 1, true)) then
    return "unclear"
  end
  return "error"
end

-- Runs the calls from index first on; prints one line per call.
function M.run(only, first)
  io.stdout:setvbuf("no")
  local list = M.calls(only)
  reset()
  for i = first, #list do
    local call = list[i]
    local c, s, v = call[1], call[2], call[3]
    local args, n = args_for(call, pid)
    print("T " .. i)
    local ok, r1 = pcall(_G[c[1]][c[2]], table.unpack(args, 1, n))
    local class = classify(call, ok, r1, not ok and r1 or nil)
    print(("R %d %s %s.%s %s = %s | %s"):format(i, class, c[1], c[2], s[1], v[1],
      ok and ("returned " .. clean(tostring(r1))) or clean(r1)))
    netlab._release()
    reset()
  end
  cleanup()
  print("END " .. #list)
end

return M
