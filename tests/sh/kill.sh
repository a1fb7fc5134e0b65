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
snap() {
	{ ls /run/netns; ip -j link show | python3 -c "import json,sys; print(sorted((l[\"ifname\"], l.get(\"master\")) for l in json.load(sys.stdin)))"
	  nft -j list ruleset; ls /run/netlab 2>/dev/null; } 2>&1
}
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
	out=$("$bin" run bench/star.lua n=$N ipv6=quiet 2>&1); rc=$?
	out2=$("$bin" down star 2>&1); rc2=$?
	now=$(snap)
	if [ $rc -eq 0 ] && [ $rc2 -eq 0 ] && [ "$now" = "$base" ]; then
		restored=$((restored + 1))
	else
		echo "# kill $i after ${ms} ms: re-run rc=$rc ($out), down rc=$rc2 ($out2)"
		printf "%s\n" "$base" >/tmp/kill-base.$$; printf "%s\n" "$now" >/tmp/kill-now.$$
		diff /tmp/kill-base.$$ /tmp/kill-now.$$ | head -n 10 | sed "s/^/# /"
		rm -f /tmp/kill-base.$$ /tmp/kill-now.$$
		"$bin" down star >/dev/null 2>&1
	fi
done
echo "# $KILLS SIGKILLs (a full run takes ${full} ms), $restored baselines restored"
if [ $restored -eq $KILLS ]; then
	echo "ok - SIGKILL at random instants of star $N, then re-run and down: the baseline every time"
else
	echo "not ok - SIGKILL at random instants of star $N, then re-run and down: the baseline every time"
fi
'
