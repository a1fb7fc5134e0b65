# Sourced by the multi-node tests (tests/sh/nodes*.sh), inside their outer
# sandbox (a network and mount namespace with its own /run): simulated
# machines for `netlab run --nodes`. Each node is a network namespace with a
# mount namespace of its own over it (its own /run, /run/netns, /run/netlab,
# and an /etc/passwd that has sshd's privilege-separation user), joined to
# the others by a veth on the bridge "underlay" of the outer sandbox, where
# the controller sits at 10.99.0.254. On each runs a real sshd with its own
# config, host key and authorized key, listening only on the node's
# underlay address; the controller reaches it with `ssh -F $nodes_dir/ssh_config
# NAME`. Nothing here touches the host's /etc/ssh, ~/.ssh or port 22.
#
#   sshd=$(sh tools/sshd.sh)    before the outer sandbox: it may download
#   nodes_setup node1 node2 ...   (node i at 10.99.0.i), sets NETLAB_SSH
#   nodes_teardown                stops each sshd by its PID
#   node_exec NAME CMD...         runs CMD inside the node (its netns and mounts)

nodes_dir=""
nodes_names=""

nodes_setup() {
	nodes_dir=$(mktemp -d /tmp/netlab-nodes.XXXXXX) || return 1
	# Found (or fetched) before the outer sandbox, which has no way out: $sshd.
	[ -x "${sshd:-}" ] || { echo "# no sshd (sh tools/sshd.sh fetches one)"; return 1; }
	libs=$(cd "$(dirname "$sshd")/.." && pwd)/lib/x86_64-linux-gnu
	ip link add underlay type bridge && ip addr add 10.99.0.254/24 dev underlay &&
		ip link set underlay up || return 1
	ssh-keygen -q -t ed25519 -N "" -f "$nodes_dir/id" || return 1
	# The passwd the nodes see: the host's, with sshd's user, and root's
	# shell /bin/sh, so that a command over ssh does not pay for the host's
	# interactive setup (bash reads ~/.bashrc when sshd runs it).
	{ sed 's|^\(root:[^:]*:[^:]*:[^:]*:[^:]*:[^:]*:\).*|\1/bin/sh|' /etc/passwd
	  grep -q '^sshd:' /etc/passwd || echo 'sshd:x:104:65534::/run/sshd:/usr/sbin/nologin'
	} >"$nodes_dir/passwd"
	: >"$nodes_dir/known_hosts"
	: >"$nodes_dir/ssh_config"
	i=0
	for n in "$@"; do
		i=$((i + 1))
		d=$nodes_dir/$n
		mkdir -p "$d" || return 1
		ssh-keygen -q -t ed25519 -N "" -f "$d/host_key" || return 1
		cp "$nodes_dir/id.pub" "$d/authorized_keys"
		cat >"$d/sshd_config" <<-CFG
		ListenAddress 10.99.0.$i
		Port 22
		HostKey $d/host_key
		AuthorizedKeysFile $d/authorized_keys
		PermitRootLogin prohibit-password
		PasswordAuthentication no
		KbdInteractiveAuthentication no
		UsePAM no
		StrictModes no
		PidFile none
		LogLevel ERROR
		CFG
		echo "10.99.0.$i $(cut -d' ' -f1-2 "$d/host_key.pub")" >>"$nodes_dir/known_hosts"
		cat >>"$nodes_dir/ssh_config" <<-CFG
		Host $n
		  HostName 10.99.0.$i
		  User root
		  IdentityFile $nodes_dir/id
		  IdentitiesOnly yes
		  IdentityAgent none
		  BatchMode yes
		  StrictHostKeyChecking yes
		  UserKnownHostsFile $nodes_dir/known_hosts
		  GlobalKnownHostsFile /dev/null
		  ConnectTimeout 5
		  # The cheapest handshake this ssh has (the default leads with the
		  # post-quantum sntrup761x25519), here where every node shares the
		  # machine's cores: the tests' choice, not one run --nodes makes.
		  KexAlgorithms curve25519-sha256
		  Ciphers aes128-gcm@openssh.com
		CFG
		ip netns add "$n" &&
			ip link add "$n" type veth peer name eth0 netns "$n" &&
			ip link set "$n" master underlay up &&
			ip -n "$n" addr add "10.99.0.$i/24" dev eth0 &&
			ip -n "$n" link set eth0 up && ip -n "$n" link set lo up || return 1
		# The node's own mounts: /run (with netns and sshd's empty privsep
		# directory) and the passwd above. exec all the way down, so $! is sshd.
		ip netns exec "$n" unshare --mount --propagation private sh -c '
			mount -t tmpfs none /run && mkdir /run/netns /run/sshd &&
			mount --bind "$1" /etc/passwd && LD_LIBRARY_PATH="$2" exec "$3" -D -e -f "$4"' \
			sh "$nodes_dir/passwd" "$libs" "$sshd" "$d/sshd_config" 2>"$d/sshd.log" &
		echo $! >"$d/pid"
		nodes_names="$nodes_names $n"
	done
	export NETLAB_SSH="ssh -F $nodes_dir/ssh_config"
	# Up when each answers.
	for n in "$@"; do
		t=0
		until ssh -F "$nodes_dir/ssh_config" "$n" true 2>/dev/null; do
			t=$((t + 1))
			if [ $t -gt 50 ]; then
				echo "# node $n: sshd does not answer: $(cat "$nodes_dir/$n/sshd.log")"
				return 1
			fi
			sleep 0.1
		done
	done
}

# Runs CMD in node NAME: its network namespace and its mounts (those of its sshd).
node_exec() {
	n=$1
	shift
	nsenter -t "$(cat "$nodes_dir/$n/pid")" -n -m "$@"
}

nodes_teardown() {
	for n in $nodes_names; do
		pid=$(cat "$nodes_dir/$n/pid" 2>/dev/null) && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	rm -rf "$nodes_dir"
}
