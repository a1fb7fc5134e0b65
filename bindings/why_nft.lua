-- netlab.why_nft: the nftables verdict a packet gets at one hook of one
-- namespace, worked out from the model (netlab.state()'s nftables: every
-- table, chain and rule, netlab's, nft's and iptables-nft's, as nat.list
-- decodes them), the way the kernel walks them. For netlab why.
--
--   local W = require "netlab.why_nft"
--   local v = W.verdict(netlab.state("router")[1], "forward",
--     {family = 4, src = "192.168.52.2", dst = "203.0.113.1", proto = "icmp",
--      iif = "veth-br", oif = "wan0"})
--   --> {verdict = "drop", table = "filter", chain = "FORWARD", policy = true, …}
--
-- The kernel's walk: every base chain at the hook in the tables of the
-- packet's family (ip or ip6, and inet), by priority (equal ones in the order
-- they were made); nat chains only for a connection's first packet, and the
-- first that translates ends the nat chains of that hook. Within a chain the
-- rules in order: accept ends that chain (the next base chain still runs),
-- drop and reject end the walk; jump and goto enter regular chains; return or
-- the end of a base chain is its policy. A rule with a match or statement
-- this file cannot evaluate is listed in `unknown` and taken as not matching:
-- the answer never guesses silently (docs/why_nft.md).
local M = {}

-- The IP protocol numbers of the names nft writes (core/nft_names.c).
local PROTO = {tcp = 6, udp = 17, icmp = 1, icmpv6 = 58, ["ipv6-icmp"] = 58, sctp = 132,
               udplite = 136, dccp = 33, gre = 47, esp = 50}
-- Protocols with ports where a transport header match reads them.
local PORTED = {[6] = true, [17] = true, [132] = true, [136] = true, [33] = true}
local CTSTATES = {invalid = true, established = true, related = true, new = true,
                  untracked = true}
local OPS = {["!="] = true, ["<"] = true, ["<="] = true, [">"] = true, [">="] = true}
local HOOKS = {prerouting = true, input = true, forward = true, output = true,
               postrouting = true}
-- The kernel's limit on nested jumps (NFT_JUMP_STACK_SIZE); past it, a loop.
local MAX_DEPTH, MAX_STEPS = 16, 10000

-- The matches: the words nft writes, what of the packet each compares.
local MATCHES = {
  ["ip saddr"] = {kind = "addr", field = "src", family = 4},
  ["ip daddr"] = {kind = "addr", field = "dst", family = 4},
  ["ip6 saddr"] = {kind = "addr", field = "src", family = 6},
  ["ip6 daddr"] = {kind = "addr", field = "dst", family = 6},
  ["iifname"] = {kind = "ifname", field = "iif"},
  ["oifname"] = {kind = "ifname", field = "oif"},
  ["iif"] = {kind = "ifindex", field = "iif"},
  ["oif"] = {kind = "ifindex", field = "oif"},
  ["meta l4proto"] = {kind = "proto"},
  ["ip protocol"] = {kind = "proto", family = 4},
  ["ip6 nexthdr"] = {kind = "proto", family = 6},
  ["meta nfproto"] = {kind = "nfproto"},
  ["ct state"] = {kind = "ctstate"},
  ["fib daddr type"] = {kind = "fibtype", field = "dst"},
  ["th sport"] = {kind = "port", field = "sport"},
  ["th dport"] = {kind = "port", field = "dport"},
}
for _, p in ipairs{"tcp", "udp", "sctp", "udplite", "dccp"} do
  MATCHES[p .. " sport"] = {kind = "port", field = "sport", proto = PROTO[p]}
  MATCHES[p .. " dport"] = {kind = "port", field = "dport", proto = PROTO[p]}
end

-- The words of a rule's text; a quoted name is one word, quotes kept.
local function words(text)
  local out, i = {}, 1
  while i <= #text do
    local s, e = text:find("^%s+", i)
    if s then i = e + 1 end
    if i > #text then break end
    if text:sub(i, i) == '"' then
      local j = text:find('"', i + 1, true) or #text
      out[#out + 1] = text:sub(i, j)
      i = j + 1
    else
      local j = text:find("%s", i) or #text + 1
      out[#out + 1] = text:sub(i, j - 1)
      i = j
    end
  end
  return out
end

local function compare(op, a, b)
  if op == "" then return a == b
  elseif op == "!=" then return a ~= b
  elseif op == "<" then return a < b
  elseif op == "<=" then return a <= b
  elseif op == ">" then return a > b
  else return a >= b end
end

-- Whether address a is in the prefix p ("10.0.0.0/8", "fd00::1"); nil when unreadable.
local function in_prefix(a, p)
  local want = netlab.cidr(p, false)
  if not want or not a then return nil end
  local got = netlab.cidr(("%s/%d"):format(a, want.plen), false)
  return got ~= nil and got.family == want.family and got.network == want.network
end

-- Whether addr is one of the namespace's own: a local route of table local covers it.
local function is_local(ns, addr)
  for _, r in ipairs(ns.routes or {}) do
    if r.table == "local" and r.type == "local" and in_prefix(addr, r.dst) then return true end
  end
  return false
end

local function ifindex(ns, name)
  if not name then return 0 end
  for _, l in ipairs(ns.links or {}) do
    if l.ifname == name then return l.ifindex end
  end
end

-- One match against the packet: true, false, or nil and why it cannot tell.
local EVAL = {
  addr = function(m, op, v, pkt)
    if pkt.family ~= m.family then return false end
    if op ~= "" and op ~= "!=" then return nil, "an address compared by order" end
    local inside = in_prefix(pkt[m.field], v)
    if inside == nil then return nil, ("%q is no address"):format(v) end
    return compare(op, inside, true)
  end,
  ifname = function(m, op, v, pkt)
    local name = v:match('^"(.*)"$')
    if not name or (op ~= "" and op ~= "!=") then return nil, "an interface name compared so" end
    -- The kernel compares an absent device's name as "".
    local have = pkt[m.field] or ""
    local hit
    if name:sub(-1) == "*" then hit = have:sub(1, #name - 1) == name:sub(1, -2)
    else hit = have == name end
    return compare(op, hit, true)
  end,
  ifindex = function(m, op, v, pkt, ns)
    local want, have = tonumber(v), ifindex(ns, pkt[m.field])
    if not want or not have then return nil, "an interface index netlab cannot place" end
    return compare(op, have, want)
  end,
  proto = function(m, op, v, pkt)
    if m.family and pkt.family ~= m.family then return false end
    local want = PROTO[v] or tonumber(v)
    if not want then return nil, ("protocol %q"):format(v) end
    return compare(op, pkt.l4proto, want)
  end,
  nfproto = function(_, op, v, pkt)
    local want = v == "ipv4" and 4 or v == "ipv6" and 6 or nil
    if not want or (op ~= "" and op ~= "!=") then return nil, ("family %q"):format(v) end
    return compare(op, pkt.family, want)
  end,
  ctstate = function(_, op, v, pkt)
    if op ~= "" and op ~= "!=" then return nil, "conntrack states compared by order" end
    local any = false
    for s in v:gmatch("[^,]+") do
      if not CTSTATES[s] then return nil, ("conntrack state %q"):format(s) end
      if s == pkt.ct then any = true end
    end
    return compare(op, any, true)
  end,
  -- fib daddr type local (netlab's forward_port): the kernel's local table decides.
  fibtype = function(m, op, v, pkt, ns)
    if v ~= "local" or (op ~= "" and op ~= "!=") then return nil, ("address type %q"):format(v) end
    return compare(op, is_local(ns, pkt[m.field]), true)
  end,
  port = function(m, op, v, pkt)
    if m.proto then
      if pkt.l4proto ~= m.proto then return false end
    elseif not PORTED[pkt.l4proto] then
      return nil, "a transport header field of a packet without ports"
    end
    local want = tonumber(v)
    if not want then return nil, ("port %q"):format(v) end
    if not pkt[m.field] then return nil, "the packet's " .. m.field .. " is not known" end
    return compare(op, pkt[m.field], want)
  end,
}

-- "192.168.52.2:80", "[fd00::1]:53", ":80", "1.2.3.4-1.2.3.9": address and port when single.
local function target(to)
  if not to then return nil, nil end
  local a, p = to:match("^%[(.-)%]:(%d+)$")
  if not a then a, p = to:match("^([^:]*):(%d+)$") end
  if not a then a = to end
  if a == "" or a:find("-", 1, true) then a = nil end
  return a, tonumber(p)
end

-- The statements: f(w, i, out) reads the words from w[i] on, fills out, returns the next i.
local NAT_FLAGS = {random = true, ["fully-random"] = true, persistent = true}
local function nat_statement(kind)
  return function(w, i, out)
    local fam
    if w[i] == "ip" or w[i] == "ip6" then
      fam = w[i] == "ip" and 4 or 6
      i = i + 1
    end
    local to
    if w[i] == "to" then to, i = w[i + 1], i + 2 end
    while NAT_FLAGS[w[i]] do i = i + 1 end
    out.nat = {kind = kind, to = to, family = fam}
    out.verdict = "accept"
    return i
  end
end
local STATEMENTS = {
  accept = function(_, i, out) out.verdict = "accept"; return i end,
  drop = function(_, i, out) out.verdict = "drop"; return i end,
  reject = function(w, i, out)
    out.verdict = "reject"
    if w[i] == "with" then i = #w + 1 end
    return i
  end,
  ["return"] = function(_, i, out) out.verdict = "return"; return i end,
  continue = function(_, i) return i end,
  jump = function(w, i, out) out.verdict, out.target = "jump", w[i]; return i + 1 end,
  ["goto"] = function(w, i, out) out.verdict, out.target = "goto", w[i]; return i + 1 end,
  masquerade = nat_statement("masquerade"),
  snat = nat_statement("snat"),
  dnat = nat_statement("dnat"),
  redirect = nat_statement("redirect"),
  log = function(w, i)
    if w[i] == "prefix" then i = i + 2 end
    return i
  end,
}

-- A rule against the packet: {match = true|false|nil, why, verdict, target, nat}.
-- A known match that fails settles it whatever else the rule holds.
local function eval_rule(text, pkt, ns)
  local w, i, out, unknown = words(text), 1, {match = true}, nil
  while i <= #w do
    -- The longest of the match words that starts here ("fib daddr type", "ip saddr", "iif").
    local m, n
    for k = 3, 1, -1 do
      m = w[i + k - 1] and MATCHES[table.concat(w, " ", i, i + k - 1)]
      if m then n = k; break end
    end
    if m then
      local key = table.concat(w, " ", i, i + n - 1)
      i = i + n
      local op = ""
      if OPS[w[i]] then op, i = w[i], i + 1 end
      local v = w[i]
      i = i + 1
      if v == nil then
        unknown = unknown or ("%s without a value"):format(key)
      elseif v:sub(1, 1) == "@" then
        -- A set of tcp ports says nothing of a UDP packet, nor one of IPv4 addresses of IPv6.
        if (m.family and m.family ~= pkt.family) or (m.proto and m.proto ~= pkt.l4proto) then
          return {match = false}
        end
        unknown = unknown or ("%s %s: a set, whose elements netlab does not read"):format(key, v)
      else
        local hit, why = EVAL[m.kind](m, op, v, pkt, ns)
        if hit == false then return {match = false} end
        if hit == nil then unknown = unknown or ("%s: %s"):format(key, why) end
      end
    elseif STATEMENTS[w[i]] then
      local word = w[i]
      i = STATEMENTS[word](w, i + 1, out)
      -- A family's nat statement leaves the other family's packets alone.
      if out.nat and out.nat.family and out.nat.family ~= pkt.family then
        out.nat, out.verdict = nil, nil
      end
    else
      return {match = nil, why = ("%q is not evaluated"):format(w[i])}
    end
  end
  if unknown then return {match = nil, why = unknown} end
  return out
end

-- The packet as the rules read it: family, protocol number, conntrack state.
local function packet(pkt)
  local p = {}
  for k, v in pairs(pkt) do p[k] = v end
  p.family = tonumber(p.family) or (tostring(p.dst or p.src or ""):find(":", 1, true) and 6 or 4)
  p.proto = p.proto or "icmp"
  if p.proto == "icmp" and p.family == 6 then p.l4proto = 58 else p.l4proto = PROTO[p.proto] end
  p.ct = p.ct or "new"
  p.dport, p.sport = tonumber(p.dport), tonumber(p.sport)
  return p
end

-- The first address of ifname's of this family, as masquerade and redirect pick one.
local function addr_of(ns, ifname, family)
  local want = family == 6 and "inet6" or "inet"
  for _, l in ipairs(ns.links or {}) do
    if l.ifname == ifname then
      for _, a in ipairs(l.addr_info or {}) do
        if a.family == want and a.scope ~= "link" and a.scope ~= "host" then return a["local"] end
      end
    end
  end
end

local function family_ok(fam, pkt)
  return fam == "inet" or (fam == "ip" and pkt.family == 4) or (fam == "ip6" and pkt.family == 6)
end

-- The base chains at the hook, in the order the kernel runs them.
local function base_chains(nft, hook, pkt)
  local out = {}
  for i, c in ipairs(nft.chains or {}) do
    if c.hook == hook and c.type and family_ok(c.family, pkt) then
      out[#out + 1] = {c = c, i = i}
    end
  end
  table.sort(out, function(a, b)
    if a.c.prio ~= b.c.prio then return a.c.prio < b.c.prio end
    return a.i < b.i
  end)
  for i, x in ipairs(out) do out[i] = x.c end
  return out
end

-- The rules of each chain in order, by "family|table|chain"; a chain without rules has {}.
local function rules_index(nft)
  local idx = {}
  for _, c in ipairs(nft.chains or {}) do idx[c.family .. "|" .. c.table .. "|" .. c.name] = {} end
  for _, r in ipairs(nft.rules or {}) do
    local k = r.family .. "|" .. r.table .. "|" .. r.chain
    idx[k] = idx[k] or {}
    table.insert(idx[k], r)
  end
  return idx
end

-- One base chain, the regular chains it enters too: {verdict, chain, rule, policy, nat}.
local function run_chain(base, idx, pkt, ns, unknown)
  local key = function(name) return base.family .. "|" .. base.table .. "|" .. name end
  local cur, stack, steps = {name = base.name, i = 1}, {}, 0
  while true do
    local rules = idx[key(cur.name)] or {}
    local r = rules[cur.i]
    if not r then
      if #stack == 0 then return {verdict = base.policy or "accept", policy = true, chain = base.name} end
      cur = table.remove(stack)
    else
      cur.i = cur.i + 1
      steps = steps + 1
      if steps > MAX_STEPS then
        unknown[#unknown + 1] = {family = base.family, table = base.table, chain = cur.name,
                                 rule = r.text, handle = r.handle, why = "too many rules walked: a loop?"}
        return {verdict = "accept", chain = cur.name, gave_up = true}
      end
      local res = eval_rule(r.text, pkt, ns)
      if res.match == nil then
        unknown[#unknown + 1] = {family = base.family, table = base.table, chain = cur.name,
                                 rule = r.text, handle = r.handle, why = res.why}
      elseif res.match then
        local v = res.verdict
        if res.nat then
          return {verdict = "accept", chain = cur.name, rule = r.text, handle = r.handle, nat = res.nat}
        elseif v == "accept" or v == "drop" or v == "reject" then
          return {verdict = v, chain = cur.name, rule = r.text, handle = r.handle}
        elseif v == "return" then
          if #stack == 0 then return {verdict = base.policy or "accept", policy = true, chain = base.name} end
          cur = table.remove(stack)
        elseif v == "jump" or v == "goto" then
          if not idx[key(res.target)] then
            unknown[#unknown + 1] = {family = base.family, table = base.table, chain = cur.name,
                                     rule = r.text, handle = r.handle, why = "no chain " .. res.target}
          elseif #stack >= MAX_DEPTH then
            unknown[#unknown + 1] = {family = base.family, table = base.table, chain = cur.name,
                                     rule = r.text, handle = r.handle, why = "jumps nested too deep"}
          else
            if v == "jump" then stack[#stack + 1] = cur end
            cur = {name = res.target, i = 1}
          end
        end
      end
    end
  end
end

-- The packet after a translation, for the chains after it at the same hook.
local function translate(pkt, nat, ns)
  local a, p = target(nat.to)
  if nat.kind == "masquerade" then a = addr_of(ns, pkt.oif, pkt.family)
  elseif nat.kind == "redirect" then
    a = pkt.iif and addr_of(ns, pkt.iif, pkt.family) or (pkt.family == 6 and "::1" or "127.0.0.1")
  end
  nat.addr, nat.port = a, p
  local q = {}
  for k, v in pairs(pkt) do q[k] = v end
  local src = nat.kind == "masquerade" or nat.kind == "snat"
  if a then q[src and "src" or "dst"] = a end
  if p then q[src and "sport" or "dport"] = p end
  return q
end

-- verdict(state_ns, hook, pkt): see the head of this file and docs/why_nft.md.
function M.verdict(state_ns, hook, pkt)
  if type(state_ns) ~= "table" then netlab._argerror(1, "a namespace of netlab.state() expected") end
  if not HOOKS[hook] then
    netlab._argerror(2, ("hook %q: prerouting, input, forward, output or postrouting expected")
      :format(tostring(hook)))
  end
  if type(pkt) ~= "table" then netlab._argerror(3, "packet table expected") end
  local p = packet(pkt)
  local out = {verdict = "accept", unknown = {}, chains = {}}
  local nft = state_ns.nftables
  if not nft then
    out.unknown[1] = {why = "the namespace's nftables could not be read"}
    return out
  end
  local idx, nat_done = rules_index(nft), false
  for _, c in ipairs(base_chains(nft, hook, p)) do
    local is_nat = c.type == "nat"
    if not is_nat or (p.ct == "new" and not nat_done) then
      local r = run_chain(c, idx, p, state_ns, out.unknown)
      out.chains[#out.chains + 1] = {family = c.family, table = c.table, chain = r.chain,
                                     base = c.name, verdict = r.verdict, rule = r.rule,
                                     handle = r.handle, policy = r.policy or nil}
      out.table, out.chain, out.rule, out.policy = c.table, r.chain, r.rule, r.policy or nil
      out.family, out.handle = c.family, r.handle
      if r.nat then
        r.nat.table, r.nat.chain, r.nat.rule, r.nat.handle = c.table, r.chain, r.rule, r.handle
        r.nat.family = c.family
        out.nat = r.nat
        p = translate(p, r.nat, state_ns)
      end
      if is_nat and r.nat then nat_done = true end
      if r.verdict ~= "accept" then
        out.verdict = r.verdict
        return out
      end
    end
  end
  return out
end

return M
