-- The netlab module, continued: netlab._export_sh, the live kernel (or one
-- lab's part of it) as a shell script of the commands that rebuild it from
-- nothing (`netlab export --sh [LAB | --all]`, docs/export.md).
--
-- It reads netlab.state(), the one model of the live state, and writes what
-- it holds in the words --trace uses (core/trace.c), in the order a script
-- must run: namespaces, links (each veth once, with its peer, made in
-- place), masters, addresses, settings and up, routes, sysctls, nftables.
-- What the kernel makes by itself (lo, link-local addresses, kernel and
-- local routes) is left out; what cannot be written as commands is a
-- `# not exported: …` comment, never left out in silence.
local netlab = ...

-- A word as sh reads it back: plain, or single-quoted.
function netlab._shword(w)
  w = tostring(w)
  if w:match("^[%w%-_./:=,+@%%]+$") then return w end
  return "'" .. w:gsub("'", [['\'']]) .. "'"
end
local word = netlab._shword

local function ip(nsn, ...)
  local out = {"ip"}
  if nsn ~= "root" then out[#out + 1] = "-n " .. word(nsn) end
  for _, w in ipairs{...} do out[#out + 1] = w end
  return table.concat(out, " ")
end

local function in_ns(nsn, cmd)
  return nsn == "root" and cmd or "ip netns exec " .. word(nsn) .. " " .. cmd
end

-- The state without a sandbox's simulated internet (namespace internet,
-- wan0 and its routes in the root): both exports leave it to the sandbox.
function netlab._export_unsandboxed(state)
  local kept = {}
  for _, n in ipairs(state) do
    if n.name ~= "internet" then kept[#kept + 1] = n end
    if n.name == "root" then
      local links, routes = {}, {}
      for _, l in ipairs(n.links or {}) do
        if l.ifname ~= "wan0" then links[#links + 1] = l end
      end
      for _, r in ipairs(n.routes or {}) do
        if r.dev ~= "wan0" then routes[#routes + 1] = r end
      end
      n.links, n.routes = links, routes
    end
  end
  return kept
end

-- Links the kernel makes, or that no command here can make.
local MADE = {loopback = true}
local CAN = {veth = true, bridge = true, dummy = true}

-- The kinds that sit on another link (their parent, a vxlan's dev): what
-- follows `ip link add NAME` in the parent's namespace, from the model's
-- parent and linkinfo. `netns NS` puts a link the kernel reports moved away
-- from its parent back where it is, in the same command: made in its
-- namespace it would look for its parent there, and made next to its
-- parent and moved it could clash with a link of its name there (a
-- container's eth0).
local STACKED = {
  macvlan = {link = true, words = function(d) return "type macvlan mode " .. d.mode end},
  ipvlan = {link = true, words = function(d) return "type ipvlan mode " .. d.mode end},
  vlan = {link = true, words = function(d) return ("type vlan id %d protocol %s"):format(d.id, d.protocol) end},
  -- A vxlan's parent is its dev, among its own words.
  vxlan = {words = function(d, parent)
    local w = {"type vxlan id " .. d.id}
    for _, f in ipairs{"remote", "group", "remote6", "group6", "local", "local6"} do
      if d[f] then w[#w + 1] = f:gsub("6$", "") .. " " .. d[f] end
    end
    if parent then w[#w + 1] = "dev " .. word(parent) end
    w[#w + 1] = "dstport " .. d.port
    if d.learning == false then w[#w + 1] = "nolearning" end
    return table.concat(w, " ")
  end},
}

-- The words after `ip link add NAME` for a stacked link on parent (a name,
-- or nil), with info_data d, put in namespace netns (nil: where made).
local function kind_words(kind, parent, d, netns)
  local k = STACKED[kind]
  local w = {}
  if k.link then w[#w + 1] = "link " .. word(parent) end
  if netns then w[#w + 1] = "netns " .. word(netns) end
  w[#w + 1] = k.words(d, parent)
  return table.concat(w, " ")
end

-- netlab._kind_words(kind, l, d): those words for a link l (l.link: its
-- parent's name) with info_data d in ip -j's fields; nil for another kind
-- (the dry run's trace, lab_trace.lua, says a planned link so).
function netlab._kind_words(kind, l, d)
  return STACKED[kind] and kind_words(kind, l.link, d)
end

-- The command that makes stacked link l of namespace nsn: in its parent's
-- namespace, and put where it is.
local function stacked_add(nsn, l)
  local p = l.parent
  local at = p and p.ns or nsn
  return ip(at, "link add", word(l.ifname),
            kind_words(l.kind, p and p.ifname, l.linkinfo.info_data, at ~= nsn and nsn or nil))
end

-- The stacked links' commands ({key, on = the parent's key, line}), each
-- after the link it sits on when that is stacked too (the plain links,
-- veths and bridges, are all made before them); export --lua's too.
function netlab._export_stacked_order(list)
  local out, done, left, stacked = {}, {}, list, {}
  for _, x in ipairs(list) do stacked[x.key] = true end
  while #left > 0 do
    local later = {}
    for _, x in ipairs(left) do
      if x.on and stacked[x.on] and not done[x.on] and x.on ~= x.key then later[#later + 1] = x
      else out[#out + 1] = x.line; done[x.key] = true end
    end
    -- A loop of parents (none the kernel allows) ends here as it is.
    if #later == #left then
      for _, x in ipairs(later) do out[#out + 1] = x.line end
      break
    end
    left = later
  end
  return out
end

local function prio_text(c)
  if c.type == "nat" and c.prio == 100 and (c.hook == "postrouting" or c.hook == "input") then
    return "srcnat"
  elseif c.type == "nat" and c.prio == -100 and (c.hook == "prerouting" or c.hook == "output") then
    return "dstnat"
  elseif c.prio == 0 then
    return "filter"
  end
  return tostring(c.prio)
end

-- The script's sections, in the order they must run.
-- The static neighbours (the model holds no others) on links the script
-- makes or has, as `ip neigh add … nud permanent`.
local function export_neighbors_sh(n, lab, made, key, add, skip)
  for _, e in ipairs(n.neighbors or {}) do
    if (lab == nil or e.lab == lab) and e.lladdr then
      if made[key(n.name, e.dev)] == nil then
        skip(("neighbour %s on %s in %s"):format(e.dst, e.dev, n.name),
             ("its link %s is not exported"):format(e.dev))
      else
        add("neighbours", ip(n.name, "neigh add", e.dst, "lladdr", e.lladdr, "dev",
                             netlab._shword(e.dev), "nud permanent"))
      end
    end
  end
end

local SECTIONS = {"namespaces", "links", "masters", "bridge vlans", "addresses", "links up",
                  "routes", "neighbours", "sysctls", "nftables"}
local SECTIONS = {"namespaces", "links", "masters", "bridge vlans", "addresses", "links up",
                  "routes", "sysctls", "nftables"}

-- A VLAN-aware bridge's settings, as ip link add … type bridge takes them.
local function bridge_words(l)
  local d = l.linkinfo and l.linkinfo.info_data or {}
  if (d.vlan_filtering or 0) == 0 then return "" end
  local w = {" vlan_filtering 1"}
  if d.vlan_protocol and d.vlan_protocol ~= "802.1Q" then w[#w + 1] = " vlan_protocol " .. d.vlan_protocol end
  if d.vlan_default_pvid and d.vlan_default_pvid ~= 1 then
    w[#w + 1] = " vlan_default_pvid " .. d.vlan_default_pvid
  end
  return table.concat(w)
end

-- netlab._export_sh([lab]): the script's text; with lab, only what the state
-- gives to that lab (its records and marks), else everything.
function netlab._export_sh(lab)
  local state = netlab.state()
  local out, skipped = {}, {}
  for _, s in ipairs(SECTIONS) do out[s] = {} end
  local function add(section, line) table.insert(out[section], line) end
  local function skip(what, why) skipped[#skipped + 1] = ("# not exported: %s: %s"):format(what, why) end
  local function mine(x) return lab == nil or x.lab == lab end

  local named, exported = {}, {}
  for _, n in ipairs(state) do named[n.name] = n end
  -- Links by namespace and name that the script makes, so their addresses
  -- and routes go with them and a veth is written once.
  local made, done_veth, stacked = {}, {}, {}
  local function key(nsn, name) return nsn .. "|" .. name end

  -- In a sandbox, its simulated internet is netlab's own, made anew by every sandbox.
  if netlab.sandbox then
    state = netlab._export_unsandboxed(state)
    skip("namespace internet and wan0", "the sandbox's simulated internet, which netlab --sandbox makes")
  end

  for _, n in ipairs(state) do
    if n.gone then
      skip("namespace " .. n.name, n.why or "gone while it was read")
    elseif n.name ~= "root" and (lab == nil or n.lab == lab) then
      add("namespaces", "ip netns add " .. word(n.name))
      exported[n.name] = true
    end
  end

  -- Links: what makes each, or why none can.
  for _, n in ipairs(state) do
    for _, l in ipairs(n.links or {}) do
      local k = key(n.name, l.ifname)
      if MADE[l.kind] then
        made[k] = "kernel"
      elseif not mine(l) then
        made[k] = "other"
      elseif STACKED[l.kind] and l.linkinfo and l.linkinfo.info_data then
        local p = l.parent
        if (STACKED[l.kind].link or p) and not (p and p.ns and named[p.ns] and not named[p.ns].gone) then
          skip(("%s %s in %s"):format(l.kind, l.ifname, n.name),
               ("its parent%s is in a namespace not under /run/netns"):format(
                 p and p.ifname and " " .. p.ifname or ""))
        else
          made[k] = "here"
          stacked[#stacked + 1] = {key = k, on = p and key(p.ns, p.ifname), line = stacked_add(n.name, l)}
        end
      elseif not CAN[l.kind] then
        skip(("link %s in %s"):format(l.ifname, n.name), ("kind %s is not one export writes"):format(l.kind))
      elseif l.kind == "veth" then
        local p = l.peer
        if not p or not p.ns or not named[p.ns] or named[p.ns].gone then
          skip(("veth %s in %s"):format(l.ifname, n.name),
               ("its peer%s is in a namespace not under /run/netns"):format(
                 p and p.ifname and " " .. p.ifname or ""))
        elseif not done_veth[key(p.ns, p.ifname)] then
          done_veth[k] = true
          made[k], made[key(p.ns, p.ifname)] = "here", "here"
          if n.name ~= "root" and p.ns == "root" then
            add("links", ("ip link add %s netns %s type veth peer name %s"):format(
              word(l.ifname), word(n.name), word(p.ifname)))
          else
            add("links", ip(n.name, "link add", word(l.ifname), "type veth peer name",
                            word(p.ifname) .. (p.ns ~= n.name and " netns " .. word(p.ns) or "")))
          end
        end
      else
        made[k] = "here"
        add("links", ip(n.name, "link add", word(l.ifname), "type", l.kind) ..
                     (l.kind == "bridge" and bridge_words(l) or ""))
      end
    end
  end

  for _, line in ipairs(netlab._export_stacked_order(stacked)) do add("links", line) end

  -- What each link made here (and lo) has: master, addresses, settings, up.
  for _, n in ipairs(state) do
    for _, l in ipairs(n.links or {}) do
      local k, what = key(n.name, l.ifname), ("link %s in %s"):format(l.ifname, n.name)
      local here = made[k] == "here"
      if here and l.master then
        add("masters", ip(n.name, "link set dev", word(l.ifname), "master", word(l.master)))
      end
      -- A port's VLANs (and a bridge's own, "self"), once it is on its bridge.
      for _, v in ipairs(here and l.vlans or {}) do
        add("bridge vlans", ("bridge%s vlan add dev %s vid %d%s%s%s"):format(
          n.name ~= "root" and " -n " .. word(n.name) or "", word(l.ifname), v.vid,
          v.pvid and " pvid" or "", v.untagged and " untagged" or "",
          l.kind == "bridge" and " self" or ""))
      end
      if here or (made[k] == "kernel" and (lab == nil or exported[n.name])) then
        for _, a in ipairs(l.addr_info) do
          local skip_it = (a.family == "inet6" and a.scope == "link") or
                          (l.kind == "loopback" and (a["local"] == "127.0.0.1" or a["local"] == "::1"))
          if not skip_it then
            add("addresses", ip(n.name, "addr add", a["local"] .. "/" .. a.prefixlen ..
                                (a.broadcast and " broadcast " .. a.broadcast or ""), "dev", word(l.ifname)))
          end
        end
        local set = {}
        if l.mtu and l.mtu ~= (l.kind == "loopback" and 65536 or 1500) then set[#set + 1] = "mtu " .. l.mtu end
        if l.ifalias then set[#set + 1] = "alias " .. word(l.ifalias) end
        if l.up then set[#set + 1] = "up" end
        if #set > 0 then add("links up", ip(n.name, "link set dev", word(l.ifname), table.concat(set, " "))) end
      elseif made[k] == nil then
        for _, a in ipairs(l.addr_info) do
          if not (a.family == "inet6" and a.scope == "link") then
            skip(("address %s/%s on %s"):format(a["local"], a.prefixlen, what), "its link is not exported")
          end
        end
      end
    end
    -- Routes the kernel did not make, on links the script makes or has.
    local gw, direct = {}, {}
    for _, r in ipairs(n.routes or {}) do
      local kernel = r.protocol == "kernel" or r.table == "local" or r.type ~= "unicast" or
                     (r.dst or ""):match("^fe80:") or (r.dst or ""):match("^ff00:")
      if not kernel and (lab == nil or r.lab == lab) then
        local k = r.dev and key(n.name, r.dev)
        local w = {r.family == "inet6" and "-6 route add" or "route add", r.dst}
        if r.gateway then w[#w + 1] = "via " .. r.gateway end
        if r.dev then w[#w + 1] = "dev " .. word(r.dev) end
        if r.metric and r.metric ~= 0 and not (r.family == "inet6" and r.metric == 1024) then
          w[#w + 1] = "metric " .. r.metric
        end
        if r.prefsrc then w[#w + 1] = "src " .. r.prefsrc end
        if r.table ~= "main" then w[#w + 1] = "table " .. r.table end
        if r.protocol and r.protocol ~= "boot" then w[#w + 1] = "proto " .. r.protocol end
        if r.onlink then w[#w + 1] = "onlink" end
        local line = ip(n.name, table.concat(w, " "))
        if k and made[k] == nil then
          skip(("route %s in %s"):format(r.dst, n.name), ("its link %s is not exported"):format(r.dev))
        else
          table.insert(r.gateway and gw or direct, line)
        end
      end
    end
    -- Routes on a link first: a gateway must be reachable when its route is added.
    for _, l in ipairs(direct) do add("routes", l) end
    for _, l in ipairs(gw) do add("routes", l) end
    export_neighbors_sh(n, lab, made, key, add, skip)

    local f = n.forwarding
    if f and (lab == nil or exported[n.name]) then
      if f.ipv4 then add("sysctls", in_ns(n.name, "sysctl -w net.ipv4.ip_forward=1")) end
      if f.ipv6 then add("sysctls", in_ns(n.name, "sysctl -w net.ipv6.conf.all.forwarding=1")) end
    end

    local t = n.nftables
    if t then
      -- The tables and chains the script needs: a lab's own, and those its rules are in.
      local tables, chains = {}, {}
      for _, x in ipairs(t.tables) do
        if mine(x) then tables[x.family .. "|" .. x.name] = "all" end
      end
      for _, r in ipairs(t.rules) do
        local tk = r.family .. "|" .. r.table
        if mine(r) and not tables[tk] then tables[tk] = "some" end
        if mine(r) then chains[tk .. "|" .. r.chain] = true end
      end
      for _, x in ipairs(t.tables) do
        if tables[x.family .. "|" .. x.name] then
          add("nftables", in_ns(n.name, ("nft add table %s %s%s"):format(x.family, word(x.name),
            x.comment and " " .. word(('{ comment "%s"; }'):format(x.comment)) or "")))
        end
      end
      for _, c in ipairs(t.chains) do
        local tk = c.family .. "|" .. c.table
        if tables[tk] == "all" or chains[tk .. "|" .. c.name] then
          local block = ""
          if c.type then
            block = " " .. word(("{ type %s hook %s priority %s;%s }"):format(c.type, c.hook,
              prio_text(c), c.policy and " policy " .. c.policy .. ";" or ""))
          end
          add("nftables", in_ns(n.name, ("nft add chain %s %s %s%s"):format(c.family, word(c.table),
            word(c.name), block)))
        end
      end
      for _, r in ipairs(t.rules) do
        if mine(r) then
          -- iptables-nft's MASQUERADE is xtables' target; nft writes it as its own.
          local text = r.text:gsub('xt target "MASQUERADE"$', "masquerade")
          text = text .. (r.comment and (' comment "%s"'):format(r.comment) or "")
          if text:find("[", 1, true) or text:find("xt ", 1, true) then
            skip(("rule %s in table %s %s of %s"):format(r.handle, r.family, r.table, n.name),
                 "it holds expressions export cannot write: " .. r.text)
          else
            local plain = text:match("^[%w%-_./:=,+@%% ]+$") and text or word(text)
            add("nftables", in_ns(n.name, ("nft add rule %s %s %s %s"):format(r.family, word(r.table),
              word(r.chain), plain)))
          end
        end
      end
    end
  end

  -- A lab's sysctls and its settings of links it did not make: its records say them.
  if lab then
    local S = require "netlab.lab_state"
    for _, r in ipairs(S.load_records(lab)) do
      if r.kind == "sysctl" and r.value ~= nil then
        add("sysctls", in_ns(r.ns, "sysctl -w " .. word(r.key .. "=" .. r.value)))
      elseif r.kind == "set" and r.value ~= nil and made[key(r.ns, r.name)] ~= "here" then
        local v = r.value
        if r.field == "master" then v = v and "master " .. word(v) or "nomaster"
        elseif r.field == "up" then v = v and "up" or "down"
        elseif r.field == "alias" then v = "alias " .. word(v or "")
        elseif r.field == "mtu" then v = "mtu " .. v
        else v = nil end
        if v then
          add("links up", ip(r.ns, "link set dev", word(r.name), v))
        else
          skip(("%s of link %s in %s"):format(r.field, r.name, r.ns), "a setting export does not write")
        end
      end
    end
  end

  local head = {
    "#!/bin/sh",
    ("# %s, written by netlab export --sh %s."):format(
      lab and ("Lab " .. lab) or "The network of this machine (root and every named namespace)",
      lab or "--all"),
    "# Rebuilds it from nothing: run as root on a machine without these namespaces,",
    "# links and tables, with iproute2 (ip), nftables (nft) and procps (sysctl):",
    "#   sh -e THIS_FILE",
    "# What the kernel makes by itself (lo, link-local addresses, kernel routes) is left out.",
    "set -e",
  }
  local text = {table.concat(head, "\n")}
  for _, s in ipairs(SECTIONS) do
    if #out[s] > 0 then text[#text + 1] = "\n# " .. s .. "\n" .. table.concat(out[s], "\n") end
  end
  if #skipped > 0 then text[#text + 1] = "\n" .. table.concat(skipped, "\n") end
  return table.concat(text, "\n") .. "\n"
end
