#!/usr/bin/env bash
# The README's tour, terminal 3: traffic for two examples/chi instances
# (started with TRUSTED_PROXIES=127.0.0.1/32, so X-Forwarded-For names the
# client): browsing from 20 clients, and an attacker, 203.0.113.66, that
# probes both. Then it watches the attacker's answers from both instances
# once a second, so that a ban from the dashboard shows as 403 on both.
#
#   bash examples/controlplane/testdata/attack.sh [port1] [port2] [rounds]
set -uo pipefail
p1=${1:-8081}
p2=${2:-8082}
rounds=${3:-30}
attacker=203.0.113.66
req() { # port client path -> status
  curl -s -o /dev/null -w '%{http_code}' -H "X-Forwarded-For: $2" -H 'Accept: text/html' -H 'Accept-Language: en' \
    -A 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0' "http://127.0.0.1:$1$3"
}
echo "traffic: 20 clients browsing, $attacker attacking, on :$p1 and :$p2"
for r in $(seq "$rounds"); do
  for c in $(seq 20); do
    for p in "$p1" "$p2"; do
      req "$p" "198.51.100.$c" "/api/items/$((RANDOM % 100))" >/dev/null
      req "$p" "198.51.100.$c" "/search?q=boots" >/dev/null
    done
  done
  req "$p1" "$attacker" "/search?q=1%27%20OR%201=1--" >/dev/null
  req "$p1" "203.0.113.$((r % 50 + 100))" "/search?q=%3Cscript%3Ealert(1)%3C/script%3E" >/dev/null
  req "$p2" "203.0.113.$((r % 50 + 150))" "/api/items?file=../../../../etc/passwd" >/dev/null
done
echo "now ban the top offending pseudonym from the dashboard; the attacker's answers (200 = served, 403 = refused):"
while true; do
  printf '%s  :%s %s  :%s %s\n' "$(date +%T.%N | cut -c1-12)" "$p1" "$(req "$p1" "$attacker" /)" "$p2" "$(req "$p2" "$attacker" /)"
  sleep 0.2
done
