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

// plainWord passes by a word without both an upper-case and a lower-case
// letter without asking javaBase64: every needle must hold both.
func TestJavaBase64NeedlesHoldUpperCase(t *testing.T) {
	if !javaBase64Upper() {
		t.Fatal("a javaBase64 needle lacks an upper-case or a lower-case letter: plainWord's quick test misses it")
	}
}

// javaBase64Upper reports whether every needle holds an upper-case and a
// lower-case letter, which lets a word without both be passed by
// (plainWord): a hex token, a word in one case.
func javaBase64Upper() bool {
	for _, n := range javaBase64Needles {
		if strings.IndexFunc(n, func(r rune) bool { return 'A' <= r && r <= 'Z' }) < 0 ||
			strings.IndexFunc(n, func(r rune) bool { return 'a' <= r && r <= 'z' }) < 0 {
			return false
		}
	}
	return true
}
