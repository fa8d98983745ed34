package signature

import (
	"bytes"
	"strings"
	"testing"
)

// oobDomainPlain is oobDomain as first written: every anchor searched for
// in one needle set.
func oobDomainPlain(b []byte) (int, int) {
	var at [5]int
	oobAnchors.index(b, at[:])
	for _, k := range at {
		if k < 0 {
			continue
		}
		if k > 0 && b[k-1] != '.' && b[k-1] != '/' && b[k-1] != '@' && b[k-1] != ' ' {
			continue
		}
		end := k
		for end < len(b) && (isAlnum(b[end]) || b[end] == '.' || b[end] == '-') {
			end++
		}
		if oobDomains[string(bytes.TrimRight(b[k:end], "."))] {
			return k, end
		}
	}
	return 0, 0
}

// FuzzOOBDomain checks oobDomain, which looks for "oast" only where a
// name under it may start, against oobDomainPlain, on short values and
// on values repeated past the searches' short forms.
func FuzzOOBDomain(f *testing.F) {
	for _, s := range []string{"x.oast.fun", "toast.pro then oast.pro", "a boast. oast.me", "http://abc.oastify.com/",
		"oastify.co", "oast", "oast.", ".oast.live.", "dnslog.cn ceye.io", "burpcollaborator.net oast.site", "roast oast"} {
		f.Add(s, 1)
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		b := []byte(strings.ToLower(strings.Repeat(s, 1+min(max(n, 0), 40))))
		gi, gj := oobDomain(b)
		if wi, wj := oobDomainPlain(b); gi != wi || gj != wj {
			t.Fatalf("oobDomain(%q) = %d %d, want %d %d", b, gi, gj, wi, wj)
		}
	})
}
