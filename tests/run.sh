#!/bin/sh
# Runs every test: C unit tests of each build, then each Lua integration test
# in a fresh sandbox, under each netlab binary. Ends with "N passed, N failed".
#   tests/run.sh NETLAB BUILDDIR [BUILDDIR …]   (build-san runs build-san/netlab)
set -u
cd "$(dirname "$0")/.."
passed=0
failed=0
failures=""

count() { # $1: output file, $2: label
	p=$(grep -c '^ok ' "$1")
	f=$(grep -c '^not ok ' "$1")
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" -gt 0 ]; then
		failures="$failures\n  $2:"
		failures="$failures$(grep '^not ok ' "$1" | sed 's/^not ok - /\n    /')"
	fi
}

out=$(mktemp)
trap 'rm -f "$out"' EXIT
shift # the first argument names ./netlab, kept for compatibility of the call
for build in "$@"; do
	bin=./netlab
	[ "$build" = build ] || bin=$build/netlab
	mode=$build
	echo "== $mode: unit tests"
	for u in "$build"/tests/unit/*; do
		[ -x "$u" ] || continue
		"$u" >"$out" 2>&1
		rc=$?
		cat "$out"
		if [ $rc -ne 0 ] && ! grep -q '^not ok' "$out"; then
			echo "not ok - $(basename "$u") exited with $rc" >>"$out"
		fi
		count "$out" "$mode $(basename "$u")"
	done
	echo "== $mode: integration tests (each in a fresh sandbox)"
	for t in tests/lua/*.lua; do
		name=$(basename "$t" .lua)
		echo "-- $name"
		NETLAB=$bin LUA_PATH="tests/lib/?.lua;;" timeout 600 "$bin" run --sandbox "$t" >"$out" 2>&1 </dev/null
		rc=$?
		cat "$out"
		if [ $rc -ne 0 ] && ! grep -q '^not ok' "$out"; then
			echo "not ok - $name: netlab exited with $rc before finishing" >>"$out"
		fi
		count "$out" "$mode $name"
	done
	for t in tests/sh/*.sh; do
		[ -f "$t" ] || continue
		name=$(basename "$t" .sh)
		echo "-- $name"
		NETLAB=$bin timeout 600 sh "$t" >"$out" 2>&1 </dev/null
		rc=$?
		cat "$out"
		if [ $rc -ne 0 ] && ! grep -q '^not ok' "$out"; then
			echo "not ok - $name: exited with $rc" >>"$out"
		fi
		count "$out" "$mode $name"
	done
done
# The fuzzers, a few seconds each (make check sets FUZZ_CHECK_SECONDS): their
# lines are counted with the rest, so the summary stays the last line.
if [ -n "${FUZZ_CHECK_SECONDS:-}" ]; then
	echo "== fuzzers (${FUZZ_CHECK_SECONDS} s each)"
	sh fuzz/run.sh "$FUZZ_CHECK_SECONDS" ${FUZZ_NAMES:-} >"$out" 2>&1
	rc=$?
	cat "$out"
	if [ $rc -ne 0 ] && ! grep -q '^not ok' "$out"; then
		echo "not ok - fuzz/run.sh exited with $rc" >>"$out"
	fi
	count "$out" "fuzz"
fi
if [ "$failed" -gt 0 ]; then
	printf 'failed:%b\n' "$failures"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
