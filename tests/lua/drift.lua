-- Drift: what someone else changes behind a lab's back (ip addr del, ip
-- netns del, ip link del, sysctl, nft delete rule). A re-run of the
-- unchanged script brings the kernel back to exactly what a fresh build
-- makes, `netlab ls` says intact again, and `netlab ls LAB` names in words
-- what was gone or changed before. Also: a failed run leaves no lock file.
local t = require "t"

local dir, script = t.scratch()

local diff = t.diff
local run = t.run
-- A command as an independent witness or as "someone else"; must succeed.
local sh = t.sh_ok

local lab = script("drifty", [[
a = ns.add("a", {lo = true})
local b = ns.add("b")
local br = bridge.add("br0", {addr = "10.1.0.1/24", up = true})
link.veth{"va", ns = a, addr = "10.1.0.2/24", up = true, peer = {"va-br", master = br, up = true}}
link.veth{"vb", ns = b, addr = {"10.1.0.3/24", "fd01::3/64"}, up = true,
          peer = {"vb-br", master = br, up = true}}
route.add{ns = a, dst = "default", via = "10.1.0.1"}
route.add{ns = b, dst = "10.8.0.0/16", via = "10.1.0.1"}
route.add{dst = "10.9.0.0/16", via = "10.1.0.2"}
ns.sysctl("root", "net.ipv4.ip_forward", 1)
link.set("wan0", {mtu = 1400})
link.veth{"x1", up = true, mtu = 1450, peer = {"x2", ns = b}}
link.addr_add("x1", "10.2.0.1/30")
nat.masquerade{src = "10.1.0.0/24"}
nat.filter{policy = "drop"}
nat.allow{iif = "br0"}
nat.forward_port{port = 8080, to = "10.1.0.2:80", ns = a}
]])

local clean = t.dump()

local function ls_row()
  return (run("ls"):match("\n(drifty%s[^\n]*)")) or "(no row)"
end

-- Each case builds the lab for itself: up() gives the kernel as a fresh
-- build leaves it, and a value whose closing takes the lab down again.
local function up()
  local out, code = run("run", lab)
  t.eq(code, 0, "run: " .. out)
  return t.dump(), setmetatable({}, {__close = function() run("down", "drifty") end})
end

t.test("a fresh build, for comparison", function()
  local _, built <close> = up()
  t.ok(ls_row():find("intact", 1, true), "ls: " .. ls_row())
  out = run("ls", "drifty")
  t.ok(out:find("intact", 1, true), "ls drifty: " .. out)
end)

-- Each case: someone changes the kernel; ls says what; a re-run repairs it.
local function drift(name, cmds, words, witness)
  t.test("re-run repairs: " .. name, function()
    local fresh, built <close> = up()
    for _, c in ipairs(cmds) do sh(c) end
    t.ok(not ls_row():find("intact", 1, true), "ls sees the drift: " .. ls_row())
    local out = run("ls", "drifty")
    for _, w in ipairs(words) do
      t.ok(out:find(w, 1, true), ("ls drifty names %q: %s"):format(w, out))
    end
    local code
    out, code = run("run", "--verbose", lab)
    t.eq(code, 0, "re-run: " .. out)
    t.ok(not out:find("not the one this lab made", 1, true), "nothing foreign: " .. out)
    local now = t.dump()
    if now ~= fresh then error("differs from a fresh build:\n" .. diff(fresh, now)) end
    t.ok(ls_row():find("intact", 1, true), "ls: " .. ls_row())
    out = run("ls", "drifty")
    t.ok(not out:find("gone:", 1, true) and not out:find("changed:", 1, true), "ls drifty: " .. out)
    if witness then witness() end
    out = run("run", "--verbose", lab)
    t.ok(out:find("(0 kernel changes)", 1, true), "and a further run changes nothing: " .. out)
  end)
end

drift("an address deleted with ip addr del", {"ip -n a addr del 10.1.0.2/24 dev va"},
      {"gone: address 10.1.0.2/24 on va in a"}, function()
  t.ok(t.ipaddrs("a", "va")["10.1.0.2/24"], "ip -j addr shows it again")
  t.ok(t.ping("a", "10.1.0.3"), "a reaches b")
end)

drift("a route deleted with ip route del", {"ip route del 10.9.0.0/16"},
      {"gone: route 10.9.0.0/16 via 10.1.0.2 in root"}, function()
  local r = t.ip(nil, "route", "show", "10.9.0.0/16")
  t.eq(#r, 1, "ip -j route shows it again")
  t.eq(r[1].gateway, "10.1.0.2", "via")
end)

drift("a namespace deleted with ip netns del", {"ip netns del a"},
      {"gone: namespace a"}, function()
  t.ok(t.ipaddrs("a", "va")["10.1.0.2/24"], "ip -j: va has its address in the new a")
  t.eq(t.iplink(nil, "va-br").master, "br0", "ip -j: its peer is on the bridge")
  t.eq(#t.ip("a", "route", "show", "default"), 1, "ip -j: a's default route")
  t.ok(t.ping("a", "10.1.0.3"), "a reaches b")
end)

-- A process still in the deleted namespace keeps it, and so the lab's veth
-- va (there) and its end va-br (in root): that end makes way for the new pair.
drift("a namespace deleted while a process still holds it",
      {"ip netns exec a sleep 4 </dev/null >/dev/null 2>&1 &", "sleep 0.3; ip netns del a"},
      {"gone: namespace a"}, function()
  t.eq(t.iplink(nil, "va-br").master, "br0", "ip -j: the new va-br is on the bridge")
  t.ok(t.ping("a", "10.1.0.3"), "the new a reaches b")
end)

drift("a veth end deleted with ip link del", {"ip link del vb-br"},
      {"gone: veth vb in b <-> vb-br in root", "gone: address 10.1.0.3/24 on vb in b"}, function()
  t.eq(t.iplink(nil, "vb-br").master, "br0", "ip -j: back on the bridge")
  t.ok(t.ping("b", "10.1.0.2"), "b reaches a")
end)

drift("a bridge deleted with ip link del", {"ip link del br0"},
      {"gone: bridge br0 in root"}, function()
  t.eq(t.iplink(nil, "va-br").master, "br0", "ip -j: ports back on the bridge")
  t.ok(t.ipaddrs(nil, "br0")["10.1.0.1/24"], "ip -j: the bridge's address")
end)

drift("a sysctl changed back", {"echo 0 > /proc/sys/net/ipv4/ip_forward"},
      {"changed: sysctl net.ipv4.ip_forward in root is 0, lab set 1"}, function()
  t.eq(sh("cat /proc/sys/net/ipv4/ip_forward"), "1\n", "/proc says 1")
end)

drift("link settings changed (master, up, mtu)",
      {"ip link set va-br nomaster", "ip -n b link set vb down", "ip link set wan0 mtu 1500",
       "ip link set x1 mtu 1300"},
      {"changed: mtu of link wan0 in root is 1500, lab set 1400"}, function()
  t.eq(t.iplink(nil, "wan0").mtu, 1400, "ip -j: wan0's mtu")
  t.eq(t.iplink(nil, "va-br").master, "br0", "ip -j: va-br's master")
  t.eq(t.iplink("b", "vb").operstate, "UP", "ip -j: vb up")
  t.eq(t.iplink(nil, "x1").mtu, 1450, "ip -j: x1's mtu")
end)

drift("a nat rule deleted with nft delete rule", {
  "h=$(nft -a list chain inet netlab postrouting | sed -n 's/.*masquerade.*# handle \\([0-9]*\\)/\\1/p'); " ..
  "nft delete rule inet netlab postrouting handle $h"}, {"gone: nat masquerade"}, function()
  t.ok(sh("nft list chain inet netlab postrouting"):find("masquerade", 1, true), "nft: the rule is back")
end)

-- forward_port makes two rules (dnat in prerouting and in output): one
-- deleted, the call is made again without leaving the other twice.
drift("one of a nat call's two rules deleted", {
  "ip netns exec a sh -c 'nft -a list table inet netlab | " ..
  "awk \"/chain /{c=\\$2} /dnat/{print c, \\$NF}\" | " ..
  "{ read c h && nft delete rule inet netlab $c handle $h; }'"},
  {"gone: nat forward_port port=8080 to=10.1.0.2:80 in a"}, function()
  local text = sh("ip netns exec a nft list table inet netlab")
  local _, dnat = text:gsub("dnat ip to", "")
  t.eq(dnat, 2, "nft: two dnat rules, not three: " .. text)
end)

drift("the nat table deleted with nft delete table", {"nft delete table inet netlab"},
      {"gone: nat masquerade"}, function()
  t.ok(sh("nft list chain inet netlab forward"):find("policy drop", 1, true), "nft: the policy is back")
end)

drift("several at once", {"ip netns del b", "ip route del 10.9.0.0/16", "ip link del br0",
                          "ip -n a addr flush dev va"}, {"gone: namespace b"})

t.test("down after the repairs leaves the kernel as before the lab", function()
  local _, built <close> = up()
  for _, c in ipairs{"ip route del 10.9.0.0/16", "ip netns del b", "ip link del br0"} do sh(c) end
  t.eq(select(2, run("run", lab)), 0, "the re-run repairs")
  local out, code = run("down", "drifty")
  t.eq(code, 0, "down: " .. out)
  t.ok(not out:find("not the one", 1, true), "nothing foreign: " .. out)
  local now = t.dump()
  if now ~= clean then error("differs from before:\n" .. diff(clean, now)) end
end)

t.test("ls LAB of a lab that does not exist", function()
  local out, code = run("ls", "nosuchlab")
  t.eq(code, 1, "exit status: " .. out)
  t.ok(out:find('no lab "nosuchlab"', 1, true), out)
  out, code = run("ls", "a", "b")
  t.eq(code, 2, "two names: " .. out)
end)

t.test("a failed run leaves no lock file", function()
  local bad = script("broken", [[
ns.add("p1")
error("the script fails")
]])
  local out, code = run("run", bad)
  t.eq(code, 1, "the run fails: " .. out)
  t.eq(io.open("/run/netlab/broken.lock"), nil, "no /run/netlab/broken.lock")
  t.eq(ns.get("p1"), nil, "rolled back")
  -- A failed re-run of a lab that is up leaves the lab, and no lock either.
  local good = script("later", 'ns.add("p2")\nif params.fail then error("now it fails") end\n')
  t.eq(select(2, run("run", good)), 0, "first run")
  out, code = run("run", good, "fail=1")
  t.eq(code, 1, "the re-run fails: " .. out)
  t.eq(io.open("/run/netlab/later.lock"), nil, "no /run/netlab/later.lock")
  t.ok(ns.get("p2"), "the lab is still up")
  t.eq(select(2, run("down", "later")), 0, "down")
end)

os.execute("rm -rf " .. dir)
t.done()
