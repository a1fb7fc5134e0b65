-- The Lua half of the netlab module: shared helpers for the other halves.
-- The listings' text and netlab.show() are in netlab_show.lua, netlab.params
-- in netlab_params.lua (the loader runs them after this one, bindings/init.c).
--
-- A rule for every Lua half: no tail calls in functions scripts call
-- (`local r = f(); return r`). Error messages name the function the
-- script called by finding its frame, and a tail call removes that frame.
local netlab = ...

-- netlab._check(t, arg, spec, npos): refuses a field of t that spec does not
-- list (netlab._fields, the check the C halves make: one spec per function,
-- one "did you mean"); integer keys 1..npos are positional. spec.X, a spec
-- itself, checks a table given as field X (a veth's peer{name, …}).
function netlab._check(t, arg, spec, npos)
  if type(t) ~= "table" then
    netlab._argerror(arg, "table of options expected, got " .. type(t))
  end
  netlab._fields(t, arg, spec, npos)
  for k, sub in pairs(spec) do
    if type(k) == "string" and type(t[k]) == "table" and getmetatable(t[k]) == nil then
      netlab._check(t[k], arg, sub, 1)
    end
  end
end

-- f(name, opts) or f{name, …}: a fresh options table with the name at [1],
-- so the caller's table is never changed. With spec (the fields the function
-- takes), any other field is refused before anything is made.
function netlab._opts(a, b, spec)
  local o = {}
  if type(a) == "table" and getmetatable(a) == nil then
    if spec then netlab._check(a, 1, spec, 1) end
    for k, v in pairs(a) do o[k] = v end
  else
    if b ~= nil and type(b) ~= "table" then
      netlab._argerror(2, "table of options expected, got " .. type(b))
    end
    if spec and b then netlab._check(b, 2, spec, 0) end
    for k, v in pairs(b or {}) do o[k] = v end
    o[1] = a
  end
  return o
end

-- An object's method that calls mod[name] as it is at the time of the call,
-- not at load time: while a lab runs, ns.exec and link.set are the lab's
-- wrappers (a dry run's ns.exec runs nothing), and obj:exec must be too.
-- Errors name it qual, as they name the function.
function netlab._method(mod, name, qual)
  local f = function(...)
    local r = table.pack(mod[name](...))
    return table.unpack(r, 1, r.n)
  end
  netlab._name(f, qual)
  return f
end

-- Files Lua opens are close-on-exec as netlab's own are (netlab._cloexec):
-- a lab's journal must not leak into every command a script runs.
do
  local open = io.open
  function io.open(...)
    local f, err, code = open(...)
    if f then netlab._cloexec(f) end
    return f, err, code
  end
end

-- link.veth, link.dummy and bridge.add: link.add (as it is at the time of
-- the call, so a lab's wrapper sees it) with o.kind = kind. A kind the
-- caller gave is refused unless it is that one, rather than replaced unsaid.
function netlab._add_kind(kind)
  return function(a, b)
    local o = netlab._opts(a, b, link._spec.add)
    if o.kind ~= nil and o.kind ~= kind then
      netlab._argerror(type(a) == "table" and getmetatable(a) == nil and 1 or 2,
        ("field 'kind': this makes a %s, got %s"):format(kind,
          type(o.kind) == "string" and ("%q"):format(o.kind:sub(1, 40)) or type(o.kind)))
    end
    o.kind = kind
    local l = link.add(o)
    return l
  end
end

-- ' in "NS"' after an object in a message, nothing in the root namespace
-- (nsname nil or "root"): the Lua halves' ns_where (core/ns.c), so their
-- messages name a namespace as the core's do.
function netlab._in(nsname)
  if nsname == nil or nsname == "root" then return "" end
  return (' in "%s"'):format(nsname)
end

-- "a", an object, or a list of them, as a list.
function netlab._list(v)
  if v == nil then return {} end
  if type(v) == "table" and rawget(v, "name") == nil then return v end
  return {v}
end

-- A lab across nodes (netlab run --nodes, repl/nodes.c): each node's netlab
-- runs with --node NAME --nodes NAME=ADDR,… (ADDR the node's address as the
-- controller reached it over ssh). netlab.node names this node,
-- netlab.nodes lists them all in order, {name =, addr =}, each also under
-- its name. On one machine both are nil.
function netlab._set_nodes(node, list)
  local nodes = {}
  -- --nodes - (run --nodes' one round): this node's address first, as ssh
  -- reached it ($SSH_CONNECTION's third word), in a line the controller
  -- takes in (repl/nodes_int.h's NODES_ADDR); the list of all comes back as
  -- the first line of standard input, once every node has said its address,
  -- and the script after it. No list: another node did not answer.
  if list == "-" then
    local addr = (os.getenv("SSH_CONNECTION") or ""):match("^%S+ %S+ (%S+)")
    io.write("\30netlab-addr ", addr or "", "\n")
    io.flush()
    list = io.read("l")
    if not list then error("--nodes -: no list of nodes came (not every node answered)", 0) end
  end
  for item in list:gmatch("[^,]+") do
    local name, addr = item:match("^([%w_%-]+)=(.+)$")
    if not name then error(("--nodes: %q is not NAME=ADDR"):format(item), 0) end
    local n = {name = name, addr = addr}
    nodes[#nodes + 1], nodes[name] = n, n
  end
  if not nodes[node] then error(("--node %s: not one of --nodes %s"):format(node, list), 0) end
  netlab.node, netlab.nodes = node, nodes
end

-- on(NAME, function … end): the block runs on node NAME only (the rest of
-- the script runs on every node); on one machine, which is every node, it runs.
function netlab.on(name, fn)
  if type(name) ~= "string" then
    netlab._argerror(1, ("node name expected, got %s"):format(type(name)))
  end
  -- The names --nodes takes, so a name no node can have is a mistake here too.
  if #name > 63 or not name:match("^[%w_%-]+$") then
    netlab._argerror(1, ("node name %q: letters, digits, _ and - only, up to 63"):format(
      #name > 40 and name:sub(1, 40) .. "…" or name))
  end
  if type(fn) ~= "function" then
    netlab._argerror(2, ("function expected, got %s"):format(type(fn)))
  end
  if netlab.nodes and not netlab.nodes[name] then
    local names = {}
    for i, n in ipairs(netlab.nodes) do names[i] = n.name end
    netlab._argerror(1, ("no node %q (--nodes names %s)"):format(name, table.concat(names, ", ")))
  end
  if netlab.node == nil or netlab.node == name then
    local r = table.pack(fn())
    return table.unpack(r, 1, r.n)
  end
end
on = netlab.on

return netlab
