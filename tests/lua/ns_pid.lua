-- Namespaces of processes: ns.attach, ns.pids, ns.kill and ns.of, with an
-- emulated container (`unshare --net sleep`, started here) standing in for
-- Docker's, and `ip netns` as the witness.
local t = require "t"

-- A container of our own: a process in a new network namespace. unshare
-- execs sleep in place, so the PID is the container's once its namespace
-- is no longer root's.
local function container()
  local pid = ns.spawn(nil, {"unshare", "--net", "sleep", "60", quiet = true})
  for _ = 1, 100 do
    local n, why = ns.of(pid)
    if not n then return pid, why end
    netlab.sleep(0.02)
  end
  error("unshare did not leave the root namespace")
end

local function iplist()
  local out = {}
  for _, e in ipairs(t.ip(nil, "netns", "list") or {}) do out[e.name] = true end
  return out
end

t.test("a container's namespace attached, its processes listed and ended", function()
  local _ <close> = t.fresh()
  local pid, why = container()
  t.ok(why:find("no name in /run/netns", 1, true), "before attach, ns.of says why: " .. why)
  local c = ns.attach("box", pid)
  t.eq(c.name, "box", "attach gives the namespace object")
  t.eq(c.id, ns.get("box").id, "with its identity, as ns.get's")
  t.ok(iplist().box, "ip netns list shows it")
  t.eq(ns.of(pid).name, "box", "ns.of names it")
  t.eq(t.sh_ok("ip netns identify $1", pid), "box\n", "ip netns identify agrees")
  local pids = ns.pids("box")
  t.eq(#pids, 1, "one process in it")
  t.eq(pids[1], pid, "the container's")
  t.eq(t.sh_ok("ip netns pids box"), pid .. "\n", "ip netns pids agrees")
  -- A second process joins it: both are listed, in order.
  local pid2 = ns.spawn("box", {"sleep", "60", quiet = true})
  pids = ns.pids(c)
  t.eq(#pids, 2, "two processes")
  t.ok(pids[1] < pids[2], "ascending")
  t.eq(ns.of(pid2).name, "box", "the second is in box too")
  t.ok(#ns.pids(nil) > 0, "root has processes (this one)")
  t.eq(ns.kill("box"), 2, "ns.kill signalled both")
  t.ok(netlab.wait(pid, 5) == "signal", "the container ended by the signal")
  netlab.wait(pid2, 5)
  t.eq(#ns.pids("box"), 0, "ns.pids is empty")
  t.eq(t.sh_ok("ip netns pids box"), "", "ip netns pids agrees")
  t.eq(ns.kill("box", "KILL"), 0, "nothing left to signal")
  local n, gone = ns.of(pid)
  t.eq(n, nil, "a stopped process has no namespace")
  t.ok(gone:find("no such process", 1, true), "said so: " .. gone)
  -- As ip netns attach: the bind mount keeps the name (and the namespace).
  t.ok(iplist().box, "the name stays, as ip's")
  ns.del("box")
end)

t.test("a name that links to a stopped container reads as gone", function()
  local _ <close> = t.fresh()
  local pid = container()
  t.sh_ok("ln -s /proc/$1/ns/net /run/netns/linked", pid)
  t.eq(ns.of(pid).name, "linked", "the link names it")
  t.eq(ns.pids("linked")[1], pid, "its process")
  t.eq(ns.kill("linked", "KILL"), 1, "killed")
  netlab.wait(pid, 5)
  t.fails(function() ns.pids("linked") end, "namespace \"linked\"", "the namespace is gone")
  t.fails(function() ns.kill("linked") end, "the namespace is gone")
  ns.del("linked")
end)

t.test("bad input: clear errors, nothing made", function()
  local _ <close> = t.fresh()
  local pid = container()
  t.fails(function() ns.attach("box", 0) end, "bad argument #2 to 'attach'", "process id")
  t.fails(function() ns.attach("box", "x") end, "bad argument #2 to 'attach'")
  t.fails(function() ns.of(-3) end, "bad argument #1 to 'of'")
  t.fails(function() ns.attach("bad/name", pid) end, "ns.attach", "bad/name")
  t.fails(function() ns.attach("root", pid) end, "ns.attach", "\"root\" names")
  -- A PID no process has: the highest one the kernel would give plus one.
  local max = tonumber(t.read("/proc/sys/kernel/pid_max"))
  t.fails(function() ns.attach("box", max + 1) end, "ns.attach", "no such process", "ESRCH")
  t.eq(iplist().box, nil, "nothing was made")
  local n, why = ns.of(max + 1)
  t.eq(n, nil, "ns.of of no process")
  t.ok(why:find("no such process", 1, true), why)
  ns.attach("box", pid)
  t.fails(function() ns.attach("box", pid) end, "ns.attach", "EEXIST")
  t.fails(function() ns.kill(nil) end, "ns.kill", "the machine's")
  t.fails(function() ns.kill("box", "BOGUS") end, "bad argument #2 to 'kill'")
  t.eq(ns.kill("box", "KILL"), 1, "the container killed")
  netlab.wait(pid, 5)
  ns.del("box")
end)

t.test("a lab that attaches a container: down takes the name, the container lives on", function()
  local _ <close> = t.fresh()
  local pid = container()
  local _, script = t.scratch()
  local path = script("attachlab", ("ns.attach(%q, %d)\n"):format("boxlab", pid))
  local out, code = t.run("run", path)
  t.eq(code, 0, "run: " .. out)
  t.ok(iplist().boxlab, "named")
  out, code = t.run("run", path)
  t.eq(code, 0, "a re-run keeps it: " .. out)
  out, code = t.run("down", "attachlab")
  t.eq(code, 0, "down: " .. out)
  t.eq(iplist().boxlab, nil, "down took the name away")
  t.eq(netlab.wait(pid, 0), nil, "the container still runs")
  local n, why = ns.of(pid)
  t.ok(not n and why:find("no name", 1, true), "its namespace has no name again")
  ns.attach("again", pid)
  t.eq(ns.kill("again", "KILL"), 1, "ended")
  netlab.wait(pid, 5)
  ns.del("again")
end)

t.done()
