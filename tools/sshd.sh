#!/bin/sh
# Prints the path of an sshd the multi-node tests may start (tests/lib/nodes.sh).
# Installing openssh-server would start a daemon on this machine (its
# post-install starts one where it can), so when /usr/sbin/sshd is missing the
# packages are downloaded and unpacked into a directory instead, never
# installed: nothing runs, /etc/ssh is not touched. Prints nothing and fails
# when that cannot be done (no root, no network).
#   sh tools/sshd.sh [DIR]     (default $NETLAB_SSHD_DIR or /tmp/netlab-sshd)
if [ -x /usr/sbin/sshd ]; then
	echo /usr/sbin/sshd
	exit 0
fi
dir=${1:-${NETLAB_SSHD_DIR:-/tmp/netlab-sshd}}
if [ ! -x "$dir/root/usr/sbin/sshd" ]; then
	[ "$(id -u)" = 0 ] || { echo "netlab: need root to fetch sshd" >&2; exit 1; }
	mkdir -p "$dir/debs" || exit 1
	# apt-get download writes where it is run; libwrap0 is sshd's one library
	# that openssh-client does not bring.
	# One apt-get at a time on a shared machine (flock, when there).
	lock=""; command -v flock >/dev/null && lock="flock /tmp/apt.lock"
	get() { (cd "$dir/debs" && $lock apt-get download -qq openssh-server libwrap0) >/dev/null 2>&1; }
	get || { $lock apt-get update -qq >/dev/null 2>&1 && get; } || {
		echo "netlab: apt-get download openssh-server libwrap0 failed" >&2
		exit 1
	}
	for d in "$dir"/debs/*.deb; do dpkg -x "$d" "$dir/root" || exit 1; done
fi
echo "$dir/root/usr/sbin/sshd"
