#!/bin/sh
# make install puts the binary (the scripts' library, netlab.topo, compiled
# in), the scripts and the man pages under DESTDIR/PREFIX, and the installed
# netlab runs and finds its installed scripts by name (next to itself:
# BINDIR/../share/netlab/scripts, known by its .netlab-scripts).
set -u
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
check() { if eval "$2"; then echo "ok - $1"; else echo "not ok - $1"; fi; }

make -s install DESTDIR="$dest" PREFIX=/usr >/dev/null 2>&1
check "make install succeeds" "[ -x '$dest/usr/bin/netlab' ]"
check "scripts installed" "[ -f '$dest/usr/share/netlab/scripts/purple_orange.lua' ]"
check "the file the scripts are known by installed" "[ -f '$dest/usr/share/netlab/scripts/.netlab-scripts' ]"
check "netlab(1) installed" "[ -f '$dest/usr/share/man/man1/netlab.1' ]"
check "module man pages installed" "[ -f '$dest/usr/share/man/man3/netlab-link.3' ]"
check "the installed binary runs" "'$dest/usr/bin/netlab' --version | grep -q '^netlab '"
check "an installed script lists its parameters" \
	"'$dest/usr/bin/netlab' run '$dest/usr/share/netlab/scripts/pod.lua' --help | grep -q 'subnet='"

# What runs a script runs in a throwaway network and mount namespace of its own.
sb() { unshare --net --mount --propagation private sh -c 'mount -t tmpfs none /run && mkdir /run/netns && cd / && exec "$@"' sb "$@"; }
bin="$dest/usr/bin/netlab"
check "the installed binary lists its installed scripts" \
	"sb '$bin' scripts | head -n1 | grep -qF '$dest/usr/share/netlab/scripts'"
check "with their docs" \
	"sb '$bin' scripts | grep -q '^  red_blue.lua  *two namespaces on a direct veth'"
check "an installed script runs by name from another directory" \
	"sb sh -c '\"\$0\" run red_blue.lua >/dev/null && ip -j -n red addr' '$bin' | grep -qF '\"local\":\"192.168.15.1\"'"
check "the installed binary carries the scripts' library" \
	"sb '$bin' -e 'assert(require(\"netlab.topo\").lan)'"
