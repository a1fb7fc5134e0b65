-- Big labs: IPv6 kept quiet (addrgenmode, bridges without multicast
-- snooping), addresses made with their link, the bridge's 1023-port limit,
-- and bench/star.lua spreading star 2000 over two bridges, with netlab's
-- descriptors bounded. Witnesses: `ip -j`, ping.
local t = require "t"

-- The cases that need it make namespace q1; t.fresh takes it away after.
local function make_q() return ns.add("q1", {lo = true}) end

-- The IPv6 link-local addresses of a link, as ip reports them.
local function ll6(n, dev)
  local c = 0
  for a in pairs(t.ipaddrs(n, dev)) do
    if a:match("^fe80:") then c = c + 1 end
  end
  return c
end

local function iplink(n, dev)
  return t.ip(n, "-d", "link", "show", "dev", dev)[1]
end

-- An ARP broadcast in star 2000 is copied to every port at once, more than
-- the kernel's backlog holds (net.core.netdev_max_backlog, 1000 packets a
-- CPU; /proc/net/softnet_stat counts the drops), and the answer can be
-- dropped with them: a first ping may be lost where a later one, with the
-- addresses resolved, is not (t.ping_eventually).
local ping_eventually = t.ping_eventually

-- The number of links on a bridge, by ip.
local function ports(br)
  return #t.ip(nil, "link", "show", "master", br)
end

t.test("addrgenmode none: no link-local address on a bridge or either end of a veth", function()
  local _ <close> = t.fresh()
  local q = make_q()
  local br = bridge.add("brq", {up = true, addrgenmode = "none", mcast_snooping = false})
  link.veth{"vq1", master = br, up = true, addrgenmode = "none",
            peer = {"eth0", ns = q, up = true, addrgenmode = "none", addr = "10.9.0.2/24"}}
  -- A pair without it, on the same bridge: the witness that the check can fail.
  link.veth{"vq2", master = br, up = true, peer = {"eth1", ns = q, up = true}}
  for _ = 1, 200 do
    if ll6(nil, "vq2") > 0 and ll6("q1", "eth1") > 0 then break end
    netlab.sleep(0.01)
  end
  t.eq(ll6(nil, "vq2"), 1, "vq2 (default mode) has its link-local address")
  t.eq(ll6("q1", "eth1"), 1, "eth1 (default mode) has its link-local address")
  t.eq(ll6(nil, "vq1"), 0, "vq1: none")
  t.eq(ll6("q1", "eth0"), 0, "eth0: none")
  t.eq(ll6(nil, "brq"), 0, "the bridge: none")
  t.eq(iplink(nil, "vq1").inet6_addr_gen_mode, "none", "vq1 addrgenmode by ip")
  t.eq(iplink("q1", "eth0").inet6_addr_gen_mode, "none", "eth0 addrgenmode by ip")
  t.eq(iplink(nil, "brq").linkinfo.info_data.mcast_snooping, 0, "bridge without snooping")
  t.eq(iplink(nil, "vq1").num_tx_queues, 1, "one tx queue (given, not shrunk)")
  t.eq(iplink("q1", "eth0").num_rx_queues, 1, "the peer's one rx queue")
  t.ok(t.ipaddrs("q1", "eth0")["10.9.0.2/24"], "the IPv4 address is there")
  local vq1 = iplink(nil, "vq1")
  t.ok(t.has_flag(vq1, "UP") and t.has_flag(vq1, "LOWER_UP"), "vq1 up with carrier")
  t.eq(iplink(nil, "vq1").master, "brq", "vq1 on the bridge")
end)

t.test("veth queues", function()
  local _ <close> = t.fresh()
  local q = make_q()
  link.veth{"vm1", queues = 4, peer = {"vm2", ns = q}}
  t.eq(iplink(nil, "vm1").num_tx_queues, 4, "4 tx queues")
  t.eq(iplink("q1", "vm2").num_rx_queues, 4, "the peer's 4 rx queues")
  t.fails(function() link.veth{"vm3", queues = 0, peer = "vm4"} end, "bad argument", "queues")
  link.del("vm1")
end)

t.test("link.set addrgenmode, and bad values", function()
  local _ <close> = t.fresh()
  local q = make_q()
  link.veth{"vq1", up = true, addrgenmode = "none", peer = {"eth0", ns = q}}
  link.set("vq1", {addrgenmode = "eui64"})
  t.eq(iplink(nil, "vq1").inet6_addr_gen_mode, "eui64", "back to eui64")
  link.set("vq1", {addrgenmode = "none", up = true})
  t.eq(iplink(nil, "vq1").inet6_addr_gen_mode, "none", "none again")
  t.fails(function() link.veth{"x1", addrgenmode = "off", peer = "x2"} end,
    "bad argument", "addrgenmode", '"off"')
  t.fails(function() link.set("vq1", {addrgenmode = 1}) end, "bad argument", "addrgenmode")
  t.eq(link.get("x1"), nil, "nothing made")
end)

t.test("an address that fails takes its whole link with it", function()
  local _ <close> = t.fresh()
  local q = make_q()
  local err = t.fails(function()
    link.veth{"d1", up = true,
              peer = {"d2", ns = q, up = true, addr = {"10.8.0.1/24", "10.8.0.1/24"}}}
  end, '10.8.0.1/24 on "d2" in "q1"', "EEXIST")
  t.ok(err:find("link.veth", 1, true), "named after the function called: " .. err)
  t.eq(link.get("d1"), nil, "no d1")
  t.eq(link.get("d2", {ns = q}), nil, "no d2")
  local l = link.veth{"d3", addr = "10.8.1.1/24", peer = {"d4", ns = q, addr = "10.8.1.2/24"}}
  t.eq(l.index, iplink(nil, "d3").ifindex, "index")
  t.eq(l.peer.index, iplink("q1", "d4").ifindex, "peer index")
  t.ok(t.ipaddrs(nil, "d3")["10.8.1.1/24"] and t.ipaddrs("q1", "d4")["10.8.1.2/24"],
    "both ends addressed")
  link.del(l)
end)

t.test("a lone bridge past 1023 ports fails, saying why", function()
  local _ <close> = t.fresh()
  local out, code = t.run("run", "bench/star.lua", "n=1024", "bridges=1", "ipv6=quiet")
  t.ok(code ~= 0, "star 1024 on one bridge fails")
  t.ok(out:find('veth "vh1024"', 1, true), "names the link: " .. out)
  t.ok(out:find("a Linux bridge holds at most 1023 ports", 1, true), "explains: " .. out)
  t.ok(out:find("(EXFULL)", 1, true), "the kernel's errno")
  t.ok(out:find('rolled back: ', 1, true), "the run rolled back: " .. out)
  t.eq(link.get("br0"), nil, "no bridge left")
  t.eq(link.get("vh1024"), nil, "nothing left of vh1024")
  t.eq(#ns.list(), 1, "only the sandbox's internet is left")
end)

t.test("star 2000 over two bridges: one Ethernet, descriptors bounded", function()
  local path = os.tmpname()
  local f = assert(io.open(path, "w"))
  -- The star, then how many descriptors netlab holds ($PPID of the shell).
  f:write('dofile("bench/star.lua")\n',
          'io.write("fds ", ns.capture(nil, "sh", "-c", "ls /proc/$PPID/fd | wc -l"))\n')
  f:close()
  local out, code = t.run("run", path, "n=2000", "ipv6=quiet")
  os.remove(path)
  t.eq(code, 0, "built: " .. out:sub(-300))
  local fds = tonumber(out:match("fds (%d+)"))
  t.ok(fds and fds < 300, ("descriptors at the end: %s for 2000 namespaces"):format(fds))
  t.eq(ports("br0"), 1001, "br0: 1000 hosts and the trunk to br1")
  t.eq(ports("br1"), 1001, "br1: 1000 hosts and the trunk to br0")
  t.eq(iplink(nil, "vh1000").master, "br0", "vh1000 on br0")
  t.eq(iplink(nil, "vh1001").master, "br1", "vh1001 on br1")
  t.eq(iplink(nil, "up1").master, "br1", "the trunk's br1 end")
  t.eq(iplink(nil, "tr1").master, "br0", "the trunk's br0 end")
  t.ok(t.ipaddrs("h2000", "eth0")["10.0.7.209/16"], "h2000 is 10.0.7.209")
  t.eq(ll6("h2000", "eth0"), 0, "quiet: no link-local address")
  t.ok(ping_eventually("h2000", "10.0.0.1"), "h2000 reaches the gateway across the trunk")
  t.ok(ping_eventually("h1", "10.0.7.209"), "h1 reaches h2000")
end)

t.done()
