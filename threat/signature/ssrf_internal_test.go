package signature

import (
	"strings"
	"testing"
)

// FuzzNulEscape: nulEscape's one pass over the '%'s agrees with looking
// for each escape on its own.
func FuzzNulEscape(f *testing.F) {
	for _, s := range []string{"", "%", "%0", "%00", "a%2500b", "%25%00", "%%00", "%250", "%2%2500", "http%3A%2F%2F127.0.0.1%2500x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := strings.Contains(s, "%00") || strings.Contains(s, "%2500")
		if got := nulEscape(s); got != want {
			t.Fatalf("nulEscape(%q) = %v, want %v", s, got, want)
		}
	})
}
