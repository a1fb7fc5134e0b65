-- The man pages and the code cannot drift apart: every function a module
-- exports has a section in its page, and every section names a function.
local t = require "t"

local pages = {
  ns = "docs/man/netlab-ns.3",
  link = "docs/man/netlab-link.3",
  bridge = "docs/man/netlab-bridge.3",
  route = "docs/man/netlab-route.3",
  nat = "docs/man/netlab-nat.3",
  probe = "docs/man/netlab-probe.3",
  graph = "docs/man/netlab-graph.3",
  netlab = "docs/man/netlab.1",
}

local function sections(path)
  local f = assert(io.open(path))
  local found = {}
  for line in f:lines() do
    local mod, fn = line:match("^%.SS ([%w_]+)%.([%w_]+)")
    if mod then found[mod .. "." .. fn] = true end
  end
  f:close()
  return found
end

for mod, path in pairs(pages) do
  t.test(("%s: every function documented in %s and every section real"):format(mod, path), function()
    local documented = sections(path)
    local missing, stale = {}, {}
    for k, v in pairs(_G[mod]) do
      if type(v) == "function" and not k:match("^_") then
        if not documented[mod .. "." .. k] then missing[#missing + 1] = k end
      end
    end
    for name in pairs(documented) do
      local m, fn = name:match("^(.-)%.(.*)$")
      if type(_G[m] and rawget(_G[m], fn)) ~= "function" then stale[#stale + 1] = name end
    end
    table.sort(missing)
    table.sort(stale)
    t.eq(table.concat(missing, " "), "", "functions without a section")
    t.eq(table.concat(stale, " "), "", "sections without a function")
  end)
end

t.test("every man page renders without warnings", function()
  if not os.execute("command -v man >/dev/null 2>&1 && command -v groff >/dev/null 2>&1") then return end
  for _, path in pairs(pages) do
    -- man's warnings only: the page itself goes away.
    local out = t.sh('{ LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$1" 2>&1 >/dev/null; }', path)
    t.eq(out, "", path .. " warnings")
  end
end)

-- help() is what a learner reads first: what a function does and the
-- command it stands for, not why netlab sends the kernel what it sends.
local R = require "netlab.repl"

-- Kernel reasons behind the implementation: docs/hacking.md and
-- docs/performance.md hold them, the man pages point there.
local internals = {"RCU", "sendto", "round trip", "grace period", "pipelin", "IFLA_",
  "AF_SPEC", "ENOTCONN", "rtnl", "10 bits", "walk of all"}

local function internal_words(text)
  local found = {}
  for _, w in ipairs(internals) do
    if text:lower():find(w:lower(), 1, true) then found[#found + 1] = w end
  end
  return table.concat(found, ", ")
end

local function functions_of(mod)
  local names = {}
  for k, v in pairs(_G[mod]) do
    if type(v) == "function" and not k:match("^_") then names[#names + 1] = mod .. "." .. k end
  end
  table.sort(names)
  return names
end

t.test("help(link.veth) starts with what it does and the ip command it stands for", function()
  local text = R.help(link.veth)
  local head = {}
  for l in (text .. "\n"):gmatch("([^\n]*)\n") do
    if #head < 8 then head[#head + 1] = l end
  end
  head = table.concat(head, "\n")
  t.ok(head:find("Creates a veth pair", 1, true), "says what it does first: " .. head)
  t.ok(head:find("\n    ip link add veth-purple netns purple type veth peer name veth-purple-br\n", 1, true),
    "the ip command in the first lines: " .. head)
  t.ok(text:find("\n    ns %- the end's namespace"), "its options, one a line")
  t.ok(text:find("Example:\n    link.veth{", 1, true), "an example")
  t.eq(internal_words(text), "", "kernel internals in help(link.veth)")
end)

t.test("every function's help names its command in its first lines", function()
  local without = {}
  for _, mod in ipairs{"ns", "link", "bridge", "route", "nat", "probe"} do
    for _, name in ipairs(functions_of(mod)) do
      local text, n, found = R.help_text(name) or "", 0, false
      for l in (text .. "\n"):gmatch("([^\n]*)\n") do
        n = n + 1
        if n <= 10 and (l:match("^    ip ") or l:match("^    nft ") or l:match("^    iptables ")
            or l:match("^    test ") or l:match("^    out=%$%(ip ")
            or l:match("^    bridge ")) then
          found = true
        end
      end
      if not found then without[#without + 1] = name end
    end
  end
  t.eq(table.concat(without, " "), "", "functions whose help names no command near the top")
end)

t.test("help text fits 80 columns, option lines a man page's indented block", function()
  local long = {}
  for _, mod in ipairs{"ns", "link", "bridge", "route", "nat", "probe", "netlab"} do
    for _, name in ipairs(functions_of(mod)) do
      local example = false
      for l in ((R.help_text(name) or "") .. "\n"):gmatch("([^\n]*)\n") do
        if l == "Example:" then example = true elseif l == "" then example = false end
        -- A command may take a line of its own; an option line must not
        -- wrap in man(1) at 80 columns (66 characters after the indent).
        local limit = example and 82 or l:match("^    %S+ %-") and 70 or 78
        if #l > limit then long[#long + 1] = ("%s (%d): %s"):format(name, #l, l) end
      end
    end
  end
  t.eq(table.concat(long, "\n"), "", "lines too long")
end)

local function page_text(path)
  local f = assert(io.open(path))
  local s = f:read("a")
  f:close()
  return s
end

t.test("no man page explains kernel internals outside IMPLEMENTATION NOTES", function()
  local hacking = page_text("docs/hacking.md")
  for mod, path in pairs(pages) do
    local s = page_text(path)
    local body = s:gsub("\n%.SH IMPLEMENTATION NOTES\n.-\n(%.SH )", "\n%1")
    t.eq(internal_words(body), "", path .. ": kernel internals in the user's text")
    local notes = s:match("\n%.SH IMPLEMENTATION NOTES\n(.-)\n%.SH ")
    if notes then
      t.ok(notes:find("docs/hacking.md", 1, true), path .. ": IMPLEMENTATION NOTES points to docs/hacking.md")
      for heading in notes:gmatch('%("(.-)"%)') do
        t.ok(hacking:find("\n## " .. heading .. "\n", 1, true),
          ("%s: docs/hacking.md has the section %q"):format(path, heading))
      end
    end
    if mod == "link" then t.ok(notes, path .. " has IMPLEMENTATION NOTES") end
  end
  -- What moved out of the pages is still written down.
  for _, fact in ipairs{"RCU grace period", "ENOTCONN", "IFLA_AF_SPEC", "IFLA_NUM_TX_QUEUES",
      "1023 ports", "sendto", "shared mount"} do
    t.ok(hacking:find(fact, 1, true), "docs/hacking.md keeps: " .. fact)
  end
end)

t.done()
