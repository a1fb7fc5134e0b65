-- netlab.repl: the Lua side of the interactive interpreter: how values are
-- shown, what tab completes to, and help() from the man pages.
local R = {}

-- Showing values ------------------------------------------------------------

local function is_ident(k)
  return type(k) == "string" and k:match("^[%a_][%w_]*$") ~= nil
end

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b)
    local ta, tb = type(a), type(b)
    if ta ~= tb then return ta < tb end
    if ta == "number" or ta == "string" then return a < b end
    return tostring(a) < tostring(b)
  end)
  return keys
end

-- A table as Lua would read it back, on one line when it fits, indented
-- otherwise; values with __tostring (netlab's listings and objects) show as
-- themselves.
local function show(v, indent, seen)
  local mt = getmetatable(v)
  if type(v) ~= "table" or (mt and mt.__tostring) then
    if type(v) == "string" then return ("%q"):format(v) end
    return tostring(v)
  end
  if seen[v] then return "<cycle>" end
  seen[v] = true
  local n, parts = #v, {}
  for i = 1, n do parts[#parts + 1] = show(v[i], indent .. "  ", seen) end
  for _, k in ipairs(sorted_keys(v)) do
    if not (math.type(k) == "integer" and k >= 1 and k <= n) then
      local key = is_ident(k) and k or "[" .. show(k, "", seen) .. "]"
      parts[#parts + 1] = key .. " = " .. show(v[k], indent .. "  ", seen)
    end
  end
  seen[v] = nil
  if #parts == 0 then return "{}" end
  local flat = "{" .. table.concat(parts, ", ") .. "}"
  if #flat + #indent <= 78 and not flat:find("\n") then return flat end
  return "{\n" .. indent .. "  " .. table.concat(parts, ",\n" .. indent .. "  ") .. "\n" .. indent .. "}"
end

-- The text the REPL prints for the values an expression returned.
function R.show(...)
  local out = {}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    if type(v) == "string" then
      -- As lua(1) prints it: text (netlab.show(), obj:show()) reads as text.
      out[i] = v
    elseif type(v) == "function" then
      local name = R.name_of(v)
      out[i] = name and ("function %s (help(%s) tells more)"):format(name, name) or tostring(v)
    else
      out[i] = show(v, "", {})
    end
  end
  return table.concat(out, "\t")
end

-- Help from the man pages ------------------------------------------------------

local pages = {
  ns = "netlab-ns.3", link = "netlab-link.3", bridge = "netlab-bridge.3",
  route = "netlab-route.3", nat = "netlab-nat.3", probe = "netlab-probe.3",
  graph = "netlab-graph.3", netlab = "netlab.1",
}

-- The registry's name of a netlab function ("link.veth").
function R.name_of(f)
  return netlab._function_name(f)
end

-- roff as plain text: what help prints.
local function roff_text(line)
  line = line:gsub("\\f[BIRP]", ""):gsub("\\%-", "-"):gsub("\\%(em", "--")
             :gsub("\\%(en", "-"):gsub("\\e", "\\"):gsub("\\&", ""):gsub("\\\\", "\\")
  local macro, rest = line:match("^%.(%a%a?)%s*(.*)$")
  if not macro then return line end
  if macro == "B" or macro == "I" then return (rest:gsub('^"(.*)"$', "%1")) end
  if macro == "BR" or macro == "IR" or macro == "RB" or macro == "BI" or macro == "IB" or macro == "RI" then
    -- Alternating fonts: the words (quoted ones may hold spaces) run together.
    local words, i = {}, 1
    while i <= #rest do
      local c = rest:sub(i, i)
      if c == '"' then
        local j = rest:find('"', i + 1, true) or #rest + 1
        words[#words + 1] = rest:sub(i + 1, j - 1)
        i = j + 1
      elseif c:match("%s") then
        i = i + 1
      else
        local j = rest:find("%s", i) or #rest + 1
        words[#words + 1] = rest:sub(i, j - 1)
        i = j
      end
    end
    return table.concat(words)
  end
  return nil -- a macro without text (.PP, .EX, …) is handled by the caller
end

-- The section of a man page about one function, as text; nil if there is none.
function R.help_text(qualified)
  local mod, fn = qualified:match("^([%w_]+)[.:]([%w_]+)$")
  if not mod then return nil end
  local page = netlab._man(pages[mod] or "")
  if not page then return nil end
  local out, inside, example, indented = {}, false, false, false
  for line in (page .. "\n"):gmatch("([^\n]*)\n") do
    local title = line:match("^%.SS%s+(.*)$")
    if title then
      if inside then break end
      local m, f = title:match("^([%w_]+)%.([%w_]+)")
      if m == mod and f == fn then
        inside = true
        out[#out + 1] = title:gsub("\\%-", "-")
        out[#out + 1] = ""
      end
    elseif inside then
      if line:match("^%.SH") then break end
      if line:match("^%.EX") then example = true; out[#out + 1] = "Example:"
      elseif line:match("^%.EE") then example = false
      elseif line:match("^%.PP") or line:match("^%.TP") then out[#out + 1] = ""; indented = false
      elseif line:match("^%.IP") then out[#out + 1] = ""; indented = true
      elseif line:match("^%.br") then -- in an indented paragraph every line stands alone
      elseif indented then out[#out + 1] = "    " .. (roff_text(line) or "")
      elseif example then out[#out + 1] = "    " .. line:gsub("\\%-", "-"):gsub("\\e", "\\")
      else
        local text = roff_text(line)
        if text then
          -- Join a paragraph's lines as the page would.
          local last = out[#out]
          if last and last ~= "" and not last:match("^    ") and last ~= "Example:" then
            local glue = text:match("^[%.,;:%)]") and "" or " "
            out[#out] = last .. glue .. text
          else
            out[#out + 1] = text
          end
        end
      end
    end
  end
  if not inside then return nil end
  -- Wrap long paragraphs at 78 columns.
  local wrapped = {}
  for _, l in ipairs(out) do
    if #l <= 78 or l:match("^    ") then
      wrapped[#wrapped + 1] = l
    else
      local cur = ""
      for w in l:gmatch("%S+") do
        if #cur + #w + 1 > 78 and cur ~= "" then wrapped[#wrapped + 1] = cur; cur = w
        else cur = cur == "" and w or cur .. " " .. w end
      end
      wrapped[#wrapped + 1] = cur
    end
  end
  return (table.concat(wrapped, "\n"):gsub("\n+$", ""))
end

local modules = {"ns", "link", "bridge", "route", "nat", "probe", "graph", "netlab"}

local function module_summary(mod)
  local names = {}
  for k, v in pairs(_G[mod] or {}) do
    if type(v) == "function" and not k:match("^_") then names[#names + 1] = mod .. "." .. k end
  end
  table.sort(names)
  return names
end

-- help(), help(fn), help "link.veth", help(link): what the man pages say.
function R.help(what)
  if what == nil then
    local lines = {"netlab's modules (help(link) lists one, help(link.veth) or help \"link.veth\" explains one):", ""}
    for _, m in ipairs(modules) do
      if _G[m] then
        lines[#lines + 1] = ("  %-7s %s"):format(m, table.concat(module_summary(m), " "))
      end
    end
    lines[#lines + 1] = ""
    lines[#lines + 1] = "Objects: a namespace (ns.get, ns.add) has :exec :capture :links :routes :show ...;"
    lines[#lines + 1] = "a link (link.veth, link.get) has :up :down :set :addr :del ...  Type !cmd for a shell."
    lines[#lines + 1] = "Shorthands: ping(FROM, TO) prints probe.ping(FROM, TO) on one line;"
    lines[#lines + 1] = "graph() writes the picture (graph.write) to ./netlab-graph.svg and says where."
    return table.concat(lines, "\n")
  end
  local name
  if type(what) == "function" then
    name = R.name_of(what)
    if not name then return "no help for this function (it is not one of netlab's)" end
  elseif type(what) == "string" then
    name = what:gsub("%(.*$", "")
    if _G[name] and type(_G[name]) == "table" then what = _G[name] end
  end
  if R.shorthands[name] then
    local full = R.shorthands[name]
    return ("%s(...) is the REPL's shorthand for %s.\n\n%s"):format(name,
      R.shorthand_says[name] or ("print(%s(...))"):format(full), R.help_text(full) or "")
  end
  if type(what) == "table" then
    for _, m in ipairs(modules) do
      if _G[m] == what then
        local lines = {("module %s (man page %s):"):format(m, pages[m])}
        for _, n in ipairs(module_summary(m)) do
          local text = R.help_text(n)
          lines[#lines + 1] = "  " .. (text and text:match("^[^\n]*") or n)
        end
        return table.concat(lines, "\n")
      end
    end
    local mt = getmetatable(what)
    if mt and type(mt.__index) == "table" then
      local methods = sorted_keys(mt.__index)
      return ("%s object; methods: %s"):format(mt.__name or "netlab",
        table.concat(methods, " "))
    end
  end
  local text = name and R.help_text(name)
  return text or ("no help for %s"):format(tostring(name or what))
end

-- Completion -------------------------------------------------------------------

local function add(out, seen, s)
  if not seen[s] then
    seen[s] = true
    out[#out + 1] = s
  end
end

local function fields_of(v, methods_only)
  local out = {}
  if type(v) == "table" then
    for k in pairs(v) do
      if type(k) == "string" and not k:match("^_") then out[#out + 1] = {k, v[k]} end
    end
  end
  local mt = getmetatable(v)
  if mt and type(mt.__index) == "table" then
    for k, f in pairs(mt.__index) do
      if type(k) == "string" then out[#out + 1] = {k, f} end
    end
  end
  if methods_only then
    local m = {}
    for _, kv in ipairs(out) do if type(kv[2]) == "function" then m[#m + 1] = kv end end
    return m
  end
  return out
end

-- Resolves "a.b.c" (globals and fields) to its value, or nil.
local function resolve(path)
  local v = _G
  for part in path:gmatch("[^.:]+") do
    if type(v) ~= "table" then return nil end
    local ok, x = pcall(function() return v[part] end)
    if not ok then return nil end
    v = x
  end
  return v
end

-- The namespace a line is about: ns = "x", ns = var, or var:method( on a namespace object.
local function line_ns(line)
  local name = line:match('ns%s*=%s*"([^"]+)"') or line:match("ns%s*=%s*'([^']+)'")
  if name then return name end
  local var = line:match("ns%s*=%s*([%a_][%w_]*)")
  if var and type(_G[var]) == "table" and getmetatable(_G[var]) == getmetatable(ns.root) then
    return _G[var].name
  end
  return nil
end

-- Candidates for the word being completed. before is the line up to the word.
function R.complete(before, word)
  local out, seen = {}, {}
  -- Inside a string argument: live names.
  local quote = before:match("([\"'])[^\"']*$")
  if quote then
    local call = before:match("([%w_.:]+)%s*[%({]%s*[\"'][^\"']*$") or
                 before:match("([%w_.:]+)%s*%(.-,%s*[\"'][^\"']*$") or ""
    local names = {}
    if call:match("^ns[.:]") or call:match(":exec$") or call:match("^netlab%.show$") or
       before:match("ns%s*=%s*[\"'][^\"']*$") then
      names[#names + 1] = "root"
      for _, n in ipairs(ns.list()) do names[#names + 1] = n.name end
    else
      local n = line_ns(before) or "root"
      local ok, list = pcall(link._names, n)
      if ok then for name in pairs(list) do names[#names + 1] = name end end
    end
    table.sort(names)
    for _, n in ipairs(names) do
      if n:sub(1, #word) == word then add(out, seen, n) end
    end
    return out
  end
  -- a.b.<TAB>, obj:<TAB>, globals.
  local base, sep, partial = word:match("^(.*)([.:])([%w_]*)$")
  if base then
    local v = resolve(base)
    for _, kv in ipairs(fields_of(v, sep == ":")) do
      if kv[1]:sub(1, #partial) == partial then
        local suffix = type(kv[2]) == "function" and "(" or ""
        add(out, seen, base .. sep .. kv[1] .. suffix)
      end
    end
  else
    for k, v in pairs(_G) do
      if type(k) == "string" and k:sub(1, #word) == word and not k:match("^_") then
        add(out, seen, k .. (type(v) == "function" and "(" or ""))
      end
    end
    for _, kw in ipairs{"and", "break", "do", "else", "elseif", "end", "false", "for",
                        "function", "goto", "if", "in", "local", "nil", "not", "or",
                        "repeat", "return", "then", "true", "until", "while"} do
      if kw:sub(1, #word) == word then add(out, seen, kw) end
    end
  end
  table.sort(out)
  return out
end

-- The globals the REPL adds: help, and shorthands for what is typed most
-- (each says which function it stands for, whose help it shows).
R.shorthands = {ping = "probe.ping", graph = "graph.write"}

R.shorthand_says = {
  graph = "graph.write(FILE or \"netlab-graph.svg\", opts), then a line saying where",
}

-- Where graph() writes when given no file: netlab-graph.svg, or the
-- extension of the format asked for.
R.graph_file = "netlab-graph"

function R.install()
  _G.help = function(what)
    print(R.help(what))
  end
  netlab._name(_G.help, "help")
  -- ping(FROM, TO [, opts]): probe.ping's answer on one line, as ping(8)
  -- would say it; nothing is returned, so the REPL prints nothing more.
  _G.ping = function(from, to, o)
    print(probe.ping(from, to, o))
  end
  netlab._name(_G.ping, "ping")
  -- graph([FILE] [, opts]) or graph(opts): the picture written (graph.write)
  -- to FILE or ./netlab-graph.svg; it says where, and returns nothing. The
  -- module itself is made callable, so graph.dot() and help(graph) still work.
  local function draw(file, o)
    if type(file) == "table" and o == nil then file, o = nil, file end
    if file == nil then
      local ext = type(o) == "table" and type(o.format) == "string" and o.format or "svg"
      file = ("%s.%s"):format(R.graph_file, ext == "mermaid" and "mmd" or ext)
    end
    local written, fmt = graph.write(file, o)
    print(("wrote %s%s (%s)"):format(written:match("^/") and "" or "./", written, fmt))
  end
  local mt = getmetatable(graph)
  if mt then mt.__call = function(_, ...) draw(...) end end
  netlab._name(draw, "graph")
end

return R
