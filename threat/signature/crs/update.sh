#!/usr/bin/env bash
# Copies the OWASP CRS data lists bulwark reads from the coraza-coreruleset
# module at the version given (default: the one in README.md).
set -euo pipefail
cd "$(dirname "$0")"
version="${1:-v4.25.0}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && go mod init tmp >/dev/null 2>&1 && go get "github.com/corazawaf/coraza-coreruleset/v4@$version" >/dev/null 2>&1)
src=$(cd "$tmp" && go list -m -f '{{.Dir}}' "github.com/corazawaf/coraza-coreruleset/v4")
for f in *.data; do cp "$src/rules/@owasp_crs/$f" "$f"; chmod 644 "$f"; done
cp "$src/LICENSE" LICENSE; chmod 644 LICENSE
sed -i "s/at v[0-9.]*/at $version/" README.md
