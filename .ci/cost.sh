#!/usr/bin/env bash
# cost.sh: what a small request costs, counted in instructions by
# callgrind, the stable figure on a noisy VM (the README's cost figures).
#
#   bash .ci/cost.sh [set ...]
#
# First BenchmarkAssessBenign (threat/bench_test.go): callgrind over
# -test.benchtime 1x and 2001x, the difference divided by 2000 cancels
# set-up. Then, for each labelled set of ../shared/data (default: the
# four that issue 12 names), examples/evaluate under callgrind with
# --toggle-collect on Guard.CheckHTTP, the call whose time evaluate's
# mean_ns is: the instructions counted divided by the rows is the mean
# in instructions. GOGC=off: with the collector on, callgrind counts the
# collector's goroutines inside the call whenever they run while it is
# on the stack, which depends on the wall clock (two runs differed by
# 20%); the collector's share of mean_ns, a few per cent in CPU
# profiles, is left out. The same binary's own mean_ns, run natively
# once, is printed beside it. GOMAXPROCS=1 for the reason perbyte.sh
# gives. Needs valgrind and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
sets=("$@")
if [ ${#sets[@]} -eq 0 ]; then
  sets=(requests-payloads requests-benign-text csic-normal-train requests-dev)
fi
data=../shared/data
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() { GOMAXPROCS=1 GODEBUG=asyncpreemptoff=1,cpu.rdtscp=off valgrind --tool=callgrind "$@" >/dev/null 2>&1; }
total() { grep -m1 -E '^(summary|totals):' "$1" | awk '{print $2}'; }

go test -c -o "$tmp/threat.test" ./threat
for n in 1 2001; do
  GOGC=off run --callgrind-out-file="$tmp/ab.$n" "$tmp/threat.test" -test.run '^$' \
    -test.bench '^BenchmarkAssessBenign$' -test.benchtime ${n}x
done
a=$(total "$tmp/ab.1")
b=$(total "$tmp/ab.2001")
echo "BenchmarkAssessBenign: $(( (b - a) / 2000 )) instructions a request"

go build -o "$tmp/evaluate" ./examples/evaluate
for s in "${sets[@]}"; do
  f=$data/$s.jsonl.gz
  rows=$(gzip -dc "$f" | wc -l)
  GOGC=off run --toggle-collect='github.com/bulwarkhq/bulwark.(*Guard).CheckHTTP' \
    --callgrind-out-file="$tmp/$s.out" "$tmp/evaluate" -data "$f"
  ns=$("$tmp/evaluate" -data "$f" -json | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["mean_ns"]))')
  echo "$s: $(( $(total "$tmp/$s.out") / rows )) instructions a row ($rows rows); mean_ns $ns on this run"
done
