-- The test library of netlab's Lua tests. Each test file runs in a fresh
-- sandbox (netlab run --sandbox), calls t.test for each case and t.done().
-- A case makes what it uses and leaves nothing for the next one (t.fresh);
-- commands, netlab itself included, run through t.sh and t.run.
local cjson = require "cjson"

-- JSON for reading `ip -j` and `nft -j` (lua-cjson): numbers that are
-- integers come back as Lua integers, so "/" .. prefixlen reads "/24".
local function integers(v)
  if type(v) == "number" then return math.tointeger(v) or v end
  if type(v) == "table" then
    for k, x in pairs(v) do v[k] = integers(x) end
  end
  return v
end
local json = {null = cjson.null, encode = cjson.encode}
function json.decode(text)
  local v = integers(cjson.decode(text))
  return v
end

local t = {}
local passed, failed = 0, 0

local function show(v)
  if type(v) == "string" then return ("%q"):format(v) end
  return tostring(v)
end

function t.test(name, fn)
  local ok, err = xpcall(fn, debug.traceback)
  if ok then
    passed = passed + 1
    print("ok - " .. name)
  else
    failed = failed + 1
    print("not ok - " .. name)
    print("# " .. tostring(err):gsub("\n", "\n# "))
  end
  io.stdout:flush()
end

function t.eq(got, want, what)
  if got ~= want then
    error(("%s: expected %s, got %s"):format(what or "value", show(want), show(got)), 2)
  end
end

function t.ok(v, what)
  if not v then error((what or "condition") .. ": expected true, got " .. show(v), 2) end
  return v
end

-- Runs fn, which must raise; the message must contain every plain string given.
function t.fails(fn, ...)
  local ok, err = pcall(fn)
  if ok then error("expected an error, got none", 2) end
  err = tostring(err)
  for _, want in ipairs({...}) do
    if not err:find(want, 1, true) then
      error(("error %q does not contain %q"):format(err, want), 2)
    end
  end
  return err
end

-- Independent witness: `ip -j ARGS` inside namespace n (nil: root), decoded.
function t.ip(n, ...)
  local out, code = ns.capture(n, "ip", "-j", ...)
  if code ~= 0 then error("ip -j " .. table.concat({...}, " ") .. " failed", 2) end
  return json.decode(out)
end

-- The bundled scripts' names (scripts/NAME.lua), sorted; demo.lua aside:
-- `make demo` runs it, and it prints rather than expects.
function t.scripts()
  local out = {}
  for f in t.sh_ok("ls scripts"):gmatch("([^\n]+)%.lua\n") do
    if f ~= "demo" then out[#out + 1] = f end
  end
  table.sort(out)
  return out
end

-- A container of our own, standing in for Docker's: a process in a new
-- network namespace (`unshare --net sleep 60`). unshare execs sleep in
-- place, so the PID is the container's once its namespace is no longer
-- root's; returns it and ns.of's handle for that unnamed namespace.
function t.container()
  local pid = ns.spawn(nil, {"unshare", "--net", "sleep", "60", quiet = true})
  for _ = 1, 100 do
    local n = assert(ns.of(pid))
    if n.name ~= "root" then return pid, n end
    netlab.sleep(0.02)
  end
  error("unshare did not leave the root namespace", 2)
end

-- A decoded JSON value as one line with its keys sorted, so that two
-- readings of a witness compare as text.
function t.canon(v)
  if v == json.null then return "null" end
  if type(v) ~= "table" then return ("%q"):format(v) end
  local keys, out = {}, {}
  for k in pairs(v) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  for _, k in ipairs(keys) do out[#out + 1] = tostring(k) .. "=" .. t.canon(v[k]) end
  return "{" .. table.concat(out, ",") .. "}"
end

-- The `ip -j link` entry of one link, or nil.
function t.iplink(n, name)
  for _, l in ipairs(t.ip(n, "link", "show")) do
    if l.ifname == name then return l end
  end
end

-- Every "ADDR/PLEN" of a link as `ip -j addr` reports it, as a set.
function t.ipaddrs(n, name)
  local set = {}
  for _, l in ipairs(t.ip(n, "addr", "show", "dev", name)) do
    for _, a in ipairs(l.addr_info or {}) do set[a["local"] .. "/" .. a.prefixlen] = a end
  end
  return set
end

-- A new link passes packets only once the kernel's linkwatch has activated
-- its queue, a moment after it is up (longer on a loaded machine): so one
-- echo a second until the first reply, for at most 3 seconds.
function t.ping(n, addr)
  local out, code = ns.capture(n, {"ping", "-c1", "-w3", "-q", addr, quiet = true})
  return code == 0
end

-- t.ping up to three times, for what must answer where a first echo (or
-- the ARP before it) can be lost: a lab just built on a loaded machine,
-- whose queues linkwatch has not all activated within one t.ping, or a
-- broadcast copied to more bridge ports than the backlog holds.
function t.ping_eventually(n, addr)
  for _ = 1, 3 do
    if t.ping(n, addr) then return true end
  end
  return false
end

-- `ping -c1 -W1` for each {NS, ADDR} of list, all at once: a list of
-- booleans, whether each answered (the witness a probe is compared with).
function t.pings(list)
  local pids, out = {}, {}
  for i, p in ipairs(list) do
    pids[i] = ns.spawn(p[1], {"ping", "-c1", "-W1", "-q", p[2], quiet = true})
  end
  for i, pid in ipairs(pids) do
    local how, code = netlab.wait(pid, 10)
    out[i] = how == "exit" and code == 0
  end
  return out
end

-- True when the `ip -j link` entry l carries exactly flag (UP is not LOWER_UP).
function t.has_flag(l, flag)
  for _, f in ipairs(l and l.flags or {}) do
    if f == flag then return true end
  end
  return false
end

-- The info_data fields netlab carries of each kind (core/link_data.c), by
-- ip's names: where `ip -j -d link` prints one, the model must have it.
t.INFO_DATA = {
  vlan = {"protocol", "id", "flags"},
  macvlan = {"mode", "nopromisc", "bcqueuelen", "usedbcqueuelen", "macaddr_count"},
  ipvlan = {"mode", "bridge", "private", "vepa"},
  vxlan = {"id", "remote", "group", "remote6", "group6", "local", "local6", "link", "port",
           "learning", "proxy", "rsc", "l2miss", "l3miss", "ttl", "df", "ageing", "limit",
           "udp_csum", "udp_zero_csum6_tx", "udp_zero_csum6_rx", "remcsum_tx", "remcsum_rx",
           "gbp", "gpe"},
  bridge = {"forward_delay", "hello_time", "max_age", "ageing_time", "stp_state", "priority",
            "vlan_filtering", "vlan_protocol", "vlan_default_pvid", "mcast_snooping"},
}

-- A value as text, lists joined by commas, for comparing ip's with netlab's.
local function flat(v)
  if v == json.null then return "nil" end
  if type(v) ~= "table" then return tostring(v) end
  local out = {}
  for i, x in ipairs(v) do out[i] = flat(x) end
  return "[" .. table.concat(out, ",") .. "]"
end

-- Where a link of the model (g: netlab.state or show --json) and its
-- `ip -j -d link` entry (w) disagree on flags, link and linkinfo (its
-- info_kind, every info_data field the model has, every one of
-- t.INFO_DATA that ip has): a list of lines, empty when they agree.
function t.link_disagreements(what, g, w)
  local bad = {}
  local function want(field, got, expect)
    if flat(got) ~= flat(expect) then
      bad[#bad + 1] = ("%s %s: netlab %s, ip %s"):format(what, field, flat(got), flat(expect))
    end
  end
  want("flags", g.flags, w.flags)
  want("link", g.link, w.link)
  want("link_index", g.link_index, w.link_index)
  want("link_netnsid", g.link_netnsid, w.link_netnsid)
  local gi, wi = g.linkinfo or {}, w.linkinfo or {}
  want("info_kind", gi.info_kind, wi.info_kind)
  local gd, wd = gi.info_data or {}, wi.info_data or {}
  for k, v in pairs(gd) do want("info_data." .. k, v, wd[k]) end
  for _, k in ipairs(t.INFO_DATA[wi.info_kind] or {}) do want("info_data." .. k, gd[k], wd[k]) end
  return bad
end

-- The netlab under test (the same binary).
t.bin = os.getenv("NETLAB") or "./netlab"

-- The one way a test runs a command: a shell command line in the sandbox's
-- root namespace, with standard error joined to the output (that is where
-- netlab's messages go); the words after cmd are its $1, $2, ....
-- Returns the output and the exit code. This process lets go of its cached
-- namespace handles first: they would keep alive namespaces the command deletes.
function t.sh(cmd, ...)
  netlab._release()
  return ns.capture(nil, {"sh", "-c", cmd .. " 2>&1", "sh", ...})
end

-- t.sh that must succeed; returns the output.
function t.sh_ok(cmd, ...)
  local out, code = t.sh(cmd, ...)
  if code ~= 0 then error(("`%s` failed (%d): %s"):format(cmd, code, out), 2) end
  return out
end

-- Runs the netlab under test with words; returns output and code.
function t.run(...)
  return t.sh('exec "$@"', t.bin, ...)
end

-- t.run with env before it, a shell assignment ("NETLAB_FAULT_AT=3") or "".
function t.run_env(env, ...)
  return t.sh(env .. ' exec "$@"', t.bin, ...)
end

-- A case's own scratch, to be closed when the case ends (`local _ <close> =
-- t.fresh()`), passing or failing: the namespaces and root links made since
-- are deleted, netlab's nftables table in root goes if it was not there, and
-- root's forwarding is as it was. So no case can lean on what another made.
function t.fresh()
  local nss, links = {}, {}
  for _, n in ipairs(ns.list()) do nss[n.name] = true end
  for _, l in ipairs(link.list()) do links[l.name] = true end
  local fwd = ns.sysctl(nil, "net.ipv4.ip_forward")
  local had_table = #nat.list().tables > 0
  return setmetatable({}, {__close = function()
    if not had_table then pcall(nat.flush) end
    -- Deleting one end of a veth takes the other: a later del may find nothing.
    for _, l in ipairs(link.list()) do
      if not links[l.name] then pcall(link.del, l.name) end
    end
    for _, n in ipairs(ns.list()) do
      if not nss[n.name] then pcall(ns.del, n.name) end
    end
    if ns.sysctl(nil, "net.ipv4.ip_forward") ~= fwd then ns.sysctl(nil, "net.ipv4.ip_forward", fwd) end
  end})
end

-- What a stacked link is: the link it sits on (where it is: a link moved
-- away keeps its parent in the namespace it was made in) and its kind's
-- main settings.
local STACKED = {macvlan = true, ipvlan = true, vlan = true, vxlan = true}
local function stacked(l)
  if not STACKED[l.kind] then return "" end
  local w = {l.parent and " parent=" .. l.parent .. "@" .. (l.parent_ns or "?") or ""}
  local d = l.info_data or {}
  for _, k in ipairs{"mode", "id", "protocol", "remote", "group", "local", "port", "learning"} do
    if d[k] ~= nil and type(d[k]) ~= "table" then w[#w + 1] = (" %s=%s"):format(k, tostring(d[k])) end
  end
  return table.concat(w)
end

-- The kernel state a lab can touch, one self-contained line per fact:
-- namespaces, links (a macvlan's, vlan's or vxlan's parent and settings
-- too), addresses, routes of every table, forwarding and IPv6 switches,
-- nftables. With brief, what follows from the rest is left out
-- (routes the kernel adds for addresses, loopback's address, default MTUs).
function t.dump(brief)
  local out = {}
  local names = {"root"}
  for _, n in ipairs(ns.list()) do names[#names + 1] = n.name end
  for _, n in ipairs(names) do
    if n ~= "root" then out[#out + 1] = "ns " .. n end
    for _, l in ipairs(link.list(n)) do
      local mtu = l.mtu
      if brief and (mtu == 1500 or (l.kind == "loopback" and mtu == 65536)) then mtu = nil end
      out[#out + 1] = ("%s link %s %s %s%s%s%s%s%s"):format(n, l.name, l.kind, l.up and "up" or "down",
        mtu and " mtu=" .. mtu or "", l.master and " master=" .. l.master or "",
        l.peer and " peer=" .. l.peer .. "@" .. (l.peer_ns or "?") or "",
        l.alias and " alias=" .. l.alias or "", stacked(l))
      for _, a in ipairs(l.addrs) do
        -- Link-local addresses come from random MACs: not part of what a lab decides.
        local skip = a:match("^fe80:") or (brief and l.kind == "loopback")
        if not skip then out[#out + 1] = ("%s addr %s %s"):format(n, l.name, a) end
      end
    end
    for _, l in ipairs(t.bridge_vlans(n)) do out[#out + 1] = ("%s vlan %s"):format(n, l) end
    for _, r in ipairs(route.list{ns = n, table = "all"}) do
      local skip = r.type ~= "unicast" or r.dst:match("^fe80:") or (brief and r.proto == "kernel")
      if not skip then out[#out + 1] = ("%s route %s"):format(n, tostring(r)) end
    end
    for _, k in ipairs{"net.ipv4.ip_forward", "net.ipv6.conf.all.disable_ipv6",
                       "net.ipv6.conf.default.disable_ipv6"} do
      local v = ns.sysctl(n, k)
      if not (brief and v == "0") then out[#out + 1] = ("%s sysctl %s=%s"):format(n, k, v) end
    end
    -- link.impair's root qdiscs, as tc sees them (the kernel's defaults left out).
    local qd = ns.capture(n, "tc", "-j", "qdisc", "show")
    for _, q in ipairs(json.decode(qd ~= "" and qd or "[]")) do
      if q.root and (q.kind == "tbf" or q.kind == "netem") then
        -- Nested objects (netem's delay, loss …) flattened as key.sub=value, in order.
        local o = {}
        local function flat(prefix, t)
          for k, v in pairs(t) do
            if type(v) == "table" then flat(prefix .. k .. ".", v) else o[#o + 1] = prefix .. k .. "=" .. tostring(v) end
          end
        end
        flat("", q.options or {})
        table.sort(o)
        out[#out + 1] = ("%s qdisc %s %s %s"):format(n, q.dev, q.kind, table.concat(o, " "))
      end
    end
    local rules = ns.capture(n, "nft", "list", "ruleset")
    for line in rules:gmatch("[^\n]+") do
      -- Counters count traffic, not what a lab decided.
      line = line:gsub("^%s+", ""):gsub("%s+$", ""):gsub("counter packets %d+ bytes %d+ ", "")
      out[#out + 1] = ("%s nft %s"):format(n, line)
    end
  end
  -- This process's handles would keep namespaces other netlabs delete alive.
  netlab._release()
  table.sort(out)
  return table.concat(out, "\n")
end

-- The VLANs of a namespace's bridges as `bridge -j vlan` (the witness) gives
-- them, a line each: "PORT VID [pvid] [untagged]"; none without a bridge,
-- and none where the kernel has no VLAN filtering.
function t.bridge_vlans(n)
  local any = false
  for _, l in ipairs(link.list(n)) do any = any or l.kind == "bridge" end
  if not any then return {} end
  local out = {}
  local text = ns.capture(n, "bridge", "-j", "vlan", "show")
  local ok, list = pcall(json.decode, text)
  if not ok or type(list) ~= "table" then error("bridge -j vlan: " .. text, 2) end
  for _, p in ipairs(list) do
    for _, v in ipairs(p.vlans or {}) do
      local flags = {}
      for _, f in ipairs(v.flags or {}) do flags[f] = true end
      for vid = v.vlan, v.vlanEnd or v.vlan do
        out[#out + 1] = ("%s %d%s%s"):format(p.ifname, vid, flags.PVID and " pvid" or "",
                                             flags["Egress Untagged"] and " untagged" or "")
      end
    end
  end
  table.sort(out)
  return out
end

-- What a bundled script needs of the kernel that this one may lack, read
-- from the script itself: nil when it runs here, else the one line it
-- stops with. Detected (bridge.has_vlan_filtering asks the kernel), never
-- assumed of a machine.
local NEEDS = {
  {"bridge.need_vlan_filtering()", function() return bridge.has_vlan_filtering() end,
   "bridge.need_vlan_filtering: this kernel has no bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING)"},
}
function t.script_refusal(name)
  local src = t.read("scripts/" .. name .. ".lua") or ""
  for _, need in ipairs(NEEDS) do
    if src:find(need[1], 1, true) and not need[2]() then return need[3] end
  end
end

-- For a bundled script this kernel cannot run: true once it is shown that
-- running it (and a dry run of it) stops at once with its one clear line,
-- building nothing and keeping no lab, so that the caller skips the rest;
-- nil for a script that runs here.
function t.refused_script(name)
  local line = t.script_refusal(name)
  if not line then return nil end
  local before = t.snapshot()
  for _, words in ipairs{{"run", "scripts/" .. name .. ".lua"},
                         {"run", "--dry-run", "scripts/" .. name .. ".lua"}} do
    local out, code = t.run(table.unpack(words))
    local what = table.concat(words, " ")
    t.eq(code, 1, what .. ": refused: " .. out)
    t.ok(out:find(line, 1, true), what .. ": says what the kernel lacks: " .. out)
    t.eq(select(2, out:gsub("\n", "")), 1, what .. ": in one line: " .. out)
    t.same_state(before, what .. ": nothing built, no lab kept", t.snapshot)
  end
  return true
end

-- The lines of b that a lacks, and the lines of a that b lacks.
function t.delta(a, b)
  local la, lb = {}, {}
  for l in a:gmatch("[^\n]+") do la[l] = true end
  for l in b:gmatch("[^\n]+") do lb[l] = true end
  local added, removed = {}, {}
  for l in pairs(lb) do if not la[l] then added[#added + 1] = l end end
  for l in pairs(la) do if not lb[l] then removed[#removed + 1] = l end end
  table.sort(added)
  table.sort(removed)
  return added, removed
end

-- A fresh directory for a test's scripts, and script(name, text), which
-- writes name.lua there and returns its path.
function t.scratch()
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir -p " .. dir))
  return dir, function(name, text)
    local path = dir .. "/" .. name .. ".lua"
    local f = assert(io.open(path, "w"))
    f:write(text)
    f:close()
    return path
  end
end

-- The text of a file, or nil when it cannot be read.
function t.read(path)
  local f = io.open(path)
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

-- b against a, line by line: "- " what is gone, "+ " what is new.
function t.diff(a, b)
  local added, removed = t.delta(a, b)
  local d = {}
  for _, l in ipairs(removed) do d[#d + 1] = "- " .. l end
  for _, l in ipairs(added) do d[#d + 1] = "+ " .. l end
  return table.concat(d, "\n")
end

-- t.dump, and the entries of /run/netns (namespaces or not) and of
-- /run/netlab (the labs' records and locks): all a netlab run may leave.
function t.snapshot()
  local out = {t.dump()}
  for _, dir in ipairs{"/run/netns", "/run/netlab"} do
    local ok, names = pcall(netlab._ls, dir)
    for _, n in ipairs(ok and names or {}) do out[#out + 1] = "file " .. dir .. "/" .. n end
  end
  return table.concat(out, "\n")
end

-- Fails unless the state now (of snap, default t.dump) is before's.
function t.same_state(before, what, snap)
  local after = (snap or t.dump)()
  if after ~= before then error(what .. ": state differs:\n" .. t.diff(before, after), 2) end
end

function t.done()
  print(("# %d passed, %d failed"):format(passed, failed))
  io.stdout:flush()
  if failed > 0 then os.exit(1, true) end
end

t.json = json
return t
