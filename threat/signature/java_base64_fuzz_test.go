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

// plainWord passes by a word without an upper-case letter without asking
// javaBase64: no needle may be all lower case and digits.
func TestJavaBase64NeedlesHoldUpperCase(t *testing.T) {
	if !javaBase64Upper() {
		t.Fatal("a javaBase64 needle has no upper-case letter: plainWord's quick test misses it")
	}
}

// javaBase64Upper reports whether every needle holds an upper-case
// letter, which lets a word without one be passed by (plainWord).
func javaBase64Upper() bool {
	for _, n := range javaBase64Needles {
		if strings.IndexFunc(n, func(r rune) bool { return 'A' <= r && r <= 'Z' }) < 0 {
			return false
		}
	}
	return true
}
