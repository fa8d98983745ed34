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

// FuzzPipeAndHereString checks that pipeToShell and hereString never
// panic and return spans inside their value.
func FuzzPipeAndHereString(f *testing.F) {
	for _, s := range []string{"a | sh", "x|/bin/bash -s", "cat<<<id", "|", "<<<", "a|", "a<<<", strings.Repeat("a|", 100),
		strings.Repeat("cat<<<", 50)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if i, j, ok := pipeToShell(v); ok && (i < 0 || j <= i || j > len(v) || v[i] != '|') {
			t.Fatalf("%q: pipe span [%d,%d)", v, i, j)
		}
		if i, j, ok := hereString(v); ok && (i < 0 || j <= i || j > len(v) || !strings.Contains(v[i:j], "<<<")) {
			t.Fatalf("%q: here-string span [%d,%d)", v, i, j)
		}
	})
}

// FuzzPathExpansion checks that pathExpansion never panics and returns a
// whole segment: a '/' before it, and a '/' or the end after it.
func FuzzPathExpansion(f *testing.F) {
	for _, s := range []string{"/x/~-1", "/x/!-1!-2", "/x/{id,}", "/", "//", "/~", "/{,}/", "/!"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		i, j, rule := pathExpansion(v)
		if rule == "" {
			return
		}
		if i < 1 || j <= i || j > len(v) || v[i-1] != '/' || j < len(v) && v[j] != '/' {
			t.Fatalf("%q: span [%d,%d)", v, i, j)
		}
	})
}
