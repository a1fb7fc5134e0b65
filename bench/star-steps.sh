#!/bin/sh
# The star of bench/star.lua as the tutorials teach it: one `ip` command per
# step, each veth made in the root namespace and its end moved into the
# namespace, then renamed there.
#   sh bench/star-steps.sh up N | down N
set -e
. "$(dirname "$0")/veths-gone.sh"
n=$2
case $1 in
up)
	ip link add br0 type bridge
	ip addr add 10.0.0.1/16 dev br0
	ip link set br0 up
	i=1
	while [ "$i" -le "$n" ]; do
		a=$((i + 1))
		ip netns add h$i
		ip link add vh$i type veth peer name eh$i
		ip link set eh$i netns h$i
		ip -n h$i link set eh$i name eth0
		ip link set vh$i master br0
		ip link set vh$i up
		ip -n h$i addr add 10.0.$((a / 256)).$((a % 256))/16 dev eth0
		ip -n h$i link set eth0 up
		ip -n h$i link set lo up
		ip -n h$i route add default via 10.0.0.1
		i=$((i + 1))
	done
	;;
down)
	i=1
	while [ "$i" -le "$n" ]; do
		ip netns del h$i
		i=$((i + 1))
	done
	ip link del br0
	veths_gone "$n"
	;;
*)
	echo "usage: star-steps.sh up|down N" >&2
	exit 2
	;;
esac
