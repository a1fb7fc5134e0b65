#!/bin/sh
# The star of bench/star.lua with iproute2 used as well as it can be: every
# veth made with its peer in place (no move between namespaces), one
# `ip -batch` for the root namespace and one `ip -n hI -batch` per
# namespace, and what netlab does for the kernel's sake: the bridge ports
# brought up after their peers (a port that comes up without carrier costs
# the bridge extra walks of all its ports) and one queue each way given
# (else the kernel shrinks each end's queues, an RCU wait per end).
#   sh bench/star-batch.sh up N [quiet] | down N
# quiet: as star.lua's ipv6=quiet, addrgenmode none everywhere and no
# multicast snooping on the bridge.
set -e
. "$(dirname "$0")/veths-gone.sh"
n=$2
quiet=${3:-}
gen=""
snoop=""
q="numtxqueues 1 numrxqueues 1"
if [ "$quiet" = quiet ]; then
	gen="addrgenmode none"
	snoop="mcast_snooping 0"
fi
case $1 in
up)
	{
		echo "link add br0 type bridge $snoop"
		[ -z "$gen" ] || echo "link set br0 $gen"
		echo "addr add 10.0.0.1/16 dev br0"
		echo "link set br0 up"
		i=1
		while [ "$i" -le "$n" ]; do
			echo "netns add h$i"
			echo "link add vh$i master br0 $q type veth peer name eth0 $q netns h$i"
			[ -z "$gen" ] || echo "link set vh$i $gen"
			i=$((i + 1))
		done
	} | ip -batch -
	i=1
	while [ "$i" -le "$n" ]; do
		a=$((i + 1))
		{
			echo "link set lo up"
			[ -z "$gen" ] || echo "link set eth0 $gen"
			echo "link set eth0 up"
			echo "addr add 10.0.$((a / 256)).$((a % 256))/16 dev eth0"
			echo "route add default via 10.0.0.1"
		} | ip -n h$i -batch -
		i=$((i + 1))
	done
	i=1
	while [ "$i" -le "$n" ]; do
		echo "link set vh$i up"
		i=$((i + 1))
	done | ip -batch -
	;;
down)
	{
		i=1
		while [ "$i" -le "$n" ]; do
			echo "netns del h$i"
			i=$((i + 1))
		done
		echo "link del br0"
	} | ip -batch -
	veths_gone "$n"
	;;
*)
	echo "usage: star-batch.sh up N [quiet] | down N" >&2
	exit 2
	;;
esac
