-- The probe module, continued: how probe.why's answer prints (the one-line
-- cause with its fixes, then the path there and back), its JSON, and
-- `netlab why [--json] [--proto P] [--port N] FROM TO` (repl/main.c calls
-- probe._why_cli with the words after `why`).
local probe = ...

local function hop_text(h)
  local s = h.ns
  local parts = {}
  if h["in"] then parts[#parts + 1] = "in " .. h["in"] end
  if h.out then parts[#parts + 1] = "out " .. h.out .. (h.via and (" via " .. h.via) or "") end
  if h.over then parts[#parts + 1] = "over " .. h.over end
  if h.verdict and h.verdict ~= "forward" then parts[#parts + 1] = h.verdict end
  if #parts > 0 then s = s .. " (" .. table.concat(parts, ", ") .. ")" end
  return s
end

local WHY = netlab._meta("netlab.probe.why")
WHY.__name = "netlab.probe.why"
WHY.__tostring = function(w)
  local head = ("%s → %s"):format(w.from, w.to)
  local lines = {}
  if w.reachable and not w.cause then
    lines[1] = head .. ": reachable"
  elseif w.cause then
    local c = w.cause
    local fix = ""
    if c.fix then
      local f = {}
      if c.fix.netlab then f[#f + 1] = c.fix.netlab end
      if c.fix.command then f[#f + 1] = c.fix.command end
      fix = " (" .. table.concat(f, " / ") .. ")"
    end
    lines[1] = ("%s: %s%s"):format(head, c.message, fix)
  end
  local there = {}
  for _, h in ipairs(w.path) do there[#there + 1] = hop_text(h) end
  lines[#lines + 1] = "  there: " .. table.concat(there, " → ")
  if w.reply and #w.reply > 0 then
    local back = {}
    for _, h in ipairs(w.reply) do back[#back + 1] = hop_text(h) end
    lines[#lines + 1] = "  back:  " .. table.concat(back, " → ")
  end
  if w.probe then lines[#lines + 1] = "  probe: " .. w.probe end
  if w.disagree then lines[#lines + 1] = "  note:  " .. w.disagree end
  return table.concat(lines, "\n")
end

-- The JSON the CLI writes: {"reachable", "path", "cause"} as docs/why.md says.
function probe._why_json(w)
  local function hops(list)
    local out = {}
    for _, h in ipairs(list or {}) do
      out[#out + 1] = {ns = h.ns, ["in"] = h["in"], out = h.out, via = h.via, over = h.over,
                         verdict = h.verdict}
    end
    return out
  end
  return netlab._json{from = w.from, to = w.to, reachable = w.reachable, path = hops(w.path),
                      reply = hops(w.reply), cause = w.cause or require("cjson").null,
                      probe = w.probe, disagree = w.disagree}
end

local USAGE = "usage: netlab why [--json] [--proto icmp|tcp|udp] [--port N] FROM TO\n" ..
  "  FROM: a namespace (root for the root); TO: an address or a namespace\n" ..
  "  exit 0 when TO is reachable from FROM (and back), 1 when not\n"

-- `netlab why ARGS` (repl/main.c): the exit code; 2 for a usage error.
function probe._why_cli(args)
  local function usage(fmt, ...)
    io.stderr:write("netlab: why: ", fmt:format(...), "\n", USAGE)
    return 2
  end
  local w, words = probe._cli_words(args, {["--json"] = true}, {["--port"] = true, ["--proto"] = true})
  if w == "help" then
    io.stdout:write(USAGE)
    return 0
  end
  if not w then return usage("%s", words) end
  local o = {proto = w.proto}
  if w.port then
    o.port = math.tointeger(tonumber(w.port))
    if not o.port then return usage("--port: %q is not a port number", w.port) end
  end
  if #words ~= 2 then return usage("needs FROM and TO") end
  local answer = probe.why(words[1], words[2], o)
  print(w.json and probe._why_json(answer) or tostring(answer))
  return answer.reachable and 0 or 1
end

return probe
