-- The Lua half of the nat module: how rules and listings print, and rule
-- objects' methods. Listings read as `nft -a list ruleset` does.
local nat = ...

local function rule_line(r)
  local s = r.text
  if r.comment then s = s .. (" comment %q"):format(r.comment) end
  s = s .. " # handle " .. r.handle
  if r.packets then s = s .. (", packets %d bytes %d"):format(r.packets, r.bytes) end
  return s
end

local R = netlab._meta("netlab.nat.rule")
R.__name = "netlab.nat.rule"
R.__index = {
  del = function(self) nat.del(self) end,
}
R.__tostring = function(r)
  return ("%s %s %s: %s%s"):format(r.family, r.table, r.chain, rule_line(r), netlab._in(r.ns and r.ns.name))
end

local function rules_text(rules)
  if #rules == 0 then return "(no rules)" end
  local out = {}
  for i, r in ipairs(rules) do out[i] = tostring(r) end
  return table.concat(out, "\n")
end

local RS = netlab._meta("netlab.nat.rules")
RS.__name = "netlab.nat.rules"
RS.__index = {
  del = function(self) nat.del(self) end,
}
RS.__tostring = rules_text

local function chain_head(c)
  if not c.type then return nil end
  return ("type %s hook %s priority %d; policy %s;"):format(c.type, c.hook, c.prio, c.policy)
end

-- table inet netlab { chain forward { type filter hook forward priority 0; policy drop; … } }
local L = netlab._meta("netlab.nat.list")
L.__name = "netlab.nat.list"
L.__index = {
  del = function(self) nat.del(self) end,
}
L.__tostring = function(list)
  if #list.tables == 0 then return "(no tables)" end
  local out = {}
  for _, t in ipairs(list.tables) do
    out[#out + 1] = ("table %s %s {%s"):format(t.family, t.name,
      t.comment and (" # comment %q"):format(t.comment) or "")
    for _, c in ipairs(list.chains) do
      if c.family == t.family and c.table == t.name then
        out[#out + 1] = ("  chain %s {"):format(c.name)
        if chain_head(c) then out[#out + 1] = "    " .. chain_head(c) end
        for _, r in ipairs(list) do
          if r.family == t.family and r.table == t.name and r.chain == c.name then
            out[#out + 1] = "    " .. rule_line(r)
          end
        end
        out[#out + 1] = "  }"
      end
    end
    out[#out + 1] = "}"
  end
  return table.concat(out, "\n")
end

return nat
