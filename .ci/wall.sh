#!/usr/bin/env bash
# wall.sh: the 1 MiB inspection benchmarks' MB/s in wall-clock time, for
# a base revision and the working tree, alternating, then benchstat (the
# README's wall-clock figures; the instruction counts of perbyte.sh are
# the stable ones on a noisy VM).
#
#   bash .ci/wall.sh [base-rev [runs [benchmark-regexp]]]
#
# Defaults: base HEAD~1, 6 runs of each, the benchmarks perbyte.sh reads.
# Each run is one -test.benchtime 20x process; base and tree alternate,
# so that the VM's drift falls on both alike. Needs benchstat
# (go install golang.org/x/perf/cmd/benchstat@latest).
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:-HEAD~1}
runs=${2:-6}
re=${3:-'^(BenchmarkBody(Text|Form|JSON|XML|Multipart)1MiB|BenchmarkHeaders1MiB)$'}
benchstat=$(command -v benchstat || echo "$(go env GOPATH)/bin/benchstat")
tmp=$(mktemp -d)
trap 'git worktree remove --force "$tmp/base" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git worktree add --detach "$tmp/base" "$base" >/dev/null 2>&1
(cd "$tmp/base" && go test -c -o "$tmp/base.test" ./threat)
go test -c -o "$tmp/tree.test" ./threat
for ((i = 0; i < runs; i++)); do
  for v in base tree; do
    "$tmp/$v.test" -test.run '^$' -test.bench "$re" -test.benchtime 20x -test.benchmem >>"$tmp/$v.txt"
  done
done
"$benchstat" "$tmp/base.txt" "$tmp/tree.txt"
