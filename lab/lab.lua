-- Labs: what one `netlab run` builds. Every object the run creates, and the
-- previous value of everything it changes that it did not create, is recorded
-- in /run/netlab/LAB.state, so that
--   * `netlab down LAB` removes exactly that, in reverse order, and restores
--     what was changed;
--   * a failure (kernel error, Lua error, SIGINT, SIGTERM) rolls the run back;
--   * running the script again converges: what matches is kept, what differs
--     is changed, what the script no longer makes is removed.
--
-- The recording wraps the module functions that change the kernel while a run
-- is in progress; the C halves stay unaware of labs.
--
-- The parts: lab_state.lua (records and files), lab_record.lua (a run) and
-- lab_wrap_*.lua (its wrappers), lab_kinds.lua (each kind of record),
-- lab_kernel.lua (what is read back), lab_remove.lua (taking objects away);
-- this file drives them.
local S = require "netlab.lab_state"
local R = require "netlab.lab_remove"
local Run = require "netlab.lab_record"
local P = require "netlab.lab_plan"

local M = {}
local keyof = S.keyof
M.check_name, M.name_of = S.check_name, S.name_of

-- Runs fn (the script) as lab `name`; rolls back and re-raises on failure.
function M.run(name, script, fn, opts)
  opts = opts or {}
  local ok, why = S.check_name(name)
  if not ok then error(why, 0) end
  local state_path, journal_path, lock_path = S.paths(name)
  local lock, holder
  if opts.dry_run and not S.exists(name) then
    -- The plan of a lab that is not up leaves no trace: no directory, no lock file.
    lock = {release = function() end}
  else
    S.ensure_dir()
    lock, holder = netlab._lock(lock_path)
  end
  if not lock then
    error(("lab %q is being changed by another netlab (pid %d)"):format(name, holder), 0)
  end
  local prevlist, prevstate, _, damaged = S.load_records(name)
  if damaged then
    os.remove(lock_path)
    lock:release()
    error(("lab %q: %s; not touched (netlab ls %s)"):format(name, damaged, name), 0)
  end
  -- What a killed run was about to make when it died: taken away first, if
  -- it is there and looks as the call leaves it, so this run makes it again.
  if not opts.dry_run then
    local keep, pend = {}, {}
    for _, r in ipairs(prevlist) do
      if r.pending then table.insert(pend, 1, r) else keep[#keep + 1] = r end
    end
    if #pend > 0 then
      netlab._critical(true)
      R.remove(pend, opts.report)
      netlab._critical(false)
      prevlist = keep
    end
  end
  local run = Run.new{
    name = name, script = script, dry = opts.dry_run, check = opts.check, prevlist = prevlist,
    created = prevstate and prevstate.created or os.date("!%Y-%m-%dT%H:%M:%SZ"),
    report = opts.report, params = S.params_of(_G.params),
  }
  if not run.dry then
    -- Recorded as the run goes, so a netlab killed outright leaves a trail for down.
    local jok, j = pcall(S.open_journal, name)
    if not jok then
      if #prevlist == 0 then os.remove(lock_path) end
      lock:release()
      error(j, 0)
    end
    run.journal = j
  end
  local changes0 = netlab._changes()
  run:install()
  -- Behind the wrappers that plan, the core refuses every change.
  if run.dry then netlab._readonly(true) end
  -- Both ways out of the script enter the critical section while still
  -- protected, so an interruption cannot slip between the script and the
  -- rollback or the save.
  local okrun, err = xpcall(function()
    fn()
    netlab._critical(true)
  end, function(e)
    netlab._critical(true)
    if type(e) == "string" and os.getenv("NETLAB_TRACEBACK") then return debug.traceback(e, 2) end
    return e
  end)
  netlab._critical(true)
  netlab._readonly(false)
  local result
  if okrun then
    -- A state that cannot be written fails the run as the script would.
    local cok, removed = pcall(run.commit, run)
    if not cok then
      okrun, err = false, removed
    else
    result = {
      name = name, objects = #run.made, summary = S.summary(run.made),
      changes = netlab._changes() - changes0, removed = removed, plan = P.lines(run),
      probes = run.probes,
    }
    end
  end
  if not okrun then
    local undone = 0
    if run.dry then run:uninstall() else undone = run:rollback() end
    if run.journal then run.journal:close() end
    local keep_journal = false
    if #prevlist > 0 and not prevstate then
      -- The journal was all there was: keep it as the state, so down still works.
      local wok, werr = pcall(S.write_state, name, {name = name, script = script}, prevlist)
      if not wok then
        keep_journal = true
        if opts.report then opts.report(werr) end
      end
    elseif #prevlist == 0 and not run.dry then
      S.remove_logs(name)
    end
    if not run.dry and not keep_journal then os.remove(journal_path) end
    -- The lock file goes while it is still held, as in down: a failed run
    -- leaves nothing behind in /run/netlab but what down needs.
    os.remove(lock_path)
    lock:release()
    netlab._critical(false, "discard")
    if type(err) ~= "string" then err = tostring(err) end
    error({message = err, undone = undone}, 0)
  end
  if opts.stay and not run.dry then
    -- run -i: the recording stays and the lab stays locked until M.leave.
    M.session = {run = run:reopen(), lock = lock}
    netlab._critical(false)
    return result
  end
  lock:release()
  netlab._critical(false)
  return result
end

-- Leaving the REPL of run -i: what was typed is saved with the lab.
function M.leave()
  local s = M.session
  if not s then return end
  M.session = nil
  netlab._critical(true)
  s.run:commit()
  s.lock:release()
  netlab._critical(false)
end

local lua_words = {}
for w in ("and break do else elseif end false for function goto if in local nil not or " ..
          "repeat return then true until while"):gmatch("%a+") do lua_words[w] = true end

-- run -i: the lab's namespaces as globals by their kernel names (purple),
-- where that is a name Lua can use and the script left it free.
function M.set_globals()
  local s = M.session
  if not s then return end
  for _, r in ipairs(s.run.made) do
    if r.kind == "ns" and r.name:match("^[%a_][%w_]*$") and not lua_words[r.name] and
       rawget(_G, r.name) == nil then
      rawset(_G, r.name, ns.get(r.name))
    end
  end
end

-- run FILE --help: the script as a dry run (nothing changes in the kernel,
-- no command runs, whatever it does before or without netlab.params) that
-- ends at netlab.params, prints nothing of its own and keeps no lab.
-- Returns the text netlab.params makes, or nil when the script declares no
-- parameters.
function M.help(name, script, fn)
  local run = Run.new{name = name, script = script, dry = true}
  local print0 = print
  netlab._want_help = true
  print = function() end
  run:install()
  netlab._readonly(true)
  local ok, e = pcall(fn)
  netlab._readonly(false)
  run:uninstall()
  print = print0
  netlab._want_help = nil
  if ok then return nil end
  if type(e) == "table" and e.help then return e.text end
  error(e, 0)
end

-- netlab down: removes what the lab made.
function M.down(name, report)
  local ok, why = S.check_name(name)
  if not ok then error(why, 0) end
  local state_path, journal_path, lock_path = S.paths(name)
  local records, _, _, damaged, found = S.load_records(name)
  if not found then
    error(("no lab %q (see netlab ls)"):format(name), 0)
  end
  -- A damaged file may name objects that are still there: it stays for a
  -- person to look at, and nothing is removed on its word.
  if damaged then
    error(("lab %q: %s; nothing removed, its files are kept in %s"):format(name, damaged, S.dir), 0)
  end
  S.ensure_dir()
  local lock, holder = netlab._lock(lock_path)
  if not lock then
    error(("lab %q is being changed by another netlab (pid %d)"):format(name, holder), 0)
  end
  netlab._critical(true)
  local list = {}
  for i = #records, 1, -1 do list[#list + 1] = records[i] end
  local n = R.remove(list, report)
  S.remove_logs(name)
  os.remove(state_path)
  os.remove(journal_path)
  -- The lock file goes while it is still held, so nobody locks a stale one.
  os.remove(lock_path)
  lock:release()
  netlab._critical(false)
  return n, S.summary(records)
end

-- The command line's side: messages on standard error, a plan on standard output.
local function say(fmt, ...)
  io.stderr:write("netlab: ", fmt:format(...), "\n")
end

function M.cli_run(script, name, opts)
  local chunk, err
  if script == "-" then
    -- The script on standard input (what run --nodes sends each node), named
    -- in messages as --as says: multinode.lua:12:, as on one machine.
    script = opts.as or "stdin"
    chunk, err = load(io.read("a") or "", "@" .. script, "t")
  else
    chunk, err = loadfile(script, "t")
  end
  if not chunk then
    say("%s", err)
    return false
  end
  if opts.help then
    local ok, text = pcall(M.help, name, script, chunk)
    if not ok then
      say("%s", tostring(text))
      return false
    end
    print(text or ("%s takes no parameters"):format(script))
    return true
  end
  if opts.check and not S.exists(name) then
    say("check: lab %q is not up (netlab run %s makes it)", name, script)
    return false
  end
  -- netlab check: every expectation not met is named, not only the first.
  if opts.check then probe._unmet = {} end
  -- On a node of a lab across nodes, what crosses nodes is not up before
  -- every node has run: run --nodes checks the expectations afterwards.
  -- How many are left for then is told to run --nodes (repl/nodes_int.h's
  -- NODES_LATER line), which skips the check round on a node that left none.
  probe._later = netlab.node ~= nil and not opts.check and 0
  local ok, res = pcall(M.run, name, script, chunk,
                        {dry_run = opts.dry_run or opts.check, check = opts.check,
                         report = function(s) say("%s", s) end, stay = opts.interactive})
  local unmet, later = probe._unmet, probe._later
  probe._unmet, probe._later = nil, nil
  if not ok then
    if type(res) == "table" then
      say("%s", tostring(res.message))
      if res.undone and res.undone > 0 then
        say("rolled back: %d object%s of lab %q removed or restored", res.undone,
            res.undone == 1 and "" or "s", name)
      end
    else
      say("%s", tostring(res))
    end
    for _, u in ipairs(unmet or {}) do io.stderr:write("  ✗ ", u, "\n") end
    if unmet and unmet.hint then say("check: %s", unmet.hint) end
    return false
  end
  if opts.check and #unmet > 0 then
    say("check: lab %q: %d not as %s expects:", name, #unmet, script)
    for _, u in ipairs(unmet) do io.stderr:write("  ✗ ", u, "\n") end
    if unmet.hint then say("check: %s", unmet.hint) end
    return false
  elseif opts.check then
    print(("lab %q: %d probe%s as the script expects"):format(name, res.probes or 0,
      res.probes == 1 and "" or "s"))
  elseif opts.dry_run then
    print(("plan for lab %q (+ create, ~ change, = keep, - remove):"):format(name))
    for _, line in ipairs(res.plan) do print("  " .. line) end
  elseif opts.verbose or netlab._isatty(2) then
    say("lab %q is up: %s (%d kernel change%s%s)", name, res.summary, res.changes,
        res.changes == 1 and "" or "s",
        (res.removed or 0) > 0 and (", %d removed"):format(res.removed) or "")
  end
  M.set_globals()
  if later then io.write("\30netlab-later ", later, "\n") end
  return true
end

-- netlab check LAB|FILE: arg names a lab that is up (its state says which
-- script made it), else a script (found, the path repl/main.c found, or nil).
function M.cli_check(arg, found, lab, opts)
  local name = lab or arg
  if not lab and not arg:find("/", 1, true) and not arg:match("%.lua$") and S.check_name(arg)
      and S.exists(arg) then
    local _, state = S.load_records(arg)
    if not (state and state.script) then
      say("check: lab %q: its state does not say which script made it", arg)
      return false
    end
    -- Its modules (require) sit beside it, as for netlab run.
    local dir = state.script:match("^(.*/)") or "./"
    package.path = dir .. "?.lua;" .. package.path
    if type(_G.arg) == "table" then _G.arg[0] = state.script end
    -- The parameters it was made with, under those given now.
    local given = _G.params or {}
    _G.params = {}
    for k, v in pairs(state.params or {}) do _G.params[k] = v end
    for k, v in pairs(given) do _G.params[k] = v end
    return M.cli_run(state.script, arg, opts)
  end
  if not found then
    say("check: %s: no such file, nor a bundled script, nor a lab that is up (netlab ls)", arg)
    return false
  end
  if not lab then name = S.name_of(found) end
  local dir = found:match("^(.*/)") or "./"
  package.path = dir .. "?.lua;" .. package.path
  return M.cli_run(found, name, opts)
end

-- After the REPL of run -i.
function M.cli_leave()
  local ok, err = pcall(M.leave)
  if not ok then
    say("%s", tostring(err))
    return false
  end
  return true
end

-- netlab down LAB|FILE
function M.cli_down(arg)
  local name = arg
  if arg:find("/") or arg:match("%.lua$") then name = M.name_of(arg) end
  local ok, n, what = pcall(M.down, name, function(s) say("%s", s) end)
  if not ok then
    say("down: %s", tostring(n))
    return false
  end
  if netlab._isatty(2) then say("lab %q is down: %s", name, what) end
  return true
end

-- netlab export --sh|--lua [LAB | --all]: the script on standard output.
function M.cli_export(format, name)
  if name then
    local records = S.load_records(name)
    if #records == 0 then
      say("export: no lab %q (netlab ls lists them)", name)
      return false
    end
  end
  local ok, text = pcall(format == "lua" and netlab._export_lua or netlab._export_sh, name)
  if not ok then
    say("export: %s", tostring(text))
    return false
  end
  io.stdout:write(text)
  return true
end

-- netlab ls [--json] [LAB]
function M.cli_ls(json, name)
  if name then return M.cli_ls_one(name, json) end
  local rows = M.list()
  if json then
    local list = {}
    for i, r in ipairs(rows) do
      list[i] = {name = r.name, objects = r.objects, status = r.status, script = r.script,
                 summary = r.summary, problems = setmetatable(r.problems, netlab._meta("netlab.state.array"))}
    end
    print(netlab._json(setmetatable(list, netlab._meta("netlab.state.array"))))
    return true
  end
  if #rows == 0 then
    print("(no labs)")
    return true
  end
  local t = {}
  for _, r in ipairs(rows) do
    t[#t + 1] = {r.name, tostring(r.objects), r.status, r.script, r.summary}
  end
  print(netlab._columns(t, {"LAB", "OBJECTS", "STATUS", "SCRIPT", "WHAT"}))
  return true
end

-- netlab ls LAB: the lab's line, then what of it is gone or changed, in words.
function M.cli_ls_one(name, json)
  local ok, why = S.check_name(name)
  if not ok then
    say("ls: %s", why)
    return false
  end
  local _, _, _, _, found = S.load_records(name)
  if not found then
    say("ls: no lab %q (see netlab ls)", name)
    return false
  end
  local r = M.inspect(name)
  if json then
    setmetatable(r.problems, netlab._meta("netlab.state.array"))
    print(netlab._json(r))
    return true
  end
  print(("lab %s: %s"):format(name, r.status))
  print(("  script: %s"):format(r.script))
  print(("  made: %s"):format(r.summary))
  for _, line in ipairs(r.problems) do print("  " .. line) end
  return true
end

-- netlab show [--json] [NS ...]: the model of the live state (netlab.state),
-- as text or JSON. A name that is no namespace is refused before anything is read.
function M.cli_show(json, names)
  local known = {root = true}
  for _, n in ipairs(ns.list()) do known[n.name] = true end
  for _, n in ipairs(names) do
    -- "pid:PID", a process's namespace (ns.of), is known when it can be opened.
    if not known[n] and not (n:match("^pid:%d+$") and ns.get(n)) then
      say("show: no namespace %q (ip netns list shows them)", n)
      return false
    end
  end
  local state = netlab.state(#names > 0 and names or nil)
  print(json and netlab._json(state) or tostring(state))
  return true
end

-- One lab: its records checked against the kernel. Whatever was inside a
-- namespace that is gone is counted with it, not named one by one.
function M.inspect(name)
  local records, state, partial, damaged = S.load_records(name)
  local gone, changed, unknown = 0, 0, 0
  local dead, problems, inside = {}, {}, {}
  for _, r in ipairs(records) do
    local c, now
    if r.ns and dead[r.ns] then
      c = "gone"
      inside[r.ns] = inside[r.ns] + 1
    else
      c, now = R.check(r)
      if c == "gone" then
        problems[#problems + 1] = {"gone: " .. R.describe(r), ns = r.kind == "ns" and r.name}
      elseif c == "changed" then
        problems[#problems + 1] = {("changed: %s %s"):format(R.describe(r), now or "")}
      elseif c == "unverifiable" then
        unknown = unknown + 1
        problems[#problems + 1] = {("unverifiable: %s %s"):format(R.describe(r), now or "")}
      elseif r.pending then
        problems[#problems + 1] = {"unconfirmed: " .. R.describe(r) ..
                                   " (being made when netlab was killed)"}
      end
    end
    if c == "gone" then gone = gone + 1 elseif c == "changed" then changed = changed + 1 end
    if r.kind == "ns" and c ~= "ok" then
      dead[r.name] = true
      inside[r.name] = 0
    end
  end
  local lines = {}
  for _, p in ipairs(problems) do
    local n = p.ns and inside[p.ns] or 0
    lines[#lines + 1] = p[1] .. (n > 0 and (" (and the %d object%s in it)"):format(n,
                                            n == 1 and "" or "s") or "")
  end
  local status = "intact"
  if gone == #records and #records > 0 then status = "gone"
  elseif gone > 0 then status = ("partly gone (%d of %d)"):format(gone, #records)
  elseif changed > 0 then status = ("changed by someone else (%d)"):format(changed)
  elseif unknown > 0 then status = ("unverifiable (%d)"):format(unknown) end
  if damaged then
    status = "damaged: " .. damaged
    table.insert(lines, 1, "damaged: " .. damaged .. " (netlab down leaves the lab alone)")
  end
  local _, _, lock_path = S.paths(name)
  local lock, holder = netlab._lock(lock_path)
  if lock then lock:release() else status = ("being built (pid %d)"):format(holder) end
  if partial then status = status .. ", unfinished run" end
  return {name = name, objects = damaged and "?" or #records, summary = S.summary(records),
          status = status,
          script = state and state.script or "-", problems = lines}
end

-- netlab ls: every lab, its objects, and whether the kernel still agrees.
function M.list()
  local labs = {}
  for _, file in ipairs(netlab._ls(S.dir)) do
    local name = file:match("^(.-)%.state$") or file:match("^(.-)%.journal$")
    if name and not labs[name] then
      labs[name] = true
      labs[#labs + 1] = name
    end
  end
  local rows = {}
  for _, name in ipairs(labs) do rows[#rows + 1] = M.inspect(name) end
  return rows
end

return M
