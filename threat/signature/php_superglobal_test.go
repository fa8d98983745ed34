package signature

import (
	"strings"
	"testing"
)

// TestSuperglobalName: parameters named for PHP's superglobals, as
// variable-overwrite payloads send them (the CRS's 933130 reads them in
// ARGS_NAMES), and names that only start like one.
func TestSuperglobalName(t *testing.T) {
	for name, want := range map[string]bool{
		"$_cookie":               true,
		"$_server":               true,
		"_server[document_root]": true,
		"globals[a]":             true,
		"$globals":               true,
		"http_post_vars[x]":      true,
		"_gets[x]":               false,
		"globalsettings":         false,
		"_get":                   false,
		"$_getter":               false,
		"envelope[a]":            false,
		"":                       false,
		"$":                      false,
	} {
		if _, _, got := superglobalName([]byte(name)); got != want {
			t.Errorf("superglobalName(%q) = %v, want %v", name, got, want)
		}
	}
}

// FuzzSuperglobalName: superglobalName never panics and its span lies in
// the name.
func FuzzSuperglobalName(f *testing.F) {
	for _, s := range []string{"$_cookie", "_server[x]", "globals[", "$", "", "$globals"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lo := []byte(strings.ToLower(s))
		if i, j, ok := superglobalName(lo); ok && (i != 0 || j > len(lo) || j <= i) {
			t.Fatalf("%q: span %d:%d", s, i, j)
		}
	})
}
