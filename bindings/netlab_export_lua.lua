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
  macvlan = function(l, d) return {{"parent", q(l.link)}, {"mode", q(d.mode)}} end,
  ipvlan = function(l, d) return {{"parent", q(l.link)}, {"mode", q(d.mode)}} end,
  vlan = function(l, d) return {{"parent", q(l.link)}, {"id", tostring(d.id)}, {"protocol", q(d.protocol)}} end,
  vxlan = function(_, d)
    local ip = d.remote or d.remote6
    local group = d.group or d.group6
    return {{"vni", tostring(d.id)}, {"remote", ip and q(ip) or nil}, {"group", group and q(group) or nil},
            {'["local"]', (d["local"] or d.local6) and q(d["local"] or d.local6) or nil},
            {"dev", d.link and q(d.link) or nil}, {"dstport", tostring(d.port)},
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

  add("-- namespaces")
  for _, n in ipairs(state) do
    if n.gone then
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
      if l.kind == "loopback" or not mine(l) then
        -- made by the kernel, or not this lab's
      elseif l.kind == "bridge" or l.kind == "dummy" then
        local f = end_fields(l, n.name)
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
        local d, f = l.linkinfo.info_data, end_fields(l, n.name)
        for _, x in ipairs(STACKED[l.kind](l, d)) do f[#f + 1] = x end
        stacked[#stacked + 1] = ("link.%s{%s, %s}"):format(l.kind, q(l.ifname), fields(f))
      else
        skip(what, ("kind %s has no netlab call yet"):format(l.kind))
      end
      if l.ifalias and not mark(l.ifalias) and mine(l) and l.kind ~= "loopback" then
        settings[#settings + 1] = ("link.set(%s, {%salias = %s})"):format(q(l.ifname),
          n.name ~= "root" and "ns = " .. q(n.name) .. ", " or "", q(l.ifalias))
      end
    end
  end
  add("\n-- links")
  for _, l in ipairs(links) do add(l) end
  for _, l in ipairs(veths) do add(l) end
  for _, l in ipairs(stacked) do add(l) end
  for _, l in ipairs(settings) do add(l) end

  add("\n-- routes")
  for _, n in ipairs(state) do
    for _, r in ipairs(n.routes or {}) do
      local kernel = r.protocol == "kernel" or r.table == "local" or r.type ~= "unicast" or
                     (r.dst or ""):match("^fe80:") or (r.dst or ""):match("^ff00:")
      if not kernel and mine(r) then
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

  add("\n-- forwarding and NAT")
  for _, n in ipairs(state) do
    local f = n.forwarding
    if f and f.ipv4 and (lab == nil or mine(n)) then add(("ns.forwarding(%s, true)"):format(q(n.name))) end
    for _, x in ipairs(n.nftables and n.nftables.tables or {}) do
      if mine(x) and not x.netlab then
        skip(("table %s %s of %s"):format(x.family, x.name, n.name),
             "netlab makes its own table (inet netlab); its masquerade rules are written below")
      end
    end
    for _, c in ipairs(n.nftables and n.nftables.chains or {}) do
      if c.name == "forward" and c.policy == "drop" and c.table == nat.table and
         c.family == "inet" and (lab == nil or c.lab == lab) then
        add(("nat.filter{%s}"):format(fields{{"policy", q("drop")},
          {"ns", n.name ~= "root" and q(n.name) or nil}}))
      end
    end
    for _, r in ipairs(n.nftables and n.nftables.rules or {}) do
      local a = mine(r) and r.chain == "forward" and r.table == nat.table and allow_args(r.text)
      if a then
        add(("nat.allow{%s}"):format(fields{{"iif", a.iif and q(a.iif)}, {"oif", a.oif and q(a.oif)},
          {"state", a.state and q(a.state)}, {"src", a.src and q(a.src)}, {"dst", a.dst and q(a.dst)},
          {"ns", n.name ~= "root" and q(n.name) or nil}}))
      elseif mine(r) then
        local text = r.text:gsub('xt target "MASQUERADE"$', "masquerade")
        local m = r.chain:lower() == "postrouting" and masquerade_args(text)
        if not m then
          -- nat.masquerade{src} leaves traffic inside src alone; iptables' ! -o says it by link.
          local src = text:match('^oifname != "[^"]+" ip6? saddr (%S+) masquerade$')
          if src then
            m = {src = src}
            add(("-- was: %s (table %s %s); nat.masquerade leaves traffic inside %s alone instead")
              :format(text, r.family, r.table, src))
          end
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
  local text = table.concat(head, "\n") .. "\n\n" .. table.concat(out, "\n") .. "\n"
  if #notes > 0 then text = text .. "\n" .. table.concat(notes, "\n") .. "\n" end
  return text
end
