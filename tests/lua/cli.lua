-- The command line: run with parameters, -e, standard input, errors with the
-- script line, --sandbox leaving nothing behind, no external programs.
local t = require "t"

local dir, script = t.scratch()

t.test("--version and --help", function()
  local out, code = t.run("--version")
  t.eq(code, 0, "exit code")
  t.ok(out:match("^netlab %d+%.%d+%.%d+"), "version line: " .. out)
  out, code = t.run("--help")
  t.eq(code, 0, "help exit code")
  t.ok(out:find("netlab run", 1, true), "usage mentions run")
end)

t.test("run passes key=value parameters in params and arg", function()
  local p = script("params", 'print(params.subnet, params.n, arg[0] ~= nil, #arg)\n')
  local out, code = t.run("run", p, "subnet=10.77.0.0/24", "n=3")
  t.eq(code, 0, "exit code")
  t.eq(out, "10.77.0.0/24\t3\ttrue\t2\n", "output")
  out, code = t.run("run", p, "novalue")
  t.eq(code, 2, "a word that is not key=value")
  t.ok(out:find('parameter "novalue" is not key=value', 1, true), out)
end)

t.test("an error names the script line and exits non-zero", function()
  local p = script("purple_orange", table.concat({
    'local purple = ns.add("purple")',
    'link.veth{"veth-purple", ns = purple, peer = "veth-purple-br"}',
    'link.veth{"veth-purple", ns = purple, peer = "other"}',
  }, "\n"))
  local out, code = t.run("run", p)
  t.eq(code, 1, "exit code")
  t.eq(out, "netlab: " .. p .. ':3: link.veth: veth "veth-purple" in "purple": File exists (EEXIST)\n' ..
    'netlab: rolled back: 2 objects of lab "purple_orange" removed or restored\n', "message")
  t.eq(ns.get("purple"), nil, "what the failed run made is gone")
end)

t.test("a Lua error in a script is reported the same way", function()
  local p = script("bad", "local x = nil\nprint(x.y)\n")
  local out, code = t.run("run", p)
  t.eq(code, 1, "exit code")
  t.ok(out:find("^netlab: " .. p:gsub("%p", "%%%0") .. ":2: attempt to index"), out)
  out, code = t.run("run", dir .. "/missing.lua")
  t.eq(code, 1, "missing script")
  t.ok(out:find("cannot open", 1, true), out)
end)

-- netlab run from directory cwd, as a user types it: bare names stay bare.
local function netlab_in(cwd, ...)
  return t.sh('b=$(realpath "$1") && cd "$2" && shift 2 && exec "$b" "$@"', t.bin, cwd, ...)
end

-- The bundled scripts' directory as the tests see it: scripts/ of this tree.
local function tree_scripts()
  local out = ns.capture(nil, "realpath", "scripts")
  return (out:gsub("\n$", ""))
end

t.test("run FILE by its bare name, from its own directory", function()
  local sub = dir .. "/bare"
  assert(os.execute("mkdir -p " .. sub))
  local f = assert(io.open(sub .. "/helper.lua", "w"))
  f:write('return {word = "from the module next to it"}\n')
  f:close()
  f = assert(io.open(sub .. "/bare.lua", "w"))
  f:write('print(require("helper").word, arg[0])\nns.add("bare1")\n')
  f:close()
  local out, code = netlab_in(sub, "run", "bare.lua")
  t.eq(code, 0, "exit code: " .. out)
  t.eq(out, "from the module next to it\tbare.lua\n", "output")
  t.ok(ns.get("bare1"), "the script built its namespace")
  t.ok(t.ip(nil, "netns", "list")[1], "ip netns list sees it")
  out, code = netlab_in("/", "run", sub .. "/bare.lua")
  t.eq(code, 0, "by path from elsewhere, the module next to it still found: " .. out)
  out, code = netlab_in(sub, "down", "bare")
  t.eq(code, 0, "down: " .. out)
  t.eq(ns.get("bare1"), nil, "down removed it")
end)

t.test("a missing bare name says it cannot open it", function()
  local out, code = netlab_in(dir, "run", "nosuch.lua")
  t.eq(code, 1, "exit code: " .. out)
  t.ok(out:find("^netlab: cannot open nosuch.lua"), out)
  t.ok(out:find("netlab scripts", 1, true), "points at the list: " .. out)
  t.eq(select(2, out:gsub("\n", "")), 1, "one line: " .. out)
  out, code = netlab_in(dir, "run", "--sandbox", "nosuch")
  t.eq(code, 1, "exit code under --sandbox: " .. out)
  t.ok(out:find("^netlab: cannot open nosuch"), out)
end)

t.test("a bundled script runs by name from any directory", function()
  local out, code = netlab_in("/tmp", "run", "purple_orange.lua")
  t.eq(code, 0, "exit code: " .. out)
  local purple = t.ipaddrs("purple", "veth-purple")
  t.ok(purple["192.168.52.1/24"], "ip -n purple addr: veth-purple has 192.168.52.1/24")
  t.ok(t.ipaddrs("orange", "veth-orange")["192.168.52.2/24"], "orange has 192.168.52.2/24")
  t.ok(t.ping("orange", "203.0.113.1"), "orange reaches the sandbox's internet (NAT, netlab.topo)")
  out = netlab_in("/tmp", "ls")
  t.ok(out:find("purple_orange", 1, true), "the lab is named after the script: " .. out)
  t.ok(out:find(tree_scripts() .. "/purple_orange.lua", 1, true), "and records where it is: " .. out)
  -- Without .lua too, and the bundled script's own parameters.
  out, code = netlab_in("/", "run", "pod", "ns=pod1")
  t.eq(code, 0, "run pod: " .. out)
  t.ok(t.ipaddrs("pod1", "eth0")["10.244.0.2/24"], "ip -n pod1 addr: eth0 has 10.244.0.2/24")
  for _, lab in ipairs{"purple_orange", "pod"} do
    out, code = netlab_in("/tmp", "down", lab)
    t.eq(code, 0, "down " .. lab .. ": " .. out)
  end
  t.eq(ns.get("purple"), nil, "down removed purple")
  t.eq(ns.get("pod1"), nil, "down removed pod1")
  -- A file here wins over the bundled script of the same name.
  local f = assert(io.open(dir .. "/pod.lua", "w"))
  f:write('print("the local pod.lua")\n')
  f:close()
  out, code = netlab_in(dir, "run", "pod.lua")
  t.eq(out, "the local pod.lua\n", "the file here runs: " .. out)
  os.remove(dir .. "/pod.lua")
end)

t.test("netlab scripts and run --list show the bundled scripts with their docs", function()
  local out, code = netlab_in("/tmp", "scripts")
  t.eq(code, 0, "exit code: " .. out)
  local first = out:match("^[^\n]*")
  t.ok(first:find(tree_scripts(), 1, true), "names the directory: " .. first)
  local listed = 0
  for name in ns.capture(nil, "ls", "scripts"):gmatch("[^\n]+") do
    if name:match("%.lua$") then
      local text = assert(io.open("scripts/" .. name)):read("a")
      local doc = text:match('doc = "([^"]*)"') or text:match("^%-%- ([^\n]*)"):sub(1, 40)
      t.ok(out:find("\n  " .. name:gsub("%p", "%%%0") .. " +" .. doc:gsub("%p", "%%%0")),
           name .. " listed with its doc: " .. out)
      listed = listed + 1
    end
  end
  t.ok(listed >= 10, "every bundled script: " .. listed)
  t.ok(not out:find("topo.lua", 1, true), "the library is not a script")
  local out2 = netlab_in("/", "run", "--list")
  t.eq(out2, out, "run --list says the same")
  if os.execute("command -v setpriv >/dev/null") then
    out2, code = t.sh('setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"',
                      t.bin, "scripts")
    t.eq(code, 0, "listing needs no root: " .. out2)
  end
end)

t.test("--sandbox in a chroot says what is wrong and what to do", function()
  if not os.execute("command -v chroot >/dev/null && command -v unshare >/dev/null") then return end
  local bin = ns.capture(nil, "realpath", t.bin):gsub("\n$", "")
  local top = dir .. "/chroot"
  assert(os.execute("mkdir -p " .. top))
  -- A chroot of bind mounts, in a mount namespace of its own inside this
  -- sandbox, on a tmpfs that goes with it: outside, top stays an empty directory.
  local sh = table.concat({
    'set -e; mount -t tmpfs none "$1"; R="$1/root"; B="$2"; mkdir -p "$R"',
    'for d in usr etc "${B%/*}"; do mkdir -p "$R/$d"; mount --rbind "/$d" "$R/$d"; done',
    'for l in bin lib lib64 sbin; do if [ -L /$l ]; then ln -s "$(readlink /$l)" "$R/$l"; fi; done',
    'mkdir -p "$R/proc" "$R/run" "$R/sys" "$R/tmp"; mount -t proc proc "$R/proc"',
    'chroot "$R" "$B" --sandbox -e "print(1)" 2>&1 || echo "rc=$?"',
    'mount --rbind "$R" "$R"; chroot "$R" "$B" --sandbox -e "print(#ns.list())" 2>&1',
  }, "\n")
  local out = ns.capture(nil, "unshare", "--mount", "--propagation", "private", "sh", "-c", sh, "sh",
                         top, bin)
  t.ok(out:find("netlab: sandbox: / is not a mount point (a chroot?)", 1, true), out)
  t.ok(out:find("mount --rbind DIR DIR && exec chroot DIR", 1, true), "says what to do: " .. out)
  t.ok(out:find("\nrc=1\n", 1, true), "exit code 1: " .. out)
  t.ok(out:find("\n1\n$"), "as it says, the sandbox then works (its internet namespace): " .. out)
end)

t.test("-e runs a chunk; standard input runs as a script", function()
  local out, code = t.run("-e", "print(#ns.list(), link.get('wan0').kind)")
  t.eq(code, 0, "exit code")
  t.eq(out, "1\tveth\n", "-e sees the sandbox it runs in")
  out, code = t.sh([[echo 'print(ns.root.name)' | "$1"]], t.bin)
  t.eq(out, "root\n", "stdin script")
  t.eq(code, 0, "stdin exit code")
end)

t.test("unknown arguments exit with 2 and the usage", function()
  local out, code = t.run("--frobnicate")
  t.eq(code, 2, "exit code")
  t.ok(out:find("unknown argument --frobnicate", 1, true), out)
  out, code = t.run("run")
  t.eq(code, 2, "run without a script")
end)

t.test("--sandbox builds the simulated internet and leaves nothing behind", function()
  local p = script("sb", table.concat({
    'ns.add("inner")',
    'print(link.get("wan0").peer, link.get("wan0").peer_ns)',
    'print(ns.get("internet") ~= nil, link.addrs("wan0", {family = "inet"})[1].addr)',
    'for _, r in ipairs(route.list()) do if r.dst == "default" then print(r.via) end end',
    'print(ns.capture(nil, {"ping", "-c1", "-W1", "-q", "203.0.113.1", quiet = true}) ~= nil)',
  }, "\n"))
  local out, code = t.run("run", "--sandbox", p)
  t.eq(code, 0, "exit code: " .. out)
  t.eq(out:match("^[^\n]*"), "eth0\tinternet", "wan0's peer is eth0 in internet")
  t.ok(out:find("true\t203.0.113.254/24", 1, true), out)
  t.ok(out:find("\n203.0.113.1\n", 1, true), "default via 203.0.113.1: " .. out)
  t.eq(ns.get("inner"), nil, "the inner sandbox's namespace is not here")
  local _, rc = ns.capture("internet", {"sh", "-c", "ip route | grep -E '^(10|172|192)\\.'", quiet = true})
  t.ok(rc ~= 0, "the internet has no route back to private ranges")
end)

t.test("--sandbox ends what a script left running, even through os.exit", function()
  local pidfile = dir .. "/pid"
  local p = script("leave", table.concat({
    'local pid = ns.spawn("internet", "sleep", "300")',
    'local f = io.open(params.pidfile, "w") f:write(pid) f:close()',
    'os.exit(3, true)',
  }, "\n"))
  local out, code = t.run("run", "--sandbox", p, "pidfile=" .. pidfile)
  t.eq(code, 3, "the script's exit code: " .. out)
  local pid = assert(io.open(pidfile)):read("a")
  t.ok(tonumber(pid), "the child's pid: " .. pid)
  t.ok(not io.open("/proc/" .. pid .. "/stat"), "the child is gone")
end)

t.test("without root: one line that says so, and that --sandbox works without it", function()
  if not os.execute("command -v setpriv >/dev/null") then return end
  local nobody = 'setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"'
  for _, words in ipairs{{"ls"}, {"run", "scripts/con1.lua"}, {"show"}} do
    local out, code = t.sh(nobody, t.bin, table.unpack(words))
    t.eq(code, 1, "exit code of " .. words[1])
    t.ok(out:find("^netlab: needs root") and select(2, out:gsub("\n", "")) == 1, "one line: " .. out)
    t.ok(out:find("--sandbox, which works without root", 1, true), "names --sandbox: " .. out)
  end
  -- What only computes needs no privilege; what changes the kernel says what would.
  local out, code = t.sh(nobody, t.bin, "-e",
    'print(netlab.host("192.168.52.0/24", 5), netlab.cidr("10.1.0.0/16").plen)')
  t.eq(code, 0, "netlab.host and netlab.cidr: " .. out)
  t.eq(out, "192.168.52.5\t16\n", "their answers")
  out, code = t.sh(nobody, t.bin, "-e", 'ns.add("x")')
  t.eq(code, 1, "ns.add: " .. out)
  t.ok(out:find("needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN), or --sandbox, which works without root", 1, true), out)
end)

t.test("netlab runs no external program to configure the network", function()
  if not os.execute("command -v strace >/dev/null") then return end
  local p = script("x", table.concat({
    'local a = ns.add("a", {lo = true})',
    'local br = bridge.add("br0", {addr = "10.0.0.1/24", up = true})',
    'link.veth{"va", ns = a, addr = "10.0.0.2/24", up = true, peer = {"va-br", master = br, up = true}}',
    'route.add{ns = a, dst = "default", via = "10.0.0.1"}',
    'ns.sysctl("root", "net.ipv4.ip_forward", 1)',
    'print(#link.list(a), #route.list(a))',
  }, "\n"))
  -- strace's lines only: the script's output goes away.
  local out = t.sh('{ ASAN_OPTIONS=detect_leaks=0 strace -f -qq -e trace=execve "$@" 2>&1 >/dev/null; }',
                   t.bin, "run", "--sandbox", p)
  local execs = {}
  for line in out:gmatch("[^\n]+") do
    if line:find("execve(", 1, true) then execs[#execs + 1] = line end
  end
  t.eq(#execs, 1, "one execve, netlab's own: " .. table.concat(execs, "\n"))
end)

os.execute("rm -rf " .. dir)
t.done()
