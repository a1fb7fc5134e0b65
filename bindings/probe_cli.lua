-- `netlab ping [--json] [--timeout S] [--rtt] [--from NS]... [TARGET...]`:
-- the matrix of the live kernel from the command line (repl/main.c calls
-- probe._cli with the words after `ping`).
local probe = ...

local USAGE = "usage: netlab ping [--json] [--timeout S] [--rtt] [--from NS]... [TARGET...]\n" ..
  "  TARGET: an address, or a namespace for all its addresses (default: every\n" ..
  "  address of every namespace); --from (repeated): the sources (default: all)\n" ..
  "  exit 1 when a TARGET given does not answer from every source\n"

local function usage(fmt, ...)
  io.stderr:write("netlab: ping: ", fmt:format(...), "\n", USAGE)
  return 2
end

local function ms3(v)
  return math.floor(v * 1000 + 0.5) / 1000
end

-- Returns the exit code: 2 for a usage error; 1 when a TARGET named on the
-- command line did not answer (naming it is expecting an answer, as
-- ping(8) does); else 0: the whole matrix (no TARGET) expects nothing, since
-- some cells fail by design (a namespace's own address with lo down).
function probe._cli(args)
  local o, json, i = {}, false, 1
  while i <= #args do
    local a = args[i]
    local opt, val = a:match("^(%-%-%w+)=(.*)$")
    opt = opt or a
    if opt == "--json" and not val then
      json = true
    elseif opt == "--rtt" and not val then
      o.rtt = true
    elseif opt == "--timeout" or opt == "--from" then
      if not val then
        i = i + 1
        val = args[i]
      end
      if val == nil then return usage("%s needs a value", opt) end
      if opt == "--timeout" then
        o.timeout = tonumber(val)
        if not o.timeout then return usage("--timeout: %q is not a number of seconds", val) end
      else
        o.from = o.from or {}
        o.from[#o.from + 1] = val
      end
    elseif a == "--help" or a == "-h" then
      io.stdout:write(USAGE)
      return 0
    elseif a:sub(1, 1) == "-" and a ~= "-" then
      return usage("unknown option %s", a)
    else
      o.to = o.to or {}
      o.to[#o.to + 1] = a
    end
    i = i + 1
  end
  local m = probe.matrix(o)
  local code = (o.to and #m:failed() > 0) and 1 or 0
  if not json then
    print(m)
    return code
  end
  local cjson = require "cjson"
  for _, r in ipairs(m) do
    print(cjson.encode{from = r.from, to = r.to, owner = r.owner, ok = r.ok,
                       rtt_ms = r.rtt and ms3(r.rtt), why = r.why})
  end
  return code
end

return probe
