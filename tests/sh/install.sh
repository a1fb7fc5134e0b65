#!/bin/sh
# make install puts the binary, the scripts (and their library) and the man
# pages under DESTDIR/PREFIX, and the installed netlab runs.
set -u
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
check() { if eval "$2"; then echo "ok - $1"; else echo "not ok - $1"; fi; }

make -s install DESTDIR="$dest" PREFIX=/usr >/dev/null 2>&1
check "make install succeeds" "[ -x '$dest/usr/bin/netlab' ]"
check "scripts installed" "[ -f '$dest/usr/share/netlab/scripts/purple_orange.lua' ]"
check "the scripts' library installed" "[ -f '$dest/usr/share/netlab/scripts/lib/netlab/topo.lua' ]"
check "netlab(1) installed" "[ -f '$dest/usr/share/man/man1/netlab.1' ]"
check "module man pages installed" "[ -f '$dest/usr/share/man/man3/netlab-link.3' ]"
check "the installed binary runs" "'$dest/usr/bin/netlab' --version | grep -q '^netlab '"
check "an installed script lists its parameters" \
	"'$dest/usr/bin/netlab' run '$dest/usr/share/netlab/scripts/pod.lua' --help | grep -q 'subnet='"
