package signature

import (
	"strings"
	"testing"
)

// FuzzShellExpansion checks that shellExpansion never panics and returns
// a span inside its value that opens with '~', '!' or a brace word.
func FuzzShellExpansion(f *testing.F) {
	for _, s := range []string{"~+", "~-1", "!-1!-2", "{l,-lh}s", "{,ifconfig}", "a;{id,}", "$(~+1)", "{", "{,", "~", "!",
		"!-", strings.Repeat(";{a,", 100), strings.Repeat("&~", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		i, j, rule := shellExpansion(v, classify(v))
		if rule == "" {
			return
		}
		if i < 0 || j <= i || j > len(v) || j-i >= expansionWordMax {
			t.Fatalf("%q: span [%d,%d)", v, i, j)
		}
		if w := v[i:j]; w[0] != '~' && w[0] != '!' && !strings.Contains(w, "{") {
			t.Fatalf("%q: word %q", v, w)
		}
	})
}
