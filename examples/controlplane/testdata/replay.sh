#!/usr/bin/env bash
# A recorded attack replay for the correlation and playbook views: MINUTES
# minutes of traffic against two examples/chi instances (started with
# TRUSTED_PROXIES=127.0.0.1/32). Every minute, 20 clients browse both; in
# the minutes the fixed schedule below marks, a wave of 4 to 12 attackers
# each send six injection payloads to :port1 (the first refused requests
# earn strikes, the rest meet the penalty box). Attackers are fresh
# addresses; with REGULARS=1, half of each wave are regulars, 203.0.113.1
# to .6, who come back wave after wave (what playbooks learn from). The
# schedule is fixed so that two runs replay the same attack.
#
#   [REGULARS=1] bash examples/controlplane/testdata/replay.sh [port1] [port2] [minutes]
set -uo pipefail
p1=${1:-8081}
p2=${2:-8082}
minutes=${3:-20}
regulars=${REGULARS:-0}
# attackers per minute, 0 = quiet (a fixed pseudo-random schedule)
waves=(0 8 0 0 12 4 0 0 0 10 0 6 0 0 12 0 0 8 0 4 0 0 10 0 6 0 0 12 0 0)
req() { # port client path
  curl -s -o /dev/null -H "X-Forwarded-For: $2" -H 'Accept: text/html' -H 'Accept-Language: en' \
    -A 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0' "http://127.0.0.1:$1$3"
}
payloads=("/search?q=1%27%20OR%201=1--" "/search?q=%3Cscript%3Ealert(1)%3C/script%3E" "/api/items?file=../../../../etc/passwd"
  "/search?q=1%27%20UNION%20SELECT%20password%20FROM%20users--" "/search?q=%3Bcat%20/etc/passwd" "/search?q=%7B%7B7*7%7D%7D")
for m in $(seq 0 $((minutes - 1))); do
  start=$(date +%s)
  n=${waves[$((m % ${#waves[@]}))]}
  for c in $(seq 20); do
    for p in "$p1" "$p2"; do
      req "$p" "198.51.100.$c" "/api/items/$((RANDOM % 100))"
      req "$p" "198.51.100.$c" "/search?q=boots"
    done
  done
  for a in $(seq "$n"); do
    addr="203.0.$((m % 250)).$a" # fresh
    if [ "$regulars" = 1 ] && [ "$a" -le $((n / 2)) ]; then
      addr="203.0.113.$a" # a regular
    fi
    for pl in "${payloads[@]}"; do
      req "$p1" "$addr" "$pl"
    done
  done
  echo "minute $m: $n attackers"
  sleep $((60 - ($(date +%s) - start) % 60))
done
