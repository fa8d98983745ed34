package signature

import (
	"strings"
	"testing"
)

// FuzzNessusPlugin: what nessusPlugin finds is a word and ".nasl", with
// no letter after it, and it finds one wherever such a name is.
func FuzzNessusPlugin(f *testing.F) {
	for _, s := range []string{"", ".nasl", "x.nasl", "'a_b.nasl", "a.naslx", "a.nasl1", ".nasl.nasl", "-.nasl_"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		i, j := nessusPlugin(v)
		if i < 0 {
			for k := strings.Index(v, ".nasl"); k >= 0; {
				e := k + len(".nasl")
				if k > 0 && (isAlnum(v[k-1]) || v[k-1] == '_' || v[k-1] == '-') && (e == len(v) || !isLetter(v[e])) {
					t.Fatalf("%q: a plugin's name at %d, not found", v, k)
				}
				n := strings.Index(v[k+1:], ".nasl")
				if n < 0 {
					break
				}
				k += n + 1
			}
			return
		}
		if i >= j || j > len(v) || !strings.HasSuffix(v[i:j], ".nasl") || j-i <= len(".nasl") {
			t.Fatalf("%q: found %d..%d", v, i, j)
		}
		if j < len(v) && isLetter(v[j]) {
			t.Fatalf("%q: a letter after the name", v)
		}
	})
}
