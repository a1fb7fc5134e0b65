# Sourced by the shell comparisons: returns when the kernel has removed every
# root-side veth vh1..vhN of the star (the end of a teardown, in every tool).
veths_gone() { # N
	i=1
	while [ "$i" -le "$1" ]; do
		if [ -e /sys/class/net/vh$i ]; then sleep 0.005; else i=$((i + 1)); fi
	done
}
