-- Two sites joined through a "WAN": a namespace that routes between them
-- and makes its links slow, far and lossy, as a long-distance line is
-- (link.impair: delay, loss and a rate limit on what the WAN sends each
-- site). Run a transfer or a ping between the sites to see it.
--   netlab run --sandbox scripts/wan.lua
--   netlab run --sandbox scripts/wan.lua delay=100ms rate=2mbit
-- A parameter in tc's units, checked as link.impair checks it (field f).
local function tc_unit(f)
  return function(v)
    local ok, err = pcall(link._impair_norm, {[f] = v})
    return ok, not ok and tostring(err):match("%((.*)%)$")
  end
end

local p = netlab.params{
  doc = "two sites through a WAN namespace with delay, loss and a rate limit",
  {"delay", "40ms", "one-way delay of the WAN (each way: the RTT is twice it)", check = tc_unit("delay")},
  {"loss", "1%", "packets the WAN drops, each way", check = tc_unit("loss")},
  {"rate", "10mbit", "the WAN's rate, each way", check = tc_unit("rate")},
  {"site1", "10.10.1.0/24", "site-a's subnet (the WAN is .1, site-a .2)", kind = "subnet"},
  {"site2", "10.10.2.0/24", "site-b's subnet (the WAN is .1, site-b .2)", kind = "subnet"},
  {"netem", "auto", "auto: delay and loss where the kernel has netem; no: the rate only",
   check = function(v) return v == "auto" or v == "no", "auto or no" end},
}

local wan = ns.add("wan", {lo = true, forwarding = true})
local a, b = ns.add("site-a", {lo = true}), ns.add("site-b", {lo = true})

-- Delay and loss are netem's; a kernel without it (CONFIG_NET_SCH_NETEM)
-- still limits the rate (tbf), and the run says so in one line.
local shape = {delay = p.delay, loss = p.loss, rate = p.rate}
if p.netem == "no" then
  shape = {rate = p.rate}
elseif not link.has_netem() then
  print("wan: this kernel has no netem (CONFIG_NET_SCH_NETEM): the WAN limits the rate to " ..
        p.rate .. ", without delay or loss")
  shape = {rate = p.rate}
end

for _, s in ipairs{{a, "a", p.site1}, {b, "b", p.site2}} do
  local site, x, subnet = s[1], s[2], s[3]
  link.veth{"wan-" .. x, ns = wan, addr = netlab.hostcidr(subnet, 1), up = true, impair = shape,
            peer = {"eth0", ns = site, addr = netlab.hostcidr(subnet, 2), up = true}}
  route.add{ns = site, dst = "default", via = netlab.host(subnet, 1)}
end

-- What reaches what: each site the other, through the WAN; the host has no
-- way in. The probes are resent once when unanswered, which the WAN's loss
-- allows for.
local expect = {{"site-a", netlab.host(p.site2, 2)}, {"site-b", netlab.host(p.site1, 2)},
                {"site-a", netlab.host(p.site1, 1)}, {"root", netlab.host(p.site1, 2), false}}
if netlab.sandbox then expect[#expect + 1] = {"site-a", "203.0.113.1", false} end
probe.expect(expect)

print(netlab.show{"wan", "site-a", "site-b"})
