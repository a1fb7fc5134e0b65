-- netlab.lab_wrap_nat: the lab's wrappers of nat.masquerade, nat.forward_port,
-- nat.allow, nat.filter, nat.del and nat.flush
-- (lab_record.lua installs them; docs/hacking.md, Lab records).
local S = require "netlab.lab_state"
local K = require "netlab.lab_kernel"
local R = require "netlab.lab_remove"
local Kinds = require "netlab.lab_kinds"
local P = require "netlab.lab_plan"

local nsname, copy, keyof = S.nsname, S.copy, S.keyof
local plan = P.plan

local wrappers = {}


-- A call's options as text: what makes two calls the same rule(s).
local function spec_of(fn, o)
  local keys = {}
  for k in pairs(o) do
    if k ~= "ns" and k ~= "table" and k ~= "comment" then keys[#keys + 1] = tostring(k) end
  end
  table.sort(keys)
  local parts = {fn}
  for _, k in ipairs(keys) do
    local v = o[k]
    if type(v) == "table" then
      v = v.name or table.concat(v, ",")
    end
    parts[#parts + 1] = k .. "=" .. tostring(v)
  end
  return table.concat(parts, " ")
end

-- The first time a run adds to (ns, table): a record of the table if the call makes it.
local function note_table(run, nsn, tbl)
  local k = "nfttable|" .. nsn .. "|" .. tbl
  if run.tables_seen[k] then return end
  run.tables_seen[k] = true
  local p = run.prevkeys[k]
  if p then run:claim(p) return end
  local st = K.nft_state(nsn, tbl)
  if st and not st.exists and not run.dry then
    run.pending_tables[#run.pending_tables + 1] = {kind = "nfttable", ns = nsn, table = tbl}
  end
end

-- The tables the next call makes (note_table): journalled as pending before
-- it, in the namespace of identity nsid, and recorded once it has made them.
local function tables_pending(run, nsid)
  for _, t in ipairs(run.pending_tables) do
    t.nsid = nsid
    local pt = copy(t)
    pt.pending = true
    run:log(S.serialize(pt) .. "\n")
  end
end

local function tables_made(run)
  for _, t in ipairs(run.pending_tables) do run:record(t) end
  run.pending_tables = {}
end

-- nat.masquerade, nat.forward_port, nat.allow: rules tagged with the lab's name.
local function nat_adder(fn)
  return function(run, orig, o)
    if type(o) ~= "table" or getmetatable(o) then return orig(o) end
    local nsn = nsname(o.ns)
    if type(nsn) ~= "string" then return orig(o) end
    local tbl = o.table or nat.table
    local c = copy(o)
    c.comment = c.comment or ("netlab:" .. run.name)
    local want = {kind = "nft", ns = nsn, table = tbl, spec = spec_of(fn, o), comment = c.comment}
    local p = run:prev(want)
    if p and R.check(p) == "ok" then
      note_table(run, nsn, tbl)
      run:claim(p)
      if run.dry then plan(run, "=", want) end
      return
    end
    if run.dry then plan(run, "+", want) return end
    -- Part of the previous call's rules deleted by someone: the rest of them
    -- goes, so that the call made again leaves no doubles.
    if p then
      local left = Kinds.nft_mine(p)
      if #left > 0 then run.orig.nat_del(left, {ns = nsn, table = tbl}) end
    end
    note_table(run, nsn, tbl)
    want.nsid = K.nsid(nsn)
    tables_pending(run, want.nsid)
    local res = run:make(want, orig, c)
    tables_made(run)
    local hs = {}
    for _, r in ipairs(res.handle and {res} or res) do hs[#hs + 1] = tostring(r.handle) end
    want.handles = table.concat(hs, ",")
    if p then run.claimed[keyof(p)] = true end
    run:record(want)
    return res
  end
end

wrappers.nat_masquerade = nat_adder("masquerade")
wrappers.nat_forward_port = nat_adder("forward_port")
wrappers.nat_allow = nat_adder("allow")

function wrappers.nat_filter(run, orig, o)
  if type(o) ~= "table" or type(o.policy) ~= "string" then return orig(o) end
  local nsn, tbl = nsname(o.ns), o.table or nat.table
  if type(nsn) ~= "string" then return orig(o) end
  local st = K.nft_state(nsn, tbl)
  local cur = st and st.policy or "none"
  local r = {kind = "nftpolicy", ns = nsn, table = tbl, prev = cur, value = o.policy,
             nsid = K.nsid(nsn)}
  local k = keyof(r)
  local old = run.keys[k] or run.prevkeys[k]
  if old then r.prev = old.prev end
  if run.prevkeys[k] then run.claimed[k] = true end
  if cur == o.policy then
    note_table(run, nsn, tbl)
    if not run.dry then run:record(r) end
    if run.dry then plan(run, "=", r) end
    return
  end
  if run.dry then plan(run, "~", r) return end
  note_table(run, nsn, tbl)
  tables_pending(run, r.nsid)
  run:record(r)
  orig(o)
  tables_made(run)
end

function wrappers.nat_del(run, orig, rules, o)
  if run.dry then
    local n = type(rules) == "table" and not rules.handle and #rules or 1
    plan(run, "-", {kind = "nat", what = ("%d nat rule%s"):format(n, n == 1 and "" or "s")})
    return
  end
  orig(rules, o)
  local gone = {}
  for _, r in ipairs(type(rules) == "table" and not rules.handle and rules or {rules}) do
    gone[tostring(type(r) == "table" and r.handle or r)] = true
  end
  run:forget(function(r)
    if r.kind ~= "nft" then return false end
    for _, h in ipairs(Kinds.handles(r.handles)) do if gone[tostring(h)] then return true end end
    return false
  end)
end

function wrappers.nat_flush(run, orig, o)
  local nsn = type(o) == "table" and not getmetatable(o) and nsname(o.ns) or nsname(o)
  local tbl = type(o) == "table" and o.table or nat.table
  if run.dry and type(nsn) == "string" then
    plan(run, "-", {kind = "nfttable", ns = nsn, table = tbl})
    return
  end
  orig(o)
  run:forget(function(r)
    return (r.kind == "nft" or r.kind == "nftpolicy" or r.kind == "nfttable") and
           r.ns == nsn and r.table == tbl
  end)
end

-- Which module functions change the kernel, and the wrapper of each (and
-- ns.get, which keeps a namespace the previous run made); the last items say
-- where the options table is (an argument number, or "route" for route's
-- f(dst, opts) or f{dst, …}) and how many positional items it has. It is
-- checked against the module's spec (mod._spec.FN) before the wrapper runs,

local hooks = {
  {"nat", "masquerade", "nat_masquerade", "nat.masquerade", 1},
  {"nat", "forward_port", "nat_forward_port", "nat.forward_port", 1},
  {"nat", "allow", "nat_allow", "nat.allow", 1},
  {"nat", "filter", "nat_filter", "nat.filter", 1},
  {"nat", "del", "nat_del", "nat.del"},
  {"nat", "flush", "nat_flush", "nat.flush"},
}

return {wrappers = wrappers, hooks = hooks}
