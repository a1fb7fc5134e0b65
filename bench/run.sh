#!/bin/sh
# make bench (make bench-quick): builds and tears down the star of
# bench/star.lua for N = 10, 100, 500, 1000 (--quick: N <= 100) with netlab
# and, alternating with it, the same star built by
#   steps     a tutorial-style script, one `ip` per step (bench/star-steps.sh)
#   batch     iproute2 at its best: peers in place, `ip -batch` per namespace
#             (bench/star-batch.sh)
#   pyroute2  when python3-pyroute2 is installed (bench/star-pyroute2.py)
# Every run is a fresh sandbox (its own network and mount namespaces, a
# private /run and /sys); build and teardown are timed apart, teardown until
# the kernel has removed every root-side veth. Prints medians, ratios to
# netlab, netlab's peak resident memory and the machine, as a Markdown table.
#
#   sh bench/run.sh [--quick]     BENCH_RUNS=K overrides the runs per size
set -u
cd "$(dirname "$0")/.."

quick=0
[ "${1:-}" = --quick ] && quick=1
if [ "$(id -u)" != 0 ]; then
	echo "bench: needs root (it builds namespaces, each run in a throwaway sandbox)" >&2
	exit 1
fi
# GNU time measures netlab's peak memory; ip is a comparison and a witness.
sh tools/deps.sh time iproute2 || exit 1
[ -x ./netlab ] || { echo "bench: build ./netlab first (make)" >&2; exit 1; }

sizes="10 100 500 1000"
[ $quick = 1 ] && sizes="10 100"
tools="netlab batch steps"
if /usr/bin/python3 -c "import pyroute2" 2>/dev/null; then
	tools="$tools pyroute2"
else
	echo "# pyroute2: not installed (apt-get install python3-pyroute2), left out"
fi

results=$(mktemp)
log=$(mktemp)
trap 'rm -f "$results" "$log" "$log.rss"' EXIT

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# The commands of one tool: build and tear down star N (variant quiet or "").
build_cmd() { # tool n variant
	case $1 in
	netlab) echo "/usr/bin/time -f %M -o $log.rss ./netlab run bench/star.lua n=$2${3:+ ipv6=quiet}" ;;
	batch) echo "sh bench/star-batch.sh up $2 $3" ;;
	steps) echo "sh bench/star-steps.sh up $2" ;;
	pyroute2) echo "/usr/bin/python3 bench/star-pyroute2.py up $2" ;;
	esac
}
down_cmd() { # tool n
	case $1 in
	netlab) echo "./netlab down star" ;;
	batch) echo "sh bench/star-batch.sh down $2" ;;
	steps) echo "sh bench/star-steps.sh down $2" ;;
	pyroute2) echo "/usr/bin/python3 bench/star-pyroute2.py down $2" ;;
	esac
}

# One build and teardown in a fresh sandbox; appends "tool variant n build_ms down_ms rss_kib".
run_one() { # tool n variant
	tool=$1 n=$2 variant=$3
	rm -f "$log.rss"
	# /run is mounted before /run/netns is made: a mkdir first would land on the host.
	out=$(unshare --net --mount --propagation private sh -c '
		mount -t tmpfs none /run && mkdir /run/netns && mount -t sysfs none /sys || exit 1
		t0=$(date +%s%N); '"$(build_cmd "$tool" "$n" "$variant")"' >&2 || exit 2
		t1=$(date +%s%N); '"$(down_cmd "$tool" "$n")"' >&2 || exit 3
		t2=$(date +%s%N)
		echo $(((t1 - t0) / 1000000)) $(((t2 - t1) / 1000000))' 2>"$log")
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "# $tool n=$n ${variant:-default}: failed ($rc):" >&2
		tail -5 "$log" | sed 's/^/#   /' >&2
		return 1
	fi
	rss=-
	[ -s "$log.rss" ] && rss=$(tail -1 "$log.rss")
	echo "$tool ${variant:-default} $n $out $rss" >>"$results"
	echo "# $tool ${variant:-default} n=$n: build $(echo "$out" | cut -d' ' -f1) ms, teardown $(echo "$out" | cut -d' ' -f2) ms"
	# Let the kernel finish freeing the sandbox before the next run is timed.
	sleep $((1 + n / 500))
}

load() { cut -d' ' -f1-3 /proc/loadavg; }

start=$(now_ms)
echo "# bench: $(nproc) cores, load $(load) at start"
for n in $sizes; do
	runs=${BENCH_RUNS:-$([ "$n" -le 100 ] && echo 5 || echo 3)}
	echo "# n=$n: $runs runs each, load $(load)"
	r=1
	while [ $r -le $runs ]; do
		# Alternate: each run starts with the next tool.
		set -- $tools
		k=1
		while [ $k -lt $r ] && [ $# -gt 1 ]; do
			first=$1
			shift
			set -- "$@" "$first"
			k=$((k + 1))
		done
		for tool in "$@"; do
			run_one "$tool" "$n" ""
		done
		if [ "$n" -ge 500 ]; then
			run_one netlab "$n" quiet
			run_one batch "$n" quiet
		fi
		r=$((r + 1))
	done
done
end_load=$(load)
secs=$((($(now_ms) - start) / 1000))

# Medians per tool, variant and size, and ratios to netlab's.
cpu=$(grep -m1 "model name" /proc/cpuinfo | sed 's/.*: //')
echo
echo "Machine: $(nproc) cores, $cpu, Linux $(uname -r); load $end_load at the end; the whole run took ${secs} s."
echo
sort -k3,3n -k2,2 -k1,1 "$results" | awk -v order="$tools" '
function median(list,   n, a, i, j, t) {
	n = split(list, a, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{
	k = $3 SUBSEP $2 SUBSEP $1
	b[k] = b[k] " " $4; d[k] = d[k] " " $5; c[k]++
	if ($6 != "-") rss[k] = rss[k] " " $6
	if (!(($3 SUBSEP $2) in seen)) { seen[$3 SUBSEP $2] = 1; keys[++nk] = $3 SUBSEP $2 }
}
END {
	nt = split(order, tl, " ")
	print "| N | IPv6 | tool | build (s) | teardown (s) | build ÷ netlab | teardown ÷ netlab | runs |"
	print "|---|---|---|---|---|---|---|---|"
	for (i = 1; i <= nk; i++) {
		split(keys[i], nv, SUBSEP)
		nb = b[keys[i] SUBSEP "netlab"]
		mb = nb ? median(nb) : 0
		md = nb ? median(d[keys[i] SUBSEP "netlab"]) : 0
		for (t = 1; t <= nt; t++) {
			k = keys[i] SUBSEP tl[t]
			if (!(k in c)) continue
			xb = median(b[k]); xd = median(d[k])
			rb = mb ? sprintf("%.1f", xb / mb) : "-"
			rd = md ? sprintf("%.1f", xd / md) : "-"
			printf "| %s | %s | %s | %.3f | %.3f | %s | %s | %d |\n", nv[1], nv[2], tl[t], xb / 1000, xd / 1000, rb, rd, c[k]
		}
	}
	print ""
	print "netlab peak resident memory (GNU time %M) while building:"
	print ""
	for (i = 1; i <= nk; i++) {
		k = keys[i] SUBSEP "netlab"
		split(keys[i], nv, SUBSEP)
		if (k in rss)
			printf "- star %s (%s): %.1f MiB\n", nv[1], nv[2], median(rss[k]) / 1024
	}
}'
