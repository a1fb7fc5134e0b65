-- netlab.lab_state: what a lab's records are and how they are kept. A record
-- is a table naming one object ({kind = "link", ns =, name =, index =, ...});
-- /run/netlab/LAB.state holds a lab's records as a Lua chunk, and
-- LAB.journal the records of a run in progress, one a line.
local S = {}

S.dir = "/run/netlab"

-- Namespace arguments come as nil, names or objects.
function S.nsname(n)
  if n == nil then return "root" end
  if type(n) == "table" then return n.name end
  return n
end

function S.linkname(l, o)
  if type(l) == "table" then return l.name, S.nsname(l.ns) end
  return l, S.nsname(o and o.ns)
end

function S.copy(t)
  local c = {}
  for k, v in pairs(t or {}) do c[k] = v end
  return c
end

function S.keyof(r)
  if r.kind == "ns" then return "ns|" .. r.name end
  if r.kind == "link" then return "link|" .. r.ns .. "|" .. r.name end
  if r.kind == "addr" then return "addr|" .. r.ns .. "|" .. r.dev .. "|" .. r.addr end
  if r.kind == "route" then
    return ("route|%s|%s|%s|%s"):format(r.ns, r.table or 254, r.dst, r.metric or 0)
  end
  if r.kind == "sysctl" then return "sysctl|" .. r.ns .. "|" .. r.key end
  if r.kind == "set" then return "set|" .. r.ns .. "|" .. r.name .. "|" .. r.field end
  if r.kind == "nft" then return "nft|" .. r.ns .. "|" .. r.table .. "|" .. r.spec end
  if r.kind == "nftpolicy" then return "nftpolicy|" .. r.ns .. "|" .. r.table end
  if r.kind == "nfttable" then return "nfttable|" .. r.ns .. "|" .. r.table end
  -- The nth process a run started with this command in this namespace.
  if r.kind == "proc" then return ("proc|%s|%s|%d"):format(r.ns, r.cmd, r.nth or 1) end
  error("unknown record kind " .. tostring(r.kind))
end

-- Records are written as Lua table constructors, one a line.
function S.serialize(r)
  local keys = {}
  for k in pairs(r) do keys[#keys + 1] = k end
  table.sort(keys)
  local parts = {}
  for _, k in ipairs(keys) do
    local v = r[k]
    if type(v) == "string" then
      parts[#parts + 1] = ("%s = %q"):format(k, v)
    elseif type(v) == "number" or type(v) == "boolean" then
      parts[#parts + 1] = ("%s = %s"):format(k, tostring(v))
    end
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end

local function load_file(path)
  local f = io.open(path)
  if not f then return nil end
  local text = f:read("a")
  f:close()
  local chunk = load(text, "=" .. path, "t", {})
  if not chunk then return nil end
  local ok, v = pcall(chunk)
  if ok then return v end
end

function S.paths(name)
  local base = S.dir .. "/" .. name
  return base .. ".state", base .. ".journal", base .. ".lock"
end

-- Where the output of processes a lab starts goes: /run/netlab/LAB.d/NS.log.
function S.log_dir(name)
  return S.dir .. "/" .. name .. ".d"
end

-- The logs go with the lab (down, or a first run that failed).
function S.remove_logs(name)
  local dir = S.log_dir(name)
  local ok, files = pcall(netlab._ls, dir)
  if not ok then return end
  for _, f in ipairs(files) do os.remove(dir .. "/" .. f) end
  os.remove(dir)
end

-- Whether lab name has a state or the journal of a run.
function S.exists(name)
  local state_path, journal_path = S.paths(name)
  for _, path in ipairs{state_path, journal_path} do
    local f = io.open(path)
    if f then
      f:close()
      return true
    end
  end
  return false
end

function S.check_name(name)
  if type(name) ~= "string" or not name:match("^[%w_.%-]+$") or name:match("^%.") then
    return nil, ("invalid lab name %q (letters, digits, '_', '-' and '.')"):format(tostring(name))
  end
  return name
end

-- The lab a script builds is named after it: scripts/purple_orange.lua -> purple_orange.
function S.name_of(script)
  return (script:match("([^/]+)$"):gsub("%.lua$", ""))
end

-- The records of a lab: its state, then whatever a run that died left in its journal.
function S.load_records(name)
  local state_path, journal_path = S.paths(name)
  local state = load_file(state_path)
  local records = state and state.objects or {}
  local f = io.open(journal_path)
  local partial = false
  if f then
    for line in f:lines() do
      local chunk = load("return " .. line, "=journal", "t", {})
      local ok, r = pcall(chunk or error)
      if ok and type(r) == "table" then
        records[#records + 1] = r
        partial = true
      end
    end
    f:close()
  end
  return records, state, partial
end

function S.write_state(name, info, records)
  local state_path = S.paths(name)
  local tmp = state_path .. ".tmp"
  local f = assert(io.open(tmp, "w"))
  f:write("-- netlab lab state: what `netlab down ", name, "` removes\nreturn {\n")
  for _, k in ipairs{"name", "script", "created"} do
    if info[k] then f:write(("  %s = %q,\n"):format(k, info[k])) end
  end
  f:write("  objects = {\n")
  for _, r in ipairs(records) do f:write("    ", S.serialize(r), ",\n") end
  f:write("  },\n}\n")
  f:close()
  assert(os.rename(tmp, state_path))
end

-- /run/netlab is on tmpfs, like the kernel objects it describes: a reboot clears both.
function S.ensure_dir()
  netlab._mkdir(S.dir)
end

-- The route the kernel has for a record's destination, table and metric, if any.
function S.find_route(r)
  local fam = r.dst:find(":") and "inet6" or (r.via and r.via:find(":") and "inet6") or "inet"
  if r.dst == "default6" then fam = "inet6" end
  local dst = r.dst == "default6" and "default" or r.dst
  for _, x in ipairs(route.list{ns = r.ns, table = r.table, family = fam}) do
    if x.dst == dst and x.metric == (r.metric or x.metric) then return x end
  end
end

function S.route_same(x, r)
  return x and x.via == r.via and (r.dev == nil or x.dev == r.dev) and
         (x.onlink or false) == (r.onlink or false)
end

function S.summary(records)
  local n = {}
  for _, r in ipairs(records) do n[r.kind] = (n[r.kind] or 0) + 1 end
  local words = {
    {"ns", "namespace", "namespaces"}, {"link", "link", "links"},
    {"addr", "address", "addresses"}, {"route", "route", "routes"},
    {"sysctl", "sysctl", "sysctls"}, {"set", "changed link setting", "changed link settings"},
    {"nft", "nat rule call", "nat rule calls"}, {"nftpolicy", "forward policy", "forward policies"},
    {"nfttable", "nftables table", "nftables tables"}, {"proc", "process", "processes"},
  }
  local out = {}
  for _, w in ipairs(words) do
    local c = n[w[1]]
    if c then out[#out + 1] = ("%d %s"):format(c, c == 1 and w[2] or w[3]) end
  end
  return #out > 0 and table.concat(out, ", ") or "nothing"
end

-- nftables, as netlab's nat module keeps it: the rules of (ns, table) with
-- their handles and comments, and the forward chain's policy ("none" when
-- there is no such table or chain).
function S.nft_state(nsn, tbl)
  local ok, l = pcall(nat.list, {ns = nsn, table = tbl})
  if not ok then return nil end
  local st = {rules = {}, policy = "none", exists = #l.tables > 0}
  for _, r in ipairs(l) do st.rules[r.handle] = r end
  for _, c in ipairs(l.chains) do
    if c.hook == "forward" and c.policy then st.policy = c.policy end
  end
  return st
end

function S.handles(text)
  local out = {}
  for h in tostring(text or ""):gmatch("%d+") do out[#out + 1] = math.tointeger(tonumber(h)) end
  return out
end

return S
