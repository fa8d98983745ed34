package decode

import (
	"math/bits"
	"strings"
	"testing"
)

// decodesPlainlyToOld is DecodesPlainlyTo as it was before it resliced s
// past each escape to read s and v by one index: the oracle of
// FuzzDecodesPlainlyToOld, beside decodesPlainlyToPlain.
func decodesPlainlyToOld(s string, plus bool, v string) bool {
	if len(v) > len(s) || strings.IndexByte(v, '%') >= 0 {
		// decoding never lengthens; and with no escape of '%' and no
		// bare '%' in s, no '%' comes out of it
		return false
	}
	// Blocks of s and v that are equal (once the '+' of s are spaces)
	// hold no '%' (v has none): both move on by eight. Past the bytes that
	// are, s must hold an escape of v's next byte.
	//
	// The loads need no bounds check (the loop's condition is one), and
	// the masks of the '+' are read from variables, which the compiler
	// keeps in registers rather than writing each constant anew a block.
	i, j := 0, 0
	lows, highs, plusBytes := uint64(0x7f7f7f7f7f7f7f7f), uint64(0x8080808080808080), uint64(0x2b2b2b2b2b2b2b2b)
	space := uint64('+' ^ ' ') // what turns a '+' into a space; nothing without plus
	if !plus {
		space = 0
	}
	for i+8 <= len(s) && j+8 <= len(v) {
		x := wordAt(s, i)
		z := x ^ plusBytes
		x ^= (^((z&lows + lows) | z) & highs >> 7) * space // eqBytes(x, '+')
		d := x ^ wordAt(v, j)
		if d == 0 {
			i, j = i+8, j+8
			continue
		}
		k := bits.TrailingZeros64(d) / 8
		i, j = i+k, j+k
		if s[i] != '%' || i+2 >= len(s) {
			return false
		}
		hi, lo := hexValue[s[i+1]], hexValue[s[i+2]]
		if c := hi<<4 | lo; hi|lo > 15 || c == '%' || c != v[j] {
			return false
		}
		i, j = i+3, j+1
	}
	for i < len(s) && j < len(v) {
		// the last bytes of v, fewer than eight (or of s)
		c := s[i]
		switch {
		case c == '%':
			if i+2 >= len(s) {
				return false
			}
			hi, lo := hexValue[s[i+1]], hexValue[s[i+2]]
			if c = hi<<4 | lo; hi|lo > 15 || c == '%' {
				return false
			}
			i += 3
		case c == '+' && plus:
			c = ' '
			i++
		default:
			i++
		}
		if c != v[j] {
			return false
		}
		j++
	}
	return i == len(s) && j == len(v)
}

// FuzzDecodesPlainlyToOld holds DecodesPlainlyTo to decodesPlainlyToOld
// and decodesPlainlyToPlain, on arbitrary and form-like values against
// what they decode to, that with one byte changed, cut or lengthened, and
// the value itself.
func FuzzDecodesPlainlyToOld(f *testing.F) {
	for _, s := range []string{"", "a+b%2C+c", "%41%42%43", "0123456+%25+", "++++++++%2", "the+quick%2C+brown+fox%3A+%22x%22+and+more+words",
		"%%0a0a", "abcdefgh%u0041", strings.Repeat("w+", 20) + "%41xyz", "%2C+" + strings.Repeat("x", 15) + "%", "abcdefg%4",
		strings.Repeat("%41", 9) + "abcdefgh", "abcdefg%41bcdefgh%4"} {
		f.Add(s, []byte(s), true, uint16(0), byte(0))
		f.Add(s, []byte(s), false, uint16(5), byte(' '))
	}
	f.Fuzz(func(t *testing.T, s string, tokens []byte, plus bool, at uint16, c byte) {
		for _, s := range []string{s, formValue(tokens)} {
			out, _, _ := plainRunPlain(s, plus, false)
			for _, v := range []string{string(out), Percent(s, plus), s} {
				vs := []string{v}
				if len(v) > 0 {
					b := []byte(v)
					b[int(at)%len(b)] = c
					vs = append(vs, string(b), v[:len(v)-1], v+"x", v[1:])
				}
				for _, v := range vs {
					got, old, want := DecodesPlainlyTo(s, plus, v), decodesPlainlyToOld(s, plus, v), decodesPlainlyToPlain(s, plus, v)
					if got != old || got != want {
						t.Fatalf("DecodesPlainlyTo(%q, %v, %q) = %v; old %v, plain %v", s, plus, v, got, old, want)
					}
				}
			}
		}
	})
}

// TestDecodesPlainlyToOffsets puts every byte at every offset of a
// form-like value and of what it decodes to, and compares the three.
func TestDecodesPlainlyToOffsets(t *testing.T) {
	for _, base := range []string{strings.Repeat("ab+d%41h", 5), strings.Repeat("+%2C+x", 7) + "yz"} {
		for _, plus := range []bool{false, true} {
			out, _, _ := plainRunPlain(base, plus, false)
			for i := range len(base) {
				for c := 0; c < 256; c++ {
					b := []byte(base)
					b[i] = byte(c)
					o := append([]byte(nil), out...)
					o[i%len(o)] = byte(c)
					for _, sv := range [][2]string{{string(b), string(out)}, {base, string(o)}, {string(b[i:]), string(out[i%len(out):])}} {
						s, v := sv[0], sv[1]
						got, old, want := DecodesPlainlyTo(s, plus, v), decodesPlainlyToOld(s, plus, v), decodesPlainlyToPlain(s, plus, v)
						if got != old || got != want {
							t.Fatalf("DecodesPlainlyTo(%q, %v, %q) = %v; old %v, plain %v", s, plus, v, got, old, want)
						}
					}
				}
			}
		}
	}
}
