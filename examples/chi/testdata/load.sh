#!/usr/bin/env bash
# Loopback load run of examples/chi with and without bulwark, alternating,
# as in the README's Benchmarks section. Needs wrk (apt-get install wrk).
#
#   bash examples/chi/testdata/load.sh [single|proxied] [ROUNDS] [DURATION]
#
# single:  every request from one client address (a flood of one client).
# proxied: 4,096 client addresses in X-Forwarded-For, the server trusting
#          the loopback peer as its proxy (clients behind a load balancer).
# Prints requests/s of each run, the per-round ratio and the median ratio.
set -euo pipefail
cd "$(dirname "$0")/../../.."
mode=${1:-single}
rounds=${2:-6}
dur=${3:-20s}
port=${PORT:-18090}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
bin=$(mktemp -d)/chi
go build -o "$bin" ./examples/chi
args=()
env=()
case $mode in
single) ;;
proxied)
  args=(-s examples/chi/testdata/clients.lua)
  env=(TRUSTED_PROXIES=127.0.0.1/32) ;;
*) echo "mode is single or proxied" >&2; exit 2 ;;
esac
run() { # $1: off or on
  local flag=()
  [ "$1" = off ] && flag=(BULWARK=off)
  env "${env[@]}" "${flag[@]}" PORT="$port" RATE=1000000000-S "$bin" >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
  wrk -t2 -c32 -d"$dur" "${args[@]}" "http://127.0.0.1:$port/api/items" | awk '/Requests\/sec/ {print $2}'
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
ratios=()
printf '%-6s %12s %12s %6s\n' round off on ratio
for i in $(seq "$rounds"); do
  off=$(run off)
  on=$(run on)
  r=$(awk -v a="$on" -v b="$off" 'BEGIN {printf "%.3f", a/b}')
  ratios+=("$r")
  printf '%-6s %12s %12s %6s\n' "$i" "$off" "$on" "$r"
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {m = NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2; printf "median ratio %.2f over %d rounds\n", m, NR}'
