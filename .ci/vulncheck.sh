#!/usr/bin/env bash
# govulncheck against a local copy of the Go vulnerability database: this
# machine reaches the Go module proxy but not vuln.go.dev, so the database
# is built from the golang.org/x/vulndb module's OSV files with its own
# indexdb command. Pass the vulndb version to pin it.
set -euo pipefail
version="${1:-v0.0.0-20261105234957-e22db6528018}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(
  cd "$work"
  go mod init vulndb-local >/dev/null 2>&1
  go get "golang.org/x/vulndb/cmd/indexdb@$version" >/dev/null 2>&1
  src=$(go list -m -f '{{.Dir}}' golang.org/x/vulndb)
  go run golang.org/x/vulndb/cmd/indexdb -vulns "$src/data/osv" -out "$work/db"
)
govulncheck -db "file://$work/db" ./...
