-- Ctrl-C during a big matrix: the poll loop and the waits between waves
-- look at the interrupt flag, so a matrix of star 40 (past the kernel's
-- neighbour table, so sent in waves) ends at once with "interrupted", its
-- sockets closed, and a run's lab rolled back. Before, the signal waited
-- for the matrix to finish: every wave, and every timeout.
local t = require "t"

-- Star 30 needs some 930 ARP entries, which fit in the host's 1024; 40 some 1,640.
local N = 40
local SILENT = "10.0.99.1" -- nobody's: a probe to it lasts the whole timeout

local br = bridge.add("br0", {addr = "10.0.0.1/16", up = true, addrgenmode = "none"})
for i = 1, N do
  local h = ns.add("h" .. i, {lo = true})
  link.veth{"vh" .. i, master = br, up = true, addrgenmode = "none",
            peer = {"eth0", ns = h, up = true, addrgenmode = "none", addr = ("10.0.1.%d/16"):format(i)}}
end
t.ok(t.ping_eventually("h" .. N, "10.0.0.1"), "the star passes packets")

local function fds()
  return #netlab._ls("/proc/self/fd")
end

local function pid_of_self()
  local f = assert(io.open("/proc/self/stat"))
  local pid = f:read("n")
  f:close()
  return pid
end

t.test("Ctrl-C in probe.matrix: 'interrupted' at once, every socket closed", function()
  local before = fds()
  -- Outside netlab: a shell that sends this process SIGINT in 1.5 s.
  local killer = ns.spawn(nil, {"sh", "-c", "sleep 1.5; kill -INT " .. pid_of_self(), quiet = true})
  local started = os.time()
  local ok, err = pcall(probe.matrix, {to = {"h1", "h2", "h3", SILENT}, timeout = 20})
  local took = os.time() - started
  netlab.wait(killer, 5)
  t.eq(ok, false, "the matrix did not finish")
  t.ok(tostring(err):find("interrupted$"), "the error: " .. tostring(err))
  t.ok(tostring(err):find("probe_interrupt.lua:%d+: interrupted$"), "names the line that probed: " .. tostring(err))
  t.ok(took <= 3, ("ended %d s after it started, not at the 20 s timeout"):format(took))
  t.eq(fds(), before, "descriptors open after as before")
  -- The interruption was raised once: the script goes on.
  t.ok(probe.ping("h1", "10.0.0.1").ok, "probes work again afterwards")
end)

t.test("SIGINT to a netlab run in a big matrix: exits at once, lab rolled back", function()
  local dir, script = t.scratch()
  local marker = dir .. "/marker"
  -- Every namespace to every hI and one silent address: some 1,640 ARP
  -- entries, past the host's gc_thresh3 (1024 by default), so in waves,
  -- each waiting out the silent pings' timeout in the C half's poll loop,
  -- where the signal comes (the script probes over and over).
  local path = script("bigmatrix", ([[
ns.add("x") local T = {%q} for i = 1, %d do T[#T + 1] = "h" .. i end
local f = io.open(%q, "w") f:write("probing") f:close()
while true do probe.matrix{timeout = 1, to = T} end
]]):format(SILENT, N, marker))
  local before = t.snapshot()
  netlab._release()
  local pid = ns.spawn(nil, {t.bin, "run", path, log = dir .. "/out"})
  for _ = 1, 1000 do
    if t.read(marker) then break end
    netlab.sleep(0.01)
  end
  t.eq(t.read(marker), "probing", "the script got to its matrix")
  netlab.sleep(3)
  local t0 = os.time()
  netlab.kill(pid, "INT")
  local how, status = netlab.wait(pid, 3)
  local took = os.time() - t0
  t.eq(how, "exit", "netlab exited")
  t.ok(took <= 3, ("within 3 s of SIGINT (%d s)"):format(took))
  if how ~= "exit" then netlab.kill(pid, "KILL") netlab.wait(pid, 5) end
  t.eq(status, 1, "with status 1")
  local out = t.read(dir .. "/out") or ""
  t.ok(out:find("bigmatrix.lua:3: interrupted", 1, true), "says where it was interrupted: " .. out)
  t.ok(out:find("rolled back", 1, true), "and that the lab was rolled back: " .. out)
  t.eq(ns.get("x"), nil, "x is gone")
  t.same_state(before, "after SIGINT", t.snapshot)
end)

t.done()
