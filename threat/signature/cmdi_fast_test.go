package signature

import (
	"strings"
	"testing"
)

// The plain forms of the command family's fast paths: each Fuzz target
// checks that the fast form answers as the plain one does.

// cmdFuzzSeeds are values with the bytes the fast paths skip or search
// for: operators, line breaks, quotes, escapes, expansions, long runs.
var cmdFuzzSeeds = []string{";c'a't /e''tc/pa''sswd", "w\\h\\o\\a\\m\\i", "w^h^o^a^m^i", "cat${IFS}/etc/passwd",
	"{cat,/etc/passwd}", "\x1b[2Aid", "a|id|", "`id` and `ls`", "$(id)", "<(id)", "x;y\r\nz&&w", "2>&1 >out",
	"it's 'quoted' and \"double\"", strings.Repeat("The quick brown fox; ", 8) + "| cat /etc/passwd",
	strings.Repeat("Word ", 30) + "\n" + strings.Repeat("x", 70) + "&whoami", "${PATH:0:1}ETC${PATH:0:1}passwd"}

// FuzzClassCursor checks classCursor against a plain search for every
// byte of its set, given the classes of the value (and every class), for
// queries that go forward and, now and then, back.
func FuzzClassCursor(f *testing.F) {
	for _, s := range cmdFuzzSeeds {
		f.Add(s, uint64(0x9e3779b97f4a7c15))
	}
	f.Fuzz(func(t *testing.T, s string, steps uint64) {
		for _, set := range [][]classedByte{opClasses, shellSpecialClasses} {
			var in [256]bool
			for _, e := range set {
				in[e.c] = true
			}
			plain := func(i int) int {
				for k := max(i, 0); k < len(s); k++ {
					if in[s[k]] {
						return k
					}
				}
				return len(s)
			}
			for _, m := range []cls{classify(s), ^cls(0)} {
				cs, cb := newClassCursor(s, set, m), newClassCursor([]byte(s), set, m)
				r := steps
				for i, n := 0, 0; i <= len(s)+1 && n < 4*len(s)+8; n++ {
					want := plain(i)
					if got := cs.next(i); got != want {
						t.Fatalf("classCursor(%q, %b).next(%d) = %d, want %d", s, m, i, got, want)
					}
					if got := cb.next(i); got != want {
						t.Fatalf("classCursor([]byte(%q), %b).next(%d) = %d, want %d", s, m, i, got, want)
					}
					switch r & 3 {
					case 0, 1:
						i = want + 1
					case 2:
						i += int(r>>2&15) + 1
					case 3:
						i -= int(r >> 2 & 15)
					}
					r = r>>3 | r<<61
				}
			}
		}
	})
}

// FuzzShellFoldShared checks shellFoldFrom, which copies runs from the
// shared lower-cased value and finds their ends with a classCursor,
// against the plain fold; that the operator bytes and line breaks of the
// folded value are some of the value's (what judgeCommand's mask
// assumes); and that judgeCommand judges the same with the shared copy
// and without it.
func FuzzShellFoldShared(f *testing.F) {
	for _, s := range cmdFuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m := classify(s)
		lo := lower(nil, s)
		var a, b shellText
		got := shellFoldFrom(&a, nil, s, lo, m)
		want := shellFoldPlain(&b, nil, s)
		if string(got) != string(want) || a.obf != b.obf || a.n != b.n || a.ifs != b.ifs || a.exp != b.exp {
			t.Fatalf("shellFoldFrom(%q) = %q %+v, want %q %+v", s, got, a, want, b)
		}
		const opMask = cSemi | cPipe | cAmp | cNL | cBacktick | cDollar | cLT | cGT
		if extra := classify(string(got)) & opMask &^ m; extra != 0 {
			t.Fatalf("shellFold(%q) = %q has operator classes %b the value has not", s, got, extra)
		}
		for _, path := range []bool{false, true} {
			jf, jp := judgeCommand(s, m, path, lo), judgeCommand(s, m, path, nil)
			if jf != jp {
				t.Fatalf("judgeCommand(%q, path %v) = %+v with the shared copy, %+v without", s, path, jf, jp)
			}
		}
	})
}

// FuzzLineWordsNoBreaks checks that lineWords told a value has no line
// breaks counts as the one that searches for them, on values without.
func FuzzLineWordsNoBreaks(f *testing.F) {
	for _, s := range cmdFuzzSeeds {
		f.Add(s, uint8(3))
	}
	f.Fuzz(func(t *testing.T, s string, step uint8) {
		b := []byte(strings.NewReplacer("\n", " ", "\r", "x").Replace(s))
		lw, lp := newLineWords(b), newLineWords(b)
		lw.nl = false
		for i := 0; i < len(b); i += int(step%9) + 1 {
			gw, gp := lw.at(i)
			ww, wp := lp.at(i)
			if gw != ww || gp != wp {
				t.Fatalf("lineWords(%q) without breaks .at(%d) = %d %v, want %d %v", b, i, gw, gp, ww, wp)
			}
		}
	})
}
