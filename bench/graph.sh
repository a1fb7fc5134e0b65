#!/bin/sh
# netlab graph of star N (bench/graph.lua), each N in a fresh sandbox; a Markdown table.
#   sh bench/graph.sh            BENCH_SIZES="100 1000"
set -u
cd "$(dirname "$0")/.."
[ -x ./netlab ] || { echo "bench: build ./netlab first (make)" >&2; exit 1; }
echo "| N | graph --format dot (s) | graph -o x.svg (s) | nodes drawn |"
echo "|---|---|---|---|"
for n in ${BENCH_SIZES:-100 1000}; do
	./netlab run --sandbox bench/graph.lua n="$n" ipv6=quiet | grep '^| '
done
