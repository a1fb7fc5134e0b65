#!/bin/sh
# Labs across machines (issue 20): star N spread over K simulated nodes
# (N/K on each, netlab run --nodes) against star N on one node and against
# one node's share (star N/K run on the node itself, no ssh), and the cost of
# ssh set-up per node (a fresh connection that starts netlab and exits).
# Nodes as in tests/sh/nodes.sh (tests/lib/nodes.sh), all in one throwaway
# sandbox; on one machine the nodes share its cores, so the spread run is no
# faster than the cores allow.
#   sh bench/nodes.sh [N [K]]      (default 300 3)
set -u
cd "$(dirname "$0")/.."
bin=$(pwd)/${NETLAB:-netlab}
N=${1:-300} K=${2:-3}
sshd=$(sh tools/sshd.sh) || exit 1
export bin sshd N K
exec unshare --net --mount --propagation private sh -c '
mount -t tmpfs none /run && mkdir /run/netns && ip link set lo up || exit 1
. tests/lib/nodes.sh
names="" all=""
i=0
while [ $i -lt $K ]; do i=$((i + 1)); names="$names node$i"; all="$all${all:+,}node$i=node$i"; done
nodes_setup $names || { nodes_teardown; exit 1; }
export NETLAB_REMOTE=$bin
now() { date +%s%N; }
ms() { echo $(( ($(now) - $1) / 1000000 )); }
t=$(now); $NETLAB_SSH node1 "$bin" -e return; setup=$(ms $t)
share=$((N / K))
t=$(now); node_exec node1 "$bin" run "$PWD/bench/star.lua" n=$share ipv6=quiet >/dev/null; local1=$(ms $t)
node_exec node1 "$bin" down star >/dev/null
t=$(now); "$bin" run --nodes node1=node1 bench/star.lua n=$N ipv6=quiet >/dev/null || echo "# one node failed"; one=$(ms $t)
"$bin" down star --nodes node1=node1 >/dev/null
t=$(now); "$bin" run --nodes $all bench/star.lua n=$share ipv6=quiet >/dev/null || echo "# spread failed"; spread=$(ms $t)
"$bin" down star --nodes $all >/dev/null
nodes_teardown
echo "| what | ms |"
echo "|---|---|"
echo "| ssh set-up per node (connect, start netlab, exit) | $setup |"
echo "| star $share on one node, run there (one share) | $local1 |"
echo "| star $N on one node, run --nodes | $one |"
echo "| star $N spread over $K nodes ($share each), run --nodes | $spread |"
echo "| spread minus one share (target <= 500 on K free cores) | $((spread - local1)) |"
echo "# $(nproc) cores for $K nodes"
'
