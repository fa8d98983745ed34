package signature

import (
	"strings"
	"testing"
)

// FuzzJavaBase64 checks javaBase64 against a plain search: it finds a
// needle exactly when one is in the value, and the first one.
func FuzzJavaBase64(f *testing.F) {
	for _, s := range []string{"cHJvY2Vzc2J1aWxkZXI", "xxHByb2Nlc3NidWlsZGVy", "a b", "SW52b2tlclRyYW5zZm9ybWVy", "-_-_", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		want := -1
		for _, n := range javaBase64Needles {
			if i := strings.Index(v, n); i >= 0 && (want < 0 || i < want) {
				want = i
			}
		}
		if got := javaBase64(v); got != want {
			t.Fatalf("%q: javaBase64 = %d, want %d", v, got, want)
		}
	})
}
