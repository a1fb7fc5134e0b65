-- A lab's log directory (/run/netlab/LAB.d, where the output of what it
-- spawns goes) is made and checked as the lab directory is (netlab._labdir):
-- a symlink in its place, which would send the output netlab writes as root
-- wherever it points, is refused and nothing is written through it.
local t = require "t"

local dir, script = t.scratch()
local clean = t.dump()

local pod = script("pod", [[
local p = ns.add("purple")
p:spawn{"sh", "-c", "echo through-the-link"}
netlab.sleep(0.2)
]])

t.test("a symlink as a lab's log directory is refused, not written through", function()
  local target = dir .. "/elsewhere"
  assert(os.execute("mkdir -p " .. target .. " && echo mine > " .. target .. "/keep"))
  netlab._labdir("/run/netlab")
  assert(os.execute("ln -s " .. target .. " /run/netlab/pod.d"))
  local out, code = t.run("run", pod)
  t.ok(code ~= 0, "the run fails: " .. out)
  t.ok(out:find("netlab: /run/netlab/pod.d: Not a directory", 1, true),
       "naming the directory, at no line of netlab's own Lua: " .. out)
  t.eq(t.read(target .. "/purple.log"), nil, "nothing written through the link")
  t.eq(t.read(target .. "/keep"), "mine\n", "nor removed through it when the logs go with the failed run")
  os.remove("/run/netlab/pod.d")
  t.eq(t.dump(), clean, "the kernel as before")
end)

os.execute("rm -rf " .. dir)
t.done()
