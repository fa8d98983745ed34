package signature

import (
	"strings"
	"testing"
)

// FuzzBatchStatement checks that batchStatement never panics and returns a
// span inside its value that opens with FOR or IF. decoys_test.go checks
// that decoys neither hide a statement nor make the reading quadratic.
func FuzzBatchStatement(f *testing.F) {
	for _, s := range []string{
		"for %a in (set) do command", `FOR /F "tokens=1-3" %%A IN ("x y") DO @echo p`, "& for /r c:\\ %G in (*.bak) do x",
		"IF NOT DEFINED x ECHO y", "if /i a==b foo", "IF (2 GEQ 15) echo x", "if not {%1} == {}", `IF "a"=="b" (x)`,
		"for /f \"", "if \"", "if (", "for %a in (", "if /", "&&&&if", "if not ", "for / ",
		strings.Repeat("&for %a in (", 100), strings.Repeat("|if (", 100),
	} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, v string, path bool) {
		i, j, ok := batchStatement(v, classify(v), path)
		if !ok {
			return
		}
		if i < 0 || j < i || j > len(v) {
			t.Fatalf("%q: span [%d,%d)", v, i, j)
		}
		if c := v[i] | 0x20; c != 'f' && c != 'i' {
			t.Fatalf("%q: span [%d,%d) opens with %q", v, i, j, v[i])
		}
	})
}
