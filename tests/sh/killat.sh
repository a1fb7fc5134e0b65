#!/bin/sh
# Write-ahead records, every instant: `netlab run bench/star.lua n=1` is
# SIGKILLed at its K-th write(2) (strace's fault injection), for every K, so
# the kill lands once between each two journal records (and the kernel calls
# between them). After each, a re-run and `netlab down` must leave exactly
# the baseline, as `ip -j` and `nft -j` see it. kill.sh kills at random
# instants; this one misses none.
#   NETLAB=./netlab sh tests/sh/killat.sh
set -u
bin=$(cd "$(dirname "${NETLAB:-./netlab}")" && pwd)/$(basename "${NETLAB:-./netlab}")
cd "$(dirname "$0")/../.."
if ! command -v strace >/dev/null 2>&1; then
	echo "ok - SIGKILL at every write of star 1, then re-run and down # skip: no strace"
	exit 0
fi
export bin
exec unshare --net --mount --propagation private sh -c '
mount -t tmpfs none /run && mkdir /run/netns && ip link set lo up || exit 1
. tests/lib/after_kill.sh
# LeakSanitizer (make SANITIZE=1) refuses to run under ptrace: off there.
star() { ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 "$@" "$bin" run bench/star.lua n=1 ipv6=quiet; }
base=$(snap)
trace=$(mktemp)
star strace -f -qq -o "$trace" -e trace=write >/dev/null 2>&1 || echo "# the first run failed"
total=$(grep -c "write(" "$trace"); rm -f "$trace"
"$bin" down star >/dev/null 2>&1
restored=0 k=0
while [ $k -lt $total ]; do
	k=$((k + 1))
	star strace -f -qq -o /dev/null -e trace=write -e inject=write:signal=KILL:when=$k >/dev/null 2>&1
	after_kill "killed at write $k" star
done
echo "# $total kill points, $restored baselines restored"
if [ $total -gt 5 ] && [ $restored -eq $total ]; then
	echo "ok - SIGKILL at every write of star 1, then re-run and down: the baseline every time"
else
	echo "not ok - SIGKILL at every write of star 1, then re-run and down: the baseline every time"
fi
'
