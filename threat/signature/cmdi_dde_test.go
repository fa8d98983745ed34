package signature

import (
	"strings"
	"testing"
)

// FuzzDDECommand checks that ddeCommand returns a span in bounds, inside
// a value that opens as a formula.
func FuzzDDECommand(f *testing.F) {
	for _, s := range []string{"=cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "=DDE(\"cmd\";\"/C calc\";\"x\")", "=|'", "=a|'", "=a|'b'",
		"=a|'b'!", "-", "\"=x|'y'!z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		i, j := ddeCommand(v)
		if i < 0 {
			if j != -1 {
				t.Fatalf("%q: %d %d", v, i, j)
			}
			return
		}
		if i > j || j > len(v) {
			t.Fatalf("%q: span %d %d", v, i, j)
		}
		if !strings.ContainsAny(strings.TrimLeft(v, " \t\r\n\"'")[:1], "=+-@") {
			t.Fatalf("%q: no formula", v)
		}
	})
}
