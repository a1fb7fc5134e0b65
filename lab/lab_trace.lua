-- netlab.lab_trace: --trace in a dry run (`netlab run --dry-run --trace`).
--
-- A run's trace is made in the core from each request it sends
-- (core/trace.c). A dry run sends none: its wrappers write plan lines
-- instead (lab_plan.lua), so its trace is made here, from the same plan
-- records, in the words the core uses. It says what the run would change
-- as commands; it leaves out what only a run knows: netlab's own marks
-- (link aliases, the rule comments) and nftables rules, which are named in
-- a comment (their exact words come from the kernel's decoder in a run).
local T = {}

local word = netlab._shword

local function ip(nsn, ...)
  local out = {"ip"}
  if nsn and nsn ~= "root" then out[#out + 1] = "-n " .. word(nsn) end
  for _, w in ipairs{...} do out[#out + 1] = w end
  return table.concat(out, " ")
end

local function in_ns(nsn, cmd)
  return (nsn == nil or nsn == "root") and cmd or "ip netns exec " .. word(nsn) .. " " .. cmd
end

local function name_of(v)
  return type(v) == "table" and v.name or v
end

-- One end's settings after it is made: master, up (its addresses are plan records of their own).
local function end_lines(out, e)
  if e.master then out[#out + 1] = ip(e.ns, "link set dev", word(e.name), "master", word(name_of(e.master))) end
  if e.up then out[#out + 1] = ip(e.ns, "link set dev", word(e.name), "up") end
end

-- A bridge's VLAN settings, as core/trace.c words the request.
local function bridge_words(r)
  local w = {}
  if r.vlan_filtering then w[#w + 1] = " vlan_filtering 1" end
  if r.vlan_protocol then
    w[#w + 1] = " vlan_protocol " .. (r.vlan_protocol:lower() == "802.1ad" and "802.1ad" or "802.1Q")
  end
  if r.vlan_default_pvid then w[#w + 1] = " vlan_default_pvid " .. r.vlan_default_pvid end
  return table.concat(w)
end

-- The defaults the C half sends when a script gives none (bindings/link.c).
local MODE = {macvlan = "bridge", ipvlan = "l3"}

-- "type KIND …" with the kind's options, as link.add was given them (a
-- planned link has no state to read them from), in export's words.
local function kind_words(kind, o)
  local v6 = (o.remote or o.group or o["local"] or ""):find(":", 1, true) and "6" or ""
  local d = {mode = o.mode or MODE[kind], id = o.id or o.vni, protocol = o.protocol or "802.1Q",
             link = name_of(o.dev), port = o.dstport or 4789, learning = o.learning}
  if o.remote then d["remote" .. v6] = o.remote end
  if o.group then d["group" .. v6] = o.group end
  if o["local"] then d["local" .. v6] = o["local"] end
  -- export's words take a vxlan's dev as its parent.
  local w = netlab._kind_words(kind, {link = name_of(kind == "vxlan" and o.dev or o.parent)}, d)
  if w then return w end
  w = {"type " .. word(kind)}
  if kind == "bridge" then
    for _, f in ipairs{{"stp", "stp_state"}, {"mcast_snooping"}} do
      local v = o[f[1]]
      if v ~= nil then w[#w + 1] = (f[2] or f[1]) .. " " .. ((v == true or v == 1) and 1 or 0) end
    end
  end
  return table.concat(w, " ") .. (kind == "bridge" and bridge_words(o) or "")
end

local function link_add(out, r)
  local d, p = (r.ends or {})[1], (r.ends or {})[2]
  if not d then
    out[#out + 1] = "# not traced: link " .. r.name .. " in " .. r.ns
    return
  end
  local mtu = d.mtu and " mtu " .. d.mtu or ""
  if r.lkind == "veth" and p then
    local pm = p.mtu and " mtu " .. p.mtu or ""
    if d.ns == "root" then
      out[#out + 1] = ("ip link add %s%s type veth peer name %s%s%s"):format(word(d.name), mtu,
        word(p.name), pm, p.ns ~= "root" and " netns " .. word(p.ns) or "")
    elseif p.ns == "root" then
      out[#out + 1] = ("ip link add %s netns %s%s type veth peer name %s%s"):format(word(d.name),
        word(d.ns), mtu, word(p.name), pm)
    else
      out[#out + 1] = ip(d.ns, "link add", word(d.name) .. mtu, "type veth peer name",
                         word(p.name) .. pm .. (p.ns ~= d.ns and " netns " .. word(p.ns) or ""))
    end
  else
    out[#out + 1] = ip(d.ns, "link add", word(d.name) .. mtu, kind_words(r.lkind, r.opts or {}))
  end
  end_lines(out, d)
  if p then end_lines(out, p) end
end

local function set_words(c)
  local w = {}
  if c.name then w[#w + 1] = "name " .. word(c.name) end
  if c.mtu then w[#w + 1] = "mtu " .. c.mtu end
  if c.alias ~= nil then w[#w + 1] = "alias " .. word(c.alias or "") end
  if c.master ~= nil then w[#w + 1] = c.master and "master " .. word(name_of(c.master)) or "nomaster" end
  if c.netns then
    local n = name_of(c.netns)
    w[#w + 1] = n == "root" and "netns $$" or "netns " .. word(n)
  end
  if c.up ~= nil then w[#w + 1] = c.up and "up" or "down" end
  return table.concat(w, " ")
end

local function route_line(verb, r)
  local v6 = r.dst == "default6" or (r.dst or ""):find(":", 1, true) or (r.via or ""):find(":", 1, true)
  local w = {(v6 and "-6 " or "") .. "route " .. verb, r.dst == "default6" and "default" or r.dst}
  if r.via then w[#w + 1] = "via " .. r.via end
  if r.dev then w[#w + 1] = "dev " .. word(r.dev) end
  if r.metric and r.metric ~= 0 then w[#w + 1] = "metric " .. r.metric end
  if r.table and r.table ~= 254 then w[#w + 1] = "table " .. r.table end
  return ip(r.ns, table.concat(w, " "))
end

local by = {}

function by.ns(out, sign, r)
  if sign == "-" or sign == "~" then out[#out + 1] = "ip netns del " .. word(r.name) end
  if sign ~= "-" and r.pid_planned then
    -- A process the run would start has no number yet: none to paste.
    out[#out + 1] = ("# ip netns attach %s PID, of a process the run starts"):format(word(r.name))
  elseif sign ~= "-" then
    out[#out + 1] = r.pid and ("ip netns attach %s %s"):format(word(r.name), word(r.pid)) or
                    "ip netns add " .. word(r.name)
  end
end

function by.link(out, sign, r)
  if sign == "-" or sign == "~" then out[#out + 1] = ip(r.ns, "link del", word(r.name)) end
  if sign ~= "-" then link_add(out, r) end
end

function by.addr(out, sign, r)
  out[#out + 1] = ip(r.ns, "addr", sign == "-" and "del" or "add", r.addr ..
                     (sign ~= "-" and r.brd == "+" and " broadcast +" or ""), "dev", word(r.dev))
end

function by.neigh(out, sign, r)
  out[#out + 1] = sign == "-" and ip(r.ns, "neigh del", r.addr, "dev", word(r.dev)) or
                  ip(r.ns, "neigh replace", r.addr, "lladdr", r.mac, "dev", word(r.dev), "nud permanent")
end

function by.brvlan(out, sign, r)
  local w = {"bridge"}
  if r.ns ~= "root" then w[#w + 1] = "-n " .. word(r.ns) end
  w[#w + 1] = ("vlan %s dev %s vid %d"):format(sign == "-" and "del" or "add", word(r.dev), r.vid)
  if sign ~= "-" and r.pvid then w[#w + 1] = "pvid" end
  if sign ~= "-" and r.untagged then w[#w + 1] = "untagged" end
  if r.self then w[#w + 1] = "self" end
  out[#out + 1] = table.concat(w, " ")
end

function by.route(out, sign, r)
  out[#out + 1] = route_line(sign == "-" and "del" or sign == "~" and "replace" or "add", r)
end

function by.sysctl(out, sign, r)
  local v = sign == "-" and r.prev or r.value
  if v ~= nil then out[#out + 1] = in_ns(r.ns, "sysctl -w " .. word(r.key .. "=" .. v)) end
end

function by.set(out, sign, r)
  local c = r.changes
  if not c and r.field then c = {[r.field] = r.prev} end
  local w = c and set_words(c) or ""
  if w ~= "" then out[#out + 1] = ip(r.ns, "link set dev", word(r.name), w) end
end

function by.nfttable(out, sign, r)
  if sign == "-" then out[#out + 1] = in_ns(r.ns, "nft delete table inet " .. word(r.table)) end
end

function by.nftpolicy(out, sign, r)
  local v = sign == "-" and r.prev or r.value
  if v and v ~= "none" then
    -- As the core sends it: the table (netlab's, tagged) and the chain, in one batch.
    out[#out + 1] = in_ns(r.ns, "nft add table inet " .. word(r.table) .. " " ..
                             word('{ comment "netlab"; }'))
    out[#out + 1] = in_ns(r.ns, "nft add chain inet " .. word(r.table) .. " forward " ..
      word(("{ type filter hook forward priority filter; policy %s; }"):format(v)))
  end
end

function by.nft(out, sign, r)
  out[#out + 1] = ("# %s nat %s in %s: its nft commands are known when it runs"):format(
    sign == "-" and "deleted:" or "made:", r.spec, r.ns)
end

-- The trace lines of one plan record applied with sign ("=" keeps: none).
function T.lines(sign, r)
  local out = {}
  if sign ~= "=" and by[r.kind] then by[r.kind](out, sign, r) end
  return out
end

return T
