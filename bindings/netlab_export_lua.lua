-- The netlab module, continued: netlab._export_lua, the live kernel (or one
-- lab's part of it) as a netlab script a person would write
-- (`netlab export --lua [LAB | --all]`, docs/export.md): namespaces, bridges
-- with their addresses, each veth in one link.veth{…} with its peer, its
-- addresses and its master, routes, ns.forwarding, nat.masquerade for a
-- masquerade rule. It reads netlab.state(), as export --sh does, and leaves
-- out what the kernel makes and what netlab's run adds by itself (the marks
-- `netlab:LAB`, netlab's nftables table); what no netlab call says is a
-- `-- not exported: …` comment.
local netlab = ...

local function q(s) return ("%q"):format(s) end

-- {k = v, …} in a fixed order, values already Lua text.
local function fields(list)
  local out = {}
  for _, kv in ipairs(list) do
    if kv[2] ~= nil then out[#out + 1] = kv[1] .. " = " .. kv[2] end
  end
  return table.concat(out, ", ")
end

local function addrs_of(l)
  local out = {}
  for _, a in ipairs(l.addr_info or {}) do
    if not (a.family == "inet6" and a.scope == "link") and
       not (l.kind == "loopback" and (a["local"] == "127.0.0.1" or a["local"] == "::1")) then
      out[#out + 1] = q(a["local"] .. "/" .. a.prefixlen)
    end
  end
  if #out == 0 then return nil end
  if #out == 1 then return out[1] end
  return "{" .. table.concat(out, ", ") .. "}"
end

local function mark(alias) return alias and alias:match("^netlab:") end

-- One end's fields: where it is, its addresses, mtu, master, up.
-- The options of the kinds that sit on another link, after their ends' own
-- (made after the veths and bridges, which they may sit on).
local STACKED = {
  macvlan = function(l, d) return {{"parent", q(l.parent.ifname)}, {"mode", q(d.mode)}} end,
  ipvlan = function(l, d) return {{"parent", q(l.parent.ifname)}, {"mode", q(d.mode)}} end,
  vlan = function(l, d)
    return {{"parent", q(l.parent.ifname)}, {"id", tostring(d.id)}, {"protocol", q(d.protocol)}}
  end,
  vxlan = function(l, d)
    local ip = d.remote or d.remote6
    local group = d.group or d.group6
    return {{"vni", tostring(d.id)}, {"remote", ip and q(ip) or nil}, {"group", group and q(group) or nil},
            {'["local"]', (d["local"] or d.local6) and q(d["local"] or d.local6) or nil},
            {"dev", l.parent and q(l.parent.ifname) or nil}, {"dstport", tostring(d.port)},
            {"learning", d.learning == false and "false" or nil}}
  end,
}

local function end_fields(l, nsn)
  return {
    {"ns", nsn ~= "root" and q(nsn) or nil},
    {"addr", addrs_of(l)},
    {"mtu", l.mtu and l.mtu ~= 1500 and tostring(l.mtu) or nil},
    {"master", l.master and q(l.master) or nil},
    {"up", l.up and "true" or nil},
  }
end

-- The call that makes stacked link l of namespace nsn. A link the kernel
-- reports moved away from its parent is made next to its parent, as netlab
-- makes a stacked link, then moved, and given its addresses, master and up
-- where it is (a move takes them away); its MTU it keeps. A name a link of
-- the parent's namespace has (a container's eth0 on the host's eth0) it is
-- made under a free one, and given back in the move, as Docker does.
local function stacked_call(l, nsn, named)
  local own = STACKED[l.kind](l, l.linkinfo.info_data)
  local at = l.parent and l.parent.ns or nsn
  if at == nsn then
    local f = end_fields(l, nsn)
    for _, x in ipairs(own) do f[#f + 1] = x end
    return ("link.%s{%s, %s}"):format(l.kind, q(l.ifname), fields(f))
  end
  local taken = {}
  for _, x in ipairs(named[at] and named[at].links or {}) do taken[x.ifname] = true end
  local made_as, i = l.ifname, 0
  while taken[made_as] do
    made_as, i = ("tmp%d"):format(i), i + 1
  end
  local f = {{"ns", at ~= "root" and q(at) or nil}, {"mtu", l.mtu and l.mtu ~= 1500 and tostring(l.mtu) or nil}}
  for _, x in ipairs(own) do f[#f + 1] = x end
  local out = {"do",
    ("  local l = link.%s{%s, %s}"):format(l.kind, q(made_as), fields(f)),
    ("  link.set(l, {netns = %s%s})"):format(q(nsn), made_as ~= l.ifname and ", name = " .. q(l.ifname) or "")}
  for _, a in ipairs(l.addr_info or {}) do
    if not (a.family == "inet6" and a.scope == "link") then
      out[#out + 1] = ("  link.addr_add(l, %s)"):format(q(a["local"] .. "/" .. a.prefixlen))
    end
  end
  local set = fields{{"master", l.master and q(l.master) or nil}, {"up", l.up and "true" or nil}}
  if set ~= "" then out[#out + 1] = ("  link.set(l, {%s})"):format(set) end
  out[#out + 1] = "end"
  return table.concat(out, "\n")
end

-- The rules nat.masquerade writes, read back into its arguments.
local function masquerade_args(text)
  local src = text:match("^ip6? saddr (%S+) ip6? daddr != %S+ masquerade$")
  if src then return {src = src} end
  src = text:match("^ip6? saddr (%S+) masquerade$")
  if src then return {src = src} end
  local out = text:match('^oifname "([^"]+)" masquerade$')
  if out then return {out = out} end
  src, out = text:match('^ip6? saddr (%S+) oifname "([^"]+)" masquerade$')
  if src then return {src = src, out = out} end
end

-- The accept rules nat.allow writes, read back into its arguments.
local ALLOW = {
  {"^iifname \"([^\"]+)\" ", "iif"}, {"^oifname \"([^\"]+)\" ", "oif"},
  {"^ip6? saddr (%S+) ", "src"}, {"^ip6? daddr (%S+) ", "dst"}, {"^ct state (%S+) ", "state"},
}

local function allow_args(text)
  local args, rest = {}, text
  while rest ~= "accept" do
    local hit
    for _, a in ipairs(ALLOW) do
      local v = rest:match(a[1])
      if v and not args[a[2]] then
        args[a[2]], rest, hit = v, rest:gsub(a[1], "", 1), true
        break
      end
    end
    if not hit then return nil end
  end
  return next(args) and args or nil
end

local function ip4(a)
  local x, y, z, w = a:match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$")
  if x then return ((tonumber(x) * 256 + tonumber(y)) * 256 + tonumber(z)) * 256 + tonumber(w) end
end

-- The format that names[i] follows for every i (the index where it was in
-- names[1]), or the name when they are all one name; nil otherwise.
local function name_form(names)
  local same = true
  for _, x in ipairs(names) do same = same and x == names[1] end
  if same then return q(names[1]) end
  local first = names[1]
  for at = 1, #first do
    if first:sub(at, at) == "1" then
      local f = first:sub(1, at - 1):gsub("%%", "%%%%") .. "%d" .. first:sub(at + 1):gsub("%%", "%%%%")
      local ok = true
      for i, x in ipairs(names) do ok = ok and f:format(i) == x end
      if ok then return ("(%s):format(i)"):format(q(f)) end
    end
  end
end

-- A star: namespaces P1..PN (N >= 3), each with one veth to a port of the
-- same bridge in root, the same settings and routes, and one IPv4 address
-- each, consecutive in one subnet. Written as a loop over netlab.params n
-- and subnet (what a person would vary); nil when the network is no such star.
local function find_star(state, mine, named)
  local groups = {}
  for _, n in ipairs(state) do
    local pre, i = n.name:match("^(.-)(%d+)$")
    if pre and n.name ~= "root" and not n.gone and mine(n) then
      groups[pre] = groups[pre] or {}
      groups[pre][tonumber(i)] = n
    end
  end
  for pre, g in pairs(groups) do
    local N = #g
    local ok = N >= 3
    for k in pairs(g) do ok = ok and math.type(k) == "integer" and k >= 1 and k <= N end
    local rows = {}
    for i = 1, ok and N or 0 do
      local n, veth, lo = g[i], nil, false
      local f = n.forwarding
      ok = ok and not (f and (f.ipv4 or f.ipv6)) and #(n.nftables and n.nftables.rules or {}) == 0
      for _, l in ipairs(n.links or {}) do
        if l.kind == "loopback" then lo = l.up
        elseif l.kind == "veth" and not veth then veth = l
        else ok = false end
      end
      local p = veth and veth.peer
      local pl
      for _, x in ipairs(p and p.ns == "root" and named.root.links or {}) do
        if x.ifname == p.ifname then pl = x end
      end
      local a4
      for _, a in ipairs(veth and veth.addr_info or {}) do
        if a.family == "inet" then
          ok = ok and not a4
          a4 = a
        elseif not (a.family == "inet6" and a.scope == "link") then ok = false end
      end
      for _, a in ipairs(pl and pl.addr_info or {}) do
        ok = ok and a.family == "inet6" and a.scope == "link"
      end
      ok = ok and pl and pl.master and a4
      local routes = {}
      for _, r in ipairs(n.routes or {}) do
        if not (r.protocol == "kernel" or r.table == "local" or r.type ~= "unicast" or
                (r.dst or ""):match("^f[ef]")) then
          ok = ok and r.family == "inet" and r.table == "main" and (r.metric or 0) == 0
          routes[#routes + 1] = {r.dst, r.gateway, r.gateway == nil and r.dev or nil}
        end
      end
      if not ok then break end
      rows[i] = {n = n, veth = veth, peer = pl, lo = lo, addr = a4, routes = routes}
    end
    if ok then
      local one = rows[1]
      local len = one.addr.prefixlen
      local mask = len == 0 and 0 or (0xffffffff << (32 - len)) & 0xffffffff
      local net = ip4(one.addr["local"]) & mask
      local first = ip4(one.addr["local"]) - net
      local function same(a, b)
        return a.up == b.up and (a.mtu or 1500) == (b.mtu or 1500) and
               not (a.ifalias and not mark(a.ifalias)) and not (b.ifalias and not mark(b.ifalias))
      end
      for i, r in ipairs(rows) do
        local h = ip4(r.addr["local"])
        ok = ok and r.addr.prefixlen == len and h & mask == net and h - net == first + i - 1 and
             r.lo == one.lo and same(r.veth, one.veth) and same(r.peer, one.peer) and
             r.peer.master == one.peer.master and #r.routes == #one.routes
        for k, rt in ipairs(r.routes) do
          local o = one.routes[k]
          ok = ok and rt[1] == o[1] and rt[2] == o[2] and rt[3] == o[3]
        end
      end
      local nsf = name_form((function() local x = {} for i, r in ipairs(rows) do x[i] = r.n.name end return x end)())
      local vf = name_form((function() local x = {} for i, r in ipairs(rows) do x[i] = r.veth.ifname end return x end)())
      local pf = name_form((function() local x = {} for i, r in ipairs(rows) do x[i] = r.peer.ifname end return x end)())
      if ok and nsf and vf and pf and first + N - 1 < (1 << (32 - len)) - 1 then
        local subnet = ("%d.%d.%d.%d/%d"):format(net >> 24, net >> 16 & 255, net >> 8 & 255, net & 255, len)
        local function host(a)
          local h = ip4(a)
          if h and h & mask == net then return ("netlab.host(p.subnet, %d)"):format(h - net) end
          return a and q(a)
        end
        local function sets(l, peer)
          return fields{{"mtu", l.mtu and l.mtu ~= 1500 and tostring(l.mtu) or nil},
                        {"master", peer and q(l.master) or nil}, {"up", l.up and "true" or nil}}
        end
        local idx = first == 1 and "i" or ("i + %d"):format(first - 1)
        local vs, ps = sets(one.veth), sets(one.peer, true)
        local body = {
          ("  ns.add(%s%s)"):format(nsf, one.lo and ", {lo = true}" or ""),
          ("  link.veth{%s, ns = %s, addr = netlab.hostcidr(p.subnet, %s)%s,\n" ..
           "            peer = {%s%s}}"):format(vf, nsf, idx, vs ~= "" and ", " .. vs or "",
                                              pf, ps ~= "" and ", " .. ps or ""),
        }
        for _, rt in ipairs(one.routes) do
          body[#body + 1] = ("  route.add{%s}"):format(fields{{"ns", nsf}, {"dst", q(rt[1])},
            {"via", rt[2] and host(rt[2])}, {"dev", rt[3] and q(rt[3])}})
        end
        local members = {}
        for _, r in ipairs(rows) do
          members[r.n.name] = true
          members["root|" .. r.peer.ifname] = true
        end
        return {
          members = members, bridge = one.peer.master, mask = mask, net = net, len = len,
          params = {
            "local p = netlab.params{",
            ("  doc = %s,"):format(q(("namespaces %s1..%sN on bridge %s, host I of the subnet each")
              :format(pre, pre, one.peer.master))),
            ("  {\"n\", %d, \"how many namespaces\", kind = \"integer\"},"):format(N),
            ("  {\"subnet\", %s, \"their subnet\", kind = \"subnet\"},"):format(q(subnet)),
            "}",
          },
          loop = "for i = 1, p.n do\n" .. table.concat(body, "\n") .. "\nend",
        }
      end
    end
  end
end

function netlab._export_lua(lab)
  local state = netlab.state()
  local out, notes = {}, {}
  local function add(line) out[#out + 1] = line end
  local function skip(what, why) notes[#notes + 1] = ("-- not exported: %s: %s"):format(what, why) end
  local function mine(x) return lab == nil or x.lab == lab end
  local named = {}
  for _, n in ipairs(state) do named[n.name] = n end
  if netlab.sandbox then
    state = netlab._export_unsandboxed(state)
    skip("namespace internet and wan0", "the sandbox's simulated internet, which netlab --sandbox makes")
  end

  local star = find_star(state, mine, named)
  local member = star and star.members or {}
  if star then
    for _, l in ipairs(star.params) do add(l) end
    add("")
  end

  add("-- namespaces")
  for _, n in ipairs(state) do
    if member[n.name] then
      -- in the loop below
    elseif n.gone then
      skip("namespace " .. n.name, n.why or "gone while it was read")
    elseif n.name ~= "root" and mine(n) then
      local lo
      for _, l in ipairs(n.links or {}) do
        if l.kind == "loopback" and l.up then lo = true end
      end
      add(("ns.add(%s%s)"):format(q(n.name), lo and ", {lo = true}" or ""))
    end
  end

  -- Bridges and dummies first (the veths name them as masters), then each veth once.
  local links, veths, stacked, settings, done = {}, {}, {}, {}, {}
  for _, n in ipairs(state) do
    for _, l in ipairs(n.links or {}) do
      local what = ("link %s in %s"):format(l.ifname, n.name)
      if l.kind == "loopback" or not mine(l) or member[n.name] or member[n.name .. "|" .. l.ifname] then
        -- made by the kernel, or not this lab's
      elseif l.kind == "bridge" or l.kind == "dummy" then
        local f = end_fields(l, n.name)
        -- The star's bridge: its address in the subnet follows p.subnet.
        local own = {}
        for _, x in ipairs(l.addr_info or {}) do
          if not (x.family == "inet6" and x.scope == "link") then own[#own + 1] = x end
        end
        local a = star and n.name == "root" and l.ifname == star.bridge and #own == 1 and own[1]
        local h = a and a.family == "inet" and a.prefixlen == star.len and ip4(a["local"])
        if h and h & star.mask == star.net then
          f[2][2] = ("netlab.hostcidr(p.subnet, %d)"):format(h - star.net)
        end
        -- A VLAN-aware bridge's settings, as bridge.add takes them.
        local d = l.kind == "bridge" and l.linkinfo and l.linkinfo.info_data or {}
        if (d.vlan_filtering or 0) ~= 0 then
          f[#f + 1] = {"vlan_filtering", "true"}
          if d.vlan_protocol and d.vlan_protocol ~= "802.1Q" then
            f[#f + 1] = {"vlan_protocol", q(d.vlan_protocol)}
          end
          if d.vlan_default_pvid and d.vlan_default_pvid ~= 1 then
            f[#f + 1] = {"vlan_default_pvid", tostring(d.vlan_default_pvid)}
          end
        end
        links[#links + 1] = ("%s.%s(%s, {%s})"):format(l.kind == "bridge" and "bridge" or "link",
          l.kind == "bridge" and "add" or "dummy", q(l.ifname), fields(f))
        if l.kind == "dummy" then
          links[#links] = ("link.dummy{%s%s}"):format(q(l.ifname), #fields(f) > 0 and ", " .. fields(f) or "")
        end
      elseif l.kind == "veth" then
        local p = l.peer
        local pn = p and p.ns and named[p.ns]
        local pl
        for _, x in ipairs(pn and pn.links or {}) do
          if x.ifname == p.ifname then pl = x end
        end
        if not pl then
          skip("veth " .. l.ifname .. " in " .. n.name, "its peer is in a namespace not under /run/netns")
        elseif not done[n.name .. "|" .. l.ifname] then
          done[p.ns .. "|" .. p.ifname] = true
          -- The end inside a namespace first, as the tutorials write it.
          local a, an, b, bn = l, n.name, pl, p.ns
          if an == "root" and bn ~= "root" then a, an, b, bn = pl, p.ns, l, n.name end
          local af, bf = fields(end_fields(a, an)), fields(end_fields(b, bn))
          veths[#veths + 1] = ("link.veth{%s%s,\n          peer = {%s%s}}"):format(q(a.ifname),
            af ~= "" and ", " .. af or "", q(b.ifname), bf ~= "" and ", " .. bf or "")
        end
      elseif STACKED[l.kind] and l.linkinfo and l.linkinfo.info_data then
        local p = l.parent
        if (l.kind ~= "vxlan" or p) and not (p and p.ns and named[p.ns] and not named[p.ns].gone) then
          skip(what, ("its parent%s is in a namespace not under /run/netns"):format(
            p and p.ifname and " " .. p.ifname or ""))
        else
          stacked[#stacked + 1] = {key = n.name .. "|" .. l.ifname, on = p and p.ns .. "|" .. p.ifname,
                                   line = stacked_call(l, n.name, named)}
        end
      else
        skip(what, ("kind %s has no netlab call yet"):format(l.kind))
      end
      -- A port's VLANs (and a bridge's own), once the veths put it on its bridge.
      if mine(l) and not member[n.name] and not member[n.name .. "|" .. l.ifname] then
        for _, v in ipairs(l.vlans or {}) do
          settings[#settings + 1] = ("bridge.vlan(%s, {%svid = %d%s%s})"):format(q(l.ifname),
            n.name ~= "root" and "ns = " .. q(n.name) .. ", " or "", v.vid,
            v.pvid and ", pvid = true" or "", v.untagged and ", untagged = true" or "")
        end
      end
      if l.ifalias and not mark(l.ifalias) and mine(l) and l.kind ~= "loopback" then
        settings[#settings + 1] = ("link.set(%s, {%salias = %s})"):format(q(l.ifname),
          n.name ~= "root" and "ns = " .. q(n.name) .. ", " or "", q(l.ifalias))
      end
    end
  end
  add("\n-- links")
  for _, l in ipairs(links) do add(l) end
  if star then add(star.loop) end
  for _, l in ipairs(veths) do add(l) end
  for _, l in ipairs(netlab._export_stacked_order(stacked)) do add(l) end
  for _, l in ipairs(settings) do add(l) end

  add("\n-- routes")
  for _, n in ipairs(state) do
    for _, r in ipairs(n.routes or {}) do
      local kernel = r.protocol == "kernel" or r.table == "local" or r.type ~= "unicast" or
                     (r.dst or ""):match("^fe80:") or (r.dst or ""):match("^ff00:")
      if not kernel and mine(r) and not member[n.name] then
        local dst = r.dst
        if dst == "default" and r.family == "inet6" then dst = "::/0" end
        add(("route.add{%s}"):format(fields{
          {"ns", n.name ~= "root" and q(n.name) or nil}, {"dst", q(dst)},
          {"via", r.gateway and q(r.gateway) or nil},
          {"dev", not r.gateway and r.dev and q(r.dev) or nil},
          {"table", r.table ~= "main" and tostring(r.table) or nil},
          {"metric", r.metric and r.metric ~= 0 and not (r.family == "inet6" and r.metric == 1024)
                     and tostring(r.metric) or nil},
        }))
      end
    end
  end

  -- The static neighbours (the model holds no others), as link.neighbor_add.
  add("\n-- neighbours")
  for _, n in ipairs(state) do
    for _, e in ipairs(n.neighbors or {}) do
      if mine(e) and e.lladdr and not member[n.name] then
        add(("link.neighbor_add{%s}"):format(fields{{"addr", q(e.dst)}, {"mac", q(e.lladdr)},
          {"link", q(e.dev)}, {"ns", n.name ~= "root" and q(n.name) or nil}}))
      end
    end
  end

  add("\n-- forwarding and NAT")
  for _, n in ipairs(state) do
    local f = n.forwarding
    if f and f.ipv4 and (lab == nil or mine(n)) then add(("ns.forwarding(%s, true)"):format(q(n.name))) end
    for _, x in ipairs(n.nftables and n.nftables.tables or {}) do
      if mine(x) and not x.netlab then
        skip(("table %s %s of %s"):format(x.family, x.name, n.name),
             "netlab makes its own table (inet netlab); the rules a netlab call says are written above")
      end
    end
    -- A forward chain that drops, netlab's or iptables' (-P FORWARD DROP), is nat.filter's.
    local function forward(c)
      return c.name:lower() == "forward" and (c.family == "inet" and c.table == nat.table or
                                              c.family == "ip" and c.table == "filter")
    end
    local forwards = {}
    for _, c in ipairs(n.nftables and n.nftables.chains or {}) do
      if forward(c) then forwards[c.family .. "|" .. c.table .. "|" .. c.name] = true end
      if forward(c) and c.policy == "drop" and (lab == nil or c.lab == lab) then
        add(("nat.filter{%s}"):format(fields{{"policy", q("drop")},
          {"ns", n.name ~= "root" and q(n.name) or nil}}))
      end
    end
    for _, r in ipairs(n.nftables and n.nftables.rules or {}) do
      local a = mine(r) and forwards[r.family .. "|" .. r.table .. "|" .. r.chain] and allow_args(r.text)
      if a then
        add(("nat.allow{%s}"):format(fields{{"iif", a.iif and q(a.iif)}, {"oif", a.oif and q(a.oif)},
          {"state", a.state and q(a.state)}, {"src", a.src and q(a.src)}, {"dst", a.dst and q(a.dst)},
          {"ns", n.name ~= "root" and q(n.name) or nil}}))
      elseif mine(r) then
        local text = r.text:gsub('xt target "MASQUERADE"$', "masquerade")
        local m = r.chain:lower() == "postrouting" and masquerade_args(text)
        -- nat.masquerade{src} always spares packets to src itself (ip daddr != src, see
        -- netlab-nat(3)), which no option turns off: a rule that says otherwise is written
        -- as the nearest call, with a comment saying which packets it treats differently.
        local was = ("-- was (table %s %s): %s"):format(r.family, r.table, text)
        if not m then
          local bridge, src = text:match('^oifname != "([^"]+)" ip6? saddr (%S+) masquerade$')
          if src then
            m = {src = src}
            add(was)
            add(("-- nat.masquerade spares packets to %s where this rule spared those leaving by %s:")
              :format(src, bridge))
            add(("-- the same packets while %s is the subnet of %s alone"):format(src, bridge))
          end
        elseif m.src and not text:find("daddr", 1, true) and not (r.family == "inet" and r.table == nat.table) then
          add(was)
          add(("-- nat.masquerade also spares packets to %s (from one of its hosts to another"):format(m.src))
          add("-- through this namespace), which this rule masqueraded")
        end
        if m then
          add(("nat.masquerade{%s}"):format(fields{{"src", m.src and q(m.src) or nil},
            {"out", m.out and q(m.out) or nil}, {"ns", n.name ~= "root" and q(n.name) or nil}}))
        else
          skip(("rule %s in table %s %s of %s"):format(r.text, r.family, r.table, n.name),
               "no netlab call writes it")
        end
      end
    end
  end

  local head = {
    ("-- %s, written by netlab export --lua %s."):format(
      lab and ("Lab " .. lab) or "The network of this machine (root and every named namespace)",
      lab or "--all"),
    "-- Rebuilds it on a machine without these namespaces and links: netlab run THIS_FILE",
    "-- What the kernel makes by itself (lo, link-local addresses, kernel routes) is left out.",
  }
  -- A section the network has nothing for (a star's loop takes its namespaces and routes) goes.
  local SECTION = {["-- namespaces"] = true, ["\n-- links"] = true, ["\n-- routes"] = true,
                   ["\n-- neighbours"] = true, ["\n-- forwarding and NAT"] = true}
  local kept = {}
  for i, l in ipairs(out) do
    if not (SECTION[l] and (out[i + 1] == nil or SECTION[out[i + 1]])) then kept[#kept + 1] = l end
  end
  local text = table.concat(head, "\n") .. "\n\n" .. table.concat(kept, "\n"):gsub("^\n", ""):gsub("\n\n\n+", "\n\n") .. "\n"
  if #notes > 0 then text = text .. "\n" .. table.concat(notes, "\n") .. "\n" end
  return text
end
