-- netlab.lab_remove: taking a lab's objects away again (down, the end of a
-- converging run, rollback), and checking that the kernel still agrees. What
-- each kind of record needs is in lab_kinds.lua.
local S = require "netlab.lab_state"
local Kinds = require "netlab.lab_kinds"

local R = {}
local keyof = S.keyof

R.identify = Kinds.identify

-- A record in words, as `netlab ls LAB` names it.
function R.describe(r)
  local k = Kinds.of[r.kind]
  if k then return k.describe(r) end
  return (keyof(r):gsub("|", " "))
end

-- Removes records (given newest first). Objects inside a namespace that goes
-- too are left to the kernel, which removes a namespace's devices in one
-- batch; a veth whose other end was in such a namespace goes with it, in the
-- kernel's own time, and is waited for so the lab can be made again at once.
function R.remove(records, report)
  local ctx = {dying = {}, dying_links = {}, confirmed = {}, waits = {}}
  function ctx.note(fmt, ...)
    if report then report(fmt:format(...)) end
  end
  for _, r in ipairs(records) do
    if r.kind == "ns" and R.identify(r) == "ok" then ctx.dying[r.name] = true end
    if r.kind == "nft" and not r.pending then
      for _, h in ipairs(Kinds.handles(r.handles)) do
        ctx.confirmed[r.ns .. "|" .. r.table .. "|" .. h] = true
      end
    end
  end
  for _, r in ipairs(records) do
    if r.kind == "link" then
      ctx.dying_links[r.ns .. "|" .. r.name] = true
      if r.peer then ctx.dying_links[r.peer_ns .. "|" .. r.peer] = true end
    end
  end
  local function one(r)
    local k = Kinds.of[r.kind]
    if not k then return end
    local inside = r.ns and ctx.dying[r.ns]
    if not inside and r.kind ~= "ns" then
      local id = R.identify(r)
      if id == "unknown" then
        ctx.note("%s: the record does not say what identifies it; left alone", R.describe(r))
        return
      elseif id == "other" then
        ctx.note("%s is not the one this lab made; left alone", (k.name or R.describe)(r))
        return
      elseif id == "gone" then
        return
      end
    end
    if inside and not k.always then
      if k.inside then k.inside(r, ctx) end
      return true
    end
    return k.remove(r, ctx)
  end
  local done = 0
  for _, r in ipairs(records) do
    -- One object that cannot be removed must not keep the others.
    local ok, res = pcall(one, r)
    if not ok then ctx.note("%s: %s", keyof(r):gsub("|", " "), tostring(res))
    elseif res then done = done + 1 end
  end
  R.wait_gone(ctx.waits, report)
  return done
end

-- Waits until links the kernel removes in its own time are gone, so the lab
-- can be made again at once. The kernel may take seconds (a packet still
-- waiting for an ARP answer holds its device until the answer times out);
-- after ten seconds in which none went, something else (a process inside)
-- holds their namespace, and waiting longer would not help.
function R.wait_gone(waits, report)
  if #waits == 0 then return end
  local byns = {}
  for _, w in ipairs(waits) do
    byns[w.ns] = byns[w.ns] or {}
    byns[w.ns][w.name] = true
  end
  -- Our own cached handles would keep dead namespaces alive.
  netlab._release()
  local idle, last = 0, math.huge
  while true do
    local left = 0
    for n, set in pairs(byns) do
      local ok, names = pcall(link._names, n)
      for name in pairs(set) do
        if ok and names[name] then left = left + 1 else set[name] = nil end
      end
    end
    if left == 0 then return end
    if left < last then idle, last = 0, left else idle = idle + 1 end
    if idle >= 1000 then
      if report then
        report(("%d link%s still held by the kernel (a process may still be in a namespace of the lab)")
          :format(left, left == 1 and " is" or "s are"))
      end
      return
    end
    netlab.sleep(0.01)
  end
end

-- How far the kernel still agrees with a record: "ok", "gone" or "changed",
-- and for "changed" what it is now, in words ("is 0, lab set 1").
function R.check(r)
  local iok, id = pcall(R.identify, r)
  if not iok or id == "gone" then return "gone" end
  if id == "unknown" then return "unverifiable", "(the record does not say what identifies it)" end
  if id == "other" then return "changed", "is another one, made since" end
  local k = Kinds.of[r.kind]
  if k and k.check then return k.check(r) end
  return "ok"
end

return R
