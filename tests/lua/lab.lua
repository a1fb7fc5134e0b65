-- Labs: exact teardown, idempotent re-run, convergence, rollback at every
-- failure point and on signals, two labs on one bridge, ls, the lock.
local t = require "t"

local dir, script = t.scratch()

local dump, diff, same_state = t.dump, t.diff, t.same_state
local run = t.run

local LAB1 = [[
local a = ns.add("a", {lo = true})
local b = ns.add("b")
local br = bridge.add("br0", {addr = "10.1.0.1/24", up = true})
link.veth{"va", ns = a, addr = "10.1.0.2/24", up = true, peer = {"va-br", master = br, up = true}}
link.veth{"vb", ns = b, addr = {"10.1.0.3/24", "fd01::3/64"}, up = true,
          peer = {"vb-br", master = br, up = true}}
route.add{ns = a, dst = "default", via = "10.1.0.1"}
route.add{dst = "10.9.0.0/16", via = "10.1.0.2"}
ns.sysctl("root", "net.ipv4.ip_forward", 1)
link.set("wan0", {mtu = 1400})
link.veth{"x1", up = true, peer = {"x2", ns = b}}
link.addr_add("x1", "10.2.0.1/30")
nat.masquerade{src = "10.1.0.0/24"}
nat.filter{policy = "drop"}
nat.allow{iif = "br0"}
nat.forward_port{port = 8080, to = "10.1.0.2:80", ns = a}
]]
local lab1 = script("lab1", LAB1)

-- The kernel changes a build of the lab at path makes, from run --verbose;
-- the lab is down again after.
local function changes_of(path, name)
  local out, code = run("run", "--verbose", path)
  t.eq(code, 0, "run: " .. out)
  t.eq(select(2, run("down", name)), 0, "down")
  return tonumber(out:match("%((%d+) kernel changes"))
end

t.test("run then down leaves the kernel exactly as before", function()
  local before = dump()
  local out, code = run("run", "--verbose", lab1)
  t.eq(code, 0, "run: " .. out)
  local changes = tonumber(out:match("%((%d+) kernel changes"))
  t.ok(changes and changes > 10, "kernel changes counted: " .. out)
  t.ok(out:find('lab "lab1" is up: 2 namespaces, 4 links', 1, true), out)
  local rules = nat.list()
  t.eq(#rules, 2, "masquerade and accept in netlab's table")
  t.eq(rules[1].comment, "netlab:lab1", "rules carry the lab's name")
  t.eq(ns.capture(nil, "nft", "list", "chain", "inet", "netlab", "forward"):match("policy (%a+)"),
       "drop", "the forward policy, by nft")
  t.ok(ns.get("a") and link.get("br0"), "built")
  t.eq(link.get("wan0").mtu, 1400, "changed wan0")
  t.eq(ns.sysctl(nil, "net.ipv4.ip_forward"), "1", "forwarding on")
  out, code = run("down", "lab1")
  t.eq(code, 0, "down: " .. out)
  same_state(before, "after down")
  t.eq(link.get("wan0").mtu, 1500, "wan0's mtu restored")
  out, code = run("down", "lab1")
  t.eq(code, 1, "down of a lab that is down")
  t.ok(out:find('no lab "lab1"', 1, true), out)
end)

t.test("down keeps the rules others made in netlab's table and restores the policy", function()
  local _, code = run("run", lab1)
  t.eq(code, 0, "run")
  t.ok(ns.exec(nil, "nft", "add", "rule", "inet", "netlab", "forward", "iifname", "other0", "accept"),
       "someone adds a rule to netlab's table")
  local out
  out, code = run("down", "lab1")
  t.eq(code, 0, "down: " .. out)
  local text = ns.capture(nil, "nft", "list", "table", "inet", "netlab")
  t.ok(text:find('iifname "other0" accept', 1, true), "their rule stays: " .. text)
  t.ok(not text:find("masquerade", 1, true), "the lab's rules are gone: " .. text)
  t.ok(text:find("policy accept", 1, true), "the policy is back: " .. text)
  t.ok(ns.exec(nil, "nft", "delete", "table", "inet", "netlab"), "clean up")
end)

t.test("links outside the lab's namespaces carry its name", function()
  local _, code = run("run", lab1)
  t.eq(code, 0, "run")
  t.eq(t.iplink(nil, "br0").ifalias, "netlab:lab1", "bridge tagged")
  t.eq(t.iplink(nil, "va-br").ifalias, "netlab:lab1", "root end of a veth tagged")
  t.eq(t.iplink("a", "va").ifalias, nil, "links inside the lab's own namespaces need no tag")
  t.eq(select(2, run("down", "lab1.lua")), 0, "down by script name")
end)

t.test("a second run of an unchanged script changes nothing in the kernel", function()
  local _, code = run("run", lab1)
  t.eq(code, 0, "first run")
  local before = dump()
  local out
  out, code = run("run", "--verbose", lab1)
  t.eq(code, 0, "second run: " .. out)
  t.ok(out:find("(0 kernel changes)", 1, true), "no kernel change: " .. out)
  same_state(before, "after the second run")
  out, code = run("run", "--dry-run", lab1)
  t.eq(code, 0, "dry run")
  t.ok(out:find("= namespace a", 1, true) and not out:find("\n  +", 1, true), "plan keeps all: " .. out)
  t.eq(select(2, run("down", "lab1")), 0, "down")
end)

t.test("an edited script converges to the new shape", function()
  local v1 = [[
local a = ns.add("a", {lo = true})
local b = ns.add("b")
local br = bridge.add("br0", {addr = "10.1.0.1/24", up = true})
link.veth{"va", ns = a, addr = "10.1.0.2/24", up = true, peer = {"va-br", master = br, up = true}}
link.veth{"vb", ns = b, addr = "10.1.0.3/24", up = true, peer = {"vb-br", master = br, up = true}}
route.add{ns = a, dst = "default", via = "10.1.0.1"}
route.add{dst = "10.9.0.0/16", via = "10.1.0.2"}
link.veth{"x1", up = true, peer = {"x2", ns = b}}
]]
  local v2 = [[
local a = ns.add("a", {lo = true})
local br = bridge.add("br0", {addr = "10.1.0.1/24", up = true, mtu = 1400})
link.veth{"va", ns = a, addr = {"10.1.0.2/24", "10.1.0.12/24"}, up = true, mtu = 1400,
          peer = {"va-br", master = br, up = true, mtu = 1400}}
route.add{ns = a, dst = "default", via = "10.1.0.1"}
route.add{dst = "10.9.0.0/16", via = "10.1.0.2", metric = 5}
link.veth{"x1", up = true, peer = {"x2", ns = a}}
]]
  local clean = dump()
  local conv = script("conv", v2)
  t.eq(select(2, run("run", conv)), 0, "v2 on a clean kernel")
  local want = dump()
  t.eq(select(2, run("down", "conv")), 0, "down v2")
  same_state(clean, "after down of v2")
  script("conv", v1)
  t.eq(select(2, run("run", conv)), 0, "v1")
  script("conv", v2)
  local out, code = run("run", "--dry-run", conv)
  t.eq(code, 0, "dry run of v2")
  t.ok(out:find("- namespace b", 1, true) and out:find("+ address 10.1.0.12/24 on va in a", 1, true),
       "plan: " .. out)
  out, code = run("run", "--verbose", conv)
  t.eq(code, 0, "v2 over v1: " .. out)
  same_state(want, "converged v2 equals a fresh v2")
  out, code = run("run", "--verbose", conv)
  t.ok(out:find("(0 kernel changes)", 1, true), "and is stable: " .. out)
  t.eq(select(2, run("down", "conv")), 0, "down")
  same_state(clean, "after down")
end)

t.test("a fault at every kernel change rolls back to the state before", function()
  local v1 = script("faulty", LAB1)
  local before = dump()
  local changes = changes_of(v1, "faulty")
  t.ok(changes and changes > 10, "kernel changes counted: " .. tostring(changes))
  local failed = {}
  for k = 1, changes do
    local out, code = t.run_env("NETLAB_FAULT_AT=" .. k, "run", v1)
    if code ~= 1 or not out:find("fault injected at kernel change " .. k, 1, true) then
      failed[#failed + 1] = ("k=%d: exit %d: %s"):format(k, code, out)
    end
    local after = dump()
    if after ~= before then
      failed[#failed + 1] = ("k=%d: %s\nstate differs:\n%s"):format(k, out, diff(before, after))
      break
    end
  end
  t.eq(table.concat(failed, "\n"), "", "every fault rolled back")
  local _, code = run("run", v1)
  t.eq(code, 0, "and the lab builds right after")
  t.eq(select(2, run("down", "faulty")), 0, "down")
end)

local slow = script("slow", [[
ns.add("s1")
bridge.add("sbr", {up = true, addr = "10.3.0.1/24"})
link.veth{"s1v", ns = "s1", peer = {"s1v-br", master = "sbr", up = true}}
ns.sysctl("root", "net.ipv4.ip_forward", 1)
local f = io.open(params.marker, "w") f:write("built") f:close()
while true do netlab.sleep(0.05) end
]])

local function interrupted(sig)
  local before = dump()
  local marker = dir .. "/marker"
  os.remove(marker)
  netlab._release()
  local pid = ns.spawn(nil, {t.bin, "run", slow, "marker=" .. marker, quiet = true})
  for _ = 1, 500 do
    if io.open(marker) then break end
    netlab.sleep(0.01)
  end
  t.ok(io.open(marker), "the script got to its loop")
  t.ok(ns.get("s1"), "built before the signal")
  -- The lock is held while the run is in progress.
  local out, code = run("run", slow, "marker=/dev/null")
  t.eq(code, 1, "a second run of the same lab is refused")
  t.ok(out:find('lab "slow" is being changed by another netlab (pid ' .. pid .. ')', 1, true), out)
  netlab._release()
  netlab.kill(pid, sig)
  local how, status = netlab.wait(pid, 20)
  t.eq(how, "exit", "netlab exited")
  t.eq(status, 1, "with status 1")
  same_state(before, "after " .. sig)
end

t.test("SIGINT mid-run rolls back", function() interrupted("INT") end)
t.test("SIGTERM mid-run rolls back", function() interrupted("TERM") end)

t.test("two labs sharing one bridge are torn down independently", function()
  local clean = dump()
  local la = script("laba", [[
local br = bridge.add("shared0", {addr = "10.5.0.1/24", up = true})
link.veth{"pa", ns = ns.add("pa"), addr = "10.5.0.2/24", up = true, peer = {"pa-br", master = br, up = true}}
]])
  local lb = script("labb", [[
local br = assert(link.get("shared0"), "laba first")
link.veth{"pb", ns = ns.add("pb"), addr = "10.5.0.3/24", up = true,
          peer = {"pb-br", master = "shared0", up = true}}
]])
  t.eq(select(2, run("run", la)), 0, "lab a")
  t.eq(select(2, run("run", lb)), 0, "lab b")
  t.ok(ns.exec(nil, "ip", "link", "add", "byip", "type", "veth", "peer", "name", "byip2"), "ip link add")
  t.ok(ns.exec(nil, "ip", "link", "set", "byip", "master", "shared0"), "ip link set master")
  t.ok(t.ping("pa", "10.5.0.3"), "a reaches b across the shared bridge")
  local out = run("ls")
  t.ok(out:find("laba%s+%d+%s+intact") and out:find("labb%s+%d+%s+intact"), "ls: " .. out)
  t.ok(out:find("\nlab%s+%d+%s+being built %(pid %d+%)"), "this test's own run shows as being built: " .. out)
  t.eq(select(2, run("down", "labb")), 0, "down b")
  t.eq(ns.get("pb"), nil, "b's namespace gone")
  t.ok(ns.get("pa") and link.get("shared0") and link.get("pa-br"), "a untouched")
  t.eq(link.get("byip").master, "shared0", "ip's link untouched, still on the bridge")
  t.ok(t.ping("pa", "10.5.0.1"), "a still works")
  t.eq(select(2, run("down", "laba")), 0, "down a")
  t.eq(link.get("shared0"), nil, "a's bridge gone")
  t.ok(link.get("byip") and link.get("byip2"), "ip's veth survives both")
  link.del("byip")
  same_state(clean, "after both")
end)

t.test("ls tells intact, partly gone and changed", function()
  t.eq(select(2, run("run", lab1)), 0, "run")
  local out = run("ls")
  t.ok(out:find("lab1%s+%d+%s+intact"), "intact: " .. out)
  t.ok(ns.exec(nil, "ip", "route", "replace", "10.9.0.0/16", "via", "10.1.0.3"), "someone changes a route")
  out = run("ls")
  t.ok(out:find("changed by someone else (1)", 1, true), "changed: " .. out)
  t.ok(ns.exec(nil, "ip", "netns", "del", "a"), "someone deletes a namespace")
  out = run("ls")
  t.ok(out:find("partly gone", 1, true), "partly gone: " .. out)
  out = run("down", "lab1")
  t.eq(select(2, run("ls")), 0, "ls after down")
  t.ok(not run("ls"):find("lab1", 1, true), "lab1 is not listed any more")
end)

t.test("down leaves alone what someone else re-made under the lab's names", function()
  t.eq(select(2, run("run", lab1)), 0, "run")
  t.ok(ns.exec(nil, "ip", "link", "del", "br0"), "someone deletes the lab's bridge")
  t.ok(ns.exec(nil, "ip", "link", "add", "br0", "type", "bridge"), "and makes their own")
  local out, code = run("down", "lab1")
  t.eq(code, 0, "down")
  t.ok(out:find('link "br0" in "root" is not the one this lab made; left alone', 1, true), out)
  t.ok(link.get("br0"), "their bridge is still there")
  link.del("br0")
end)

t.test("bad lab names and usage", function()
  local out, code = run("run", "--name", "../x", lab1)
  t.eq(code, 1, "refused")
  t.ok(out:find('invalid lab name "../x"', 1, true), out)
  t.eq(ns.get("a"), nil, "nothing built")
  out, code = run("down")
  t.eq(code, 2, "down without a name")
end)

os.execute("rm -rf " .. dir)
t.done()
