#!/bin/sh
# The REPL through a real terminal (tmux): completion, history across
# sessions, multi-line input, errors, Ctrl-C, help, !command, run -i.
set -u
bin=$(readlink -f "${NETLAB:-./netlab}")
if ! command -v tmux >/dev/null; then
	echo "not ok - tmux is needed for the REPL tests"
	exit 1
fi
sock="netlab-test-$$-0"
sessions=0
state=$(mktemp -d)
script=$(mktemp --suffix=.lua)
trap 'tmux -L "$sock" kill-server 2>/dev/null; rm -rf "$state" "$script"' EXIT
export XDG_STATE_HOME="$state"
# LeakSanitizer's report at exit would only clutter the pane.
export ASAN_OPTIONS=detect_leaks=0

start() { # the REPL in a fresh session: start [ARGS...]
	# A tmux server of its own each time: a new session on a socket whose
	# server is still exiting fails ("server exited unexpectedly").
	tmux -L "$sock" kill-server 2>/dev/null
	sessions=$((sessions + 1))
	sock="netlab-test-$$-$sessions"
	tmux -L "$sock" -f /dev/null new-session -d -x 160 -y 50 \
		"XDG_STATE_HOME='$state' ASAN_OPTIONS=detect_leaks=0 '$bin' $*"
	wait_for 'netlab' || echo "# the REPL did not start"
}
type() { tmux -L "$sock" send-keys -l "$1"; }
key() { tmux -L "$sock" send-keys "$@"; }
line() { type "$1"; key Enter; }
screen() { tmux -L "$sock" capture-pane -p -J -S -300 2>/dev/null; }
# Waits (at most 10 s) until the screen shows the text; a fixed pattern.
wait_for() {
	i=0
	while [ $i -lt 200 ]; do
		screen | grep -qF -- "$1" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}
check_not() { # check_not NAME TEXT: the screen does not show TEXT
	if screen | grep -qF -- "$2"; then
		echo "not ok - $1"
		echo "# not expected on the screen: $2"
		screen | tail -15 | sed 's/^/#   /'
	else echo "ok - $1"; fi
}
check() { # check NAME TEXT: the screen shows TEXT
	if wait_for "$2"; then echo "ok - $1"; else
		echo "not ok - $1"
		echo "# expected on the screen: $2"
		screen | tail -15 | sed 's/^/#   /'
	fi
}

start --sandbox
check "the REPL opens inside a sandbox" 'netlab[sandbox]> '

type 'link.ve'; key Tab
check "tab completes a module function" 'netlab[sandbox]> link.veth('
key C-u

line 'purple = ns.add("purple")'
type 'ns.del("pu'; key Tab
check "tab completes a namespace name inside a string" 'ns.del("purple"'
key C-u

type 'purple:li'; key Tab
check "tab completes an object's method" 'purple:links('
key C-u

line 'function twice(x)'
check "an unfinished chunk continues on a >> prompt" '>> '
line 'return x * 2'
line 'end'
line 'twice(2121)'
check "a multi-line function definition works" '4242'

line 'nosuch()'
check "an error is reported" "attempt to call a nil value (global 'nosuch')"
line '40 + 2 + 1000'
check "and the next command works" '1042'

line 'while true do end'
sleep 0.3
key C-c
check "Ctrl-C interrupts a running loop" 'netlab: interrupted'
line '7 * 6 + 2000'
check "and the session goes on" '2042'

type 'this line is dropped'; key C-c
line '3000 + 1'
check "Ctrl-C cancels the line being typed" '3001'

line 'help(link.veth)'
check "help(link.veth) prints the man page's section" 'Creates a veth pair, two links joined like a cable'
check "with the ip command it stands for" 'ip link add veth-purple netns purple type veth peer name veth-purple-br'
check "with its example" 'Example:'
if screen | grep -qE 'RCU|sendto'; then
	echo "not ok - help(link.veth) leaves kernel internals to docs/hacking.md"
else
	echo "ok - help(link.veth) leaves kernel internals to docs/hacking.md"
fi
line 'help "route.add"'
check 'help "route.add" works with a name' 'Adds a route; fails with EEXIST'

line '!echo shell-says-$((6*7))'
check "!command runs a shell command" 'shell-says-42'

# Errors from the Lua halves name the function and the line, as the C halves' do;
# a call at the prompt is not a tail call that loses the stdin frame.
line 'link.veth{"ev1", peer = "ev1-br", addr = "10.0.0.1/33"}'
check "a Lua half's argument error names its function and stdin:LINE" \
	"stdin:1: bad argument #1 to 'veth' (invalid CIDR"
line 'ns.add("e1", {lo = true, loopbak = true})'
check "an unknown field is refused with what was meant" \
	"stdin:1: bad argument #2 to 'add' (unknown field 'loopbak' (did you mean 'lo'?))"
line 'link.veht{"ev2", peer = "ev2-br"}'
check "a misspelled function says which one was meant" \
	'stdin:1: link.veht: no such function (did you mean link.veth?)'
line 'pcall(link.veth, {"ev3"})'
check "a function passed to pcall is named, not pcall" \
	"stdin:1: bad argument #1 to 'veth' (field 'peer' missing"
line '4000 + 2, 7000 + 3'
check "an expression still shows all its values" '4002'
check "an expression still shows all its values (the second)" '7003'

line 'link.list(purple)'
check "listings print as columns" 'NAME  STATE  KIND'

line 'history_marker_7331 = 1'
key C-d
sleep 0.3
start --sandbox
key Up
check "history is kept across sessions" 'netlab[sandbox]> history_marker_7331 = 1'
key C-u C-d
sleep 0.3
# What was typed may be a secret: the file is the owner's alone, whatever the umask.
hist="$state/netlab/history"
if [ "$(stat -c %a "$hist")" = 600 ] && [ "$(stat -c %a "$state/netlab")" = 700 ]; then
	echo "ok - the history file is mode 0600 in a 0700 directory"
else
	echo "not ok - the history file is mode 0600 in a 0700 directory"
	stat -c '# %a %U %n' "$state/netlab" "$hist"
fi
# A symbolic link planted as the history is never followed: the file it names stays as it was.
victim=$(mktemp)
seq 1 50 >"$victim"
rm -f "$hist"
ln -s "$victim" "$hist"
start --sandbox
line 'victim_marker_4242 = 1'
key C-d
sleep 0.3
if [ "$(wc -l <"$victim")" = 50 ] && ! grep -q victim_marker "$victim"; then
	echo "ok - a symbolic link as the history is not followed"
else
	echo "not ok - a symbolic link as the history is not followed"
	tail -3 "$victim" | sed 's/^/#   /'
fi
rm -f "$victim" "$hist"

cat >"$script" <<'LUA'
ns.add("fromscript")
LUA
start run -i --sandbox "$script"
line 'ns.get("fromscript")'
check "run -i opens the REPL with the script's lab in place" 'ns "fromscript"'
key C-d

# run -i: the script's namespaces as globals, text printed as text, a
# spawned server's output kept off the prompt line, typed objects in the lab.
cat >"$state/replab.lua" <<'LUA'
local p = ns.add("purple")
orange = ns.add("orange")
link.veth{"vp", ns = p, addr = "10.7.0.1/24", up = true,
          peer = {"vo", ns = orange, addr = "10.7.0.2/24", up = true}}
ns.spawn(p, "sh", "-c", "sleep 0.3; echo chatty-server-output; exec sleep 60")
LUA
start run -i --sandbox "$state/replab.lua"
line 'print(purple.name .. "+" .. orange.name)'
check "run -i: namespaces by kernel name and by the script's global name" 'purple+orange'
line 'netlab.show(purple)'
check "netlab.show() prints its text at the prompt" '10.7.0.1/24'
check_not "not as an escaped string" '"== purple'
line 'orange:show()'
check ":show() prints its text too" 'vo@'
sleep 0.5
line '6 * 7 + 5000'
check "the session goes on" '5042'
check_not "the spawned server's output is not on the terminal" 'chatty-server-output'
line '!cat /run/netlab/replab.d/purple.log'
check "it is in /run/netlab/LAB.d/NS.log" 'chatty-server-output'
line 'typed = ns.add("typed")'
line '!echo typed-records=$(grep typed /run/netlab/replab.journal | grep -vc pending)'
check "what is typed joins the lab (its journal)" 'typed-records=1'
key C-d
