-- The probe module, continued: the walk of probe.why, one direction at a
-- time, and probe.why itself (the model and the causes are probe_why.lua's,
-- how the answer prints probe_why_text.lua's).
local probe = ...

local L = probe._why_lib
local MAXHOPS = L.MAXHOPS
local nsname = L.nsname
local nsopt = L.nsopt
local ipn = L.ipn
local nexec = L.nexec
local index_state = L.index_state
local linkof = L.linkof
local family_of = L.family_of
local addr_on = L.addr_on
local subnet_of = L.subnet_of
local has_default = L.has_default
local l2_domain = L.l2_domain
local sysctl = L.sysctl
local cause = L.cause
local up_fix = L.up_fix
local forwarding_off = L.forwarding_off
local gateway_for = L.gateway_for
local nft_check = L.nft_check
local next_hop = L.next_hop
local words = L.words
local link_cause = L.link_cause

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
      -- Forwarding off: the kernel says EHOSTUNREACH for a packet it would
      -- have routed on (or another refusal, for an address it knows elsewhere).
      local fwkey = fam == "inet" and "ipv4" or "ipv6"
      if iif and not W.ns[n].forwarding[fwkey] and
          (code == "EHOSTUNREACH" or W.owner[pkt.dst] and W.owner[pkt.dst].ns ~= n) then
        return path, nil, forwarding_off(n, fam)
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
    if not iif and not pkt.src and r.type ~= "local" then
      return path, nil, L.no_address(W, n, r.dev, pkt.dst, fam)
    end
    if r.type == "local" then
      hop.verdict = "local"
      if not iif then
        local lo = linkof(W, n, "lo")
        if lo and not lo.up then
          return path, nil, cause("lo-down", n, "lo",
                                  ("%s is %s's own address, and %s's lo is down"):format(pkt.dst, n, n),
                                  up_fix(n, "lo"))
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
        return path, nil, forwarding_off(n, fam)
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
    hop.over = e.over
    last = n
    n, iif = e.ns, e.dev
  end
  return path, nil, cause("unknown", last, pkt.dst, ("the path is longer than %d hops (a loop?)"):format(MAXHOPS))
end

-- A vxlan's underlay (probe_why_l2.lua): the UDP packet it sends, walked
-- as one of its own from the vxlan's namespace to its remote. Returns the
-- namespace that takes it, or the cause it gets nowhere. Every such packet
-- opens a connection of its own: each way's source port is its own.
function probe._why_underlay(W, n, u)
  local ct = W.ct
  W.ct = "new"
  local pkt = {family = family_of(u.dst), src = u.src, dst = u.dst, proto = "udp", dport = u.dport}
  local _, at, c = walk(W, n, pkt, {made = {}, routers = {}})
  W.ct = ct
  return at, c
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

-- How an answer prints, its JSON and `netlab why` are in probe_why_text.lua.
local WHY = netlab._meta("netlab.probe.why")

probe._spec.why = {"proto", "port", "timeout"}

-- probe.why(FROM, TO [, {proto = "icmp"|"tcp", port =, timeout =}])
function probe.why(from, to, o)
  local f = nsname(from)
  if type(f) ~= "string" then netlab._argerror(1, "namespace name or object expected, got " .. type(from)) end
  if o ~= nil and type(o) ~= "table" then netlab._argerror(3, "table of options expected, got " .. type(o)) end
  o = o or {}
  netlab._check(o, 3, probe._spec.why, 0)
  local proto = o.proto or (o.port and "tcp" or "icmp")
  if proto ~= "icmp" and proto ~= "tcp" and proto ~= "udp" then
    local got = type(proto) == "string" and ("%q"):format(proto) or type(proto)
    netlab._argerror(3, ("field 'proto': \"icmp\", \"tcp\" or \"udp\" expected, got %s"):format(got))
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
  local hostport = proto ~= "icmp" and (fam == "inet6" and "[%s]:%d" or "%s:%d"):format(dst, o.port)
  if proto == "tcp" then
    pr = probe.tcp(f, hostport, {timeout = o.timeout})
  elseif proto == "udp" then
    pr = probe.udp(f, hostport, {timeout = o.timeout})
  else
    pr = probe.ping(f, dst, {timeout = o.timeout})
  end
  res.probe = tostring(pr)
  res.probe_ok = pr.ok
  res.reachable = pr.ok
  -- UDP's silence is open or filtered alike: there the reasoning decides.
  local silent = proto == "udp" and pr.state == "open|filtered"
  if silent then res.reachable = reasoned end
  if pr.ok ~= reasoned and not silent then
    if pr.ok then
      res.disagree = ("the probe got through although %s"):format(c and c.message or "?")
      res.cause = nil
    else
      local because = pr.why or "no answer"
      if proto ~= "icmp" and pr.status == "refused" then
        res.cause = cause("unknown", at or f, ("%s:%d"):format(dst, o.port),
                          ("the way there and back is open, but nothing listens on %s %s port %d (%s)"):format(
                            dst, proto, o.port, proto == "tcp" and "connection refused" or "port unreachable"))
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


return probe
