-- Link impairment (link.impair): the effect measured in sandboxes (a 1 MB
-- transfer through a rate limit, ping through netem's delay and loss where
-- the kernel has netem), `tc -j qdisc show` as the witness of the settings,
-- the default qdisc back after clearing, no tc process run (strace), bad
-- input refused before any request, and labs restoring what was there.
local t = require "t"

local dir = t.scratch()
local MB = 1048576

-- `tc -j qdisc show dev DEV` in namespace n: the root qdisc's entry.
local function tcq(n, dev)
  local out, code = ns.capture(n, "tc", "-j", "qdisc", "show", "dev", dev)
  if code ~= 0 then error("tc -j qdisc show failed: " .. out, 2) end
  for _, q in ipairs(t.json.decode(out)) do
    if q.root then return q end
  end
end

local function pair()
  local a, b = ns.add("imp-a"), ns.add("imp-b")
  local l = link.veth{"imp-va", ns = a, addr = "10.91.0.1/24", up = true,
                      peer = {"imp-vb", ns = b, addr = "10.91.0.2/24", up = true}}
  t.ok(t.ping_eventually("imp-a", "10.91.0.2"), "the pair passes packets")
  return l
end

-- The receiver in imp-b counts from the connection to its last byte; the
-- sender in imp-a writes 1 MB. Seconds the receiver took to have it all.
local recv = [[
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.91.0.2", 5001)); s.listen(1)
open(sys.argv[1], "w").close()
c, _ = s.accept(); t0 = time.monotonic(); n = 0
while n < int(sys.argv[2]):
    d = c.recv(65536)
    if not d: break
    n += len(d)
print("%d %.3f" % (n, time.monotonic() - t0))
]]
local send = [[
import socket, sys
c = socket.create_connection(("10.91.0.2", 5001)); c.sendall(b"x" * int(sys.argv[1])); c.close()
]]
t.sh_ok('printf "%s" "$1" > "$3"/recv.py; printf "%s" "$2" > "$3"/send.py', recv, send, dir)

local function transfer()
  local out = t.sh_ok([[
rm -f "$1/ready"
ip netns exec imp-b python3 "$1/recv.py" "$1/ready" "$2" > "$1/got" &
pid=$!
i=0; while [ ! -e "$1/ready" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
ip netns exec imp-a python3 "$1/send.py" "$2"
wait $pid
cat "$1/got"]], dir, tostring(MB))
  local n, secs = out:match("(%d+) ([%d.]+)")
  t.eq(tonumber(n), MB, "the receiver has it all: " .. out)
  return tonumber(secs)
end

t.test("rate 2mbit: a 1 MB transfer takes 3.5-5 s; cleared, under a second", function()
  local _ <close> = t.fresh()
  local l = pair()
  local fast = transfer()
  t.ok(fast < 1, ("unlimited first: %.2f s"):format(fast))
  t.eq(tcq("imp-a", "imp-va").kind, "noqueue", "a veth's default qdisc before")
  link.impair(l, {rate = "2mbit"})
  local q = tcq("imp-a", "imp-va")
  t.eq(q.kind, "tbf", "tc sees a tbf at the root")
  t.eq(q.options.rate, 250000, "tc: 2mbit is 250000 bytes a second")
  t.eq(link._impair_text(link.get(l).impair), "rate 2mbit", "link.get reads it back")
  local slow = transfer()
  t.ok(slow >= 3.5 and slow <= 5, ("limited: %.2f s"):format(slow))
  link.impair(l, false)
  t.eq(tcq("imp-a", "imp-va").kind, "noqueue", "cleared: the default qdisc is back")
  t.eq(link.get(l).impair, nil, "link.get has no impair")
  local again = transfer()
  t.ok(again < 1, ("cleared: %.2f s"):format(again))
  -- Clearing what is not there changes nothing and is no error.
  link.impair(l, false)
end)

t.test("the same table back; link.veth's and link.set's impair option, per end", function()
  local _ <close> = t.fresh()
  local a, b = ns.add("imp-a"), ns.add("imp-b")
  local l = link.veth{"imp-va", ns = a, up = true, impair = {rate = "10mbit"},
                      peer = {"imp-vb", ns = b, up = true, impair = {rate = "512kbit"}}}
  t.eq(link.get(l).impair.rate, "10mbit", "this end")
  t.eq(link.get(l.peer).impair.rate, "512kbit", "the peer's end")
  t.eq(tcq("imp-b", "imp-vb").options.rate, 64000, "tc: 512kbit on the peer")
  local got = link.get(l).impair
  link.impair(l, got)
  t.eq(link.get(l).impair.rate, "10mbit", "what link.get gives is taken back")
  link.set(l, {impair = {rate = "1.5mbit"}, mtu = 1400})
  t.eq(link.get(l).impair.rate, "1500kbit", "link.set's impair")
  t.eq(link.get(l).mtu, 1400, "link.set's other changes too")
  link.set("imp-vb", {impair = false, ns = "imp-b"})
  t.eq(tcq("imp-b", "imp-vb").kind, "noqueue", "link.set's impair = false clears")
  local st
  for _, e in ipairs(netlab.state("imp-a")[1].links) do
    if e.ifname == "imp-va" then st = e end
  end
  t.eq(st and st.impair and st.impair.rate, "1500kbit", "netlab.state has it")
  t.ok(netlab.show("imp-a"):find("imp-va: rate 1500kbit", 1, true), "netlab.show says it")
  t.ok(graph.dot and graph.dot("imp-a"):find("egress: rate 1500kbit", 1, true) or true, "the picture")
end)

t.test("bad input: refused before any request", function()
  local _ <close> = t.fresh()
  local l = pair()
  local cases = {
    {{delay = "-5ms"}, "negative"}, {{delay = "50"}, "no unit"}, {{delay = "fast"}, "invalid time"},
    {{loss = "101%"}, "above 100%"}, {{loss = "-1%"}, "negative"}, {{loss = "1"}, "percentage"},
    {{jitter = "5ms"}, "jitter without a delay"}, {{rate = "0mbit"}, "zero"},
    {{rate = "10"}, "no unit"}, {{rate = "10mb"}, "unknown unit"}, {{reorder = "5%"}, "reorder without a delay"},
    {{rate = 10}, "field 'rate'"}, {{delai = "5ms"}, "delai"}, {{limit = 0}, "limit"},
    {{delay = "5ms", distribution = "pareto"}, "distribution"},
  }
  for _, c in ipairs(cases) do
    t.fails(function() link.impair(l, c[1]) end, "bad argument #2 to 'impair'", c[2])
  end
  t.fails(function() link.impair(l, "2mbit") end, "table of impairments or false expected")
  t.fails(function() link.impair("imp-nope", {rate = "1mbit"}, {ns = "imp-a"}) end,
    "link.impair: ", "imp-nope", "ENODEV")
  t.fails(function() link.veth{"imp-x", ns = "imp-a", peer = "imp-y", impair = {loss = "200%"}} end,
    "field 'loss'", "above 100%")
  t.eq(link.get("imp-x", {ns = "imp-a"}), nil, "nothing made for a bad impair")
  t.eq(tcq("imp-a", "imp-va").kind, "noqueue", "nothing changed")
end)

t.test("no tc process runs (strace -f -e trace=execve)", function()
  local _ <close> = t.fresh()
  pair()
  -- LeakSanitizer cannot run under ptrace: off for the sanitized build, as cli.lua does.
  local out = t.sh_ok([[ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -e trace=execve -o "$1/strace" "$2" -e 'link.impair("imp-va", {rate = "3mbit"}, {ns = "imp-a"}); link.impair("imp-va", false, {ns = "imp-a"}); link.impair("imp-va", {rate = "3mbit"}, {ns = "imp-a"})' && cat "$1/strace"]],
    dir, t.bin)
  local execs = 0
  for line in out:gmatch("[^\n]+") do
    if line:find("execve(", 1, true) then
      execs = execs + 1
      t.ok(not line:find("/tc\"", 1, true) and not line:find('"tc"', 1, true), "no tc: " .. line)
    end
  end
  t.eq(execs, 1, "netlab itself is the only program run")
  t.eq(tcq("imp-a", "imp-va").options.rate, 375000, "and it did it")
end)

-- Whether this kernel has netem, asked of tc in a throwaway namespace.
local function kernel_has_netem()
  local out, code = t.sh([[ip netns add imp-probe && ip netns exec imp-probe tc qdisc add dev lo root netem delay 1ms 2>&1; r=$?; ip netns del imp-probe; exit $r]])
  return code == 0, out
end

t.test("netem: delay 100ms gives an RTT of 100-130 ms and loss 100% no echo; without it, one clear error", function()
  local _ <close> = t.fresh()
  local l = pair()
  local has, why = kernel_has_netem()
  t.eq(link.has_netem(), has, "link.has_netem() says what tc finds")
  if not has then
    t.ok(why:find("unknown", 1, true), "tc says netem is unknown: " .. why)
    t.fails(function() link.impair(l, {delay = "100ms", loss = "1%", rate = "1mbit"}) end,
      "link.impair: ", "netem is not in this kernel (CONFIG_NET_SCH_NETEM): delay, loss need it; rate works")
    t.eq(tcq("imp-a", "imp-va").kind, "noqueue", "nothing half made")
    link.impair(l, {rate = "1mbit"})
    t.eq(tcq("imp-a", "imp-va").kind, "tbf", "rate alone still works")
    return
  end
  link.impair(l, {delay = "100ms"})
  t.eq(tcq("imp-a", "imp-va").kind, "netem", "tc sees netem")
  t.eq(link.get(l).impair.delay, "100ms", "read back")
  local out = ns.capture("imp-a", "ping", "-c3", "-i0.3", "-q", "10.91.0.2")
  local avg = tonumber(out:match("= [%d.]+/([%d.]+)/"))
  t.ok(avg and avg >= 100 and avg <= 130, "RTT " .. tostring(avg) .. ": " .. out)
  link.impair(l, {loss = "100%"})
  local _, code = ns.capture("imp-a", {"ping", "-c3", "-W1", "-q", "10.91.0.2", quiet = true})
  t.ok(code ~= 0, "no echo through loss 100%")
  link.impair(l, {delay = "20ms", jitter = "5ms", distribution = "normal", loss = "1%",
                  duplicate = "0.5%", corrupt = "0.1%", reorder = "25%", rate = "10mbit", limit = 500})
  local q = tcq("imp-a", "imp-va")
  t.eq(q.kind, "netem", "all of it in one netem")
  t.eq(link._impair_text(link.get(l).impair),
       "delay 20ms jitter 5ms loss 1% duplicate 0.5% corrupt 0.1% reorder 25% rate 10mbit limit 500",
       "read back (the kernel gives no distribution back)")
  link.impair(l, false)
  t.eq(tcq("imp-a", "imp-va").kind, "noqueue", "cleared")
end)

t.test("labs: recorded, converged on a re-run, down restores what was there", function()
  local _ <close> = t.fresh()
  local script = dir .. "/imp_lab.lua"
  t.sh_ok('printf "%s" "$2" > "$1"', script, [[
local a = ns.add("imp-a")
local l = link.veth{"imp-va", ns = a, up = true, impair = {rate = "4mbit"}, peer = {"imp-vr", up = true}}
link.impair("imp-root", {rate = netlab.params{doc = "t", {"rate", "2mbit", "the rate"}}.rate})
]])
  link.veth{"imp-root", up = true, peer = "imp-root-p"}
  link.impair("imp-root", {rate = "7mbit"})
  local out, code = t.run("run", "--trace", script)
  t.eq(code, 0, out)
  t.ok(out:find("tc -n imp-a qdisc replace dev imp-va root tbf rate 4mbit", 1, true), "traced: " .. out)
  t.ok(out:find("tc qdisc replace dev imp-root root tbf rate 2mbit", 1, true), "traced: " .. out)
  t.eq(tcq(nil, "imp-root").options.rate, 250000, "the lab's rate on a link it did not make")
  out, code = t.run("run", "--trace", script)
  t.eq(code, 0, out)
  t.ok(not out:find("qdisc", 1, true), "a re-run changes nothing: " .. out)
  out = t.run("ls", "imp_lab")
  t.ok(out:find("intact", 1, true) and out:find("2 link impairments", 1, true), out)
  out, code = t.run("run", "--dry-run", script, "rate=3mbit")
  t.ok(out:find("~ impairment rate 3mbit of imp-root in root", 1, true), out)
  out, code = t.run("--trace", "down", "imp_lab")
  t.eq(code, 0, out)
  t.ok(out:find("tc qdisc replace dev imp-root root tbf rate 7mbit", 1, true), "down puts back: " .. out)
  t.eq(tcq(nil, "imp-root").options.rate, 875000, "the rate that was there before the lab")
  link.impair("imp-root", false)
  out, code = t.run("run", script)
  t.eq(code, 0, out)
  out, code = t.run("down", "imp_lab")
  t.eq(tcq(nil, "imp-root").kind, "noqueue", "nothing before: the default qdisc after down")
end)

t.done()
