-- netlab.lab_state: what a lab's records are and how they are kept. A record
-- is a table naming one object ({kind = "link", ns =, name =, index =, ...});
-- /run/netlab/LAB.state holds a lab's records as JSON, and LAB.journal the
-- records of a run in progress, one JSON object a line (docs/hacking.md).
local Kinds = require "netlab.lab_kinds"

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

-- A record's identity in a lab: two records with one key name one object.
function S.keyof(r)
  local k = Kinds.of[r.kind]
  if not k then error("unknown record kind " .. tostring(r.kind)) end
  return k.key(r)
end

-- Records are data: JSON objects (lua-cjson), never code. A record holds
-- strings, numbers and booleans only; JSON escapes every control character,
-- so no value can end a journal line and start a record of its own.
local cjson = require("cjson").new()
cjson.decode_max_depth(8)
cjson.decode_invalid_numbers(false)
cjson.encode_invalid_numbers(false)
cjson.encode_number_precision(14)

-- No lab file is read past this: a bigger one is damaged, not parsed.
S.max_bytes = 256 * 1024 * 1024

function S.serialize(r)
  local c = {}
  for k, v in pairs(r) do
    local t = type(v)
    if t == "string" or t == "number" or t == "boolean" then c[k] = v end
  end
  return cjson.encode(c)
end

-- JSON has one number type: integral values come back as Lua integers.
local function normalize(v)
  if type(v) == "number" then return math.tointeger(v) or v end
  return v
end

-- A decoded record, or nil and why it is not one.
function S.check_record(r)
  if type(r) ~= "table" then return nil, "a record is not an object" end
  local c = {}
  for k, v in pairs(r) do
    if type(k) ~= "string" or not k:match("^[%a_][%w_]*$") then return nil, "bad field name" end
    local t = type(v)
    if t ~= "string" and t ~= "number" and t ~= "boolean" then
      return nil, ("field %s is not a string, number or boolean"):format(k)
    end
    if t == "string" and #v > 4096 then return nil, ("field %s is too long"):format(k) end
    c[k] = normalize(v)
  end
  if not Kinds.of[c.kind] then return nil, ("unknown record kind %s"):format(tostring(c.kind)) end
  local ok = pcall(S.keyof, c)
  if not ok then return nil, ("a %s record lacks a field"):format(c.kind) end
  return c
end

-- The whole of a lab file, at most S.max_bytes: text, or nil (no such file),
-- or false and why it cannot be read.
local function read_file(name)
  local f, err, code = netlab._labopen(S.dir, name, "r")
  if not f then
    if code == 2 then return nil end -- ENOENT
    return false, err
  end
  -- Sized first: io's read(n) would set aside n bytes whatever the file holds.
  local size = f:seek("end")
  if size and size > S.max_bytes then
    f:close()
    return false, ("larger than %d bytes"):format(S.max_bytes)
  end
  local text, rerr
  if size then f:seek("set") text, rerr = f:read("a") end
  f:close()
  if not size or (text == nil and rerr) then return false, rerr or "cannot be read" end
  if #text > S.max_bytes then return false, ("larger than %d bytes"):format(S.max_bytes) end
  return text
end

-- A state file: {name, script, created, objects = {records}}, or nil and why not.
local function parse_state(text)
  local ok, v = pcall(cjson.decode, text)
  if not ok then return nil, "not JSON (" .. tostring(v):gsub("^.-: ", "") .. ")" end
  if type(v) ~= "table" or (v.objects ~= nil and type(v.objects) ~= "table") then
    return nil, "not a netlab lab state"
  end
  local st = {objects = {}}
  for _, k in ipairs{"name", "script", "created"} do
    if v[k] ~= nil and type(v[k]) ~= "string" then return nil, "not a netlab lab state" end
    st[k] = v[k]
  end
  if v.params ~= nil then
    st.params = S.params_of(v.params)
    if not st.params then return nil, "params is not a table of words" end
  end
  local n = 0
  for k in pairs(v.objects or {}) do
    if math.type(k) ~= "integer" then return nil, "objects is not a list" end
    n = n + 1
  end
  for i = 1, n do
    local r, why = S.check_record(v.objects[i])
    if not r then return nil, ("record %d: %s"):format(i, why or "missing") end
    st.objects[i] = r
  end
  return st
end

-- A journal: records one a line, in the order of the run. A record marked
-- pending (written before its kernel call) is settled by the same record
-- written after the call, or cancelled by {"drop": KEY} when the call failed.
-- A last line without its newline was being written when netlab died, before
-- its kernel call: it names nothing and is left out.
local function parse_journal(text)
  local out, at = {}, {}
  local pos, lineno = 1, 0
  while pos <= #text do
    local nl = text:find("\n", pos, true)
    if not nl then break end
    local line = text:sub(pos, nl - 1)
    pos, lineno = nl + 1, lineno + 1
    local ok, v = pcall(cjson.decode, line)
    if not ok or type(v) ~= "table" then return nil, ("journal line %d is not JSON"):format(lineno) end
    if v.drop ~= nil then
      if type(v.drop) ~= "string" then return nil, ("journal line %d: bad drop"):format(lineno) end
      local i = at[v.drop]
      if i and out[i] and out[i].pending then out[i] = false; at[v.drop] = nil end
    else
      local r, why = S.check_record(v)
      if not r then return nil, ("journal line %d: %s"):format(lineno, why) end
      local k = S.keyof(r)
      if at[k] and out[at[k]] then out[at[k]] = false end
      out[#out + 1] = r
      at[k] = #out
    end
  end
  local list = {}
  for _, r in ipairs(out) do if r then list[#list + 1] = r end end
  return list
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
-- Only from a directory checked as it was made (netlab._labdir): through a
-- symlink in its place, the files removed would be whatever it points to.
function S.remove_logs(name)
  local dir = S.log_dir(name)
  if not pcall(netlab._labdir, dir) then
    os.remove(dir) -- a symlink goes, not what it points to
    return
  end
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

-- A script's parameters as given on the command line (key = "value"), a
-- copy; nil when t is not such a table (a state file's, read back).
function S.params_of(t)
  if t == nil then return nil end
  if type(t) ~= "table" then return nil end
  local out = {}
  for k, v in pairs(t) do
    if type(k) ~= "string" or type(v) ~= "string" then return nil end
    out[k] = v
  end
  return out
end

-- The lab a script builds is named after it: scripts/purple_orange.lua -> purple_orange.
function S.name_of(script)
  return (script:match("([^/]+)$"):gsub("%.lua$", ""))
end

-- The records of a lab: its state, then whatever a run that died left in
-- its journal. The fourth value says why the files cannot be trusted
-- (damaged): then the records are what could be read, maybe not all.
function S.load_records(name)
  local records, state, damaged = {}, nil, nil
  local text, err = read_file(name .. ".state")
  if text then
    state, err = parse_state(text)
    if state then records = state.objects else damaged = "state file " .. err end
  elseif text == false then
    damaged = "state file unreadable: " .. err
  end
  local partial = false
  local jtext, jerr = read_file(name .. ".journal")
  if jtext then
    local list, why = parse_journal(jtext)
    if list then
      for _, r in ipairs(list) do records[#records + 1] = r end
      partial = #list > 0
    else
      damaged = damaged or why
    end
  elseif jtext == false then
    damaged = damaged or "journal unreadable: " .. jerr
  end
  return records, state, partial, damaged, (text ~= nil or jtext ~= nil)
end

-- The journal line that cancels a pending record whose kernel call failed.
function S.drop_line(r)
  return cjson.encode{drop = S.keyof(r)} .. "\n"
end

-- Writes all of text to f and to the disk, or raises saying what failed.
function S.put(f, text, what)
  local ok, err = f:write(text)
  if ok then ok, err = netlab._fsync(f) end
  if not ok then error(("cannot write %s: %s"):format(what, tostring(err)), 0) end
end

-- The journal of a run, opened for appending.
function S.open_journal(name)
  local f, err = netlab._labopen(S.dir, name .. ".journal", "a")
  if not f then error("cannot open the lab's journal: " .. err, 0) end
  f:setvbuf("full")
  return f
end

-- The state replaced as a whole: a new file written and synced, then renamed
-- over the old one, so a reader sees the old state or the new, never half.
function S.write_state(name, info, records)
  local state_path = S.paths(name)
  local tmpname = name .. ".state.tmp"
  local f, err = netlab._labopen(S.dir, tmpname, "w")
  if not f then error("cannot write the lab's state: " .. err, 0) end
  local objs = {}
  for i, r in ipairs(records) do objs[i] = S.serialize(r) end
  local head = {}
  for _, k in ipairs{"name", "script", "created"} do
    if info[k] then head[#head + 1] = cjson.encode(k) .. ":" .. cjson.encode(info[k]) .. "," end
  end
  -- An empty table would be written as a list.
  if info.params and next(info.params) then
    head[#head + 1] = '"params":' .. cjson.encode(info.params) .. ","
  end
  local text = "{" .. table.concat(head) .. '"objects":[\n' .. table.concat(objs, ",\n") .. "\n]}\n"
  local ok, perr = pcall(S.put, f, text, "the lab's state")
  local cok, cerr = f:close()
  if not ok or not cok then
    os.remove(S.dir .. "/" .. tmpname)
    error(ok and ("cannot write the lab's state: " .. tostring(cerr)) or perr, 0)
  end
  local rok, rerr = os.rename(S.dir .. "/" .. tmpname, state_path)
  if not rok then
    os.remove(S.dir .. "/" .. tmpname)
    error("cannot write the lab's state: " .. tostring(rerr), 0)
  end
end

-- /run/netlab is on tmpfs, like the kernel objects it describes: a reboot clears both.
-- It must be a directory only we can write (netlab._labdir checks).
function S.ensure_dir()
  netlab._labdir(S.dir)
end

function S.summary(records)
  local n = {}
  for _, r in ipairs(records) do n[r.kind] = (n[r.kind] or 0) + 1 end
  local out = {}
  for _, kind in ipairs(Kinds.order) do
    local c, w = n[kind], Kinds.of[kind].words
    if c then out[#out + 1] = ("%d %s"):format(c, c == 1 and w[1] or w[2]) end
  end
  return #out > 0 and table.concat(out, ", ") or "nothing"
end

return S
