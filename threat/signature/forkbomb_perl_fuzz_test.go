package signature

import (
	"strings"
	"testing"
)

// FuzzForkBomb checks that forkBomb never panics and returns a span in
// the value that holds "()" and a '{'.
func FuzzForkBomb(f *testing.F) {
	for _, s := range []string{":(){ :|:& };:", "f(){ f() | f(); }; f", "()", "(){", "a(){}", "x(){ x|"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		i, j, ok := forkBomb(v)
		if !ok {
			return
		}
		if i < 0 || j <= i || j > len(v) || !strings.Contains(v[i:j], "()") || !strings.Contains(v[i:j], "{") {
			t.Fatalf("%q: span [%d,%d)", v, i, j)
		}
	})
}

// FuzzPerlCart checks perlCart against a plain reading: an "@{", spaces,
// '[', at least one byte, ']', spaces and '}', with the expression within
// perlCartMax bytes of the '['.
func FuzzPerlCart(f *testing.F) {
	for _, s := range []string{"@{[system 'id']}", "@{ [ x ] }", "@{[]}", "@{[@{[]]]}", "@{[\n]\n}", "]}@{[x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		_, _, got := perlCart(v)
		want := false
		sp := func(i int) int {
			for i < len(v) && strings.IndexByte(" \t\n\r", v[i]) >= 0 {
				i++
			}
			return i
		}
		for p := 0; p+1 < len(v) && !want; p++ {
			if v[p] != '@' || v[p+1] != '{' {
				continue
			}
			a := sp(p + 2)
			if a >= len(v) || v[a] != '[' {
				continue
			}
			for c := a + 2; c < len(v) && c-a <= perlCartMax; c++ {
				if d := sp(c + 1); v[c] == ']' && d < len(v) && v[d] == '}' {
					want = true
					break
				}
			}
		}
		if got != want {
			t.Fatalf("%q: perlCart = %v, want %v", v, got, want)
		}
	})
}
