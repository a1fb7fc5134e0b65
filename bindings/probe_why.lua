-- The probe module, continued: probe.why(FROM, TO [, {proto =, port =}]),
-- why a packet does or does not get from FROM to TO and back. It walks the
-- model (netlab.state()) namespace by namespace, asking each namespace's own
-- route lookup (route.get, the kernel's RTM_GETROUTE) with the source and
-- input link the packet really has, checks the links, the far side of each
-- link (who owns the next hop), forwarding, rp_filter and the nftables
-- verdicts (why_nft), then walks the reply with the addresses translated on
-- the way. The first broken hop is the one cause; a real probe is sent too,
-- and the answer says so when the two disagree.
-- This file: the model indexed and the checks of one hop, each failing one a
-- cause with its fix; probe_why_walk.lua walks, probe_why_text.lua prints.
local probe = ...

-- The nftables half (bindings/why_nft.lua, netlab.why_nft); were it
-- missing, every chain would accept and only the real probe would see a drop.
-- Asked for when first used: the libraries a script may require are
-- registered after the modules' Lua halves have run (bindings/init.c).
local why_nft
local function nft_verdict(...)
  if not why_nft then
    local ok, m = pcall(require, "netlab.why_nft")
    why_nft = ok and type(m) == "table" and m.verdict and m or
      {verdict = function() return {verdict = "accept", policy = true} end}
  end
  return pcall(why_nft.verdict, ...)
end

local MAXHOPS = 32
local link_cause

local function nsname(v)
  if type(v) == "table" and getmetatable(v) == netlab._meta("netlab.ns") then return v.name end
  return v
end

local function q(s) return ("%q"):format(s) end

-- The netlab line's ns option, and the tutorial command's prefix.
local function nsopt(n) return n == "root" and "" or (", ns = %s"):format(q(n)) end
-- The same as a table of options, for the functions that take one after LINK.
local function nstab(n) return n == "root" and "" or (", {ns = %q}"):format(n) end
local function ipn(n) return n == "root" and "ip " or ("ip -n %s "):format(n) end
local function nexec(n) return n == "root" and "" or ("ip netns exec %s "):format(n) end

-- The model, indexed: namespaces by name, links by namespace and name,
-- addresses by their owner.
local function index_state()
  local W = {ns = {}, owner = {}}
  for _, e in ipairs(netlab.state()) do
    if not e.gone then
      W.ns[e.name] = e
      e.byname = {}
      for _, l in ipairs(e.links) do
        e.byname[l.ifname] = l
        for _, a in ipairs(l.addr_info) do
          if a.scope ~= "host" or l.ifname ~= "lo" then
            W.owner[a["local"]] = W.owner[a["local"]] or {ns = e.name, dev = l.ifname}
          end
        end
      end
    end
  end
  probe._why_l2.index(W)
  return W
end

local function linkof(W, n, dev)
  local e = W.ns[n]
  return e and e.byname[dev]
end

local function family_of(addr) return addr:find(":", 1, true) and "inet6" or "inet" end

local function addr_on(l, family)
  for _, a in ipairs(l and l.addr_info or {}) do
    if a.family == family and a.scope ~= "link" then return a["local"], a.prefixlen end
  end
end

-- The network of a namespace's address ("192.168.52.0/24"), for fixes.
local function subnet_of(W, addr)
  local o = W.owner[addr]
  local l = o and linkof(W, o.ns, o.dev)
  for _, a in ipairs(l and l.addr_info or {}) do
    if a["local"] == addr then return netlab.cidr(addr .. "/" .. a.prefixlen).network end
  end
  return addr .. (family_of(addr) == "inet" and "/32" or "/128")
end

local function has_default(W, n, family)
  for _, r in ipairs(W.ns[n].routes) do
    if r.dst == "default" and r.family == family and r.table == "main" then return true end
  end
  return false
end

-- Everything a frame sent out of one link reaches without routing, the
-- ends up ({ns, dev}), the links down on the way, the bridges met and the
-- causes that stopped a vxlan: probe_why_l2.lua's, which knows the kinds
-- (loaded after this file, so asked for when called).
local function l2_domain(W, n, dev) return probe._why_l2.domain(W, n, dev) end

local function owns(W, e, addr)
  local l = linkof(W, e.ns, e.dev)
  for _, a in ipairs(l and l.addr_info or {}) do
    if a["local"] == addr then return true end
  end
  return false
end

-- Which bridges of namespace m are on the link from (n, dev).
local function bridge_in(bridges, m)
  for _, b in ipairs(bridges) do
    if b.ns == m then return b.dev end
  end
end

local function sysctl(n, key)
  local ok, v = pcall(ns.sysctl, n, key)
  return ok and tonumber(v) or nil
end

local function cause(code, n, object, message, netlab_fix, command)
  return {code = code, ns = n, object = object, message = message,
          fix = (netlab_fix or command) and {netlab = netlab_fix, command = command} or nil}
end

-- The fix of a link that is down, as netlab and as ip say it (two values).
local function up_fix(n, dev)
  return ("link.up(%q%s)"):format(dev, nstab(n)), ipn(n) .. "link set " .. dev .. " up"
end

-- ns.forwarding turns IPv4's on; IPv6's is its sysctl.
local function forwarding_off(n, fam)
  local key = fam == "inet" and "net.ipv4.ip_forward" or "net.ipv6.conf.all.forwarding"
  return cause("forwarding-off", n, key, ("%s would route it but forwarding is off"):format(n),
               fam == "inet" and ("ns.forwarding(%q, true)"):format(n) or
                 ("ns.sysctl(%q, %q, 1)"):format(n, key),
               nexec(n) .. "sysctl -w " .. key .. "=1")
end

-- A gateway FROM could use: an address on one of its links' far sides whose
-- namespace forwards (or has a default route itself), in the same subnet.
local function gateway_for(W, n, family)
  local best
  for _, l in ipairs(W.ns[n].links) do
    local mine, plen = addr_on(l, family)
    if mine and l.up then
      local net = netlab.cidr(mine .. "/" .. plen).network
      local ends = l2_domain(W, n, l.ifname)
      for _, e in ipairs(ends) do
        for _, a in ipairs(linkof(W, e.ns, e.dev).addr_info) do
          local ip = a["local"]
          if a.family == family and a.scope ~= "link" and
              netlab.cidr(ip .. "/" .. plen).network == net then
            local fw = W.ns[e.ns].forwarding[family == "inet" and "ipv4" or "ipv6"]
            if fw then return ip end
            best = best or ip
          end
        end
      end
      -- Nothing reachable yet (a port off its bridge, say): an address of
      -- the same subnet in a namespace that forwards, where it will be.
      local same = {}
      for addr, o in pairs(W.owner) do
        if o.ns ~= n and family_of(addr) == family and netlab.cidr(addr .. "/" .. plen).network == net then
          same[#same + 1] = addr
        end
      end
      table.sort(same)
      for _, addr in ipairs(same) do
        if not best and W.ns[W.owner[addr].ns].forwarding[family == "inet" and "ipv4" or "ipv6"] then
          best = addr
        end
      end
      best = best or same[1]
    end
  end
  return best
end

-- Words as a Lua list ({"a", "b"}), for ns.exec lines.
local function argv(words)
  local q_ = {}
  for i, w in ipairs(words) do q_[i] = q(w) end
  return "{" .. table.concat(q_, ", ") .. "}"
end

-- What lets the packet through where v dropped it: netlab's own forward
-- chain takes nat.allow; another table (iptables', nft's) an accept rule
-- of its own kind inserted first, run through ns.exec.
local function accept_fix(W, n, hook, pkt, v)
  local fam6 = pkt.family == 6
  local src, dst = subnet_of(W, pkt.src or "?"), subnet_of(W, pkt.dst)
  if v.table == "netlab" and hook == "forward" then
    return ("nat.allow{src = %q, dst = %q%s}"):format(src, dst, nsopt(n)),
      ("%snft insert rule inet netlab forward %s saddr %s %s daddr %s accept"):format(
        nexec(n), fam6 and "ip6" or "ip", src, fam6 and "ip6" or "ip", dst)
  end
  local words
  if (v.family == "ip" or v.family == "ip6") and (v.chain or ""):match("^%u+$") then
    words = {fam6 and "ip6tables" or "iptables"}
    if v.table and v.table ~= "filter" then
      words[2], words[3] = "-t", v.table
    end
    for _, w in ipairs{"-I", v.chain, "-s", src, "-d", dst} do words[#words + 1] = w end
    if pkt.dport then
      for _, w in ipairs{"-p", pkt.proto, "--dport", tostring(pkt.dport)} do words[#words + 1] = w end
    end
    words[#words + 1] = "-j"
    words[#words + 1] = "ACCEPT"
  else
    local f = fam6 and "ip6" or "ip"
    words = {"nft", "insert", "rule", v.family or "inet", v.table or "TABLE", v.chain or "CHAIN",
             f, "saddr", src, f, "daddr", dst}
    if pkt.dport then
      for _, w in ipairs{pkt.proto, "dport", tostring(pkt.dport)} do words[#words + 1] = w end
    end
    words[#words + 1] = "accept"
  end
  return ("ns.exec(%q, %s)"):format(n, argv(words)), nexec(n) .. table.concat(words, " ")
end

-- The nftables verdict of one hook, as a cause when it is not accept.
local function nft_check(W, n, hook, pkt, hop)
  pkt.ct = pkt.ct or W.ct
  local ok, v = nft_verdict(W.ns[n], hook, pkt)
  if not ok or type(v) ~= "table" then return nil end
  if v.nat then hop.nat = v.nat end
  for _, u in ipairs(v.unknown or {}) do W.unknown[#W.unknown + 1] = u end
  if v.verdict == "drop" or v.verdict == "reject" then
    local obj = ("table %s %s chain %s %s"):format(v.family or "?", v.table or "?", v.chain or "?",
                                                v.policy and "policy " .. v.verdict or
                                                ("rule %q"):format(v.rule or "?"))
    hop.verdict = v.verdict
    local line, command = accept_fix(W, n, hook, pkt, v)
    return cause("filtered", n, obj, ("%s %ss it in %s (%s)"):format(n, v.verdict, hook, obj),
                 line, command)
  end
end

-- Where a packet leaving (n, dev) towards nh lands: {ns, dev}, or a cause.
local function next_hop(W, n, dev, nh, family, towards)
  local l = linkof(W, n, dev)
  if not l then
    return nil, cause("unknown", n, dev, ("%s has no link %s in the model"):format(n, dev))
  end
  if not l.up then
    return nil, cause("link-down", n, dev, ("%s's link %s is down"):format(n, dev),
                      up_fix(n, dev))
  end
  local ends, down, bridges, blocked = l2_domain(W, n, dev)
  for _, e in ipairs(ends) do
    if owns(W, e, nh) then return e end
  end
  local L2 = probe._why_l2
  -- Linux answers ARP for any address of its own on any of its links (the
  -- weak host model, arp_ignore 0): a namespace on the link that has nh
  -- elsewhere takes the packet all the same.
  local o = W.owner[nh]
  for _, e in ipairs(ends) do
    if o and o.ns == e.ns and (sysctl(e.ns, "net.ipv4.conf.all.arp_ignore") or 0) == 0 then return e end
  end
  -- A macvlan's (ipvlan's, vlan's) parent down.
  local pc = L2.down_cause(W, n, dev, down)
  if pc then return nil, pc end
  -- A link down on the way: the one that has nh, the port whose far end has
  -- it, or the link's own far end when nothing else is reached.
  for _, e in ipairs(down) do
    local x = linkof(W, e.ns, e.dev) or {}
    local beyond = x.peer and W.ns[x.peer.ns] and owns(W, {ns = x.peer.ns, dev = x.peer.ifname}, nh)
    local direct = l.peer and l.peer.ns == e.ns and l.peer.ifname == e.dev and #ends == 0
    if owns(W, e, nh) or beyond or direct or x.kind == "bridge" then
      local what = l.carrier == false and "no-carrier" or "link-down"
      return nil, cause(what, e.ns, e.dev,
                        ("%s's link %s is up but %s, on the other side in %s, is down%s"):format(
                          n, dev, e.dev, e.ns, what == "no-carrier" and " (no carrier)" or ""),
                        up_fix(e.ns, e.dev))
    end
  end
  -- A vxlan on the way that could not carry it (its underlay, VNI, port).
  if blocked[1] then return nil, blocked[1] end
  -- A parent and its own macvlan, siblings kept apart by their mode.
  local kc = L2.cause(W, n, dev, nh)
  if kc then return nil, kc end
  -- Nobody on the link has it. A veth end left off the bridge is the classic.
  local mine = l.peer and linkof(W, l.peer.ns, l.peer.ifname)
  if mine and not mine.master and not addr_on(mine, family) then
    local m = l.peer.ns
    local b
    for _, x in ipairs(W.ns[m].links) do
      if x.kind == "bridge" then
        -- The bridge that has the next hop, on itself or behind a port.
        local ends = l2_domain(W, m, x.ifname)
        ends[#ends + 1] = {ns = m, dev = x.ifname}
        for _, e in ipairs(ends) do
          if owns(W, e, nh) then b = x.ifname end
        end
        b = b or (not o and x.ifname) or nil
      end
    end
    if b then
      return nil, cause("not-on-bridge", m, l.peer.ifname,
                        ("%s's end %s is on no bridge: nothing it carries reaches %s"):format(
                          n, l.peer.ifname, b),
                        ("link.set(%q, {master = %q%s})"):format(l.peer.ifname, b, nsopt(m)),
                        ipn(m) .. "link set " .. l.peer.ifname .. " master " .. b)
    end
  end
  if o then
    local ol = linkof(W, o.ns, o.dev)
    local peer = ol and ol.peer and linkof(W, ol.peer.ns, ol.peer.ifname)
    local b = ol and ol.peer and bridge_in(bridges, ol.peer.ns)
    if peer and not peer.master and b then
      return nil, cause("not-on-bridge", ol.peer.ns, ol.peer.ifname,
                        ("%s (%s's %s) is behind %s, which is on no bridge: nothing on %s reaches it"):format(
                          nh, o.ns, o.dev, ol.peer.ifname, b),
                        ("link.set(%q, {master = %q%s})"):format(ol.peer.ifname, b, nsopt(ol.peer.ns)),
                        ipn(ol.peer.ns) .. "link set " .. ol.peer.ifname .. " master " .. b)
    end
    return nil, cause("no-neighbor", n, nh,
                      ("%s sends to %s through %s, but %s (%s's) is not on that link: nothing answers ARP%s"):format(
                        n, nh, dev, nh, o.ns, towards and (" for " .. towards) or ""))
  end
  return nil, cause("no-neighbor", n, nh,
                    ("%s sends to %s through %s, but no namespace has %s: nothing answers ARP"):format(
                      n, nh, dev, nh))
end

-- The kernel's words without the errno name route.get adds.
local function words(msg) return (tostring(msg):gsub(" %(%u+%)$", "")) end

-- Why a namespace's own lookup finds nothing, when a link of it explains
-- it: a link that is down (the kernel took its routes away with it), or the
-- destination on a link's far side while the link's address is in another
-- subnet (a typo in an address).
local function link_cause(W, n, dst, fam)
  local down
  for _, l in ipairs(W.ns[n].links) do
    local a = addr_on(l, fam)
    if a and l.ifname ~= "lo" and not l.up then
      local _, plen = addr_on(l, fam)
      if netlab.cidr(a .. "/" .. plen).network == netlab.cidr(dst .. "/" .. plen).network or not down then
        down = l
      end
    end
  end
  if down then
    return cause("link-down", n, down.ifname, ("%s's link %s is down, and its routes with it"):format(n, down.ifname),
                 up_fix(n, down.ifname))
  end
  for _, l in ipairs(W.ns[n].links) do
    local a, plen = addr_on(l, fam)
    if a and l.up and l.ifname ~= "lo" then
      for _, e in ipairs((l2_domain(W, n, l.ifname))) do
        for _, x in ipairs(linkof(W, e.ns, e.dev).addr_info) do
          if x["local"] == dst then
            local net = netlab.cidr(dst .. "/" .. x.prefixlen).network
            local host = a:match("[%.:](%x+)$")
            local want = net:gsub("[^%.:]+/%d+$", host) .. "/" .. x.prefixlen
            if fam ~= "inet" or W.owner[want:match("^[^/]+")] then want = nil end
            return cause("no-route", n, l.ifname,
                         ("%s is on %s's link %s, but %s's address there, %s/%d, is in another subnet (%s)"):format(
                           dst, n, l.ifname, n, a, plen, net),
                         want and ("link.addr_del(%q, %q%s); link.addr_add(%q, %q%s)"):format(
                           l.ifname, a .. "/" .. plen, nstab(n),
                           l.ifname, want, nstab(n)),
                         want and ("%saddr del %s/%d dev %s && %saddr add %s dev %s"):format(
                           ipn(n), a, plen, l.ifname, ipn(n), want, l.ifname))
          end
        end
      end
    end
  end
end

-- A namespace whose route names a link but which has no address to send
-- from (a route typed to a device before any address): the packet leaves
-- with source 0.0.0.0 and nothing can answer it. The fix offers the first
-- free address of the destination's subnet, when the destination is known.
local function no_address(W, n, dev, dst, fam)
  local fix_addr
  if fam == "inet" and W.owner[dst] then
    local net = subnet_of(W, dst)
    for k = 1, 254 do
      local ok, a = pcall(netlab.hostcidr, net, k)
      if not ok then break end
      if not W.owner[a:match("^[^/]+")] then fix_addr = a break end
    end
  end
  return cause("no-address", n, dev,
               ("%s has no %s address to send from: its route to %s leaves by %s, which has none"):format(
                 n, fam == "inet" and "IPv4" or "IPv6", dst, dev),
               fix_addr and ("link.addr_add(%q, %q%s)"):format(dev, fix_addr, nstab(n)),
               fix_addr and ("%saddr add %s dev %s"):format(ipn(n), fix_addr, dev))
end

-- What the walk (probe_why_walk.lua) reads the model and says causes with.
probe._why_lib = {
  MAXHOPS = MAXHOPS,
  nsname = nsname,
  nsopt = nsopt,
  nstab = nstab,
  ipn = ipn,
  nexec = nexec,
  index_state = index_state,
  linkof = linkof,
  family_of = family_of,
  addr_on = addr_on,
  subnet_of = subnet_of,
  has_default = has_default,
  l2_domain = l2_domain,
  sysctl = sysctl,
  cause = cause,
  up_fix = up_fix,
  forwarding_off = forwarding_off,
  gateway_for = gateway_for,
  nft_check = nft_check,
  next_hop = next_hop,
  words = words,
  link_cause = link_cause,
  no_address = no_address,
}

return probe
