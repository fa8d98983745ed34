package signature

import (
	"strings"
	"testing"

	"github.com/bulwarkhq/bulwark/internal/decode"
)

// unpercentsToPlain is unpercentsTo as it was before it asked
// decode.DecodesPlainlyTo first: unpercent, and a comparison.
func unpercentsToPlain(s string, plus bool, v string) (int, bool) {
	u, n := unpercentPlain(nil, s, plus)
	return n, string(u) == v
}

// FuzzUnpercentsTo holds unpercentsTo to unpercentsToPlain, against what
// the raw form decodes to (unpercent's reading, or one with a byte
// changed), for raw forms of text, escapes, and nested, broken and %u
// escapes.
func FuzzUnpercentsTo(f *testing.F) {
	f.Add("the+quick%2C+brown+fox%3A+%22x%22+jumps+over", true, uint16(0), byte(0))
	f.Add("a%252e%252e%2fetc+and+more+words+to+pass+a+block", true, uint16(5), byte('.'))
	f.Add("%%32%65%%32%65%2fetc%2fpasswd+plain+text+here", false, uint16(0), byte(0))
	f.Add("%2%e%2%e%2fx+y+z+w+v+u+t+s+r+q+p+o+n+m", true, uint16(9), byte('/'))
	f.Add("%u002e%u002e%2f+is+a+dot+dot+slash+in+%u", true, uint16(1), byte(0))
	f.Add("%2C+"+strings.Repeat("x", 15)+"%", true, uint16(2), byte(','))
	f.Fuzz(func(t *testing.T, s string, plus bool, at uint16, c byte) {
		u, _ := unpercentPlain(nil, s, plus)
		vs := []string{string(u), s}
		if len(u) > 0 {
			b := []byte(string(u))
			b[int(at)%len(b)] = c
			vs = append(vs, string(b), string(u[:len(u)-1]))
		}
		for _, v := range vs {
			gn, gok, plain := unpercentsTo(s, plus, v)
			wn, wok := unpercentsToPlain(s, plus, v)
			if gok != wok || gok && gn != wn {
				t.Fatalf("unpercentsTo(%q, %v, %q) = %d %v, want %d %v", s, plus, v, gn, gok, wn, wok)
			}
			if plain && !gok {
				t.Fatalf("unpercentsTo(%q, %v, %q): plain but not ok", s, plus, v)
			}
			// what the protocol family concludes from plain (paramFacts.escPlain)
			if plain && strings.IndexByte(v, 0) < 0 {
				if nul, esc, bad := rawEscapes(s); nul >= 0 || esc >= 0 || bad {
					t.Fatalf("unpercentsTo(%q, %v, %q) plain, but rawEscapes = %d %d %v", s, plus, v, nul, esc, bad)
				}
			}
		}
	})
}

// FuzzRawEscapes holds rawEscapes to strings.Index and badEscape, which
// scanProtocol called one after the other.
func FuzzRawEscapes(f *testing.F) {
	for _, s := range []string{"", "a%00b", "%%00", "%u00%00", "%uff01%zz", "%2C+x%00%g", "%UFFab", "%%", "%0", "x%2C+y%3A+z%00",
		"%27%20%55%4e%49%00%zz", "%41%%42%4%00%43", "%20%2%00%u0041%uFFFE"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		nul, esc, bad := rawEscapes(s)
		wesc, wbad := badEscape(s)
		if wnul := strings.Index(s, "%00"); nul != wnul || esc != wesc || bad != wbad {
			t.Fatalf("rawEscapes(%q) = %d %d %v, want %d %d %v", s, nul, esc, bad, wnul, wesc, wbad)
		}
	})
}

// FuzzFoldPlainRaw holds scanTraversal's shortcut to pathFold: when the
// raw form decodes plainly to the value, folding the value is folding the
// raw form, bytes and count.
func FuzzFoldPlainRaw(f *testing.F) {
	f.Add("..%2f..%2fetc%2fpasswd", true)
	f.Add("%2e%2e%5c%2e%2e%5cwindows%5cwin.ini", false)
	f.Add("a+b%20c%00.php", true)
	f.Add("%c0%ae%c0%ae/%252e", true)
	f.Add("0x2e0x2e%2fetc", false)
	f.Fuzz(func(t *testing.T, s string, plus bool) {
		u, _ := unpercentPlain(nil, s, plus)
		v := string(u)
		if !decode.DecodesPlainlyTo(s, plus, v) {
			return
		}
		wb, we := pathFold(nil, s, plus)
		gb, ge := foldChars(nil, v, 0)
		if string(gb) != string(wb) || ge != we {
			t.Fatalf("raw %q plus %v: folding the value gives %q %d, the raw form %q %d", s, plus, gb, ge, wb, we)
		}
	})
}
