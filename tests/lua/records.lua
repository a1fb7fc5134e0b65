-- Lab records (issue 11): data, never code; written ahead of each kernel
-- call; write errors fail the run; checked against the kernel before down
-- acts; files under /run/netlab never opened through a symlink; labs that
-- share a bridge. Every case asserts on the kernel with `ip -j` witnesses.
local t = require "t"
local cjson = require "cjson"

local dir, script = t.scratch()
local run, sh = t.run, t.sh

local function write(path, text)
  local f = assert(io.open(path, "w"))
  f:write(text)
  f:close()
end

local read = t.read

local function has_netns(name)
  for _, n in ipairs(t.ip(nil, "netns", "list")) do
    if n.name == name then return true end
  end
  return false
end

local small = script("small", [[
local n = ns.add("s1")
link.veth{"vs1", up = true, peer = {"eth0", ns = n, addr = "10.3.0.2/24", up = true}}
]])

local clean = t.snapshot()

t.test("state and journal are JSON, one record a line in the journal", function()
  local out, code = run("run", small)
  t.eq(code, 0, "run: " .. out)
  local st = t.json.decode(read("/run/netlab/small.state"))
  t.eq(#st.objects, 3, "three records")
  t.eq(st.objects[1].kind, "ns", "the namespace first")
  t.eq(st.objects[1].id, math.tointeger(tonumber((ns.capture(nil, "stat", "-L", "-c", "%i", "/run/netns/s1")))),
       "with its inode (stat)")
  t.eq(st.objects[2].index, t.iplink(nil, "vs1").ifindex, "the link with its ifindex (ip -j)")
  t.ok(st.objects[2].nsid, "and the identity of its namespace")
  out, code = run("down", "small")
  t.eq(code, 0, "down: " .. out)
  t.same_state(clean, "after down", t.snapshot)
end)

-- Hostile or damaged state files: ls is quick and says so, down keeps them
-- and removes nothing on their word.
local hostile = {
  ["an endless loop"] = "while true do end\n",
  ["a Lua chunk"] = 'io.open("/tmp/records-pwned", "w"):write("x") return {objects = {}}\n',
  ["garbage"] = "\1\2\3{{{\255",
  ["a list of non-records"] = '{"objects":[1,2,3]}',
  ["an unknown kind"] = '{"objects":[{"kind":"rm -rf","name":"x"}]}',
  ["nesting"] = ('{"objects":' .. ("["):rep(5000) .. ("]"):rep(5000) .. "}"),
}
local names = {}
for k in pairs(hostile) do names[#names + 1] = k end
table.sort(names)
for _, what in ipairs(names) do
  t.test("a state file holding " .. what .. " is damaged, never run, never deleted by down", function()
    local out, code = run("run", small)
    t.eq(code, 0, "run: " .. out)
    write("/run/netlab/small.state", hostile[what])
    local t0 = os.time()
    out, code = run("ls")
    t.ok(os.time() - t0 < 5, "ls returns at once")
    t.eq(code, 0, "ls: " .. out)
    t.ok(out:find("small%s+%?%s+damaged"), "ls says damaged: " .. out)
    out, code = run("ls", "small")
    t.ok(out:find("damaged", 1, true), "ls small: " .. out)
    out, code = run("down", "small")
    t.eq(code, 1, "down refuses: " .. out)
    t.ok(out:find("nothing removed", 1, true), out)
    t.eq(read("/run/netlab/small.state"), hostile[what], "the file is kept as it was")
    t.ok(has_netns("s1"), "ip -j netns: s1 is still there")
    t.ok(t.iplink(nil, "vs1"), "ip -j link: vs1 is still there")
    out, code = run("run", small)
    t.eq(code, 1, "a re-run refuses too: " .. out)
    t.eq(read("/tmp/records-pwned"), nil, "nothing in the file ran")
    os.remove("/run/netlab/small.state")
    sh("ip netns del s1; ip link del vs1")
  end)
end

t.test("a truncated state file is damaged, not 0 objects intact", function()
  local out, code = run("run", small)
  t.eq(code, 0, "run: " .. out)
  local text = read("/run/netlab/small.state")
  write("/run/netlab/small.state", text:sub(1, #text // 2))
  out = run("ls")
  t.ok(out:find("damaged", 1, true) and not out:find("intact", 1, true), out)
  out, code = run("down", "small")
  t.eq(code, 1, "down: " .. out)
  t.ok(has_netns("s1"), "ip -j netns: s1 is still there")
  os.remove("/run/netlab/small.state")
  os.remove("/run/netlab/small.lock")
  sh("ip netns del s1; ip link del vs1")
  t.same_state(clean, "cleaned", t.snapshot)
end)

t.test("a newline in a nat comment cannot forge a journal record", function()
  sh("ip netns add victimns")
  local path = script("inject", [==[
local n = ns.add("i1")
nat.masquerade{ns = n, src = "10.9.0.0/24", comment = 'ok\n{kind=[[ns]],name=[[victimns]]}--'}
nat.masquerade{ns = n, src = "10.8.0.0/24", comment = 'x\n{"kind":"ns","name":"victimns","id":1}'}
netlab.sleep(30)
]==])
  local pid = ns.spawn(nil, {os.getenv("NETLAB") or "./netlab", "run", path, quiet = true})
  local journal
  for _ = 1, 100 do
    journal = read("/run/netlab/inject.journal") or ""
    local n = 0
    for _ in journal:gmatch('"kind":"nft"[^\n]*"handles"') do n = n + 1 end
    if n == 2 then break end
    netlab.sleep(0.1)
  end
  sh("kill -9 " .. pid)
  netlab.wait(pid, 5)
  local lines = 0
  for line in journal:gmatch("[^\n]+") do
    lines = lines + 1
    t.ok(t.json.decode(line), "every line is one JSON object")
    t.ok(not line:find('"name":"victimns"', 1, true), "no record names victimns: " .. line)
  end
  local out, code = run("down", "inject")
  t.eq(code, 0, "down: " .. out)
  t.ok(has_netns("victimns"), "ip -j netns: victimns is still there")
  t.ok(not has_netns("i1"), "ip -j netns: i1 is gone")
  sh("ip netns del victimns")
  t.same_state(clean, "after down", t.snapshot)
end)

t.test("down acts on no record whose identity does not match the kernel", function()
  local out, code = run("run", small)
  t.eq(code, 0, "run: " .. out)
  sh("ip link add victim0 type veth peer name victim0p; ip netns add victimns; " ..
     "echo 0 > /proc/sys/net/ipv4/ip_forward")
  local st = t.json.decode(read("/run/netlab/small.state"))
  local objs = st.objects
  -- Forged records: no identity, or a wrong one.
  objs[#objs + 1] = {kind = "link", ns = "root", name = "victim0"}
  objs[#objs + 1] = {kind = "link", ns = "root", name = "victim0p", index = 1, nsid = 1}
  objs[#objs + 1] = {kind = "ns", name = "victimns"}
  objs[#objs + 1] = {kind = "ns", name = "victimns", id = 12345}
  objs[#objs + 1] = {kind = "sysctl", ns = "root", key = "net.ipv4.ip_forward", value = "0", prev = "1"}
  write("/run/netlab/small.state", cjson.encode(st))
  out = run("ls", "small")
  t.ok(out:find("unverifiable", 1, true), "ls names the records it cannot check: " .. out)
  out, code = run("down", "small")
  t.eq(code, 0, "down: " .. out)
  t.ok(out:find("left alone", 1, true), "down says what it left alone: " .. out)
  t.ok(t.iplink(nil, "victim0"), "ip -j link: victim0 is still there")
  t.ok(has_netns("victimns"), "ip -j netns: victimns is still there")
  t.eq(ns.sysctl("root", "net.ipv4.ip_forward"), "0", "ip_forward not 'restored'")
  t.ok(not has_netns("s1"), "the lab's own namespace is gone")
  sh("ip link del victim0; ip netns del victimns")
end)

t.test("a full /run fails the run and rolls it back, never rc 0 with an empty state", function()
  local before = t.snapshot()
  -- The test's own lab keeps its journal under the mount: it goes to a copy.
  sh("mkdir -p /tmp/records-full && mount -t tmpfs -o size=40k,mode=0755 none /tmp/records-full")
  sh("mount --bind /tmp/records-full /run/netlab")
  local out, code = run("run", "bench/star.lua", "n=200", "ipv6=quiet")
  sh("umount /run/netlab; umount /tmp/records-full")
  t.eq(code, 1, "run fails: " .. out)
  t.ok(out:find("No space left on device", 1, true), out)
  t.ok(out:find("rolled back", 1, true), out)
  t.ok(not has_netns("h1"), "ip -j netns: no h1 left")
  t.eq(t.iplink(nil, "br0"), nil, "ip -j link: no br0 left")
  t.same_state(before, "after the failed run", t.snapshot)
end)

t.test("files under /run/netlab are never opened through a symlink", function()
  local victim = dir .. "/victim"
  write(victim, "precious\n")
  for _, f in ipairs{"small.lock", "small.journal", "small.state.tmp", "small.state"} do
    os.remove("/run/netlab/" .. f)
    sh(("ln -s %s /run/netlab/%s"):format(victim, f))
    local out, code = run("run", small)
    run("down", "small")
    sh("ip netns del s1 2>/dev/null; ip link del vs1 2>/dev/null")
    t.eq(read(victim), "precious\n", f .. " as a symlink: the file it names is untouched (" ..
         out .. ", rc " .. code .. ")")
    os.remove("/run/netlab/" .. f)
  end
  sh("chmod 0777 /run/netlab")
  local out, code = run("run", small)
  t.eq(code, 1, "a world-writable /run/netlab is refused: " .. out)
  t.eq(ns.get("s1"), nil, "nothing built")
  sh("chmod 0755 /run/netlab")
end)

t.test("no lab file descriptor reaches a child", function()
  local out = dir .. "/fds"
  local path = script("fds", ([[
local n = ns.add("f1")
local f = io.open(%q, "w")
f:write(ns.capture(n, "sh", "-c", "ls -l /proc/self/fd"))
f:close()
]]):format(out))
  local o, code = run("run", path)
  t.eq(code, 0, "run: " .. o)
  local fds = read(out)
  t.ok(fds and not fds:find("/run/netlab", 1, true), "no /run/netlab file among: " .. tostring(fds))
  run("down", "fds")
end)

t.test("a pending record: a placeholder or a fresh namespace is cleaned, another left", function()
  -- Killed between creating /run/netns/NAME and mounting the namespace on it,
  -- and between ns.add and its confirmation.
  write("/run/netns/p1", "")
  sh("ip netns add p2; ip netns add p3; ip -n p3 link add d0 type veth peer name d1")
  write("/run/netlab/pend.journal", table.concat({
    '{"kind":"ns","name":"p1","pending":true}',
    '{"kind":"ns","name":"p2","pending":true}',
    '{"kind":"ns","name":"p3","pending":true}',
    '{"kind":"ns","name":"p4","pending":true}',
    '{"drop":"ns|p4"}',
    '{"kind":"ns","name":"p5","pend', -- cut short by the kill: names nothing
  }, "\n"))
  local out = run("ls", "pend")
  t.ok(out:find("unfinished run", 1, true), out)
  local code
  out, code = run("down", "pend")
  t.eq(code, 0, "down: " .. out)
  t.eq(read("/run/netns/p1"), nil, "the placeholder is gone")
  t.ok(not has_netns("p2"), "ip -j netns: the fresh namespace is gone")
  t.ok(has_netns("p3"), "ip -j netns: the one with a link in it stays (not as the call left it)")
  t.ok(out:find('namespace "p3" is not the one this lab made', 1, true), out)
  sh("ip netns del p3")
  t.same_state(clean, "after down", t.snapshot)
end)

t.test("down of a lab whose bridge another lab's ports are on says so; ls of the other is not intact",
       function()
  local a = script("labA", [[
bridge.add("shared0", {addr = "10.1.0.1/24", up = true})
for i = 1, 3 do
  local n = ns.add("a" .. i)
  link.veth{"va" .. i, master = "shared0", up = true,
            peer = {"eth0", ns = n, addr = "10.1.0." .. (i + 1) .. "/24", up = true}}
end
]])
  local b = script("labB", [[
for i = 1, 3 do
  local n = ns.add("b" .. i)
  link.veth{"vb" .. i, master = "shared0", up = true,
            peer = {"eth0", ns = n, addr = "10.1.0." .. (i + 100) .. "/24", up = true}}
end
]])
  t.eq(select(2, run("run", a)), 0, "lab A")
  t.eq(select(2, run("run", b)), 0, "lab B")
  t.eq(t.iplink(nil, "vb1").master, "shared0", "ip -j: vb1 on shared0")
  t.ok(run("ls"):find("labB%s+%d+%s+intact"), "B intact first")
  local out, code = run("down", "labA")
  t.eq(code, 0, "down A: " .. out)
  t.ok(out:find("bridge shared0 in root also holds 3 ports this lab did not make (vb1, vb2, vb3)",
                1, true), "down says so: " .. out)
  t.eq(t.iplink(nil, "vb1").master, nil, "ip -j: vb1 is on no bridge now")
  out = run("ls")
  t.ok(not out:find("labB%s+%d+%s+intact"), "B is not called intact: " .. out)
  out = run("ls", "labB")
  t.ok(out:find("vb1 is no longer on bridge shared0", 1, true), out)
  run("down", "labB")
  t.same_state(clean, "after both", t.snapshot)
end)

t.done()
