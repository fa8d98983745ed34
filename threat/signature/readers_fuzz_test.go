package signature

import (
	"strings"
	"testing"
)

// FuzzBackupSource checks that backupSource stays in bounds and finds only
// a name with a backup's suffix after a source extension.
func FuzzBackupSource(f *testing.F) {
	for _, s := range []string{"/config.php~", "/.env.bak", "/a/b.py.swp?x", "/.php~", "/~", "/.bak", "/x.png.bak", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lo := []byte(strings.ToLower(s))
		i, ok := backupSource(lo)
		if !ok {
			return
		}
		if i < 0 || i > len(lo) || i > 0 && lo[i-1] != '/' {
			t.Fatalf("%q: segment at %d", s, i)
		}
		if !strings.ContainsRune(string(lo[i:]), '.') {
			t.Fatalf("%q: no extension in %q", s, lo[i:])
		}
	})
}

// FuzzSpelledAddr: spelledAddr never panics, and an address it reads is
// one parseAddr reads from some part of the name.
func FuzzSpelledAddr(f *testing.F) {
	for _, s := range []string{"127.0.0.1", "a.b.10.0.0.5", "magic-127-0-0-1", "", ".", "-", "a.b.c.d.e", "x-1-2-3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if a, ok := spelledAddr(s); ok && !a.IsValid() {
			t.Fatalf("%q: invalid address", s)
		}
	})
}

// FuzzLeftFile: leftFile and restrictedPath never panic, and what they
// find starts a segment of the path.
func FuzzLeftFile(f *testing.F) {
	for _, s := range []string{"/error.log", "/a.log.1", "/backup.sql.zip", "/www.zip", "/backup-1.7z", "/.htpasswd", "/.log",
		"/x/", "", "/", "//", "/.z", "/backup-.zip", "/a/.aws/x?y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lo := []byte(strings.ToLower(s))
		if i, ok := leftFile(lo); ok && (i < 0 || i >= len(lo) || i > 0 && lo[i-1] != '/') {
			t.Fatalf("%q: left file at %d", s, i)
		}
		if i, j, tier := restrictedPath(lo); tier != tierNone && (i < 1 || lo[i-1] != '/' || j <= i || j > len(lo)) {
			t.Fatalf("%q: restricted file at %d:%d", s, i, j)
		}
	})
}
