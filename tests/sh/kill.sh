#!/bin/sh
# Write-ahead records: SIGKILL `netlab run bench/star.lua` at random instants;
# after each kill, a re-run and `netlab down` must leave exactly the baseline
# (namespaces, links, nftables, /run/netlab), as `ip -j` and `nft -j` see it.
#   NETLAB=./netlab KILLS=20 N=200 sh tests/sh/kill.sh
set -u
bin=$(cd "$(dirname "${NETLAB:-./netlab}")" && pwd)/$(basename "${NETLAB:-./netlab}")
cd "$(dirname "$0")/../.."
KILLS=${KILLS:-4} N=${N:-200}
export bin KILLS N
exec unshare --net --mount --propagation private sh -c '
mount -t tmpfs none /run && mkdir /run/netns && ip link set lo up || exit 1
. tests/lib/after_kill.sh
base=$(snap)
t0=$(date +%s%N)
"$bin" run bench/star.lua n=$N ipv6=quiet >/dev/null 2>&1 || echo "# the first run failed"
full=$(( ($(date +%s%N) - t0) / 1000000 ))
"$bin" down star >/dev/null 2>&1
restored=0 i=0
while [ $i -lt $KILLS ]; do
	i=$((i + 1))
	# A random instant within the run (at least 20 ms in: netlab has started).
	ms=$(( 20 + $(od -An -N2 -tu2 /dev/urandom) % (full > 40 ? full - 20 : 20) ))
	"$bin" run bench/star.lua n=$N ipv6=quiet >/dev/null 2>&1 &
	pid=$!
	sleep "$(printf "%d.%03d" $((ms / 1000)) $((ms % 1000)))"
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	after_kill "kill $i after ${ms} ms" "$bin" run bench/star.lua n=$N ipv6=quiet
done
echo "# $KILLS SIGKILLs (a full run takes ${full} ms), $restored baselines restored"
if [ $restored -eq $KILLS ]; then
	echo "ok - SIGKILL at random instants of star $N, then re-run and down: the baseline every time"
else
	echo "not ok - SIGKILL at random instants of star $N, then re-run and down: the baseline every time"
fi
'
