package signature

import (
	"bytes"
	"strings"
)

// restrictedPaths are the files a web root must never serve, as a path
// names them: the CRS's restricted-files list (the list its rule 930130
// reads the request's file name with) and its AI-critical-artifacts list,
// in a trie. A project file an application may serve itself or a code
// host shows (package.json, Dockerfile, a config.json a front end
// fetches) is tierApp: weak. The /proc and /sys entries are left out: an
// API has "sys" and "proc" resources (Vault's /v1/sys/health), and
// /proc/self/ is a probe of its own.
var restrictedPaths = func() *fileTrie {
	t := &fileTrie{next: map[uint64]int32{}, nodes: make([]trieNode, 1, 2048)}
	for _, list := range []string{"restricted-files", "ai-critical-artifacts"} {
		for _, e := range crsList(list) {
			le := strings.TrimLeft(strings.ToLower(e), "/")
			if strings.HasPrefix(le, "proc/") || strings.HasPrefix(le, "sys/") {
				continue
			}
			tier := uint8(tierSystem)
			if appFiles[le] && !strings.HasSuffix(le, ".log") && le != "auth.json" && le != "@fs/" && le != "@id/" ||
				strings.HasPrefix(le, "config") {
				tier = tierApp
			}
			t.add(e, tier)
		}
	}
	t.seal()
	return t
}()

// restrictedPath finds, at the start of a segment of a lower-cased path,
// a file of restrictedPaths, and returns where it starts and ends and its
// tier. A system tier returns at once; an application's file is kept
// while a stronger one is sought.
func restrictedPath(lo []byte) (i, j int, tier uint8) {
	if q := bytes.IndexByte(lo, '?'); q >= 0 {
		lo = lo[:q]
	}
	for k := 0; k < len(lo); k++ {
		if lo[k] != '/' || k+1 >= len(lo) || restrictedPaths.root[lo[k+1]] == 0 {
			continue
		}
		if end, t := restrictedPaths.longest(lo[k+1:]); t > tier {
			i, j, tier = k+1, k+1+end, t
			if t == tierSystem {
				return i, j, tier
			}
		}
	}
	return i, j, tier
}

// archiveExts are the extensions of the archives a site's backup or a
// database dump is left in.
var archiveExts = []string{".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".gz", ".bz2", ".xz",
	".7z", ".rar", ".z"}

// backupNames are the names a whole site's or database's copy is left
// under in a web root, the names scanners' backup lists try with each
// archive extension (dirsearch, nuclei's backup templates).
var backupNames = set("backup", "backups", "bak", "www", "wwwroot", "htdocs", "public_html", "webroot", "httpdocs", "db",
	"database", "dump", "sql", "site-backup", "db_backup", "db-backup", "sitebackup", "old", "web-backup")

// leftFile finds, in the last segment of a lower-cased path, a file a
// server leaves behind and never serves on purpose: a log (error.log,
// access.log.1, laravel.log.gz), a database dump in an archive
// (backup.sql.zip, db.sql.gz), or a copy of the site or its database
// under a backup's name (backup.tar.gz, www.zip, backup-2024-01-01.7z).
// It returns where the segment starts.
func leftFile(lo []byte) (int, bool) {
	if q := bytes.IndexByte(lo, '?'); q >= 0 {
		lo = lo[:q]
	}
	seg := bytes.LastIndexByte(lo, '/') + 1
	name := string(lo[seg:])
	if len(name) < 5 {
		return 0, false
	}
	// a log, or a rotated one: "x.log", "x.log.1", "x.log.gz"
	if i := strings.LastIndex(name, ".log"); i > 0 {
		rest := name[i+4:]
		if rest == "" || rest == ".gz" || rest == ".zip" || len(rest) > 1 && rest[0] == '.' && allDigits(rest[1:]) {
			return seg, true
		}
	}
	for _, ext := range archiveExts {
		base, ok := strings.CutSuffix(name, ext)
		if !ok || base == "" {
			continue
		}
		if strings.HasSuffix(base, ".sql") || backupNames[base] {
			return seg, true
		}
		// a backup's name and a date or a number: "backup-2024-01-01",
		// "backup_3", "www.2023"
		if k := strings.IndexAny(base, "-_."); k > 0 && backupNames[base[:k]] && allDigitsOr(base[k+1:], "-_.") {
			return seg, true
		}
	}
	return 0, false
}

// allDigitsOr reports whether s is digits and bytes of seps, with at
// least one digit.
func allDigitsOr(s, seps string) bool {
	digits := 0
	for i := 0; i < len(s); i++ {
		switch {
		case isDigit(s[i]):
			digits++
		case strings.IndexByte(seps, s[i]) < 0:
			return false
		}
	}
	return digits > 0
}
