package signature

import (
	"strings"
	"testing"
)

// FuzzDOMObfuscated checks that domObfuscated and jsFuck never panic and
// that a span domObfuscated returns lies inside its value.
func FuzzDOMObfuscated(f *testing.F) {
	for _, s := range []string{"document/*x*/.cookie", "(document)['cookie']", `self["\x24"]`, "document[", "document/*",
		"(document", "![]", strings.Repeat("document/*", 100), strings.Repeat("self[' ", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		lo := strings.ToLower(v)
		if i, j, ok := domObfuscated(lo); ok && (i < 0 || j <= i || j > len(lo)) {
			t.Fatalf("%q: span [%d,%d)", lo, i, j)
		}
		_ = jsFuck(v)
	})
}
