package decode

import (
	"html"
	"strings"
	"testing"
)

// plainRunPlain is PlainRun one byte at a time: the oracle FuzzPlainRun
// holds it to. It returns what PlainRun writes, how much of src it reads
// and whether the two differ.
func plainRunPlain(src string, plus, keepPercent bool) (out []byte, read int, changed bool) {
	i := 0
	for i < len(src) {
		c := src[i]
		if c == '%' {
			if i+2 >= len(src) || !isHexByte(src[i+1]) || !isHexByte(src[i+2]) {
				break
			}
			hi, _ := unhex(src[i+1])
			lo, _ := unhex(src[i+2])
			if v := hi<<4 | lo; !keepPercent || v != '%' {
				out = append(out, v)
				changed = true
				i += 3
				continue
			}
			break
		}
		if c == '+' && plus {
			c = ' '
			changed = true
		}
		out = append(out, c)
		i++
	}
	return out, i, changed
}

// formTokens are the pieces formValue builds values of: text, the '+' of
// form encoding, escapes plain, nested, broken and of '%' itself, and
// the bytes next to '+' and '%' that a borrow between the bytes of a
// block could mistake for them ('*' and '$' differ from them in the low
// bit).
var formTokens = []string{"a", "word", "+", "++", "*", "$", "&", "%2C", "%41", "%2b", "%2B", "%25", "%", "%2", "%zz", "%u0041",
	"%U00e9", "%%32%65", "%%0a0a", "%2%e", "%c0", "%9v", "\xc0", "%00", "0123456789abcdef", "Qq", " ", "%ff"}

// formValue makes a value of the formTokens data picks, one a byte.
func formValue(data []byte) string { return tokenValue(formTokens, data) }

// tokenValue makes a value of the tokens data picks, one a byte.
func tokenValue(tokens []string, data []byte) string {
	var b strings.Builder
	for _, c := range data {
		b.WriteString(tokens[int(c)%len(tokens)])
	}
	return b.String()
}

// checkPlainRun compares PlainRun with plainRunPlain on src, written
// after pad bytes of a buffer as long as src (Percent's case) and at the
// start of a longer one (unpercent's).
func checkPlainRun(t *testing.T, src string, plus, keepPercent bool, pad int) {
	t.Helper()
	want, read, changed := plainRunPlain(src, plus, keepPercent)
	for _, dst := range [][]byte{make([]byte, len(src)), make([]byte, len(src)+pad)} {
		dl, sl, ch := PlainRun(dst, src, plus, keepPercent)
		n := cap(dst) - dl
		got := dst[:n]
		if string(got) != string(want) || len(src)-sl != read {
			t.Fatalf("PlainRun(%q, %v, %v) wrote %q and read %d, want %q and %d", src, plus, keepPercent, got, len(src)-sl, want, read)
		}
		// a '+' past where it stopped may count: the caller turns it
		// into a space in any case
		if ch != changed && !(ch && plus && strings.IndexByte(src[read:], '+') >= 0) {
			t.Fatalf("PlainRun(%q, %v, %v) reports changed %v, want %v", src, plus, keepPercent, ch, changed)
		}
	}
}

// FuzzPlainRun holds PlainRun to plainRunPlain, on arbitrary values and
// on form-like ones made of formTokens.
func FuzzPlainRun(f *testing.F) {
	for _, s := range []string{"", "a+b%2C+c", "%41%42%43", "0123456+%25+", "++++++++%2", "+*+*+*+*+*+*", "%%0a0a", "abcdefgh%u0041",
		strings.Repeat("w+", 20) + "%41xyz", "%2C+" + strings.Repeat("x", 15) + "%", "abcdefg%4",
		"%27%20%55%4e%49%4f%4e%20", "%41%25%41%%41%4", "x%41%42%4g%43+%44"} {
		f.Add(s, []byte(s), true, false, uint8(3))
		f.Add(s, []byte(s), false, true, uint8(0))
	}
	f.Fuzz(func(t *testing.T, s string, tokens []byte, plus, keepPercent bool, pad uint8) {
		checkPlainRun(t, s, plus, keepPercent, int(pad))
		checkPlainRun(t, formValue(tokens), plus, keepPercent, int(pad))
	})
}

// FuzzPercentForm holds Percent to percentPlain on form-like values.
func FuzzPercentForm(f *testing.F) {
	f.Add([]byte{1, 2, 0, 3, 2, 1, 7, 8, 9, 10, 2, 4}, true)
	f.Add([]byte{24, 2, 4, 24, 13, 24, 3, 6, 24, 17, 18, 20, 21}, false)
	f.Fuzz(func(t *testing.T, tokens []byte, plus bool) {
		s := formValue(tokens)
		if got, want := Percent(s, plus), percentPlain(s, plus); got != want {
			t.Fatalf("Percent(%q, %v) = %q, want %q", s, plus, got, want)
		}
	})
}

// TestPlainRunOffsets runs every byte at every offset of a 40-byte value,
// and after a '+' or a '%', through PlainRun's comparison.
func TestPlainRunOffsets(t *testing.T) {
	base := []byte(strings.Repeat("ab+d%41h", 5))
	for i := range base {
		for c := 0; c < 256; c++ {
			b := append([]byte(nil), base...)
			b[i] = byte(c)
			for _, plus := range []bool{false, true} {
				for _, keep := range []bool{false, true} {
					checkPlainRun(t, string(b), plus, keep, 5)
					checkPlainRun(t, string(b[i:]), plus, keep, 0)
				}
			}
		}
	}
}

// valuePlain is Value as it was before a pass that leaves no escape, '&'
// or '\\' ended the loop: the oracle FuzzValuePasses holds Value to.
func valuePlain(s string, plus bool) string {
	if len(s) < 64 && !special(s, plus) || len(s) >= 64 && !specialLong(s, plus) {
		return s
	}
	cur := s
	for pass := 0; pass < MaxPasses; pass++ {
		next := cur
		if strings.IndexByte(next, '%') >= 0 || (plus && pass == 0 && strings.IndexByte(next, '+') >= 0) {
			next = Percent(next, plus && pass == 0)
		}
		if strings.IndexByte(next, '&') >= 0 {
			next = html.UnescapeString(next)
		}
		if strings.IndexByte(next, '\\') >= 0 {
			next = JSEscapes(next)
		}
		if next == cur {
			break
		}
		cur = next
	}
	return Normalize(cur)
}

// valueTokens are formTokens and the pieces of the other decoders, and
// escapes that decode to them: entities, JavaScript escapes, '&', '\\'.
var valueTokens = append([]string{`\u0026`, `\x5c`, `\u0025`, "\\", "lt;", "amp;", "&#37;", "&#92;", "%26", "%5C", "%23", "%3B"},
	formTokens...)

// FuzzValuePasses holds Value to valuePlain, on arbitrary values and on
// ones made of valueTokens.
func FuzzValuePasses(f *testing.F) {
	for _, s := range []string{"a+b%2C+c", "%2541", "%26lt%3B", "%5Cu0041", "&#37;41", `\u0025\u0034\u0031`, "%252526", "%26%2337%3B41",
		"&amp;lt;", "%5c%5c", strings.Repeat("w+", 40) + "%26amp%3B"} {
		f.Add(s, []byte(s), true)
		f.Add(s, []byte(s), false)
	}
	f.Fuzz(func(t *testing.T, s string, tokens []byte, plus bool) {
		for _, v := range []string{s, tokenValue(valueTokens, tokens)} {
			if got, want := Value(v, plus), valuePlain(v, plus); got != want {
				t.Fatalf("Value(%q, %v) = %q, want %q", v, plus, got, want)
			}
		}
	})
}

// TestHighOrNULOffsets puts every byte at every offset of a value long
// enough for highOrNUL's rounds of 128 and of sixty-four bytes, its words
// and its last bytes, and compares it with the plain form.
func TestHighOrNULOffsets(t *testing.T) {
	base := []byte(strings.Repeat("abcdefgh", 40)[:309])
	for i := range base {
		for c := 0; c < 256; c++ {
			b := append([]byte(nil), base...)
			b[i] = byte(c)
			for _, s := range []string{string(b), string(b[i:]), string(b[:i+1])} {
				if got, want := highOrNUL(s), highOrNULPlain(s); got != want {
					t.Fatalf("highOrNUL(%q) = %v, want %v", s, got, want)
				}
			}
		}
	}
}

// decodesPlainlyToPlain is DecodesPlainlyTo one byte at a time: the
// oracle FuzzDecodesPlainlyTo holds it to.
func decodesPlainlyToPlain(s string, plus bool, v string) bool {
	var out []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%':
			if i+2 >= len(s) || !isHexByte(s[i+1]) || !isHexByte(s[i+2]) {
				return false
			}
			hi, _ := unhex(s[i+1])
			lo, _ := unhex(s[i+2])
			if c = hi<<4 | lo; c == '%' {
				return false
			}
			i += 2
		case c == '+' && plus:
			c = ' '
		}
		out = append(out, c)
	}
	return string(out) == v
}

// FuzzDecodesPlainlyTo holds DecodesPlainlyTo to decodesPlainlyToPlain,
// on arbitrary values and form-like ones, against what they decode to
// (through PlainRun, or by Percent, which reads nested escapes) and that
// with one byte changed.
func FuzzDecodesPlainlyTo(f *testing.F) {
	for _, s := range []string{"", "a+b%2C+c", "%41%42%43", "0123456+%25+", "++++++++%2", "the+quick%2C+brown+fox%3A+%22x%22+and+more+words",
		"%%0a0a", "abcdefgh%u0041", strings.Repeat("w+", 20) + "%41xyz", "%2C+" + strings.Repeat("x", 15) + "%", "abcdefg%4",
		"%27%20%55%4e%49%4f%4e%20", "%41%25%41%%41%4", "x%41%42%4g%43+%44"} {
		f.Add(s, []byte(s), true, uint16(0), byte(0))
		f.Add(s, []byte(s), false, uint16(3), byte('%'))
	}
	f.Fuzz(func(t *testing.T, s string, tokens []byte, plus bool, at uint16, c byte) {
		for _, s := range []string{s, formValue(tokens)} {
			out, _, _ := plainRunPlain(s, plus, false)
			for _, v := range []string{string(out), Percent(s, plus), s} {
				vs := []string{v}
				if len(v) > 0 {
					b := []byte(v)
					b[int(at)%len(b)] = c
					vs = append(vs, string(b), v[:len(v)-1], v+"x")
				}
				for _, v := range vs {
					if got, want := DecodesPlainlyTo(s, plus, v), decodesPlainlyToPlain(s, plus, v); got != want {
						t.Fatalf("DecodesPlainlyTo(%q, %v, %q) = %v, want %v", s, plus, v, got, want)
					}
				}
			}
		}
	})
}
