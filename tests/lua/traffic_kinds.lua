-- (Not named overlay.lua: a test runs as a lab of its file's name, and
-- scripts/overlay.lua's lab is "overlay".)
-- scripts/overlay.lua's traffic, witnessed outside netlab: real ping(8)
-- between the containers, and nftables counters on host2's underlay link
-- (an ingress chain the test adds with nft) showing the echoes cross the
-- underlay inside UDP to port 4789, never as bare ICMP. And
-- scripts/macvlan.lua's two answers, by real ping: siblings reach each
-- other, the parent's namespace does not reach them.
local t = require "t"

local run = t.run

-- The witness chain: on u-host2's ingress, one counter for VXLAN's UDP and
-- one for bare ICMP.
local RULES = [[
table netdev witness {
  chain in {
    type filter hook ingress device "u-host2" priority 0;
    udp dport 4789 counter
    ip protocol icmp counter
  }
}
]]

-- The two counters' packets, read back with `nft -j`: udp, icmp.
local function counters()
  local out = t.sh_ok("ip netns exec host2 nft -j list table netdev witness")
  local got = {}
  for _, o in ipairs(t.json.decode(out).nftables) do
    if o.rule then
      local match, packets
      for _, e in ipairs(o.rule.expr) do
        if e.match then match = e.match.left.payload.protocol end
        if e.counter then packets = e.counter.packets end
      end
      got[match] = packets
    end
  end
  return got
end

t.test("overlay: the containers ping each other, and the underlay carries it as UDP 4789", function()
  local _ <close> = t.fresh()
  local out, code = run("run", "scripts/overlay.lua")
  t.eq(code, 0, "run (its expectations met): " .. out)
  local _ <close> = setmetatable({}, {__close = function() run("down", "overlay") end})
  t.sh_ok([[printf "%s" "$1" | ip netns exec host2 nft -f -]], RULES)
  local before = counters()
  t.ok(before.udp and before.ip, "both counters read back")
  t.ok(t.ping_eventually("c1", "10.244.0.2"), "c1 pings c2 (real ping)")
  t.ok(t.ping_eventually("c2", "10.244.0.1"), "c2 pings c1 (real ping)")
  local after = counters()
  -- At least the two echoes and the two replies that arrive at host2 (more:
  -- ARP and IPv6 neighbour discovery cross the overlay too).
  t.ok(after.udp - before.udp >= 2,
    ("the echoes crossed host2's underlay as UDP 4789: %d then %d"):format(before.udp, after.udp))
  t.eq(after.ip, 0, "no bare ICMP on the underlay")
  -- The overlay is the only way: the vxlan down, the containers are cut off.
  t.sh_ok("ip -n host1 link set vxlan42 down")
  t.ok(not t.ping("c1", "10.244.0.2"), "c1 no longer reaches c2 with host1's vxlan down")
end)

t.test("macvlan: siblings reach each other, the parent's namespace does not (real ping)", function()
  local _ <close> = t.fresh()
  local out, code = run("run", "scripts/macvlan.lua")
  t.eq(code, 0, "run (its expectations met): " .. out)
  local _ <close> = setmetatable({}, {__close = function() run("down", "macvlan") end})
  t.ok(t.ping_eventually("mv1", "10.7.0.2"), "mv1 pings mv2")
  t.ok(t.ping_eventually("mv2", "10.7.0.1"), "mv2 pings mv1")
  t.ok(not t.ping(nil, "10.7.0.1"), "root does not reach mv1 through the parent")
  t.ok(not t.ping("mv1", "10.7.0.254"), "mv1 does not reach the parent's address")
end)

t.done()
