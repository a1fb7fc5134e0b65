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

-- The words of a probe command: flags (a set of "--json"…), options that
-- take a value (as "--opt V" or "--opt=V"; a repeated one is kept in a list
-- when list[opt]), the rest as words. Returns the options (by name without
-- "--") and the words; "help" for --help; or nil and what is wrong.
function probe._cli_words(args, flags, valued, list)
  local o, words, i = {}, {}, 1
  while i <= #args do
    local a = args[i]
    local opt, val = a:match("^(%-%-%w+)=(.*)$")
    opt = opt or a
    if flags[opt] and not val then
      o[opt:sub(3)] = true
    elseif valued[opt] then
      if not val then
        i = i + 1
        val = args[i]
      end
      if val == nil then return nil, ("%s needs a value"):format(opt) end
      local k = opt:sub(3)
      if list and list[opt] then
        o[k] = o[k] or {}
        o[k][#o[k] + 1] = val
      else
        o[k] = val
      end
    elseif a == "--help" or a == "-h" then
      return "help"
    elseif a:sub(1, 1) == "-" and a ~= "-" then
      return nil, ("unknown option %s"):format(a)
    else
      words[#words + 1] = a
    end
    i = i + 1
  end
  return o, words
end

-- Returns the exit code: 2 for a usage error; 1 when a TARGET named on the
-- command line did not answer (naming it is expecting an answer, as
-- ping(8) does); else 0: the whole matrix (no TARGET) expects nothing, since
-- some cells fail by design (a namespace's own address with lo down).
function probe._cli(args)
  local w, words = probe._cli_words(args, {["--json"] = true, ["--rtt"] = true},
                                    {["--timeout"] = true, ["--from"] = true}, {["--from"] = true})
  if w == "help" then
    io.stdout:write(USAGE)
    return 0
  end
  if not w then return usage("%s", words) end
  local o, json = {from = w.from, rtt = w.rtt}, w.json
  if w.timeout then
    o.timeout = tonumber(w.timeout)
    if not o.timeout then return usage("--timeout: %q is not a number of seconds", w.timeout) end
  end
  if #words > 0 then o.to = words end
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
