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

// oastName is the first half of oobDots as first written, a walk of its
// own: whether b holds "oast." or "oastify.".
func oastName(b []byte) bool {
	for i := 0; i < len(b); i++ {
		k := bytes.IndexByte(b[i:], '.')
		if k < 0 {
			return false
		}
		i += k
		if i >= 4 && string(b[i-4:i]) == "oast" || i >= 7 && string(b[i-7:i]) == "oastify" {
			return true
		}
	}
	return false
}

// TestOOBRestDots checks what oobDots assumes of oobRest: that the
// rarest byte of each of its needles is a dot.
func TestOOBRestDots(t *testing.T) {
	for n, nd := range oobRest.needles {
		if nd[oobRest.rare[n]] != '.' {
			t.Errorf("oobRest needle %q: rarest byte %q, not a dot", nd, nd[oobRest.rare[n]])
		}
	}
}

// FuzzOOBDots checks oobDots, one walk over the dots, against oastName
// and oobRest.index, a walk each.
func FuzzOOBDots(f *testing.F) {
	for _, s := range []string{"x.oast.fun", "toast.pro then oast.pro", "a boast. oast.me", "http://abc.oastify.com/",
		"oastify.co", "oast", "oast.", ".oast.live.", "dnslog.cn ceye.io", "burpcollaborator.net oast.site", "roast oast",
		"interact.sh and interact.sh. dnslog. ceye.io.", "a.b.c.d.e", "the end. the oast. more dnslog.cn"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := []byte(s)
		var got, want [4]int
		oast := oobDots(b, got[:])
		oobRest.index(b, want[:])
		if oast != oastName(b) || got != want {
			t.Fatalf("oobDots(%q) = %v %v, want %v %v", s, oast, got, oastName(b), want)
		}
	})
}
