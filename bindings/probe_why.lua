-- The probe module, continued: probe.why(FROM, TO [, {proto =, port =}]),
-- why a packet does or does not get from FROM to TO and back. It walks the
-- model (netlab.state()) namespace by namespace, asking each namespace's own
-- route lookup (route.get, the kernel's RTM_GETROUTE) with the source and
-- input link the packet really has, checks the links, the far side of each
-- link (who owns the next hop), forwarding, rp_filter and the nftables
-- verdicts (why_nft), then walks the reply with the addresses translated on
-- the way. The first broken hop is the one cause; a real probe is sent too,
-- and the answer says so when the two disagree.
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

-- Everything one link reaches without routing: its veth peer, a bridge and
-- the bridge's ports and their peers. Returns the ends reached that are up
-- ({ns, dev}), the ends that are down on the way, and the bridges met.
local function l2_domain(W, n, dev)
  local seen, ends, down, bridges = {}, {}, {}, {}
  local function visit(m, d, first)
    local key = m .. "|" .. d
    if seen[key] then return end
    seen[key] = true
    local l = linkof(W, m, d)
    if not l then return end
    if not first and not l.up then
      down[#down + 1] = {ns = m, dev = d}
      return
    end
    if not first then ends[#ends + 1] = {ns = m, dev = d} end
    if l.kind == "bridge" then
      bridges[#bridges + 1] = {ns = m, dev = d}
      for _, p in ipairs(W.ns[m].links) do
        if p.master == d then visit(m, p.ifname) end
      end
    elseif l.master and not first then
      visit(m, l.master)
    end
    if l.peer and l.peer.ns and W.ns[l.peer.ns] then visit(l.peer.ns, l.peer.ifname) end
  end
  visit(n, dev, true)
  return ends, down, bridges
end

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
                      ("link.up(%q%s)"):format(dev, nstab(n)),
                      ipn(n) .. "link set " .. dev .. " up")
  end
  local ends, down, bridges = l2_domain(W, n, dev)
  for _, e in ipairs(ends) do
    if owns(W, e, nh) then return e end
  end
  -- Linux answers ARP for any address of its own on any of its links (the
  -- weak host model, arp_ignore 0): a namespace on the link that has nh
  -- elsewhere takes the packet all the same.
  local o = W.owner[nh]
  for _, e in ipairs(ends) do
    if o and o.ns == e.ns and (sysctl(e.ns, "net.ipv4.conf.all.arp_ignore") or 0) == 0 then return e end
  end
  for _, e in ipairs(down) do
    if owns(W, e, nh) or (linkof(W, e.ns, e.dev) or {}).kind == "veth" or
        (linkof(W, e.ns, e.dev) or {}).kind == "bridge" then
      local what = l.carrier == false and "no-carrier" or "link-down"
      return nil, cause(what, e.ns, e.dev,
                        ("%s's link %s is up but %s, on the other side in %s, is down%s"):format(
                          n, dev, e.dev, e.ns, what == "no-carrier" and " (no carrier)" or ""),
                        ("link.up(%q%s)"):format(e.dev, nstab(e.ns)),
                        ipn(e.ns) .. "link set " .. e.dev .. " up")
    end
  end
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
function link_cause(W, n, dst, fam)
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
                 ("link.up(%q%s)"):format(down.ifname, nstab(n)),
                 ipn(n) .. "link set " .. down.ifname .. " up")
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

-- The walk of one direction. pkt = {src, dst, family, proto, dport}; start
-- in namespace n as a packet it sends itself. nat: the translations made on
-- the way there, reversed for the reply. Returns the path and either the
-- namespace that took the packet or a cause.
local function walk(W, n, pkt, o)
  local path, iif, last = {}, nil, nil
  for _ = 1, MAXHOPS do
    local hop = {ns = n, ["in"] = iif}
    path[#path + 1] = hop
    -- The reply meets the connections the way there made: a masqueraded
    -- source's reply is sent back to it before routing (prerouting), a
    -- DNAT's reply takes the old destination as its source after (postrouting).
    for _, t in ipairs(o.undo or {}) do
      if t.ns == n and t.kind == "src" and pkt.dst == t.to then pkt.dst = t.from end
    end
    if iif then
      local c = nft_check(W, n, "prerouting", {family = pkt.family == "inet6" and 6 or 4,
        src = pkt.src, dst = pkt.dst, proto = pkt.proto, dport = pkt.dport, iif = iif}, hop)
      if c then return path, nil, c end
      if hop.nat and hop.nat.kind == "dnat" then
        local to = hop.nat.addr or hop.nat.to and (hop.nat.to:match("^%[?([^%]]+)%]?:%d+$") or hop.nat.to)
        if to and family_of(to) == family_of(pkt.dst) then
          o.made[#o.made + 1] = {ns = n, kind = "dst", from = pkt.dst, to = to}
          pkt.dst = to
        end
      end
    end
    local r, msg, code = route.get(n, pkt.dst, {src = pkt.src, iif = iif})
    local fam = pkt.family
    if not r then
      local fwkey = fam == "inet" and "ipv4" or "ipv6"
      if iif and not W.ns[n].forwarding[fwkey] and W.owner[pkt.dst] and W.owner[pkt.dst].ns ~= n then
        return path, nil, cause("forwarding-off", n, fam == "inet" and "net.ipv4.ip_forward" or
                                  "net.ipv6.conf.all.forwarding",
                                ("%s would route it but forwarding is off"):format(n),
                                ("ns.forwarding(%q, true)"):format(n),
                                nexec(n) .. "sysctl -w " .. (fam == "inet" and "net.ipv4.ip_forward=1" or
                                  "net.ipv6.conf.all.forwarding=1"))
      end
      -- A strict rp_filter refuses the source as a martian: EINVAL from the
      -- lookup (EXDEV in older kernels), when the route back to the source
      -- leaves through another link.
      local strict = iif and fam == "inet" and (code == "EXDEV" or code == "EINVAL") and
        math.max(sysctl(n, "net.ipv4.conf.all.rp_filter") or 0,
                 sysctl(n, ("net.ipv4.conf.%s.rp_filter"):format(iif)) or 0) == 1
      local back = strict and pkt.src and route.get(n, pkt.src)
      if strict and (not back or back.dev ~= iif) then
        local key = ("net.ipv4.conf.%s.rp_filter"):format(iif)
        return path, nil, cause("rp-filter", n, key,
                                ("%s drops it on %s: rp_filter is strict and %s's route back to %s leaves through %s, not %s"):format(
                                  n, iif, n, pkt.src, back and back.dev or "no link", iif),
                                ("ns.sysctl(%q, %q, 2); ns.sysctl(%q, %q, 2)"):format(
                                  n, "net.ipv4.conf.all.rp_filter", n, key),
                                nexec(n) .. "sysctl -w net.ipv4.conf.all.rp_filter=2 " .. key .. "=2")
      end
      if iif and code == "EHOSTUNREACH" and not W.ns[n].forwarding[fwkey] then
        return path, nil, cause("forwarding-off", n, fam == "inet" and "net.ipv4.ip_forward" or
                                  "net.ipv6.conf.all.forwarding",
                                ("%s would route it but forwarding is off"):format(n),
                                ("ns.forwarding(%q, true)"):format(n),
                                nexec(n) .. "sysctl -w " .. (fam == "inet" and "net.ipv4.ip_forward=1" or
                                  "net.ipv6.conf.all.forwarding=1"))
      end
      if o.reply then
        return path, nil, {code = "no-route", ns = n, lookup = msg}
      end
      local c = not iif and link_cause(W, n, pkt.dst, fam)
      if c then return path, nil, c end
      if not iif and not has_default(W, n, fam) then
        local gw = gateway_for(W, n, fam)
        return path, nil, cause("no-default-route", n, "default",
                                ("%s has no default route, so no route to %s"):format(n, pkt.dst),
                                gw and ("route.add{\"default\", via = %q%s}"):format(gw, nsopt(n)),
                                gw and (ipn(n) .. "route add default via " .. gw))
      end
      return path, nil, cause("no-route", n, pkt.dst, ("%s has no route to %s: %s"):format(n, pkt.dst, words(msg)))
    end
    if not pkt.src and r.src then pkt.src = r.src end
    if r.type == "local" then
      hop.verdict = "local"
      if not iif then
        local lo = linkof(W, n, "lo")
        if lo and not lo.up then
          return path, nil, cause("lo-down", n, "lo",
                                  ("%s is %s's own address, and %s's lo is down"):format(pkt.dst, n, n),
                                  ("link.up(\"lo\"%s)"):format(nstab(n)),
                                  ipn(n) .. "link set lo up")
        end
      end
      local c = nft_check(W, n, iif and "input" or "output", {family = fam == "inet6" and 6 or 4,
        src = pkt.src, dst = pkt.dst, proto = pkt.proto, dport = pkt.dport, iif = iif}, hop)
      if c then return path, nil, c end
      return path, n
    end
    if r.type ~= "unicast" then
      return path, nil, cause("no-route", n, pkt.dst, ("%s's route to %s is of type %s"):format(n, pkt.dst, r.type))
    end
    hop.out, hop.via = r.dev, r.via
    local P = {family = fam == "inet6" and 6 or 4, src = pkt.src, dst = pkt.dst, proto = pkt.proto,
               dport = pkt.dport, iif = iif, oif = r.dev}
    if iif then
      hop.verdict = "forward"
      local fwkey = fam == "inet" and "ipv4" or "ipv6"
      if not W.ns[n].forwarding[fwkey] then
        return path, nil, cause("forwarding-off", n, fam == "inet" and "net.ipv4.ip_forward" or
                                  "net.ipv6.conf.all.forwarding",
                                ("%s would route it but forwarding is off"):format(n),
                                ("ns.forwarding(%q, true)"):format(n),
                                nexec(n) .. "sysctl -w " .. (fam == "inet" and "net.ipv4.ip_forward=1" or
                                  "net.ipv6.conf.all.forwarding=1"))
      end
      local c = nft_check(W, n, "forward", P, hop)
      if c then return path, nil, c end
      o.routers[#o.routers + 1] = {ns = n, out = r.dev, iif = iif}
    else
      local c = nft_check(W, n, "output", P, hop)
      if c then return path, nil, c end
    end
    hop.nat = nil
    local c = nft_check(W, n, "postrouting", P, hop)
    if c then return path, nil, c end
    if hop.nat and (hop.nat.kind == "masquerade" or hop.nat.kind == "snat") then
      local to = hop.nat.addr or hop.nat.to and (hop.nat.to:match("^%[?([^%]]+)%]?:%d+$") or hop.nat.to) or
        addr_on(linkof(W, n, r.dev), fam)
      if to and to ~= pkt.src then
        o.made[#o.made + 1] = {ns = n, kind = "src", from = pkt.src, to = to}
        hop.verdict = (hop.verdict or "out") .. ", " .. hop.nat.kind .. " to " .. to
        pkt.src = to
      end
    end
    for _, t in ipairs(o.undo or {}) do
      if t.ns == n and t.kind == "dst" and pkt.src == t.to then pkt.src = t.from end
    end
    local nh = r.via or pkt.dst
    local e, c2 = next_hop(W, n, r.dev, nh, fam, r.via and pkt.dst)
    if not e then return path, nil, c2 end
    last = n
    n, iif = e.ns, e.dev
  end
  return path, nil, cause("unknown", last, pkt.dst, ("the path is longer than %d hops (a loop?)"):format(MAXHOPS))
end

-- When the reply finds no way back: no NAT (the source was a private one
-- the far side cannot know) or a missing route on the far side.
local function no_way_back(W, from, fwd_routers, c, n, dst, there)
  local net = subnet_of(W, dst)
  local r = fwd_routers[#fwd_routers]
  -- Past a router that sent it out by its default route (the way to the
  -- world), or into the sandbox's internet, the source had to be translated.
  local world = n == "internet"
  if r and not world then
    local rr = route.get(r.ns, there)
    world = rr and rr.via ~= nil and not W.owner[there] or false
    for _, x in ipairs(W.ns[r.ns].routes) do
      if x.dst == "default" and x.dev == r.out and x.table == "main" then world = true end
    end
  end
  if r and world then
    return cause("no-nat", n, dst,
                 ("the reply cannot come back: %s has no route to %s; the source must be masqueraded on the way out"):format(n, dst),
                 ("nat.masquerade{src = %q%s}"):format(net, nsopt(r.ns)),
                 ("%siptables -t nat -A POSTROUTING -s %s -j MASQUERADE"):format(nexec(r.ns), net))
  end
  -- The router (or the sender itself) that handed it to n is the way back.
  local gw
  for _, l in ipairs(W.ns[n].links) do
    if l.up then
      local ends = l2_domain(W, n, l.ifname)
      for _, e in ipairs(ends) do
        if r and e.ns == r.ns or (not r and e.ns == from) then
          gw = gw or addr_on(linkof(W, e.ns, e.dev), family_of(dst))
        end
      end
    end
  end
  return cause("no-return-route", n, dst,
               ("the reply cannot come back: %s has no route to %s (%s)"):format(n, dst, c.lookup or "no route"),
               gw and ("route.add{%q, via = %q%s}"):format(net, gw, nsopt(n)),
               gw and (ipn(n) .. "route add " .. net .. " via " .. gw))
end

-- The target: an address, or a namespace for its first address.
local function target_of(W, to)
  local name = nsname(to)
  if type(name) ~= "string" then
    netlab._argerror(2, "address or namespace expected, got " .. type(to))
  end
  local c = netlab.cidr(name, false)
  if c then return c.addr end
  local e = W.ns[name]
  if not e then netlab._argerror(2, ("%q is neither an address nor a namespace"):format(name)) end
  for _, l in ipairs(e.links) do
    if l.ifname ~= "lo" then
      local a = addr_on(l, "inet") or addr_on(l, "inet6")
      if a then return a end
    end
  end
  netlab._argerror(2, ("namespace %q has no address"):format(name))
end

local function hop_text(h)
  local s = h.ns
  local parts = {}
  if h["in"] then parts[#parts + 1] = "in " .. h["in"] end
  if h.out then parts[#parts + 1] = "out " .. h.out .. (h.via and (" via " .. h.via) or "") end
  if h.verdict and h.verdict ~= "forward" then parts[#parts + 1] = h.verdict end
  if #parts > 0 then s = s .. " (" .. table.concat(parts, ", ") .. ")" end
  return s
end

local WHY = netlab._meta("netlab.probe.why")
WHY.__name = "netlab.probe.why"
WHY.__tostring = function(w)
  local head = ("%s → %s"):format(w.from, w.to)
  local lines = {}
  if w.reachable and not w.cause then
    lines[1] = head .. ": reachable"
  elseif w.cause then
    local c = w.cause
    local fix = ""
    if c.fix then
      local f = {}
      if c.fix.netlab then f[#f + 1] = c.fix.netlab end
      if c.fix.command then f[#f + 1] = c.fix.command end
      fix = " (" .. table.concat(f, " / ") .. ")"
    end
    lines[1] = ("%s: %s%s"):format(head, c.message, fix)
  end
  local there = {}
  for _, h in ipairs(w.path) do there[#there + 1] = hop_text(h) end
  lines[#lines + 1] = "  there: " .. table.concat(there, " → ")
  if w.reply and #w.reply > 0 then
    local back = {}
    for _, h in ipairs(w.reply) do back[#back + 1] = hop_text(h) end
    lines[#lines + 1] = "  back:  " .. table.concat(back, " → ")
  end
  if w.probe then lines[#lines + 1] = "  probe: " .. w.probe end
  if w.disagree then lines[#lines + 1] = "  note:  " .. w.disagree end
  return table.concat(lines, "\n")
end

-- probe.why(FROM, TO [, {proto = "icmp"|"tcp", port =, timeout =}])
function probe.why(from, to, o)
  local f = nsname(from)
  if type(f) ~= "string" then netlab._argerror(1, "namespace name or object expected, got " .. type(from)) end
  if o ~= nil and type(o) ~= "table" then netlab._argerror(3, "table of options expected, got " .. type(o)) end
  o = o or {}
  netlab._check(o, 3, {"proto", "port", "timeout"}, 0)
  local proto = o.proto or (o.port and "tcp" or "icmp")
  if proto ~= "icmp" and proto ~= "tcp" and proto ~= "udp" then
    netlab._argerror(3, ("field 'proto': \"icmp\", \"tcp\" or \"udp\" expected, got %q"):format(tostring(proto)))
  end
  if proto ~= "icmp" and (math.type(o.port) ~= "integer" or o.port < 1 or o.port > 65535) then
    netlab._argerror(3, ("field 'port': a port 1-65535 expected for %s"):format(proto))
  end
  local W = index_state()
  W.unknown = {}
  if not W.ns[f] then netlab._argerror(1, ("no namespace %q"):format(f)) end
  local dst = target_of(W, to)
  local fam = family_of(dst)
  local res = {from = f, to = dst, proto = proto, port = o.port}
  local st = {made = {}, routers = {}}
  local pkt = {family = fam, dst = dst, proto = proto, dport = o.port}
  W.ct = "new"
  local path, at, c = walk(W, f, pkt, st)
  res.path = path
  if not c then
    -- The reply, from what arrived, undoing the translations on the way.
    local there_src = pkt.src
    local rp = {family = fam, src = pkt.dst, dst = pkt.src, proto = proto}
    local rst = {made = {}, routers = {}, reply = true, undo = st.made}
    -- The reply belongs to the connection the way there opened.
    W.ct = "established"
    local rpath, rat, rc = walk(W, at, rp, rst)
    res.reply = rpath
    if rc and rc.code == "no-route" and not rc.fix and rc.lookup then
      c = no_way_back(W, f, st.routers, rc, rc.ns, rp.dst, dst)
    elseif rc then
      c = rc
      if not c.message:find("^the reply") then c.message = "the reply cannot come back: " .. c.message end
    elseif rat ~= f then
      c = cause("unknown", rat, there_src, ("the reply to %s ends in %s, not in %s"):format(there_src, rat, f))
    end
  end
  res.cause = c
  local reasoned = c == nil
  -- The real probe: the kernel's own answer, which the reasoning must meet.
  local pr
  if proto == "tcp" then
    pr = probe.tcp(f, (fam == "inet6" and "[%s]:%d" or "%s:%d"):format(dst, o.port), {timeout = o.timeout})
  else
    pr = probe.ping(f, dst, {timeout = o.timeout})
  end
  res.probe = tostring(pr)
  res.probe_ok = pr.ok
  res.reachable = pr.ok
  if proto == "udp" then res.reachable = reasoned end
  if pr.ok ~= reasoned and proto ~= "udp" then
    if pr.ok then
      res.disagree = ("the probe got through although %s"):format(c and c.message or "?")
      res.cause = nil
    else
      local because = pr.why or "no answer"
      if proto == "tcp" and because:find("refused", 1, true) then
        res.cause = cause("unknown", at or f, ("%s:%d"):format(dst, o.port),
                          ("the way there and back is open, but nothing listens on %s port %d (connection refused)"):format(
                            dst, o.port))
      else
        local skipped = #W.unknown > 0 and
          ("; %d nftables rule(s) could not be read and were taken as not matching, the first: %s"):format(
            #W.unknown, tostring(W.unknown[1].rule or W.unknown[1].why or "?")) or ""
        res.disagree = ("checked routes (the kernel's lookup at every hop), links and carriers, the far side of " ..
          "each link, forwarding, rp_filter and nftables, and found nothing; the probe failed: %s%s"):format(because, skipped)
        res.cause = cause("unknown", f, dst,
                          ("every hop checks out, but the probe failed (%s)"):format(because))
      end
    end
  end
  return setmetatable(res, WHY)
end

-- The JSON the CLI writes: {"reachable", "path", "cause"} as docs/why.md says.
function probe._why_json(w)
  local function hops(list)
    local out = {}
    for _, h in ipairs(list or {}) do
      out[#out + 1] = {ns = h.ns, ["in"] = h["in"], out = h.out, via = h.via, verdict = h.verdict}
    end
    return out
  end
  return netlab._json{from = w.from, to = w.to, reachable = w.reachable, path = hops(w.path),
                      reply = hops(w.reply), cause = w.cause or require("cjson").null,
                      probe = w.probe, disagree = w.disagree}
end

local USAGE = "usage: netlab why [--json] [--proto icmp|tcp|udp] [--port N] FROM TO\n" ..
  "  FROM: a namespace (root for the root); TO: an address or a namespace\n" ..
  "  exit 0 when TO is reachable from FROM (and back), 1 when not\n"

-- `netlab why ARGS` (repl/main.c): the exit code; 2 for a usage error.
function probe._why_cli(args)
  local o, json, words, i = {}, false, {}, 1
  local function usage(fmt, ...)
    io.stderr:write("netlab: why: ", fmt:format(...), "\n", USAGE)
    return 2
  end
  while i <= #args do
    local a = args[i]
    local opt, val = a:match("^(%-%-%w+)=(.*)$")
    opt = opt or a
    if opt == "--json" and not val then
      json = true
    elseif opt == "--port" or opt == "--proto" then
      if not val then
        i = i + 1
        val = args[i]
      end
      if val == nil then return usage("%s needs a value", opt) end
      if opt == "--port" then
        o.port = math.tointeger(tonumber(val))
        if not o.port then return usage("--port: %q is not a port number", val) end
      else
        o.proto = val
      end
    elseif a == "--help" or a == "-h" then
      io.stdout:write(USAGE)
      return 0
    elseif a:sub(1, 1) == "-" then
      return usage("unknown option %s", a)
    else
      words[#words + 1] = a
    end
    i = i + 1
  end
  if #words ~= 2 then return usage("needs FROM and TO") end
  local w = probe.why(words[1], words[2], o)
  print(json and probe._why_json(w) or tostring(w))
  return w.reachable and 0 or 1
end

return probe
