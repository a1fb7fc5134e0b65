#!/bin/sh
# Labs across machines (netlab run|down|ls --nodes) on simulated nodes: each
# a network and mount namespace of its own with a real sshd, on an underlay
# bridge, all inside one outer sandbox (tests/lib/nodes.sh). The controller
# talks to the nodes only over ssh (NETLAB_SSH="ssh -F …").
#   NETLAB=./netlab sh tests/sh/nodes.sh
set -u
bin=$(cd "$(dirname "${NETLAB:-./netlab}")" && pwd)/$(basename "${NETLAB:-./netlab}")
cd "$(dirname "$0")/../.."
if ! command -v ssh >/dev/null || ! sshd=$(sh tools/sshd.sh); then
	echo "not ok - nodes: no ssh client or sshd (make test-deps gets them)"
	exit 0
fi
export bin sshd
home_ssh_before=$(ls -d "$HOME/.ssh" 2>/dev/null)
unshare --net --mount --propagation private sh -c '
mount -t tmpfs none /run && mkdir /run/netns && ip link set lo up || exit 1
. tests/lib/nodes.sh
ok() { if [ "$1" = 0 ]; then echo "ok - $2"; else echo "not ok - $2"; fi; }
# What a lab may touch on a node, as ip -j, nft -j and /proc see it.
snap() {
	node_exec "$1" sh -c "ip netns; ip -j link show | python3 -c \"import json,sys; print(sorted((l[\\\"ifname\\\"], l.get(\\\"master\\\")) for l in json.load(sys.stdin)))\";
		ip -j route show; cat /proc/sys/net/ipv4/ip_forward; nft -j list ruleset; ls /run/netlab 2>/dev/null" 2>&1
}
if ! nodes_setup node1 node2 node3; then
	echo "not ok - nodes: three simulated nodes with sshd"
	nodes_teardown
	exit 0
fi
export NETLAB_REMOTE="$bin"
nodes=node1=node1,node2=node2
b1=$(snap node1) b2=$(snap node2) b3=$(snap node3)
masters() { ls -d /tmp/netlab-ssh.* 2>/dev/null | wc -l; }
m0=$(masters)
cd /tmp

# Tutorial 003 on two nodes: the bundled script by its bare name.
out=$("$bin" run --nodes $nodes multinode 2>&1); rc=$?
echo "$out" | sed "s/^/# /" | tail -n 4
ok $rc "run --nodes: multinode builds tutorial 003 on two nodes (exit $rc)"
echo "$out" | grep -q "^node1: lab \"multinode\": 2 probes as the script expects" &&
	echo "$out" | grep -q "^node2: lab \"multinode\": 2 probes as the script expects"
ok $? "run --nodes: each node checked its expectations once both were up, output prefixed"
node_exec node1 ip netns exec pod1 ping -c 1 -W 2 10.244.2.2 >/dev/null 2>&1
ok $? "real ping: pod1 on node1 reaches pod2 on node2"
node_exec node2 ip netns exec pod2 ping -c 1 -W 2 10.244.1.2 >/dev/null 2>&1
ok $? "real ping: pod2 on node2 reaches pod1 on node1"
r=$(node_exec node1 ip -j route show 10.244.2.0/24)
case $r in *"\"gateway\":\"10.99.0.2\""*"\"dev\":\"eth0\""*) ok 0 "node1 routes node2 pods via node2 on the underlay";;
	*) ok 1 "node1 routes node2 pods via node2 on the underlay ($r)";; esac
[ "$(snap node3)" = "$b3" ]
ok $? "a node not named in --nodes is untouched"
out=$("$bin" ls --nodes $nodes 2>&1)
echo "$out" | grep -q "^node1: multinode" && echo "$out" | grep -q "^node2: multinode"
ok $? "ls --nodes: the lab on each node ($(echo "$out" | tr "\n" " "))"
"$bin" ls --json --nodes $nodes | python3 -c "import json,sys; d=json.load(sys.stdin); assert sorted(d) == [\"node1\", \"node2\"], d"
ok $? "ls --json --nodes: one JSON object, each node under its name"
out=$("$bin" down multinode --nodes $nodes 2>&1); rc=$?
ok $rc "down --nodes: exit 0 ($out)"
[ "$(snap node1)" = "$b1" ] && [ "$(snap node2)" = "$b2" ]
ok $? "down --nodes: every node as before (namespaces, links, routes, forwarding, nftables, /run/netlab)"
[ "$(masters)" = "$m0" ]
ok $? "no ssh control directory left behind"

# One LAN stretched over three nodes by VXLAN (topo.node_vxlan), a host on each.
d=$(mktemp -d)
cat >"$d/stretch.lua" <<LUA
local topo = require "netlab.topo"
local me
for i, n in ipairs(netlab.nodes) do if n.name == netlab.node then me = i end end
local lan = topo.lan{bridge = "br0", subnet = "10.50.0.0/24", gateway = false,
                     hosts = {{"h" .. me, host = me}}}
topo.node_vxlan{bridge = lan.bridge, vni = 100}
local expect = {}
for i = 1, #netlab.nodes do if i ~= me then expect[#expect + 1] = {"h" .. me, "10.50.0." .. i} end end
probe.expect(expect)
LUA
all=node1=node1,node2=node2,node3=node3
out=$("$bin" run --nodes $all "$d/stretch.lua" 2>&1); rc=$?
echo "$out" | sed "s/^/# /" | tail -n 3
[ $rc = 0 ] && [ "$(echo "$out" | grep -c "^node[123]: lab \"stretch\": 2 probes as the script expects")" = 3 ]
ok $? "run --nodes: a bridge stretched over three nodes by VXLAN, each host reaching the others"
node_exec node3 ip netns exec h3 ping -c 1 -W 2 10.50.0.2 >/dev/null 2>&1
ok $? "real ping: h3 on node3 reaches h2 on node2 over the stretched LAN"
v=$(node_exec node2 ip -j -d link show vx2)
case $v in *"\"id\":102"*"\"remote\":\"10.99.0.1\""*) ok 0 "node2 tunnels to the hub node1, VNI 102";;
	*) ok 1 "node2 tunnels to the hub node1, VNI 102 ($v)";; esac
"$bin" down stretch --nodes $all >/dev/null 2>&1
[ "$(snap node1)" = "$b1" ] && [ "$(snap node2)" = "$b2" ] && [ "$(snap node3)" = "$b3" ]
ok $? "down --nodes: the three nodes as before"
rm -rf "$d"

# The check round only where the script left expectations for it: each run
# of the script (the check round runs it again) leaves a line on the node.
d=$(mktemp -d)
cat >"$d/some.lua" <<LUA
local f = io.open("/run/some.runs", "a") f:write("run\\n") f:close()
ns.add("some" .. netlab.node, {lo = true})
if netlab.node == "node1" then probe.expect{{"some" .. netlab.node, "127.0.0.1"}} end
if netlab.node == "node2" then io.write("no newline") end
LUA
out=$("$bin" run --nodes $nodes "$d/some.lua" 2>&1); rc=$?
echo "$out" | sed "s/^/# /"
r1=$(node_exec node1 cat /run/some.runs | wc -l) r2=$(node_exec node2 cat /run/some.runs | wc -l)
[ $rc = 0 ] && [ "$r1" = 2 ] && [ "$r2" = 1 ] &&
	echo "$out" | grep -q "^node1: lab \"some\": 1 probe as the script expects" &&
	! echo "$out" | grep -q "^node2: lab" && ! echo "$out" | grep -q "netlab-later" &&
	echo "$out" | grep -q "^node2: no newline$"
ok $? "run --nodes: checked on node1 (script run $r1 times), not on node2 with nothing to check ($r2)"
"$bin" down some --nodes $nodes >/dev/null 2>&1
node_exec node1 rm -f /run/some.runs
node_exec node2 rm -f /run/some.runs
[ "$(snap node1)" = "$b1" ] && [ "$(snap node2)" = "$b2" ]
ok $? "down --nodes: both nodes as before"
rm -rf "$d"

# Ctrl-C during the run: the nodes finish their part, then every node rolls back.
d=$(mktemp -d)
printf "%s\n" "ns.add(\"slow\" .. netlab.node)" "netlab.sleep(3)" >"$d/slow.lua"
"$bin" run --nodes $nodes "$d/slow.lua" >"$d/out" 2>&1 &
pid=$!
sleep 2
kill -INT $pid
wait $pid; rc=$?
sed "s/^/# /" "$d/out"
[ $rc -ne 0 ] && grep -q "lab \"slow\" interrupted; rolled back on node1, node2" "$d/out"
ok $? "SIGINT to run --nodes: the run fails, every node rolled back"
[ "$(snap node1)" = "$b1" ] && [ "$(snap node2)" = "$b2" ]
ok $? "SIGINT to run --nodes: every node as before"
rm -rf "$d"

# A failure on one node: node2 already has a test0, so its run fails; node1 rolls back.
node_exec node2 ip link add test0 type veth peer name test0p
b2f=$(snap node2)
out=$("$bin" run --nodes node1=node1,node2=node2,node3=node3 multinode 2>&1); rc=$?
echo "$out" | grep -v "^node[0-9]:  " | sed "s/^/# /"
[ $rc -ne 0 ]
ok $? "run --nodes: a node that fails fails the run"
echo "$out" | grep -q "^node2: netlab: multinode.lua:[0-9]*: .*test0.*File exists"
ok $? "the failure names its node and the script line"
echo "$out" | grep -q "lab \"multinode\" failed on node2; rolled back on node1, node3"
ok $? "the others named as rolled back"
[ "$(snap node1)" = "$b1" ] && [ "$(snap node2)" = "$b2f" ] && [ "$(snap node3)" = "$b3" ]
ok $? "all or nothing: every node as before"
node_exec node2 ip link del test0

# Words that are not a list of nodes: refused before any ssh.
out=$("$bin" run --nodes node1 multinode 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q "\"node1\" is not NAME=DEST"
ok $? "--nodes NAME alone: refused, saying NAME=DEST ($out)"
out=$("$bin" run --nodes a=node1,a=node2 multinode 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q "node \"a\" named twice"
ok $? "--nodes with a name twice: refused ($out)"
out=$("$bin" run --nodes a=-oProxyCommand=true multinode 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q "starts with -"
ok $? "--nodes with a destination ssh would take for an option: refused ($out)"
out=$("$bin" run --dry-run --nodes $nodes multinode 2>&1); rc=$?
[ $rc = 2 ]
ok $? "run --dry-run --nodes: refused as a usage error ($out)"

# A node that cannot be reached: named, nothing built anywhere.
out=$("$bin" run --nodes node1=node1,node9=10.99.0.9 multinode 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q "node node9 (10.99.0.9): cannot be reached"
ok $? "an unreachable node is named ($(echo "$out" | tail -n 1))"
[ "$(snap node1)" = "$b1" ]
ok $? "nothing built on the reachable node"

# The shared connections end with the command: no ssh master left running
# (a master told to exit may take a moment to go). Only the ones this test
# runs, which use its ssh_config: another test may run ssh meanwhile.
sshs() {
	n=0
	for p in /proc/[0-9]*; do
		[ "$(cat $p/comm 2>/dev/null)" = ssh ] || continue
		tr "\000" " " <$p/cmdline 2>/dev/null | grep -qF "$nodes_dir/ssh_config" || continue
		n=$((n + 1))
		[ -z "${1:-}" ] || echo "# left: $(tr "\000" " " <$p/cmdline)"
	done
}
t=0
while sshs && [ $n -gt 0 ] && [ $t -lt 30 ]; do sleep 0.1; t=$((t + 1)); done
sshs show
ok $n "no ssh client or master left running ($n)"
cd - >/dev/null
nodes_teardown
'
[ "$(ls -d "$HOME/.ssh" 2>/dev/null)" = "$home_ssh_before" ] && echo "ok - the host's ~/.ssh untouched" ||
	echo "not ok - the host's ~/.ssh untouched"
