package signature

import (
	"bytes"
	"strings"
	"testing"

	"github.com/bulwarkhq/bulwark/threat"
)

// Oracles for the shortcuts of the traversal family: each Fuzz target
// checks that the fast form returns what the plain one does.

// FuzzFoldIsLower checks that a value foldIsLower accepts folds, through
// pathFold, to exactly its lower-cased form with nothing exotic, and that
// the traversal, SSRF and code families leave the shared lower-cased copy
// as lowerValue made it.
func FuzzFoldIsLower(f *testing.F) {
	for _, s := range []string{"Plain Text, with: Punctuation; (and) \"QUOTES\" 'here'", "a 0x2e b", "A 0X5C B", "x..2f y", "..5C",
		"tab\there", "nul\x00", "del\x7f", "high \xc0\xae", "etc/passwd", "C:\\boot.ini", "%2e%2e", "see win.ini or .htaccess",
		"php://filter", "x ... y 2f", "0x", "100 200 500 0xff", "\xef\xbc\x8e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m := classify(s)
		if foldIsLower(s, m) {
			got, exotic := pathFold(nil, s, false)
			if want := lower(nil, s); !bytes.Equal(got, want) || exotic != 0 {
				t.Fatalf("foldIsLower(%q) but pathFold = %q %d, want %q 0", s, got, exotic, want)
			}
		}
		v := strings.Repeat(s+" ", 1+loweredFold/(len(s)+1)) // long enough for the shared copy
		in := &input{src: threat.SourceQuery, name: "q", value: v, m: classify(v)}
		var seen [3]rules
		scanTraversal(in, &seen[0], nil)
		scanSSRF(in, &seen[1], nil)
		scanCode(in, &seen[2], nil)
		if in.lowered && !bytes.Equal(in.lo, lower(nil, v)) {
			t.Fatalf("the shared lower-cased copy of %q changed", v)
		}
		in.release()
	})
}

// dotdotsPlain is dotdots as first written: every byte a candidate.
func dotdotsPlain(b []byte) (n, first int) {
	first = -1
	for i := 0; i < len(b); i++ {
		if b[i] != '.' && b[i] != '?' && b[i] != '*' {
			continue
		}
		if i > 0 {
			if p := b[i-1]; p != '/' && p != '=' && p != ' ' && p != ';' && p != '"' && p != '\'' {
				continue
			}
		}
		j, dots := i, 0
		for j < len(b) && (b[j] == '.' || b[j] == '?' || b[j] == '*') {
			if b[j] == '.' {
				dots++
			}
			j++
		}
		seg := j - i
		end := j == len(b) || b[j] == '/' || b[j] == ';'
		step := false
		switch {
		case dots == seg && seg >= 2:
			step = end && (j < len(b) || i > 0 && b[i-1] == '/') || seg >= 6 && (j == len(b) || b[j] != ' ')
		case seg >= 2 && seg <= 4 && j < len(b) && b[j] == '/':
			step = true
		}
		if step {
			if first < 0 {
				first = i
			}
			n++
			if dots >= 6 && dots == seg {
				n += dots / 4
			}
		}
		i = j - 1
	}
	return n, first
}

// FuzzDotSteps checks dotSteps, which counts the steps up and the "./"
// segments in one walk, against dotdotsPlain and dotSlashRunPlain, on
// short values and on values long enough for the byte cursor.
func FuzzDotSteps(f *testing.F) {
	for _, s := range []string{"../../etc/passwd", "./././etc", "/./a/./", ".", "./", "a./b/./.", "..//./", "x=../a", "?./??/.?/",
		"........", "...... x", "/..;/", "'../'", "a .. b", "*/./*./"} {
		f.Add(s, 1)
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		b := []byte(strings.Repeat(s, 1+min(max(n, 0), 40)))
		gn, gf, gs := dotSteps(b)
		wn, wf := dotdotsPlain(b)
		if ws := dotSlashRunPlain(b); gn != wn || gf != wf || gs != ws {
			t.Fatalf("dotSteps(%q) = %d %d %d, want %d %d %d", b, gn, gf, gs, wn, wf, ws)
		}
	})
}
