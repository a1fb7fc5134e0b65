-- The netlab module, continued: netlab.params, a script's parameters
-- (name=value on the command line) checked against their declaration.
local netlab = ...

-- Checks a parameter's text against its kind; returns the value or nil, why.
local kinds = {}

function kinds.string(s) return s end

function kinds.number(s)
  local v = tonumber(s)
  if not v then return nil, "a number expected" end
  return v
end

function kinds.integer(s)
  local v = math.tointeger(tonumber(s))
  if not v then return nil, "a whole number expected" end
  return v
end

function kinds.boolean(s)
  local t = {["true"] = true, yes = true, on = true, ["1"] = true,
             ["false"] = false, no = false, off = false, ["0"] = false}
  if t[s] == nil then return nil, "true or false expected" end
  return t[s]
end

function kinds.cidr(s)
  local c, why = netlab.cidr(s)
  if not c then return nil, why end
  return s
end

-- A network: a CIDR without host bits, as "192.168.52.0/24".
function kinds.subnet(s)
  local c, why = netlab.cidr(s)
  if not c then return nil, why end
  if c.network ~= s then
    return nil, ("host bits set (the network is %s)"):format(c.network)
  end
  return s
end

function kinds.addr(s)
  local c, why = netlab.cidr(s, false)
  if not c or s:find("/") then return nil, why or "an address without prefix expected" end
  return s
end

function kinds.ifname(s)
  if #s == 0 or #s > 15 or s:find("[/%s:]") then
    return nil, "an interface name of 1 to 15 bytes without '/', ':' or spaces expected"
  end
  return s
end

function kinds.nsname(s)
  if #s == 0 or #s > 254 or s:find("[/%s]") or s == "." or s == ".." or s == "root" then
    return nil, "a namespace name without '/' or spaces (and not \"root\") expected"
  end
  return s
end

local function help_text(decl)
  local lines = {}
  local script = arg and arg[0] or "script"
  lines[#lines + 1] = decl.doc and ("%s: %s"):format(script, decl.doc) or script
  lines[#lines + 1] = ""
  lines[#lines + 1] = ("usage: netlab run [--sandbox] %s [key=value ...]"):format(script)
  lines[#lines + 1] = ""
  lines[#lines + 1] = "parameters:"
  local rows = {}
  for _, d in ipairs(decl) do
    rows[#rows + 1] = {"  " .. d[1] .. "=" .. tostring(d[2]), d[3] or ""}
  end
  lines[#lines + 1] = netlab._columns(rows)
  return table.concat(lines, "\n")
end

-- netlab.params{doc = "what the script builds",
--   {"subnet", "192.168.52.0/24", "the LAN's subnet", kind = "subnet"}, …}
-- Declares the script's parameters with defaults and one-line descriptions.
-- Returns their values, from `netlab run FILE key=value` or the defaults,
-- checked before the script builds anything; `netlab run FILE --help`
-- prints them and ends the script.
function netlab.params(decl)
  if type(decl) ~= "table" then netlab._argerror(1, "table of parameters expected") end
  netlab._check(decl, 1, {"doc"}, -1)
  if decl.doc ~= nil and type(decl.doc) ~= "string" then
    netlab._argerror(1, "field 'doc': string expected, got " .. type(decl.doc))
  end
  local known, values = {}, {}
  for i, d in ipairs(decl) do
    if type(d) ~= "table" or type(d[1]) ~= "string" or d[2] == nil then
      netlab._argerror(1, ("parameter %d: {name, default, description} expected"):format(i))
    end
    netlab._check(d, 1, {"kind", "check"}, 3)
    local kind = d.kind or type(d[2])
    if not kinds[kind] and type(d.check) ~= "function" then
      netlab._argerror(1, ("parameter %q: unknown kind %q"):format(d[1], tostring(kind)))
    end
    known[d[1]] = d
  end
  if netlab._want_help then
    -- The end of the script: `netlab run FILE --help` prints the text.
    error(setmetatable({help = true, text = help_text(decl)},
                       {__tostring = function() return "help" end}), 0)
  end
  -- What is wrong is on the command line, not at a line of the script: the
  -- message names the script and the parameter, in words, as a usage error.
  local script = arg and arg[0] or "script"
  local function usage(fmt, ...)
    error(("%s: " .. fmt .. " (see --help)"):format(script, ...), 0)
  end
  local given = params or {}
  for k in pairs(given) do
    if not known[k] then
      local names = {}
      for _, d in ipairs(decl) do names[#names + 1] = d[1] end
      usage("unknown parameter %q (this script takes: %s)", k, table.concat(names, ", "))
    end
  end
  for _, d in ipairs(decl) do
    local name, default = d[1], d[2]
    local text = given[name]
    local v = default
    if text ~= nil then
      local kind = d.kind or type(default)
      local why
      v, why = kinds[kind or "string"](text)
      if v ~= nil and d.check then
        local ok, w = d.check(v)
        if not ok then v, why = nil, w end
      end
      if v == nil then usage("parameter %s=%s: %s", name, text, why or "invalid") end
    end
    values[name] = v
  end
  return values
end

return netlab
