package decode

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// The plain forms below are JSEscapes and Normalize as they were before
// runs without escapes were copied whole, and highOrNUL as a byte loop:
// the oracles FuzzRuns holds the fast forms to.

// highOrNULPlain is highOrNUL a byte at a time.
func highOrNULPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 || s[i] >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// jsEscapesPlain is JSEscapes a byte at a time.
func jsEscapesPlain(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	changed := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		n := s[i+1]
		switch {
		case (n == 'u' || n == 'U') && i+5 < len(s):
			if r, ok := hexN(s[i+2 : i+6]); ok {
				b.WriteRune(r)
				i += 5
				changed = true
				continue
			}
		case (n == 'x' || n == 'X') && i+3 < len(s):
			if r, ok := hexN(s[i+2 : i+4]); ok {
				b.WriteByte(byte(r))
				i += 3
				changed = true
				continue
			}
		case n == 'n':
			b.WriteByte('\n')
			i++
			changed = true
			continue
		case n == 'r':
			b.WriteByte('\r')
			i++
			changed = true
			continue
		case n == 't':
			b.WriteByte('\t')
			i++
			changed = true
			continue
		case n == '/' || n == '\'' || n == '"':
			b.WriteByte(n)
			i++
			changed = true
			continue
		}
		b.WriteByte(c)
	}
	if !changed {
		return s
	}
	return b.String()
}

// normalizePlain is Normalize a byte at a time.
func normalizePlain(s string) string {
	dirty := false
	if highOrNULPlain(s) {
		for i := 0; i < len(s); i++ {
			if normalizeLead[s[i]] {
				dirty = true
				break
			}
		}
	}
	if !dirty {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == 0:
			continue
		case (c == 0xC0 || c == 0xC1) && i+1 < len(s) && s[i+1]&0xC0 == 0x80:
			if v := (c&0x1F)<<6 | s[i+1]&0x3F; v != 0 { // C0 80 hides a NUL
				b.WriteByte(v)
			}
			i++
		case c == 0xC0 && i+1 < len(s) && s[i+1] >= 0x20 && s[i+1] < 0x7f:
			// a lead before an ASCII byte, which IIS reads alone ("%c0%5c"
			// is a backslash)
		case c == 0xC1 && i+1 < len(s) && s[i+1] > 0 && s[i+1] < 0x20:
			// IIS takes the low six bits of a control byte after C1:
			// "%c1%1c" is a backslash
			b.WriteByte(0x40 | s[i+1])
			i++
		case c == 0xE0 && i+2 < len(s) && s[i+1]&0xE0 == 0x80 && s[i+2]&0xC0 == 0x80:
			// E0 80..9F xx is an overlong three-byte form.
			r := rune(s[i+1]&0x3F)<<6 | rune(s[i+2]&0x3F)
			if r == 0 {
				// an overlong NUL is dropped like a plain one
			} else if r < utf8.RuneSelf {
				b.WriteByte(byte(r))
			} else {
				b.WriteRune(r)
			}
			i += 2
		case c == 0xF0 || c == 0xF8 || c == 0xFC:
			// four-, five- and six-byte forms of ASCII: a lead and
			// continuation bytes whose bits hold less than 0x80
			n := 3
			switch c {
			case 0xF8:
				n = 4
			case 0xFC:
				n = 5
			}
			r, ok := continuation(s, i+1, n)
			if !ok || r >= utf8.RuneSelf {
				b.WriteByte(c) // a real four-byte character (U+10000 up), or junk: kept
				continue
			}
			if r != 0 {
				b.WriteByte(byte(r))
			}
			i += n
		case c == 0xE2 || c == 0xEF:
			r, size := utf8.DecodeRuneInString(s[i:])
			if a := bestFit(r); a != 0 {
				b.WriteByte(a)
				i += size - 1
				continue
			}
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// runSeeds are values whose escapes, leads and NULs sit at every offset
// of a sixteen-byte round, and at the ends.
var runSeeds = []string{
	"", "a", `\`, `\\n`, `a\u0041b\x41c\n\r\t\/\'\"d`, `\u12`, `\x4`, `\xzz\u00zz`, `\\\u0041`,
	`C:\Windows\system32\drivers`, "\x00\x80\xff", "\xc0\xaf\xe0\x80\xae\xc1\x1c\xc0\x5c",
	"\xef\xbc\x9cscript\xef\xbc\x9e", "caf\xc3\xa9 na\xc3\xafve \xe2\x88\x95 \xf0\x80\x80\xaf",
	strings.Repeat("a", 15) + "\x00", strings.Repeat("a", 16) + "\x80", strings.Repeat("a", 23) + "\xc0\xaf",
	strings.Repeat("abcdefgh", 9) + `\u003c` + strings.Repeat("x", 40) + "\xfc\x80\x80\x80\x80\xaf",
	"%u0041%%4141+", "+%", "a+b%2", strings.Repeat("w+", 30) + "%41",
}

// FuzzRuns holds highOrNUL, JSEscapes, Normalize and Percent to their
// plain forms.
func FuzzRuns(f *testing.F) {
	for _, s := range runSeeds {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(checkRuns)
}

// checkRuns compares the four fast forms with their plain forms on s.
func checkRuns(t *testing.T, s string, plus bool) {
	t.Helper()
	if got, want := highOrNUL(s), highOrNULPlain(s); got != want {
		t.Fatalf("highOrNUL(%q) = %v, want %v", s, got, want)
	}
	if got, want := JSEscapes(s), jsEscapesPlain(s); got != want {
		t.Fatalf("JSEscapes(%q) = %q, want %q", s, got, want)
	}
	if got, want := Normalize(s), normalizePlain(s); got != want {
		t.Fatalf("Normalize(%q) = %q, want %q", s, got, want)
	}
	if got, want := Percent(s, plus), percentPlain(s, plus); got != want {
		t.Fatalf("Percent(%q, %v) = %q, want %q", s, plus, got, want)
	}
}

// TestRuns runs the seeds, and every byte at every offset of a 40-byte
// value, through FuzzRuns' comparisons.
func TestRuns(t *testing.T) {
	check := func(s string) {
		t.Helper()
		checkRuns(t, s, false)
		checkRuns(t, s, true)
	}
	for _, s := range runSeeds {
		check(s)
	}
	base := []byte(strings.Repeat("abcdefgh", 5))
	for i := range base {
		for c := 0; c < 256; c++ {
			b := append([]byte(nil), base...)
			b[i] = byte(c)
			check(string(b))
			if i+1 < len(b) {
				b[i+1] = 'u' // a \u escape when c is a backslash
				check(string(b))
			}
		}
	}
}

// JSEscapes allocates nothing for a value whose backslashes escape
// nothing, a Windows path say.
func TestJSEscapesKeepsUnescaped(t *testing.T) {
	s := `C:\Windows\system32\drivers\etc`
	if a := testing.AllocsPerRun(100, func() { _ = JSEscapes(s) }); a != 0 {
		t.Fatalf("%v allocations", a)
	}
}
