#!/usr/bin/env bash
# perbyte.sh: instructions a byte that threat's 1 MiB benchmarks spend,
# counted by callgrind (the README's inspection-speed figures).
#
#   bash .ci/perbyte.sh [benchmark-regexp]
#
# Each benchmark runs under callgrind with -test.benchtime 1x and 5x; the
# difference divided by 4 MiB cancels set-up. GOGC=off keeps the
# collector's share out. GOMAXPROCS=1 leaves no idle P for the runtime's
# scheduler to spin on (its spinning under valgrind varied from run to
# run and made the totals jump, even negative); its functions are still
# left out of the net figure, which then matches the total within 0.1.
# Needs valgrind and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
re=${1:-'^(BenchmarkBody(Text|Form|JSON|XML|Multipart)1MiB|BenchmarkHeaders1MiB)$'}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go test -c -o "$tmp/threat.test" ./threat
names=$("$tmp/threat.test" -test.list "$re")
for b in $names; do
  for n in 1 5; do
    GOMAXPROCS=1 GOGC=off GODEBUG=asyncpreemptoff=1,cpu.rdtscp=off valgrind --tool=callgrind \
      --callgrind-out-file="$tmp/$b.$n.out" "$tmp/threat.test" -test.run '^$' \
      -test.bench "^$b\$" -test.benchtime ${n}x >/dev/null 2>&1
    callgrind_annotate --inclusive=no --auto=no "$tmp/$b.$n.out" >"$tmp/$b.$n.txt" 2>/dev/null
  done
  python3 - "$tmp/$b" "$b" <<'PY'
import collections, re, sys
o, name = sys.argv[1], sys.argv[2]
sched = re.compile(r"runtime/(proc\.go|lock_spinbit\.go|time\.go|traceruntime\.go|sys_linux_amd64\.s|"
                   r"mgcpacer\.go|lockrank_off\.go|runtime2\.go|histogram\.go|runtime1\.go|mprof\.go)|"
                   r"asm_amd64\.s:(runtime\.mcall|gogo|runtime\.gogo)|atomic/types\.go|mgc\.go:runtime\.GC")
def load(f):
    d, total = collections.Counter(), 0
    for line in open(f):
        m = re.match(r"\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(\S.*)", line)
        if not m:
            continue
        n, fn = int(m.group(1).replace(",", "")), m.group(2).split(" [")[0]
        if fn.startswith("PROGRAM TOTALS"):
            total = n
        else:
            d[fn] += n
    return d, total
a, ta = load(o + ".1.txt")
b, tb = load(o + ".5.txt")
mib = 4 * 1048576
spin = sum(b[k] - a.get(k, 0) for k in b if sched.search(k)) / mib
total = (tb - ta) / mib
print("%-28s %6.1f instructions a byte (%.1f with the scheduler)" % (name, total - spin, total))
PY
done
