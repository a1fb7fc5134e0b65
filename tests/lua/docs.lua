-- The man pages and the code cannot drift apart: every function a module
-- exports has a section in its page, and every section names a function.
local t = require "t"

local pages = {
  ns = "docs/man/netlab-ns.3",
  link = "docs/man/netlab-link.3",
  bridge = "docs/man/netlab-bridge.3",
  route = "docs/man/netlab-route.3",
  nat = "docs/man/netlab-nat.3",
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
    local out = ns.capture(nil, "sh", "-c", "LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l " .. path .. " 2>&1 >/dev/null")
    t.eq(out, "", path .. " warnings")
  end
end)

t.done()
