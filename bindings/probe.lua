-- The Lua half of the probe module: the matrix (every namespace to every
-- address of the lab), the expectations a script asserts, and how results
-- print. The probes themselves are the C half's (probe._run sends them all
-- at once).
local probe = ...

local function ms(v)
  if v >= 10 then return ("%.1f"):format(v) end
  return ("%.3f"):format(v)
end

local R = netlab._meta("netlab.probe.result")
R.__name = "netlab.probe.result"
R.__tostring = function(r)
  if r.planned then return ("%s → %s: not sent (a dry run)"):format(r.from, r.to) end
  if r.ok then return ("%s → %s: ok, %s ms"):format(r.from, r.to, ms(r.rtt)) end
  return ("%s → %s: %s"):format(r.from, r.to, r.why)
end

local function nsname(v)
  if type(v) == "table" and getmetatable(v) == netlab._meta("netlab.ns") then return v.name end
  return v
end

-- "root" and every namespace under /run/netns that is still one.
local function all_namespaces()
  local names = {"root"}
  for _, n in ipairs(ns.list()) do
    if not n.gone then names[#names + 1] = n.name end
  end
  return names
end

-- Loopback and link-local addresses answer only on their own link or host:
-- every namespace has them, and a matrix of them says nothing.
local function probeable(a)
  if a.scope == "host" or a.scope == "link" then return false end
  local ip = a.addr:match("^[^/]+"):lower()
  return not (ip:match("^127%.") or ip == "::1" or ip:match("^169%.254%.") or ip:match("^fe[89ab]"))
end

-- The probeable addresses of a namespace: {addr =, owner = "NS:DEV"}, in link order.
local function addresses_of(name, out, seen)
  for _, a in ipairs(link.addrs{ns = name}) do
    local ip = a.addr:match("^[^/]+")
    if probeable(a) and not seen[ip] then
      seen[ip] = true
      out[#out + 1] = {addr = ip, owner = name .. ":" .. a.dev}
    end
  end
end

-- A field that takes one item or a plain list of them. A table with a
-- metatable is one item (a namespace object, or a mistake refused below):
-- its __index could make a list without end.
local function list_of(v)
  if type(v) == "table" and getmetatable(v) == nil then return v end
  return {v}
end

-- An address as the results write it ("fd00::2" for "FD00::0002"), or nil.
local function address(s)
  if type(s) ~= "string" or s:find("/", 1, true) then return nil end
  local c = netlab.cidr(s, false)
  return c and c.addr
end

-- The matrix's targets: addresses as given, namespaces as their addresses.
local function targets_of(to)
  local out, seen = {}, {}
  if to == nil then
    for _, name in ipairs(all_namespaces()) do addresses_of(name, out, seen) end
    return out
  end
  for _, t in ipairs(list_of(to)) do
    local a = address(t)
    if a then
      if not seen[a] then
        seen[a] = true
        out[#out + 1] = {addr = a}
      end
    elseif type(nsname(t)) == "string" then
      addresses_of(nsname(t), out, seen)
    else
      netlab._argerror(1, ("field 'to': an address or a namespace expected, got %s"):format(type(t)))
    end
  end
  return out
end

local function sources_of(from)
  if from == nil then return all_namespaces() end
  local out = {}
  for _, f in ipairs(list_of(from)) do
    local name = nsname(f)
    if type(name) ~= "string" then
      netlab._argerror(1, ("field 'from': a namespace name or object expected, got %s"):format(type(f)))
    end
    out[#out + 1] = name
  end
  return out
end

-- Who owns the addresses given as such, for the grid's readers.
local function owners(targets)
  local known, seen = {}, {}
  for _, name in ipairs(all_namespaces()) do addresses_of(name, known, seen) end
  local by = {}
  for _, k in ipairs(known) do by[k.addr] = k.owner end
  local out = {}
  for _, t in ipairs(targets) do out[t.addr] = t.owner or by[t.addr] end
  return out
end

local function width(s)
  return utf8.len(s) or #s
end

local function pad(s, w)
  return s .. (" "):rep(w - width(s))
end

local M = netlab._meta("netlab.probe.matrix")
M.__name = "netlab.probe.matrix"
M.__index = {
  -- The result of one cell, or nil.
  get = function(self, from, to)
    local row = self.cells[nsname(from) or "root"]
    return row and row[to]
  end,
  -- The results that got no answer.
  failed = function(self)
    local out = {}
    for _, r in ipairs(self) do
      if not r.ok then out[#out + 1] = r end
    end
    return out
  end,
}
M.__tostring = function(m)
  if #m.targets == 0 then return "(no addresses to probe)" end
  local cell = function(r)
    if r.planned or r.status == "unsure" then return "?" end
    if not r.ok then return "✗" end
    return m.rtt and ms(r.rtt) or "✓"
  end
  local w0 = width("from \\ to")
  for _, s in ipairs(m.sources) do w0 = math.max(w0, width(s)) end
  -- Above each address the namespace that has it, when it is the lab's.
  local ws, head, own, owned = {}, {pad("from \\ to", w0)}, {pad("", w0)}, false
  for j, t in ipairs(m.targets) do
    local o = m.owners[t] and m.owners[t]:match("^(.*):") or ""
    owned = owned or o ~= ""
    ws[j] = math.max(width(t), width(o))
    for _, s in ipairs(m.sources) do ws[j] = math.max(ws[j], width(cell(m.cells[s][t]))) end
    head[#head + 1] = pad(t, ws[j])
    own[#own + 1] = pad(o, ws[j])
  end
  local lines = {}
  if owned then lines[1] = (table.concat(own, "  "):gsub("%s+$", "")) end
  lines[#lines + 1] = (table.concat(head, "  "):gsub("%s+$", ""))
  for _, s in ipairs(m.sources) do
    local row = {pad(s, w0)}
    for j, t in ipairs(m.targets) do row[#row + 1] = pad(cell(m.cells[s][t]), ws[j]) end
    lines[#lines + 1] = (table.concat(row, "  "):gsub("%s+$", ""))
  end
  local failed = m:failed()
  if m[1] and m[1].planned then
    lines[#lines + 1] = "(a dry run: nothing sent)"
    return table.concat(lines, "\n")
  end
  lines[#lines + 1] = ("%d of %d answered"):format(#m - #failed, #m)
  for i, r in ipairs(failed) do
    if i > 10 then
      lines[#lines + 1] = ("… and %d more (m:failed() lists them)"):format(#failed - 10)
      break
    end
    lines[#lines + 1] = "✗ " .. tostring(r)
  end
  return table.concat(lines, "\n")
end

-- The order a matrix's probes are sent in: each cell next to its reverse
-- (h1 → h2's addresses, then h2 → h1's), as the index of each item. When
-- the kernel's neighbour table, one for all namespaces, is too small for the
-- whole matrix, the C half sends what it could not answer again in waves,
-- in this order (core/probe.c): then a pair's two neighbour entries serve
-- both of its directions in one wave instead of being made twice.
local function paired(items, owner_ns)
  local groups, order = {}, {}
  for i, it in ipairs(items) do
    local o, key = owner_ns[it[2]], i
    if o then key = it[1] < o and it[1] .. "\0" .. o or o .. "\0" .. it[1] end
    local g = groups[key]
    if not g then
      g = {}
      groups[key] = g
      order[#order + 1] = g
    end
    g[#g + 1] = i
  end
  local out = {}
  for _, g in ipairs(order) do
    for _, i in ipairs(g) do out[#out + 1] = i end
  end
  return out
end

-- probe.matrix{from = {NS…}, to = {ADDR or NS…}, timeout =, rtt =}
function probe.matrix(o)
  if o == nil then o = {} end
  netlab._check(o, 1, probe._spec.matrix, 0)
  if o.rtt ~= nil and type(o.rtt) ~= "boolean" then
    netlab._argerror(1, "field 'rtt': boolean expected, got " .. type(o.rtt))
  end
  local sources, targets = sources_of(o.from), targets_of(o.to)
  local items = {}
  for _, s in ipairs(sources) do
    for _, t in ipairs(targets) do items[#items + 1] = {s, t.addr} end
  end
  local own = owners(targets)
  local owner_ns = {}
  for a, o in pairs(own) do owner_ns[a] = o:match("^(.*):") end
  local order, sent = paired(items, owner_ns), {}
  for j, i in ipairs(order) do sent[j] = items[i] end
  local results = {}
  for j, r in ipairs(probe._run(sent, {timeout = o.timeout})) do results[order[j]] = r end
  local m = {sources = sources, targets = {}, owners = own, cells = {}, rtt = o.rtt}
  for j, t in ipairs(targets) do m.targets[j] = t.addr end
  for _, s in ipairs(sources) do m.cells[s] = {} end
  for i, r in ipairs(results) do
    r.owner = m.owners[r.to]
    m[i] = r
    m.cells[r.from][r.to] = r
  end
  return setmetatable(m, M)
end

-- At most this much of the cells that differ goes into the error message.
local EXPECT_TEXT = 200
-- How long an expected answer is waited for, in seconds (see probe.expect).
local EXPECT_SETTLE = 8

-- How many times the kernel's neighbour tables (one each for IPv4 and IPv6,
-- for every namespace of the host) have refused a new entry; nil when
-- unreadable. Read over rtnetlink: /proc/net/stat/arp_cache exists only in
-- the host's first namespace, not in a lab's or a sandbox's.
local arp_table_fulls = probe._table_fulls

-- The cell of an expectation not met, in words.
local function unmet(r, want)
  if want then return ("%s → %s: %s (expected an answer)"):format(r.from, r.to, r.why) end
  return ("%s → %s: answered (expected none)"):format(r.from, r.to)
end

-- probe.expect{{FROM, TO [, false]}, …, timeout =}: raises unless every
-- probe answers as expected (true, the default: an answer; false: none).
-- Under `netlab check` (probe._unmet a list) the cells not met are added
-- there and the script goes on, so that one report names them all.
function probe.expect(list)
  netlab._check(list, 1, probe._spec.expect, -1)
  local items = {}
  for i, it in ipairs(list) do
    if type(it) ~= "table" or getmetatable(it) ~= nil then
      netlab._argerror(1, ("item %d: table {FROM, TO [, false]} expected, got %s"):format(i, type(it)))
    end
    netlab._check(it, 1, {}, 3)
    if it[3] ~= nil and type(it[3]) ~= "boolean" then
      netlab._argerror(1, ("item %d: [3] is whether an answer is expected: boolean expected, got %s")
        :format(i, type(it[3])))
    end
    -- [3] goes along for a dry run's plan line; the C half reads [1] and [2].
    items[i] = {it[1], it[2], it[3]}
  end
  -- On a node (run --node), counted for the check round, which runs them.
  if probe._later then
    probe._later = probe._later + #items
    return
  end
  local fulls = arp_table_fulls()
  local results = probe._run(items, {timeout = list.timeout})
  -- What must answer and got no answer (or an unreachable, which a failed
  -- address resolution gives) is asked again, round after round, for up to
  -- EXPECT_SETTLE seconds: a lab just built on a loaded machine may not pass
  -- packets yet (the kernel starts a new link, a new bridge port, a moment
  -- after it is up), and address resolution fails while the kernel's
  -- neighbour table, one for all namespaces, is full of entries younger than
  -- the 5 seconds it keeps them. A local answer (no route) is final, and
  -- what must not answer is not asked twice: its silence has lasted a timeout.
  local deadline = os.time() + EXPECT_SETTLE
  while os.time() < deadline do
    local again, at = {}, {}
    for i, r in ipairs(results) do
      if (r.status == "timeout" or r.status == "unreachable") and items[i][3] ~= false then
        again[#again + 1] = items[i]
        at[#again] = i
      end
    end
    if #again == 0 then break end
    netlab.sleep(0.2)
    for k, r in ipairs(probe._run(again, {timeout = list.timeout})) do results[at[k]] = r end
  end
  local bad, silent = {}, false
  for i, r in ipairs(results) do
    local want = items[i][3] ~= false
    if r.ok ~= want and not r.planned then
      bad[#bad + 1] = unmet(r, want)
      silent = silent or (want and (r.status == "timeout" or r.status == "unreachable"))
    end
  end
  -- A cell that got no answer because its address resolution did not fit
  -- in the host's neighbour table is not the lab's fault: say so.
  local now, hint = silent and fulls and arp_table_fulls(), nil
  if now and now > fulls then
    hint = "meanwhile the kernel's neighbour table, one for all namespaces of the host, was full " ..
      "(net.ipv4.neigh.default.gc_thresh3): address resolutions were dropped (see docs/probe.md)"
  end
  if #bad > 0 and probe._unmet then
    for _, b in ipairs(bad) do probe._unmet[#probe._unmet + 1] = b end
    probe._unmet.hint = probe._unmet.hint or hint
  elseif #bad > 0 then
    local text, shown = {}, 0
    for _, b in ipairs(bad) do
      if shown > 0 and #table.concat(text, "; ") + #b > EXPECT_TEXT then break end
      text[#text + 1] = b
      shown = shown + 1
    end
    local more = #bad > shown and ("; and %d more"):format(#bad - shown) or ""
    netlab._error(("%d of %d not as expected: %s%s%s"):format(#bad, #results, table.concat(text, "; "),
      more, hint and "; " .. hint or ""))
  end
  return results
end

return probe
