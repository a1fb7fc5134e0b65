# Sourced by tests/sh/kill.sh and killat.sh, inside their throwaway namespaces
# (the working directory is the tree's top, $bin the netlab under test):
# what a killed `netlab run bench/star.lua` must leave behind.

# The state a run may touch: namespaces, links and their masters, nftables,
# /run/netlab, as ip -j and nft -j see them.
snap() {
	{ ls /run/netns; ip -j link show | python3 -c "import json,sys; print(sorted((l[\"ifname\"], l.get(\"master\")) for l in json.load(sys.stdin)))"
	  nft -j list ruleset; ls /run/netlab 2>/dev/null; } 2>&1
}

# after_kill WHAT CMD...: after a kill (WHAT says which), the re-run CMD and
# `netlab down star` must leave exactly $base. Counts it in $restored, or
# says what differs and takes the lab down again for the next kill.
after_kill() {
	what=$1
	shift
	out=$("$@" 2>&1); rc=$?
	out2=$("$bin" down star 2>&1); rc2=$?
	now=$(snap)
	if [ $rc -eq 0 ] && [ $rc2 -eq 0 ] && [ "$now" = "$base" ]; then
		restored=$((restored + 1))
	else
		echo "# $what: re-run rc=$rc ($out), down rc=$rc2 ($out2)"
		printf "%s\n" "$base" >/tmp/kill-base.$$; printf "%s\n" "$now" >/tmp/kill-now.$$
		diff /tmp/kill-base.$$ /tmp/kill-now.$$ | head -n 10 | sed "s/^/# /"
		rm -f /tmp/kill-base.$$ /tmp/kill-now.$$
		"$bin" down star >/dev/null 2>&1
	fi
}
