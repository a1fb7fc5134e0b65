-- `run FILE --help` and `run --dry-run`: neither changes the kernel nor runs
-- a command, for every bundled script and for scripts that change things
-- before netlab.params; a dry run plans on an empty machine and on an up
-- lab, in words, each object once.
local t = require "t"

local dir, script = t.scratch()
local run, run_env = t.run, t.run_env

local function exists(path)
  local f = io.open(path)
  if f then f:close() end
  return f ~= nil
end

local bundled = {}
for _, f in ipairs(netlab._ls("scripts")) do
  if f:match("%.lua$") then bundled[#bundled + 1] = f:gsub("%.lua$", "") end
end
table.sort(bundled)

-- The plan's lines (without the heading), by sign.
local function plan_of(out)
  local lines, by = {}, {["+"] = {}, ["-"] = {}, ["~"] = {}, ["="] = {}, ["!"] = {}}
  local body = out:match("plan for lab [^\n]*\n(.*)$") or ""
  for l in body:gmatch("[^\n]+") do
    local sign, what = l:match("^  (%S) (.*)$")
    if sign then
      lines[#lines + 1] = l
      if by[sign] then by[sign][#by[sign] + 1] = what end
    end
  end
  return by, lines
end

local marker = dir .. "/ran"

-- Changes the kernel (and runs a command) before it declares its parameters.
local early = script("early", ([[
local e = ns.add("early", {lo = true})
ns.sysctl("root", "net.ipv4.ip_forward", 1)
ns.sysctl(e, "net.ipv4.ip_forward", 1)
link.veth{"early0", addr = "10.77.0.1/24", up = true, peer = {"early1", ns = e, up = true}}
route.add{ns = e, dst = "default", via = "10.77.0.1"}
nat.masquerade{src = "10.77.0.0/24"}
ns.exec(e, "touch", %q)
e:exec("touch", %q)
ns.spawn(e, {"touch", %q})
local p = netlab.params{doc = "changes things first", {"count", 1, "how many"}}
]]):format(marker, marker, marker))

t.test("run FILE --help changes nothing, for every bundled script", function()
  local before = t.snapshot()
  for _, s in ipairs(bundled) do
    for _, env in ipairs{"", "NETLAB_HELP_NO_SANDBOX=1"} do
      local out, code = run_env(env, "run", "scripts/" .. s .. ".lua", "--help")
      t.eq(code, 0, s .. " --help " .. env .. ": " .. out)
      t.ok(out:find("usage: netlab run", 1, true) or out:find("takes no parameters", 1, true),
           s .. ": " .. out)
      t.same_state(before, s .. " --help " .. env, t.snapshot)
    end
  end
  local out = run("run", "scripts/demo.lua", "--help")
  t.eq(out, "scripts/demo.lua takes no parameters\n", "demo declares none, and prints nothing of its own")
end)

t.test("run FILE --help works without privileges, for every bundled script", function()
  local before = t.snapshot()
  for _, s in ipairs(bundled) do
    local out, code = t.sh('setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"',
                           t.bin, "run", "scripts/" .. s .. ".lua", "--help")
    t.eq(code, 0, s .. " --help as nobody: " .. out)
    t.ok(out:find("usage: netlab run", 1, true) or out:find("takes no parameters", 1, true),
         s .. ": " .. out)
  end
  t.same_state(before, "after --help as nobody", t.snapshot)
end)

t.test("run FILE --help changes nothing when the script builds before netlab.params", function()
  local before = t.snapshot()
  -- The dry run alone, then with the throwaway namespace behind it.
  for _, env in ipairs{"NETLAB_HELP_NO_SANDBOX=1", ""} do
    local out, code = run_env(env, "run", early, "--help")
    t.eq(code, 0, "exit code " .. env .. ": " .. out)
    t.ok(out:find("changes things first", 1, true) and out:find("count=1%s+how many"), out)
    t.same_state(before, "after --help " .. env, t.snapshot)
    t.ok(not exists(marker), "no command ran " .. env)
  end
end)

t.test("run FILE --help: what the dry run cannot stop stays in a throwaway namespace", function()
  local before = t.snapshot()
  local s = script("shell", [[
os.execute("ip link add wall0 type veth peer name wall1 && ip netns add wall")
netlab.params{doc = "runs ip itself", {"x", "y", "a word"}}
]])
  local out, code = run("run", s, "--help")
  t.eq(code, 0, "exit code: " .. out)
  t.same_state(before, "after --help", t.snapshot)
end)

t.test("--dry-run plans every bundled script on an empty machine and changes nothing", function()
  local before = t.snapshot()
  for _, s in ipairs(bundled) do
    -- A script this kernel cannot run stops its dry run too, with its one line.
    if not t.refused_script(s) then
      local out, code = run("run", "--dry-run", "scripts/" .. s .. ".lua")
      t.eq(code, 0, s .. " --dry-run: " .. out)
      local by = plan_of(out)
      t.ok(#by["+"] > 0, s .. ": a plan that creates: " .. out)
      t.eq(#by["-"] + #by["="], 0, s .. ": nothing kept or removed on an empty machine: " .. out)
      t.same_state(before, s .. " --dry-run", t.snapshot)
    end
  end
  -- What the script reads of what it planned reads as planned (netlab.show).
  local out = run("run", "--dry-run", "scripts/pod.lua")
  t.ok(out:find("== test\n", 1, true) and out:find("eth0%s+UP%s+veth%s+1500%s+%-%s+testveth0@root%s+10.244.0.2/24"),
       "netlab.show shows the planned namespace: " .. out)
  t.ok(out:find("+ namespace test\n", 1, true) and
       out:find("+ veth eth0 in test <-> testveth0 in root\n", 1, true) and
       out:find("+ address 10.244.0.2/24 on eth0 in test\n", 1, true) and
       out:find("+ route default via 10.244.0.1 in test\n", 1, true), "the plan in words: " .. out)
end)

t.test("--dry-run of an up lab keeps everything", function()
  local clean = t.snapshot()
  for _, s in ipairs(bundled) do
    if t.refused_script(s) then goto next end
    local out, code = run("run", "scripts/" .. s .. ".lua")
    t.eq(code, 0, s .. ": " .. out)
    local up = t.snapshot()
    out, code = run("run", "--dry-run", "scripts/" .. s .. ".lua")
    t.eq(code, 0, s .. " --dry-run: " .. out)
    local by = plan_of(out)
    t.eq(table.concat(by["+"], "; ") .. table.concat(by["-"], "; ") .. table.concat(by["~"], "; "),
         "", s .. ": only = lines")
    t.ok(#by["="] > 0, s .. ": kept: " .. out)
    t.same_state(up, s .. " --dry-run of the up lab", t.snapshot)
    t.eq(select(2, run("down", s)), 0, s .. " down")
    ::next::
  end
  t.same_state(clean, "after every down", t.snapshot)
end)

-- Docker's macvlan: made next to its parent, then moved (and renamed) into
-- the namespace, where the script goes on with the same object.
local moved = script("moved", [[
link.veth{"hostlan", addr = "10.8.0.254/24", up = true, peer = {"hostlan-wire", up = true}}
local c = ns.add("c")
local l = link.macvlan{"tmp0", parent = "hostlan", mode = "bridge"}
link.set(l, {netns = c, name = "eth0"})
link.addr_add(l, "10.8.0.1/24")
link.up(l)
local v = link.vxlan{"vx0", vni = 42, remote = "10.8.0.9", dstport = 4789, dev = "hostlan"}
link.set(v, {netns = "c"})
link.set(v, {mtu = 1400, up = true})
]])

t.test("a link made and moved: a dry run follows it, a re-run keeps it, down takes it", function()
  local clean = t.snapshot()
  local out, code = run("run", "--dry-run", moved)
  t.eq(code, 0, "dry run on an empty machine: " .. out)
  -- What the plan makes is said as made; its changes after are the model's.
  for _, want in ipairs{"+ macvlan tmp0 in root", "+ address 10.8.0.1/24 on eth0 in c",
                        "+ vxlan vx0 in root"} do
    t.ok(out:find("\n  " .. want .. "\n", 1, true), want .. " in\n" .. out)
  end
  t.same_state(clean, "after the dry run", t.snapshot)
  out, code = run("run", moved)
  t.eq(code, 0, "run: " .. out)
  local up = t.snapshot()
  t.ok(t.ipaddrs("c", "eth0")["10.8.0.1/24"], "the address on the moved, renamed macvlan")
  out, code = run("run", "--dry-run", moved)
  t.eq(code, 0, "dry run of the up lab: " .. out)
  local by = plan_of(out)
  t.eq(table.concat(by["+"], "; ") .. table.concat(by["-"], "; ") .. table.concat(by["~"], "; "),
       "", "only = lines: " .. out)
  t.ok(out:find("\n  = macvlan eth0 in c\n", 1, true) and out:find("\n  = vxlan vx0 in c\n", 1, true),
       "kept where they are: " .. out)
  t.same_state(up, "after the dry run of the up lab", t.snapshot)
  out, code = run("run", moved)
  t.eq(code, 0, "re-run: " .. out)
  t.same_state(up, "after the re-run", t.snapshot)
  out, code = run("down", "moved")
  t.eq(code, 0, "down: " .. out)
  t.same_state(clean, "after down", t.snapshot)
end)

t.test("--dry-run of an edited lab: +, - and ~ in words, no object both added and removed", function()
  t.eq(select(2, run("run", "scripts/purple_orange.lua")), 0, "purple_orange")
  t.eq(select(2, run("run", "scripts/red_blue_bridge.lua", "nat=false")), 0, "red_blue_bridge")
  local up = t.snapshot()
  local cases = {
    {"purple_orange", {"bridge=br9"}, {
      "+ bridge br9 in root",
      "+ address 192.168.52.5/24 on br9 in root",
      "~ link veth-purple-br in root: master br9",
      "= veth veth-purple in purple <-> veth-purple-br in root",
      "- address 192.168.52.5/24 on super-bridge0 in root",
      "- bridge super-bridge0 in root",
    }},
    {"purple_orange", {"nat=false"}, {
      "- nat masquerade src=192.168.52.0/24 in root",
      "- sysctl net.ipv4.ip_forward = 1 in root (back to 0)",
      "- nftables table inet netlab in root",
    }},
    {"purple_orange", {"subnet=10.7.0.0/24"}, {
      "+ address 10.7.0.2/24 on veth-orange in orange",
      "- address 192.168.52.2/24 on veth-orange in orange",
      "~ route default via 10.7.0.5 in orange",
      "+ nat masquerade src=10.7.0.0/24 in root",
    }},
    {"red_blue_bridge", {"route=172.18.0.0/16", "nat=false"}, {
      "+ route 172.18.0.0/16 via 192.168.15.5 in red",
      "- route 172.17.0.0/16 via 192.168.15.5 in red",
    }},
    {"red_blue_bridge", {"nat=true"}, {
      "+ nat masquerade src=192.168.15.0/24 in root",
    }},
  }
  for _, c in ipairs(cases) do
    local label = c[1] .. " " .. table.concat(c[2], " ")
    local out, code = run("run", "--dry-run", "scripts/" .. c[1] .. ".lua", table.unpack(c[2]))
    t.eq(code, 0, label .. ": " .. out)
    for _, want in ipairs(c[3]) do
      t.ok(out:find("\n  " .. want .. "\n", 1, true), label .. ": " .. want .. " in\n" .. out)
    end
    local by, lines = plan_of(out)
    local added = {}
    for _, what in ipairs(by["+"]) do added[what] = true end
    for _, what in ipairs(by["-"]) do t.ok(not added[what], label .. ": both + and - " .. what) end
    for _, l in ipairs(lines) do
      -- Records' keys (addr|ns|dev|…, "route ns 254 dst 0") are not words.
      t.ok(not l:find("|", 1, true) and not l:find("^  %- addr ") and not l:find(" 254 "),
           label .. ": not in words: " .. l)
    end
  end
  t.same_state(up, "after the dry runs", t.snapshot)
  t.eq(select(2, run("down", "purple_orange")), 0, "down")
  t.eq(select(2, run("down", "red_blue_bridge")), 0, "down")
end)

t.test("a plan shows each object once: made then deleted is nothing, deleted then made a change", function()
  local s = script("again", [[
if params.v == "2" and ns.get("k") then ns.del("k") end
local k = ns.add("k")
link.veth{"kv", addr = "10.6.0.1/24", peer = {"kv1", ns = k}}
local x = ns.add("x")
link.veth{"xv", addr = "10.6.1.1/24", peer = {"xv1", ns = x, addr = "10.6.1.2/24"}}
link.del("xv")
ns.del(x)
]])
  local out, code = run("run", "--dry-run", s)
  t.eq(code, 0, "dry run: " .. out)
  local _, lines = plan_of(out)
  t.eq(table.concat(lines, "\n"), table.concat({
    "  + namespace k",
    "  + veth kv in root <-> kv1 in k",
    "  + address 10.6.0.1/24 on kv in root",
  }, "\n"), "made and deleted in the run: not in the plan")
  t.eq(select(2, run("run", s)), 0, "build")
  out, code = run("run", "--dry-run", s, "v=2")
  t.eq(code, 0, "dry run v=2: " .. out)
  _, lines = plan_of(out)
  -- The veth goes with k, so it is made again, not kept.
  t.eq(table.concat(lines, "\n"), table.concat({
    "  ~ namespace k (re-made)",
    "  + veth kv in root <-> kv1 in k",
    "  + address 10.6.0.1/24 on kv in root",
  }, "\n"), "deleted and made again: a change")
  t.eq(select(2, run("down", "again")), 0, "down")
end)

t.test("a dry run runs no command and says what would run", function()
  local before = t.snapshot()
  local s = script("cmds", ([[
local h1 = ns.add("h1", {lo = true})
link.veth{"h1v", ns = h1, addr = "10.0.0.2/24", up = true, peer = {"h1p", addr = "10.0.0.1/24", up = true}}
route.add{ns = h1, dst = "default", via = "10.0.0.1"}
assert(ns.exec(h1, "touch", %q))
assert(h1:exec({"touch", %q, quiet = true}))
local out, code = ns.capture(nil, "touch", %q)
assert(code == 0)
local pid = h1:spawn("touch", %q)
assert(netlab.wait(pid) == "exit")
netlab.kill(h1:spawn("sleep", "5"))
h1:exec("ping", "-c1", "10.0.0.1")
print(#link.list(h1), #route.list(h1), h1:sysctl("net.ipv4.ip_forward"))
]]):format(marker, marker, marker, marker))
  local out, code = run("run", "--dry-run", s)
  t.eq(code, 0, "exit code: " .. out)
  t.ok(not exists(marker), "no command ran")
  t.ok(out:find("\n  ! would run in h1: touch " .. marker .. "\n", 1, true) and
       out:find("\n  ! would run in root: touch " .. marker .. "\n", 1, true) and
       out:find("\n  ! would start in h1: touch " .. marker .. "\n", 1, true) and
       out:find("\n  ! would end in h1: sleep 5\n", 1, true) and
       out:find("\n  ! would run in h1: ping -c1 10.0.0.1\n", 1, true), "what would run: " .. out)
  t.ok(out:find("^2\t1\tnil\n"), "reads of the planned namespace: " .. out)
  t.same_state(before, "after the dry run", t.snapshot)
  -- The same script for real runs them.
  out, code = run("run", s)
  t.eq(code, 0, "real run: " .. out)
  t.ok(exists(marker), "the real run ran them")
  t.eq(select(2, run("down", "cmds")), 0, "down")
  os.remove(marker)
end)

t.test("a dry run refuses what neither the kernel nor the plan has", function()
  local s = script("nosuch", [[
ns.add("n1")
link.set("nosuch0", {ns = "n1", up = true})
]])
  local out, code = run("run", "--dry-run", s)
  t.eq(code, 1, "exit code")
  t.ok(out:find('nosuch.lua:2: link.set: link "nosuch0" in "n1": no such link (ENODEV)', 1, true), out)
end)

t.test("behind the dry run's wrappers, the core changes nothing and runs nothing", function()
  local before = t.snapshot()
  -- The functions a dry run wraps, called past the wrappers with the core read-only.
  local out, code = run("-e", ([[
netlab._readonly(true)
local fails = 0
for _, f in ipairs{
  function() ns._add("ro") end,
  function() link._add{"ro0", kind = "veth", peer = "ro1"} end,
  function() link.set("lo", {mtu = 1400}) end,
  function() ns.sysctl(nil, "net.ipv4.ip_forward", 1) end,
  function() route.add{dst = "10.99.0.0/16", dev = "lo"} end,
  function() nat.masquerade{src = "10.99.0.0/16"} end,
  function() ns.exec(nil, "touch", %q) end,
} do
  local ok, err = pcall(f)
  if not ok and err:find("(EROFS)", 1, true) then fails = fails + 1 else print(err) end
end
print("refused " .. fails)
netlab._readonly(false)
]]):format(marker))
  t.eq(code, 0, "exit code: " .. out)
  t.eq(out, "refused 7\n", "every change refused")
  t.ok(not exists(marker), "no command ran")
  t.same_state(before, "after the read-only calls", t.snapshot)
end)

t.test("--dry-run of a lab whose script no longer starts a process plans its end", function()
  local p = script("procs", 'local n = ns.add("pr")\nns.spawn(n, "sleep", "293")\n')
  local out, code = run("run", p)
  t.eq(code, 0, "run: " .. out)
  script("procs", 'ns.add("pr")\n')
  out, code = run("run", "--dry-run", p)
  t.eq(code, 0, "dry run: " .. out)
  t.ok(out:find("  - process sleep 293 in pr\n", 1, true), "the process's end, in words: " .. out)
  t.ok(out:find("  = namespace pr\n", 1, true), "the namespace kept: " .. out)
  out, code = run("down", "procs")
  t.eq(code, 0, "down: " .. out)
end)

os.execute("rm -rf " .. dir)
t.done()
