-- The graph module, continued: files (graph.write) and the command line
-- (`netlab graph`, repl/main.c calls graph._cli with its words).
local graph = ...

local SPEC = graph._write_fields
local lab_exists = graph._lab_exists

local FORMATS = {svg = "svg", png = "png", pdf = "pdf", dot = "dot", gv = "dot",
                 mermaid = "mermaid", mmd = "mermaid"}
graph._formats = "svg, png, pdf, dot, mermaid"

-- The format a file's name asks for (its extension), or nil.
function graph._format_of(file)
  local ext = file:match("%.([%w]+)$")
  return ext and FORMATS[ext:lower()]
end

local shown = graph._shown

-- Writes bytes to file; nil, or why not as one line ("cannot write F: reason").
local function write_file(file, bytes)
  local f, why = io.open(file, "wb")
  if f then
    local ok, werr = f:write(bytes)
    local cok, cerr = f:close()
    if ok and cok then return nil end
    why = werr or cerr
  end
  -- io.open's reason starts with the name; the name is said once, cut.
  why = tostring(why)
  if why:sub(1, #file + 2) == file .. ": " then why = why:sub(#file + 3) end
  return ("cannot write %s: %s"):format(shown(file), why)
end

-- The bytes of the picture in format fmt; o's fields are argument arg's.
function graph._bytes(fmt, o, arg)
  local d = {}
  for k, v in pairs(o or {}) do if k ~= "format" then d[k] = v end end
  local G = graph._model(d, nil, arg)
  if fmt == "mermaid" then return graph._mermaid_of(G) end
  local text = graph._dot_of(G)
  if fmt == "dot" then return text end
  local bytes = graph.render(text, fmt)
  return bytes
end

-- graph.write(FILE[, opts]): the picture into FILE, in opts.format or the
-- format FILE's extension names. Returns FILE and the format.
function graph.write(file, o)
  if type(file) ~= "string" then netlab._argerror(1, "file name expected, got " .. type(file)) end
  if file == "" or file:find("\0", 1, true) then
    netlab._argerror(1, "file name expected, got " .. (file == "" and "an empty string" or "a string holding a NUL"))
  end
  if o ~= nil and type(o) ~= "table" then netlab._argerror(2, "table of options expected, got " .. type(o)) end
  o = o or {}
  netlab._check(o, 2, SPEC, 0)
  local fmt = o.format
  if fmt ~= nil then
    if type(fmt) ~= "string" or not FORMATS[fmt] or fmt == "gv" or fmt == "mmd" then
      netlab._argerror(2, ("field 'format': %s is not one of %s"):format(
        type(fmt) == "string" and ("%q"):format(shown(fmt)) or type(fmt), graph._formats))
    end
    fmt = FORMATS[fmt]
  else
    fmt = graph._format_of(file)
    if not fmt then
      netlab._error(("cannot tell the format from the name %q (say format = one of %s)"):format(
        shown(file), graph._formats))
    end
  end
  local bytes = graph._bytes(fmt, o, 2)
  local why = write_file(file, bytes)
  if why then netlab._error(why) end
  return file, fmt
end

-- `netlab graph [LAB|NS…] [-o FILE] [--format F]` (repl/main.c): the exit code.
local USAGE = "usage: netlab graph [LAB|NS ...] [-o FILE] [--format svg|png|pdf|dot|mermaid]\n" ..
  "  the picture of the live kernel (every namespace, or the labs and namespaces named);\n" ..
  "  the format is FILE's extension's, else dot; svg, png and pdf need -o on a terminal\n"

function graph._cli(args)
  local words, file, fmt = {}, nil, nil
  local i = 1
  local function usage(msg)
    io.stderr:write("netlab: graph: ", msg, "\n", USAGE)
    return 2
  end
  while i <= #args do
    local a = args[i]
    local opt, val = a:match("^(%-%-%w+)=(.*)$")
    opt = opt or a
    if opt == "-o" or opt == "--output" or opt == "--format" then
      if not val then i = i + 1; val = args[i] end
      if val == nil then return usage(opt .. " needs a value") end
      if opt == "--format" then fmt = val else file = val end
    elseif a == "--help" or a == "-h" then
      io.stdout:write(USAGE)
      return 0
    elseif a:sub(1, 1) == "-" then
      return usage("unknown option " .. a)
    else
      words[#words + 1] = a
    end
    i = i + 1
  end
  local function fail(msg)
    io.stderr:write("netlab: graph: ", msg, "\n")
    return 1
  end
  if fmt then
    if not FORMATS[fmt] or fmt == "gv" or fmt == "mmd" then
      return fail(("unknown format %q (one of %s)"):format(shown(fmt), graph._formats))
    end
    fmt = FORMATS[fmt]
  elseif file then
    fmt = graph._format_of(file)
    if not fmt then
      return fail(("cannot tell the format from %q: give --format (one of %s)"):format(shown(file),
        graph._formats))
    end
  else
    fmt = "dot"
  end
  if not file and (fmt == "svg" or fmt == "png" or fmt == "pdf") and netlab._isatty(1) then
    return fail(("%s is not for a terminal: write it with -o FILE.%s (or pipe it)"):format(fmt, fmt))
  end
  -- A word is a namespace, a lab, or both (then both are drawn).
  local o = {ns = {}, lab = {}}
  local nsknown = {root = true}
  for _, n in ipairs(ns.list()) do nsknown[n.name] = true end
  for _, w in ipairs(words) do
    local isns, islab = nsknown[w] or (w:match("^pid:%d+$") and ns.get(w) ~= nil), lab_exists(w)
    if isns then o.ns[#o.ns + 1] = w end
    if islab then o.lab[#o.lab + 1] = w end
    if not isns and not islab then
      return fail(("no namespace or lab %q (ip netns list, netlab ls)"):format(shown(w)))
    end
  end
  local ok, bytes = pcall(graph._bytes, fmt, o)
  if not ok then return fail(tostring(bytes)) end
  if not file then
    io.stdout:write(bytes)
    io.stdout:flush()
    return 0
  end
  local why = write_file(file, bytes)
  if why then return fail(why) end
  return 0
end

return graph
