-- netlab.lab_kernel: what the lab engine reads back from the kernel to
-- compare with its records (lab_state.lua keeps the records and files).
local K = {}

-- The identity of a namespace by name (its nsfs inode), nil if there is none.
function K.nsid(nsn)
  local ok, n = pcall(ns.get, nsn)
  return ok and n and n.id or nil
end

-- The route the kernel has for a record's destination, table and metric, if any.
function K.find_route(r)
  local fam = r.dst:find(":") and "inet6" or (r.via and r.via:find(":") and "inet6") or "inet"
  if r.dst == "default6" then fam = "inet6" end
  local dst = r.dst == "default6" and "default" or r.dst
  for _, x in ipairs(route.list{ns = r.ns, table = r.table, family = fam}) do
    if x.dst == dst and x.metric == (r.metric or x.metric) then return x end
  end
end

function K.route_same(x, r)
  return x and x.via == r.via and (r.dev == nil or x.dev == r.dev) and
         (x.onlink or false) == (r.onlink or false)
end

-- nftables, as netlab's nat module keeps it: the rules of (ns, table) with
-- their handles and comments, and the forward chain's policy ("none" when
-- there is no such table or chain).
function K.nft_state(nsn, tbl)
  local ok, l = pcall(nat.list, {ns = nsn, table = tbl})
  if not ok then return nil end
  local st = {rules = {}, policy = "none", exists = #l.tables > 0}
  for _, r in ipairs(l) do st.rules[r.handle] = r end
  for _, c in ipairs(l.chains) do
    if c.hook == "forward" and c.policy then st.policy = c.policy end
  end
  return st
end

-- Whether the process a record names still runs: same PID, same start time.
function K.proc_alive(r)
  return r.pid ~= nil and r.start ~= nil and netlab._proc_start(r.pid) == r.start
end

return K
