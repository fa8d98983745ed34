package signature

import (
	"strings"
	"testing"
)

// FuzzTmpExec holds tmpExec and cleanSlashes to their contracts: neither
// panics; cleanSlashes folds runs of '/' and "/./" steps as repeated
// replacement does; what tmpExec finds is a path that, so folded, names a
// file in a world-writable directory, in a command's position.
func FuzzTmpExec(f *testing.F) {
	for _, s := range []string{"|echo;/./tmp/x.sh;echo|", "$(/dev/shm/.x)", "a && //var/tmp/run", "x | /tmp/y", "/tmp/x", ";/tmp/", "&/./././tmp//x", "/.", ";/tmp/."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if len(v) <= 256 {
			want := v
			for {
				q := strings.ReplaceAll(want, "//", "/")
				q = strings.ReplaceAll(q, "/./", "/")
				if strings.HasSuffix(q, "/.") {
					q = q[:len(q)-1]
				}
				if q == want {
					break
				}
				want = q
			}
			if got := cleanSlashes(v); got != want {
				t.Fatalf("cleanSlashes(%q) = %q, want %q", v, got, want)
			}
		}
		i, j, ok := tmpExec(v)
		if !ok {
			return
		}
		if i < 0 || j <= i || j > len(v) || v[i] != '/' {
			t.Fatalf("%q: span %d..%d", v, i, j)
		}
		p := cleanSlashes(v[i:j])
		if !strings.HasPrefix(p, "/tmp/") && !strings.HasPrefix(p, "/var/tmp/") && !strings.HasPrefix(p, "/dev/shm/") || strings.HasSuffix(p, "/") {
			t.Fatalf("%q: %q names no file of a world-writable directory", v, p)
		}
		before := strings.TrimRight(v[:i], " \t")
		glued := strings.TrimRight(v[:i], " \t") == v[:i]
		switch {
		case strings.HasSuffix(before, ";"), strings.HasSuffix(before, "$("), strings.HasSuffix(before, "||"), strings.HasSuffix(before, "&&"):
		case glued && (strings.HasSuffix(before, "|") || strings.HasSuffix(before, "&")):
		default:
			t.Fatalf("%q: %q is not in a command's position", v, v[i:j])
		}
	})
}
