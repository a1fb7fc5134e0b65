#!/bin/sh
# Without root (issue 19): as an ordinary user (uid 65534 when this runs as
# root, as CI does; else the caller), `netlab --sandbox` builds every bundled
# script with its expectations met (netlab check), the REPL opens in a
# sandbox and builds a veth pair, what the user's netlab writes in HOME is
# the user's, and nothing is made on the host.
set -u
bin=$(readlink -f "${NETLAB:-./netlab}")
# The user may not read the source tree (CI's clone under /root): the binary
# and its bundled scripts (found next to it) go to a directory it can read.
tmp=$(mktemp -d)
sock="netlab-rootless-$$"
trap 'tmux -L "$sock" kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
mkdir "$tmp/home" "$tmp/netlab"
cp "$bin" "$tmp/netlab/netlab"
cp -R scripts "$tmp/netlab/scripts"
chmod -R a+rX "$tmp/netlab"
nl="$tmp/netlab/netlab"
if [ "$(id -u)" = 0 ]; then
	user=65534
	chown "$user:$user" "$tmp/home"
	drop="setpriv --reuid=$user --regid=$user --clear-groups --inh-caps=-all"
else
	user=$(id -u)
	drop=""
fi
# The user's own environment: its HOME, nothing of the caller's.
as_user() {
	$drop env -i HOME="$tmp/home" PATH="$PATH" TERM=xterm ASAN_OPTIONS=detect_leaks=0 "$@"
}
ok() { if [ "$1" = 0 ]; then echo "ok - $2"; else echo "not ok - $2"; fi; }

# What the host has, to compare at the end: links, named namespaces, labs,
# nftables tables (those only root may list).
host() {
	ip -o link show | awk -F': ' '{print $2}' | sort
	ls -a /run/netns /run/netlab 2>/dev/null
	[ "$(id -u)" = 0 ] && nft list tables 2>/dev/null
	true
}
before=$(host)

# Read-only commands need no privilege.
as_user "$nl" --version >/dev/null 2>&1
ok $? "--version without root"
as_user "$nl" --help >/dev/null 2>&1
ok $? "--help without root"
out=$(cd "$tmp" && as_user "$nl" run con1 --help 2>&1)
ok $? "run con1 --help without root"
case $out in *"parameters:"*"host_veth=veth1"*) echo "ok - and it says the script's parameters" ;;
*) echo "not ok - run con1 --help says the script's parameters"; echo "$out" | sed 's/^/#   /' ;; esac
out=$(as_user "$nl" ls 2>&1)
rc=$?
case $rc:$out in 1:*"--sandbox, which works without root"*) echo "ok - ls without root names --sandbox" ;;
*) echo "not ok - ls without root names --sandbox ($rc)"; echo "$out" | sed 's/^/#   /' ;; esac

# A kernel that refuses the user user namespaces (a distribution's setting, a
# container's seccomp filter): netlab --sandbox says so in one line, and the
# rest cannot be shown here.
if ! as_user unshare --user --map-root-user true 2>/dev/null; then
	out=$(as_user "$nl" --sandbox -e 'print(1)' 2>&1)
	rc=$?
	case $rc:$out in "1:netlab: --sandbox without root: "*"run netlab as root ("E*")")
		[ "$(echo "$out" | wc -l)" = 1 ]
		ok $? "user namespaces refused here: one line says why and what to do" ;;
	*) echo "not ok - user namespaces refused here: one line says why and what to do ($rc)"
		echo "$out" | sed 's/^/#   /' ;; esac
	echo "# this kernel refuses user namespaces to uid $user: the rest is not tried"
	exit 0
fi

# Where the kernel refuses user namespaces, one line names the setting: here
# user.max_user_namespaces set to 0 in a user namespace of the user's own,
# netlab in it without capabilities.
out=$(as_user unshare -r sh -c 'echo 0 >/proc/sys/user/max_user_namespaces &&
	exec setpriv --bounding-set=-all --inh-caps=-all "$0" --sandbox -e "print(1)"' "$nl" 2>&1)
rc=$?
case $rc:$out in "1:netlab: --sandbox without root: user.max_user_namespaces is 0: "*"sudo sysctl -w user.max_user_namespaces="*)
	[ "$(echo "$out" | wc -l)" = 1 ]
	ok $? "user namespaces refused: one line names user.max_user_namespaces" ;;
*) echo "not ok - user namespaces refused: one line names user.max_user_namespaces ($rc)"
	echo "$out" | sed 's/^/#   /' ;; esac

# Every bundled script, inside one sandbox: run (its expectations met), check
# against the lab as it is up, down. A shell inside the sandbox does it and
# prints the TAP lines; what is made is made under the sandbox's /run.
names=$("$nl" scripts | awk '$1 ~ /\.lua$/ {sub(/\.lua$/, "", $1); print $1}')
[ -n "$names" ]
ok $? "the bundled scripts are listed"
cat >"$tmp/inside.sh" <<'EOF'
nl=$1
shift
uid_map=$(awk '{print $1, $2}' /proc/self/uid_map)
[ "$uid_map" = "0 $USER_ID" ]
echo "$([ $? = 0 ] && echo ok || echo not ok) - inside, the user is root of a user namespace ($uid_map)"
for name in "$@"; do
	out=$("$nl" run "$name" 2>&1)
	rc=$?
	[ $rc = 0 ] && [ -n "$(ls /run/netlab 2>/dev/null)" ]
	if [ $? = 0 ]; then echo "ok - $name builds in the sandbox"; else
		echo "not ok - $name builds in the sandbox ($rc)"; echo "$out" | tail -20 | sed 's/^/#   /'; fi
	out=$("$nl" check "$name" 2>&1)
	rc=$?
	case $rc:$out in 0:*"as the script expects"*) echo "ok - $name: netlab check passes" ;;
	*) echo "not ok - $name: netlab check passes ($rc)"; echo "$out" | tail -20 | sed 's/^/#   /' ;; esac
	out=$("$nl" down "$name" 2>&1)
	if [ $? = 0 ]; then echo "ok - $name goes down"; else
		echo "not ok - $name goes down"; echo "$out" | tail -5 | sed 's/^/#   /'; fi
done
# ICMP from inside the namespaces as a witness: ping(8) in the internet's namespace.
out=$("$nl" -e 'print(ns.exec("internet", {"ping", "-c1", "-W2", "203.0.113.254", quiet = true}))' 2>&1)
case $out in true*) echo "ok - ping(8) works inside the sandbox" ;;
*) echo "not ok - ping(8) works inside the sandbox"; echo "$out" | sed 's/^/#   /' ;; esac
EOF
chmod a+r "$tmp/inside.sh"
names=$(echo $names)
out=$(cd "$tmp" && as_user USER_ID="$user" "$nl" --sandbox -e \
	"local ok, how, code = os.execute('sh inside.sh $nl $names') os.exit(code)" 2>&1 </dev/null)
rc=$?
echo "$out"
last=${names##* }
echo "$out" | grep -q "^ok - $last goes down"
ok $? "the shell in the sandbox went through every script, to $last ($rc)"

# The REPL in a sandbox, through a terminal (as tests/sh/repl.sh drives it).
screen() { tmux -L "$sock" capture-pane -p -J -S -300 2>/dev/null; }
wait_for() { # at most 10 s for a fixed text on the screen
	i=0
	while [ $i -lt 200 ]; do
		screen | grep -qF -- "$1" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}
check() { # check NAME TEXT: the screen shows TEXT
	if wait_for "$2"; then echo "ok - $1"; else
		echo "not ok - $1"
		echo "# expected on the screen: $2"
		screen | tail -15 | sed 's/^/#   /'
	fi
}
line() { tmux -L "$sock" send-keys -l "$1"; tmux -L "$sock" send-keys Enter; }
if command -v tmux >/dev/null; then
	tmux -L "$sock" -f /dev/null new-session -d -x 160 -y 50 \
		"cd '$tmp' && $drop env -i HOME='$tmp/home' PATH='$PATH' TERM=xterm ASAN_OPTIONS=detect_leaks=0 '$nl' --sandbox; sleep 30"
	check "the REPL opens in a sandbox without root" 'netlab[sandbox]> '
	line 'link.veth{"rl0", addr = "10.77.0.1/24", up = true, peer = {"rl0-br", up = true}}'
	check "it builds a veth pair" 'link "rl0" in "root": veth UP'
	line '!ip -br link show rl0-br'
	check "ip(8) inside sees the pair" 'rl0-br@rl0'
	line '!echo sys-shows-$(ls /sys/class/net | grep -c rl0)-links'
	check "the sandbox's /sys shows the pair" 'sys-shows-2-links'
	tmux -L "$sock" send-keys C-d
	i=0
	while [ $i -lt 100 ] && ! [ -s "$tmp/home/.local/state/netlab/history" ]; do
		sleep 0.05
		i=$((i + 1))
	done
	grep -q 'rl0-br' "$tmp/home/.local/state/netlab/history" 2>/dev/null
	ok $? "the REPL's history is in the user's HOME"
else
	echo "not ok - tmux is needed for the REPL test"
fi

# What the user's netlab wrote in HOME is the user's on the host, not root's.
others=$(find "$tmp/home" -mindepth 1 ! -user "$user")
[ -z "$others" ] && [ -n "$(find "$tmp/home" -mindepth 1)" ]
ok $? "files in HOME belong to uid $user${others:+ (not: $others)}"

after=$(host)
[ "$before" = "$after" ]
ok $? "nothing is made on the host (links, /run/netns, /run/netlab, nftables)"
if [ "$before" != "$after" ]; then
	echo "$before" >"$tmp/before"
	echo "$after" >"$tmp/after"
	diff "$tmp/before" "$tmp/after" | sed 's/^/#   /'
fi
