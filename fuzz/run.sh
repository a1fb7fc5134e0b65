#!/bin/sh
# fuzz/run.sh SECONDS NAME…: builds the harnesses and runs each, one at a time,
# for SECONDS from its seed corpus (fuzz/corpus/NAME, read only: what a run
# finds new goes to a scratch directory). One line per harness:
#   ok - fuzz NAME: EXECS execs in S s (R/s), 0 findings
# A crash, leak or sanitizer report is a finding: its input is kept as
# build-fuzz/findings/NAME/crash-…, the line says "not ok" and the exit is 1.
# Without clang the harnesses are skipped (make test-deps installs it).
set -u
cd "$(dirname "$0")/.."
secs=$1
shift
cc=${FUZZ_CC:-clang}
if ! command -v "$cc" >/dev/null 2>&1; then
	echo "# fuzz: $cc not found, harnesses skipped (make test-deps installs it)"
	exit 0
fi
${MAKE:-make} -s -j2 fuzz-build || exit 1
failed=0
total=0
for name in "$@"; do
	bin=build-fuzz/fuzz_$name
	seeds=fuzz/corpus/$name
	scratch=$(mktemp -d)
	found=build-fuzz/findings/$name
	mkdir -p "$found" "$seeds"
	log=$scratch.log
	# One job, short inputs: the machine is shared and netlink messages are small.
	"$bin" -max_total_time="$secs" -print_final_stats=1 -max_len=4096 -timeout=10 \
		-rss_limit_mb=1024 -artifact_prefix="$found/" "$scratch" "$seeds" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	time=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
	execs=${execs:-0}
	time=${time:-$secs}
	[ "$time" -gt 0 ] || time=1
	total=$((total + execs))
	if [ $rc -eq 0 ]; then
		echo "ok - fuzz $name: $execs execs in $time s ($((execs / time))/s), 0 findings"
	else
		failed=$((failed + 1))
		echo "not ok - fuzz $name: finding after $execs execs (exit $rc), input in $found/"
		grep -m 5 -E 'ERROR|SUMMARY|runtime error|deadly signal|timeout' "$log" | sed 's/^/#   /'
	fi
	rm -rf "$scratch" "$log"
done
echo "# fuzz: $total execs, $failed harness(es) with findings"
[ $failed -eq 0 ]
