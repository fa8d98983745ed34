package signature

import (
	"strings"
	"testing"
)

// FuzzDDECommand checks that ddeCommand returns a span in bounds, inside
// a value that opens as a formula.
func FuzzDDECommand(f *testing.F) {
	for _, s := range []string{"=cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "=DDE(\"cmd\";\"/C calc\";\"x\")", "=|'", "=a|'", "=a|'b'",
		"=a|'b'!", "-", "\"=x|'y'!z", "id,name\n1,=cmd|' /C calc'!A0", "a;\"=DDE(\"x\")"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		i, j := ddeCommand(v, strings.ContainsAny(v, "\r\n"))
		if i < 0 {
			if j != -1 {
				t.Fatalf("%q: %d %d", v, i, j)
			}
			return
		}
		if i > j || j > len(v) {
			t.Fatalf("%q: span %d %d", v, i, j)
		}
		if s := cellStart(v, i); !formula(v, s) && !strings.Contains(strings.ToLower(v[i:j]), "dde(") {
			t.Fatalf("%q: %q in no formula", v, v[i:j])
		}
	})
}

// TestDDECommandCells: a DDE call in a CSV file's cell, and not in a cell
// that opens as no formula; a long value of decoys reads in linear time.
func TestDDECommandCells(t *testing.T) {
	for v, want := range map[string]bool{
		"id,name\n1,=cmd|' /C calc'!A0\n":           true,
		"a;b;\"=MSEXCEL|'\\..\\cmd.exe /c calc'!''": true,
		"id\tf\nx\t+DDE(\"cmd\";\"/c calc\";\"a\")": true,
		"id,name\n1,cmd|' /C calc'!A0\n":            false,
		"Tom said =) and left|'x'!":                 false,
	} {
		if i, _ := ddeCommand(v, strings.ContainsAny(v, "\r\n")); (i >= 0) != want {
			t.Errorf("ddeCommand(%q) = %d, want found %v", v, i, want)
		}
	}
	long := "=" + strings.Repeat("a|'", 20000)
	if i, _ := ddeCommand(long, true); i >= 0 {
		t.Errorf("decoys: found at %d", i)
	}
}
