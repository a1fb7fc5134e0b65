-- A lab's processes and its REPL: what a script starts with ns.spawn is
-- recorded and ended by `netlab down` (namespaces going away do not end
-- processes), its output goes to /run/netlab/LAB.d/NS.log, and after
-- `netlab run -i` what is typed joins the lab. The REPL here reads standard
-- input (not a terminal); tests/sh/repl.sh drives the terminal one.
local t = require "t"

local dir, script = t.scratch()
local sh = t.sh

local read = t.read

-- The PIDs of processes whose command line is exactly words, as ps sees them.
local function pids(words)
  local out = {}
  for line in sh("ps -eo pid=,stat=,args="):gmatch("[^\n]+") do
    local pid, stat, args = line:match("^%s*(%d+)%s+(%S+)%s+(.*)$")
    if args == words and not stat:find("Z") then out[#out + 1] = tonumber(pid) end
  end
  return out
end

local clean = t.dump()

-- ps lists every process of the machine, those of other sandboxes running
-- this test too: the sleeps this run starts carry a suffix of its own.
local tag = ("%06d"):format(math.random(0, 999999))
local function sleep_of(n) return "sleep " .. n .. "." .. tag end

local pod = script("pod", [[
local p = ns.add("purple")
orange = ns.add("orange")
link.veth{"vp", ns = p, addr = "10.7.0.1/24", up = true,
          peer = {"vo", ns = orange, addr = "10.7.0.2/24", up = true}}
ns.spawn(p, "sh", "-c", "echo server-says-hello; echo oops >&2; exec sleep 297.]] .. tag .. [[")
orange:spawn{"sleep", "296.]] .. tag .. [["}
]])

t.test("down ends the processes a lab's script spawned", function()
  local out, code = t.run("run", pod)
  t.eq(code, 0, "run: " .. out)
  t.eq(out, "", "the spawned server's output is not on the terminal")
  local p1, p2 = pids(sleep_of(297)), pids(sleep_of(296))
  t.eq(#p1, 1, "the server runs")
  t.eq(#p2, 1, "the second process runs")
  local log = read("/run/netlab/pod.d/purple.log") or ""
  t.ok(log:find("server-says-hello", 1, true) and log:find("oops", 1, true),
       "its output and errors are in /run/netlab/pod.d/purple.log: " .. log)
  out = t.run("ls", "pod")
  t.ok(out:find("2 processes", 1, true) and out:find("intact", 1, true), "ls pod: " .. out)
  -- A re-run keeps what still runs: no second server.
  out, code = t.run("run", "--verbose", pod)
  t.eq(code, 0, "re-run: " .. out)
  t.ok(out:find("(0 kernel changes)", 1, true), "nothing changed: " .. out)
  t.eq(pids(sleep_of(297))[1], p1[1], "the same server")
  t.eq(#pids(sleep_of(297)), 1, "and only it")
  out, code = t.run("down", "pod")
  t.eq(code, 0, "down: " .. out)
  t.ok(not out:find("still held", 1, true), "no namespace held by a process: " .. out)
  t.eq(#pids(sleep_of(297)) + #pids(sleep_of(296)), 0, "both ended")
  t.eq(read("/run/netlab/pod.d/purple.log"), nil, "the log went with the lab")
  t.eq(t.dump(), clean, "the kernel as before")
end)

t.test("down leaves alone a process that is not the one the lab started", function()
  local out, code = t.run("run", pod)
  t.eq(code, 0, "run: " .. out)
  local pid = pids(sleep_of(297))[1]
  t.ok(pid, "the server runs")
  -- Someone ends it; the record's PID and start time no longer match a process.
  sh("kill " .. pid)
  for _ = 1, 100 do
    if #pids(sleep_of(297)) == 0 then break end
    netlab.sleep(0.01)
  end
  out = t.run("ls", "pod")
  t.ok(out:find("gone: process " .. pid .. " (sh -c echo server-says-hello", 1, true),
       "ls names it: " .. out)
  local mine = ns.spawn(nil, {"sleep", "295"})
  -- The state file names this test's own process with a wrong start time.
  local state = read("/run/netlab/pod.state")
  local f = assert(io.open("/run/netlab/pod.state", "w"))
  f:write((state:gsub('"pid":' .. pid, '"pid":' .. mine)))
  f:close()
  out, code = t.run("down", "pod")
  t.eq(code, 0, "down: " .. out)
  t.eq(netlab.wait(mine, 0), nil, "this test's process (PID in the state, another start time) runs on")
  netlab.kill(mine)
  t.eq(#pids(sleep_of(296)), 0, "the other one ended")
end)

t.test("run -i: the script's namespaces as globals, typed objects join the lab", function()
  local input = dir .. "/typed.lua"
  local f = assert(io.open(input, "w"))
  f:write([[
print("globals", purple, orange, p)
typed = ns.add("typed")
link.veth{"tv", ns = typed, addr = "10.8.0.1/24", peer = {"tv2", ns = purple}}
ns.sysctl(nil, "net.ipv4.ip_forward", 1)
typed:spawn{"sleep", "294.]] .. tag .. [["}
]])
  f:close()
  local out, code = sh(t.bin .. " run -i " .. pod .. " <" .. input)
  t.eq(code, 0, "run -i: " .. out)
  t.ok(out:find('globals\tns "purple"\tns "orange"\tnil', 1, true),
       "purple by its kernel name, orange by its Lua name, the local p not: " .. out)
  t.ok(t.ipaddrs("typed", "tv")["10.8.0.1/24"], "ip -j: the typed veth is there")
  out = t.run("ls", "pod")
  t.ok(out:find("intact", 1, true) and out:find("3 namespaces", 1, true) and
       out:find("3 processes", 1, true) and out:find("1 sysctl", 1, true), "ls pod: " .. out)
  out, code = t.run("down", "pod")
  t.eq(code, 0, "down: " .. out)
  t.eq(ns.get("typed"), nil, "the typed namespace is gone")
  t.eq(#pids(sleep_of(294)) + #pids(sleep_of(297)), 0, "the typed process ended too")
  t.eq(sh("ip netns list"):find("typed", 1, true), nil, "ip netns: typed is gone")
  t.eq(t.dump(), clean, "the kernel as before (forwarding back off)")
end)

os.execute("rm -rf " .. dir)
t.done()
