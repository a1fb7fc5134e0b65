#!/bin/sh
# The probe matrix of star N against a loop of `ip netns exec … ping`
# (bench/probe.lua), each N in a fresh sandbox; a Markdown table.
#   sh bench/probe.sh            BENCH_SIZES="10 50 100" BENCH_LOOP=1000 (pairs timed; all: every one)
set -u
cd "$(dirname "$0")/.."
[ -x ./netlab ] || { echo "bench: build ./netlab first (make)" >&2; exit 1; }
echo "| N | probes | netlab (s) | answered | unsure | ARP table full (times) | ping loop (s) | loop pings failed | loop ÷ netlab | peak descriptors (+ before) | all silent |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for n in ${BENCH_SIZES:-10 50 100}; do
	./netlab run --sandbox bench/probe.lua n="$n" loop="${BENCH_LOOP:-1000}" | grep '^| '
done
