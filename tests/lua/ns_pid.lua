-- Namespaces of processes: ns.attach, ns.pids, ns.kill and ns.of, with an
-- emulated container (`unshare --net sleep`, started here) standing in for
-- Docker's, and `ip netns` as the witness.
local t = require "t"
local json = require "cjson"

local container = t.container

local function iplist()
  local out = {}
  for _, e in ipairs(t.ip(nil, "netns", "list") or {}) do out[e.name] = true end
  return out
end

t.test("a container's namespace attached, its processes listed and ended", function()
  local _ <close> = t.fresh()
  local pid, anon = container()
  t.eq(anon.name, "pid:" .. pid, "before attach, ns.of gives the anonymous handle")
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

-- The namespace's identity as the kernel gives it: the nsfs inode.
local function inode(pid)
  return tonumber(t.sh_ok("stat -L -c %i /proc/$1/ns/net", pid))
end

t.test("a container with no name: its namespace by PID, wherever a namespace goes", function()
  local _ <close> = t.fresh()
  local pid, c = container()
  local name = "pid:" .. pid
  t.eq(c.name, name, "ns.of names it pid:PID")
  t.eq(c.id, inode(pid), "its identity is the process's namespace (stat -L)")
  t.eq(ns.get(name).id, c.id, "ns.get of the name agrees")
  t.eq(ns.of(pid).id, c.id, "and ns.of again")
  -- link, addr, route into it; nsenter --target is the witness.
  local function inside(...)
    return t.sh_ok("nsenter --target $1 --net " .. table.concat({...}, " "), pid)
  end
  link.veth{"h0", up = true, peer = {"c0", ns = c, up = true}}
  link.addr_add("h0", "10.9.0.1/24")
  link.addr_add("c0", "10.9.0.2/24", {ns = c})
  link.up("lo", {ns = name})
  route.add{"default", via = "10.9.0.1", ns = c}
  local ipc = json.decode(inside("ip -j -d link show c0"))[1]
  t.eq(ipc.ifname, "c0", "the peer is in the container (ip -j -d link, by nsenter)")
  t.eq(ipc.operstate, "UP", "and up")
  t.ok(inside("ip -j route"):find('"gateway":"10.9.0.1"', 1, true), "its default route")
  t.eq(link.get("c0", {ns = c}).name, "c0", "link.get finds it there")
  t.ok(probe.ping(ns.root, "10.9.0.2", {timeout = 1}).ok, "reached from root (probe)")
  t.ok(probe.ping(c, "10.9.0.1", {timeout = 1}).ok, "and it reaches root (probe from inside)")
  t.ok(ns.exec(c, {"ping", "-c1", "-W1", "10.9.0.1", quiet = true}), "ns.exec runs inside (real ping)")
  local out = ns.capture(name, "cat", "/proc/self/net/dev")
  t.ok(out:find("c0:", 1, true), "ns.capture sees its devices")
  local state = netlab.state(c)
  t.eq(state[1].name, name, "netlab.state reads it by handle")
  local found
  for _, l in ipairs(state[1].links) do if l.ifname == "c0" then found = l end end
  t.ok(found and found.addr_info[1]["local"] == "10.9.0.2", "with its link and address")
  local out2, code = t.run("show", name)
  t.eq(code, 0, "netlab show pid:PID: " .. out2)
  t.ok(out2:find("== " .. name, 1, true) and out2:find("10.9.0.2/24", 1, true), "shows it: " .. out2)
  out2, code = t.run("graph", "--format", "dot", name)
  t.eq(code, 0, "netlab graph pid:PID: " .. out2)
  t.ok(out2:find('subgraph "cluster_ns_' .. name .. '"', 1, true), "draws it")
  local pid2 = ns.spawn(c, {"sleep", "60", quiet = true})
  t.eq(#ns.pids(c), 2, "ns.spawn joined it: two processes")
  -- The container stops: its handle and its name are gone, in words.
  t.eq(ns.kill(c, "KILL"), 2, "killed by ns.kill")
  netlab.wait(pid, 5)
  netlab.wait(pid2, 5)
  t.fails(function() link.list(c) end, "namespace of PID " .. pid, "gone: the process ended", "ENOENT")
  t.fails(function() link.list(name) end, "namespace of PID " .. pid, "gone")
  t.fails(function() ns.exec(c, "true") end, "gone")
  local n, why = ns.get(name)
  t.eq(n, nil, "ns.get of the name: nil")
  t.ok(why:find("gone", 1, true), "and why: " .. tostring(why))
  -- Held no longer: the namespace went, and the veth with it.
  local left
  for _ = 1, 100 do
    left = t.iplink(nil, "h0")
    if not left then break end
    netlab.sleep(0.02)
  end
  t.eq(left, nil, "the namespace was let go: its veth left root too (ip -j link)")
end)

t.test("a handle made for one process is not another's that took its PID", function()
  local _ <close> = t.fresh()
  local pid, c = container()
  -- A second container in the same namespace would be the same; a PID
  -- reused can't be forced, so the handle's identity is changed instead.
  local forged = setmetatable({name = c.name, id = c.id + 1}, getmetatable(c))
  t.fails(function() link.list(forged) end, "namespace of PID " .. pid, "gone")
  t.ok(#link.list(c) >= 1, "the true handle still works")
  t.fails(function() ns.add(c.name) end, "ns.add", "names the namespace of a process")
  t.fails(function() ns.attach(c.name, pid) end, "ns.attach", "names the namespace of a process")
  t.fails(function() ns.del(c.name) end, "ns.del", "names the namespace of a process")
  ns.kill(c, "KILL")
  netlab.wait(pid, 5)
end)

t.test("host mode: a process in the root namespace, as docker run --network host", function()
  local _ <close> = t.fresh()
  t.eq(ns.host, ns.root, "ns.host is the root's object")
  local pid = ns.spawn(ns.host, {"sleep", "60", quiet = true})
  t.eq(ns.of(pid).name, "root", "its process is in root")
  t.eq(inode(pid), tonumber(t.sh_ok("stat -L -c %i /proc/self/ns/net")),
       "the same namespace as a shell run in root (stat -L)")
  local seen
  for _, p in ipairs(ns.pids(ns.host)) do if p == pid then seen = true end end
  t.ok(seen, "ns.pids(ns.host) lists it")
  -- It sees the root's links: a veth made in root is in its /proc/net/dev.
  link.veth{"hm0", peer = {"hm1"}}
  t.ok(ns.capture(ns.host, "cat", "/proc/self/net/dev"):find("hm0:", 1, true), "it sees root's links")
  netlab.kill(pid)
  netlab.wait(pid, 5)
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
  t.eq(ns.of(pid).name, "pid:" .. pid, "its namespace has no name again")
  ns.attach("again", pid)
  t.eq(ns.kill("again", "KILL"), 1, "ended")
  netlab.wait(pid, 5)
  ns.del("again")
end)


-- Tutorial 002: a web server in a namespace, reached from the host, then
-- `ip netns pids cool | xargs kill`: ns.kill ends it and ns.pids is empty.
t.test("a server spawned in a namespace is reached; ns.kill ends it and ns.pids is empty", function()
  local _ <close> = t.fresh()
  ns.add("cool", {lo = true})
  link.veth{"veth-host", up = true, addr = "10.9.9.1/24",
            peer = {"veth-cool", ns = "cool", up = true, addr = "10.9.9.2/24"}}
  local pid = ns.spawn("cool", {"python3", "-m", "http.server", "--bind", "10.9.9.2", "8000", quiet = true})
  local up = false
  for _ = 1, 200 do
    if ns.capture("cool", "ss", "-Hltn", "sport = :8000") ~= "" then up = true; break end
    netlab.sleep(0.025)
  end
  t.ok(up, "the server listens in cool")
  t.eq(probe.tcp(nil, "10.9.9.2:8000", {timeout = 1}).status, "ok", "probe.tcp from the host: open")
  local page = t.sh_ok([[python3 -c 'import urllib.request as u; print(u.urlopen("http://10.9.9.2:8000/", timeout=3).status)']])
  t.eq(page, "200\n", "a real HTTP GET from the host")
  t.eq(ns.pids("cool")[1], pid, "ns.pids lists the server")
  t.eq(t.sh_ok("ip netns pids cool"), pid .. "\n", "ip netns pids agrees")
  t.eq(ns.kill("cool"), 1, "ns.kill signalled it")
  t.eq(netlab.wait(pid, 5), "signal", "the server ended by the signal")
  t.eq(#ns.pids("cool"), 0, "ns.pids is empty")
  t.eq(t.sh_ok("ip netns pids cool"), "", "ip netns pids agrees")
  t.eq(probe.tcp(nil, "10.9.9.2:8000", {timeout = 1}).status, "refused", "nothing listens any more: refused")
end)

t.done()
