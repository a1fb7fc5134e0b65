-- Memory and descriptor safety (issue 11): a string read from an options
-- table stays valid until the core uses it, no descriptor netlab holds
-- reaches a command it runs, and ns.del never follows a symbolic link to
-- unmount what it names.
local t = require "t"

-- A field given by an __index function is a fresh string nothing holds: the
-- collector used to free it before the core copied it (ASan: heap use after
-- free). Read raw, such a table is refused with words, not half read.
t.test("an options table with an __index function is refused, not read freed", function()
  local code = [[
    link.veth{"ua0", peer = "ua1"}
    local opts = setmetatable({}, {__index = function(_, k)
      collectgarbage() collectgarbage()
      if k == "alias" then return string.rep("A", 60) .. tostring(math.random()) end
    end})
    local ok, err = pcall(link.set, "ua0", opts)
    print(ok, err)
    print("alias=" .. tostring(link.get("ua0").alias))
    link.del("ua0")
  ]]
  local out, rc = t.run("-e", code)
  t.ok(not out:find("AddressSanitizer", 1, true), "no sanitizer report: " .. out)
  t.eq(rc, 0, "exit code (" .. out .. ")")
  t.ok(out:find("bad argument #2 to 'set' (options table with an __index metamethod", 1, true),
    "the error says why: " .. out)
  t.ok(out:find("alias=nil", 1, true), "nothing set: " .. out)
end)

t.test("a field's value from the table, an object's name that is not a string refused", function()
  link.veth{"ub0", peer = "ub1"}
  local fake = setmetatable({name = 42}, getmetatable(ns.root))
  t.fails(function() link.get("ub0", {ns = fake}) end, "namespace object without a name")
  local l = link.get("ub0")
  t.eq(l.name, "ub0", "still there")
  link.del("ub0")
end)

-- The descriptors of a listing of /proc/self/fd other than 0, 1, 2 and the
-- listing's own (the directory it reads), each as "N -> target".
local function extra_fds(listing)
  local extra = {}
  for fd, target in listing:gmatch(" (%d+) %-> ([^\n]*)") do
    fd = tonumber(fd)
    if fd > 2 and not target:match("^/proc/%d+/fd$") then extra[#extra + 1] = fd .. " -> " .. target end
  end
  return extra
end

-- The same, of netlab's own files only (the journal, a file the script
-- opened): a command Lua itself starts (io.popen) also inherits what
-- netlab's own parent left open, which is not netlab's to close.
local function own_fds(listing, path)
  local own = {}
  for _, fd in ipairs(extra_fds(listing)) do
    if fd:find("/run/netlab", 1, true) or fd:find(path, 1, true) or fd:find("socket:", 1, true) then
      own[#own + 1] = fd
    end
  end
  return own
end

t.test("ns.exec and ns.spawn children hold only 0, 1, 2 during a lab run", function()
  local n = ns.add("fd1")
  -- A file the script (or the lab engine, whose journal is open now) opened with io.open.
  local path = os.tmpname()
  local f = assert(io.open(path, "w"))
  local out = ns.capture(n, "ls", "-l", "/proc/self/fd")
  t.ok(out:find(" 0 %-> "), "the listing lists: " .. out)
  t.eq(table.concat(extra_fds(out), ", "), "", "descriptors an exec'd command inherited")
  out = ns.capture(nil, "sh", "-c", "ls -l /proc/self/fd")
  t.eq(table.concat(extra_fds(out), ", "), "", "in the root namespace, through sh")
  local pid = ns.spawn(n, "sleep", "30")
  netlab.sleep(0.2)
  out = ns.capture(nil, "ls", "-l", "/proc/" .. pid .. "/fd")
  t.eq(table.concat(extra_fds(out), ", "), "", "descriptors a spawned process holds")
  netlab.kill(pid)
  -- Lua's own ways of running commands: io.open's files are close-on-exec too.
  local p = assert(io.popen("ls -l /proc/self/fd"))
  out = p:read("a")
  p:close()
  t.eq(table.concat(own_fds(out, path), ", "), "", "netlab's descriptors an io.popen command inherited")
  f:close()
  os.remove(path)
  ns.del(n)
end)

t.test("ns.del of a symbolic link to a mount point unlinks it, unmounts nothing", function()
  local dir = "/run/victim-mnt"
  os.execute("mkdir -p " .. dir .. " && mount -t tmpfs none " .. dir .. " && touch " .. dir .. "/file")
  os.execute("ln -sfn " .. dir .. " /run/netns/evil")
  pcall(ns.del, "evil")
  t.ok(os.execute("mountpoint -q " .. dir), "the mount point is still mounted")
  local f = io.open(dir .. "/file")
  t.ok(f, "its file is still visible")
  f:close()
  local l = io.open("/run/netns/evil")
  t.ok(not l, "the link is gone")
  os.execute("umount " .. dir)
end)

t.done()
